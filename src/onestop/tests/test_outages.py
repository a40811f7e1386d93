"""What a caller relies on when the database is gone for a moment (a restart, a network
cut, a disk unmounted): a 503 with Retry-After, as a problem in the API and as a page in
the browser, never a 500; and service again as soon as the database is back."""

import contextlib

import pytest
from django.db import connection
from django.test import Client

from onestop.people.models import Role
from onestop.tests import factories


@contextlib.contextmanager
def database_gone():
    """The next connection cannot be made: PostgreSQL refuses on its port, SQLite's file is
    not where it was. Nothing in the code under test is replaced."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    else:
        connection.settings_dict["NAME"] = "/nonexistent/onestop/test.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def ticket(client: Client, centre, kiosk):
    return client.post(
        f"/api/v1/offices/{centre.code}/tickets",
        {"service": "passport"},
        content_type="application/json",
        **kiosk,
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_gone_for_a_moment_is_a_503_with_retry_after():
    factories.reference_register()
    centre = factories.centre()
    kiosk = factories.bearer(factories.device_token("kiosk", office=centre))
    operator = factories.staff(Role.OPERATOR, office=centre)
    password = factories.password(operator)
    client = Client(raise_request_exception=False)
    with database_gone():
        api = ticket(client, centre, kiosk)
        page = client.post("/login/", {"username": operator.username, "password": password})
        home = client.get("/")
    assert api.status_code == 503 and int(api["Retry-After"]) > 0
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"].endswith("/database-unavailable")
    for response in (page, home):
        assert response.status_code == 503 and int(response["Retry-After"]) > 0
        assert "Temporarily unavailable" in response.content.decode()
    assert ticket(client, centre, kiosk).status_code == 201  # back at once
