from django.urls import path

from onestop.mobile import views

app_name = "mobile"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("home-visits/", views.home_visit_list, name="home_visits"),
    path("home-visits/new/", views.home_visit_new, name="home_visit_new"),
    path("home-visits/<int:visit_id>/act/", views.home_visit_act, name="home_visit_act"),
]
