"""Request-rate limits per client address, account, person or username, against password
guessing and bots.

Each limit is named in settings.REQUEST_RATES as "count/period" and counted in windows of
its period, each opened by the first attempt after the last one ended, in the database
(limits.AttemptCount): every process and every machine that
shares the database sees the same count, and a row lock makes it exact when attempts come
at once. ONESTOP_RATE_LIMITS=off lifts them all for load tests from one address.
"""

import dataclasses
import datetime
import hashlib
import ipaddress
import math
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.limits.models import AttemptCount
from onestop.problems import DomainError


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(
            _("Too many attempts. Try again in %(seconds)d seconds.") % {"seconds": retry_after},
            code="rate-limited",
        )
        self.retry_after = retry_after


def client_address(request) -> str:
    """The address of the client: REMOTE_ADDR, or behind ONESTOP_TRUSTED_PROXIES reverse
    proxies the entry of X-Forwarded-For that the outermost one wrote. Entries to its left
    come from the client, who can write anything there, so they are never believed."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass  # not written by a proxy of ours: the peer is all we know
    if not remote:
        raise ImproperlyConfigured(
            "No client address: REMOTE_ADDR is empty (a Unix socket?) and no trusted "
            "X-Forwarded-For entry; see ONESTOP_TRUSTED_PROXIES in docs/operations.md"
        )
    return remote


PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"(\d+)/(\d*)([smhd])")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/5m" as (10 attempts, 300 seconds)."""
    found = RATE.fullmatch(rate)
    if found is None:
        raise ImproperlyConfigured(f"not a rate: {rate!r} (count/period, as 10/5m)")
    allowed, multiple, unit = found.groups()
    return int(allowed), int(multiple or 1) * PERIOD_SECONDS[unit]


def _key_hash(key: str) -> str:
    # A lone surrogate in a username must not make the count fail.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Counted:
    """An attempt that limit() counted, to give back if it turns out not to count."""

    count_id: int
    window_start: datetime.datetime


def limit(request, name: str, *, key: str | None = None, count: bool = True) -> Counted | None:
    """Counts one attempt against the limit `name` (settings.REQUEST_RATES) for `key`, the
    client's address when None; raises RateLimited, counting nothing, when the window
    already holds the limit. A window starts with the first attempt after the last one
    ended and lasts the limit's period. With count=False it only asks whether one more
    attempt would be refused, counting nothing.

    Called inside a transaction, the attempt counts only if that transaction commits."""
    if not settings.RATE_LIMITS:
        return None
    allowed, seconds = parse_rate(settings.REQUEST_RATES[name])
    now = timezone.now()
    where = {
        "limit": name,
        "key_hash": _key_hash(client_address(request) if key is None else key),
    }

    def refuse(end: datetime.datetime) -> RateLimited:
        return RateLimited(retry_after=max(1, math.ceil((end - now).total_seconds())))

    if not count:
        current = AttemptCount.objects.filter(**where, window_end__gt=now).first()
        if current is not None and current.count >= allowed:
            raise refuse(current.window_end)
        return None
    with transaction.atomic():
        counted, _created = AttemptCount.objects.select_for_update().get_or_create(
            **where, defaults={"window_start": now, "window_end": now}
        )
        if counted.window_end <= now:  # this attempt opens a new window
            counted.window_start = now
            counted.window_end = now + datetime.timedelta(seconds=seconds)
            counted.count = 0
        if counted.count >= allowed:
            raise refuse(counted.window_end)
        counted.count += 1
        counted.save(update_fields=["window_start", "window_end", "count"])
    return Counted(counted.pk, counted.window_start)


def give_back(counted: Counted | None) -> None:
    """Uncounts an attempt that limit() counted (a login whose password was right)."""
    if counted is not None:
        AttemptCount.objects.filter(
            pk=counted.count_id, window_start=counted.window_start, count__gt=0
        ).update(count=F("count") - 1)
