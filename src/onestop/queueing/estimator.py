"""The wait estimate shown on a new ticket, as a pure function of what the queue looks like.

`services.estimate_from` gathers the numbers from one read of the queue; this is the
arithmetic, and bench/wait_estimate.py measures its error on simulated centre days
(docs/benchmarks.md).

The work ahead of a newcomer is the visitors waiting for his windows, each counted for
his own service's mean time at the window and for the share of his own open windows
that are also the newcomer's: a visitor whom four open windows can serve, one of them
the newcomer's, takes a quarter of his time from the newcomer's windows. Visitors
already at the newcomer's windows count half their mean time. The work is shared by
the newcomer's open windows.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

DEFAULT_SERVICE_MINUTES = 10.0
RECENT_VISITS = 50
# A visit counts for at most this long in the mean: a visit left open (an operator who
# did not press "finish", a window closed for lunch with the visitor marked as served)
# must not make every estimate of its service hours too long for the next 50 visits.
LONGEST_VISIT_MINUTES = 60.0


def mean_service_minutes(recent_durations: Sequence[float]) -> float:
    """The mean time at the window over the recent visits given (the caller passes the
    last RECENT_VISITS of the service at the centre), each counted for at most
    LONGEST_VISIT_MINUTES; DEFAULT_SERVICE_MINUTES without any."""
    if not recent_durations:
        return DEFAULT_SERVICE_MINUTES
    counted = [min(minutes, LONGEST_VISIT_MINUTES) for minutes in recent_durations]
    return sum(counted) / len(counted)


def share(their_windows: Collection[int], their_open: Collection[int], mine: Collection[int]):
    """The part of a waiting visitor's time that falls on my windows: of the windows that
    serve him and are open (all that serve him when none is), the share that are mine."""
    pool = set(their_open) or set(their_windows)
    if not pool:
        return 0.0
    return len(pool & set(mine)) / len(pool)


@dataclass(frozen=True)
class Ahead:
    """Visitors of one service waiting ahead: how many, the share of their time that falls
    on the newcomer's windows, and their service's mean minutes at the window."""

    count: int
    share: float
    minutes: float


def estimate_minutes(
    ahead: Sequence[Ahead], at_windows: Sequence[float], open_windows: int
) -> float:
    """Minutes until a new ticket is called.

    ahead: the visitors waiting for the newcomer's windows, by service (for a priority
    ticket, the priority visitors only); at_windows: the mean minutes of the service of
    each visitor now called or served at the newcomer's windows, counted half-way through;
    open_windows: the newcomer's windows open now (at least one is assumed, so that a
    centre before opening still gives an estimate).
    """
    work = sum(group.count * group.share * group.minutes for group in ahead)
    work += 0.5 * sum(at_windows)
    return round(work / max(open_windows, 1), 1)
