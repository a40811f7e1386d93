"""Home visits: a person, or the call centre for a caller, asks for one; a manager or the
mobile centre schedules it; the operator files the application at the person's home.
A visit moves only through `_move_visit`, along the table in `mobile/workflow.py`."""

import datetime
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases import services as cases
from onestop.catalog.models import Channel, Service
from onestop.mobile import workflow
from onestop.mobile.models import HomeVisit
from onestop.mobile.selectors import CENTRE_STAFF
from onestop.mobile.services import offline_sync
from onestop.offices.models import Office
from onestop.people.iin import parse_iin
from onestop.people.models import Person, Role, User
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.validation import check_data_field, check_field
from onestop.workflow import Transition

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,18}$")


def _check_role(actor: User, action: str) -> Transition:
    move = workflow.BY_ACTION[action]
    if actor.role not in move.roles:
        raise Forbidden(_("Your role may not do this to a home visit."), code="role-not-allowed")
    return move


def _check_source(visit: HomeVisit, move: Transition) -> None:
    if visit.status not in move.sources:
        raise Conflict(
            _("A home visit that is %(status)s cannot be moved this way.")
            % {"status": visit.get_status_display()},
            code="home-visit-move-not-allowed",
        )


def _move_visit(visit: HomeVisit, action: str, *, actor: User) -> str:
    """The one place a home visit's status changes: the table is checked again for the
    actor's role and the visit's status (locked by the caller); returns the previous one."""
    move = _check_role(actor, action)
    _check_source(visit, move)
    previous = visit.status
    visit.status = move.target
    return previous


def _locked(visit: HomeVisit) -> HomeVisit:
    return (
        HomeVisit.objects.select_for_update(of=("self",))
        .select_related("person", "service", "office")
        .get(pk=visit.pk)
    )


def _check_scope(actor: User, visit: HomeVisit) -> None:
    """Operators and managers act on their own centre's visits, people on their own; the
    call centre on any."""
    if (actor.role in CENTRE_STAFF and visit.office_id != actor.office_id) or (
        actor.role == Role.CITIZEN and visit.person_id != actor.person_id
    ):
        raise NotFound(_("No such home visit."), code="unknown-home-visit")


def _mobile_centre(person: Person, office_code: str | None) -> Office:
    mobiles = Office.objects.filter(kind=Office.Kind.MOBILE, is_active=True)
    if office_code:
        office = mobiles.filter(code=office_code).first()
        if office is None:
            raise InvalidField("office", "unknown_office", _("No mobile centre with this code."))
        return office
    city = (person.city or "").strip()
    office = None
    if city:
        office = next(
            (
                o
                for o in mobiles
                if city.casefold()
                in {o.city_kk.casefold(), o.city_ru.casefold(), o.city_en.casefold()}
            ),
            None,
        )
    office = office or mobiles.first()
    if office is None:
        raise Conflict(_("No mobile centre makes home visits yet."), code="no-mobile-centre")
    return office


