"""Attempts counted against the request-rate limits and login lock-outs (onestop/ratelimit.py),
in the database so that every process and every machine sees the same count."""

from django.db import models


class AttemptCount(models.Model):
    """The attempts counted against one limit for one key (an account, a person, a client
    address) in its current window, which the first attempt after the last window opens
    and which lasts the limit's period. The key is stored as a SHA-256: no username or
    address is kept here."""

    limit = models.CharField(max_length=40)
    key_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["limit", "key_hash"], name="one_count_per_limit_and_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.limit} {self.key_hash[:8]} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
