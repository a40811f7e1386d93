"""Security of the foundation: password guessing is limited, personal data access is logged,
production settings pass Django's deployment checks, no secret is in the repository."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from onestop.audit.models import AuditEvent
from onestop.tests import factories

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_password_guessing_on_one_account_is_stopped(api_client, settings, operator):
    factories.password(operator)
    # Ten failures in a day's window: the count cannot start again halfway through.
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "login-failures": "10/d"}
    for _ in range(10):
        response = api_client.post(
            "/api/v1/auth/token",
            {"username": operator.username, "password": "guess"},
            content_type="application/json",
        )
        assert response.status_code == 401
    response = api_client.post(
        "/api/v1/auth/token?lang=en",
        {"username": operator.username, "password": "guess"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.json()["detail"]


@pytest.mark.django_db
def test_rate_limits_can_be_lifted_for_load_tests(api_client, settings, operator):
    factories.password(operator)
    settings.RATE_LIMITS = False
    for _ in range(15):
        response = api_client.post(
            "/api/v1/auth/token",
            {"username": operator.username, "password": "guess"},
            content_type="application/json",
        )
        assert response.status_code == 401


@pytest.mark.django_db
def test_the_login_page_limits_guessing_too(client, settings, operator):
    factories.password(operator)
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "login-failures": "10/d"}
    for _ in range(10):
        assert (
            client.post("/login/", {"username": operator.username, "password": "wrong"}).status_code
            == 200
        )
    response = client.post("/login/?lang=en", {"username": operator.username, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


@pytest.mark.django_db
def test_opening_a_persons_record_is_logged(client):
    from onestop.people.models import User

    # The standards administrator has no access to people: a superuser here.
    client.force_login(User.objects.create_superuser(username="root", password=None))
    person = factories.person()
    response = client.get(f"/admin/people/person/{person.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="person.viewed").last()
    assert event.actor == "root" and event.object_id == str(person.pk)


@pytest.mark.django_db
def test_staff_without_admin_rights_cannot_open_the_admin(client, operator):
    client.post(
        "/login/", {"username": operator.username, "password": factories.password(operator)}
    )
    response = client.get("/admin/people/person/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        **os.environ,
        "ONESTOP_DATA_DIR": str(tmp_path),
        "ONESTOP_HTTPS": "on",
        "ONESTOP_DEBUG": "off",
        "ONESTOP_ALLOWED_HOSTS": "onestop.example.kz",
    }
    env.pop("ONESTOP_DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "onestop", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    key = tmp_path / "secret_key"
    assert (
        key.exists() and oct(key.stat().st_mode & 0o777) == "0o600" and len(key.read_text()) >= 50
    )


def test_no_secret_lies_in_the_source_tree():
    """Keys and databases live in the data directory, which is never part of the source."""
    skipped = {
        ".git",
        ".venv",
        "node_modules",
        "var",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
    }
    found = [
        path
        for path in ROOT.rglob("*")
        if not skipped & set(path.relative_to(ROOT).parts)
        and path.name.endswith(("secret_key", ".sqlite3", ".pem", ".key", ".p12"))
    ]
    assert found == []
    assert "var/" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.django_db
def test_a_page_session_cannot_change_things_through_the_api_without_the_csrf_token(
    operator, centre
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    browser.post(
        "/login/",
        {
            "username": operator.username,
            "password": factories.password(operator),
            "csrfmiddlewaretoken": token,
        },
    )
    body = {
        "service": "passport",
        "applicant": {"iin": factories.person().iin},
        "channel": "oss",
        "office": centre.code,
    }
    forged = browser.post("/api/v1/applications", body, content_type="application/json")
    assert forged.status_code == 403 and forged.json()["type"].endswith("csrf-failed")
    assert browser.get("/api/v1/me").status_code == 200  # reading needs no token
    token = browser.cookies["csrftoken"].value
    real = browser.post(
        "/api/v1/applications", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert real.status_code == 201, real.content
