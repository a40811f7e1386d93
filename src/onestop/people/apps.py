from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.people"
    label = "people"

    def ready(self) -> None:
        from onestop.people import changes  # noqa: F401 - connects the receivers
