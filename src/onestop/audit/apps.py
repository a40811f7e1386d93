from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.audit"
    label = "audit"
    verbose_name = "Audit trail"
