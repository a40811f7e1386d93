"""Status look-ups (GET /api/v1/applications/{number}): kept in Django's cache under the
application's last change, never older than the application, never given to someone who
may not see it, staff reads logged every time."""

from django.utils import timezone

from onestop.audit.models import AuditEvent
from onestop.cases.api import ApplicationOut
from onestop.cases.models import Document, StatusChange
from onestop.people.models import Person
from onestop.tests import factories


def _look_up(api_client, token, number, lang="en"):
    return api_client.get(
        f"/api/v1/applications/{number}?lang={lang}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_look_up_answers_what_changed_since_the_last_one(
    api_client, make_application, citizen, django_capture_on_commit_callbacks
):
    application = make_application(applicant=citizen.person)
    token = factories.token(citizen)
    first = _look_up(api_client, token, application.number)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json; charset=utf-8"
    assert set(first.json()) == set(ApplicationOut.model_fields)
    assert first.json()["reviewer"] is None
    assert _look_up(api_client, token, application.number).content == first.content

    # As a service changes it: the history and documents written, the application saved,
    # committed.
    with django_capture_on_commit_callbacks(execute=True):
        StatusChange.objects.create(
            application=application, action="accept", status="accepted", at=timezone.now()
        )
        Document.objects.create(application=application, source="registry", name="Title deed")
        application.status, application.overdue = "accepted", True
        application.save()
    now = _look_up(api_client, token, application.number).json()
    assert (now["status"], now["overdue"]) == ("accepted", True)
    assert [h["status"] for h in now["history"]] == ["submitted", "accepted"]
    assert [d["name"] for d in now["documents"]] == ["Title deed"]


def test_a_look_up_is_in_the_language_asked_for(api_client, make_application, citizen):
    application = make_application(applicant=citizen.person)
    token = factories.token(citizen)
    names = {
        lang: _look_up(api_client, token, application.number, lang).json()["status_name"]
        for lang in ("kk", "ru", "en", "kk")
    }
    assert len(set(names.values())) == 3


def test_a_look_up_is_never_given_to_someone_who_may_not_see_it(
    api_client, make_application, citizen
):
    application = make_application(applicant=citizen.person)
    assert _look_up(api_client, factories.token(citizen), application.number).status_code == 200
    other = factories.citizen()
    assert other.person_id != citizen.person_id
    refused = _look_up(api_client, factories.token(other), application.number)
    assert refused.status_code == 404
    assert "history" not in refused.json()


def test_staff_look_ups_are_logged_every_time_and_only_staff_see_the_reviewer(
    api_client, operator, reviewer, make_application, citizen
):
    application = make_application(applicant=citizen.person, reviewer=reviewer)
    operator_token, reviewer_token = factories.token(operator), factories.token(reviewer)
    for _ in range(3):
        seen = _look_up(api_client, operator_token, application.number).json()
        assert "reviewer" not in seen or seen["reviewer"] is None
    assert _look_up(api_client, reviewer_token, application.number).json()["reviewer"][
        "username"
    ] == (reviewer.username)
    views = AuditEvent.objects.filter(
        action="application.viewed", object_type="cases.application", object_id=str(application.pk)
    )
    assert sorted(views.values_list("actor", flat=True)) == sorted(
        [operator.username] * 3 + [reviewer.username]
    )


def test_a_person_renamed_shows_within_the_layout_time(
    api_client, make_application, citizen, settings
):
    """Names the application's last change does not follow show once the kept answer is
    older than ONESTOP_LAYOUT_CACHE_SECONDS."""
    from django.core.cache import cache

    application = make_application(applicant=citizen.person)
    token = factories.token(citizen)
    assert _look_up(api_client, token, application.number).status_code == 200
    Person.objects.filter(pk=citizen.person_id).update(last_name="Renamedova")
    cache.clear()  # what the timeout does after ONESTOP_LAYOUT_CACHE_SECONDS
    renamed = _look_up(api_client, token, application.number).json()
    assert "Renamedova" in renamed["applicant"]["name"]


def test_documents_steps_and_parts_changed_by_services_show_at_the_next_look_up(
    api_client, operator, make_application, citizen, django_capture_on_commit_callbacks
):
    """The services that change what a look-up shows without moving the status save the
    application too: documents added, a step recorded, a part of a life situation moved."""
    from onestop.cases import services
    from onestop.cases.models import Application
    from onestop.cases.uploads import Upload

    token = factories.token(citizen)
    application = make_application(applicant=citizen.person)
    assert _look_up(api_client, token, application.number).json()["documents"] == []
    with django_capture_on_commit_callbacks(execute=True):
        services.add_documents(
            actor=operator,
            application=application,
            uploads=[Upload(name="plan.pdf", content=b"%PDF-1.4\n%%EOF\n", for_document=0)],
        )
    documents = _look_up(api_client, token, application.number).json()["documents"]
    assert [d["name"] for d in documents] == ["plan.pdf"]

    licence = make_application("accepted", service="driving-licence", applicant=citizen.person)
    Application.objects.filter(pk=licence.pk).update(office=operator.office)
    assert all(
        s["done_at"] is None for s in _look_up(api_client, token, licence.number).json()["steps"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.record_step(actor=operator, application=licence, step="photo", station="booth 1")
    steps = _look_up(api_client, token, licence.number).json()["steps"]
    assert steps[0]["station"] == "booth 1"

    parent = make_application("assigned", applicant=citizen.person)
    part = make_application("assigned", applicant=citizen.person)
    Application.objects.filter(pk=part.pk).update(parent=parent)
    assert _look_up(api_client, token, parent.number).json()["parts"][0]["status"] == "assigned"
    Application.objects.filter(pk=part.pk).update(status="approved")
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_bundle(parent.pk)
    assert _look_up(api_client, token, parent.number).json()["parts"][0]["status"] == "approved"
