"""The moves of a queue ticket as one table: which action takes a ticket from which
statuses to which, and who may take it. `queueing.services.move` reads this table."""

from dataclasses import dataclass

from onestop.people.models import Role
from onestop.queueing.models import TicketStatus as T

SYSTEM = "system"  # the platform closing the day: waiting ones are cancelled, called ones
# did not come, the ones being served are finished; none is ever deleted
STAFF = frozenset({Role.OPERATOR, Role.MANAGER})


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _m(action: str, sources: set[str], target: str, roles: set[str] | frozenset[str]) -> Move:
    return Move(action, frozenset(sources), target, frozenset(roles))


MOVES: tuple[Move, ...] = (
    # action       from                          to              who may
    _m("call",     {T.WAITING},                  T.CALLED,       STAFF),
    _m("recall",   {T.CALLED},                   T.CALLED,       STAFF),
    _m("start",    {T.CALLED},                   T.SERVING,      STAFF),
    _m("finish",   {T.SERVING},                  T.DONE,         STAFF | {SYSTEM}),
    _m("no_show",  {T.CALLED},                   T.NO_SHOW,      STAFF | {SYSTEM}),
    _m("transfer", {T.CALLED, T.SERVING},        T.TRANSFERRED,  STAFF),
    _m("cancel",   {T.WAITING},                  T.CANCELLED,    STAFF | {Role.CONSULTANT, SYSTEM}),
    _m("close",    {T.WAITING},                  T.CANCELLED,    {SYSTEM}),
)  # fmt: skip

BY_ACTION: dict[str, Move] = {m.action: m for m in MOVES}

OPEN = frozenset({T.WAITING, T.CALLED, T.SERVING})
AT_A_WINDOW = frozenset({T.CALLED, T.SERVING})
