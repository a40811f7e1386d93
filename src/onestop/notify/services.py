"""Telling people what happened to their applications, in their language, by SMS and
e-mail. Messages are created after the status change commits and sent by a task with
retries; a failed send never undoes the change. No message names the reviewer."""

import datetime

from django.db import transaction
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


def notify_status_change(*, application_id: int, status: str) -> list[Notification]:
    """Queues an SMS and an e-mail about a status change (for whichever the person has)."""
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
    """Tells the agency head(s) by e-mail that an application is overdue."""
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


def enqueue_after_commit(notifications: list[Notification]) -> None:
    """Sends these once the transaction that created them commits."""
    for notification in notifications:
        transaction.on_commit(lambda pk=notification.pk: _enqueue(pk, attempt=1))


def _enqueue(notification_id: int, *, attempt: int, delay_seconds: float = 0) -> None:
    from onestop.notify.tasks import deliver_notification

    task = deliver_notification
    if delay_seconds:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay_seconds))
    task.enqueue(notification_id, attempt)


def deliver(*, notification_id: int, attempt: int) -> str:
    """Sends one notification; on a passing failure tries again later, up to MAX_ATTEMPTS."""
    notification = Notification.objects.get(pk=notification_id)
    if notification.state == Notification.State.SENT:
        return notification.state
    try:
        plugin_for(notification.channel).send(
            recipient=notification.recipient, subject=notification.subject, text=notification.text
        )
    except BadRecipient as error:
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED, attempts=attempt, last_error=str(error)[:300]
        )
        return Notification.State.FAILED
    except ChannelUnavailable as error:
        final = attempt >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED if final else Notification.State.QUEUED,
            attempts=attempt,
            last_error=str(error)[:300],
        )
        if not final:
            transaction.on_commit(
                lambda: _enqueue(notification_id, attempt=attempt + 1, delay_seconds=2**attempt)
            )
        return Notification.State.FAILED if final else Notification.State.QUEUED
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, attempts=attempt, sent_at=timezone.now(), last_error=""
    )
    return Notification.State.SENT
