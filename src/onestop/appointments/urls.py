from django.urls import path

from onestop.appointments import views

app_name = "appointments"

# Booking an appointment on the portal and by the call centre.
urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("new/", views.new_appointment, name="new"),
    path("slots/", views.slot_list, name="slots"),
    path("<int:pk>/", views.appointment_detail, name="detail"),
    path("<int:pk>/cancel/", views.cancel_appointment, name="cancel"),
]
