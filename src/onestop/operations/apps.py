from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.operations"
    label = "operations"
    verbose_name = "Operations"
