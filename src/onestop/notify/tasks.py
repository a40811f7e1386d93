from django_tasks import task

from onestop.notify import services


@task()
def deliver_notification(notification_id: int, attempt: int) -> str:
    return services.deliver(notification_id=notification_id, attempt=attempt)
