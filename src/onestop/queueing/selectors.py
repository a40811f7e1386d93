"""Reading the queue: a ticket's place and history, the board snapshot that screens poll
every second, and what the kiosk, workstation, rating and follow pages show."""

import datetime
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from onestop.appointments.models import Appointment
from onestop.audit.models import AuditEvent
from onestop.catalog.models import Category, Service
from onestop.offices.models import Office, Window
from onestop.people.models import Role, User
from onestop.problems import NotFound
from onestop.queueing import services
from onestop.queueing.layout import layout
from onestop.queueing.models import Ticket, WindowState
from onestop.queueing.models import TicketStatus as T


def history(tickets):
    """The moves of a ticket, or of a queryset of tickets, in the order they happened:
    their audit events (ADR 6), each with `action` ("ticket.call"), `at`, `actor` and
    `data` (number, office, status, note, and the window when the ticket has one)."""
    moves = AuditEvent.objects.filter(object_type="queueing.ticket").order_by("seq")
    if isinstance(tickets, Ticket):
        return moves.filter(object_id=str(tickets.pk))
    keys = tickets.annotate(key=Cast("pk", output_field=CharField())).values("key")
    return moves.filter(object_id__in=keys)


def position(ticket: Ticket) -> int | None:
    """How many visitors will be called before this one (0: next), or None once called."""
    if ticket.status != T.WAITING:
        return None
    if ticket.position is not None:
        return ticket.position
    found = layout(ticket.office.code)
    served = sorted(found.served_with(ticket.service_id)) if found is not None else []
    ahead = Ticket.objects.filter(
        office_id=ticket.office_id,
        day=ticket.day,
        status=T.WAITING,
        service_id__in=served,
    ).exclude(pk=ticket.pk)
    if ticket.priority:
        ahead = ahead.exclude(priority="").filter(
            Q(queue_from__lt=ticket.queue_from)
            | Q(queue_from=ticket.queue_from, seq__lt=ticket.seq)
        )
    else:
        ahead = ahead.filter(
            Q(priority__gt="")
            | Q(queue_from__lt=ticket.queue_from)
            | Q(queue_from=ticket.queue_from, seq__lt=ticket.seq)
        )
    return ahead.count()


@dataclass(frozen=True)
class BoardSnapshot:
    json: str
    etag_source: str


BOARD_SECONDS = 1.0


def board_snapshot(code: str) -> BoardSnapshot:
    """The board of a centre, built at most once a second per process."""
    key = f"board:{code}"
    snapshot = cache.get(key)
    if snapshot is not None:
        return snapshot
    office = Office.objects.filter(code=code, is_active=True).first()
    if office is None:
        raise NotFound("No centre with this code.", code="unknown-office")
    called = [
        {
            "number": t.number,
            "window": t.window.number,
            "status": t.status,
            "called_at": t.called_at,
        }
        for t in services.board(office)
    ]
    waiting = waiting_at(office)
    body = {
        "office": office.code,
        "name": office.name,
        "now": timezone.now(),
        "called": called,
        "waiting": waiting,
    }
    etag_source = json.dumps([called, waiting], cls=DjangoJSONEncoder)
    snapshot = BoardSnapshot(
        json=json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), etag_source=etag_source
    )
    cache.set(key, snapshot, BOARD_SECONDS)
    return snapshot


def waiting_at(office: Office) -> int:
    """How many wait at the centre today, counted along the partial index of open tickets."""
    return Ticket.objects.filter(
        office_id=office.pk,
        day=services.local_now(office).date(),
        finished_at__isnull=True,
        status=T.WAITING,
    ).count()


def office_wait_minutes(office: Office) -> float:
    """The estimated wait for a newcomer at this centre: the longest over its services is
    too pessimistic, so the mean over services with people waiting (0 when nobody waits).
    The queue is read once for all of them."""
    found = layout(office.code)
    if found is None:
        return 0.0
    queue = services.queue_now(office, services.local_now(office).date())
    estimates = [
        services.estimate_from(found, queue, service)[0]
        for service in queue.services & found.offered
    ]
    return round(sum(estimates) / len(estimates), 1) if estimates else 0.0


def active_office(code: str) -> Office | None:
    return Office.objects.filter(code=code, is_active=True).first()


# ---------------------------------------------------------------- the kiosk's pages


def kiosk_topics(office: Office) -> QuerySet[Category]:
    """The categories with at least one active service offered at the centre."""
    offered = Q(services__offices=office, services__is_active=True)
    return (
        Category.objects.annotate(offered=Count("services", filter=offered, distinct=True))
        .filter(offered__gt=0)
        .order_by("position", "code")
    )


def kiosk_topic(office: Office, code: str) -> Category | None:
    return kiosk_topics(office).filter(code=code).first()


def kiosk_services(
    office: Office, *, language: str, topic: Category | None = None
) -> QuerySet[Service]:
    """The centre's active services in the order of their names in the visitor's language,
    those of one topic when it is given."""
    offered = (
        office.services.filter(is_active=True)
        .select_related("category")
        .order_by(f"name_{language}")
    )
    return offered if topic is None else offered.filter(category=topic)


