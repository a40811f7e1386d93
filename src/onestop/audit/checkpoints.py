"""Signed checkpoints of the audit trail, kept in the database and in a file outside it.

The hash chain catches an edited event, but someone who can write the database can also
cut events off the end and move the head back, or edit an event and compute every hash
after it again: the chain then holds. A checkpoint is the audit key's signature over the
trail's length, its last hash and the time. It is appended to `checkpoints.jsonl` in
settings.AUDIT_CHECKPOINT_DIR (and kept in the database for the API); once a copy of that
file is off the machine, `verify_against` catches each of those rewrites.

The signed bytes are `statement` exactly, so that `openssl dgst -sha256 -verify` checks a
checkpoint with the published certificate alone (docs/operations.md). Taking a checkpoint
writes no audit event: it would move the head it has just signed.
"""

import base64
import datetime
import json
import logging
import os
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from onestop.audit.services import Verdict, verify, walk
from onestop.plugins import refuse_inside_transaction

logger = logging.getLogger("onestop.audit")

FILE_NAME = "checkpoints.jsonl"
CERTIFICATES_NAME = "certificates.pem"


class ChainBroken(RuntimeError):
    """The trail does not continue the last checkpoint: it is not signed."""


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as published: in the file, in the database or from the API."""

    length: int
    hash: str
    at: datetime.datetime
    certificate: str
    signature: bytes

    @property
    def statement(self) -> str:
        return statement(length=self.length, hash=self.hash, at=self.at)

    def as_json(self) -> dict:
        return {
            "length": self.length,
            "hash": self.hash,
            "at": _instant(self.at),
            "certificate": self.certificate,
            "statement": self.statement,
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_json(cls, item: dict) -> "Checkpoint":
        """A published checkpoint, read from the statement it signs (the other fields only
        repeat it, and a JSON encoder may have rounded the time)."""
        length, hash, at = parse_statement(item["statement"])
        if (item.get("length", length), item.get("hash", hash)) != (length, hash):
            raise ValueError(f"checkpoint #{item['length']}: its fields differ from its statement")
        return cls(
            length=length,
            hash=hash,
            at=at,
            certificate=str(item["certificate"]),
            signature=base64.b64decode(item["signature"]),
        )

    @classmethod
    def of(cls, row: AuditCheckpoint) -> "Checkpoint":
        return cls(
            length=row.length,
            hash=row.hash,
            at=row.at,
            certificate=row.certificate,
            signature=base64.b64decode(row.signature),
        )


def _instant(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def statement(*, length: int, hash: str, at: datetime.datetime) -> str:
    """The text the audit key signs (UTF-8, four lines, each ending in a newline)."""
    return f"onestop audit checkpoint\nlength: {length}\nhash: {hash}\nat: {_instant(at)}\n"


def parse_statement(text: str) -> tuple[int, str, datetime.datetime]:
    """Length, hash and time of a statement written by `statement`; ValueError otherwise."""
    lines = text.split("\n")
    if len(lines) != 5 or lines[0] != "onestop audit checkpoint" or lines[4] != "":
        raise ValueError("not a checkpoint statement")
    fields = dict(line.split(": ", 1) for line in lines[1:4])
    length, hash, at = (
        int(fields["length"]),
        fields["hash"],
        datetime.datetime.fromisoformat(fields["at"]),
    )
    if statement(length=length, hash=hash, at=at) != text:
        raise ValueError("not a checkpoint statement")
    return length, hash, at


def directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def checkpoint_file() -> Path:
    return directory() / FILE_NAME


def _append(path: Path, text: str) -> None:
    """One write on a descriptor opened for appending, then fsync: lines written by several
    processes never interleave, and a line is on disk before the call returns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, text.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _keep_certificate(pem: str) -> None:
    path = directory() / CERTIFICATES_NAME
    if path.exists() and pem.strip() in path.read_text():
        return
    _append(path, pem.strip() + "\n")


def _check_since(latest: AuditCheckpoint | None, head: AuditHead) -> None:
    """The events after the last checkpoint must continue it up to the head, or the new
    checkpoint would sign a rewritten history."""
    if latest is None:
        done = walk(
            AuditEvent.objects.filter(seq__lte=head.seq).order_by("seq").iterator(chunk_size=2000)
        )
    else:
        anchor = AuditEvent.objects.filter(seq=latest.length).first()
        if anchor is None or anchor.hash != latest.hash:
            raise ChainBroken(
                f"event #{latest.length} no longer has the hash signed in the checkpoint "
                f"of {_instant(latest.at)}"
            )
        done = walk(
            AuditEvent.objects.filter(seq__gt=latest.length, seq__lte=head.seq).order_by("seq"),
            previous_hash=latest.hash,
            previous_seq=latest.length,
        )
    if not done.verdict.ok:
        raise ChainBroken(done.verdict.problem)
    if (done.last_seq, done.last_hash) != (head.seq, head.hash):
        raise ChainBroken(f"the head records #{head.seq} but the trail ends at #{done.last_seq}")


