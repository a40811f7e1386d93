import hashlib
from datetime import datetime
from typing import Literal

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Field, Router, Schema, Status
from ninja.decorators import decorate_view

from onestop import permissions
from onestop.api_auth import SessionOrToken
from onestop.idempotency import idempotent
from onestop.observability import set_actor
from onestop.people.models import User
from onestop.problems import Forbidden, NotFound
from onestop.queueing import selectors, services
from onestop.queueing.models import Device, Ticket
from onestop.validation import Line, Text

router = Router(tags=["queue"])


class UserOrDevice(SessionOrToken):
    """Staff and citizens by their token or session; kiosks, boards and rating screens by
    their device token, which can do nothing else."""

    def authenticate(self, request, token):
        if token.startswith("dev_"):
            device = services.device_for_token(token)
            set_actor(device)
            return device
        return super().authenticate(request, token)


user_or_device = UserOrDevice()


class TicketIn(Schema):
    service: Line = Field(..., max_length=100)
    priority: bool | Literal["disability", "elderly", "pregnant", "appointment"] = False
    iin: Line = Field(
        "", max_length=12, description="optional: gives priority to the elderly by birth date"
    )


class TicketOut(Schema):
    id: int
    number: str
    office: str
    service: str
    status: str
    priority: str
    position: int | None
    estimated_wait_minutes: float
    issued_at: datetime
    called_at: datetime | None
    window: int | None
    follow_code: str | None = None


class TransferIn(Schema):
    window: int | None = Field(None, ge=1, le=1000)
    service: Line | None = Field(None, max_length=100)


class RatingIn(Schema):
    score: Line = Field(..., max_length=20, description="excellent, good, satisfactory or poor")
    comment: Text = Field("", max_length=500)
    follow_code: Line = Field("", max_length=20)


class RatingOut(Schema):
    ticket: int
    score: str


class WindowStateIn(Schema):
    state: Literal["open", "break", "closed"]


class BoardTicket(Schema):
    number: str
    window: int
    status: str
    called_at: datetime
    recalls: int


class BoardOut(Schema):
    office: str
    name: str
    now: datetime
    called: list[BoardTicket]
    waiting: int


def ticket_out(ticket: Ticket, *, with_code: bool = False) -> TicketOut:
    """The answer about a ticket; its follow code only to whoever was just given it."""
    return TicketOut(
        id=ticket.pk,
        number=ticket.number,
        office=ticket.office.code,
        service=ticket.service.code,
        status=ticket.status,
        priority=ticket.priority,
        position=selectors.position(ticket),
        estimated_wait_minutes=float(ticket.estimated_wait_minutes),
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        window=ticket.window.number if ticket.window_id else None,
        follow_code=ticket.follow_code if with_code else None,
    )


def _staff(request) -> User:
    if isinstance(request.auth, Device):
        raise Forbidden(_("A device cannot do this."), code="device-not-allowed")
    return request.auth


def _ticket(request, ticket_id: int) -> Ticket:
    ticket = (
        Ticket.objects.select_related("office", "service", "window").filter(pk=ticket_id).first()
    )
    caller = request.auth
    if isinstance(caller, User) and caller.role == "citizen":
        visible = (
            ticket is not None and caller.person_id is not None and ticket.iin == caller.person.iin
        )
    else:
        visible = ticket is not None and caller.office_id == ticket.office_id
    if not visible:
        raise NotFound(_("No such ticket."), code="unknown-ticket")
    return ticket


@router.post(
    "/offices/{code}/tickets",
    response={201: TicketOut},
    auth=user_or_device,
    summary="Issue a queue ticket",
)
@idempotent
def issue_ticket(request, code: str, payload: TicketIn):
    caller = request.auth
    device = caller if isinstance(caller, Device) else None
    permissions.require(caller, "tickets.issue")
    ticket = services.issue_ticket(
        office_code=code,
        service_code=payload.service,
        actor=None if device else caller,
        device=device,
        priority=payload.priority,
        iin=payload.iin,
        channel="kiosk" if device else "consultant",
    )
    return Status(201, ticket_out(ticket, with_code=True))


