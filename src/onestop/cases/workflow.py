"""The lifecycle of an application as one table: which action moves it from which
statuses to which, and who may take it. Every status change goes through
`cases.services.lifecycle._move`, which reads this table and nothing else, for people's actions
(`transition`) and the platform's own alike."""

from django.utils.translation import gettext_lazy as _

from onestop.cases.models import Status
from onestop.people.models import Role
from onestop.workflow import SYSTEM, Table
from onestop.workflow import transition as _t

S = Status
UNDER_WAY = {S.SUBMITTED, S.ASSIGNED}

TABLE = Table(
    # action             from                                        to           who may
    _t("accept",          {S.SUBMITTED},                              S.ACCEPTED,  {Role.OPERATOR, Role.MANAGER, SYSTEM}),
    _t("return",          {S.SUBMITTED},                              S.RETURNED,  {Role.OPERATOR, Role.MANAGER}),
    _t("resubmit",        {S.RETURNED},                               S.SUBMITTED, {Role.CITIZEN, Role.OPERATOR}),
    _t("assign",          {S.ACCEPTED},                               S.ASSIGNED,  {SYSTEM}),
    _t("approve",         {S.ASSIGNED},                               S.APPROVED,  {Role.REVIEWER}),
    _t("reject",          {S.ASSIGNED},                               S.REJECTED,  {Role.REVIEWER}),
    _t("auto_approve",    {S.ACCEPTED},                               S.APPROVED,  {SYSTEM}),
    _t("produce",         {S.APPROVED},                               S.READY,     {SYSTEM}),
    _t("issue",           {S.READY},                                  S.ISSUED,    {Role.OPERATOR, Role.CITIZEN, SYSTEM}),
    _t("withdraw",        {S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.ASSIGNED}, S.WITHDRAWN, {Role.CITIZEN, Role.OPERATOR}),
    # A life situation follows its parts (`cases.services.lifecycle.refresh_bundle`):
    _t("parts_under_way", {S.SUBMITTED},                              S.ASSIGNED,  {SYSTEM}),  # every part past the front office
    _t("parts_ready",     UNDER_WAY,                                  S.READY,     {SYSTEM}),  # every result in, or the part closed
    _t("parts_issued",    UNDER_WAY | {S.READY},                      S.ISSUED,    {SYSTEM}),  # every part closed, one handed out
    _t("parts_rejected",  UNDER_WAY,                                  S.REJECTED,  {SYSTEM}),  # every part closed, none handed out
    _t("parts_withdrawn", UNDER_WAY,                                  S.WITHDRAWN, {SYSTEM}),  # every part withdrawn
)  # fmt: skip

TRANSITIONS = TABLE.transitions
BY_ACTION = TABLE.by_action

# The roll-up move that brings a life situation to the status its parts sum up to.
ROLL_UP = {t.target: t.action for t in TRANSITIONS if t.action.startswith("parts_")}

# Actions a person may ask for through the API; the others are the platform's own.
PUBLIC_ACTIONS = ("accept", "return", "resubmit", "approve", "reject", "issue", "withdraw")

# Statuses in which the term runs and an application can become overdue.
OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.APPROVED})
FINAL = frozenset({S.ISSUED, S.REJECTED, S.WITHDRAWN})


def status_name(application) -> str:
    """The status as people read it. An approved application waits for the task that
    produces its result, and says so."""
    if application.status == S.APPROVED and application.service_id:
        return str(_("approved, result being prepared"))
    return application.get_status_display()
