"""What a mobile centre's operators captured offline, applied exactly once.

Each operation is applied in its own transaction together with its `SyncOperation`
row, whose primary key is the device's id for it. A batch cut off half-way keeps what was
applied; a resent operation fails on that key and is answered with what was stored.
"""

import datetime
import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases import services as cases
from onestop.cases.models import Application
from onestop.catalog.models import Channel
from onestop.mobile import workflow
from onestop.mobile.models import MobileDevice, SyncOperation
from onestop.offices.models import Office
from onestop.people.models import Role, User
from onestop.problems import Conflict, DomainError, Forbidden, InvalidField, problem_body
from onestop.queueing import services as queueing
from onestop.queueing.models import Ticket

logger = logging.getLogger("onestop.mobile")

MAX_OPERATIONS = 200
# A device's clock may run a little ahead of the server's; more than this is a wrong clock.
CLOCK_TOLERANCE = datetime.timedelta(minutes=10)

# Fields named by the queue and the applications, as the device's payload calls them.
PAYLOAD_FIELDS = {
    "service": "payload.service",
    "channel": "payload.service",
    "office": "payload.service",
    "iin": "payload.iin",
    "applicant": "payload.iin",
    "applicant.iin": "payload.iin",
    "applicant.bin": "payload.bin",
    "priority": "payload.priority",
}


def mobile_office_of(actor: User) -> Office:
    """The mobile centre the operator works at; only its operators sync captured work."""
    office = actor.office if actor.office_id else None
    if (
        actor.role != Role.OPERATOR
        or office is None
        or office.kind != Office.Kind.MOBILE
        or not office.is_active
    ):
        raise Forbidden(
            _("Only operators of a mobile centre sync captured work."),
            code="not-mobile-operator",
        )
    return office


def sync(
    *,
    actor: User,
    device: str,
    operations: list[dict[str, Any]],
    now: datetime.datetime | None = None,
) -> list[dict[str, Any]]:
    """Applies a device's captured operations in order, each on its own, and answers for
    each id: applied, duplicate (sent before; the stored answer) or rejected (with problem
    details naming the field). A rejected operation does not stop the others."""
    permissions.require(actor, "mobile.sync")
    office = mobile_office_of(actor)
    try:
        device_id = uuid.UUID(str(device))
    except ValueError:
        raise InvalidField("device", "invalid_uuid", _("The device id must be a UUID.")) from None
    if len(operations) > MAX_OPERATIONS:
        raise InvalidField(
            "operations",
            "too_many",
            _("Send at most %(n)d operations at a time.") % {"n": MAX_OPERATIONS},
        )
    registered_at = register_device(actor=actor, office=office, device=device_id, now=now)
    results = []
    for operation in operations:
        try:
            results.append(
                apply_operation(
                    actor=actor,
                    office=office,
                    device=device_id,
                    operation=operation,
                    now=now,
                    registered_at=registered_at,
                )
            )
        except Exception:
            # Nothing of this operation was stored: the device keeps it and sends it again.
            logger.exception("sync operation failed", extra={"operation": operation.get("id")})
            results.append(
                {
                    "id": str(operation.get("id")),
                    "status": "rejected",
                    "error": problem_body(
                        500, _("Something went wrong on our side. Try again later.")
                    ),
                }
            )
    return results


