from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.notify"
    label = "notify"
