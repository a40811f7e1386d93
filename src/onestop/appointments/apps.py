from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.appointments"
    label = "appointments"
