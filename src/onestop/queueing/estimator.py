"""The wait estimate shown on a new ticket, as a pure function of what the queue looks like.

`services.estimate_wait` gathers the numbers from the database; this is the arithmetic,
and bench/wait_estimate.py measures its error on simulated centre days
(docs/benchmarks.md).
"""

from collections.abc import Sequence

DEFAULT_SERVICE_MINUTES = 10.0
RECENT_VISITS = 50


def mean_service_minutes(recent_durations: Sequence[float]) -> float:
    """The mean time at the window over the recent visits given (the caller passes the
    last RECENT_VISITS of the service at the centre); DEFAULT_SERVICE_MINUTES without any."""
    if not recent_durations:
        return DEFAULT_SERVICE_MINUTES
    return sum(recent_durations) / len(recent_durations)


def estimate_minutes(
    ahead: int, at_windows: int, recent_durations: Sequence[float], open_windows: int
) -> float:
    """Minutes until a new ticket is called.

    ahead: visitors waiting for the windows that serve the service (for a priority ticket,
    the priority visitors only); at_windows: visitors now called or being served at those
    windows, counted half-way through on average; recent_durations: minutes at the window
    of the service's recent visits; open_windows: those windows open now (at least one is
    assumed, so that a centre before opening still gives an estimate).
    """
    minutes = mean_service_minutes(recent_durations)
    capacity = max(open_windows, 1)
    return round((ahead + 0.5 * at_windows) * minutes / capacity, 1)
