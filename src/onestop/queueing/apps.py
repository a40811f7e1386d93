from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.queueing"
    label = "queueing"
