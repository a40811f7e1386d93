"""Writing and verifying the audit trail.

`record` is called by every service function inside its own transaction, so an event is
stored exactly when the change it describes is. Appends lock the one head row
(`select_for_update`), which serialises them across processes and databases; the event's
hash chains it to the one before. Its canonical text is written by `_content_of` alone.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from onestop.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(value) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def _content(event: AuditEvent) -> str:
    """What an event's hash covers besides the hash before it: when, who, what, to which
    object, with which data. The sequence number is not part of it; the chain is the order."""
    return _content_of(
        event.at, event.actor, event.action, event.object_type, event.object_id, event.data
    )


def _content_of(
    at: datetime.datetime, actor: str, action: str, object_type: str, object_id: str, data
) -> str:
    return _canonical(
        {
            "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "object": [object_type, object_id],
            "data": data,
        }
    )


def _chained(prev_hash: str, content: str) -> str:
    """SHA-256 of "<previous hash>\n<content>"."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def event_hash(*, prev_hash: str, **event) -> str:
    """The hash an event with these fields (at, actor, action, object_type, object_id,
    data) gets after `prev_hash`."""
    return _chained(prev_hash, _content_of(**event))


def actor_name(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username()


def _locked_head() -> AuditHead:
    """The audit head, locked until the commit (made before the first event)."""
    try:
        return AuditHead.objects.select_for_update().get(pk=1)
    except AuditHead.DoesNotExist:
        AuditHead.objects.get_or_create(pk=1)
        return AuditHead.objects.select_for_update().get(pk=1)


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    data: dict | None = None,
) -> int:
    """Appends one event and returns its sequence number. Must run inside the transaction
    of the change it describes, after that change's other writes: the head is the last
    lock the transaction takes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change")
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
    head = _locked_head()
    event = AuditEvent(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor_name(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        # As it reads back from the database: dates and the like as text.
        data=json.loads(_canonical(data or {})),
        prev_hash=head.hash,
    )
    event.hash = _chained(head.hash, _content(event))
    event.save(force_insert=True)
    AuditHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event.seq


def log_access(
    *, actor, person, why: str, object_type: str = "", object_id: str = "", data=None
) -> None:
    """Someone reading a person's data (an application, appointments, the person's record):
    one audit event `why`, in a transaction of its own, naming the reader and the person's
    IIN. A person reading his or her own data is not logged; `person` is None for a list
    of many people's data, which is always logged."""
    if person is not None and getattr(actor, "person_id", None) == person.pk:
        return
    with transaction.atomic():
        record(
            actor=actor,
            action=why,
            object_type=object_type,
            object_id=object_id,
            data={**(data or {}), **({"person": person.iin} if person is not None else {})},
        )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    problem: str = ""
    seq: int | None = None
    checkpoints: int = 0


@dataclass(frozen=True)
class Walk:
    """How far a walk along the chain got: the verdict, and the last event that fitted."""

    verdict: Verdict
    last_seq: int
    last_hash: str


def walk(events, *, previous_hash: str = GENESIS, previous_seq: int = 0) -> Walk:
    """Follows `events` (in sequence order) from the event `previous_seq` with hash
    `previous_hash` and names the first one that does not fit."""
    count = 0
    for event in events:
        count += 1
        if _chained(event.prev_hash, _content(event)) != event.hash:
            return Walk(
                Verdict(
                    False,
                    count,
                    f"event #{event.seq} ({event.action} "
                    f"{event.object_type}:{event.object_id}) was edited: its content "
                    "does not match its hash",
                    event.seq,
                ),
                previous_seq,
                previous_hash,
            )
        if event.seq != previous_seq + 1:
            return Walk(
                Verdict(
                    False,
                    count,
                    f"event #{event.seq} follows #{previous_seq}: "
                    f"{event.seq - previous_seq - 1} event(s) before it were removed",
                    event.seq,
                ),
                previous_seq,
                previous_hash,
            )
        if event.prev_hash != previous_hash:
            return Walk(
                Verdict(
                    False,
                    count,
                    f"event #{event.seq} ({event.action} "
                    f"{event.object_type}:{event.object_id}) is out of order or the "
                    f"event before it was replaced: it does not chain to #{previous_seq}",
                    event.seq,
                ),
                previous_seq,
                previous_hash,
            )
        previous_hash, previous_seq = event.hash, event.seq
    return Walk(Verdict(True, count), previous_seq, previous_hash)


def verify() -> Verdict:
    """Walks the chain in sequence order and names the first event that does not fit."""
    done = walk(AuditEvent.objects.order_by("seq").iterator(chunk_size=2000))
    if not done.verdict.ok:
        return done.verdict
    count, previous_seq = done.verdict.count, done.last_seq
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq, head.hash) != (previous_seq, done.last_hash):
        return Verdict(
            False,
            count,
            f"the trail ends at #{previous_seq} but the head records "
            f"#{head.seq}: events after #{previous_seq} were removed",
            previous_seq,
        )
    return Verdict(True, count)
