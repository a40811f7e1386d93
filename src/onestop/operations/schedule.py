"""Periodic work, enqueued by every worker process: flagging overdue applications, closing
each centre's queue after hours, forgetting ended windows of the rate limits, signing a
checkpoint of the audit trail, and sending again what a dead worker left undone. Each
periodic task is idempotent, so several workers enqueueing it is harmless.

The same thread writes the worker's heartbeat every few seconds and gives back to the queue
the tasks of workers that died (operations/leases.py)."""

import logging
import threading
import time

from django.db import close_old_connections

from onestop.operations import leases

logger = logging.getLogger("onestop.schedule")

EVERY_SECONDS = 60


def periodic_tasks():
    from onestop.appointments.tasks import mark_missed_appointments, send_appointment_reminders
    from onestop.audit.tasks import take_audit_checkpoint
    from onestop.cases.tasks import flag_overdue_applications, produce_stranded_results
    from onestop.limits.tasks import forget_ended_windows
    from onestop.notify.tasks import redeliver_stranded_notifications
    from onestop.operations.tasks import forget_expired_idempotency_keys
    from onestop.queueing.tasks import close_finished_days

    return [
        flag_overdue_applications,
        close_finished_days,
        mark_missed_appointments,
        send_appointment_reminders,
        forget_ended_windows,
        take_audit_checkpoint,
        redeliver_stranded_notifications,
        produce_stranded_results,
        forget_expired_idempotency_keys,
    ]


def run_forever(
    stop: threading.Event, every: float = EVERY_SECONDS, worker_id: str | None = None
) -> None:
    due = 0.0
    while not stop.is_set():
        try:
            if worker_id:
                leases.beat(worker_id)
                leases.reclaim_abandoned()
            if time.monotonic() >= due:
                for task in periodic_tasks():
                    task.enqueue()
                due = time.monotonic() + every
        except Exception:  # a database hiccup must not stop the schedule
            logger.exception("could not enqueue periodic tasks")
        finally:
            close_old_connections()
        stop.wait(min(every, leases.beat_seconds()) if worker_id else every)


def start(worker_id: str | None = None) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run_forever,
        args=(stop,),
        kwargs={"worker_id": worker_id},
        name="schedule",
        daemon=True,
    ).start()
    return stop
