from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.signatures"
    label = "signatures"
