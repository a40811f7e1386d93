"""Telling people what happened to their applications, in their language, by SMS and
e-mail. The messages are written in the transaction of the change they announce, with the
tasks that deliver them (an outbox): a change that commits has its messages, whatever dies
after. A task sends each once: it claims the row, and the gateway gets the notification's
id as the message id, so that a send repeated after a crash is dropped by the gateway.
A failed send is retried and never undoes the change. No message names the reviewer."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from onestop.notify.channels import BadRecipient, ChannelUnavailable, plugin_for
from onestop.notify.models import Notification

MAX_ATTEMPTS = 5


def status_text(application, status: str) -> str:
    service = (
        application.service.name if application.service_id else application.life_situation.name
    )
    number = application.number
    texts = {
        "submitted": _("Application %(number)s (%(service)s) is received."),
        "returned": _("Application %(number)s (%(service)s) is returned: %(reason)s"),
        "accepted": _("Application %(number)s (%(service)s) is accepted and sent to the agency."),
        "assigned": _("Application %(number)s (%(service)s) is being reviewed. Due by %(due)s."),
        "approved": _("Application %(number)s (%(service)s) is approved."),
        "rejected": _("Application %(number)s (%(service)s) is refused: %(reason)s"),
        "ready": _("The result of application %(number)s (%(service)s) is ready."),
        "issued": _("Application %(number)s (%(service)s) is complete. Thank you!"),
        "withdrawn": _("Application %(number)s (%(service)s) is withdrawn."),
    }
    due = (
        date_format(timezone.localtime(application.due_at), "DATETIME_FORMAT")
        if application.due_at
        else "—"
    )
    # Only a return or a refusal gives a reason; the history is read for those alone.
    reason = (
        application.decision_reason or _latest_note(application)
        if "%(reason)s" in texts[status]
        else ""
    )
    return "onestop: " + texts[status] % {
        "number": number,
        "service": service,
        "reason": reason,
        "due": due,
    }


def _latest_note(application) -> str:
    last = application.history.exclude(note="").order_by("-at", "-id").first()
    return last.note if last else ""


def notify_status_change(*, application_id: int, status: str, change=None) -> list[Notification]:
    """Writes an SMS and an e-mail about a status change (for whichever the person has) with
    their delivery tasks. Called inside the transaction of the change (`change`, the history
    row), so that both commit or neither does."""
    from onestop.cases.models import Application

    application = Application.objects.select_related("applicant", "service", "life_situation").get(
        pk=application_id
    )
    if application.parent_id and status not in {"ready", "rejected", "returned"}:
        return []  # a part of a life situation: the person follows the whole, and each result
    person = application.applicant
    with translation.override(person.language or "kk"):
        text = status_text(application, status)
        subject = _("Your application %(number)s") % {"number": application.number}
    notifications = []
    # The messages and their sending tasks are written together: one write, not four.
    with transaction.atomic():
        for channel, recipient in (("sms", person.phone), ("email", person.email)):
            if recipient:
                notifications.append(
                    Notification.objects.create(
                        application=application,
                        status_change=change,
                        channel=channel,
                        recipient=recipient,
                        language=person.language or "kk",
                        subject=subject,
                        text=text,
                        event=status,
                    )
                )
        for notification in notifications:
            _enqueue(notification.pk, attempt=1)
    return notifications


def notify_overdue(*, application_id: int) -> list[Notification]:
    """Tells the agency head(s) by e-mail that an application is overdue; called inside the
    transaction that flags it."""
    from onestop.cases.models import Application
    from onestop.people.models import Role, User

    application = Application.objects.select_related("service").get(pk=application_id)
    notifications = []
    for head in User.objects.filter(
        role=Role.HEAD, agency_id=application.agency_id, is_active=True
    ).exclude(email=""):
        with translation.override("ru"):
            text = _("Application %(number)s (%(service)s) is overdue: it was due %(due)s.") % {
                "number": application.number,
                "service": application.service.name,
                "due": date_format(timezone.localtime(application.due_at), "DATETIME_FORMAT"),
            }
        notifications.append(
            Notification.objects.create(
                application=application,
                channel="email",
                recipient=head.email,
                language="ru",
                subject=text[:200],
                text=text,
                event="overdue",
            )
        )
    for notification in notifications:
        _enqueue(notification.pk, attempt=1)
    return notifications


def enqueue_delivery(notifications: list[Notification]) -> None:
    """Writes the tasks that deliver these, in the transaction that wrote them."""
    for notification in notifications:
        _enqueue(notification.pk, attempt=1)


def _enqueue(notification_id: int, *, attempt: int, delay_seconds: float = 0) -> None:
    from onestop.notify.tasks import deliver_notification

    task = deliver_notification
    if delay_seconds:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay_seconds))
    task.enqueue(notification_id, attempt)


def deliver(*, notification_id: int, attempt: int = 1, task_id: str = "") -> str:
    """Sends one notification at most once; on a passing failure tries again later, up to
    MAX_ATTEMPTS. The row is claimed first (`sending`, by this task): another delivery of
    the same message skips it, unless the claim is older than the task lease (its worker
    died). The gateway gets the notification's id as the message id and drops a repeat,
    so a send cut short by a crash and run again reaches the person once."""
    now = timezone.now()
    claimable = Q(state=Notification.State.QUEUED) | Q(
        state=Notification.State.SENDING,
        claimed_at__lt=now - datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS),
    )
    if task_id:  # this very task, run again after its worker died
        claimable |= Q(state=Notification.State.SENDING, claimed_by=task_id)
    claimed = (
        Notification.objects.filter(claimable, pk=notification_id)
        .exclude(state=Notification.State.SENT)
        .update(
            state=Notification.State.SENDING,
            claimed_by=task_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )
    notification = Notification.objects.get(pk=notification_id)
    if not claimed:
        return notification.state
    attempts = notification.attempts
    try:
        plugin_for(notification.channel).send(
            recipient=notification.recipient,
            subject=notification.subject,
            text=notification.text,
            message_id=message_id(notification),
        )
    except BadRecipient as error:
        _settle(notification_id, state=Notification.State.FAILED, last_error=str(error)[:300])
        return Notification.State.FAILED
    except ChannelUnavailable as error:
        final = attempts >= MAX_ATTEMPTS
        state = Notification.State.FAILED if final else Notification.State.QUEUED
        with transaction.atomic():
            _settle(notification_id, state=state, last_error=str(error)[:300])
            if not final:
                _enqueue(notification_id, attempt=attempts + 1, delay_seconds=2**attempts)
        return state
    _settle(notification_id, state=Notification.State.SENT, sent_at=timezone.now(), last_error="")
    return Notification.State.SENT


def _settle(notification_id: int, **fields) -> None:
    Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
        claimed_by="", **fields
    )


def message_id(notification: Notification) -> str:
    """The id a gateway gets with the message; it drops a second message with the same id."""
    return f"onestop-notification-{notification.pk}"


def redeliver_stranded(*, now: datetime.datetime | None = None) -> int:
    """Writes a delivery task for every message still waiting, a lease after it was written
    or claimed, with no delivery task waiting or running: its task was lost or given up on
    with the worker that ran it. Returns how many were queued again."""
    from onestop.notify.tasks import deliver_notification
    from onestop.operations.leases import lease_ago, without_a_task

    before = lease_ago(now)
    waiting = Notification.objects.filter(
        Q(state=Notification.State.QUEUED, created_at__lt=before)
        | Q(state=Notification.State.SENDING, claimed_at__lt=before)
    ).values_list("pk", flat=True)
    stranded = without_a_task(deliver_notification, waiting) if waiting else []
    for pk in stranded:
        _enqueue(pk, attempt=1)
    return len(stranded)
