"""What the running processes tell each other through the database."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker that is alive: it writes `seen_at` every few seconds. A task left
    running by a worker not seen for the lease runs again (operations/leases.py)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]


class IdempotencyKey(models.Model):
    """The first answer to a creating request sent with an `Idempotency-Key` header, kept
    for IDEMPOTENCY_KEY_HOURS so that a retry gets it again instead of a second creation
    (onestop/idempotency.py). `status` is empty while the first request is under way."""

    caller = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="one_answer_per_caller_and_key")
        ]
