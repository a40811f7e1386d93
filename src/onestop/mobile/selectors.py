"""How mobile centres and home visits are read: the route stop of the day, the visits
each role may see."""

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from onestop.mobile.models import HomeVisit
from onestop.offices.models import Office, RouteStop
from onestop.people.models import Role, User
from onestop.problems import NotFound
from onestop.queueing.services import local_now

SEES_ALL_VISITS = {Role.AGENT}
# The staff of a mobile centre: its visits only, with their addresses, phones and reasons.
CENTRE_STAFF = {Role.OPERATOR, Role.MANAGER}


def stop_of_the_day(office: Office, now: datetime.datetime | None = None) -> RouteStop | None:
    """The stop the centre is at now, else its first stop of the day (in its time zone)."""
    local = local_now(office, now)
    stops = office.route_stops.filter(date=local.date()).order_by("starts")
    return stops.filter(starts__lte=local.time(), ends__gt=local.time()).first() or stops.first()


def next_stop(office: Office, now: datetime.datetime | None = None) -> RouteStop | None:
    local = local_now(office, now)
    return (
        office.route_stops.filter(
            Q(date__gt=local.date()) | Q(date=local.date(), starts__gt=local.time())
        )
        .order_by("date", "starts")
        .first()
    )


def home_visits_visible_to(user: User) -> QuerySet[HomeVisit]:
    """A person his or her own; a mobile centre's operators and manager its visits; the call
    centre all of them."""
    visits = HomeVisit.objects.select_related(
        "person", "service", "office", "operator", "application", "requested_by"
    )
    if user.role == Role.CITIZEN:
        return visits.filter(person_id=user.person_id) if user.person_id else visits.none()
    if user.role in CENTRE_STAFF:
        return visits.filter(office_id=user.office_id, office__kind=Office.Kind.MOBILE)
    if user.role in SEES_ALL_VISITS:
        return visits
    return visits.none()


def get_home_visit(user: User, visit_id: int) -> HomeVisit:
    visit = home_visits_visible_to(user).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("No such home visit."), code="unknown-home-visit")
    return visit


def mobile_operators(office: Office | None = None) -> QuerySet[User]:
    """Operators who can be sent on a home visit (of one centre, or of every mobile one)."""
    operators = User.objects.filter(
        role=Role.OPERATOR,
        is_active=True,
        office__kind=Office.Kind.MOBILE,
        office__is_active=True,
    ).select_related("office")
    if office is not None:
        operators = operators.filter(office=office)
    return operators.order_by("office__code", "username")
