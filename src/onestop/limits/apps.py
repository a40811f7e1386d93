from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.limits"
    label = "limits"
    verbose_name = "Request-rate limits"
