"""Writing and verifying the audit trail.

`record` is called by every service function inside its own transaction, so an event is
stored exactly when the change it describes is. Appends lock the one head row, which
serialises them across processes and databases; one UPDATE moves it and hashes the event.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from onestop.audit.models import AuditEvent, AuditHead
from onestop.rows import insert_after_update, insert_after_update_with, insert_values_after_update

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
    "postgresql": "encode(sha256(convert_to(hash || chr(10) || {content}, 'UTF8')), 'hex')",
    "sqlite": "onestop_sha256(hash || char(10) || {content})",
}
ADVANCE = {
    vendor: ADVANCE_HEAD.format(digest=digest.format(content="%s"))
    for vendor, digest in DIGEST.items()
}


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
        create=_head,
    )
    return stored["seq"]


# A condition for the WHERE of a counter's UPDATE that `insert_recorded` moves: the counter
# moves only when the head is there to take the event, so that a statement that stores no
# event takes no number either.
HEAD_READY = "EXISTS (SELECT 1 FROM audit_audithead WHERE id = 1)"


# Values only the statement knows (the new row's key, a number it takes) stand in the
# event's text as control characters, which canonical JSON always escapes: a raw one
# stands nowhere else in it.
def _mark(n: int) -> str:
    return f"\x01{n}\x01"


def _marked(text: str, n: int) -> str | None:
    """`text` with the JSON string of `_mark(n)` in it made the raw mark; None when that
    string is not there exactly once (a value that holds the mark itself)."""
    token = json.dumps(_mark(n))
    return text.replace(token, _mark(n)) if text.count(token) == 1 else None


def _filled(columns: Sequence[str], source: str) -> str:
    """SQL for a text given as a parameter, with mark n replaced by the JSON of column n of
    `source`, as `_canonical` writes a string or an integer."""
    sql = "%s"
    for column in columns:
        sql = f"replace({sql}, %s, to_json({source}.{column})::text)"
    return sql


def insert_recorded(
    obj,
    update: str,
    params: Sequence,
    *,
    taken: tuple[str, ...],
    create: Callable[[], object],
    actor,
    action: str,
    data: dict,
    filled: dict[str, str],
):
    """Moves a counter row and inserts `obj` as `rows.insert_after_update` does, and
    records the event of its creation: `data` and, under each key of `filled`, the value
    the statement gave the attribute named there (a string or an integer). `update` has
    `HEAD_READY` in its WHERE; `create()` makes its row. Returns `obj`, stored.

    On PostgreSQL the whole is one statement, the event's hash worked out in it from the
    new row's key and attributes: outside a transaction the counter row and the audit head
    are locked and let go inside the database, without a round trip to the server while
    they are held (ADR 7). Elsewhere it is `insert_after_update` and `record` in one
    transaction."""
    if connection.vendor == "postgresql":
        event = _marked_event(obj, actor=actor, action=action, data=data, filled=filled)
        if event is not None:
            then, then_params = _appended(obj._meta, taken, tuple(filled.values()), event)
            # Inside a transaction, a savepoint: a failed statement leaves the caller's
            # work as it was.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                return insert_after_update_with(
                    obj,
                    update,
                    params,
                    taken=taken,
                    then=then,
                    then_params=then_params,
                    create=lambda: _both(create),
                )
    with transaction.atomic():
        insert_after_update(obj, update, params, taken=taken, create=lambda: _both(create))
        values = {key: getattr(obj, attname) for key, attname in filled.items()}
        record(actor=actor, action=action, obj=obj, data={**data, **values})
    return obj


def _marked_event(obj, *, actor, action: str, data: dict, filled: dict) -> dict | None:
    """The event of `obj`'s creation with its key as mark 0 and the values in `filled` as
    marks 1, 2...: its fields, its text (`content`) and its data as text (`data`). None
    when a value of `data` holds a mark itself."""
    meta = obj._meta
    event = {
        "at": timezone.now(),
        "actor": actor_name(actor),
        "action": action,
        "object_type": f"{meta.app_label}.{meta.model_name}",
    }
    marked = {**data, **{key: _mark(n) for n, key in enumerate(filled, start=1)}}
    content: str | None = _marked(_content_of(**event, object_id=_mark(0), data=marked), 0)
    text: str | None = _canonical(marked)
    for n in range(1, len(filled) + 1):
        content = content and _marked(content, n)
        text = text and _marked(text, n)
    if not content or not text:
        return None
    return {**event, "content": content, "data": text}


_appends: dict[tuple, str] = {}


def _appended(meta, taken: tuple[str, ...], filled: tuple[str, ...], event: dict):
    """The rest of `insert_recorded`'s statement after the CTE `stored`, and its
    parameters: the head moves, hashing the event's text with the marks filled from
    `stored`, and the event is inserted."""
    key = (meta.label, taken, filled)
    if key not in _appends:
        quote = connection.ops.quote_name
        pk = quote(meta.pk.column)
        columns = [f"{pk}::text", *(quote(meta.get_field(a).column) for a in filled)]
        returned = ", ".join(
            f"head.{quote(meta.get_field(a).column)}" for a in (meta.pk.attname, *taken)
        )
        # `stored` has no column named hash, so hash is the head's.
        digest = DIGEST["postgresql"].format(content=_filled(columns, "stored"))
        # Table and column names from the models; the values go as parameters. The event
        # is read in the last SELECT, so that the statement returns no row without it.
        _appends[key] = (
            ", head AS (UPDATE audit_audithead SET seq = audit_audithead.seq + 1, "  # noqa: S608
            f"prev_hash = hash, hash = {digest} FROM stored WHERE audit_audithead.id = 1 "
            "RETURNING audit_audithead.seq AS event_seq, "
            "audit_audithead.prev_hash AS event_prev_hash, "
            "audit_audithead.hash AS event_hash, stored.*), "
            "event AS (INSERT INTO audit_auditevent "
            "(seq, at, actor, action, object_type, object_id, data, prev_hash, hash) "
            f"SELECT event_seq, %s, %s, %s, %s, head.{pk}::text, "
            f"({_filled(columns[1:], 'head')})::jsonb, event_prev_hash, event_hash FROM head "
            f"RETURNING seq) SELECT {returned}, event.seq FROM head, event"
        )
    marks = [_mark(n) for n in range(len(filled) + 1)]
    fields = [event["at"], event["actor"], event["action"], event["object_type"]]
    return _appends[key], [event["content"], *marks, *fields, event["data"], *marks[1:]]


def _head() -> None:
    AuditHead.objects.get_or_create(id=1)


def _both(create: Callable[[], object]) -> None:
    create()
    _head()


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
