from django.urls import path

from onestop.benchmarking import views

app_name = "bench"

urlpatterns = [
    path("bare", views.bare_write, name="bare"),
]
