"""A ticket, its number and its audit event are stored in one transaction: what is stored
reads back as the ticket's history, the chain verifies, and numbers neither repeat nor
skip, also when a follow code is taken, when the caller's transaction fails and when many
issue at once."""

import pytest
from django.db import connection, transaction

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent, AuditHead
from onestop.people.models import Role
from onestop.queueing import selectors, services
from onestop.queueing.models import Ticket, TicketCounter
from onestop.tests import factories
from onestop.tests.threads import at_once


@pytest.fixture
def issue(committed_centre):
    """Takes a ticket at the committed centre, as its kiosk does (or as `actor`)."""

    def issue(service="passport", actor=None):
        return services.issue_ticket(
            office_code=committed_centre.code, service_code=service, actor=actor
        )

    return issue


def issue_event(ticket: Ticket) -> AuditEvent:
    (event,) = selectors.history(ticket).filter(action="ticket.issue")
    return event


def test_the_event_reads_back_as_record_writes_it(committed_centre, issue):
    operator = factories.staff(Role.OPERATOR, office=committed_centre)
    tickets = [issue(actor=operator), issue("address-certificate"), issue(actor=operator)]
    for ticket in tickets:
        event = issue_event(ticket)
        assert event.object_type == "queueing.ticket"
        assert event.object_id == str(ticket.pk)
        assert event.data == {
            "number": ticket.number,
            "office": ticket.office_id,
            "status": "waiting",
            "note": "kiosk",
        }
    assert issue_event(tickets[0]).actor == operator.username
    assert issue_event(tickets[1]).actor == "system"
    assert Ticket.objects.get(pk=tickets[2].pk).number == tickets[2].number
    verdict = audit.verify()
    assert verdict.ok, verdict.problem


def test_a_taken_follow_code_skips_no_number(issue, monkeypatch):
    first = issue()
    draws = iter([first.follow_code, "0badc0de"])
    monkeypatch.setattr(services.secrets, "token_hex", lambda _n: next(draws))
    second = issue()
    assert second.follow_code == "0badc0de"
    assert second.seq == first.seq + 1
    assert AuditEvent.objects.filter(action="ticket.issue").count() == 2
    assert audit.verify().ok


def test_inside_a_transaction_the_ticket_goes_back_with_it(issue):
    first = issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        issue()
        raise RuntimeError("the caller's work failed")
    assert Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(action="ticket.issue").count() == 1
    assert issue().seq == first.seq + 1
    assert audit.verify().ok


def test_a_new_database_without_a_head_starts_at_one(committed_centre, issue):
    """Before the first event there is no audit head: it is made for the first ticket,
    which is number one."""
    with connection.cursor() as cursor:  # the events before, around the append-only guard
        cursor.execute("DELETE FROM audit_auditevent")
    AuditHead.objects.all().delete()
    office = committed_centre
    letter = office.services.get(code="passport").category.queue_letter
    TicketCounter.objects.update_or_create(
        office=office, day=services.local_now(office).date(), letter=letter, defaults={"last": 0}
    )
    ticket = issue()
    assert ticket.seq == 1 and ticket.number.endswith("001")
    assert AuditHead.objects.get().seq == 1
    assert audit.verify().ok


def test_many_issuing_at_once_take_every_number_once(issue):
    """Eight kiosks on eight connections: 80 tickets numbered 1 to 80, each with its one
    event, in one unbroken chain."""

    def kiosk(_n):
        for _ in range(10):
            issue()

    errors = at_once(kiosk, 8)
    assert errors == []
    tickets = Ticket.objects.filter(service__code="passport")
    assert sorted(tickets.values_list("seq", flat=True)) == list(range(1, 81))
    issued = AuditEvent.objects.filter(action="ticket.issue")
    assert sorted(int(i) for i in issued.values_list("object_id", flat=True)) == sorted(
        tickets.values_list("pk", flat=True)
    )
    verdict = audit.verify()
    assert verdict.ok, verdict.problem