@router.post(
    "/offices/{code}/windows/{window}/call-next",
    response={200: TicketOut, 204: None},
    auth=user_or_device,
    summary="Call the next visitor to a window",
)
def call_next(request, code: str, window: int):
    ticket = services.call_next(actor=_staff(request), office_code=code, window_number=window)
    if ticket is None:
        return Status(204, None)
    return ticket_out(ticket)


@router.post(
    "/offices/{code}/windows/{window}/state",
    response=WindowStateIn,
    auth=user_or_device,
    summary="Open a window, take a break or close it",
)
def window_state(request, code: str, window: int, payload: WindowStateIn):
    state = services.set_window_state(
        actor=_staff(request), office_code=code, window_number=window, state=payload.state
    )
    return {"state": state.state}


def _move(action: str):
    def view(request, ticket_id: int):
        # `move` finds the ticket under its lock and answers 404 for another centre's.
        ticket = services.move(actor=_staff(request), ticket=ticket_id, action=action)
        return ticket_out(ticket)

    view.__name__ = f"ticket_{action}"
    return view


for _action, _path in (
    ("start", "start"),
    ("finish", "finish"),
    ("no_show", "no-show"),
    ("recall", "recall"),
    ("cancel", "cancel"),
):
    router.post(
        f"/tickets/{{ticket_id}}/{_path}",
        response=TicketOut,
        auth=user_or_device,
        summary=f"Ticket: {_path}",
    )(_move(_action))


@router.post(
    "/tickets/{ticket_id}/transfer",
    response=TicketOut,
    auth=user_or_device,
    summary="Send the visitor to another window or service",
)
def transfer(request, ticket_id: int, payload: TransferIn):
    moved = services.transfer(
        actor=_staff(request),
        ticket=_ticket(request, ticket_id),
        window_number=payload.window,
        service_code=payload.service,
    )
    return ticket_out(moved)


@router.get("/tickets/{ticket_id}", response=TicketOut, auth=user_or_device, summary="One ticket")
def get_ticket(request, ticket_id: int):
    return ticket_out(_ticket(request, ticket_id))


@router.get(
    "/tickets/follow/{follow_code}",
    response=TicketOut,
    summary="Follow a ticket from a phone (the code on the ticket)",
)
@decorate_view(never_cache)  # a visitor's ticket, though its code is all that asks for it
def follow(request, follow_code: str):
    ticket = (
        Ticket.objects.select_related("office", "service", "window")
        .filter(follow_code=follow_code)
        .first()
    )
    if ticket is None:
        raise NotFound(_("No such ticket."), code="unknown-ticket")
    return ticket_out(ticket)


@router.post(
    "/tickets/{ticket_id}/rating",
    response={201: RatingOut},
    auth=user_or_device,
    summary="Rate the service just received",
)
def rating(request, ticket_id: int, payload: RatingIn):
    caller = request.auth
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("No such ticket."), code="unknown-ticket")
    rated = services.rate(
        ticket=ticket,
        score=payload.score,
        comment=payload.comment,
        follow_code=payload.follow_code,
        actor=caller if isinstance(caller, User) else None,
        device=caller if isinstance(caller, Device) else None,
    )
    return Status(201, {"ticket": ticket.pk, "score": rated.score})


@router.get(
    "/offices/{code}/board",
    response={200: BoardOut, 304: None},
    summary="The display board: tickets now called",
)
def board(request, code: str):
    """Cheap to poll: the answer carries an ETag and a poll that finds nothing new gets 304."""
    snapshot = selectors.board_snapshot(code)
    etag = '"' + hashlib.sha256(snapshot.etag_source.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    response = HttpResponse(snapshot.json, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
