from django_tasks import task

from onestop.queueing import services


@task()
def close_finished_days() -> int:
    """Closes tickets left open after each centre's closing time (run every minute)."""
    return services.close_all_days()
