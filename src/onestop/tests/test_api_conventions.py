"""The API conventions of CONTRACT.md: problem details, languages, auth, pagination."""

import json
from pathlib import Path

import pytest

from onestop.operations.management.commands.export_openapi import openapi_document
from onestop.tests import factories

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


def test_unknown_service_is_a_404_problem(api_client):
    body = assert_problem(api_client.get("/api/v1/services/no-such-service"), 404)
    assert "no-such-service" in body["detail"]


def test_unknown_path_is_a_404_problem(api_client):
    assert_problem(api_client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_a_405_problem(api_client):
    response = api_client.delete("/api/v1/services")
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_malformed_json_is_a_400_problem(api_client):
    response = api_client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_a_missing_field_is_a_422_naming_it(api_client):
    response = api_client.post(
        "/api/v1/auth/token?lang=en", {"username": "someone"}, content_type="application/json"
    )
    body = assert_problem(response, 422)
    assert body["errors"] == [
        {"field": "password", "code": "required", "message": "This field is required."}
    ]


def test_a_bad_query_field_is_a_422_naming_it(api_client):
    body = assert_problem(api_client.get("/api/v1/services?limit=abc"), 422)
    assert body["errors"][0]["field"] == "limit"
    body = assert_problem(api_client.get("/api/v1/services?channel=pigeon"), 422)
    assert body["errors"][0]["field"] == "channel"


def test_field_messages_come_in_the_callers_language(api_client):
    response = api_client.post(
        "/api/v1/auth/token?lang=ru", {"username": "someone"}, content_type="application/json"
    )
    body = assert_problem(response, 422)
    assert response["Content-Language"] == "ru"
    assert body["errors"][0]["message"] == "Это поле обязательно."


def test_login_gives_a_token_and_me_tells_who(api_client, logged_in, operator, centre):
    token = logged_in(operator)
    me = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == operator.username
    assert me["role"] == "operator"
    assert me["office"] == centre.code
    assert me["agency"] is None
    someone = factories.reviewer("passport")
    reviewer = api_client.get(
        "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {logged_in(someone)}"
    ).json()
    assert reviewer["role"] == "reviewer" and reviewer["agency"] and reviewer["office"] is None


def test_a_citizen_logs_in_with_the_iin(api_client, logged_in, citizen):
    me = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {logged_in(citizen)}").json()
    assert me["role"] == "citizen" and me["username"] == citizen.person.iin
    assert me["name"] == citizen.person.full_name


def test_wrong_password_is_a_401_problem(api_client, operator):
    factories.password(operator)
    response = api_client.post(
        "/api/v1/auth/token",
        {"username": operator.username, "password": "nope"},
        content_type="application/json",
    )
    assert_problem(response, 401)


@pytest.mark.parametrize("header", ["", "Bearer not-a-token", "Basic b3BlcmF0b3IxOmRlbW8="])
def test_me_without_a_valid_token_is_a_401_problem(api_client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api_client.get("/api/v1/me", **extra)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_tokens_are_stored_only_as_hashes(logged_in, operator):
    from onestop.people.models import ApiToken

    token = logged_in(operator)
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.objects.filter(user=operator).exists()


@pytest.mark.parametrize(
    ("query", "header", "language"),
    [
        ("?lang=kk", "", "kk"),
        ("?lang=ru", "", "ru"),
        ("?lang=en", "", "en"),
        ("", "ru-RU,ru;q=0.9", "ru"),
        ("", "en-GB,en;q=0.8", "en"),
        ("?lang=en", "ru", "en"),
    ],
)
def test_language_negotiation(api_client, query, header, language):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    response = api_client.get(f"/api/v1/services/passport{query}", **extra)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    from onestop.catalog.models import Service

    assert response.json()["name"] == getattr(
        Service.objects.get(code="passport"), f"name_{language}"
    )


def test_unsupported_language_falls_back_to_the_default(api_client, settings):
    from onestop.catalog.models import Service

    response = api_client.get("/api/v1/services/passport?lang=fr", HTTP_ACCEPT_LANGUAGE="de-DE")
    assert response["Content-Language"] == settings.LANGUAGE_CODE
    assert response.json()["name"] == getattr(
        Service.objects.get(code="passport"), f"name_{settings.LANGUAGE_CODE}"
    )


def test_pagination(api_client):
    everything = api_client.get("/api/v1/services?limit=200").json()
    assert everything["count"] == len(everything["items"]) >= 40
    page = api_client.get("/api/v1/services?limit=5&offset=5").json()
    assert page["count"] == everything["count"]
    assert [s["code"] for s in page["items"]] == [s["code"] for s in everything["items"][5:10]]
    assert_problem(api_client.get("/api/v1/services?limit=0"), 422)
    assert_problem(api_client.get("/api/v1/services?offset=-1"), 422)


def test_health(api_client):
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_every_response_carries_a_request_id(api_client):
    response = api_client.get("/api/v1/services/passport", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"
    assert len(api_client.get("/health")["X-Request-ID"]) == 32


def test_committed_openapi_document_matches_the_code():
    committed = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
    assert committed.exists(), "docs/openapi.json is missing: run make openapi"
    assert json.loads(committed.read_text()) == json.loads(openapi_document()), (
        "the API changed but docs/openapi.json did not: run `make openapi` and commit it"
    )


def test_openapi_is_served(api_client):
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/services/{code}" in response.json()["paths"]


def test_api_docs_page_needs_no_cdn(api_client):
    html = api_client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html


def test_no_two_schemas_of_the_api_share_a_name():
    """Two schemas of one name collapse into one in the document: /services was documented
    with an application's documents and steps."""
    from collections import defaultdict

    from ninja import Schema

    document = json.loads(openapi_document())
    classes, pending = defaultdict(set), [Schema]
    while pending:
        for cls in pending.pop().__subclasses__():
            pending.append(cls)
            if (
                cls.__module__.startswith("onestop.")
                and cls.__name__ in (document["components"]["schemas"])
            ):
                classes[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in classes.items() if len(where) > 1} == {}
    service = document["components"]["schemas"]["ServiceOut"]["properties"]
    assert service["documents"]["items"]["$ref"].endswith("/StandardDocumentOut")


def test_every_operation_documents_its_errors_as_problems():
    document = json.loads(openapi_document())
    problem = {"$ref": "#/components/schemas/ProblemOut"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "503" in responses, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"] == {PROBLEM: {"schema": problem}}, (status, path)
    token = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "429"} <= set(token)


def test_opening_hours_are_sent_as_the_document_says(api_client, centre):
    import re

    document = json.loads(openapi_document())
    opens = document["components"]["schemas"]["HoursOut"]["properties"]["opens"]
    assert "format" not in opens
    office = api_client.get(f"/api/v1/offices/{centre.code}").json()
    assert office["hours"]
    for hours in office["hours"]:
        assert re.fullmatch(opens["pattern"], hours["opens"]), hours
