"""What can be done to an application, one module per seam: `lifecycle` (the one way a
status changes), `filing`, `assignment` (the reviewer draw), `deadlines` and `outcomes`
(results and steps). Callers use the names below: `services.transition(...)`."""

from onestop.cases.services import assignment, deadlines, filing, lifecycle, outcomes
from onestop.cases.services.assignment import (
    assign_reviewer,
    draw_index,
    eligible_reviewers,
    reassign,
    recompute_draws,
    start_leave,
)
from onestop.cases.services.deadlines import flag_overdue, platform_zone
from onestop.cases.services.filing import (
    FRONT_OFFICE_CHANNELS,
    SELF_SERVICE_CHANNELS,
    Filing,
    add_documents,
    fetch_missing,
    file_application,
    file_life_situation,
    file_prepared,
    filing_rate,
    prepare_filing,
)
from onestop.cases.services.lifecycle import refresh_bundle, role_of, transition
from onestop.cases.services.outcomes import produce_result, record_step

__all__ = [
    "FRONT_OFFICE_CHANNELS",
    "SELF_SERVICE_CHANNELS",
    "Filing",
    "add_documents",
    "assign_reviewer",
    "assignment",
    "deadlines",
    "draw_index",
    "eligible_reviewers",
    "fetch_missing",
    "file_application",
    "file_life_situation",
    "file_prepared",
    "filing",
    "filing_rate",
    "flag_overdue",
    "lifecycle",
    "outcomes",
    "platform_zone",
    "prepare_filing",
    "produce_result",
    "reassign",
    "recompute_draws",
    "record_step",
    "refresh_bundle",
    "role_of",
    "start_leave",
    "transition",
]
