"""Status look-ups answered from what the process kept (onestop/answers.py): never an answer
older than the application, never one for someone who may not see it, staff reads logged
every time. The revision the answers are kept under is moved by triggers in the database
(migration cases/0003), so these tests change the rows the plainest ways there are."""

import datetime

from django.db import connection
from django.utils import timezone

from onestop.audit.models import AuditEvent
from onestop.cases.api import ApplicationOut
from onestop.cases.models import Application, Document, StatusChange, StepRecord
from onestop.people.models import Person, User


def _look_up(api_client, token, number, lang="en"):
    response = api_client.get(
        f"/api/v1/applications/{number}?lang={lang}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response


def _revision(application) -> int:
    return Application.objects.values_list("revision", flat=True).get(pk=application.pk)


def test_each_change_to_what_a_look_up_shows_moves_the_revision_on(make_application, citizen):
    application = make_application(applicant=citizen.person)
    seen = [_revision(application)]

    def moved() -> bool:
        seen.append(_revision(application))
        return seen[-1] > seen[-2]

    Application.objects.filter(pk=application.pk).update(overdue=True)
    assert moved()
    now = timezone.now()
    StatusChange.objects.create(application=application, action="accept", status="accepted", at=now)
    assert moved()
    document = Document.objects.create(application=application, source="applicant", name="a.pdf")
    assert moved()
    Document.objects.filter(pk=document.pk).update(name="b.pdf")
    assert moved()
    document.delete()
    assert moved()
    StepRecord.objects.create(
        application=application,
        code="photo",
        position=1,
        station="window 2",
        done_at=now,
        actor=User.objects.get(username="operator1"),
    )
    assert moved()
    # The ORM writes back the revision it read; the database moves it on all the same.
    stale = Application.objects.get(pk=application.pk)
    Application.objects.filter(pk=application.pk).update(status="accepted")
    assert moved()
    stale.decision_reason = "written from an old copy"
    stale.save()
    assert moved()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_application SET channel = 'portal' WHERE id = %s", [stale.pk])
    assert moved()


def test_a_change_to_a_part_moves_its_life_situation_on(make_application, citizen):
    parent = make_application(applicant=citizen.person)
    part = make_application(applicant=citizen.person)
    before = _revision(parent)
    Application.objects.filter(pk=part.pk).update(parent=parent)
    assert _revision(parent) > before
    before = _revision(parent)
    Application.objects.filter(pk=part.pk).update(status="ready")
    assert _revision(parent) > before
    before = _revision(parent)
    StatusChange.objects.create(
        application=part, action="approve", status="ready", at=timezone.now()
    )
    assert _revision(parent) > before


def test_a_look_up_answers_what_changed_since_the_last_one(
    api_client, token_for, make_application, citizen
):
    application = make_application(applicant=citizen.person)
    token = token_for(citizen.username)
    first = _look_up(api_client, token, application.number)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json; charset=utf-8"
    assert set(first.json()) == set(ApplicationOut.model_fields)
    assert first.json()["reviewer"] is None
    assert _look_up(api_client, token, application.number).content == first.content

    Application.objects.filter(pk=application.pk).update(status="accepted", overdue=True)
    StatusChange.objects.create(
        application=application, action="accept", status="accepted", at=timezone.now()
    )
    Document.objects.create(application=application, source="registry", name="Title deed")
    now = _look_up(api_client, token, application.number).json()
    assert (now["status"], now["overdue"]) == ("accepted", True)
    assert [h["status"] for h in now["history"]] == ["submitted", "accepted"]
    assert [d["name"] for d in now["documents"]] == ["Title deed"]


def test_a_kept_answer_is_in_the_language_asked_for(
    api_client, token_for, make_application, citizen
):
    application = make_application(applicant=citizen.person)
    token = token_for(citizen.username)
    names = {
        lang: _look_up(api_client, token, application.number, lang).json()["status_name"]
        for lang in ("kk", "ru", "en", "kk")
    }
    assert len(set(names.values())) == 3


def test_a_kept_answer_is_never_given_to_someone_who_may_not_see_it(
    api_client, token_for, make_application, citizen
):
    application = make_application(applicant=citizen.person)
    assert _look_up(api_client, token_for(citizen.username), application.number).status_code == 200
    other = User.objects.filter(role="citizen", person__isnull=False).exclude(pk=citizen.pk).first()
    assert other.person_id != citizen.person_id
    refused = _look_up(api_client, token_for(other.username), application.number)
    assert refused.status_code == 404
    assert "history" not in refused.json()


def test_staff_look_ups_are_logged_every_time_and_only_staff_see_the_reviewer(
    api_client, token_for, make_application, citizen
):
    application = make_application(applicant=citizen.person, reviewer="reviewer1")
    operator, reviewer = token_for("operator1"), token_for("reviewer1")
    for _ in range(3):
        seen = _look_up(api_client, operator, application.number).json()
        assert "reviewer" not in seen or seen["reviewer"] is None
    assert _look_up(api_client, reviewer, application.number).json()["reviewer"]["username"] == (
        "reviewer1"
    )
    views = AuditEvent.objects.filter(
        action="application.viewed", object_type="cases.application", object_id=str(application.pk)
    )
    assert sorted(views.values_list("actor", flat=True)) == ["operator1"] * 3 + ["reviewer1"]


def test_a_person_renamed_shows_within_the_layout_time(
    api_client, token_for, make_application, citizen, settings
):
    """Names the revision does not follow show once the kept answer is older than
    ONESTOP_LAYOUT_CACHE_SECONDS."""
    application = make_application(applicant=citizen.person)
    token = token_for(citizen.username)
    assert _look_up(api_client, token, application.number).status_code == 200
    Person.objects.filter(pk=citizen.person_id).update(last_name="Renamedova")
    settings.LAYOUT_CACHE_SECONDS = 0
    renamed = _look_up(api_client, token, application.number).json()
    assert "Renamedova" in renamed["applicant"]["name"]
    assert datetime.datetime.fromisoformat(renamed["submitted_at"])
