"""A ticket and its audit event are stored together (ADR 7): on PostgreSQL in one
statement that takes the number, moves the audit head and hashes the event in the
database. What is stored reads back as `audit.record` would have written it, the chain
verifies, and numbers neither repeat nor skip, also when many issue at once."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent, AuditHead
from onestop.people.models import User
from onestop.queueing import selectors, services
from onestop.queueing.models import Ticket, TicketCounter
from onestop.tests.threads import at_once


def issue(service="passport", actor=None):
    return services.issue_ticket(office_code="astana-esil", service_code=service, actor=actor)


def issue_event(ticket: Ticket) -> AuditEvent:
    (event,) = selectors.history(ticket).filter(action="ticket.issue")
    return event


def test_the_event_reads_back_as_record_writes_it(demo_centre):
    operator = User.objects.get(username="operator1")
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
    assert issue_event(tickets[0]).actor == "operator1"
    assert issue_event(tickets[1]).actor == "system"
    assert Ticket.objects.get(pk=tickets[2].pk).number == tickets[2].number
    verdict = audit.verify()
    assert verdict.ok, verdict.problem


def test_the_number_and_the_event_are_taken_together(demo_centre):
    """On PostgreSQL nothing of the application runs while the counter row and the audit
    head are locked: the statement that takes them commits on its own. On SQLite, with one
    writer at a time, the number, the ticket and the event are one transaction."""
    issue()
    with CaptureQueriesContext(connection) as queries:
        ticket = issue()
    statements = [q["sql"] for q in queries.captured_queries]
    writes = [sql for sql in statements if sql.split()[0] in ("WITH", "UPDATE", "INSERT")]
    if connection.vendor == "postgresql":
        assert len(writes) == 1
        assert "queueing_ticketcounter" in writes[0] and "audit_audithead" in writes[0]
        assert not {"BEGIN", "COMMIT"} & set(statements)
    else:
        first, last = statements.index(writes[0]), statements.index(writes[-1])
        assert statements[first - 1].startswith("BEGIN") and statements[last + 1] == "COMMIT"
        assert "queueing_ticketcounter" in writes[0] and "audit_auditevent" in writes[-1]
    assert issue_event(ticket).data["number"] == ticket.number


def test_a_taken_follow_code_outside_a_transaction_skips_no_number(demo_centre, monkeypatch):
    first = issue()
    draws = iter([first.follow_code, "0badc0de"])
    monkeypatch.setattr(services.secrets, "token_hex", lambda _n: next(draws))
    second = issue()
    assert second.follow_code == "0badc0de"
    assert second.seq == first.seq + 1
    assert AuditEvent.objects.filter(action="ticket.issue").count() == 2
    assert audit.verify().ok


def test_inside_a_transaction_the_ticket_goes_back_with_it(demo_centre):
    first = issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        issue()
        raise RuntimeError("the caller's work failed")
    assert Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(action="ticket.issue").count() == 1
    assert issue().seq == first.seq + 1
    assert audit.verify().ok


def test_a_new_database_without_a_head_starts_at_one(demo_centre):
    """Before the first event there is no audit head: the counter does not move without
    one, so the first ticket is still number one, and the head is made for it."""
    with connection.cursor() as cursor:  # the demo's events, around the append-only guard
        cursor.execute("DELETE FROM audit_auditevent")
    AuditHead.objects.all().delete()
    office = demo_centre
    letter = office.services.get(code="passport").category.queue_letter
    TicketCounter.objects.update_or_create(
        office=office, day=services.local_now(office).date(), letter=letter, defaults={"last": 0}
    )
    ticket = issue()
    assert ticket.seq == 1 and ticket.number.endswith("001")
    assert AuditHead.objects.get().seq == 1
    assert audit.verify().ok


@pytest.mark.django_db
def test_a_value_holding_a_mark_is_stored_as_given(always_open):
    """The statement puts the new row's key and number where control characters stand in
    the event's text; data that holds such a character itself takes the two-statement way
    and reads back unchanged."""
    office = always_open
    ticket = Ticket(
        office=office,
        service=office.services.get(code="passport"),
        day=services.local_now(office).date(),
        letter="A",
        follow_code="feedf00d",
        issued_at=timezone.now(),
        queue_from=timezone.now(),
    )
    note = "odd \x011\x01 and \x010\x01"
    audit.insert_recorded(
        ticket,
        services.NEXT_NUMBER,
        [office.pk, ticket.day, ticket.letter],
        taken=("seq", "number"),
        create=lambda: TicketCounter.objects.get_or_create(
            office=office, day=ticket.day, letter="A"
        ),
        actor="tester",
        action="ticket.issue",
        data={"note": note},
        filled={"number": "number"},
    )
    event = issue_event(ticket)
    assert event.data == {"note": note, "number": ticket.number}
    assert event.object_id == str(ticket.pk)
    assert audit.verify().ok


def test_many_issuing_at_once_take_every_number_once(demo_centre):
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
