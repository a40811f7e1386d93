"""Messages to people about their applications, and the sandbox SMS gateway's log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message on one channel, with its delivery state. It is written in the transaction
    of the change it reports (an outbox), with the task that delivers it; a failed send is
    retried and never undoes the change. `sending` marks the row claimed by a delivery."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # What it is about: an application, or an appointment (its reminder).
    application = models.ForeignKey(
        "cases.Application",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # The status change it announces: one message per change and channel.
    status_change = models.ForeignKey(
        "cases.StatusChange",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    channel = models.CharField(max_length=10)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    event = models.CharField(max_length=40)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Which delivery task holds the `sending` claim, and since when.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(appointment__isnull=False),
                name="notification_about_something",
            ),
            models.UniqueConstraint(
                fields=["status_change", "channel"], name="one_notification_per_change_and_channel"
            ),
        ]


class SandboxSms(models.Model):
    """What the sandbox SMS gateway accepted: the phone, the text and when, under the
    sender's message id. A repeated id is not sent again: one row is one real send."""

    phone = models.CharField(max_length=20)
    text = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)
    gateway_id = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["-sent_at"]
