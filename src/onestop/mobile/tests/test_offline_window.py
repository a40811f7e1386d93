"""A capture is dated within the time a van can really have been offline: no earlier than
ONESTOP_OFFLINE_WINDOW_DAYS ago, nor before its device first reached the server, nor in the
future beyond the device clock's tolerance. Each capture of a batch is answered on its own."""

import datetime
import uuid

import pytest
from django.utils import timezone

from onestop.cases.models import Application
from onestop.mobile.models import MobileDevice, SyncOperation

from .conftest import application_op, people, ticket_op

pytestmark = pytest.mark.django_db


def refusal(result) -> tuple[str, int, list[tuple[str, str]]]:
    error = result["error"]
    return result["status"], error["status"], [(e["field"], e["code"]) for e in error["errors"]]


@pytest.mark.parametrize("captured_at", ["1900-01-01T10:00:00+06:00", "0001-01-01T00:00:00+14:00"])
def test_a_backdated_application_is_refused_and_files_nothing(
    van, van_operator, send_sync, captured_at
):
    (person,) = people(1)
    backdated = {**application_op(person.iin), "captured_at": captured_at}
    fresh = application_op(people(1)[0].iin)
    results = send_sync(van_operator, [backdated, fresh]).json()["results"]
    assert refusal(results[0]) == ("rejected", 422, [("captured_at", "too_old")])
    assert results[1]["status"] == "applied"
    assert not Application.objects.filter(applicant=person).exists()
    assert not SyncOperation.objects.filter(pk=backdated["id"]).exists()


def test_the_window_is_a_setting(van, van_operator, send_sync, settings):
    settings.OFFLINE_WINDOW_DAYS = 2
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    one_day_ago = timezone.now() - datetime.timedelta(days=1)
    results = send_sync(
        van_operator,
        [ticket_op(captured_at=three_days_ago), ticket_op(captured_at=one_day_ago)],
    ).json()["results"]
    assert refusal(results[0])[2] == [("captured_at", "too_old")]
    assert results[1]["status"] != "rejected" or results[1]["error"]["errors"][0]["code"] != (
        "too_old"
    )


def test_nothing_is_captured_before_the_device_was_registered(van, van_operator, send_sync):
    device = uuid.uuid4()
    # The screen's first contact registers its device.
    assert send_sync(van_operator, [], device=str(device)).status_code == 200
    registered = MobileDevice.objects.get(pk=device)
    assert registered.office == van and registered.registered_by == van_operator
    yesterday = timezone.now() - datetime.timedelta(days=1)
    just_now = timezone.now() - datetime.timedelta(minutes=2)
    results = send_sync(
        van_operator,
        [ticket_op(captured_at=yesterday), ticket_op(captured_at=just_now)],
        device=str(device),
    ).json()["results"]
    assert refusal(results[0]) == ("rejected", 422, [("captured_at", "before_registration")])
    assert results[1]["status"] == "applied"


def test_a_first_sync_cannot_move_the_registration_back(van, van_operator, send_sync):
    device = uuid.uuid4()
    earlier = timezone.now() - datetime.timedelta(days=5)
    result = send_sync(van_operator, [ticket_op(captured_at=earlier)], device=str(device))
    assert refusal(result.json()["results"][0])[2] == [("captured_at", "before_registration")]
    assert MobileDevice.objects.get(pk=device).registered_at > earlier


def test_a_time_in_year_9999_is_refused_as_future(van, van_operator, send_sync):
    far = {**ticket_op(), "captured_at": "9999-12-31T23:59:59-14:00"}
    result = send_sync(van_operator, [far]).json()["results"][0]
    assert refusal(result) == ("rejected", 422, [("captured_at", "in_future")])
