"""The shape of every lifecycle: one table of transitions (action, from, to, who may).

Applications (`cases/workflow.py`), queue tickets (`queueing/workflow.py`), home visits and
mobile captures (`mobile/workflow.py`) each write theirs with `transition` and look moves
up in a `Table`; each app's one `transition`-style service checks its table every time,
the platform's own moves (`SYSTEM`) included, and is the only code that sets a status
(`tests/test_status_writes.py` reads the source to make sure).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SYSTEM = "system"  # the platform itself: routing, automatic decisions, results, end of day


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]

    def allows(self, *, role: str, status: str) -> bool:
        return role in self.roles and status in self.sources


def transition(
    action: str, sources: Iterable[str], target: str, roles: Iterable[str]
) -> Transition:
    """One row of a table, written as it reads: action, from, to, who may."""
    return Transition(action, frozenset(sources), target, frozenset(roles))


class Table:
    """A lifecycle's transitions by action; an action appears once."""

    def __init__(self, *transitions: Transition):
        self.transitions = transitions
        self.by_action = {t.action: t for t in transitions}
        if len(self.by_action) != len(transitions):
            raise ValueError("an action appears twice in one lifecycle")

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def get(self, action: str) -> Transition | None:
        return self.by_action.get(action)

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(t.target for t in self.transitions)

    @property
    def sources(self) -> frozenset[str]:
        return frozenset().union(*(t.sources for t in self.transitions))