def take() -> tuple[Checkpoint | None, bool]:
    """Signs the trail as it is now, unless the latest checkpoint already covers it.
    Returns the checkpoint that covers the trail (None while it is empty) and whether it
    is new. Raises ChainBroken, and signs nothing, when the trail does not continue the
    latest checkpoint. Runs outside any transaction: it decrypts a key and writes a file."""
    from onestop.signatures import services as signatures

    refuse_inside_transaction("signing an audit checkpoint")
    # Made first: issuing the certificate on first use writes audit events itself.
    signatures.audit_certificate()
    head = AuditHead.objects.filter(pk=1).first()
    latest = AuditCheckpoint.objects.order_by("-length").first()
    if head is None or head.seq == 0:
        return None, False
    if latest is not None and latest.length >= head.seq:
        return Checkpoint.of(latest), False
    _check_since(latest, head)
    at = timezone.now()
    text = statement(length=head.seq, hash=head.hash, at=at)
    signature, authority = signatures.sign_for_audit(text.encode())
    checkpoint = Checkpoint(
        length=head.seq,
        hash=head.hash,
        at=at,
        certificate=authority.serial,
        signature=signature,
    )
    try:
        with transaction.atomic():
            AuditCheckpoint.objects.create(
                length=checkpoint.length,
                hash=checkpoint.hash,
                at=checkpoint.at,
                certificate=checkpoint.certificate,
                signature=base64.b64encode(signature).decode(),
            )
    except IntegrityError:
        # Another process signed the same head a moment ago: its checkpoint stands.
        return Checkpoint.of(AuditCheckpoint.objects.get(length=head.seq)), False
    _keep_certificate(authority.certificate_pem)
    _append(checkpoint_file(), json.dumps(checkpoint.as_json(), sort_keys=True) + "\n")
    return checkpoint, True


def read_file(path: Path) -> list[Checkpoint]:
    return [
        Checkpoint.from_json(json.loads(line))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def _get(url: str) -> bytes:
    """The body at an http(s) URL the operator gave (`load` lets no other scheme here)."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        return response.read()


def read_url(url: str) -> tuple[list[Checkpoint], dict[str, x509.Certificate]]:
    """Every checkpoint published at `url` (GET /api/v1/audit/checkpoints), page by page,
    and the certificates they name (GET /api/v1/audit/certificate next to it)."""
    found: list[Checkpoint] = []
    separator = "&" if "?" in url else "?"
    while True:
        page = json.loads(_get(f"{url}{separator}limit=200&offset={len(found)}"))
        items = page["items"]
        found.extend(Checkpoint.from_json(item) for item in items)
        if not items or len(found) >= page["count"]:
            break
    certificates = {}
    base = url.split("?")[0].rstrip("/")
    if base.endswith("/checkpoints"):
        for serial in {c.certificate for c in found}:
            query = urllib.parse.urlencode({"serial": serial})
            address = f"{base.removesuffix('/checkpoints')}/certificate?{query}"
            certificates[serial] = x509.load_pem_x509_certificate(_get(address))
    return found, certificates


def load(source: str) -> tuple[list[Checkpoint], dict[str, x509.Certificate]]:
    """Checkpoints from a file or a URL, and the certificates found beside them."""
    if source.startswith(("http://", "https://")):
        return read_url(source)
    path = Path(source)
    certificates_path = path.parent / CERTIFICATES_NAME
    certificates = {}
    if certificates_path.exists():
        for certificate in x509.load_pem_x509_certificates(certificates_path.read_bytes()):
            certificates[format(certificate.serial_number, "x")] = certificate
    return read_file(path), certificates


def _known_certificates() -> dict[str, x509.Certificate]:
    from onestop.signatures.models import Authority

    return {
        a.serial: a.certificate()
        for a in Authority.objects.filter(kind=Authority.Kind.AUDIT).defer("encrypted_key_pem")
    }


def verify_against(
    checkpoints: Iterable[Checkpoint], certificates: dict[str, x509.Certificate] | None = None
) -> Verdict:
    """The chain verified, then checked against each signed checkpoint: its signature by an
    audit certificate of the platform's CA, the chain at least that long, and the event at
    that length with the signed hash. Catches events cut off the end with the head moved
    back, and an edit with every later hash computed again."""
    from onestop.signatures import services as signatures

    chain = verify()
    if not chain.ok:
        return chain
    length = chain.count
    known = {**_known_certificates(), **(certificates or {})}
    ordered = sorted(checkpoints, key=lambda c: (c.length, c.at))
    signed: dict[int, Checkpoint] = {}
    for checkpoint in ordered:
        name = f"checkpoint #{checkpoint.length} of {_instant(checkpoint.at)}"
        certificate = known.get(checkpoint.certificate)
        if certificate is None:
            return Verdict(
                False, length, f"{name}: its certificate {checkpoint.certificate} is unknown"
            )
        problem = signatures.audit_signature_problem(
            data=checkpoint.statement.encode(),
            signature=checkpoint.signature,
            certificate=certificate,
            at=checkpoint.at,
        )
        if problem:
            return Verdict(False, length, f"{name} is not valid: {problem}")
        other = signed.setdefault(checkpoint.length, checkpoint)
        if other.hash != checkpoint.hash:
            return Verdict(
                False,
                length,
                f"{name} signs another hash than the checkpoint of {_instant(other.at)}: "
                "the trail was rewritten between them",
                checkpoint.length,
            )
    within = [c for c in signed.values() if c.length <= length]
    for start in range(0, len(within), 1000):
        batch = within[start : start + 1000]
        hashes = dict(
            AuditEvent.objects.filter(seq__in=[c.length for c in batch]).values_list("seq", "hash")
        )
        for checkpoint in batch:
            if hashes.get(checkpoint.length) != checkpoint.hash:
                return Verdict(
                    False,
                    length,
                    f"event #{checkpoint.length} does not have the hash signed in the "
                    f"checkpoint of {_instant(checkpoint.at)}: the trail up to it was "
                    "rewritten",
                    checkpoint.length,
                )
    beyond = [c for c in signed.values() if c.length > length]
    if beyond:
        last = beyond[-1]
        return Verdict(
            False,
            length,
            f"the chain is shorter than checkpoint #{last.length} of {_instant(last.at)}: "
            f"it ends at #{length}, so {last.length - length} event(s) after it are "
            "missing. Either they were removed, or a backup taken before that checkpoint "
            "was restored (docs/operations.md)",
            length,
        )
    return Verdict(True, length, checkpoints=len(signed))
