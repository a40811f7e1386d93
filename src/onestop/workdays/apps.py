from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.workdays"
    label = "workdays"
