from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.people"
    label = "people"
