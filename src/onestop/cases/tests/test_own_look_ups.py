"""A person's own look-up is kept a few seconds under the person: a change committed in
this process shows at once, one made elsewhere (another process: no signal reaches this one)
within OWN_ANSWER_SECONDS, and nobody else is ever given it."""

import time
from types import SimpleNamespace

from onestop.cases import selectors
from onestop.cases.models import Application
from onestop.tests import factories


def _status(api_client, user, number):
    response = api_client.get(f"/api/v1/applications/{number}?lang=en", **factories.bearer(user))
    return response.status_code, response.json().get("status")


def test_a_change_made_elsewhere_shows_within_the_time_kept(
    api_client, make_application, monkeypatch
):
    citizen = factories.citizen()
    application = make_application(applicant=citizen.person)
    assert _status(api_client, citizen, application.number) == (200, "submitted")

    # Another process moves it on: this process hears nothing of it.
    Application.objects.filter(pk=application.pk).update(status="accepted")
    assert _status(api_client, citizen, application.number) == (200, "submitted")

    later = time.time() + selectors.OWN_ANSWER_SECONDS + 1
    monkeypatch.setattr(
        "django.core.cache.backends.locmem.time", SimpleNamespace(time=lambda: later)
    )
    assert _status(api_client, citizen, application.number) == (200, "accepted")


def test_a_change_saved_here_shows_at_once(
    api_client, make_application, django_capture_on_commit_callbacks
):
    citizen = factories.citizen()
    application = make_application(applicant=citizen.person)
    assert _status(api_client, citizen, application.number) == (200, "submitted")
    with django_capture_on_commit_callbacks(execute=True):  # saved and committed
        application.status = "accepted"
        application.save()
    assert _status(api_client, citizen, application.number) == (200, "accepted")


def test_nobody_else_is_given_a_kept_answer(api_client, make_application):
    owner, stranger = factories.citizen(), factories.citizen()
    application = make_application(applicant=owner.person)
    assert _status(api_client, owner, application.number)[0] == 200
    assert _status(api_client, stranger, application.number)[0] == 404
