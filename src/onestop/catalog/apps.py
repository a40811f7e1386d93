from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class Config(AppConfig):
    name = "onestop.catalog"
    label = "catalog"

    def ready(self) -> None:
        # A change to the register saved in this process forgets the answers kept about
        # it (onestop/answers.py); other processes within ONESTOP_LAYOUT_CACHE_SECONDS.
        from onestop import answers

        for model in (
            "Agency",
            "Category",
            "Service",
            "Standard",
            "StandardDocument",
            "StandardStep",
        ):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    answers.forget,
                    sender=self.get_model(model),
                    dispatch_uid=f"answers-{name}-{model}",
                )
