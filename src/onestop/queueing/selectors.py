"""Reading the queue: a ticket's place and history, the board snapshot that screens poll
every second."""

import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from onestop.audit.models import AuditEvent
from onestop.offices.models import Office
from onestop.problems import NotFound
from onestop.queueing import services
from onestop.queueing.layout import layout
from onestop.queueing.models import Ticket
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
