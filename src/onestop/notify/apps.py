from django.apps import AppConfig


class Config(AppConfig):
    name = "onestop.notify"
    label = "notify"

    def ready(self):
        # Importing the channels registers their plugins before the start-up checks run.
        from onestop.notify import channels  # noqa: F401
