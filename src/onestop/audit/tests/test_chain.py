import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from onestop.audit import services
from onestop.audit.models import AuditEvent, AuditHead
from onestop.tests.threads import at_once


def append(n: int, actor: str = "tester") -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            seq = services.record(
                actor=actor,
                action="test.happened",
                object_type="test",
                object_id=str(i),
                data={"i": i, "note": "тест"},
            )
            events.append(AuditEvent.objects.get(seq=seq))
    return events


def raw(sql: str, params=()):
    """Tampering as someone with database access would: around the application, not through it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_an_untouched_trail_verifies():
    append(5)
    verdict = services.verify()
    assert verdict.ok, verdict.problem
    assert verdict.count == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        services.record(actor="x", action="y", object_type="t", object_id="1")


@pytest.mark.django_db
def test_the_application_cannot_edit_or_delete_events():
    event = append(1)[0]
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_an_edited_event_is_found_and_named():
    events = append(4)
    target = events[2]
    raw(
        "UPDATE audit_auditevent SET data = %s WHERE id = %s",
        ['{"i": 99, "note": "тест"}', target.pk],
    )
    verdict = services.verify()
    assert not verdict.ok
    assert verdict.seq == target.seq
    assert f"event #{target.seq}" in verdict.problem and "edited" in verdict.problem


@pytest.mark.django_db
def test_an_edit_with_a_recomputed_hash_breaks_the_next_link():
    events = append(4)
    target = events[1]
    forged = services.event_hash(
        prev_hash=target.prev_hash,
        at=target.at,
        actor="someone else",
        action=target.action,
        object_type=target.object_type,
        object_id=target.object_id,
        data=target.data,
    )
    raw(
        "UPDATE audit_auditevent SET actor = %s, hash = %s WHERE id = %s",
        ["someone else", forged, target.pk],
    )
    verdict = services.verify()
    assert not verdict.ok
    assert verdict.seq == events[2].seq
    assert "does not chain" in verdict.problem


@pytest.mark.django_db
def test_a_removed_event_is_found_and_named():
    events = append(5)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    verdict = services.verify()
    assert not verdict.ok
    assert verdict.seq == events[3].seq
    assert "removed" in verdict.problem


@pytest.mark.django_db
def test_events_cut_off_the_end_are_found():
    events = append(3)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    verdict = services.verify()
    assert not verdict.ok
    assert "removed" in verdict.problem and f"#{events[-2].seq}" in verdict.problem


@pytest.mark.django_db
def test_reordered_events_are_found_and_named():
    events = append(5)
    a, b = events[1], events[3]
    # Swap the positions of two events.
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [10**9, a.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    verdict = services.verify()
    assert not verdict.ok
    assert verdict.seq == a.seq
    assert "out of order" in verdict.problem


@pytest.mark.django_db
def test_the_command_exits_non_zero_naming_the_event(capsys):
    events = append(3)
    call_command("audit", "verify")
    assert "chain intact" in capsys.readouterr().out
    raw("UPDATE audit_auditevent SET action = 'nothing.happened' WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"event #{events[1].seq}"):
        call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_many_connections_keep_one_chain():
    """Eight writers at once: every event gets its own sequence number and the chain holds."""
    before = AuditEvent.objects.count()

    def writer(n):
        for i in range(10):
            with transaction.atomic():
                services.record(
                    actor=f"writer{n}",
                    action="test.concurrent",
                    object_type="test",
                    object_id=f"{n}-{i}",
                )

    errors = at_once(writer, 8)
    assert errors == []
    assert AuditEvent.objects.count() == before + 80
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert AuditHead.objects.get().seq == len(seqs)
    assert services.verify().ok
