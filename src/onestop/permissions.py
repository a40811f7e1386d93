"""Who may change what: one row for every write operation of the platform (operation ->
the roles, and the kinds of device, that may do it), read like the lifecycle tables.

Every service that writes asks `require(actor, operation)` before anything else, so the
API and the pages ask the same row; a role missing from a row is refused with 403 and
nothing is written. The rows of lifecycle moves are read from their own tables
(`cases/workflow.py`, `queueing/workflow.py`, `appointments/workflow.py`,
`mobile/workflow.py`), which stay the one place those roles are written. Scope (one's own
case, one's own centre, one's own agency) is checked next to the data, as before.
`tests/test_security_matrix.py` asks every endpoint as every kind of caller."""

from django.utils.translation import gettext as _

from onestop.appointments import workflow as appointments
from onestop.cases import workflow as cases
from onestop.mobile import workflow as mobile
from onestop.people.models import Role
from onestop.problems import Forbidden
from onestop.queueing import workflow as queue
from onestop.queueing.models import Device
from onestop.workflow import SYSTEM, Table

KIOSK, BOARD, RATING = Device.Kind.KIOSK, Device.Kind.BOARD, Device.Kind.RATING
R = Role


def _moves(table: Table, *actions: str) -> frozenset[str]:
    """Who may take any of these moves of a lifecycle, as its own table says."""
    return frozenset().union(*(table.by_action[a].roles for a in actions)) - {SYSTEM}


WRITES: dict[str, frozenset[str]] = {
    # operation                      who may
    "applications.file":             frozenset({R.CITIZEN, R.OPERATOR, R.MANAGER}),
    "applications.add_documents":    frozenset({R.CITIZEN, R.OPERATOR, R.MANAGER}),
    "applications.transition":       _moves(cases.TABLE, *cases.PUBLIC_ACTIONS),
    "applications.reassign":         frozenset({R.REVIEWER, R.HEAD}),
    "applications.record_step":      frozenset({R.OPERATOR, R.MANAGER}),
    "reviewers.start_leave":         frozenset({R.HEAD}),
    "tickets.issue":                 frozenset({KIOSK, R.CONSULTANT, R.OPERATOR, R.MANAGER}),
    "tickets.call_next":             _moves(queue.TABLE, "call"),
    "tickets.recall":                _moves(queue.TABLE, "recall"),
    "tickets.start":                 _moves(queue.TABLE, "start"),
    "tickets.finish":                _moves(queue.TABLE, "finish"),
    "tickets.no_show":               _moves(queue.TABLE, "no_show"),
    "tickets.cancel":                _moves(queue.TABLE, "cancel"),
    "tickets.transfer":              _moves(queue.TABLE, "transfer"),
    "tickets.rate":                  frozenset({RATING, R.CITIZEN}),
    "windows.set_state":             queue.STAFF,
    "appointments.book":             _moves(appointments.TABLE, "book"),
    "appointments.cancel":           _moves(appointments.TABLE, "cancel"),
    "appointments.check_in":         _moves(appointments.TABLE, "check_in"),
    "home_visits.request":           _moves(mobile.TABLE, "request"),
    "home_visits.schedule":          _moves(mobile.TABLE, "schedule"),
    "home_visits.visit":             _moves(mobile.TABLE, "visit"),
    "home_visits.cancel":            _moves(mobile.TABLE, "cancel"),
    "mobile.sync":                   frozenset({R.OPERATOR}),
}  # fmt: skip


def role_of(caller) -> str:
    """A person's role, a device's kind, or SYSTEM for the platform's own work (no caller)."""
    if caller is None:
        return SYSTEM
    if isinstance(caller, Device):
        return caller.kind
    return caller.role


def allows(caller, operation: str) -> bool:
    """Whether the caller's role may do the operation at all (its scope is checked apart);
    the platform itself may do everything."""
    role = role_of(caller)
    return role == SYSTEM or role in WRITES[operation]


def require(caller, operation: str) -> None:
    """Forbidden (403) unless the caller's role may do the operation."""
    if not allows(caller, operation):
        raise Forbidden(
            _("Your role may not do this: %(operation)s.") % {"operation": operation},
            code="role-not-allowed",
        )
