"""Request-rate limits per client address, account or username, against password guessing
and bots.

django-ratelimit counts the attempts in the cache: per process with the default in-memory
cache, shared between processes and machines when ONESTOP_REDIS_URL is set. Each limit is
named in settings.REQUEST_RATES; ONESTOP_RATE_LIMITS=off lifts them all for load tests
from one address.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

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


def limit(request, name: str, *, key: str | None = None, count: bool = True) -> None:
    """Counts one attempt against the limit `name` (settings.REQUEST_RATES) for `key`, the
    client's address when None; raises RateLimited past the limit. With count=False it only
    asks whether one more attempt would be refused, counting nothing."""
    if not settings.RATE_LIMITS:
        return
    usage = get_usage(
        request,
        group=name,
        key="ip" if key is None else (lambda _group, _request: key),
        rate=settings.REQUEST_RATES[name],
        increment=count,
    )
    if usage is None:
        return
    refused = usage["should_limit"] or (not count and usage["count"] >= usage["limit"])
    if refused:
        raise RateLimited(retry_after=max(1, usage["time_left"]))
