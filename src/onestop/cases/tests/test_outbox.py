"""What a person relies on: a status change that commits has its messages, and the tasks
that send them, in the same commit; a change that rolls back leaves no message behind.
No callback after commit is run here: what a worker killed right after the commit would
leave is exactly what these tests see."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from onestop.cases import services
from onestop.cases.models import StatusChange
from onestop.notify.models import Notification

pytestmark = pytest.mark.django_db


def _delivery_tasks() -> set[int]:
    return {
        task.args_kwargs["args"][0]
        for task in DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    }


def test_a_status_change_commits_with_its_messages_and_their_tasks(
    make_application, operator, citizen
):
    application = make_application(applicant=citizen.person)
    services.transition(actor=operator, application=application, action="accept")
    change = StatusChange.objects.get(application=application, status="accepted")
    messages = Notification.objects.filter(status_change=change)
    assert sorted(messages.values_list("channel", "event")) == [
        ("email", "accepted"),
        ("sms", "accepted"),
    ]
    assert set(messages.values_list("pk", flat=True)) <= _delivery_tasks()


def test_a_filing_commits_with_its_receipt(centre, operator, citizen):
    application = services.file_application(
        actor=operator,
        service_code="real-estate-registration",
        channel="oss",
        applicant_iin=citizen.person.iin,
        office_code=centre.code,
    )
    receipt = Notification.objects.filter(application=application, event="submitted")
    assert receipt.count() == 2
    assert {m.status_change.action for m in receipt} == {"file"}
    assert set(receipt.values_list("pk", flat=True)) <= _delivery_tasks()


def test_an_approval_commits_with_the_task_that_produces_its_result(
    make_application, citizen, reviewer
):
    application = make_application("assigned", applicant=citizen.person, reviewer=reviewer)
    services.transition(actor=reviewer, application=application, action="approve")
    assert DBTaskResult.objects.filter(
        task_path__endswith="produce_application_result", args_kwargs__args=[application.pk]
    ).exists()


def test_a_change_that_rolls_back_leaves_no_message(make_application, operator, citizen):
    application = make_application(applicant=citizen.person)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.transition(actor=operator, application=application, action="accept")
        raise RuntimeError("the change fails after the move")
    assert not Notification.objects.filter(application=application).exists()
    assert not _delivery_tasks()


def test_one_message_per_change_and_channel(make_application, operator, citizen):
    from django.db import IntegrityError

    application = make_application(applicant=citizen.person)
    services.transition(actor=operator, application=application, action="accept")
    sms = Notification.objects.get(application=application, channel="sms", event="accepted")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            application=application,
            status_change=sms.status_change,
            channel="sms",
            recipient=sms.recipient,
            language="ru",
            text="again",
            event="accepted",
        )


def test_an_approval_whose_result_task_was_lost_gets_one_result(
    make_application, citizen, reviewer, run_tasks, settings
):
    import datetime

    from django.utils import timezone

    from onestop.cases.models import Document

    settings.TASK_LEASE_SECONDS = 30
    application = make_application("assigned", applicant=citizen.person, reviewer=reviewer)
    services.transition(actor=reviewer, application=application, action="approve")
    DBTaskResult.objects.all().delete()  # lost with a worker
    later = timezone.now() + datetime.timedelta(seconds=31)
    assert services.outcomes.produce_stranded() == 0  # too young
    assert services.outcomes.produce_stranded(now=later) == 1
    assert services.outcomes.produce_stranded(now=later) == 0  # its task is waiting
    services.outcomes._enqueue_result(application.pk)  # and a second one, by mistake
    run_tasks()
    application.refresh_from_db()
    assert application.status == "ready"
    assert Document.objects.filter(application=application, source="result").count() == 1
