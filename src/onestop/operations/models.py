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
