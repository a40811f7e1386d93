from django.apps import AppConfig
from django.db.models.signals import post_save


def _application_saved(sender, instance, raw=False, **kwargs) -> None:
    from onestop.cases.selectors import forget_own_answers

    if not raw:
        forget_own_answers(instance)


class Config(AppConfig):
    name = "onestop.cases"
    label = "cases"

    def ready(self) -> None:
        from onestop.cases.models import Application

        post_save.connect(_application_saved, sender=Application, dispatch_uid="own-answers")
