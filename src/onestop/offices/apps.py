from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.offices"
    label = "offices"
