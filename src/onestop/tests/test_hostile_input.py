"""Hostile input never reaches a server error: every parameter of every operation in the
API's own document, in the path, the query and the body, is sent values that broke it
before (a lone surrogate, a NUL byte, year 1 and year 9999, huge numbers, very long text,
the wrong type), by each kind of caller that gets past the role check."""

import datetime
import json
from urllib.parse import quote

import pytest
from django.test import Client

from onestop.api import api
from onestop.people.models import Role
from onestop.tests import factories

pytestmark = [pytest.mark.probe, pytest.mark.django_db]

HOSTILE = [
    "\ud800",
    "a\x00b",
    "\u202eevil",
    "9" * 400,
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    10**30,
    -1,
    True,
    None,
    [],
    {"\ud800": "\x00"},
]

# What each kind of path parameter is when it is not the one being broken: real codes
# (the test's centre for `code`), so that the request reaches the code behind the schema.
PATH_DEFAULTS = {
    "window": "1",
    "number": "A-1",
    "ticket_id": "1",
    "appointment_id": "1",
    "visit_id": "1",
    "follow_code": "ABCDEF",
}
QUERY_DEFAULTS = {"service": "passport", "date": "2030-01-02"}
# Between them these reach every operation past its role check.
CALLERS = ["citizen", "operator", "manager", "mobile operator"]


@pytest.fixture
def centre(db):
    """The centre the requests name, open around the clock."""
    return factories.centre()


def _body_default(name: str, schema: dict, office: str):
    kind = schema.get("type")
    if name in ("service",):
        return "passport"
    if name in ("office",):
        return office
    if name in ("iin", "bin"):
        return ""
    if name in ("start", "scheduled_for", "captured_at"):
        return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).isoformat()
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return "x"


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _operations():
    document = api.get_openapi_schema()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            params = operation.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {})
            body = None
            if "application/json" in content:
                body = _resolve(document, content["application/json"]["schema"])
            yield method, path, params, body, document


def _requests(office: str):
    """(method, url, json body or None) with one parameter broken at a time."""
    defaults = {**PATH_DEFAULTS, "code": office}
    for method, path, params, body_schema, document in _operations():
        path_params = {p["name"]: defaults.get(p["name"], "1") for p in params if p["in"] == "path"}
        query_params = [p["name"] for p in params if p["in"] == "query"]
        body = None
        if body_schema is not None:
            properties = body_schema.get("properties", {})
            body = {
                name: _body_default(name, _resolve(document, schema), office)
                for name, schema in properties.items()
            }

        def url(path_values, query="", path=path):
            filled = path
            for name, value in path_values.items():
                filled = filled.replace(
                    "{" + name + "}", quote(str(value), safe="", errors="surrogatepass")
                )
            return filled + (("?" + query) if query else "")

        yield method, url(path_params), body
        for value in HOSTILE:
            text = value if isinstance(value, str) else json.dumps(value)
            encoded = quote(text, safe="", errors="surrogatepass")
            for name in path_params:
                if text:
                    yield method, url({**path_params, name: text}), body
            for name in query_params:
                others = "".join(
                    f"&{other}={QUERY_DEFAULTS[other]}"
                    for other in query_params
                    if other != name and other in QUERY_DEFAULTS
                )
                yield method, url(path_params, f"{name}={encoded}{others}"), body
            if body is not None:
                for name in body:
                    yield method, url(path_params), {**body, name: value}
                yield method, url(path_params), value


def _client(caller: str, centre) -> Client:
    """A client calling as `caller`: a citizen, the centre's operator or manager, or an
    operator of a mobile centre."""
    if caller == "anonymous":
        return Client()
    if caller == "citizen":
        account = factories.citizen()
    elif caller == "mobile operator":
        account = factories.staff(Role.OPERATOR, office=factories.mobile_centre(), window=1)
    else:
        account = factories.staff(caller, office=centre)
    return Client(**factories.bearer(account))


def _send(client: Client, method: str, url: str, body) -> int:
    if body is None and method in ("get", "delete"):
        response = getattr(client, method)(url)
    else:
        data = json.dumps(body) if body is not None else ""
        response = getattr(client, method)(url, data, content_type="application/json")
    return response.status_code


@pytest.mark.parametrize("caller", CALLERS)
def test_no_parameter_of_any_operation_makes_a_server_error(caller, settings, centre):
    settings.RATE_LIMITS = False
    client = _client(caller, centre)
    failures = []
    for method, url, body in _requests(centre.code):
        status = _send(client, method, url, body)
        if status >= 500:
            failures.append(f"{status} {method.upper()} {url[:120]} {json.dumps(body)[:200]}")
    assert not failures, "\n".join(failures)


def test_a_lone_surrogate_in_the_login_name_is_refused_naming_it(api_client):
    for field in ("username", "password"):
        body = {"username": "someone", "password": "x", field: "\ud800"}
        response = api_client.post(
            "/api/v1/auth/token", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == field


def test_year_9999_and_year_1_in_slots_and_appointments_are_refused_naming_the_field(
    api_client, centre
):
    for day in ("9999-12-31", "0001-01-01"):
        response = api_client.get(
            f"/api/v1/offices/{centre.code}/slots?service=passport&date={day}"
        )
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == "date"
    citizen = factories.bearer(factories.citizen())
    for start in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        body = {"office": centre.code, "service": "passport", "start": start}
        response = api_client.post(
            "/api/v1/appointments", json.dumps(body), content_type="application/json", **citizen
        )
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == "start"


def test_a_nul_in_a_query_or_a_path_is_refused(api_client):
    response = api_client.get("/api/v1/services?q=a%00b")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"
    assert api_client.get("/api/v1/services/a%00b").status_code == 404
