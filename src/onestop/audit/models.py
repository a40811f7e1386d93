"""The audit trail: append-only events, each holding the hash of the one before it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One state change: who did what to which object, when, chained by hashes so that an
    edited, removed or reordered event is found by `onestop audit verify`."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    # Not unique in the database: an index of random hashes would cost every append a
    # page write, and verify checks the chain itself.
    hash = models.CharField(max_length=64)

    objects = AppendOnly.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class AuditHead(models.Model):
    """The one row every append locks: the last sequence number and hash. It serialises
    appends across processes and tells `verify` when events were cut off the end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class AuditCheckpoint(models.Model):
    """A signed statement that the trail had `length` events and the last one had `hash`
    at `at`. The same line is appended to a file outside the database
    (settings.AUDIT_CHECKPOINT_DIR), which is what a rewritten database cannot undo."""

    length = models.PositiveBigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    signature = models.TextField()
    certificate = models.CharField(max_length=40)

    objects = AppendOnly.as_manager()

    class Meta:
        ordering = ["-length"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.length}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit checkpoints are append-only")
