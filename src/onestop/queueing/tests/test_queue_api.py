"""The queue endpoints of CONTRACT.md, as kiosks, boards and workstations call them."""

import pytest

from onestop.offices.models import Office
from onestop.people.models import Role
from onestop.queueing.models import Ticket
from onestop.queueing.tests.conftest import SERVICES
from onestop.tests import factories
from onestop.tests.factories import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(centre) -> dict:
    """The headers of the centre's kiosk."""
    return bearer(factories.device_token("kiosk", office=centre))


@pytest.fixture
def board(centre) -> dict:
    """The headers of the hall's board."""
    return bearer(factories.device_token("board", office=centre))


def post(client, url, body=None, headers=None):
    return client.post(url, body or {}, content_type="application/json", **(headers or {}))


def test_a_kiosk_issues_a_ticket(api_client, centre, kiosk):
    response = post(
        api_client,
        f"/api/v1/offices/{centre.code}/tickets",
        {"service": "passport", "priority": False},
        kiosk,
    )
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert set(ticket) >= {
        "id",
        "number",
        "office",
        "service",
        "status",
        "position",
        "estimated_wait_minutes",
        "issued_at",
    }
    assert (
        ticket["status"] == "waiting"
        and ticket["position"] == 0
        and ticket["office"] == centre.code
    )
    assert len(ticket["number"]) == 4 and ticket["follow_code"]
    follow = api_client.get(f"/api/v1/tickets/follow/{ticket['follow_code']}").json()
    assert follow["number"] == ticket["number"] and follow["follow_code"] is None


def test_devices_do_only_their_job(api_client, centre, kiosk, board):
    assert (
        post(
            api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, board
        ).status_code
        == 403
    )
    other = bearer(factories.device_token("kiosk", office=factories.centre(services=SERVICES)))
    assert (
        post(
            api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, other
        ).status_code
        == 403
    )
    assert (
        post(
            api_client, f"/api/v1/offices/{centre.code}/windows/1/call-next", None, kiosk
        ).status_code
        == 403
    )
    citizen = factories.citizen()
    assert (
        post(
            api_client,
            f"/api/v1/offices/{centre.code}/tickets",
            {"service": "passport"},
            bearer(citizen),
        ).status_code
        == 403
    )


