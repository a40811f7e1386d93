"""The mobile centre's sync: captured tickets and applications apply once, whatever is sent
again; a refused one does not stop the others; only the van's operators may sync."""

import datetime
import json

import pytest
from django.utils import timezone

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent
from onestop.cases.models import Application
from onestop.mobile.models import SyncOperation
from onestop.mobile.tests.conftest import (
    DEVICE,
    SYNC,
    application_op,
    make_operator,
    people,
    staff_elsewhere,
    ticket_op,
    wrong_check_digit,
)
from onestop.offices.models import Office
from onestop.people.models import Role
from onestop.queueing import services as queueing
from onestop.queueing.models import Ticket
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def made(van) -> tuple[int, int]:
    return (
        Ticket.objects.filter(office=van, channel="mobile").count(),
        Application.objects.filter(office=van, channel="mobile").count(),
    )


def test_captured_tickets_and_applications_apply(van, van_operator, send_sync):
    person = people(1)[0]
    earlier = timezone.now() - datetime.timedelta(minutes=40)
    batch = [
        ticket_op("address-certificate", captured_at=earlier),
        ticket_op("retirement-pension", iin=person.iin),
        application_op(person.iin, captured_at=earlier),
    ]
    response = send_sync(van_operator, batch)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == [op["id"] for op in batch]
    assert [r["status"] for r in results] == ["applied"] * 3, results
    assert "error" not in results[0] and "application" not in results[0]

    ticket = Ticket.objects.get(pk=results[0]["ticket"]["id"])
    assert ticket.channel == "mobile" and ticket.office == van
    assert ticket.issued_at == earlier and ticket.queue_from == earlier
    assert results[0]["ticket"]["number"] == ticket.number

    application = Application.objects.get(number=results[2]["application"]["number"])
    assert application.channel == "mobile"
    assert application.office == van and application.applicant == person
    assert application.filed_by == van_operator
    assert application.data["captured_at"] == earlier.isoformat()
    # Submitted when the van took the documents: the term runs from then.
    assert application.submitted_at == earlier
    assert application.history.get(action="file").at == earlier
    assert results[2]["application"]["status"] == application.status == "submitted"

    stored = SyncOperation.objects.get(pk=batch[2]["id"])
    assert stored.status == "applied" and stored.application == application
    assert stored.operator == van_operator and stored.device == DEVICE
    assert AuditEvent.objects.filter(action="mobile.sync_applied").count() == 3
    assert audit.verify().ok


def test_resending_a_batch_answers_duplicate_and_creates_nothing(van, van_operator, send_sync):
    iins = [p.iin for p in people(3)]
    batch = [ticket_op(), application_op(iins[0]), ticket_op("birth-registration")]
    batch += [application_op(iin, "retirement-pension") for iin in iins[1:]]
    first = send_sync(van_operator, batch).json()["results"]
    assert {r["status"] for r in first} == {"applied"}
    counts = made(van)
    events = AuditEvent.objects.count()

    again = send_sync(van_operator, batch).json()["results"]
    assert [r["status"] for r in again] == ["duplicate"] * len(batch)
    assert {r["original_status"] for r in again} == {"applied"}
    for before, after in zip(first, again, strict=True):
        assert before.get("ticket") == after.get("ticket")
        assert before.get("application") == after.get("application")
    assert made(van) == counts == (2, 3)
    assert SyncOperation.objects.count() == len(batch)
    assert AuditEvent.objects.count() == events  # nothing happened, nothing recorded


def test_a_refused_operation_does_not_block_the_others(van, van_operator, send_sync):
    good, other = people(2)
    batch = [
        ticket_op(),
        application_op(wrong_check_digit(good.iin)),
        ticket_op("no-such-service"),
        application_op(good.iin, "passport"),  # not offered by mobile centres
        {**ticket_op(), "captured_at": "yesterday"},
        {**ticket_op(), "id": "not-a-uuid"},
        {**ticket_op(), "kind": "complaint"},
        {**ticket_op(), "payload": ["address-certificate"]},
        application_op(other.iin),
    ]
    results = send_sync(van_operator, batch).json()["results"]
    statuses = [r["status"] for r in results]
    assert statuses == ["applied"] + ["rejected"] * 7 + ["applied"]

    def error(i):
        problem = results[i]["error"]
        assert problem["type"].startswith("https://") and problem["title"] and problem["detail"]
        return problem["status"], [(e["field"], e["code"]) for e in problem["errors"]]

    assert error(1) == (422, [("payload.iin", "invalid_iin")])
    assert error(2) == (422, [("payload.service", "unknown_service")])
    assert error(3) == (422, [("payload.service", "channel_not_offered")])
    assert error(4) == (422, [("captured_at", "invalid_datetime")])
    assert error(5) == (422, [("id", "invalid_uuid")])
    assert error(6) == (422, [("kind", "invalid_choice")])
    assert error(7) == (422, [("payload", "invalid_type")])
    assert made(van) == (1, 1)

    # Refusals by the rules are stored and answered the same way again; malformed
    # operations were never stored, and are refused again.
    again = send_sync(van_operator, batch).json()["results"]
    assert [r["status"] for r in again[:4]] == ["duplicate"] * 4
    assert [r["original_status"] for r in again[:4]] == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert again[1]["error"] == results[1]["error"]
    assert [r["status"] for r in again[4:8]] == ["rejected"] * 4
    assert SyncOperation.objects.filter(status="rejected").count() == 3
    assert made(van) == (1, 1)


