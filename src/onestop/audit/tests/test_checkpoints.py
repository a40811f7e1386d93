"""Signed checkpoints: the attacks of someone who can write the database (done with raw SQL,
around the application) are caught by checking the chain against the checkpoint file."""

import base64
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.audit import checkpoints, services
from onestop.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from onestop.audit.tests.test_chain import append, raw


def taken() -> checkpoints.Checkpoint:
    checkpoint, new = checkpoints.take()
    assert new and checkpoint is not None
    return checkpoint


def against_file():
    return checkpoints.verify_against(*checkpoints.load(str(checkpoints.checkpoint_file())))


def cut_off_the_end(count: int) -> None:
    """Deletes the last `count` events and moves the head back to the one before them."""
    last = AuditHead.objects.get().seq
    raw("DELETE FROM audit_auditevent WHERE seq > %s", [last - count])
    kept = AuditEvent.objects.get(seq=last - count)
    raw("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [kept.seq, kept.hash])


def rewrite_from(seq: int, actor: str) -> None:
    """Gives event `seq` another actor, then computes its hash and every later one again."""
    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else services.GENESIS
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.actor = actor
        forged = services.event_hash(
            prev_hash=previous,
            at=event.at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            data=event.data,
        )
        raw(
            "UPDATE audit_auditevent SET actor = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.actor, previous, forged, event.pk],
        )
        previous = forged
    raw("UPDATE audit_audithead SET hash = %s WHERE id = 1", [previous])


@pytest.mark.django_db
def test_a_checkpoint_is_signed_into_the_database_and_the_file():
    append(3)
    checkpoint = taken()
    head = AuditHead.objects.get()
    assert (checkpoint.length, checkpoint.hash) == (head.seq, head.hash)
    assert AuditCheckpoint.objects.get(length=head.seq).hash == head.hash
    lines = checkpoints.checkpoint_file().read_text().splitlines()
    assert json.loads(lines[-1])["statement"] == (
        f"onestop audit checkpoint\nlength: {head.seq}\nhash: {head.hash}\n"
        f"at: {json.loads(lines[-1])['at']}\n"
    )
    # Nothing new since: the same checkpoint covers the trail, nothing is appended.
    again, new = checkpoints.take()
    assert not new and again is not None and again.length == head.seq
    assert len(checkpoints.checkpoint_file().read_text().splitlines()) == len(lines)
    verdict = against_file()
    assert verdict.ok, verdict.problem
    assert verdict.checkpoints == 1


@pytest.mark.django_db
def test_events_cut_off_the_end_with_the_head_moved_back_are_caught():
    append(5)
    signed = taken()
    cut_off_the_end(2)
    # The chain alone cannot tell: it is intact, only shorter.
    assert services.verify().ok
    verdict = against_file()
    assert not verdict.ok
    assert f"shorter than checkpoint #{signed.length}" in verdict.problem
    assert "2 event(s)" in verdict.problem


@pytest.mark.django_db
def test_an_edit_with_every_later_hash_computed_again_is_caught():
    append(6)
    signed = taken()
    rewrite_from(signed.length - 3, actor="someone else")
    assert services.verify().ok
    verdict = against_file()
    assert not verdict.ok
    assert f"event #{signed.length} does not have the hash signed" in verdict.problem


@pytest.mark.django_db
def test_a_rollback_followed_by_new_events_is_caught():
    """The head moved back and the trail continued with other events past the checkpoint."""
    append(4)
    signed = taken()
    cut_off_the_end(2)
    append(3, actor="intruder")
    assert services.verify().ok
    assert AuditHead.objects.get().seq > signed.length
    verdict = against_file()
    assert not verdict.ok
    assert f"event #{signed.length} does not have the hash signed" in verdict.problem


@pytest.mark.django_db
def test_deleting_the_checkpoints_in_the_database_does_not_help(capsys):
    append(4)
    signed = taken()
    cut_off_the_end(1)
    raw("DELETE FROM audit_auditcheckpoint")
    # `audit verify` uses the local file by default.
    with pytest.raises(CommandError, match=f"shorter than checkpoint #{signed.length}"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_forged_checkpoint_in_the_file_is_refused():
    """Someone who can write the file too moves the signed length back: the signature
    no longer matches the statement."""
    append(3)
    signed = taken()
    path = checkpoints.checkpoint_file()
    line = json.loads(path.read_text().splitlines()[-1])
    shorter = AuditEvent.objects.get(seq=signed.length - 1)
    line["statement"] = checkpoints.statement(length=shorter.seq, hash=shorter.hash, at=signed.at)
    line["length"], line["hash"] = shorter.seq, shorter.hash
    path.write_text(json.dumps(line) + "\n")
    verdict = against_file()
    assert not verdict.ok
    assert "is not valid: the signature does not match" in verdict.problem
    # Fields that say something else than the signed statement are refused outright.
    line["length"] = signed.length
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ValueError, match="differ from its statement"):
        against_file()


@pytest.mark.django_db
def test_a_rewritten_trail_is_not_signed():
    append(4)
    signed = taken()
    append(2)
    rewrite_from(signed.length - 1, actor="someone else")
    with pytest.raises(checkpoints.ChainBroken, match=f"event #{signed.length}"):
        checkpoints.take()
    assert AuditCheckpoint.objects.count() == 1


@pytest.mark.django_db
def test_the_commands_sign_and_verify(capsys):
    append(2)
    call_command("audit", "checkpoint")
    assert "signed at" in capsys.readouterr().out
    call_command("audit", "checkpoint")
    assert "already covers" in capsys.readouterr().out
    append(2)
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    assert "2 signed checkpoint(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_worker_signs_a_checkpoint_every_minute(run_tasks):
    from onestop.operations import schedule

    append(2)
    for task in schedule.periodic_tasks():
        task.enqueue()
    run_tasks()
    assert AuditCheckpoint.objects.filter(length=AuditHead.objects.get().seq).exists()


@pytest.mark.django_db
def test_checkpoints_are_published_newest_first(api_client):
    append(2)
    first = taken()
    append(2)
    second = taken()
    response = api_client.get("/api/v1/audit/checkpoints?limit=1")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["length"] for item in body["items"]] == [second.length]
    offset = api_client.get("/api/v1/audit/checkpoints?limit=1&offset=1").json()
    assert offset["items"][0]["length"] == first.length
    assert offset["items"][0]["signature"] == base64.b64encode(first.signature).decode()
    pem = api_client.get(f"/api/v1/audit/certificate?serial={first.certificate}")
    assert pem.status_code == 200 and pem["Content-Type"] == "application/x-pem-file"
    assert b"BEGIN CERTIFICATE" in pem.content
    assert api_client.get("/api/v1/audit/certificate?serial=abc").status_code == 404


