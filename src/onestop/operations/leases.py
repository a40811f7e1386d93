"""Leases of the task workers: a task that a worker took and never finished runs again.

django-tasks' database backend marks a task RUNNING when a worker takes it and leaves it
so if the worker dies (kill -9, a machine lost): it would never run. Each `onestop worker`
writes a heartbeat every few seconds (`beat`), and every worker gives back to the queue
(`reclaim_abandoned`) the tasks RUNNING for longer than TASK_LEASE_SECONDS whose worker
has not been seen for that long, and any RUNNING for longer than TASK_TIMEOUT_SECONDS.
A task may therefore run twice: each one is written to be idempotent (a notification is
claimed and carries its own id to the gateway; a result is attached once, under a lock).
"""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from onestop.operations.models import WorkerHeartbeat

logger = logging.getLogger("onestop.tasks")

# Heartbeats of workers gone for this long are forgotten.
FORGET_AFTER = datetime.timedelta(days=1)


def beat_seconds() -> float:
    """How often a worker says it is alive: three times within a lease, at most every 5 s."""
    return max(0.2, min(5.0, settings.TASK_LEASE_SECONDS / 3))


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "host": socket.gethostname(), "pid": os.getpid()},
    )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly has finished its task; it says so on its way out."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def lease_ago(now: datetime.datetime | None = None) -> datetime.datetime:
    """One lease before `now`: what was written or claimed before then and is still not
    done has lost its task."""
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def without_a_task(task, first_arguments) -> list:
    """Those of `first_arguments` for which no run of `task` waits or runs: their task was
    lost (a crash between commit and enqueue, or given up on with a dead worker)."""
    pending = {
        args_kwargs["args"][0]
        for args_kwargs in DBTaskResult.objects.filter(
            task_path=task.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs", flat=True)
        if args_kwargs.get("args")
    }
    return [argument for argument in first_arguments if argument not in pending]


def reclaim_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Puts back in the queue the tasks left RUNNING by a worker that died; returns how many."""
    now = now or timezone.now()
    lease = now - datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    timeout = now - datetime.timedelta(seconds=settings.TASK_TIMEOUT_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=lease).values_list("worker_id", flat=True)
    )
    abandoned = [
        pk
        for pk, worker_ids, started_at in DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=lease
        ).values_list("pk", "worker_ids", "started_at")
        if not worker_ids or worker_ids[-1] not in alive or started_at < timeout
    ]
    if not abandoned:
        return 0
    # Only those still RUNNING: a worker that was merely slow may have finished meanwhile.
    reclaimed = DBTaskResult.objects.filter(
        pk__in=abandoned, status=TaskResultStatus.RUNNING
    ).update(status=TaskResultStatus.READY)
    if reclaimed:
        logger.warning("tasks of a worker gone back to the queue", extra={"count": reclaimed})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return reclaimed
