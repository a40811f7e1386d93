"""Appointments over the API: free slots (public), booking, one's appointments, cancelling
and checking in at the centre's kiosk."""

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from onestop.api_auth import session_or_token
from onestop.appointments import services
from onestop.appointments.models import Appointment
from onestop.audit import services as audit
from onestop.idempotency import idempotent
from onestop.pagination import Listing, Page
from onestop.people.iin import parse_iin
from onestop.people.models import OFFICE_ROLES, Person, Role, User
from onestop.problems import Forbidden, InvalidField, NotFound
from onestop.queueing.api import TicketOut, ticket_out, user_or_device
from onestop.ratelimit import client_address
from onestop.validation import Day, Line, Moment

router = Router(tags=["appointments"])
# The operation ids these endpoints had in queueing/booking_api.py, kept so that clients
# generated from docs/openapi.json keep their method names.
OPERATION_ID = "onestop_queueing_booking_api_{}"


class SlotOut(Schema):
    start: datetime.datetime
    end: datetime.datetime
    free: int


class AppointmentIn(Schema):
    office: Line = Field(..., max_length=100)
    service: Line = Field(..., max_length=100)
    start: Moment = Field(..., description="a slot start, ISO 8601 with offset")
    iin: Line = Field("", max_length=12, description="the person's IIN; a citizen may leave it out")


class CheckInIn(Schema):
    code: Line = Field(..., max_length=8, description="the confirmation code of the appointment")


class AppointmentOut(Schema):
    id: int
    code: str
    office: str
    office_name: str
    service: str
    service_name: str
    start: datetime.datetime
    end: datetime.datetime
    status: str
    channel: str
    iin: str
    ticket: int | None


class AppointmentFilters(Schema):
    mine: bool | None = Field(None, description="a citizen's own appointments (the default)")
    iin: Line = Field("", max_length=12, description="a caller's IIN (call centre, centre staff)")


def appointment_out(appointment: Appointment) -> dict:
    """Times in the centre's own time zone, with its offset."""
    zone = appointment.office.zone
    return {
        "id": appointment.pk,
        "code": appointment.code,
        "office": appointment.office.code,
        "office_name": appointment.office.name,
        "service": appointment.service.code,
        "service_name": appointment.service.name,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "status": appointment.status,
        "channel": appointment.channel,
        "iin": appointment.person.iin,
        "ticket": appointment.ticket_id,
    }


def _visible(viewer, appointment_id: int) -> Appointment:
    appointment = services.visible_to(viewer).filter(pk=appointment_id).first()
    if appointment is None:
        raise NotFound(_("No such appointment."), code="unknown-appointment")
    return appointment


def _log_access(viewer: User, what: str, person: Person | None) -> None:
    """Reading someone's appointments is access to personal data (`audit.log_access`)."""
    audit.log_access(
        actor=viewer,
        person=person,
        why="appointment.viewed",
        object_type="appointments",
        object_id=what,
    )


@router.get(
    "/offices/{code}/slots",
    response=list[SlotOut],
    summary="Free appointment slots of a centre for a service and day",
    operation_id=OPERATION_ID.format("list_slots"),
)
def list_slots(request, code: str, service: Query[Line], date: Query[Day]):
    """Times are in the centre's own time zone. Full slots come with free=0; past ones and
    those starting within 15 minutes are left out."""
    return [
        {"start": s.start, "end": s.end, "free": s.free}
        for s in services.slots(office_code=code, service_code=service, day=date)
    ]


@router.post(
    "/appointments",
    response={201: AppointmentOut},
    auth=session_or_token,
    summary="Book a slot (a citizen for himself or herself, the call centre for a caller)",
    operation_id=OPERATION_ID.format("book"),
)
@idempotent
def book(request, payload: AppointmentIn):
    user = request.auth
    iin = payload.iin.strip()
    if not iin and user.role == Role.CITIZEN and user.person_id:
        iin = user.person.iin
    services.limit_booking_rate(request, user)
    appointment = services.book(
        actor=user,
        office_code=payload.office,
        service_code=payload.service,
        start=payload.start,
        iin=iin,
        client=client_address(request),
    )
    return Status(201, appointment_out(services.visible_to(user).get(pk=appointment.pk)))


@router.get(
    "/appointments",
    response=list[AppointmentOut],
    auth=session_or_token,
    summary="Appointments still to come: one's own, or a caller's by IIN",
    operation_id=OPERATION_ID.format("list_appointments"),
)
@paginate(Page)
def list_appointments(request, filters: Query[AppointmentFilters]):
    user = request.auth
    if user.role == Role.CITIZEN:
        if not user.person_id:
            return []
        appointments = services.future_for(user.person)
    elif user.role == Role.AGENT or user.role in OFFICE_ROLES:
        appointments = services.upcoming(services.visible_to(user)).order_by("start", "id")
        if filters.iin:
            parse_iin(filters.iin, field="iin")
            appointments = appointments.filter(person__iin=filters.iin)
        elif user.role == Role.AGENT:
            raise InvalidField("iin", "required", _("Give the caller's IIN."))
        _log_access(
            user,
            filters.iin or (user.office.code if user.office_id else ""),
            Person.objects.filter(iin=filters.iin).first() if filters.iin else None,
        )
    else:
        raise Forbidden(_("Your role does not handle appointments."), code="role-not-allowed")
    return Listing(appointments, appointment_out)


@router.get(
    "/appointments/{int:appointment_id}",
    response=AppointmentOut,
    auth=session_or_token,
    summary="One appointment",
    operation_id=OPERATION_ID.format("get_appointment"),
)
def get_appointment(request, appointment_id: int):
    appointment = _visible(request.auth, appointment_id)
    _log_access(request.auth, str(appointment.pk), appointment.person)
    return appointment_out(appointment)


@router.delete(
    "/appointments/{int:appointment_id}",
    response={204: None},
    auth=session_or_token,
    summary="Cancel an appointment and free its slot",
    operation_id=OPERATION_ID.format("cancel"),
)
def cancel(request, appointment_id: int):
    services.cancel(actor=request.auth, appointment=_visible(request.auth, appointment_id))
    return Status(204, None)


@router.post(
    "/appointments/{int:appointment_id}/check-in",
    response={201: TicketOut},
    auth=user_or_device,
    summary="Check in at the centre: the appointment becomes a priority ticket",
    operation_id=OPERATION_ID.format("check_in"),
)
def check_in(request, appointment_id: int):
    ticket = services.check_in(
        actor_or_device=request.auth,
        code_or_appointment=_visible(request.auth, appointment_id),
    )
    return Status(201, ticket_out(ticket, with_code=True))


@router.post(
    "/appointments/check-in",
    response={201: TicketOut},
    auth=user_or_device,
    summary="Check in by the confirmation code (the centre's kiosk)",
    operation_id=OPERATION_ID.format("check_in_by_code"),
)
def check_in_by_code(request, payload: CheckInIn):
    ticket = services.check_in(actor_or_device=request.auth, code_or_appointment=payload.code)
    return Status(201, ticket_out(ticket, with_code=True))
