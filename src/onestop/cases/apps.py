from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.cases"
    label = "cases"
