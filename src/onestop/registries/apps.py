from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "onestop.registries"
    label = "registries"
    verbose_name = _("state registries")

    def ready(self):
        # Importing a plugin module registers its plugins; a real plugin's module is
        # imported here beside the sandbox.
        from onestop.registries.sandbox import plugins  # noqa: F401
