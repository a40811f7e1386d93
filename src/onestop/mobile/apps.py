from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.mobile"
    label = "mobile"
