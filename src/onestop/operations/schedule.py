"""Periodic work, enqueued by every worker process: flagging overdue applications,
closing each centre's queue after hours, forgetting ended windows of the rate limits
and signing a checkpoint of the audit trail.
Each periodic task is idempotent, so several workers enqueueing it is harmless."""

import logging
import threading

from django.db import close_old_connections

logger = logging.getLogger("onestop.schedule")

EVERY_SECONDS = 60


def periodic_tasks():
    from onestop.appointments.tasks import mark_missed_appointments, send_appointment_reminders
    from onestop.audit.tasks import take_audit_checkpoint
    from onestop.cases.tasks import flag_overdue_applications
    from onestop.limits.tasks import forget_ended_windows
    from onestop.queueing.tasks import close_finished_days

    return [
        flag_overdue_applications,
        close_finished_days,
        mark_missed_appointments,
        send_appointment_reminders,
        forget_ended_windows,
        take_audit_checkpoint,
    ]


def run_forever(stop: threading.Event, every: float = EVERY_SECONDS) -> None:
    while not stop.is_set():
        try:
            for task in periodic_tasks():
                task.enqueue()
        except Exception:  # a database hiccup must not stop the schedule
            logger.exception("could not enqueue periodic tasks")
        finally:
            close_old_connections()
        stop.wait(every)


def start() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="schedule", daemon=True).start()
    return stop
