from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.registries"
    label = "registries"
