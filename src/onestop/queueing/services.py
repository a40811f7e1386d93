"""What can be done in a centre's queue. Numbers are taken under a row lock per centre,
day and letter; call-next locks the ticket it takes (SKIP LOCKED on PostgreSQL, an
immediate transaction on SQLite), so each ticket reaches exactly one window.

Lock order on PostgreSQL, in every transaction that writes tickets: the counter, window
state or ticket rows first, then the audit head (`_record`) last. Write every ticket of a
transaction before recording any of them."""

import datetime
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.catalog.models import Service
from onestop.offices.models import Office, OpeningHours, Window
from onestop.people.iin import parse_iin
from onestop.people.models import Role, User
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.queueing import layout, workflow
from onestop.queueing.estimator import (
    RECENT_VISITS,
    Ahead,
    estimate_minutes,
    mean_service_minutes,
    share,
)
from onestop.queueing.models import (
    Device,
    Priority,
    Rating,
    Ticket,
    TicketCounter,
    WindowState,
)
from onestop.queueing.models import TicketStatus as T
from onestop.validation import check_field

ELDERLY_AGE = 65


def local_now(office: Office, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(office.zone)


def is_open(office: Office, now: datetime.datetime | None = None) -> bool:
    """Open by the centre's hours in its own time zone (a mobile centre by its route)."""
    local = local_now(office, now)
    if office.kind == Office.Kind.MOBILE:
        return office.route_stops.filter(
            date=local.date(), starts__lte=local.time(), ends__gt=local.time()
        ).exists()
    found = layout.layout(office.code)
    spans = found.hours.get(local.weekday(), ()) if found is not None else ()
    return any(opens <= local.time() < closes for opens, closes in spans)


def _layout(code: str) -> layout.Layout:
    found = layout.layout(code)
    if found is None:
        raise NotFound(_("No centre with this code."), code="unknown-office")
    return found


def _office(code: str) -> Office:
    return _layout(code).office


def _record(ticket: Ticket, action: str, *, actor: User | None, note: str = "") -> None:
    """One move of a ticket, in the audit trail, which is the ticket's history (ADR 6)."""
    data = {"number": ticket.number, **_move(ticket, note)}
    audit.record(actor=actor, action=f"ticket.{action}", obj=ticket, data=data)


def _move(ticket: Ticket, note: str) -> dict:
    """What the audit event of a ticket's move holds besides its number: the centre, the
    status, the note, and the window's number when the ticket has one."""
    data = {"office": ticket.office_id, "status": ticket.status, "note": note[:200]}
    if ticket.window_id:
        data["window"] = ticket.window.number
    return data


# ---------------------------------------------------------------- issuing


def priority_for(*, requested: bool | str, iin: str) -> str:
    """The priority reason: the one asked for (a consultant's word), else elderly when the
    IIN's birth date says 65 or more, else none."""
    born = parse_iin(iin, field="iin").birth_date if iin else None
    if isinstance(requested, str) and requested in Priority.values and requested:
        return requested
    if requested is True:
        return Priority.DISABILITY
    if born is not None:
        today = timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age >= ELDERLY_AGE:
            return Priority.ELDERLY
    return Priority.NONE


def issue_ticket(
    *,
    office_code: str,
    service_code: str,
    actor: User | None = None,
    device: Device | None = None,
    priority: bool | str = False,
    iin: str = "",
    channel: str = "kiosk",
    now: datetime.datetime | None = None,
    queue_from: datetime.datetime | None = None,
) -> Ticket:
    """A new ticket with the next number of the day for the service's letter (A017).

    Everything but the number is worked out first, so that the counter row, locked from
    the moment the number is taken until the commit, is held for the ticket and its audit
    event and nothing else. The ticket comes back with `position`, its place in the queue
    when issued."""
    found = _layout(office_code)
    office = found.office
    if device is not None and device.office_id != office.pk:
        raise Forbidden(_("This kiosk belongs to another centre."), code="other-office")
    if (
        actor is not None
        and actor.role in {Role.CONSULTANT, Role.OPERATOR, Role.MANAGER}
        and actor.office_id != office.pk
    ):
        raise Forbidden(_("You work at another centre."), code="other-office")
    service = layout.service(service_code)
    if service is None:
        raise InvalidField("service", "unknown_service", _("No service with this code."))
    if service.pk not in found.offered:
        raise InvalidField(
            "service", "service_not_offered", _("This centre does not offer this service.")
        )
    iin = (iin or "").strip()
    reason = priority_for(requested=priority, iin=iin)
    now = now or timezone.now()
    if not is_open(office, now):
        raise Conflict(_("The centre is closed now."), code="centre-closed")
    day = local_now(office, now).date()
    letter = service.category.queue_letter
    estimate, ahead = estimate_from(
        found, queue_now(office, day), service.pk, priority=bool(reason)
    )

    def store(code: str) -> Ticket:
        ticket = Ticket(
            office=office,
            service=service,
            day=day,
            letter=letter,
            priority=reason,
            channel=channel,
            iin=iin,
            follow_code=code,
            issued_at=now,
            queue_from=queue_from or now,
            estimated_wait_minutes=estimate,
        )
        return _numbered(ticket, actor=actor, note=f"{channel} {reason}".strip())

    ticket = _with_follow_code(store)
    ticket.position = ahead
    return ticket


FOLLOW_CODE_TRIES = 5


def _with_follow_code(store: Callable[[str], Ticket]) -> Ticket:
    """`store(code)` with a new random follow code, run in its own transaction or
    savepoint; again with another code if this one is taken. Eight hex digits are short
    enough to type from a printed ticket, and among millions of tickets a code comes round
    again: with 40,000 tickets stored, one new ticket in 100,000 draws a taken one."""
    for _attempt in range(FOLLOW_CODE_TRIES - 1):
        try:
            return store(secrets.token_hex(4))
        except IntegrityError as error:
            if "follow_code" not in str(error):
                raise
    return store(secrets.token_hex(4))


def _numbered(ticket: Ticket, *, actor: User | None, note: str) -> Ticket:
    """Stores the new ticket with the next number of the day for its letter (A017: at
    least three digits) and its audit event, in one transaction: the counter row stays
    locked from the number taken until the commit."""
    with transaction.atomic():
        counter = _locked_counter(ticket.office_id, ticket.day, ticket.letter)
        ticket.seq = counter.last + 1
        TicketCounter.objects.filter(pk=counter.pk).update(last=ticket.seq)
        ticket.number = f"{ticket.letter}{ticket.seq:03d}"
        ticket.save(force_insert=True)
        _record(ticket, "issue", actor=actor, note=note)
    return ticket


def _locked_counter(office_id: int, day: datetime.date, letter: str) -> TicketCounter:
    """The day's counter for a letter, locked until the commit (made with the first
    ticket of the day)."""
    key = {"office_id": office_id, "day": day, "letter": letter}
    try:
        return TicketCounter.objects.select_for_update().get(**key)
    except TicketCounter.DoesNotExist:
        TicketCounter.objects.get_or_create(**key)
        return TicketCounter.objects.select_for_update().get(**key)


# ---------------------------------------------------------------- estimates

MEANS_SECONDS = 60


def recent_service_minutes(*, office_id: int, service_id: int) -> list[float]:
    """Minutes at the window of the last visitors served for this service at this centre."""
    recent = (
        Ticket.objects.filter(
            office_id=office_id,
            service_id=service_id,
            status=T.DONE,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:RECENT_VISITS]
    )
    return [(finished - started).total_seconds() / 60 for started, finished in recent]


def _mean_minutes(office_id: int, service_id: int) -> float:
    """The service's mean time at the window at this centre, read at most once a minute
    (and again after a visit of it finishes in this process)."""
    return layout.remembered(
        ("mean", office_id, service_id),
        lambda: mean_service_minutes(
            recent_service_minutes(office_id=office_id, service_id=service_id)
        ),
        MEANS_SECONDS,
    )


@dataclass(frozen=True)
class QueueNow:
    """A centre's queue as the estimates read it: the windows open, and today's open
    tickets counted by (status, service, window, priority)."""

    open_windows: frozenset[int]
    counts: list[tuple[str, int, int | None, str, int]]

    @property
    def services(self) -> set[int]:
        """The services someone is waiting for or being served for."""
        return {service for _status, service, _window, _priority, _n in self.counts}


# Windows open and close a few times a day; tickets are issued every few seconds.
OPEN_WINDOWS_SECONDS = 5


def open_windows(office_id: int) -> frozenset[int]:
    """The ids of the centre's open windows, read at most every `OPEN_WINDOWS_SECONDS` in
    each process (and again at once after a window opens or closes in this process): an
    estimate made in another process may count a window opened or closed 5 s ago."""
    return layout.remembered(
        ("open", office_id),
        lambda: frozenset(
            WindowState.objects.filter(
                window__office_id=office_id, state=WindowState.State.OPEN
            ).values_list("window_id", flat=True)
        ),
        OPEN_WINDOWS_SECONDS,
    )


def queue_now(office: Office, day: datetime.date) -> QueueNow:
    """Today's open tickets counted along the partial index `ticket_open`, which holds no
    closed one (one small read, whatever the length of the queue), and the open windows."""
    counts = (
        Ticket.objects.filter(office_id=office.pk, day=day, finished_at__isnull=True)
        .values_list("status", "service_id", "window_id", "priority")
        .annotate(n=Count("id"))
        .order_by()
    )
    return QueueNow(open_windows(office.pk), list(counts))


def estimate_from(
    found: layout.Layout, queue: QueueNow, service_id: int, *, priority: bool = False
) -> tuple[float, int]:
    """Minutes until a new ticket for the service is called, and how many wait ahead of
    it (`estimator.estimate_minutes`; docs/queue.md)."""
    office_id = found.office.pk
    mine = found.windows_for(service_id)
    served = found.served_with(service_id)
    waiting: dict[int, int] = {}
    at_windows: list[float] = []
    for status, their_service, window_id, their_priority, n in queue.counts:
        if status == T.WAITING:
            if their_service in served and (their_priority or not priority):
                waiting[their_service] = waiting.get(their_service, 0) + n
        elif window_id in mine:
            at_windows += [_mean_minutes(office_id, their_service)] * n
    ahead = []
    for their_service, n in waiting.items():
        theirs = found.windows_for(their_service)
        their_share = share(theirs, theirs & queue.open_windows, mine)
        ahead.append(Ahead(n, their_share, _mean_minutes(office_id, their_service)))
    minutes = estimate_minutes(ahead, at_windows, len(mine & queue.open_windows))
    return minutes, sum(waiting.values())


def estimate_wait(*, office: Office, service: Service, priority: bool = False) -> float:
    """Minutes until a new ticket is called (`estimator.estimate_minutes` on this centre's
    queue). Documented in docs/queue.md; its error is measured in docs/benchmarks.md."""
    found = layout.layout(office.code)
    if found is None:
        return 0.0
    queue = queue_now(office, local_now(office).date())
    return estimate_from(found, queue, service.pk, priority=priority)[0]


# ---------------------------------------------------------------- windows and calling


def _place(office: Office, number: int) -> layout.WindowLayout:
    """The active window with this number at the centre, with the services it serves."""
    found = layout.layout(office.code)
    place = found.windows.get(number) if found is not None else None
    if place is None:
        raise NotFound(_("No such window at this centre."), code="unknown-window")
    return place


def _window(office: Office, number: int) -> Window:
    return _place(office, number).window


def _check_at_window(actor: User, office: Office, window: Window) -> None:
    if actor.role not in workflow.STAFF:
        raise Forbidden(_("Only the centre's operators call visitors."), code="role-not-allowed")
    if actor.office_id != office.pk:
        raise Forbidden(_("You work at another centre."), code="other-office")
    if actor.role == Role.OPERATOR and actor.window_number not in (None, window.number):
        raise Forbidden(
            _("You work at window %(number)d.") % {"number": actor.window_number},
            code="other-window",
        )


def set_window_state(
    *, actor: User, office_code: str, window_number: int, state: str
) -> WindowState:
    """Opens a window, puts it on a break or closes it; a window with a visitor at it
    cannot go on a break or close."""
    permissions.require(actor, "windows.set_state")
    office = _office(office_code)
    window = _window(office, window_number)
    _check_at_window(actor, office, window)
    if state not in WindowState.State.values:
        raise InvalidField("state", "invalid_choice", _("Unknown window state."))
    with transaction.atomic():
        current = _locked_state(window, timezone.now())
        if state != WindowState.State.OPEN and at_window(window) is not None:
            raise Conflict(
                _("Finish with the visitor at the window first."), code="visitor-at-window"
            )
        current.state, current.operator, current.since = (
            state,
            actor if state == WindowState.State.OPEN else None,
            timezone.now(),
        )
        current.save()
        audit.record(
            actor=actor,
            action=f"window.{state}",
            obj=window,
            data={"office": office.code, "window": window.number},
        )
    return current


def at_window(window: Window) -> int | None:
    """The id of the ticket whose visitor is at the window, if any: found along the
    partial index `ticket_at_window`, which holds only open tickets."""
    return (
        Ticket.objects.filter(
            window=window, finished_at__isnull=True, status__in=workflow.AT_A_WINDOW
        )
        .order_by("-called_at")
        .values_list("id", flat=True)
        .first()
    )


def _locked_state(window: Window, now: datetime.datetime) -> WindowState:
    """The window's state row, locked until the commit (made on the window's first use)."""
    state = WindowState.objects.select_for_update().filter(window=window).first()
    if state is None:
        WindowState.objects.get_or_create(window=window, defaults={"since": now})
        state = WindowState.objects.select_for_update().get(window=window)
    return state


def _next_waiting(office: Office, place: layout.WindowLayout, day: datetime.date):
    """The ticket this window calls next: priority visitors first, then the others, each
    by place in the queue (issue time, or the original one after a transfer). Each of the
    two reads walks the index (office, status, priority, queue_from) in order and stops
    at the first ticket that fits, where one read ordered by priority sorted the whole
    queue."""
    waiting = (
        Ticket.objects.filter(
            office=office, day=day, status=T.WAITING, service_id__in=sorted(place.services)
        )
        .filter(Q(target_window__isnull=True) | Q(target_window=place.window))
        .order_by("queue_from", "seq")
        .select_related("service")
    )
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    reasons = [reason for reason in Priority.values if reason]
    return waiting.filter(priority__in=reasons).first() or waiting.filter(priority="").first()


def call_next(
    *, actor: User, office_code: str, window_number: int, now: datetime.datetime | None = None
) -> Ticket | None:
    """Calls the next visitor for this window's services: priority first, then by place in
    the queue. Returns None when nobody waits. Exactly one window gets each ticket."""
    permissions.require(actor, "tickets.call_next")
    office = _office(office_code)
    place = _place(office, window_number)
    window = place.window
    _check_at_window(actor, office, window)
    now = now or timezone.now()
    with transaction.atomic():
        state = _locked_state(window, now)
        if at_window(window) is not None:
            raise Conflict(
                _("Finish with the visitor at the window first."), code="visitor-at-window"
            )
        ticket = _next_waiting(office, place, local_now(office, now).date())
        if ticket is None:
            return None
        ticket.office = office
        if state.state != WindowState.State.OPEN or state.operator_id != actor.pk:
            state.state, state.operator, state.since = WindowState.State.OPEN, actor, now
            state.save()
        _take(ticket, "call", actor=actor)
        ticket.window, ticket.operator, ticket.called_at = window, actor, now
        ticket.save(update_fields=["status", "window", "operator", "called_at"])
        _record(ticket, "call", actor=actor)
    return ticket


def _take(ticket: Ticket, action: str, *, actor: User | None) -> str:
    """The one place a ticket's status changes: the move must be in the table for the
    actor's role (the platform's: SYSTEM) and the ticket's status; returns the new status.
    The caller holds the ticket locked and saves it."""
    rule = workflow.TABLE.get(action)
    role = workflow.SYSTEM if actor is None else actor.role
    if rule is None or role not in rule.roles:
        raise Forbidden(_("Your role may not do this to a ticket."), code="role-not-allowed")
    if ticket.status not in rule.sources:
        raise Conflict(
            _("A ticket that is %(status)s cannot be moved this way.")
            % {"status": ticket.get_status_display()},
            code="ticket-move-not-allowed",
        )
    ticket.status = rule.target
    return rule.target


def move(
    *,
    actor: User | None,
    ticket: Ticket | int,
    action: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Takes a ticket (or the ticket with this id) along the table: recall, start, finish,
    no-show, cancel. Staff move only the tickets of their own centre."""
    rule = workflow.BY_ACTION.get(action)
    if rule is None or action in {"call", "transfer"}:
        raise InvalidField("action", "unknown_action", _("Unknown action."))
    if action != "close":
        permissions.require(actor, f"tickets.{action}")
    role = workflow.SYSTEM if actor is None else actor.role
    if role not in rule.roles:
        raise Forbidden(_("Your role may not do this to a ticket."), code="role-not-allowed")
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("office", "window", "service")
            .filter(pk=ticket if isinstance(ticket, int) else ticket.pk)
            .first()
        )
        if locked is None or (actor is not None and actor.office_id != locked.office_id):
            raise NotFound(_("No such ticket."), code="unknown-ticket")
        if locked.status not in rule.sources:
            raise Conflict(
                _("A ticket that is %(status)s cannot be moved this way.")
                % {"status": locked.get_status_display()},
                code="ticket-move-not-allowed",
            )
        if (
            actor is not None
            and locked.window_id
            and actor.role == Role.OPERATOR
            and locked.operator_id not in (None, actor.pk)
        ):
            raise Conflict(_("This visitor is at another window."), code="other-window")
        if action == "recall":
            locked.recalls += 1
            if locked.recalls > settings.QUEUE_MAX_RECALLS:
                action = "no_show"
                note = note or _("did not come after %(n)d calls") % {"n": locked.recalls}
        target = _take(locked, action, actor=actor)
        if action == "start":
            locked.started_at = now
        if target not in workflow.OPEN:
            locked.finished_at = now
        if actor is None and note:
            locked.closed_reason = note[:20]
        fields = ["status", "recalls", "started_at", "finished_at", "closed_reason"]
        locked.save(update_fields=fields)
        _record(locked, action, actor=actor, note=note)
    if target == T.DONE:
        transaction.on_commit(lambda: layout.forget(("mean", locked.office_id, locked.service_id)))
    return locked


def transfer(
    *,
    actor: User,
    ticket: Ticket,
    window_number: int | None = None,
    service_code: str | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Sends the visitor to another window or service. The new ticket keeps the number and,
    unless ONESTOP_QUEUE_TRANSFER_KEEPS_PLACE is off, the place by the original issue time."""
    permissions.require(actor, "tickets.transfer")
    rule = workflow.BY_ACTION["transfer"]
    if actor.role not in rule.roles:
        raise Forbidden(_("Your role may not do this to a ticket."), code="role-not-allowed")
    if (window_number is None) == (service_code is None):
        raise InvalidField("window", "required", _("Give either a window or a service."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("office", "service")
            .get(pk=ticket.pk)
        )
        if actor.office_id != locked.office_id:
            raise NotFound(_("No such ticket."), code="unknown-ticket")
        if locked.status not in rule.sources:
            raise Conflict(
                _("Only a visitor at a window can be transferred."), code="ticket-move-not-allowed"
            )
        service, target = locked.service, None
        if service_code is not None:
            service = Service.objects.filter(code=service_code, is_active=True).first()
            if service is None or not locked.office.services.filter(pk=service.pk).exists():
                raise InvalidField(
                    "service", "service_not_offered", _("This centre does not offer this service.")
                )
        if window_number is not None:
            target = _window(locked.office, window_number)
            if not target.services.filter(pk=service.pk).exists():
                raise InvalidField(
                    "window", "service_not_served", _("That window does not serve this service.")
                )
        _take(locked, "transfer", actor=actor)
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        keeps_place = settings.QUEUE_TRANSFER_KEEPS_PLACE

        def store(code: str) -> Ticket:
            with transaction.atomic():
                return Ticket.objects.create(
                    office=locked.office,
                    service=service,
                    day=locked.day,
                    letter=locked.letter,
                    seq=locked.seq,
                    number=locked.number,
                    priority=locked.priority,
                    channel="transfer",
                    iin=locked.iin,
                    follow_code=code,
                    issued_at=now,
                    queue_from=locked.queue_from if keeps_place else now,
                    target_window=target,
                    transferred_from=locked,
                )

        moved = _with_follow_code(store)
        # Both tickets are written before the audit head is taken, as everywhere.
        _record(
            locked,
            "transfer",
            actor=actor,
            note=f"-> window {window_number}" if window_number else f"-> {service.code}",
        )
        _record(moved, "issue", actor=actor, note=f"transferred from {locked.number}")
    return moved


# ---------------------------------------------------------------- board, ratings, devices


def board(office: Office, *, limit: int = 12) -> list[Ticket]:
    """The tickets now called or being served, newest call first, with their windows."""
    day = local_now(office).date()
    return list(
        Ticket.objects.filter(office=office, day=day, status__in=workflow.AT_A_WINDOW)
        .select_related("window", "service")
        .order_by("-called_at")[:limit]
    )


RATING_MINUTES = 30


def rate(
    *,
    ticket: Ticket,
    score: str,
    comment: str = "",
    actor: User | None = None,
    device: Device | None = None,
    follow_code: str = "",
) -> Rating:
    """One rating per ticket, by the person served (the IIN on the ticket, or the ticket's
    follow code) or the rating screen at the window that served it, within 30 minutes."""
    permissions.require(device or actor, "tickets.rate")
    check_field("comment", comment, max_length=500)
    if score not in Rating.Score.values:
        raise InvalidField(
            "score", "invalid_choice", _("Choose excellent, good, satisfactory or poor.")
        )
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("window")
            .get(pk=ticket.pk)
        )
        mine = (
            (
                device is not None
                and device.kind == Device.Kind.RATING
                and device.window_id == locked.window_id
            )
            or (
                actor is not None
                and actor.role == Role.CITIZEN
                and actor.person_id
                and locked.iin == actor.person.iin
            )
            or (follow_code and secrets.compare_digest(follow_code, locked.follow_code))
        )
        if not mine:
            raise Conflict(_("This is not your ticket."), code="not-your-ticket")
        if locked.status != T.DONE:
            raise Conflict(_("Only a finished visit can be rated."), code="not-served-yet")
        if device is not None and timezone.now() - locked.finished_at > datetime.timedelta(
            minutes=RATING_MINUTES
        ):
            raise Conflict(_("This visit ended too long ago to rate here."), code="rating-too-late")
        if Rating.objects.filter(ticket=locked).exists():
            raise Conflict(_("This visit is already rated. Thank you!"), code="already-rated")
        rating = Rating.objects.create(
            ticket=locked,
            score=score,
            comment=comment[:500],
            operator_id=locked.operator_id,
            office_id=locked.office_id,
            at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="ticket.rated",
            obj=locked,
            data={"number": locked.number, "score": score},
        )
    return rating


def device_for_token(token: str) -> Device | None:
    """The device holding this token; a revoked token stops working in every process
    within LAYOUT_CACHE_SECONDS."""
    return layout.device(token)


def register_device(
    *, actor, office: Office, kind: str, name: str, window: Window | None = None
) -> tuple[Device, str]:
    """A kiosk, board or rating screen; its token is shown once."""
    token = "dev_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        device = Device.objects.create(
            office=office,
            kind=kind,
            name=name,
            window=window,
            key_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
        audit.record(
            actor=actor,
            action="device.registered",
            obj=device,
            data={"office": office.code, "kind": kind},
        )
    return device, token


# ---------------------------------------------------------------- end of day


def close_day(*, office: Office, now: datetime.datetime | None = None) -> int:
    """Closes tickets still open after closing time (in the centre's time zone) or from an
    earlier day: waiting ones are cancelled, called ones did not come, the ones at a window
    are finished. Nothing is deleted; statistics keep them."""
    now = now or timezone.now()
    local = local_now(office, now)
    hours = OpeningHours.objects.filter(office=office, weekday=local.weekday()).first()
    after_closing = hours is None or local.time() >= hours.closes
    stale = Ticket.objects.filter(office=office, status__in=workflow.OPEN)
    stale = (
        stale.filter(day__lte=local.date()) if after_closing else stale.filter(day__lt=local.date())
    )
    closed = 0
    for ticket in stale:
        action = {T.WAITING: "close", T.CALLED: "no_show", T.SERVING: "finish"}[ticket.status]
        move(actor=None, ticket=ticket, action=action, note="end_of_day", now=now)
        closed += 1
    return closed


def close_all_days(now: datetime.datetime | None = None) -> int:
    return sum(
        close_day(office=office, now=now) for office in Office.objects.filter(is_active=True)
    )
