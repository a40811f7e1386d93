from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

REGISTER_MODELS = ("Agency", "Category", "Service", "Standard", "StandardDocument", "StandardStep")


class Config(AppConfig):
    name = "onestop.catalog"
    label = "catalog"

    def ready(self) -> None:
        # A change to the register moves its version on, under which answers are kept.
        from onestop.catalog.selectors import register_changed

        for model in REGISTER_MODELS:
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    register_changed,
                    sender=self.get_model(model),
                    dispatch_uid=f"register-{name}-{model}",
                )
