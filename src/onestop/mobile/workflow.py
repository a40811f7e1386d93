"""The life of a home visit as one table: which action moves it from which statuses to
which, and who may take it. `mobile.services` reads this table and nothing else."""

from dataclasses import dataclass

from onestop.mobile.models import HomeVisitStatus as V
from onestop.people.models import Role


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _m(action: str, sources: set[str], target: str, roles: set[str]) -> Move:
    return Move(action, frozenset(sources), target, frozenset(roles))


MOVES: tuple[Move, ...] = (
    # action      from                          to            who may
    _m("request",  set(),                        V.REQUESTED,  {Role.CITIZEN, Role.AGENT}),
    _m("schedule", {V.REQUESTED, V.SCHEDULED},   V.SCHEDULED,  {Role.MANAGER, Role.OPERATOR}),
    _m("visit",    {V.SCHEDULED},                V.VISITED,    {Role.OPERATOR}),
    _m("cancel",   {V.REQUESTED, V.SCHEDULED},   V.CANCELLED,  {Role.CITIZEN, Role.AGENT, Role.MANAGER, Role.OPERATOR}),
)  # fmt: skip

BY_ACTION: dict[str, Move] = {m.action: m for m in MOVES}

OPEN = frozenset({V.REQUESTED, V.SCHEDULED})
