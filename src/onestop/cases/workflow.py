"""The lifecycle of an application as one table: which action moves it from which
statuses to which, and who may take it. Every status change goes through
`cases.services.transition`, which reads this table and nothing else."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onestop.cases.models import Status
from onestop.people.models import Role

SYSTEM = "system"  # the platform itself: routing, automatic decisions, producing results

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _t(action: str, sources: set[str], target: str, roles: set[str]) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles))


TRANSITIONS: tuple[Transition, ...] = (
    # action          from                                        to           who may
    _t("accept",       {S.SUBMITTED},                              S.ACCEPTED,  {Role.OPERATOR, Role.MANAGER, SYSTEM}),
    _t("return",       {S.SUBMITTED},                              S.RETURNED,  {Role.OPERATOR, Role.MANAGER}),
    _t("resubmit",     {S.RETURNED},                               S.SUBMITTED, {Role.CITIZEN, Role.OPERATOR}),
    _t("assign",       {S.ACCEPTED},                               S.ASSIGNED,  {SYSTEM}),
    _t("approve",      {S.ASSIGNED},                               S.APPROVED,  {Role.REVIEWER}),
    _t("reject",       {S.ASSIGNED},                               S.REJECTED,  {Role.REVIEWER}),
    _t("auto_approve", {S.ACCEPTED},                               S.APPROVED,  {SYSTEM}),
    _t("produce",      {S.APPROVED},                               S.READY,     {SYSTEM}),
    _t("issue",        {S.READY},                                  S.ISSUED,    {Role.OPERATOR, Role.CITIZEN, SYSTEM}),
    _t("withdraw",     {S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.ASSIGNED}, S.WITHDRAWN, {Role.CITIZEN, Role.OPERATOR}),
)  # fmt: skip

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}

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
