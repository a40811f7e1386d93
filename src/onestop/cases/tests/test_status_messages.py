"""The messages that tell people what happened to their applications: a return or a
refusal says why, in the words the staff gave; other messages say what happened without
reading the application's history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.cases import services
from onestop.notify.models import Notification
from onestop.notify.services import notify_status_change

pytestmark = pytest.mark.django_db


def _sms(application, event: str) -> str:
    return Notification.objects.get(application=application, channel="sms", event=event).text


def test_a_return_tells_the_person_what_to_bring(
    make_application, operator, citizen, django_capture_on_commit_callbacks
):
    application = make_application(applicant=citizen.person)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            actor=operator,
            application=application,
            action="return",
            reason="Bring the technical passport of the flat.",
        )
    text = _sms(application, "returned")
    assert application.number in text
    assert text.endswith("Bring the technical passport of the flat.")


def test_a_refusal_gives_the_reviewers_reason(make_application, citizen):
    application = make_application("rejected", applicant=citizen.person)
    application.decision_reason = "The plot is under arrest by a court's order."
    application.save(update_fields=["decision_reason"])
    notify_status_change(application_id=application.pk, status="rejected")
    assert _sms(application, "rejected").endswith("The plot is under arrest by a court's order.")


def test_a_receipt_is_written_without_reading_the_history(make_application, citizen):
    application = make_application(applicant=citizen.person)
    with CaptureQueriesContext(connection) as queries:
        notify_status_change(application_id=application.pk, status="submitted")
    assert application.number in _sms(application, "submitted")
    assert not [q["sql"] for q in queries.captured_queries if "cases_statuschange" in q["sql"]]


def test_a_message_is_never_stored_without_the_task_that_sends_it(
    make_application, citizen, monkeypatch
):
    from onestop.notify import services as notify_services

    def queue_down(notification_id, *, attempt):
        raise OSError("the task queue cannot be written")

    application = make_application(applicant=citizen.person)
    monkeypatch.setattr(notify_services, "_enqueue", queue_down)
    with pytest.raises(OSError):
        notify_status_change(application_id=application.pk, status="submitted")
    assert not Notification.objects.filter(application=application).exists()
