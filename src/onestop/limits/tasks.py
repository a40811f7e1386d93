from django.utils import timezone
from django_tasks import task

from onestop.limits.models import AttemptCount


@task()
def forget_ended_windows() -> int:
    """Deletes the counts of windows that have ended: they no longer limit anything."""
    deleted, _ = AttemptCount.objects.filter(window_end__lt=timezone.now()).delete()
    return deleted
