"""The life of a home visit, and of an operation captured offline, each as one table:
which action moves it from which statuses to which, and who may take it.
`mobile.services` reads these tables and nothing else (`home_visits._move_visit`,
`offline_sync._settle`)."""

from onestop.mobile.models import HomeVisitStatus as V
from onestop.mobile.models import SyncOperation
from onestop.people.models import Role
from onestop.workflow import SYSTEM, Table
from onestop.workflow import transition as _m

TABLE = Table(
    # action      from                          to            who may
    _m("request",  set(),                        V.REQUESTED,  {Role.CITIZEN, Role.AGENT}),
    _m("schedule", {V.REQUESTED, V.SCHEDULED},   V.SCHEDULED,  {Role.MANAGER, Role.OPERATOR}),
    _m("visit",    {V.SCHEDULED},                V.VISITED,    {Role.OPERATOR}),
    _m("cancel",   {V.REQUESTED, V.SCHEDULED},   V.CANCELLED,  {Role.CITIZEN, Role.AGENT, Role.MANAGER, Role.OPERATOR}),
)  # fmt: skip

MOVES = TABLE.transitions
BY_ACTION = TABLE.by_action

OPEN = frozenset({V.REQUESTED, V.SCHEDULED})

C = SyncOperation.Status

# An operation a device captured offline is stored as received, then applied or refused
# by the platform, in the same transaction, exactly once.
CAPTURES = Table(
    # action      from          to            who may
    _m("apply",   {C.RECEIVED}, C.APPLIED,    {SYSTEM}),
    _m("reject",  {C.RECEIVED}, C.REJECTED,   {SYSTEM}),
)  # fmt: skip
