"""Settings and operations the rest stands on: the embedded database, logs, the secret key."""

import json
import logging

import pytest
from django.db import connection
from django.test import Client

from onestop.observability import JsonFormatter, RequestContextFilter, request_id_var


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_foreign_keys():
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_logs_are_one_json_object_a_line_with_request_id_and_actor():
    record = logging.LogRecord(
        "onestop.test", logging.INFO, __file__, 1, "ticket %s called", ("A017",), None
    )
    record.window = 3
    token = request_id_var.set("req-42")
    try:
        RequestContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    event = json.loads(line)
    assert event["event"] == "ticket A017 called"
    assert event["request_id"] == "req-42" and event["actor"] == "-" and event["window"] == 3
    assert event["level"] == "info" and event["logger"] == "onestop.test"


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="onestop.access"):
        response = client.get("/api/v1/services/passport", HTTP_X_REQUEST_ID="trace-7")
    [record] = [r for r in caplog.records if r.name == "onestop.access"]
    assert record.request_id == "trace-7" == response["X-Request-ID"]
    assert record.status == 200 and record.path == "/api/v1/services/passport" and record.ms >= 0


@pytest.mark.django_db
def test_the_request_log_names_who_called(client, caplog, centre):
    from onestop.people.models import Role
    from onestop.tests import factories

    one = factories.staff(Role.OPERATOR, office=centre, window=1)
    two = factories.staff(Role.OPERATOR, office=centre, window=2)
    token = factories.token(one)
    client.login(username=two.username, password=factories.password(two))
    with caplog.at_level(logging.INFO, logger="onestop.access"):
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        client.get("/api/v1/me")
        Client().get("/api/v1/services/passport")
    actors = [
        (r.path, r.actor)
        for r in caplog.records
        if r.name == "onestop.access" and r.method == "GET"
    ]
    assert actors == [
        ("/api/v1/me", one.username),
        ("/api/v1/me", two.username),
        ("/api/v1/services/passport", "anonymous"),
    ]


@pytest.mark.django_db
def test_every_log_line_of_a_request_names_its_actor(client, caplog, centre):
    from onestop.observability import actor_var
    from onestop.people.models import Role
    from onestop.queueing.services import device_for_token
    from onestop.tests import factories

    kiosk = factories.device_token("kiosk", office=centre)
    one = factories.staff(Role.OPERATOR, office=centre, window=1)
    two = factories.staff(Role.OPERATOR, office=centre, window=2)
    token = factories.token(one)
    client.login(username=two.username, password=factories.password(two))
    caplog.handler.addFilter(RequestContextFilter())  # what the console handler adds
    caplog.set_level(logging.WARNING, logger="django.request")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        Client().get("/api/v1/tickets/0", HTTP_AUTHORIZATION=f"Bearer {kiosk}")
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        client.get("/appointments/0/")  # a page not found, logged by django.request
        Client().get("/api/v1/me")
    lines = [(r.name, r.actor) for r in caplog.records]
    device = f"device:{device_for_token(kiosk).pk}"
    assert lines == [
        ("onestop.access", device),
        ("django.request", device),  # "Not Found", logged after the middleware
        ("onestop.access", one.username),
        ("onestop.access", two.username),
        ("django.request", two.username),
        ("onestop.access", "anonymous"),
        ("django.request", "anonymous"),
    ]
    assert actor_var.get() == "-"  # reset once the request is answered


def test_gunicorn_writes_its_own_access_log_only_when_asked(monkeypatch):
    from onestop.operations.processes import gunicorn_command

    monkeypatch.delenv("ONESTOP_ACCESS_LOG", raising=False)
    quiet = gunicorn_command(host="127.0.0.1", port=8000, workers=2, threads=3)
    assert "--access-logfile" not in quiet and quiet[quiet.index("--threads") + 1] == "3"
    monkeypatch.setenv("ONESTOP_ACCESS_LOG", "1")
    loud = gunicorn_command(host="127.0.0.1", port=8000, workers=2)
    assert loud[loud.index("--access-logfile") + 1] == "-"


def gunicorn_option(flag: str) -> str:
    """The value `onestop serve` and `onestop demo` give gunicorn for `flag`."""
    from onestop.operations.processes import gunicorn_command

    command = gunicorn_command(host="127.0.0.1", port=8000, workers=2)
    return command[command.index(flag) + 1]


def test_web_threads_come_from_one_setting_for_serve_and_the_demo(monkeypatch):
    def threads() -> str:
        return gunicorn_option("--threads")

    monkeypatch.delenv("ONESTOP_WEB_THREADS", raising=False)
    assert threads() == "2"
    monkeypatch.setenv("ONESTOP_WEB_THREADS", "6")
    assert threads() == "6"


def test_the_web_server_is_gunicorns_own_threaded_worker():
    assert gunicorn_option("--worker-class") == "gthread"