@pytest.mark.django_db
def test_an_outside_auditor_verifies_a_checkpoint_with_openssl(api_client, tmp_path):
    """The commands of docs/operations.md, with what the platform publishes and nothing else."""
    assert shutil.which("openssl"), "openssl is installed by scripts/run-tests"
    append(2)
    taken()
    (tmp_path / "ca.pem").write_bytes(api_client.get("/api/v1/signatures/ca").content)
    item = api_client.get("/api/v1/audit/checkpoints?limit=1").json()["items"][0]
    (tmp_path / "audit.pem").write_bytes(api_client.get("/api/v1/audit/certificate").content)
    (tmp_path / "checkpoint.txt").write_text(item["statement"])
    (tmp_path / "checkpoint.sig").write_bytes(base64.b64decode(item["signature"]))

    def openssl(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["openssl", *arguments], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    chain = openssl("verify", "-CAfile", "ca.pem", "audit.pem")
    assert chain.returncode == 0, chain.stderr
    key = openssl("x509", "-in", "audit.pem", "-noout", "-pubkey", "-out", "audit-key.pem")
    assert key.returncode == 0, key.stderr
    good = openssl(
        "dgst", "-sha256", "-verify", "audit-key.pem", "-signature", "checkpoint.sig",
        "checkpoint.txt",
    )  # fmt: skip
    assert good.returncode == 0 and "Verified OK" in good.stdout, good.stdout + good.stderr
    # One character changed in the statement: OpenSSL refuses it.
    (tmp_path / "checkpoint.txt").write_text(item["statement"].replace("length: ", "length: 1"))
    bad = openssl(
        "dgst", "-sha256", "-verify", "audit-key.pem", "-signature", "checkpoint.sig",
        "checkpoint.txt",
    )  # fmt: skip
    assert bad.returncode != 0 and "Verification failure" in bad.stdout + bad.stderr
