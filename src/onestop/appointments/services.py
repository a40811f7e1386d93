"""Appointments: a centre's day cut into slots, booking a slot through the portal or the
call centre, cancelling, checking in near the slot (which issues a priority ticket),
missed appointments and reminders.

A slot is never overbooked: its `SlotLoad` row is locked while a booking counts it. A
person never holds more than `settings.MAX_APPOINTMENTS` future appointments nor two for
one service on one day: the person's row is locked before counting, in the same
transaction. Locks are always taken person first, then slot, then the counts of accepted
bookings (onestop/ratelimit.py), so bookings cannot deadlock.
An appointment's status changes only along the table in `appointments/workflow.py`, in
`_move`, with the appointment's row locked.
"""

import dataclasses
import datetime
import math
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from onestop import permissions
from onestop.appointments import workflow
from onestop.appointments.models import Appointment, SlotLoad
from onestop.audit import services as audit
from onestop.catalog.models import Service
from onestop.offices.models import Office, OpeningHours, Window
from onestop.people.iin import parse_iin
from onestop.people.models import OFFICE_ROLES, Person, Role, User
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.queueing import services as queueing
from onestop.queueing.models import Device, Priority, Ticket
from onestop.ratelimit import limit

# A slot is 15 minutes: a visit at a window takes about 10 (estimator.DEFAULT_SERVICE_MINUTES),
# and the rest absorbs late arrivals. Slots start at opening time and end by closing time.
SLOT_MINUTES = 15
# Half of the windows serving a service are kept for walk-ins; the other half take
# appointments: a slot holds ceil(windows x share) appointments, at least one.
APPOINTMENT_SHARE = 0.5
# Slots starting sooner than this are no longer offered (nobody could get there in time).
BOOKING_LEAD_MINUTES = 15
# Checking in is possible from 30 minutes before the slot to 15 minutes after its start;
# after that the appointment is missed.
CHECK_IN_EARLY_MINUTES = 30
CHECK_IN_LATE_MINUTES = 15
# One reminder, for appointments starting within the next 24 hours.
REMIND_HOURS = 24
# Confirmation codes: 8 characters, no 0/O and 1/I that are read one for the other.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8

CHANNEL_OF_ROLE = {Role.CITIZEN: "portal", Role.AGENT: "call_centre"}

A = Appointment.Status


@dataclasses.dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    free: int


# ---------------------------------------------------------------- slots


def _office(code: str) -> Office:
    office = Office.objects.filter(code=code, is_active=True).first()
    if office is None:
        raise NotFound(_("No centre with this code."), code="unknown-office")
    return office


def _service(office: Office, code: str) -> Service:
    service = Service.objects.filter(code=code, is_active=True).first()
    if service is None:
        raise InvalidField("service", "unknown_service", _("No service with this code."))
    if not office.services.filter(pk=service.pk).exists():
        raise InvalidField(
            "service", "service_not_offered", _("This centre does not offer this service.")
        )
    return service


def _opening_periods(office: Office, day: datetime.date) -> list[tuple[datetime.time, ...]]:
    """When the centre works on that day, in its own time zone: its hours of the weekday,
    or for a mobile centre the stops of its route on that date."""
    if office.kind == Office.Kind.MOBILE:
        return list(office.route_stops.filter(date=day).values_list("starts", "ends"))
    return list(
        OpeningHours.objects.filter(office=office, weekday=day.weekday()).values_list(
            "opens", "closes"
        )
    )


def slot_starts(office: Office, day: datetime.date) -> list[datetime.datetime]:
    """Every slot start of the day, past ones included, as aware times in the centre's zone."""
    step = datetime.timedelta(minutes=SLOT_MINUTES)
    starts = []
    for opens, closes in _opening_periods(office, day):
        start = datetime.datetime.combine(day, opens, tzinfo=office.zone)
        end = datetime.datetime.combine(day, closes, tzinfo=office.zone)
        while start + step <= end:
            starts.append(start)
            start += step
    return starts


def capacity(office: Office, service: Service) -> int:
    """Appointments one slot holds for this service: half the windows serving it, rounded
    up, at least one. The load of a slot counts every service, since they share windows."""
    windows = Window.objects.filter(office=office, is_active=True, services=service).count()
    return max(1, math.ceil(windows * APPOINTMENT_SHARE))


