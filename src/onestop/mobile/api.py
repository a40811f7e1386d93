"""The JSON edge of mobile centres: the devices' idempotent sync, and home visits."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from onestop.api_auth import session_or_token
from onestop.cases.api import PersonOut
from onestop.mobile import selectors, services
from onestop.mobile.models import HomeVisit
from onestop.pagination import Listing, Page
from onestop.problems import ProblemOut
from onestop.validation import Data, Line, Moment, Text, check_data

router = Router(tags=["mobile centres"], auth=session_or_token)


# ---------------------------------------------------------------- sync


class OperationIn(Schema):
    id: str = Field(..., max_length=64, description="the device's UUID for this operation")
    kind: str | None = Field(None, max_length=20, description="ticket or application")
    captured_at: str | None = Field(
        None,
        max_length=40,
        description="when it was captured, ISO 8601 with offset",
        examples=["2025-05-12T10:15:00+05:00"],
    )
    payload: Any = Field(
        None,
        description=(
            'ticket: {"service", "iin"?, "priority"?}; '
            'application: {"service", "iin" (or "bin"), "data"?}; '
            "at most 64 KB of JSON"
        ),
    )

    @field_validator("payload")
    @classmethod
    def bounded(cls, value: Any) -> Any:
        return check_data(value)


class SyncIn(Schema):
    device: str = Field(..., max_length=64, description="the device's UUID")
    operations: list[OperationIn] = Field(..., max_length=services.MAX_OPERATIONS)


class SyncedTicketOut(Schema):
    id: int
    number: str
    office: str
    service: str
    status: str
    priority: str
    issued_at: datetime
    queue_from: datetime
    follow_code: str


class SyncedApplicationOut(Schema):
    number: str
    service: str | None
    status: str


class OperationResultOut(Schema):
    id: str
    status: Literal["applied", "duplicate", "rejected"]
    original_status: Literal["applied", "rejected"] | None = Field(
        None, description="for a duplicate: what happened when it was first received"
    )
    ticket: SyncedTicketOut | None = None
    application: SyncedApplicationOut | None = None
    error: ProblemOut | None = None


class SyncOut(Schema):
    results: list[OperationResultOut]


@router.post(
    "/mobile/sync",
    response=SyncOut,
    url_name="mobile_sync",
    exclude_none=True,
    summary="Apply tickets and applications captured on a mobile centre's device",
    description=(
        "Each operation is applied exactly once, in its own transaction, keyed by its id: "
        "sending the same operations again (after a lost connection) answers `duplicate` "
        "with what was stored. Only operators of a mobile centre."
    ),
)
def sync(request, payload: SyncIn):
    results = services.sync(
        actor=request.auth,
        device=payload.device,
        operations=[operation.dict() for operation in payload.operations],
    )
    return {"results": results}


# ---------------------------------------------------------------- home visits


class HomeVisitIn(Schema):
    service: Line = Field(..., max_length=100)
    reason: Text = Field(..., max_length=500, description="why the person cannot come")
    iin: Line | None = Field(
        None, max_length=12, description="the caller's IIN (call centre); a person asks for himself"
    )
    address: Line = Field("", max_length=300, description="default: the address in the registry")
    phone: Line = Field("", max_length=20, description="default: the phone in the registry")
    office: Line | None = Field(
        None, max_length=100, description="mobile centre code; default: the person's city's"
    )


class ScheduleIn(Schema):
    operator: Line = Field(
        ..., max_length=150, description="username of a mobile centre's operator"
    )
    scheduled_for: Moment


class VisitIn(Schema):
    data: Data = Field(default_factory=dict)
    note: Text = Field("", max_length=2000)


class CancelIn(Schema):
    reason: Text = Field("", max_length=2000)


class OperatorOut(Schema):
    username: str
    name: str


class VisitApplicationOut(Schema):
    number: str
    status: str


class HomeVisitOut(Schema):
    id: int
    person: PersonOut
    service: str
    service_name: str
    office: str
    address: str
    phone: str
    reason: str
    status: Literal["requested", "scheduled", "visited", "cancelled"]
    status_name: str
    requested_at: datetime
    scheduled_for: datetime | None
    operator: OperatorOut | None
    visited_at: datetime | None
    application: VisitApplicationOut | None
    note: str


class HomeVisitFilters(Schema):
    status: Literal["", "requested", "scheduled", "visited", "cancelled"] = ""


def home_visit_out(visit: HomeVisit) -> dict:
    return {
        "id": visit.pk,
        "person": {"iin": visit.person.iin, "name": visit.person.full_name},
        "service": visit.service.code,
        "service_name": visit.service.name,
        "office": visit.office.code,
        "address": visit.address,
        "phone": visit.phone,
        "reason": visit.reason,
        "status": visit.status,
        "status_name": visit.get_status_display(),
        "requested_at": visit.requested_at,
        "scheduled_for": visit.scheduled_for,
        "operator": {"username": visit.operator.username, "name": visit.operator.display_name}
        if visit.operator_id
        else None,
        "visited_at": visit.visited_at,
        "application": {"number": visit.application.number, "status": visit.application.status}
        if visit.application_id
        else None,
        "note": visit.note,
    }


def _reread(request, visit: HomeVisit) -> dict:
    return home_visit_out(selectors.get_home_visit(request.auth, visit.pk))


@router.post(
    "/home-visits",
    response={201: HomeVisitOut},
    summary="Ask for a home visit (a person for himself, the call centre for a caller)",
)
def request_home_visit(request, payload: HomeVisitIn):
    visit = services.request_home_visit(
        actor=request.auth,
        service_code=payload.service,
        reason=payload.reason,
        iin=payload.iin,
        address=payload.address,
        phone=payload.phone,
        office_code=payload.office,
    )
    return Status(201, _reread(request, visit))


@router.get(
    "/home-visits",
    response=list[HomeVisitOut],
    summary="Home visits the caller may see",
)
@paginate(Page)
def list_home_visits(request, filters: Query[HomeVisitFilters]):
    visits = selectors.home_visits_visible_to(request.auth)
    if filters.status:
        visits = visits.filter(status=filters.status)
    return Listing(visits.order_by("-requested_at", "-id"), home_visit_out)


@router.get("/home-visits/{visit_id}", response=HomeVisitOut, summary="One home visit")
def get_home_visit(request, visit_id: int):
    return home_visit_out(selectors.get_home_visit(request.auth, visit_id))


@router.post(
    "/home-visits/{visit_id}/schedule",
    response=HomeVisitOut,
    summary="Assign a mobile operator and a time",
)
def schedule_home_visit(request, visit_id: int, payload: ScheduleIn):
    visit = services.schedule_home_visit(
        actor=request.auth,
        visit=selectors.get_home_visit(request.auth, visit_id),
        operator_username=payload.operator,
        scheduled_for=payload.scheduled_for,
    )
    return _reread(request, visit)


@router.post(
    "/home-visits/{visit_id}/visit",
    response=HomeVisitOut,
    summary="Record the visit: files the application at the person's home",
)
def record_visit(request, visit_id: int, payload: VisitIn):
    visit = services.record_visit(
        actor=request.auth,
        visit=selectors.get_home_visit(request.auth, visit_id),
        data=payload.data,
        note=payload.note,
    )
    return _reread(request, visit)


@router.post(
    "/home-visits/{visit_id}/cancel", response=HomeVisitOut, summary="Call a home visit off"
)
def cancel_home_visit(request, visit_id: int, payload: CancelIn):
    visit = services.cancel_home_visit(
        actor=request.auth,
        visit=selectors.get_home_visit(request.auth, visit_id),
        reason=payload.reason,
    )
    return _reread(request, visit)
