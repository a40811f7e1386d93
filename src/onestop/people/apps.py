from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.people"
    label = "people"

    def ready(self):
        from onestop.people import signals  # noqa: F401  (connects the receivers)
