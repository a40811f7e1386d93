from django_tasks import task

from onestop import idempotency


@task()
def forget_expired_idempotency_keys() -> int:
    """Deletes the answers kept under Idempotency-Key past their lifetime (every minute)."""
    return idempotency.forget_expired()
