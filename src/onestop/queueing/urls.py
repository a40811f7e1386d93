from django.urls import path

from onestop.queueing import views

app_name = "queueing"

# Kiosk, display board, operator workstation, rating screen and the visitor's phone page.
urlpatterns = [
    path("kiosk/<slug:office>/", views.kiosk, name="kiosk"),
    path("board/<slug:office>/", views.board, name="board"),
    path("window/", views.workstation, name="workstation"),
    path("window/act/", views.workstation_act, name="workstation_act"),
    path("window/counts/", views.workstation_counts, name="workstation_counts"),
    path("rate/<slug:office>/<int:window>/", views.rating_screen, name="rate"),
    path("t/<slug:follow_code>/", views.follow, name="follow"),
]
