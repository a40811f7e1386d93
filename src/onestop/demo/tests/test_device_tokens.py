"""The demo's kiosks, boards and rating screens hold tokens of their own installation:
nobody who read the source can issue tickets or rate a window on someone's demo."""

import hashlib
import io

import pytest
from django.core.management import call_command

from onestop.demo.services import demo_device_token, load_devices
from onestop.queueing.models import Device
from onestop.queueing.tests.conftest import open_around_the_clock

pytestmark = pytest.mark.django_db


def issue_ticket(client, token):
    return client.post(
        "/api/v1/offices/astana-esil/tickets",
        {"service": "passport", "priority": False},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_token_written_in_the_source_issues_no_ticket(client):
    open_around_the_clock("astana-esil")
    assert issue_ticket(client, "dev_demo_kiosk_astana-esil").status_code == 401
    assert issue_ticket(client, demo_device_token("kiosk", "astana-esil")).status_code == 201


def test_each_installation_has_its_own_tokens_and_keeps_only_their_hashes(client, settings):
    token = demo_device_token("kiosk", "astana-esil")
    kiosk = Device.objects.get(office__code="astana-esil", kind="kiosk")
    assert kiosk.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Device.objects.filter(key_hash__contains="dev_").exists()

    devices = Device.objects.count()
    settings.SECRET_KEY = "another installation's secret"
    other = demo_device_token("kiosk", "astana-esil")
    assert other != token and len(other) >= 40
    load_devices()  # the demo loaded again with another secret: the same screens, new tokens
    assert Device.objects.count() == devices
    open_around_the_clock("astana-esil")
    assert issue_ticket(client, token).status_code == 401
    assert issue_ticket(client, other).status_code == 201


def test_demodevices_shows_the_links_with_their_tokens():
    out = io.StringIO()
    call_command("demodevices", "--office", "astana-esil", "--base-url", "http://demo", stdout=out)
    lines = out.getvalue().splitlines()
    token = demo_device_token("kiosk", "astana-esil")
    assert f"http://demo/queue/kiosk/astana-esil/?device={token}" in lines
    assert any(
        f"/queue/rate/astana-esil/1/?device={demo_device_token('rating', 'astana-esil', 1)}" in line
        for line in lines
    )
