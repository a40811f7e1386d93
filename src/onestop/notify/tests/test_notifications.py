"""What a person relies on: a status change reaches her on each channel she has, in her
language; a message that can never arrive is not retried, one that failed for now is; and
e-mail leaves through Django's configured backend."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onestop.cases.models import Application
from onestop.catalog.models import Service
from onestop.notify import services
from onestop.notify.models import Notification, SandboxSms
from onestop.people.models import Person, Role, User

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"
EMAIL = "aigerim@example.kz"


@pytest.fixture
def application():
    """A passport application of a person with a phone and an e-mail, in Russian."""
    citizen = User.objects.filter(role=Role.CITIZEN).select_related("person").first()
    person = citizen.person
    Person.objects.filter(pk=person.pk).update(phone=PHONE, email=EMAIL, language="ru")
    service = Service.objects.select_related("current_standard", "agency").get(code="passport")
    now = timezone.now()
    return Application.objects.create(
        number=f"N{now:%H%M%S%f}",
        service=service,
        standard=service.current_standard,
        applicant=person,
        channel="portal",
        filed_by=citizen,
        agency=service.agency,
        status="accepted",
        submitted_at=now,
    )


def speak(application: Application, language: str) -> None:
    Person.objects.filter(pk=application.applicant_id).update(language=language)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", "принято и передано в ведомство"),
        ("kk", "қабылданып, мекемеге жіберілді"),
        ("en", "is accepted and sent to the agency"),
    ],
)
def test_a_status_change_is_one_message_per_channel_in_the_persons_language(
    application, language, words
):
    speak(application, language)
    messages = services.notify_status_change(application_id=application.pk, status="accepted")
    assert sorted((m.channel, m.recipient) for m in messages) == [("email", EMAIL), ("sms", PHONE)]
    for message in messages:
        assert message.language == language and message.event == "accepted"
        assert application.number in message.text and words in message.text
        assert message.state == Notification.State.QUEUED
    # Each is sent by a task written with it, never by the change itself.
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_notification").count() == 2


def test_the_task_sends_the_sms_to_the_gateway_and_the_email_through_django(
    application, run_tasks, mailoutbox
):
    services.notify_status_change(application_id=application.pk, status="accepted")
    assert run_tasks() == 2
    sms = SandboxSms.objects.get(phone=PHONE)
    assert application.number in sms.text and "принято" in sms.text
    [email] = mailoutbox
    assert email.to == [EMAIL] and email.subject == f"Ваше заявление {application.number}"
    assert "принято" in email.body
    assert set(Notification.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_a_number_the_gateway_refuses_fails_at_once_and_is_not_retried(
    application, run_tasks, django_capture_on_commit_callbacks
):
    Person.objects.filter(pk=application.applicant_id).update(phone="8 701 123 45 67")
    services.notify_status_change(application_id=application.pk, status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks(include_later=True)
    sms = Notification.objects.get(channel="sms")
    assert sms.state == "failed" and sms.attempts == 1 and "not a mobile number" in sms.last_error
    assert not SandboxSms.objects.exists()
    assert run_tasks(include_later=True) == 0  # nothing left to try


def test_a_gateway_that_is_down_is_tried_again_later(
    application, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.SANDBOX_SMS_DOWN = True
    services.notify_status_change(application_id=application.pk, status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    sms = Notification.objects.get(channel="sms")
    assert sms.state == "queued" and sms.attempts == 1 and "down" in sms.last_error
    later = DBTaskResult.objects.filter(status="READY").get()
    assert later.run_after > timezone.now()  # after a pause, not at once
    settings.SANDBOX_SMS_DOWN = False
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks(include_later=True)
    sms.refresh_from_db()
    assert sms.state == "sent" and sms.attempts == 2
    assert SandboxSms.objects.filter(phone=PHONE).count() == 1


def test_a_gateway_that_never_answers_is_given_up_after_the_last_attempt(
    application, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.SANDBOX_SMS_DOWN = True
    Person.objects.filter(pk=application.applicant_id).update(email="")
    services.notify_status_change(application_id=application.pk, status="accepted")
    for _attempt in range(services.MAX_ATTEMPTS + 1):
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks(include_later=True)
    sms = Notification.objects.get(channel="sms")
    assert sms.state == "failed" and sms.attempts == services.MAX_ATTEMPTS


def test_an_email_server_that_fails_is_tried_again(
    application, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    Person.objects.filter(pk=application.applicant_id).update(phone="")
    services.notify_status_change(application_id=application.pk, status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    email = Notification.objects.get(channel="email")
    assert email.state == "queued" and email.attempts == 1 and email.last_error


def test_a_part_of_a_life_situation_tells_only_its_result_or_a_refusal(application):
    parent = Application.objects.create(
        number=f"{application.number}-P",
        applicant=application.applicant,
        channel="portal",
        filed_by=application.filed_by,
        status="submitted",
        submitted_at=application.submitted_at,
    )
    Application.objects.filter(pk=application.pk).update(parent=parent)
    assert services.notify_status_change(application_id=application.pk, status="accepted") == []
    assert len(services.notify_status_change(application_id=application.pk, status="ready")) == 2