def slots(
    *,
    office_code: str,
    service_code: str,
    day: datetime.date,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """The slots of a centre's day still open for booking (full ones with free=0); slots
    already started or starting within BOOKING_LEAD_MINUTES are left out."""
    office = _office(office_code)
    service = _service(office, service_code)
    earliest = (now or timezone.now()) + datetime.timedelta(minutes=BOOKING_LEAD_MINUTES)
    starts = [start for start in slot_starts(office, day) if start >= earliest]
    if not starts:
        return []
    size = capacity(office, service)
    booked = dict(
        SlotLoad.objects.filter(office=office, start__in=starts).values_list("start", "booked")
    )
    step = datetime.timedelta(minutes=SLOT_MINUTES)
    return [
        Slot(start=start, end=start + step, free=max(0, size - booked.get(start, 0)))
        for start in starts
    ]


# ---------------------------------------------------------------- booking


def limit_booking_rate(request, actor: User) -> None:
    """Booking attempts per account, refused or not, against bots (settings.REQUEST_RATES);
    the edges ask before they book. An account spends only its own attempts: bookings per
    person and per client address count only the accepted ones (book())."""
    limit(request, "booking-account", key=f"account:{actor.pk}")


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Appointment.objects.filter(code=code).exists():
            return code


def _local_day_bounds(office: Office, day: datetime.date) -> tuple[datetime.datetime, ...]:
    return (
        datetime.datetime.combine(day, datetime.time(0), tzinfo=office.zone),
        datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(0), tzinfo=office.zone
        ),
    )


def upcoming(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Appointments still to come: booked, and not past their check-in window."""
    since = (now or timezone.now()) - datetime.timedelta(minutes=CHECK_IN_LATE_MINUTES)
    return queryset.filter(status=A.BOOKED, start__gt=since)


def book(
    *,
    actor: User,
    office_code: str,
    service_code: str,
    start: datetime.datetime,
    iin: str,
    channel: str | None = None,
    client: str | None = None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Books a slot for a person: a citizen for himself or herself through the portal, a
    call-centre agent for a caller. Refused, with nothing written, when the slot is not a
    slot of that day (422), has passed (409), is full (409), or the person already holds
    MAX_APPOINTMENTS future appointments or one for this service that day (409). Accepted
    bookings are counted per person and per `client` address against resellers (429)."""
    permissions.require(actor, "appointments.book")
    starts = workflow.BY_ACTION["book"]
    expected = CHANNEL_OF_ROLE.get(actor.role)
    if actor.role not in starts.roles or expected is None:
        raise Forbidden(
            _("Appointments are booked by the citizen or the call centre."),
            code="role-not-allowed",
        )
    if channel is not None and channel != expected:
        raise InvalidField("channel", "invalid_choice", _("Book through %s.") % expected)
    facts = parse_iin(iin, field="iin")
    if actor.role == Role.CITIZEN and (actor.person_id is None or actor.person.iin != facts.iin):
        raise Forbidden(_("You can book only for yourself."), code="not-your-iin")
    person = Person.objects.filter(iin=facts.iin).first()
    if person is None:
        raise InvalidField(
            "iin", "unknown_person", _("No person with this IIN is in the population registry.")
        )
    office = _office(office_code)
    service = _service(office, service_code)
    if timezone.is_naive(start):
        start = start.replace(tzinfo=office.zone)
    local = start.astimezone(office.zone)
    if local not in slot_starts(office, local.date()):
        raise InvalidField(
            "start", "not_a_slot", _("The centre has no appointment slot starting at this time.")
        )
    now = now or timezone.now()
    if start < now + datetime.timedelta(minutes=BOOKING_LEAD_MINUTES):
        raise Conflict(_("This time has passed or starts too soon to book."), code="slot-in-past")
    size = capacity(office, service)
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        mine = Appointment.objects.filter(person=person)
        if upcoming(mine, now).count() >= settings.MAX_APPOINTMENTS:
            raise Conflict(
                _("You already have %(n)d appointments booked; cancel one to book another.")
                % {"n": settings.MAX_APPOINTMENTS},
                code="too-many-appointments",
            )
        day_starts, day_ends = _local_day_bounds(office, local.date())
        if mine.filter(
            service=service,
            status__in=[A.BOOKED, A.CHECKED_IN],
            start__gte=day_starts,
            start__lt=day_ends,
        ).exists():
            raise Conflict(
                _("You already have an appointment for this service on that day."),
                code="already-booked",
            )
        SlotLoad.objects.get_or_create(office=office, start=start)
        load = SlotLoad.objects.select_for_update().get(office=office, start=start)
        if load.booked >= size:
            raise Conflict(_("This time is fully booked. Choose another."), code="slot-full")
        # Counted in this transaction: only bookings that are made count.
        limit(None, "booking-person", key=f"person:{person.pk}")
        if client is not None:
            limit(None, "booking-address", key=client)
        load.booked += 1
        load.save(update_fields=["booked"])
        appointment = Appointment.objects.create(
            office=office,
            service=service,
            person=person,
            start=start,
            end=start + datetime.timedelta(minutes=SLOT_MINUTES),
            code=_new_code(),
            channel=expected,
            booked_by=actor,
            status=starts.target,  # the table's first row: an appointment starts booked
        )
        audit.record(
            actor=actor,
            action="appointment.booked",
            obj=appointment,
            data={
                "office": office.code,
                "service": service.code,
                "start": start,
                "channel": expected,
                "person": person.pk,
            },
        )
    return appointment


# ---------------------------------------------------------------- who may see and change


def visible_to(viewer: User | Device) -> QuerySet:
    """Appointments a caller may see: a citizen his or her own, a call-centre agent all,
    a centre's staff and kiosks those of that centre."""
    appointments = Appointment.objects.select_related("office", "service", "person", "ticket")
    if isinstance(viewer, Device):
        return appointments.filter(office_id=viewer.office_id)
    if viewer.role == Role.CITIZEN:
        return (
            appointments.filter(person_id=viewer.person_id)
            if viewer.person_id
            else appointments.none()
        )
    if viewer.role == Role.AGENT:
        return appointments
    if viewer.role in OFFICE_ROLES:
        return appointments.filter(office_id=viewer.office_id)
    return appointments.none()


def _may_change(actor: User, appointment: Appointment) -> bool:
    return (
        (actor.role == Role.CITIZEN and actor.person_id == appointment.person_id)
        or actor.role == Role.AGENT
        or (actor.role in OFFICE_ROLES and actor.office_id == appointment.office_id)
    )


def _may_check_in(caller: User | Device, appointment: Appointment) -> bool:
    if isinstance(caller, Device):
        return caller.kind == Device.Kind.KIOSK and caller.office_id == appointment.office_id
    return (caller.role == Role.CITIZEN and caller.person_id == appointment.person_id) or (
        caller.role in OFFICE_ROLES and caller.office_id == appointment.office_id
    )


def _not_found() -> NotFound:
    return NotFound(_("No such appointment."), code="unknown-appointment")


# What a refused move says, by action.
REFUSALS = {
    "cancel": _lazy("An appointment that is %(status)s cannot be cancelled."),
    "check_in": _lazy("This appointment is %(status)s."),
}


def _move(appointment: Appointment, action: str, *, role: str) -> str:
    """The one place an appointment's status changes: the table is checked for the role
    (a kiosk's kind, SYSTEM for the platform) and the appointment's status; returns the
    new status. The caller holds the appointment locked, saves it and records the event."""
    rule = workflow.BY_ACTION.get(action)
    if rule is None or role not in rule.roles:
        raise Forbidden(_("Your role may not do this to an appointment."), code="role-not-allowed")
    if appointment.status not in rule.sources:
        raise Conflict(
            REFUSALS.get(action, _lazy("This appointment is %(status)s."))
            % {"status": appointment.get_status_display()},
            code="appointment-not-booked",
        )
    appointment.status = rule.target
    return rule.target


def _lock(appointment_pk: int) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("office", "service", "person")
        .get(pk=appointment_pk)
    )


