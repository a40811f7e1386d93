"""The van's connection drops while the server is applying a batch: the device never gets
the answer and sends the whole batch again. Every operation exists exactly once; also
when the server itself dies half-way."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import SplitResult, urlsplit

import pytest
from django.conf import settings

from onestop.cases.models import Application
from onestop.mobile.models import SyncOperation
from onestop.mobile.tests.conftest import (
    SYNC,
    application_op,
    people,
    ticket_op,
)
from onestop.offices.models import Office
from onestop.queueing.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

TICKETS, APPLICATIONS = 12, 8


@pytest.fixture
def van(committed_van) -> Office:
    return committed_van


@pytest.fixture
def server(live_server, van, settings):
    settings.MOBILE_SYNC_DELAY_MS = 150  # each operation takes a while: time to cut in
    return urlsplit(live_server.url)


def token(server) -> str:
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
    connection.request(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"username": "van-operator", "password": settings.DEMO_PASSWORD}),
        {"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    assert response.status == 200
    return json.loads(response.read())["token"]


def post(server, body: bytes, bearer: str) -> dict:
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=120)
    connection.request(
        "POST",
        SYNC,
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"},
    )
    response = connection.getresponse()
    assert response.status == 200, response.read()[:500]
    return json.loads(response.read())


def wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def made(van: Office) -> tuple[int, int]:
    return (
        Ticket.objects.filter(office=van, channel="mobile").count(),
        Application.objects.filter(office=van, channel="mobile").count(),
    )


def test_a_batch_cut_off_midway_and_sent_again_applies_each_operation_once(server, van):
    iins = [p.iin for p in people(APPLICATIONS)]
    operations = [ticket_op("address-certificate") for _ in range(TICKETS)]
    operations += [application_op(iin) for iin in iins]
    operations = operations[::2] + operations[1::2]  # tickets and applications mixed
    body = json.dumps({"device": str(uuid.uuid4()), "operations": operations}).encode()
    bearer = token(server)
    assert made(van) == (0, 0)

    # Send the batch over a raw socket and hang up once the server is applying it, before
    # reading a byte of the answer: the van drove out of coverage.
    raw = socket.create_connection((server.hostname, server.port), timeout=10)
    raw.sendall(
        (
            f"POST {SYNC} HTTP/1.1\r\nHost: {server.hostname}:{server.port}\r\n"
            f"Authorization: Bearer {bearer}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
    )
    wait_for(lambda: SyncOperation.objects.count() >= 3)
    raw.close()
    applied_before_the_drop = SyncOperation.objects.count()
    assert 3 <= applied_before_the_drop < len(operations)

    # Back in coverage: the device sends the same batch again, while the server may still
    # be busy with the first one.
    results = post(server, body, bearer)["results"]
    assert [r["id"] for r in results] == [op["id"] for op in operations]
    statuses = [r["status"] for r in results]
    assert set(statuses) <= {"applied", "duplicate"}, results
    assert statuses.count("duplicate") >= applied_before_the_drop

    assert SyncOperation.objects.count() == len(operations)
    assert set(SyncOperation.objects.values_list("status", flat=True)) == {"applied"}
    assert made(van) == (TICKETS, APPLICATIONS)
    numbers = [r.get("ticket", r.get("application"))["number"] for r in results]
    assert len(set(numbers)) == len(operations)
    assert sorted(
        Ticket.objects.filter(channel="mobile").values_list("number", flat=True)
    ) == sorted(n for n, op in zip(numbers, operations, strict=True) if op["kind"] == "ticket")

    # And once more, for good measure: nothing new, the same numbers.
    again = post(server, body, bearer)["results"]
    assert {r["status"] for r in again} == {"duplicate"}
    assert [r.get("ticket", r.get("application"))["number"] for r in again] == numbers
    time.sleep(0.5)  # the first request, if still running, finds only duplicates
    assert made(van) == (TICKETS, APPLICATIONS)
    assert SyncOperation.objects.count() == len(operations)


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server() -> tuple[subprocess.Popen, SplitResult]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "ONESTOP_DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "onestop.mobile.tests.slow_settings",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = urlsplit(f"http://127.0.0.1:{port}")

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            assert process.poll() is None, "the server did not start"
            return False
        return True

    wait_for(up, seconds=30)
    return process, address


def test_a_server_killed_midway_keeps_what_it_applied_and_nothing_half(van):
    """Harsher than a dropped connection: the server process dies (power cut in the data
    centre) while applying a batch. Each operation committed with its record or not at all;
    sent again to a new server, every operation exists exactly once."""
    iins = [p.iin for p in people(APPLICATIONS)]
    operations = [ticket_op("address-certificate") for _ in range(TICKETS)]
    operations += [application_op(iin) for iin in iins]
    operations = operations[::2] + operations[1::2]
    body = json.dumps({"device": str(uuid.uuid4()), "operations": operations}).encode()

    process, address = start_server()
    try:
        bearer = token(address)
        raw = socket.create_connection((address.hostname, address.port), timeout=10)
        raw.sendall(
            (
                f"POST {SYNC} HTTP/1.1\r\nHost: {address.hostname}:{address.port}\r\n"
                f"Authorization: Bearer {bearer}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        wait_for(lambda: SyncOperation.objects.count() >= 4)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        raw.close()
    finally:
        if process.poll() is None:
            process.kill()

    stored = list(SyncOperation.objects.select_related("ticket", "application"))
    assert 4 <= len(stored) < len(operations)
    # Nothing half-written: every stored operation made its ticket or application, and
    # nothing was made without its record.
    assert all(op.status == "applied" for op in stored)
    assert made(van) == (
        sum(op.ticket_id is not None for op in stored),
        sum(op.application_id is not None for op in stored),
    )

    process, address = start_server()
    try:
        results = post(address, body, token(address))["results"]
    finally:
        process.kill()
        process.wait(timeout=10)
    assert [r["status"] for r in results].count("duplicate") == len(stored)
    assert {r["status"] for r in results} == {"applied", "duplicate"}
    assert SyncOperation.objects.count() == len(operations)
    assert made(van) == (TICKETS, APPLICATIONS)
