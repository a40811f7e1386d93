"""The moves of a queue ticket as one table: which action takes a ticket from which
statuses to which, and who may take it. `queueing.services._take` reads this table for
every move, the platform's own at the end of the day included."""

from onestop.people.models import Role
from onestop.queueing.models import TicketStatus as T
from onestop.workflow import SYSTEM, Table
from onestop.workflow import transition as _m

STAFF = frozenset({Role.OPERATOR, Role.MANAGER})

TABLE = Table(
    # action       from                          to              who may (SYSTEM: the platform
    #                                                                closing the day; no ticket is deleted)
    _m("call",     {T.WAITING},                  T.CALLED,       STAFF),
    _m("recall",   {T.CALLED},                   T.CALLED,       STAFF),
    _m("start",    {T.CALLED},                   T.SERVING,      STAFF),
    _m("finish",   {T.SERVING},                  T.DONE,         STAFF | {SYSTEM}),
    _m("no_show",  {T.CALLED},                   T.NO_SHOW,      STAFF | {SYSTEM}),
    _m("transfer", {T.CALLED, T.SERVING},        T.TRANSFERRED,  STAFF),
    _m("cancel",   {T.WAITING},                  T.CANCELLED,    STAFF | {Role.CONSULTANT, SYSTEM}),
    _m("close",    {T.WAITING},                  T.CANCELLED,    {SYSTEM}),
)  # fmt: skip

MOVES = TABLE.transitions
BY_ACTION = TABLE.by_action

OPEN = frozenset({T.WAITING, T.CALLED, T.SERVING})
AT_A_WINDOW = frozenset({T.CALLED, T.SERVING})
