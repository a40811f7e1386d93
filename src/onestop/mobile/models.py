"""What a mobile centre's devices sent (one row per captured operation, keyed by the
device's own id) and the home visits its operators make."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MobileDevice(models.Model):
    """A mobile centre's device, registered the first time it reaches the server (when its
    screen is first opened, online). Nothing it captured may be older than that."""

    id = models.UUIDField(primary_key=True, editable=False)
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField()

    class Meta:
        ordering = ["registered_at"]
        verbose_name = _("mobile device")
        verbose_name_plural = _("mobile devices")

    def __str__(self) -> str:
        return f"device {self.id}"


class SyncOperation(models.Model):
    """One ticket or application captured on an operator's device, possibly offline.
    The primary key is the id the device gave it, so a resent operation cannot be
    stored, nor applied, twice; `result` is what the device was answered."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("ticket")
        APPLICATION = "application", _("application")

    class Status(models.TextChoices):
        # Only inside the transaction that applies the operation; never committed.
        RECEIVED = "received", _("being applied")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")

    id = models.UUIDField(primary_key=True, editable=False)
    device = models.UUIDField()
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    captured_at = models.DateTimeField()
    received_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices)
    result = models.JSONField(default=dict)
    ticket = models.OneToOneField(
        "queueing.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sync_operation",
    )
    application = models.OneToOneField(
        "cases.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sync_operation",
    )

    class Meta:
        ordering = ["received_at", "captured_at"]
        indexes = [
            models.Index(fields=["operator", "received_at"]),
            models.Index(fields=["device", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="applied")
                | Q(ticket__isnull=False)
                | Q(application__isnull=False),
                name="applied_operation_made_something",
            )
        ]
        verbose_name = _("synced operation")
        verbose_name_plural = _("synced operations")

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class HomeVisitStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    SCHEDULED = "scheduled", _("scheduled")
    VISITED = "visited", _("visited")
    CANCELLED = "cancelled", _("cancelled")


class HomeVisit(models.Model):
    """A visit by a mobile centre's operator to someone who cannot come: asked for by the
    person or by the call centre for a caller, scheduled, and ended by filing the
    application at the person's home."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="home_visits"
    )
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="home_visits",
        help_text="the mobile centre that makes the visit",
    )
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=20)
    reason = models.CharField(_("why the person cannot come"), max_length=500)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=HomeVisitStatus.choices, default=HomeVisitStatus.REQUESTED
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_visits",
    )
    visited_at = models.DateTimeField(null=True, blank=True)
    application = models.OneToOneField(
        "cases.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_visit",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["office", "status", "scheduled_for"]),
            models.Index(fields=["operator", "status", "scheduled_for"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"],
                condition=Q(status__in=["requested", "scheduled"]),
                name="one_open_home_visit_per_person_and_service",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled")
                | (Q(operator__isnull=False) & Q(scheduled_for__isnull=False)),
                name="scheduled_visit_has_operator_and_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="visited")
                | (Q(visited_at__isnull=False) & Q(application__isnull=False)),
                name="visit_made_files_an_application",
            ),
        ]
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self) -> str:
        return f"home visit {self.pk} ({self.status})"
