"""What a mobile centre can do: apply what its operators captured offline, exactly once
(`offline_sync`), and make home visits (`home_visits`). Callers use the names below."""

from onestop.mobile.services import home_visits, offline_sync
from onestop.mobile.services.home_visits import (
    cancel_home_visit,
    record_visit,
    request_home_visit,
    schedule_home_visit,
)
from onestop.mobile.services.offline_sync import (
    MAX_OPERATIONS,
    application_result,
    apply_operation,
    mobile_office_of,
    sync,
    ticket_result,
)

__all__ = [
    "MAX_OPERATIONS",
    "application_result",
    "apply_operation",
    "cancel_home_visit",
    "home_visits",
    "mobile_office_of",
    "offline_sync",
    "record_visit",
    "request_home_visit",
    "schedule_home_visit",
    "sync",
    "ticket_result",
]
