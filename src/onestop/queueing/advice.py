"""Advice on load: when the wait at a centre is long, the other centres of the same city
that offer the service and would call a newcomer sooner. The kiosk shows it; the portal
can show it beside a centre's page."""

from dataclasses import dataclass

from onestop.catalog.models import Service
from onestop.offices.models import Office
from onestop.queueing import services

LONG_WAIT_MINUTES = 30.0


@dataclass(frozen=True)
class ShorterWait:
    office: Office
    minutes: float


def nearby_shorter_waits(
    office: Office,
    service: Service,
    *,
    minutes: float | None = None,
    only_open: bool = True,
) -> list[ShorterWait]:
    """Centres of the same city (mobile ones excepted: they travel) offering the service
    with a shorter estimated wait than `minutes` (by default this centre's own estimate),
    shortest first. With `only_open`, only the centres open now."""
    if minutes is None:
        minutes = services.estimate_wait(office=office, service=service)
    others = (
        Office.objects.filter(is_active=True, city_ru=office.city_ru, services=service)
        .exclude(pk=office.pk)
        .exclude(kind=Office.Kind.MOBILE)
    )
    shorter = []
    for other in others:
        if only_open and not services.is_open(other):
            continue
        wait = services.estimate_wait(office=other, service=service)
        if wait < minutes:
            shorter.append(ShorterWait(office=other, minutes=wait))
    return sorted(shorter, key=lambda item: (item.minutes, item.office.code))
