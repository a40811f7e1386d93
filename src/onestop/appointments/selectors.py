"""Reading appointments for the booking pages: what a caller may see, and the centres,
services and route stops to choose from."""

import datetime

from onestop.appointments import services
from onestop.appointments.models import Appointment
from onestop.catalog.models import Service
from onestop.offices.models import Office, RouteStop
from onestop.people.models import Person, Role, User


def upcoming_seen_by(viewer: User, *, iin: str = "", limit: int = 200) -> list[Appointment]:
    """Appointments to come that staff or the call centre may see, soonest first: those of
    the person with this IIN when one is given; none for the call centre without one."""
    appointments = services.upcoming(services.visible_to(viewer)).order_by("start")
    if iin:
        appointments = appointments.filter(person__iin=iin)
    elif viewer.role == Role.AGENT:
        appointments = appointments.none()
    return list(appointments[:limit])


def visible_appointment(viewer: User, pk: int) -> Appointment | None:
    return services.visible_to(viewer).filter(pk=pk).first()


def person_with_iin(iin: str) -> Person | None:
    return Person.objects.filter(iin=iin).first()


def bookable_offices() -> list[Office]:
    return list(Office.objects.filter(is_active=True).order_by("kind", "code"))


def bookable_services(office: Office, *, language: str) -> list[Service]:
    """The centre's active services, by their names in the visitor's language."""
    return list(office.services.filter(is_active=True).order_by(f"name_{language}"))


def route_stops_from(office: Office, day: datetime.date, *, limit: int) -> list[RouteStop]:
    """A mobile centre's next stops, from the given day on."""
    return list(office.route_stops.filter(date__gte=day).order_by("date", "starts")[:limit])
