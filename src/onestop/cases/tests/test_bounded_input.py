"""Filing is bounded: the free-form data in size, depth and keys, every text field in
length and in the characters it may hold, and the number of applications filed for one
person in an hour."""

import json

import pytest
from django.contrib.messages import get_messages

from onestop.cases.models import Application
from onestop.people.models import Role
from onestop.tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications"


@pytest.fixture
def token(centre):
    """The bearer token of an operator at window 3 of the test's centre."""
    return factories.token(factories.staff(Role.OPERATOR, office=centre, window=3))


@pytest.fixture
def file(api_client, centre):
    """Files the reviewed service at the test's centre for `citizen`, with `token`."""

    def post(token, citizen, **fields):
        body = {
            "service": "real-estate-registration",
            "applicant": {"iin": citizen.person.iin},
            "channel": "oss",
            "office": centre.code,
            **fields,
        }
        return api_client.post(
            URL,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return post


def fields_of(response) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"note": "x" * 70_000}, "too_large"),
        ({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, "too_deep"),
        ({f"k{i}": i for i in range(600)}, "too_many_keys"),
    ],
)
def test_unbounded_data_is_refused_naming_the_field(file, token, citizen, data, code):
    before = Application.objects.count()
    response = file(token, citizen, data=data)
    assert response.status_code == 422, response.content
    assert fields_of(response) == [("data", code)]
    assert Application.objects.count() == before


def test_data_of_an_ordinary_form_is_accepted(file, token, citizen):
    data = {"address": "Астана, ул. Абая 1", "rooms": 3, "owners": [{"iin": "x"}] * 5}
    response = file(token, citizen, data=data)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"office": "x" * 500}, "office"),
        ({"service": "x" * 500}, "service"),
        ({"applicant": {"iin": "9" * 500}}, "applicant.iin"),
        ({"documents": [{"name": "a.pdf", "content": "AA=="}] * 21}, "documents"),
        ({"documents": [{"name": "x" * 400 + ".pdf", "content": "AA=="}]}, "documents.0.name"),
    ],
)
def test_every_text_and_list_is_bounded(file, token, citizen, fields, field):
    response = file(token, citizen, **fields)
    assert response.status_code == 422, response.content
    assert fields_of(response)[0][0] == field


@pytest.mark.parametrize(
    "name", ["invoice\u202efdp.exe", "a\x00b.pdf", "tab\x07.pdf", "\ud800.pdf"]
)
def test_a_file_name_with_a_control_character_is_refused(file, token, citizen, name):
    document = {"name": name, "document": 0, "content": "JVBERi0xLjQK"}
    response = file(token, citizen, documents=[document])
    assert response.status_code == 422, response.content
    assert fields_of(response)[0] in [
        ("documents.0.name", "control_character"),
        ("name", "control_character"),
    ]


def test_filing_is_limited_per_person_and_only_filings_count(
    api_client, file, token, centre, citizen, settings
):
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "filing-person": "2/h"}
    # Refused attempts in the person's name do not use up his or her quota.
    for _ in range(3):
        assert file(token, citizen, office="nowhere").status_code >= 400
    assert file(token, citizen).status_code == 201
    assert file(token, citizen).status_code == 201
    refused = file(token, citizen)
    assert refused.status_code == 429, refused.content
    assert int(refused["Retry-After"]) > 0
    # Another person is not held back by the first one's filings.
    other = factories.person()
    factories.known_to_registries()
    assert other.pk != citizen.person.pk
    body = {
        "service": "real-estate-registration",
        "applicant": {"iin": other.iin},
        "channel": "oss",
        "office": centre.code,
    }
    response = api_client.post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201, response.content


def test_filing_a_page_form_is_limited_too(client, citizen, settings):
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "filing-person": "1/h"}
    client.force_login(citizen)
    from onestop.catalog.models import LifeSituation

    situation = LifeSituation.objects.order_by("code").first()
    url = f"/applications/life-situations/{situation.code}/"
    mine = Application.objects.filter(applicant=citizen.person, parent__isnull=True)
    client.post(url, {"child_name": "Айгерім"})
    assert mine.count() == 1
    client.post(url, {"child_name": "Айгерім"})
    assert mine.count() == 1


def test_a_page_form_refuses_a_control_character_naming_the_field(client, citizen):
    client.force_login(citizen)
    from onestop.catalog.models import LifeSituation

    situation = LifeSituation.objects.order_by("code").first()
    url = f"/applications/life-situations/{situation.code}/"
    response = client.post(url, {"child_name": "evil\u202egnp.exe"}, follow=True)
    assert not Application.objects.filter(applicant=citizen.person).exists()
    shown = response.content.decode() + " ".join(
        str(m) for m in get_messages(response.wsgi_request)
    )
    assert "U+202E" in shown


@pytest.mark.parametrize("reason", ["ok\u202etxt", "bell\x07", "zero\u200bwidth", "\ufeffbom"])
def test_a_reason_with_a_control_character_is_refused_by_the_api_and_the_page(
    api_client, client, operator, make_application, reason
):
    application = make_application("submitted")
    url = f"/api/v1/applications/{application.number}/transitions"
    response = api_client.post(
        url,
        json.dumps({"action": "return", "reason": reason}),
        content_type="application/json",
        **factories.bearer(operator),
    )
    assert response.status_code == 422, response.content
    assert fields_of(response) == [("reason", "control_character")]
    client.force_login(operator)
    client.post(f"/applications/{application.number}/act/", {"action": "return", "reason": reason})
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_reason_in_another_script_with_its_joiners_is_accepted(
    api_client, operator, make_application
):
    application = make_application("submitted")
    response = api_client.post(
        f"/api/v1/applications/{application.number}/transitions",
        json.dumps({"action": "return", "reason": "Құжат жоқ.\nمی\u200cخواهم"}),
        content_type="application/json",
        **factories.bearer(operator),
    )
    assert response.status_code == 200, response.content
