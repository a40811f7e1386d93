"""Reading the platform's certificates."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from onestop.signatures.models import Authority

# An agency gets its next certificate this long before the current one expires, so that
# what it signs today still verifies for a while.
RENEW_BEFORE = datetime.timedelta(days=30)


def live_ca(kind: str) -> Authority | None:
    """The root or issuing CA in force (there is at most one of each)."""
    return Authority.objects.filter(kind=kind, revoked_at__isnull=True).first()


def platform_ca() -> tuple[Authority, Authority] | None:
    """The root and issuing CAs, or None before the first use."""
    root, issuing = live_ca(Authority.Kind.ROOT), live_ca(Authority.Kind.ISSUING)
    if root is None or issuing is None:
        return None
    return root, issuing


def current_agency_certificate(agency, *, now: datetime.datetime | None = None) -> Authority | None:
    """The agency's newest certificate that is not revoked and not about to expire."""
    return _current(now, kind=Authority.Kind.AGENCY, agency=agency)


def current_audit_certificate(*, now: datetime.datetime | None = None) -> Authority | None:
    """The newest certificate for the audit trail's checkpoints that is in force."""
    return _current(now, kind=Authority.Kind.AUDIT)


def _current(now: datetime.datetime | None, **which) -> Authority | None:
    now = now or timezone.now()
    return (
        Authority.objects.filter(
            **which,
            revoked_at__isnull=True,
            not_before__lte=now,
            not_after__gt=now + RENEW_BEFORE,
        )
        .select_related("issuer")
        .order_by("-not_after", "-id")
        .first()
    )


def by_serials(serials: list[str]) -> dict[str, Authority]:
    return {a.serial: a for a in Authority.objects.filter(serial__in=serials)}


def for_listing() -> QuerySet[Authority]:
    """Every certificate for administrators, without the encrypted keys."""
    return Authority.objects.select_related("agency", "issuer").defer("encrypted_key_pem")
