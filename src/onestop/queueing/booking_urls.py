from django.urls import path  # noqa: F401

app_name = "booking"

# Booking an appointment on the portal and by the call centre.
urlpatterns: list = []