def _text(value: str, *, field: str, limit: int, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidField(field, "required", message)
    if len(value) > limit:
        raise InvalidField(field, "too_long", _("This value is too long."))
    return value


def request_home_visit(
    *,
    actor: User,
    service_code: str,
    reason: str,
    iin: str | None = None,
    address: str = "",
    phone: str = "",
    office_code: str | None = None,
    now: datetime.datetime | None = None,
) -> HomeVisit:
    """A person asks to be visited at home, or a call-centre agent asks for a caller. Only
    for services offered through home visits; one open request per person and service."""
    permissions.require(actor, "home_visits.request")
    check_field("reason", reason, max_length=500)
    check_field("address", address, max_length=300, multiline=False)
    check_field("phone", phone, max_length=20, multiline=False)
    request = _check_role(actor, "request")
    if actor.role == Role.CITIZEN:
        if actor.person_id is None:
            raise Forbidden(_("Your account is not linked to a person."), code="no-person")
        person = actor.person
        if iin and iin.strip() != person.iin:
            raise Forbidden(
                _("You can ask for a home visit only for yourself."), code="not-yourself"
            )
    else:
        if not iin:
            raise InvalidField("iin", "required", _("Give the caller's IIN."))
        parse_iin(iin, field="iin")
        found = Person.objects.filter(iin=iin.strip()).first()
        if found is None:
            raise InvalidField(
                "iin",
                "unknown_person",
                _("No person with this IIN is in the population registry."),
            )
        person = found
    service = (
        Service.objects.select_related("current_standard")
        .filter(code=service_code, is_active=True)
        .first()
    )
    if service is None or service.current_standard is None:
        raise InvalidField("service", "unknown_service", _("No service with this code."))
    if not service.current_standard.offers(Channel.HOME_VISIT):
        raise InvalidField(
            "service",
            "channel_not_offered",
            _("This service is not offered through home visits."),
        )
    address = _text(
        address or person.address,
        field="address",
        limit=300,
        message=_("Give the address to come to."),
    )
    phone = _text(
        phone or person.phone, field="phone", limit=20, message=_("Give a phone number to call.")
    )
    if not PHONE.match(phone):
        raise InvalidField(
            "phone", "invalid_phone", _("Enter a phone number, e.g. +7 701 234 5678.")
        )
    reason = _text(reason, field="reason", limit=500, message=_("Say why the person cannot come."))
    office = _mobile_centre(person, office_code)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            if HomeVisit.objects.filter(
                person=person, service=service, status__in=workflow.OPEN
            ).exists():
                raise Conflict(
                    _("A home visit for this service is already asked for."),
                    code="already-requested",
                )
            visit = HomeVisit.objects.create(
                person=person,
                service=service,
                office=office,
                address=address,
                phone=phone,
                reason=reason,
                requested_at=now,
                requested_by=actor,
                status=request.target,  # the table's first row: a visit starts requested
            )
            audit.record(
                actor=actor,
                action="home_visit.requested",
                obj=visit,
                data={"service": service.code, "office": office.code, "by": actor.role},
            )
    except IntegrityError:  # the same request, sent twice at once
        raise Conflict(
            _("A home visit for this service is already asked for."), code="already-requested"
        ) from None
    return visit


def schedule_home_visit(
    *,
    actor: User,
    visit: HomeVisit,
    operator_username: str,
    scheduled_for: datetime.datetime,
    now: datetime.datetime | None = None,
) -> HomeVisit:
    """The manager or an operator of the visit's mobile centre assigns one of its operators
    and a time; a scheduled visit can be moved the same way."""
    permissions.require(actor, "home_visits.schedule")
    _check_role(actor, "schedule")
    if actor.role == Role.OPERATOR:
        offline_sync.mobile_office_of(actor)
    _check_scope(actor, visit)
    assignee = (
        User.objects.select_related("office")
        .filter(
            username=operator_username,
            role=Role.OPERATOR,
            is_active=True,
            office__kind=Office.Kind.MOBILE,
            office__is_active=True,
        )
        .first()
    )
    if assignee is None:
        raise InvalidField(
            "operator", "not_mobile_operator", _("Choose an operator of a mobile centre.")
        )
    if assignee.office_id != actor.office_id:
        raise InvalidField("operator", "other_office", _("Choose an operator of your own centre."))
    now = now or timezone.now()
    if scheduled_for.tzinfo is None:
        raise InvalidField(
            "scheduled_for",
            "invalid_datetime",
            _("Enter a date and time in ISO 8601, with its offset from UTC."),
        )
    if scheduled_for <= now:
        raise InvalidField("scheduled_for", "in_past", _("Choose a time in the future."))
    with transaction.atomic():
        locked = _locked(visit)
        previous = _move_visit(locked, "schedule", actor=actor)
        locked.operator = assignee
        locked.office = assignee.office
        locked.scheduled_for = scheduled_for
        locked.save(update_fields=["status", "operator", "office", "scheduled_for"])
        audit.record(
            actor=actor,
            action="home_visit.scheduled",
            obj=locked,
            data={
                "from": previous,
                "operator": assignee.username,
                "office": assignee.office.code,
                "scheduled_for": scheduled_for,
            },
        )
    return locked


def record_visit(
    *,
    actor: User,
    visit: HomeVisit,
    data: dict | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> HomeVisit:
    """The assigned operator, at the person's home, files the application (channel: home
    visit, at the operator's mobile centre); the visit and the filing commit together."""
    permissions.require(actor, "home_visits.visit")
    check_field("note", note, max_length=2000)
    check_data_field("data", data or {})
    move = _check_role(actor, "visit")
    _check_scope(actor, visit)
    _check_source(visit, move)
    if visit.operator_id != actor.pk:
        raise Forbidden(_("This visit is assigned to another operator."), code="not-your-visit")
    # The registries are asked before the transaction; the visit is checked again under
    # its lock, in case it was called off meanwhile.
    filing = cases.prepare_filing(
        actor=actor,
        service_code=visit.service.code,
        channel=Channel.HOME_VISIT,
        applicant_iin=visit.person.iin,
        office_code=actor.office.code,
    )
    with transaction.atomic():
        locked = _locked(visit)
        _check_source(locked, move)
        if locked.operator_id != actor.pk:
            raise Forbidden(_("This visit is assigned to another operator."), code="not-your-visit")
        application = cases.file_prepared(filing, data={**(data or {}), "home_visit": locked.pk})
        _move_visit(locked, "visit", actor=actor)
        locked.visited_at = now or timezone.now()
        locked.application = application
        locked.note = (note or "").strip()[:2000]
        locked.save(update_fields=["status", "visited_at", "application", "note"])
        audit.record(
            actor=actor,
            action="home_visit.visited",
            obj=locked,
            data={"application": application.number, "service": locked.service.code},
        )
    return locked


def cancel_home_visit(*, actor: User, visit: HomeVisit, reason: str = "") -> HomeVisit:
    """The person, the call centre, a manager or the centre's operator calls a visit off."""
    permissions.require(actor, "home_visits.cancel")
    check_field("reason", reason, max_length=2000)
    _check_role(actor, "cancel")
    _check_scope(actor, visit)
    with transaction.atomic():
        locked = _locked(visit)
        previous = _move_visit(locked, "cancel", actor=actor)
        locked.note = (reason or "").strip()[:2000]
        locked.save(update_fields=["status", "note"])
        audit.record(
            actor=actor,
            action="home_visit.cancelled",
            obj=locked,
            data={"from": previous, "reason": locked.note[:200]},
        )
    return locked
