from django.db.models import Prefetch, QuerySet

from onestop.catalog.models import Service
from onestop.offices.models import Office, Window
from onestop.problems import NotFound


def offices() -> QuerySet[Office]:
    return Office.objects.filter(is_active=True).prefetch_related(
        "hours",
        Prefetch("services", queryset=Service.objects.only("code").order_by("code")),
        Prefetch(
            "windows",
            queryset=Window.objects.filter(is_active=True).prefetch_related(
                Prefetch("services", queryset=Service.objects.only("code").order_by("code"))
            ),
        ),
        "route_stops",
    )


def offices_offering(service: Service) -> QuerySet[Office]:
    """The active centres that offer the service."""
    return offices().filter(services=service)


def get_office(code: str) -> Office:
    office = offices().filter(code=code).first()
    if office is None:
        raise NotFound(f"No service centre with code {code!r}.", code="unknown-office")
    return office
