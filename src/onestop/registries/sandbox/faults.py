"""Failures of the sandbox registries, deterministic and under control.

- `settings.SANDBOX_REGISTRY_DOWN`: codes of registries that refuse every request;
- `sandbox_outage("real_estate")`: the same for the duration of a block (tests, demos),
  optionally only for its first N requests (a transient failure);
- `settings.SANDBOX_REGISTRY_FAILURE_RATE`: the share of requests that time out, drawn
  from a seeded generator (`reseed_failures` starts its sequence again);
- `settings.SANDBOX_REGISTRY_LATENCY_MS`: how long every answer takes.
"""

import random
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import sleep

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onestop.registries.registry import RegistryUnavailable

FAILURE_SEED = 20051002

_lock = threading.Lock()
_failures = random.Random(FAILURE_SEED)


@dataclass
class Outage:
    """Registries refusing requests: all of them (`calls` None) or the first `calls`."""

    registries: frozenset[str]
    calls: int | None = None
    refused: int = 0

    def refuses(self, code: str) -> bool:
        if code not in self.registries:
            return False
        return self.calls is None or self.refused < self.calls


_outages: list[Outage] = []


@contextmanager
def sandbox_outage(*codes: str, calls: int | None = None) -> Iterator[Outage]:
    """Makes the named registries unavailable inside the block, or only for its first
    `calls` requests; yields the outage, which counts the requests it refused."""
    if not codes:
        raise ValueError("name at least one registry")
    outage = Outage(registries=frozenset(codes), calls=calls)
    with _lock:
        _outages.append(outage)
    try:
        yield outage
    finally:
        with _lock:
            _outages.remove(outage)


def reseed_failures(seed: int = FAILURE_SEED) -> None:
    """Starts the sequence of random failures again, so that a run can be repeated."""
    with _lock:
        _failures.seed(seed)


def down_by_settings() -> set[str]:
    """`SANDBOX_REGISTRY_DOWN` as a set, whether given as one or as "a,b"."""
    value: str | Iterable[str] = getattr(settings, "SANDBOX_REGISTRY_DOWN", set())
    if isinstance(value, str):
        return {code.strip() for code in value.split(",") if code.strip()}
    return set(value)


def simulate(code: str) -> None:
    """Waits as a real registry would, then fails if the registry is down or unlucky."""
    latency_ms = float(getattr(settings, "SANDBOX_REGISTRY_LATENCY_MS", 0) or 0)
    if latency_ms > 0:
        sleep(latency_ms / 1000)
    with _lock:
        refusing = next((outage for outage in _outages if outage.refuses(code)), None)
        if refusing is not None:
            refusing.refused += 1
        down = refusing is not None or code in down_by_settings()
        rate = float(getattr(settings, "SANDBOX_REGISTRY_FAILURE_RATE", 0.0) or 0.0)
        unlucky = not down and rate > 0 and _failures.random() < rate
    if down:
        raise RegistryUnavailable(code, _("This state registry is unavailable at the moment."))
    if unlucky:
        raise RegistryUnavailable(code, _("This state registry did not answer in time."))
