from django.urls import path

from onestop.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.new_application, name="new"),
    path("life-situations/<slug:code>/", views.new_life_situation, name="new_life_situation"),
    path("<str:number>/", views.application_detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
    path("<str:number>/result.<str:kind>", views.result_file, name="result"),
]
