"""`rows.insert` stores a new row as `save()` would, without the model signals: the
models it is used for must have no receivers, and what it stores must read back the same."""

import datetime

import pytest
from django.db.models.signals import post_save, pre_save

from onestop.audit.models import AuditEvent
from onestop.queueing.models import Ticket, TicketEvent
from onestop.rows import insert

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