def kiosk_service(office: Office, code: str, *, language: str) -> Service | None:
    return kiosk_services(office, language=language).filter(code=code).first()


# ---------------------------------------------------------------- the operator's workstation


def windows_for(user: User) -> QuerySet[Window]:
    """The windows the user may work at: an operator's own window when he or she has one,
    any window of the centre for a manager."""
    windows = Window.objects.filter(office_id=user.office_id, is_active=True).order_by("number")
    if user.role == Role.OPERATOR and user.window_number:
        windows = windows.filter(number=user.window_number)
    return windows


def chosen_window(user: User, number) -> Window | None:
    """The window asked for if the user may work there, else his or her own, else the
    first the user may work at."""
    windows = windows_for(user)
    if str(number or "").isdigit():
        window = windows.filter(number=int(number)).first()
        if window is not None:
            return window
    if user.window_number:
        window = windows.filter(number=user.window_number).first()
        if window is not None:
            return window
    return windows.first()


def waiting_for_window(window: Window, day: datetime.date) -> int:
    """How many wait today for the services of this window (sent to it, or to any)."""
    return (
        Ticket.objects.filter(
            office_id=window.office_id,
            day=day,
            status=T.WAITING,
            service__in=window.services.all(),
        )
        .filter(Q(target_window__isnull=True) | Q(target_window=window))
        .count()
    )


def window_counts(window: Window) -> dict:
    """The workstation's counts: served and no-shows at this window today, waiting for it
    and waiting at the centre."""
    day = services.local_now(window.office).date()
    today = Ticket.objects.filter(window=window, day=day)
    return {
        "served": today.filter(status=T.DONE).count(),
        "no_shows": today.filter(status=T.NO_SHOW).count(),
        "waiting": waiting_for_window(window, day),
        "waiting_centre": waiting_at(window.office),
    }


def window_state(window: Window) -> WindowState | None:
    return WindowState.objects.filter(window=window).select_related("operator").first()


def ticket_at_window(window: Window) -> Ticket | None:
    """The visitor called to, or being served at, the window now."""
    current_id = services.at_window(window)
    if current_id is None:
        return None
    return (
        Ticket.objects.select_related("service", "service__category").filter(pk=current_id).first()
    )


def window_ticket(window: Window, ticket_id: int) -> Ticket | None:
    """A ticket of this window by its id: the buttons at a window are about its visitor."""
    return (
        Ticket.objects.filter(pk=ticket_id, window=window)
        .select_related("office", "window", "service")
        .first()
    )


def appointment_of(ticket: Ticket) -> Appointment | None:
    """The appointment the visitor checked in with, if any."""
    return Appointment.objects.filter(ticket=ticket).first()


def transfer_windows(window: Window, service: Service) -> QuerySet[Window]:
    """The centre's other open windows that serve the service."""
    return (
        Window.objects.filter(office_id=window.office_id, is_active=True, services=service)
        .exclude(pk=window.pk)
        .order_by("number")
    )


def transfer_services(window: Window, service: Service, *, language: str) -> QuerySet[Service]:
    """The centre's other active services, by their names in the operator's language."""
    return (
        window.office.services.filter(is_active=True)
        .exclude(pk=service.pk)
        .order_by(f"name_{language}")
    )


# ---------------------------------------------------------------- the rating screen


def ticket_to_rate(window: Window) -> Ticket | None:
    """The last visit finished at this window in the last 30 minutes, if it was served, is
    not rated yet and nobody has been called to the window since."""
    since = timezone.now() - datetime.timedelta(minutes=services.RATING_MINUTES)
    # A visit finished since then began on that day or later (end of day closes the rest):
    # the day keeps the search to the window's recent tickets (index ticket_window_day).
    last = (
        Ticket.objects.filter(
            window=window,
            day__gte=services.local_now(window.office, since).date(),
            finished_at__gte=since,
        )
        .select_related("service")
        .order_by("-finished_at", "-pk")
        .first()
    )
    if last is None or last.status != T.DONE or hasattr(last, "rating"):
        return None
    current_id = services.at_window(window)
    called_since = (
        current_id is not None
        and Ticket.objects.filter(pk=current_id, called_at__gt=last.finished_at).exists()
    )
    return None if called_since else last


# ---------------------------------------------------------------- following a ticket


def followed_ticket(follow_code: str) -> Ticket | None:
    """The ticket printed with this code; a visitor sent to another window or service
    keeps following the same code, so the ticket he or she was sent on with."""
    ticket = (
        Ticket.objects.select_related("office", "service", "window")
        .filter(follow_code=follow_code[:12])
        .first()
    )
    if ticket is None:
        return None
    for _hop in range(10):
        moved = (
            Ticket.objects.select_related("office", "service", "window")
            .filter(transferred_from=ticket)
            .first()
            if ticket.status == T.TRANSFERRED
            else None
        )
        if moved is None:
            break
        ticket = moved
    return ticket
