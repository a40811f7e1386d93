"""When an application is due: its term in working days from filing, the clock stopped
while it is back with the applicant and restarted on resubmission, and overdue flags."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onestop.audit import services as audit
from onestop.cases import workflow
from onestop.cases.models import Application


def platform_zone(application: Application) -> zoneinfo.ZoneInfo:
    if application.office_id:
        return application.office.zone
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _due(application: Application, start: datetime.datetime) -> datetime.datetime:
    from onestop.workdays.calendar import due_at

    standard = application.standard
    return due_at(
        filed_at=start,
        value=standard.term_value,
        unit=standard.term_unit,
        tz=platform_zone(application),
    )


def _stop_clock(application: Application, now: datetime.datetime) -> None:
    from onestop.workdays.calendar import pause_remaining

    if application.due_at and application.standard_id:
        application.remaining_term = pause_remaining(
            due=application.due_at,
            paused_at=now,
            unit=application.standard.term_unit,
            tz=platform_zone(application),
        )
    application.clock_stopped_at = now
    application.due_at = None


def _restart_clock(application: Application, now: datetime.datetime) -> None:
    from onestop.workdays.calendar import resume_due

    if application.remaining_term is not None and application.standard_id:
        application.due_at = resume_due(
            resumed_at=now,
            remaining=application.remaining_term,
            unit=application.standard.term_unit,
            tz=platform_zone(application),
        )
    elif application.standard_id:
        application.due_at = _due(application, now)
    application.clock_stopped_at = None
    application.remaining_term = None


def flag_overdue(*, now: datetime.datetime | None = None) -> int:
    """Marks open applications past their due time; each raises an alert to the agency head."""
    now = now or timezone.now()
    flagged = 0
    late = Application.objects.filter(
        status__in=workflow.OPEN, overdue=False, due_at__lt=now, service__isnull=False
    )
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=pk)
            if (
                application.overdue
                or application.status not in workflow.OPEN
                or not application.due_at
                or application.due_at >= now
            ):
                continue
            application.overdue = True
            application.save(update_fields=["overdue", "updated_at"])
            audit.record(
                actor=None,
                action="application.overdue",
                obj=application,
                data={"number": application.number, "due_at": application.due_at.isoformat()},
            )
            from onestop.notify.services import notify_overdue

            notify_overdue(application_id=pk)
            flagged += 1
    return flagged
