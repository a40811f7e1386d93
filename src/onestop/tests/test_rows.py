"""`rows.insert` stores a new row as `save()` would, without the model signals: the
models it is used for must have no receivers, and what it stores must read back the same."""

import datetime

import pytest
from django.db.models.signals import post_save, pre_save

from onestop.audit.models import AuditEvent
from onestop.queueing.models import Ticket, TicketEvent
from onestop.rows import insert, insert_values

INSERTED = (AuditEvent, Ticket, TicketEvent)


@pytest.mark.parametrize("model", INSERTED, ids=lambda m: m.__name__)
def test_nothing_listens_to_the_models_inserted_without_save(model):
    for signal in (pre_save, post_save):
        assert not signal.has_listeners(model), f"{signal} has receivers for {model.__name__}"


@pytest.mark.django_db
def test_an_inserted_row_reads_back_as_saved():
    at = datetime.datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=datetime.UTC)
    event = insert(
        AuditEvent(
            seq=10**9,
            at=at,
            actor="someone",
            action="thing.done",
            object_type="queueing.ticket",
            object_id="7",
            data={"name": "Әлия", "n": 3, "list": [1, None]},
            prev_hash="a" * 64,
            hash="b" * 64,
        )
    )
    assert event.pk is not None and not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.at == at
    assert stored.data == {"name": "Әлия", "n": 3, "list": [1, None]}
    assert (stored.seq, stored.actor, stored.hash) == (10**9, "someone", "b" * 64)


@pytest.mark.django_db
def test_values_stored_as_save_would_store_them():
    """Plain values go as they are; anything else (a choice, a bool for a number, an int
    for a float) through the field, as save() does."""
    from onestop.offices.models import Office
    from onestop.queueing.models import Priority, TicketStatus

    demo_office = Office.objects.get(code="astana-esil")
    service = demo_office.services.first()
    now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    fields = dict(
        office=demo_office,
        service=service,
        day=datetime.date(2026, 3, 2),
        letter="A",
        number="A001",
        status=TicketStatus.WAITING,
        priority=Priority.ELDERLY,
        channel="kiosk",
        follow_code="",
        issued_at=now,
        queue_from=now,
        estimated_wait_minutes=7,
    )
    fast = insert(Ticket(seq=1, recalls=True, **{**fields, "follow_code": "f1"}))
    saved = Ticket(seq=2, recalls=True, **{**fields, "number": "A002", "follow_code": "f2"})
    saved.save()
    columns = [
        "status",
        "priority",
        "recalls",
        "estimated_wait_minutes",
        "issued_at",
        "called_at",
        "day",
        "office",
        "window",
    ]
    a, b = (Ticket.objects.values(*columns).get(pk=t.pk) for t in (fast, saved))
    assert a == b
    assert a["recalls"] == 1 and a["estimated_wait_minutes"] == 7.0 and a["status"] == "waiting"


@pytest.mark.django_db
def test_a_row_from_values_is_stored_as_from_an_instance():
    """`insert_values` stores what `insert(model(**values))` stores; a field left out takes
    its default, and a field that sets itself on save is refused."""
    from onestop.offices.models import Office
    from onestop.people.models import User
    from onestop.queueing.models import TicketStatus

    office = Office.objects.get(code="astana-esil")
    ticket = insert(
        Ticket(
            office=office,
            service=office.services.first(),
            day=datetime.date(2026, 3, 2),
            letter="A",
            seq=1,
            number="A001",
            follow_code="rows1",
            issued_at=datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC),
            queue_from=datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC),
        )
    )
    at = datetime.datetime(2026, 3, 2, 9, 5, 30, 250, tzinfo=datetime.UTC)
    actor = User.objects.filter(role="operator").first()
    values = {
        "ticket_id": ticket.pk,
        "action": "call",
        "status": TicketStatus.CALLED,
        "at": at,
        "actor_id": actor.pk,
        "window_number": 3,
    }
    columns = ["ticket", "action", "status", "at", "actor", "window_number", "note"]
    from_values = TicketEvent.objects.values(*columns).get(pk=insert_values(TicketEvent, values))
    from_instance = TicketEvent.objects.values(*columns).get(pk=insert(TicketEvent(**values)).pk)
    assert from_values == from_instance
    assert from_values["note"] == "" and from_values["at"] == at

    seq = 10**9 + 1
    pk = insert_values(
        AuditEvent,
        {
            "seq": seq,
            "at": at,
            "actor": "a",
            "action": "b",
            "object_type": "c",
            "object_id": "d",
            "prev_hash": "",
            "hash": "",
        },
    )
    assert AuditEvent.objects.get(pk=pk).data == {}

    from onestop.notify.models import Notification

    with pytest.raises(TypeError, match="sets itself"):
        insert_values(Notification, {"channel": "sms"})
