from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.portal"
    label = "portal"