# ---------------------------------------------------------------- cancel


def cancel(
    *, actor: User, appointment: Appointment, now: datetime.datetime | None = None
) -> Appointment:
    """Cancels a booked appointment that has not started (by the person, a call-centre
    agent or the centre's staff) and frees its place in the slot under the slot's lock."""
    permissions.require(actor, "appointments.cancel")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(appointment.pk)
        if not _may_change(actor, locked):
            raise _not_found()
        _move(locked, "cancel", role=actor.role)
        if locked.start <= now:
            raise Conflict(_("This appointment has already started."), code="appointment-started")
        load = (
            SlotLoad.objects.select_for_update()
            .filter(office_id=locked.office_id, start=locked.start)
            .first()
        )
        if load is not None and load.booked > 0:
            load.booked -= 1
            load.save(update_fields=["booked"])
        locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="appointment.cancelled",
            obj=locked,
            data={"office": locked.office.code, "start": locked.start},
        )
    return locked


# ---------------------------------------------------------------- check-in


def check_in(
    *,
    actor_or_device: User | Device,
    code_or_appointment: str | Appointment,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Turns a booked appointment into a priority ticket at its centre, from
    CHECK_IN_EARLY_MINUTES before the slot to CHECK_IN_LATE_MINUTES after its start, by the
    centre's kiosk, its staff or the person. The ticket keeps its place by the slot's start
    among other priority visitors, ahead of every walk-in."""
    permissions.require(actor_or_device, "appointments.check_in")
    if isinstance(code_or_appointment, Appointment):
        pk = code_or_appointment.pk
    else:
        code = (code_or_appointment or "").strip().upper()
        pk = Appointment.objects.filter(code=code).values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound(_("No appointment with this code."), code="unknown-appointment")
    device = actor_or_device if isinstance(actor_or_device, Device) else None
    actor = None if device is not None else actor_or_device
    who = f"device:{device.pk}" if device is not None else actor
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(pk)
        if not _may_check_in(actor_or_device, locked):
            raise Forbidden(
                _("Check in at the centre where the appointment is."), code="other-office"
            )
        caller = actor_or_device
        _move(locked, "check_in", role=caller.kind if isinstance(caller, Device) else caller.role)
        opens = locked.start - datetime.timedelta(minutes=CHECK_IN_EARLY_MINUTES)
        closes = locked.start + datetime.timedelta(minutes=CHECK_IN_LATE_MINUTES)
        if not opens <= now <= closes:
            raise Conflict(
                _("Check in from %(early)d minutes before your time to %(late)d minutes after it.")
                % {"early": CHECK_IN_EARLY_MINUTES, "late": CHECK_IN_LATE_MINUTES},
                code="outside-check-in-window",
            )
        ticket = queueing.issue_ticket(
            office_code=locked.office.code,
            service_code=locked.service.code,
            actor=actor,
            device=device,
            priority=Priority.APPOINTMENT,
            iin=locked.person.iin,
            channel="appointment",
            now=now,
            queue_from=locked.start,
        )
        locked.ticket = ticket
        locked.save(update_fields=["ticket", "status"])
        audit.record(
            actor=who,
            action="appointment.checked_in",
            obj=locked,
            data={"office": locked.office.code, "ticket": ticket.number},
        )
    return ticket


# ---------------------------------------------------------------- periodic work


def mark_missed(now: datetime.datetime | None = None) -> int:
    """Booked appointments whose check-in window has closed become missed (run every
    minute); the slot stays counted, being past. Idempotent, and safe beside a check-in or
    a cancelling of the same appointment: the row is locked, then read again as booked."""
    now = now or timezone.now()
    closed_before = now - datetime.timedelta(minutes=CHECK_IN_LATE_MINUTES)
    due = Appointment.objects.filter(status=A.BOOKED, start__lt=closed_before)
    missed = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = due.select_for_update().filter(pk=pk).first()
            if locked is not None:
                _move(locked, "miss", role=workflow.SYSTEM)
                locked.save(update_fields=["status"])
                audit.record(
                    actor=None,
                    action="appointment.missed",
                    object_type="appointments.appointment",
                    object_id=str(pk),
                )
                missed += 1
    return missed


def reminder_text(appointment: Appointment) -> tuple[str, str]:
    """The subject and text of a reminder in the active language: centre, local date and
    time, service and confirmation code."""
    office = appointment.office
    when = f"{appointment.start.astimezone(office.zone):%d.%m.%Y %H:%M}"
    values = {
        "centre": office.name,
        "address": office.address,
        "when": when,
        "service": appointment.service.name,
        "code": appointment.code,
        "early": CHECK_IN_EARLY_MINUTES,
    }
    subject = _("Your appointment on %(when)s") % values
    text = "onestop: " + (
        _(
            "Reminder: %(when)s, %(centre)s (%(address)s), %(service)s. Your code: %(code)s. "
            "Check in at the kiosk up to %(early)d minutes before."
        )
        % values
    )
    return subject, text


def send_reminders(now: datetime.datetime | None = None) -> int:
    """One reminder by SMS and e-mail (whichever the person has), in the person's language,
    for each booked appointment starting within REMIND_HOURS. Each appointment is claimed
    by setting `reminded_at`, so running this again or on several workers sends nothing twice."""
    now = now or timezone.now()
    due = Appointment.objects.filter(
        status=A.BOOKED,
        reminded_at__isnull=True,
        start__gt=now,
        start__lte=now + datetime.timedelta(hours=REMIND_HOURS),
    ).select_related("office", "service", "person")
    sent = 0
    for appointment in due:
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            _queue_reminder(appointment)
            audit.record(
                actor=None,
                action="appointment.reminded",
                obj=appointment,
                data={"office": appointment.office.code, "start": appointment.start},
            )
            sent += 1
    return sent


def _queue_reminder(appointment: Appointment) -> None:
    """A Notification per channel the person has, written with its delivery task in the
    caller's transaction, and sent with the retries of every notification
    (notify.services.deliver)."""
    from onestop.notify.models import Notification
    from onestop.notify.services import enqueue_delivery

    person = appointment.person
    language = person.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, text = reminder_text(appointment)
    enqueue_delivery(
        [
            Notification.objects.create(
                appointment=appointment,
                channel=channel,
                recipient=recipient,
                language=language,
                subject=subject,
                text=text,
                event="reminder",
            )
            for channel, recipient in (("sms", person.phone), ("email", person.email))
            if recipient
        ]
    )


def future_for(person: Person, now: datetime.datetime | None = None) -> QuerySet:
    """A person's appointments still to come, soonest first."""
    return upcoming(
        Appointment.objects.filter(person=person).select_related("office", "service", "ticket"),
        now,
    ).order_by("start", "id")
