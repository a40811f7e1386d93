from django_tasks import TaskContext, task

from onestop.notify import services


@task(takes_context=True)
def deliver_notification(context: TaskContext, notification_id: int, attempt: int = 1) -> str:
    """Sends one notification; run again after its worker died, it sends nothing twice."""
    return services.deliver(
        notification_id=notification_id, attempt=attempt, task_id=str(context.task_result.id)
    )


@task()
def redeliver_stranded_notifications() -> int:
    """Queues again the messages whose delivery task was lost (run by the worker's schedule)."""
    return services.redeliver_stranded()
