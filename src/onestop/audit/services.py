"""Writing and verifying the audit trail.

`record` is called by every service function inside its own transaction, so an event is
stored exactly when the change it describes is. Appends lock the one head row, which
serialises them across processes and databases; one UPDATE moves it and hashes the event.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from onestop.audit.models import AuditEvent, AuditHead
from onestop.rows import insert_values_after_update

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
    """SHA-256 of "<previous hash>\n<content>"; appends compute the same in SQL
    (`ADVANCE_HEAD`), `verify` here."""
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


# The head moves in one statement, which computes the new event's hash in the database
# from the hash before it: SHA-256 of "<previous hash>\n<content>", as `_chained` does.
# SQLite's `onestop_sha256` is registered on each connection (onestop/sqlite/base.py).
ADVANCE_HEAD = (
    "UPDATE audit_audithead SET seq = seq + 1, prev_hash = hash, hash = {digest} "
    "WHERE id = 1 RETURNING seq, prev_hash, hash"
)
DIGEST = {
    "postgresql": "encode(sha256(convert_to(hash || chr(10) || %s, 'UTF8')), 'hex')",
    "sqlite": "onestop_sha256(hash || char(10) || %s)",
}
ADVANCE = {vendor: ADVANCE_HEAD.format(digest=digest) for vendor, digest in DIGEST.items()}


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
    of the change it describes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change")
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
    event = {
        "at": timezone.now(),
        "actor": actor_name(actor),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        # As it reads back from the database: dates and the like as text.
        "data": json.loads(_canonical(data or {})),
    }
    # On PostgreSQL the head moves and the event is stored in one statement.
    stored = insert_values_after_update(
        AuditEvent,
        event,
        ADVANCE[connection.vendor],
        [_content_of(**event)],
        taken=("seq", "prev_hash", "hash"),
        create=lambda: AuditHead.objects.get_or_create(id=1),
    )
    return stored["seq"]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    problem: str = ""
    seq: int | None = None


def verify() -> Verdict:
    """Walks the chain in sequence order and names the first event that does not fit."""
    previous_hash, previous_seq, count = GENESIS, 0, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if _chained(event.prev_hash, _content(event)) != event.hash:
            return Verdict(
                False,
                count,
                f"event #{event.seq} ({event.action} "
                f"{event.object_type}:{event.object_id}) was edited: its content "
                "does not match its hash",
                event.seq,
            )
        if event.seq != previous_seq + 1:
            return Verdict(
                False,
                count,
                f"event #{event.seq} follows #{previous_seq}: "
                f"{event.seq - previous_seq - 1} event(s) before it were removed",
                event.seq,
            )
        if event.prev_hash != previous_hash:
            return Verdict(
                False,
                count,
                f"event #{event.seq} ({event.action} "
                f"{event.object_type}:{event.object_id}) is out of order or the "
                f"event before it was replaced: it does not chain to #{previous_seq}",
                event.seq,
            )
        previous_hash, previous_seq = event.hash, event.seq
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq, head.hash) != (previous_seq, previous_hash):
        return Verdict(
            False,
            count,
            f"the trail ends at #{previous_seq} but the head records "
            f"#{head.seq}: events after #{previous_seq} were removed",
            previous_seq,
        )
    return Verdict(True, count)
