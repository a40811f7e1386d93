"""Reading the register: querysets shaped for the catalogue pages and the API."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from onestop.catalog.models import Category, LifeSituation, Service, Standard
from onestop.problems import NotFound


def published_services() -> QuerySet[Service]:
    return (
        Service.objects.filter(is_active=True, current_standard__isnull=False)
        .select_related("agency", "category", "current_standard")
        .prefetch_related("current_standard__documents", "current_standard__steps")
    )


def search_services(
    *, q: str = "", category: str = "", channel: str = "", agency: str = ""
) -> QuerySet[Service]:
    """Services matching every word of `q` in any language, and the filters given."""
    services = published_services()
    for word in q.casefold().split():
        services = services.filter(search_text__contains=word)
    if category:
        services = services.filter(category__code=category)
    if agency:
        services = services.filter(agency__code__iexact=agency)
    if channel:
        services = services.filter(current_standard__channels__contains=f",{channel},")
    return services


def get_service(code: str) -> Service:
    service = published_services().filter(code=code).first()
    if service is None:
        raise NotFound(f"No service with code {code!r}.", code="unknown-service")
    return service


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def get_category(code: str) -> Category:
    category = categories().filter(code=code).first()
    if category is None:
        raise NotFound(f"No category with code {code!r}.", code="unknown-category")
    return category


def life_situations() -> QuerySet[LifeSituation]:
    return LifeSituation.objects.prefetch_related(
        Prefetch(
            "services",
            queryset=Service.objects.filter(is_active=True).order_by(
                "lifesituationservice__position"
            ),
        )
    )


def get_life_situation(code: str) -> LifeSituation:
    found = life_situations().filter(code=code).first()
    if found is None:
        raise NotFound(f"No life situation with code {code!r}.", code="unknown-life-situation")
    return found


def standard_versions(service: Service) -> QuerySet[Standard]:
    return service.standards.order_by("-version")


def search_text_for(service: Service) -> str:
    parts = [service.code]
    for code in ("kk", "ru", "en"):
        parts += [
            getattr(service, f"name_{code}"),
            getattr(service, f"description_{code}"),
            getattr(service, f"result_{code}"),
            getattr(service.agency, f"name_{code}"),
            getattr(service.agency, f"short_name_{code}"),
        ]
    return " ".join(p for p in parts if p).casefold()


def register_version() -> int:
    """A number that changes with every change to the register saved in this process
    (`register_changed`), and in every process within ONESTOP_LAYOUT_CACHE_SECONDS (with
    a shared cache, at once): the register's kept answers are kept under it."""
    return cache.get_or_set("catalog:register-version", time.time_ns, settings.LAYOUT_CACHE_SECONDS)


def register_changed(**_signal) -> None:
    cache.set("catalog:register-version", time.time_ns(), settings.LAYOUT_CACHE_SECONDS)
