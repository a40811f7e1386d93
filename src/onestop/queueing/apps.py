from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.queueing"
    label = "queueing"

    def ready(self) -> None:
        from onestop.queueing import layout

        layout.connect_signals()
