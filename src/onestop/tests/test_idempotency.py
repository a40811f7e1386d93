"""What a client that lost an answer relies on: sending the same creating request again
with the same `Idempotency-Key` returns the first answer and creates nothing more, even
when the retries arrive at once; the key with another body is refused, naming the header."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from onestop.appointments.models import Appointment
from onestop.cases.models import Application
from onestop.operations.models import IdempotencyKey
from onestop.people.models import Role
from onestop.queueing.models import Ticket
from onestop.tests import factories
from onestop.tests.threads import at_once


def post(client, url, body, authorization, key=None):
    headers = {"HTTP_AUTHORIZATION": authorization}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, body, content_type="application/json", **headers)


def bearer(user_or_token) -> str:
    return factories.bearer(user_or_token)["HTTP_AUTHORIZATION"]


@pytest.fixture
def tickets(centre):
    """Where the centre's kiosk issues tickets."""
    return f"/api/v1/offices/{centre.code}/tickets"


@pytest.fixture
def kiosk(centre):
    return bearer(factories.device_token("kiosk", office=centre))


@pytest.fixture
def operator(centre):
    return bearer(factories.staff(Role.OPERATOR, office=centre))


@pytest.fixture
def filing(citizen, centre):
    """The body of an application filed at the counter for the citizen."""

    def body(service="real-estate-registration"):
        return {
            "service": service,
            "applicant": {"iin": citizen.person.iin},
            "channel": "oss",
            "office": centre.code,
        }

    return body


@pytest.mark.django_db
def test_a_retried_filing_returns_the_first_answer_and_files_once(
    api_client, operator, citizen, filing
):
    first = post(api_client, "/api/v1/applications", filing(), operator, key="k-1")
    assert first.status_code == 201, first.content
    again = post(api_client, "/api/v1/applications", filing(), operator, key="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(applicant=citizen.person).count() == 1
    # Without the header, or with a new key, it is a new request.
    assert post(api_client, "/api/v1/applications", filing(), operator).status_code == 201
    assert Application.objects.filter(applicant=citizen.person).count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_naming_the_header(
    api_client, operator, citizen, filing
):
    post(api_client, "/api/v1/applications", filing(), operator, key="k-2")
    other = post(api_client, "/api/v1/applications", filing("passport"), operator, key="k-2")
    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Application.objects.filter(applicant=citizen.person).count() == 1


@pytest.mark.django_db
def test_keys_are_each_callers_own(api_client, tickets, kiosk, manager):
    post(api_client, tickets, {"service": "passport"}, kiosk, key="k-3")
    manager = bearer(manager)
    assert post(api_client, tickets, {"service": "passport"}, manager, key="k-3").status_code == 201
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_leaves_the_key_free(api_client, operator, filing):
    bad = post(api_client, "/api/v1/applications", filing("no-such"), operator, key="k-4")
    assert bad.status_code in {404, 422}
    good = post(api_client, "/api/v1/applications", filing(), operator, key="k-4")
    assert good.status_code == 201


@pytest.mark.django_db
def test_a_key_expires(api_client, tickets, kiosk, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    first = post(api_client, tickets, {"service": "passport"}, kiosk, key="k-5")
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    second = post(api_client, tickets, {"service": "passport"}, kiosk, key="k-5")
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]


@pytest.mark.django_db
def test_a_booking_retried_books_once(api_client, citizen, centre):
    from onestop.appointments.tests.test_booking import at, coming_monday

    me = bearer(citizen)
    body = {
        "office": centre.code,
        "service": "passport",
        "start": at(coming_monday(), 10).isoformat(),
        "iin": citizen.person.iin,
    }
    first = post(api_client, "/api/v1/appointments", body, me, key="k-6")
    assert first.status_code == 201, first.content
    again = post(api_client, "/api/v1/appointments", body, me, key="k-6")
    assert again.json() == first.json()
    assert Appointment.objects.filter(person=citizen.person).count() == 1


@pytest.mark.django_db
def test_a_malformed_key_is_refused(api_client, tickets, kiosk):
    response = post(api_client, tickets, {"service": "passport"}, kiosk, key="x" * 256)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.django_db(transaction=True)
def test_retries_arriving_at_once_create_once():
    factories.reference_register()
    centre = factories.centre()
    tickets = f"/api/v1/offices/{centre.code}/tickets"
    kiosk = bearer(factories.device_token("kiosk", office=centre))
    answers: list = []

    def issue(_n: int) -> None:
        answers.append(post(Client(), tickets, {"service": "passport"}, kiosk, key="k-storm"))

    assert at_once(issue, 8) == []
    assert Ticket.objects.count() == 1
    created = [a for a in answers if a.status_code == 201]
    assert created and all(a.json() == created[0].json() for a in created)
    assert {a.status_code for a in answers} <= {201, 409}
    assert all(a["Retry-After"] for a in answers if a.status_code == 409)
