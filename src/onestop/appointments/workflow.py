"""The life of an appointment as one table: which action moves it from which statuses to
which, and who may take it. `appointments.services._move` reads this table for every
change, the platform's marking of missed appointments included."""

from onestop.appointments.models import Appointment
from onestop.people.models import OFFICE_ROLES, Role
from onestop.queueing.models import Device
from onestop.workflow import SYSTEM, Table
from onestop.workflow import transition as _m

A = Appointment.Status
KIOSK = Device.Kind.KIOSK  # a centre's kiosk checks people in; it has no account

TABLE = Table(
    # action      from        to             who may (people act on their own, staff on
    #                                                  their centre's: services._may_*)
    _m("book",     set(),      A.BOOKED,      {Role.CITIZEN, Role.AGENT}),
    _m("cancel",   {A.BOOKED}, A.CANCELLED,   {Role.CITIZEN, Role.AGENT} | OFFICE_ROLES),
    _m("check_in", {A.BOOKED}, A.CHECKED_IN,  {Role.CITIZEN, KIOSK} | OFFICE_ROLES),
    _m("miss",     {A.BOOKED}, A.MISSED,      {SYSTEM}),  # the check-in window closed
)  # fmt: skip

MOVES = TABLE.transitions
BY_ACTION = TABLE.by_action

FINAL = frozenset({A.CANCELLED, A.CHECKED_IN, A.MISSED})
