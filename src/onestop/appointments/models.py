"""Appointments: a booked slot at a centre for a service, and how many each slot holds.

Both tables were made by the queueing app and keep their names (queueing_appointment,
queueing_slotload): the models moved here without moving any data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Appointment(models.Model):
    """A booked slot at a centre for a service. Checking in near the slot turns it into a
    priority ticket."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CHECKED_IN = "checked_in", _("checked in")
        CANCELLED = "cancelled", _("cancelled")
        MISSED = "missed", _("missed")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="appointments"
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="appointments"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    code = models.CharField(max_length=8, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    channel = models.CharField(max_length=12, default="portal")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    ticket = models.OneToOneField(
        "queueing.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )

    class Meta:
        db_table = "queueing_appointment"  # the table it had in queueing (migration 0001)
        ordering = ["start"]
        indexes = [
            models.Index(fields=["person", "status", "start"]),
            models.Index(fields=["office", "start", "status"]),
        ]


class SlotLoad(models.Model):
    """How many appointments a centre's slot holds; the row is locked while booking, so a
    slot is never overbooked whatever the number of people booking at once."""

    office = models.ForeignKey("offices.Office", on_delete=models.CASCADE)
    start = models.DateTimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "queueing_slotload"
        constraints = [
            models.UniqueConstraint(fields=["office", "start"], name="one_load_per_slot")
        ]
