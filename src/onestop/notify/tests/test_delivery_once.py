"""What a person relies on: a message reaches her once, even when the task that sends it
is run again after its worker died, is run twice at once, or was lost altogether.
`SandboxSms` holds one row per real send: the sandbox drops a message id it has sent."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onestop.cases.models import Application
from onestop.catalog.models import Service
from onestop.notify import services
from onestop.notify.channels import plugin_for
from onestop.notify.models import Notification, SandboxSms
from onestop.people.models import Person, Role, User

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"


@pytest.fixture
def sms(settings):
    """A queued SMS about an accepted application, with its delivery task."""
    settings.TASK_LEASE_SECONDS = 30
    citizen = User.objects.filter(role=Role.CITIZEN).select_related("person").first()
    Person.objects.filter(pk=citizen.person_id).update(phone=PHONE, email="", language="ru")
    service = Service.objects.select_related("current_standard", "agency").get(code="passport")
    application = Application.objects.create(
        number=f"N{timezone.now():%H%M%S%f}",
        service=service,
        standard=service.current_standard,
        applicant=citizen.person,
        channel="portal",
        filed_by=citizen,
        agency=service.agency,
        status="accepted",
        submitted_at=timezone.now(),
    )
    [message] = services.notify_status_change(application_id=application.pk, status="accepted")
    return message


def test_the_sandbox_gateway_drops_a_message_id_it_has_sent():
    gateway = plugin_for("sms")
    first = gateway.send(recipient=PHONE, subject="", text="hello", message_id="m-1")
    again = gateway.send(recipient=PHONE, subject="", text="hello", message_id="m-1")
    assert first == again == "m-1"
    assert SandboxSms.objects.count() == 1


def test_a_delivery_run_again_after_its_worker_died_sends_once(sms):
    # The first run sent the message and died before it could record it.
    task = str(DBTaskResult.objects.get().pk)
    assert services.deliver(notification_id=sms.pk, task_id=task) == "sent"
    Notification.objects.filter(pk=sms.pk).update(state="sending", claimed_by=task)
    # The reclaimed task runs again: it may send again, and the gateway drops the repeat.
    assert services.deliver(notification_id=sms.pk, task_id=task) == "sent"
    assert SandboxSms.objects.filter(phone=PHONE).count() == 1


def test_a_second_delivery_of_a_message_being_sent_skips_it(sms):
    Notification.objects.filter(pk=sms.pk).update(
        state="sending", claimed_by="another-task", claimed_at=timezone.now()
    )
    assert services.deliver(notification_id=sms.pk, task_id="a-second-task") == "sending"
    assert not SandboxSms.objects.exists()


def test_a_message_claimed_by_a_task_that_died_is_sent_after_the_lease(sms):
    Notification.objects.filter(pk=sms.pk).update(
        state="sending",
        claimed_by="a-task-lost-with-its-worker",
        claimed_at=timezone.now() - datetime.timedelta(seconds=31),
        attempts=1,
    )
    assert services.deliver(notification_id=sms.pk, task_id="the-sweeps-task") == "sent"
    sms.refresh_from_db()
    assert sms.attempts == 2 and SandboxSms.objects.count() == 1


def test_a_sent_message_is_never_sent_again(sms, run_tasks):
    assert run_tasks() == 1
    for _ in range(2):  # its delivery queued twice more, by mistake
        services.enqueue_delivery([sms])
    assert run_tasks() == 2
    assert SandboxSms.objects.filter(phone=PHONE).count() == 1


def test_a_message_whose_task_was_lost_is_queued_again_after_the_lease(sms, run_tasks):
    DBTaskResult.objects.all().delete()  # lost: a worker died between two writes
    assert services.redeliver_stranded() == 0  # too young: its task may be on its way
    later = timezone.now() + datetime.timedelta(seconds=31)
    assert services.redeliver_stranded(now=later) == 1
    assert services.redeliver_stranded(now=later) == 0  # its task is waiting now
    run_tasks()
    sms.refresh_from_db()
    assert sms.state == "sent" and SandboxSms.objects.count() == 1
    assert services.redeliver_stranded(now=later) == 0
