from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.catalog"
    label = "catalog"
