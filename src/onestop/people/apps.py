from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.people"
    label = "people"

    def ready(self) -> None:
        from onestop.people import changes, signals  # noqa: F401 - connect the receivers
