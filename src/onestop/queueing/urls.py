from django.urls import path  # noqa: F401

app_name = "queueing"

# Kiosk, display board, operator workstation and rating screen pages.
urlpatterns: list = []