def test_call_serve_finish_and_rate_through_the_api(api_client, centre, kiosk, operators):
    operator = bearer(operators[2])
    assert (
        post(
            api_client, f"/api/v1/offices/{centre.code}/windows/2/call-next", None, operator
        ).status_code
        == 204
    )
    issued = post(
        api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, kiosk
    ).json()
    called = post(api_client, f"/api/v1/offices/{centre.code}/windows/2/call-next", None, operator)
    assert (
        called.status_code == 200
        and called.json()["status"] == "called"
        and called.json()["window"] == 2
    )
    ticket_id = called.json()["id"]
    assert (
        post(api_client, f"/api/v1/tickets/{ticket_id}/start", None, operator).json()["status"]
        == "serving"
    )
    assert (
        post(api_client, f"/api/v1/tickets/{ticket_id}/finish", None, operator).json()["status"]
        == "done"
    )
    unknown = post(
        api_client,
        f"/api/v1/tickets/{ticket_id}/rating",
        {"score": "superb", "follow_code": issued["follow_code"]},
    )
    assert unknown.status_code == 401  # rating needs the person or the rating screen
    rating_screen = bearer(factories.device_token("rating", office=centre, window=2))
    bad = post(
        api_client, f"/api/v1/tickets/{ticket_id}/rating", {"score": "superb"}, rating_screen
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "score"
    ok = post(api_client, f"/api/v1/tickets/{ticket_id}/rating", {"score": "good"}, rating_screen)
    assert ok.status_code == 201
    again = post(
        api_client, f"/api/v1/tickets/{ticket_id}/rating", {"score": "poor"}, rating_screen
    )
    assert again.status_code == 409
    window_one = bearer(factories.device_token("rating", office=centre, window=1))
    assert (
        post(
            api_client, f"/api/v1/tickets/{ticket_id}/rating", {"score": "poor"}, window_one
        ).status_code
        == 409
    )


def test_the_board_answers_304_until_something_changes(api_client, centre, kiosk, operators):
    from django.core.cache import cache

    first = api_client.get(f"/api/v1/offices/{centre.code}/board")
    assert first.status_code == 200 and first["ETag"]
    assert (
        api_client.get(
            f"/api/v1/offices/{centre.code}/board", HTTP_IF_NONE_MATCH=first["ETag"]
        ).status_code
        == 304
    )
    for _ in range(3):
        post(api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, kiosk)
    post(
        api_client,
        f"/api/v1/offices/{centre.code}/windows/3/call-next",
        None,
        bearer(operators[3]),
    )
    cache.clear()  # the snapshot lives one second
    changed = api_client.get(
        f"/api/v1/offices/{centre.code}/board", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert changed.status_code == 200
    assert changed.json()["called"][0]["window"] == 3
    assert changed.json()["waiting"] == first.json()["waiting"] + 2


def test_bad_input_to_the_queue(api_client, centre, kiosk, operators):
    unknown = post(
        api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "nothing"}, kiosk
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "service"
    not_here = post(
        api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "driving-licence"}, kiosk
    )
    assert (
        not_here.status_code == 422
        and not_here.json()["errors"][0]["code"] == "service_not_offered"
    )
    assert post(
        api_client, "/api/v1/offices/nowhere/tickets", {"service": "passport"}, kiosk
    ).status_code in (403, 404)
    assert (
        post(
            api_client,
            f"/api/v1/offices/{centre.code}/windows/99/call-next",
            None,
            bearer(factories.staff(Role.MANAGER, office=centre)),
        ).status_code
        == 404
    )
    transfer = post(
        api_client, "/api/v1/tickets/999999/transfer", {"window": 2}, bearer(operators[1])
    )
    assert transfer.status_code == 404
    unknown = post(api_client, "/api/v1/tickets/999999/start", None, bearer(operators[1]))
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/unknown-ticket")

    # Another centre's operator neither sees nor moves the ticket.
    ticket = post(
        api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, kiosk
    ).json()
    mobile = factories.centre(kind=Office.Kind.MOBILE, services=["address-certificate"])
    elsewhere = bearer(factories.staff(Role.OPERATOR, office=mobile))  # the mobile centre's
    moved = post(api_client, f"/api/v1/tickets/{ticket['id']}/cancel", None, elsewhere)
    assert moved.status_code == 404 and moved.json()["type"].endswith("/unknown-ticket")
    assert Ticket.objects.get(pk=ticket["id"]).status == "waiting"


def test_offices_report_the_live_queue(api_client, centre, kiosk):
    for _ in range(3):
        post(api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, kiosk)
    office = api_client.get(f"/api/v1/offices/{centre.code}").json()
    assert office["waiting"] == 3 and office["estimated_wait_minutes"] > 0


def test_every_ticket_answer_has_the_published_shape(api_client, centre, kiosk, operators):
    """Every answer about a ticket carries exactly the fields of TicketOut, of their types,
    and the follow code only to the kiosk that issued it."""
    from datetime import datetime

    from onestop.queueing.api import TicketOut

    operator = bearer(operators[2])
    issued = post(
        api_client, f"/api/v1/offices/{centre.code}/tickets", {"service": "passport"}, kiosk
    ).json()
    called = post(api_client, f"/api/v1/offices/{centre.code}/windows/2/call-next", None, operator)
    ticket_id = called.json()["id"]
    answers = [
        issued,
        called.json(),
        post(api_client, f"/api/v1/tickets/{ticket_id}/start", None, operator).json(),
        api_client.get(f"/api/v1/tickets/{ticket_id}", **operator).json(),
        api_client.get(f"/api/v1/tickets/follow/{issued['follow_code']}").json(),
        post(api_client, f"/api/v1/tickets/{ticket_id}/finish", None, operator).json(),
    ]
    kinds = {"number": str, "office": str, "service": str, "status": str, "priority": str}
    for answer in answers:
        assert set(answer) == set(TicketOut.model_fields), answer
        TicketOut.model_validate(answer)
        assert type(answer["id"]) is int and type(answer["estimated_wait_minutes"]) is float
        assert all(type(answer[name]) is kind for name, kind in kinds.items()), answer
        assert datetime.fromisoformat(answer["issued_at"]).tzinfo is not None
    assert issued["follow_code"] and all(a["follow_code"] is None for a in answers[1:])
    assert answers[1]["window"] == 2 and answers[1]["called_at"] is not None
    assert [a["status"] for a in answers[1:3]] == ["called", "serving"]
