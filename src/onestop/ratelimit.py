"""Request-rate limits per address and per account, against password guessing and bots.

Counts live in the cache: per process with the default in-memory cache, shared between
processes and machines when ONESTOP_REDIS_URL is set. ONESTOP_RATE_LIMITS=off lifts them
for load tests from one address.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

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
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> None:
    """Counts one attempt; raises RateLimited when more than `limit` fall in the window that
    began with the first attempt (the counter expires with the window, increments keep it)."""
    if not settings.RATE_LIMITS:
        return
    cache_key = f"rate:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return
    if count > limit:
        raise RateLimited(retry_after=window_seconds)


def attempts(scope: str, key: str) -> int:
    """Attempts counted in the current window (0 when limits are off)."""
    return cache.get(f"rate:{scope}:{key}", 0) if settings.RATE_LIMITS else 0
