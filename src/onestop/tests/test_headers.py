"""What every answer tells the browser: a Content-Security-Policy with no inline script,
the browser features a page may use, and `Cache-Control: no-store` wherever the answer
is about a person, so that no copy stays in a shared computer's or a proxy's cache."""

import base64

import pytest
from django.test import Client

from onestop.cases.models import Application
from onestop.tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def not_stored(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/services/", "/login/", "/admin/login/", "/api/v1/docs"])
def test_every_page_forbids_inline_script_framing_and_foreign_sources(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    features = dict(
        part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_no_template_carries_inline_script_or_event_handlers(settings):
    import re

    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
        r"|\son[a-z]+\s*=|javascript:|<style|\sstyle=",
        re.IGNORECASE,
    )
    found = [
        f"{template}: {match.group(0)}"
        for template in settings.BASE_DIR.rglob("templates/**/*.html")
        for match in inline.finditer(template.read_text())
    ]
    assert not found


@pytest.fixture
def filed(settings, tmp_path, operator, citizen, centre):
    """An application filed at the counter with one document, and the operator's token."""
    settings.MEDIA_ROOT = tmp_path
    token = factories.token(operator)
    response = Client().post(
        "/api/v1/applications",
        {
            "service": "real-estate-registration",
            "applicant": {"iin": citizen.person.iin},
            "channel": "oss",
            "office": centre.code,
            "documents": [
                {"name": "deed.pdf", "document": 0, "content": base64.b64encode(PDF).decode()}
            ],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    return Application.objects.get(number=response.json()["number"]), token


def test_answers_about_people_are_never_stored(filed, centre, operator, manager, kiosk):
    application, token = filed
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    ticket = Client().post(
        f"/api/v1/offices/{centre.code}/tickets",
        {"service": "passport", "priority": False},
        content_type="application/json",
        **kiosk,
    )
    assert ticket.status_code == 201, ticket.content
    answers = {
        "issued ticket (kiosk)": ticket,
        "followed ticket (anyone with its code)": Client().get(
            f"/api/v1/tickets/follow/{ticket.json()['follow_code']}"
        ),
        "ticket page (anyone with its code)": Client().get(
            f"/queue/t/{ticket.json()['follow_code']}/"
        ),
    }
    for path in (
        "/api/v1/me",
        "/api/v1/applications",
        f"/api/v1/applications/{application.number}",
        "/api/v1/appointments",
        "/api/v1/home-visits",
        f"/api/v1/tickets/{ticket.json()['id']}",
    ):
        answers[path] = api.get(path)

    page = Client()
    page.force_login(operator)
    for path in (
        "/applications/",
        f"/applications/{application.number}/",
        "/queue/window/",
        "/appointments/",
        "/services/",  # a public page, but it names the person logged in
    ):
        answers[f"page {path}"] = page.get(path)
    manager_page = Client()
    manager_page.force_login(manager)
    answers["page /mobile/home-visits/"] = manager_page.get("/mobile/home-visits/")

    for what, response in answers.items():
        assert response.status_code in (200, 201), (what, response.status_code)
        assert not_stored(response), (what, response.get("Cache-Control"))


def test_public_answers_stay_cacheable(client, centre):
    for path in (
        "/",
        "/services/",
        "/centres/",
        "/api/v1/services",
        "/api/v1/services/passport",
        "/api/v1/offices",
        f"/api/v1/offices/{centre.code}",
        f"/api/v1/offices/{centre.code}/board",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not not_stored(response), (path, response.get("Cache-Control"))
