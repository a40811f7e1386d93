"""`rows.insert` stores a new row as `save()` would, without the model signals: the
models it is used for must have no receivers, and what it stores must read back the same.
`rows.reader` makes an instance from a plain statement's row as a query would."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save

from onestop.audit.models import AuditEvent
from onestop.queueing.models import Ticket
from onestop.rows import insert, insert_after_update, insert_values_after_update, reader

INSERTED = (AuditEvent, Ticket)


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
        # An aware datetime in another zone is stored as the same moment.
        queue_from=now.astimezone(zoneinfo.ZoneInfo("Asia/Almaty")),
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
        "queue_from",
        "called_at",
        "day",
        "office",
        "window",
    ]
    a, b = (Ticket.objects.values(*columns).get(pk=t.pk) for t in (fast, saved))
    assert a == b
    assert a["recalls"] == 1 and a["estimated_wait_minutes"] == 7.0 and a["status"] == "waiting"
    assert a["queue_from"] == now


@pytest.mark.django_db
def test_a_row_from_values_is_stored_as_from_an_instance():
    """`insert_values_after_update` stores what `insert_after_update` stores for an
    instance with the same values; a field left out takes its default, and a field that
    sets itself on save is refused."""
    from onestop.offices.models import Office
    from onestop.queueing.models import TicketCounter, TicketStatus

    office = Office.objects.get(code="astana-esil")
    day = datetime.date(2026, 3, 2)
    counter = TicketCounter.objects.create(office=office, day=day, letter="R")
    update = (
        "UPDATE queueing_ticketcounter SET last = last + 1 WHERE id = %s "
        "RETURNING last AS seq, letter || last AS number"
    )
    at = datetime.datetime(2026, 3, 2, 9, 5, 30, 250, tzinfo=datetime.UTC)
    values = {
        "office_id": office.pk,
        "service_id": office.services.first().pk,
        "day": day,
        "letter": "R",
        "status": TicketStatus.WAITING,
        "issued_at": at,
        "queue_from": at,
        "estimated_wait_minutes": 7,
    }

    def taken(**more):
        return dict(taken=("seq", "number"), create=lambda: None, **more)

    from_values = insert_values_after_update(
        Ticket, {**values, "follow_code": "rows1"}, update, [counter.pk], **taken()
    )
    from_instance = insert_after_update(
        Ticket(**values, follow_code="rows2"), update, [counter.pk], **taken()
    )
    assert (from_values["number"], from_instance.number) == ("R1", "R2")
    columns = [f.attname for f in Ticket._meta.concrete_fields]
    a, b = (
        Ticket.objects.values(*columns).get(pk=pk) for pk in (from_values["pk"], from_instance.pk)
    )
    for differ in ("id", "seq", "number", "follow_code"):
        a.pop(differ), b.pop(differ)
    assert a == b
    assert a["recalls"] == 0 and a["issued_at"] == at and a["estimated_wait_minutes"] == 7.0

    from onestop.notify.models import Notification

    with pytest.raises(TypeError, match="sets itself"):
        insert_values_after_update(
            Notification,
            {},
            "UPDATE queueing_ticketcounter SET last = last + 1 WHERE id = %s "
            "RETURNING 'sms' AS channel",
            [counter.pk],
            taken=("channel",),
            create=lambda: None,
        )


@pytest.mark.django_db
def test_a_row_read_plainly_makes_the_instance_a_query_makes():
    at = datetime.datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=datetime.UTC)
    event = insert(
        AuditEvent(
            seq=10**9 + 2,
            at=at,
            actor="someone",
            action="thing.done",
            object_type="cases.application",
            object_id="9",
            data={"name": "Әлия", "done": True},
            prev_hash="a" * 64,
            hash="b" * 64,
        )
    )
    for leave_out in ((), ("data", "prev_hash")):
        columns, make = reader(AuditEvent, alias="e", leave_out=leave_out)
        with connection.cursor() as cursor:
            sql = f"SELECT {columns} FROM audit_auditevent e WHERE e.id = %s"  # noqa: S608
            cursor.execute(sql, [event.pk])
            made = make(cursor.fetchone())
        assert made.get_deferred_fields() == set(leave_out)
        stored = AuditEvent.objects.get(pk=event.pk)
        for field in AuditEvent._meta.concrete_fields:
            assert getattr(made, field.attname) == getattr(stored, field.attname), field.name
        assert made.at == at and made.data == {"name": "Әлия", "done": True}
