"""What a caller relies on when the database is gone for a moment (a restart, a network
cut, a disk unmounted): a 503 with Retry-After, as a problem in the API and as a page in
the browser, never a 500; and service again as soon as the database is back."""

import contextlib

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from onestop.demo.services import demo_device_token, load_demo
from onestop.queueing.tests.conftest import open_around_the_clock

ESIL = "astana-esil"
KIOSK = {"HTTP_AUTHORIZATION": f"Bearer {demo_device_token('kiosk', ESIL)}"}


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


def ticket(client: Client):
    return client.post(
        f"/api/v1/offices/{ESIL}/tickets",
        {"service": "passport"},
        content_type="application/json",
        **KIOSK,
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_gone_for_a_moment_is_a_503_with_retry_after():
    load_demo()
    open_around_the_clock(ESIL)
    client = Client(raise_request_exception=False)
    with database_gone():
        api = ticket(client)
        page = client.post("/login/", {"username": "operator1", "password": settings.DEMO_PASSWORD})
        home = client.get("/")
    assert api.status_code == 503 and int(api["Retry-After"]) > 0
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"].endswith("/database-unavailable")
    for response in (page, home):
        assert response.status_code == 503 and int(response["Retry-After"]) > 0
        assert "Temporarily unavailable" in response.content.decode()
    assert ticket(client).status_code == 201  # back at once
