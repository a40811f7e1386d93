"""What the platform relies on: a task that a worker took and never finished, because the
worker died, runs again; a task of a live worker is left alone."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onestop.cases.tasks import flag_overdue_applications
from onestop.operations import leases

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(settings):
    """A task taken by worker "w1" 31 s ago, the lease being 30 s."""
    settings.TASK_LEASE_SECONDS = 30
    settings.TASK_TIMEOUT_SECONDS = 3600

    def take(*, started_seconds_ago: float = 31) -> DBTaskResult:
        result = flag_overdue_applications.enqueue()
        task = DBTaskResult.objects.get(pk=result.id)
        task.claim("w1")
        DBTaskResult.objects.filter(pk=task.pk).update(
            started_at=timezone.now() - datetime.timedelta(seconds=started_seconds_ago)
        )
        return task

    return take


def status(task: DBTaskResult) -> str:
    task.refresh_from_db()
    return task.status


def test_the_task_of_a_worker_not_seen_for_the_lease_runs_again(running, run_tasks):
    task = running()
    leases.beat("w1")
    from onestop.operations.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id="w1").update(
        seen_at=timezone.now() - datetime.timedelta(seconds=31)
    )
    assert leases.reclaim_abandoned() == 1
    assert status(task) == "READY"
    assert run_tasks() == 1 and status(task) == "SUCCESSFUL"


def test_the_task_of_a_worker_that_never_said_it_was_alive_runs_again(running):
    task = running()
    assert leases.reclaim_abandoned() == 1 and status(task) == "READY"


def test_the_task_of_a_live_worker_is_left_alone(running):
    task = running()
    leases.beat("w1")
    assert leases.reclaim_abandoned() == 0 and status(task) == "RUNNING"


def test_a_task_just_taken_is_left_alone(running):
    task = running(started_seconds_ago=1)
    assert leases.reclaim_abandoned() == 0 and status(task) == "RUNNING"


def test_a_task_running_past_the_timeout_runs_again_whatever_its_worker_says(running, settings):
    task = running(started_seconds_ago=3601)
    leases.beat("w1")
    assert leases.reclaim_abandoned() == 1 and status(task) == "READY"


def test_a_worker_that_stops_cleanly_is_forgotten():
    from onestop.operations.models import WorkerHeartbeat

    leases.beat("w2")
    leases.forget("w2")
    assert not WorkerHeartbeat.objects.exists()
