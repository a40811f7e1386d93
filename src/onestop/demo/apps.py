from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.demo"
    label = "demo"