def apply_operation(
    *,
    actor: User,
    office: Office,
    device: uuid.UUID,
    operation: dict[str, Any],
    now: datetime.datetime | None = None,
    registered_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Applies one captured operation exactly once (see the module's docstring)."""
    raw_id = operation.get("id")
    try:
        operation_id = uuid.UUID(str(raw_id))
    except ValueError:
        return _rejected(raw_id, InvalidField("id", "invalid_uuid", _("The id must be a UUID.")))
    now = now or timezone.now()
    try:
        kind, captured_at, payload = _parse(operation, now=now, registered_at=registered_at)
    except DomainError as error:
        return _rejected(operation_id, error)

    stored = SyncOperation.objects.filter(pk=operation_id).first()
    if stored is not None:
        return _duplicate(stored, actor=actor, kind=kind, payload=payload)
    # An application's registry documents are fetched before the transaction; a refusal
    # found now is stored with the operation below, like one found while applying it.
    filing: cases.Filing | None = None
    refused: DomainError | None = None
    if kind == SyncOperation.Kind.APPLICATION:
        try:
            filing = _prepare_application(actor, office, payload)
        except DomainError as error:
            refused = error
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = SyncOperation.objects.create(
                    id=operation_id,
                    device=device,
                    operator=actor,
                    office=office,
                    kind=kind,
                    payload=payload,
                    captured_at=captured_at,
                    received_at=now,
                    status=SyncOperation.Status.RECEIVED,
                )
        except IntegrityError:
            # Another request (the same batch sent again) stored it first.
            stored = SyncOperation.objects.filter(pk=operation_id).first()
            if stored is None:
                raise
            return _duplicate(stored, actor=actor, kind=kind, payload=payload)
        _slow_down_for_tests()
        try:
            with transaction.atomic():
                if refused is not None:
                    raise refused
                if filing is None:
                    record.ticket = _issue_ticket(actor, office, payload, captured_at)
                    record.result = {"ticket": ticket_result(record.ticket)}
                else:
                    record.application = _file_application(filing, payload, captured_at)
                    record.result = {"application": application_result(record.application)}
                _settle(record, "apply")
        except DomainError as error:
            _settle(record, "reject")
            record.result = {"error": _problem(error)}
        record.save(update_fields=["status", "result", "ticket", "application"])
        audit.record(
            actor=actor,
            action=f"mobile.sync_{record.status}",
            obj=record,
            data={
                "kind": kind,
                "device": str(device),
                "captured_at": captured_at,
                "ticket": record.ticket.number if record.ticket else None,
                "application": record.application.number if record.application else None,
                "error": record.result.get("error", {}).get("type"),
            },
        )
    return {"id": str(operation_id), "status": record.status, **record.result}


def _settle(record: SyncOperation, action: str) -> None:
    """The one place a captured operation's status changes, along `workflow.CAPTURES`."""
    rule = workflow.CAPTURES.by_action[action]
    if record.status not in rule.sources:
        raise Conflict(_("This operation is already settled."), code="operation-settled")
    record.status = rule.target


def register_device(
    *, actor: User, office: Office, device: uuid.UUID, now: datetime.datetime | None = None
) -> datetime.datetime:
    """When the device first reached the server: it is registered then, by its first sync
    (the screen sends an empty one when it is first opened, online)."""
    registered, _created = MobileDevice.objects.get_or_create(
        id=device,
        defaults={"office": office, "registered_by": actor, "registered_at": now or timezone.now()},
    )
    return registered.registered_at


def earliest_capture(
    *, now: datetime.datetime, registered_at: datetime.datetime | None
) -> tuple[datetime.datetime, str]:
    """The earliest time a capture may carry, and why: a van is offline for at most
    ONESTOP_OFFLINE_WINDOW_DAYS, and captures nothing before its device was registered
    (give or take the tolerance of the device's clock)."""
    window_start = now - datetime.timedelta(days=settings.OFFLINE_WINDOW_DAYS)
    if registered_at is not None and registered_at - CLOCK_TOLERANCE > window_start:
        return registered_at - CLOCK_TOLERANCE, "before_registration"
    return window_start, "too_old"


def _parse(
    operation: dict[str, Any],
    *,
    now: datetime.datetime,
    registered_at: datetime.datetime | None = None,
):
    kind = operation.get("kind")
    if kind not in SyncOperation.Kind.values:
        raise InvalidField("kind", "invalid_choice", _("The kind is ticket or application."))
    try:
        captured_at = datetime.datetime.fromisoformat(str(operation.get("captured_at") or ""))
    except ValueError:
        captured_at = None
    if captured_at is None or captured_at.tzinfo is None:
        raise InvalidField(
            "captured_at",
            "invalid_datetime",
            _("Enter a date and time in ISO 8601, with its offset from UTC."),
        )
    if captured_at > now + CLOCK_TOLERANCE:
        raise InvalidField(
            "captured_at", "in_future", _("This time is in the future: check the device's clock.")
        )
    earliest, why = earliest_capture(now=now, registered_at=registered_at)
    if captured_at < earliest:
        if why == "before_registration":
            message = _("This time is before the device was registered: check its clock.")
        else:
            message = _(
                "This time is more than %(days)d days ago: a mobile centre is never "
                "offline that long."
            ) % {"days": settings.OFFLINE_WINDOW_DAYS}
        raise InvalidField("captured_at", why, message)
    payload = operation.get("payload")
    if not isinstance(payload, dict):
        raise InvalidField("payload", "invalid_type", _("Enter an object."))
    if not isinstance(payload.get("service"), str) or not payload["service"]:
        raise InvalidField("payload.service", "required", _("Choose a service."))
    for field in ("iin", "bin"):
        if payload.get(field) is not None and not isinstance(payload[field], str):
            raise InvalidField(f"payload.{field}", "invalid_type", _("Enter text."))
    if kind == SyncOperation.Kind.APPLICATION and not (payload.get("iin") or payload.get("bin")):
        raise InvalidField("payload.iin", "required", _("Give the applicant's IIN."))
    if payload.get("data") is not None and not isinstance(payload["data"], dict):
        raise InvalidField("payload.data", "invalid_type", _("Enter an object."))
    return kind, captured_at, payload


def _issue_ticket(
    actor: User, office: Office, payload: dict, captured_at: datetime.datetime
) -> Ticket:
    """The place in the queue is the time the ticket was captured, also when it syncs later;
    the centre must have been open (at a stop of its route) at that time."""
    try:
        return queueing.issue_ticket(
            office_code=office.code,
            service_code=payload["service"],
            actor=actor,
            priority=payload.get("priority") or False,
            iin=payload.get("iin") or "",
            channel=Channel.MOBILE,
            now=captured_at,
            queue_from=captured_at,
        )
    except Conflict as error:
        if error.code == "centre-closed":
            raise Conflict(
                _("The mobile centre was not at a stop of its route at the time of capture."),
                code="centre-closed",
                errors=[
                    {
                        "field": "captured_at",
                        "code": "centre_closed",
                        "message": _("No stop of the route covers this time."),
                    }
                ],
            ) from None
        raise


def _prepare_application(actor: User, office: Office, payload: dict) -> cases.Filing:
    """The captured application checked and its registry documents fetched, before the
    transaction that applies the operation."""
    return cases.prepare_filing(
        actor=actor,
        service_code=payload["service"],
        channel=Channel.MOBILE,
        applicant_iin=payload.get("iin") or None,
        applicant_bin=payload.get("bin") or None,
        office_code=office.code,
    )


def _file_application(
    filing: cases.Filing, payload: dict, captured_at: datetime.datetime
) -> Application:
    """Submitted when captured: the term runs from the moment the van took the documents,
    also when the application reaches the server a day later."""
    data = payload.get("data") or {}
    return cases.file_prepared(
        filing, data={**data, "captured_at": captured_at.isoformat()}, received_at=captured_at
    )


def _duplicate(stored: SyncOperation, *, actor: User, kind: str, payload: dict) -> dict[str, Any]:
    """The stored answer, to the operator who sent it; an id used for something else is
    refused and reveals nothing."""
    if stored.operator_id != actor.pk or stored.kind != kind or stored.payload != payload:
        return _rejected(
            stored.pk,
            Conflict(
                _("This id was already used for another operation."),
                code="id-reused",
                errors=[
                    {
                        "field": "id",
                        "code": "id_reused",
                        "message": _("Give each captured operation its own id."),
                    }
                ],
            ),
        )
    return {
        "id": str(stored.pk),
        "status": "duplicate",
        "original_status": stored.status,
        **stored.result,
    }


def _problem(error: DomainError) -> dict[str, Any]:
    errors = [{**e, "field": PAYLOAD_FIELDS.get(e["field"], e["field"])} for e in error.errors]
    return problem_body(error.status, error.detail, errors, error.code)


def _rejected(operation_id, error: DomainError) -> dict[str, Any]:
    return {"id": str(operation_id), "status": "rejected", "error": _problem(error)}


def _slow_down_for_tests() -> None:
    """Tests slow each operation down (the test-only Django setting MOBILE_SYNC_DELAY_MS)
    to cut a connection, or kill the server, while a batch is being applied."""
    delay = getattr(settings, "MOBILE_SYNC_DELAY_MS", 0)
    if delay:
        time.sleep(delay / 1000)


def ticket_result(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "office": ticket.office.code,
        "service": ticket.service.code,
        "status": ticket.status,
        "priority": ticket.priority,
        "issued_at": ticket.issued_at.isoformat(),
        "queue_from": ticket.queue_from.isoformat(),
        "follow_code": ticket.follow_code,
    }


def application_result(application: Application) -> dict[str, Any]:
    return {
        "number": application.number,
        "service": application.service.code if application.service_id else None,
        "status": application.status,
    }