def test_a_ticket_keeps_the_place_it_was_captured_at(van, van_operator, send_sync):
    """Someone given a ticket offline 20 minutes ago goes before someone who came just now."""
    now = queueing.issue_ticket(
        office_code=van.code,
        service_code="address-certificate",
        actor=van_operator,
        channel="mobile",
    )
    midnight = timezone.now().astimezone(van.zone).replace(hour=0, minute=0, second=0)
    earlier = max(timezone.now() - datetime.timedelta(minutes=20), midnight)  # still today
    result = send_sync(van_operator, [ticket_op(captured_at=earlier)]).json()["results"][0]
    called = queueing.call_next(actor=van_operator, office_code=van.code, window_number=1)
    assert called.pk == result["ticket"]["id"] != now.pk


def test_a_ticket_captured_when_the_van_was_not_at_a_stop_is_refused(van, van_operator, send_sync):
    local = timezone.now().astimezone(van.zone)
    night = (local - datetime.timedelta(days=2)).replace(hour=3, minute=0)  # no stop that day
    result = send_sync(van_operator, [ticket_op(captured_at=night)]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["status"] == 409
    assert result["error"]["errors"][0]["field"] == "captured_at"
    assert result["error"]["errors"][0]["code"] == "centre_closed"


def test_a_time_in_the_future_is_refused(van, van_operator, send_sync):
    later = timezone.now() + datetime.timedelta(hours=2)
    result = send_sync(van_operator, [ticket_op(captured_at=later)]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["errors"] == [
        {"field": "captured_at", "code": "in_future", "message": result["error"]["detail"]}
    ]
    naive = {**ticket_op(), "captured_at": "2025-01-01T10:00:00"}
    result = send_sync(van_operator, [naive]).json()["results"][0]
    assert result["error"]["errors"][0]["code"] == "invalid_datetime"


def test_an_id_used_again_for_something_else_is_refused(van, van_operator, send_sync):
    first = ticket_op()
    send_sync(van_operator, [first])
    changed = {**first, "payload": {"service": "birth-registration"}}
    result = send_sync(van_operator, [changed]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["status"] == 409
    assert result["error"]["errors"][0] == {
        "field": "id",
        "code": "id_reused",
        "message": result["error"]["errors"][0]["message"],
    }
    assert "ticket" not in result

    colleague = make_operator("van-operator-2", van)
    result = send_sync(colleague, [first]).json()["results"][0]
    assert result["status"] == "rejected" and "ticket" not in result  # reveals nothing
    assert made(van) == (1, 0)


def test_only_operators_of_a_mobile_centre_sync(van, van_operator, client_for, send_sync):
    batch = [ticket_op()]
    for role in (Role.OPERATOR, Role.MANAGER, Role.CONSULTANT, Role.AGENT, Role.REVIEWER):
        response = send_sync(staff_elsewhere(role), batch)
        assert response.status_code == 403, role
        assert response["Content-Type"] == "application/problem+json"
    citizen = factories.citizen()
    assert send_sync(citizen, batch).status_code == 403
    manager_in_the_van = make_operator("van-manager", van, role=Role.MANAGER)
    assert send_sync(manager_in_the_van, batch).status_code == 403
    anonymous = client_for(van_operator)
    anonymous.logout()
    response = anonymous.post(
        SYNC, json.dumps({"device": "x", "operations": batch}), content_type="application/json"
    )
    assert response.status_code == 401
    closed = Office.objects.get(code=van.code)
    closed.is_active = False
    closed.save()
    assert send_sync(van_operator, batch).status_code == 403
    assert SyncOperation.objects.count() == 0


def test_the_envelope_must_be_right(van, van_operator, send_sync):
    response = send_sync(van_operator, [ticket_op()], device="not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "device"
    response = send_sync(van_operator, [ticket_op() for _ in range(201)])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "operations"
    assert SyncOperation.objects.count() == 0


def test_a_device_syncs_with_a_bearer_token(van, van_operator, token_for, api_client):
    token = token_for(van_operator.username)
    response = api_client.post(
        SYNC,
        json.dumps({"device": "0b5f4c1e-53a5-4a8b-9d0e-6a0f1b2c3d4e", "operations": [ticket_op()]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "applied"


def test_an_unexpected_failure_stores_nothing_and_is_sent_again(
    van, van_operator, send_sync, monkeypatch
):
    from onestop.mobile.services import offline_sync

    op = ticket_op()
    monkeypatch.setattr(offline_sync, "_issue_ticket", lambda *a: 1 / 0)
    result = send_sync(van_operator, [op, application_op(people(1)[0].iin)]).json()["results"]
    assert result[0]["status"] == "rejected" and result[0]["error"]["status"] == 500
    assert result[1]["status"] == "applied"
    assert not SyncOperation.objects.filter(pk=op["id"]).exists()
    monkeypatch.undo()
    assert send_sync(van_operator, [op]).json()["results"][0]["status"] == "applied"


def test_the_schema_is_documented(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/mobile/sync" in schema["paths"]
    assert {"/api/v1/home-visits", "/api/v1/home-visits/{visit_id}/schedule"} <= set(
        schema["paths"]
    )
