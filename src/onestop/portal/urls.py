from django.contrib.auth import views as auth_views
from django.urls import path

from onestop.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.catalogue, name="catalogue"),
    path("services/<slug:code>/", views.service_page, name="service"),
    path("categories/<slug:code>/", views.category_page, name="category"),
    path("life-situations/", views.life_situations_page, name="life_situations"),
    path("life-situations/<slug:code>/", views.life_situation_page, name="life_situation"),
    path("centres/", views.offices_page, name="offices"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
