"""A backup taken while tickets and applications keep coming restores into a fresh data
directory or database, and its audit trail verifies against the checkpoints signed before
it; against a checkpoint signed after it, verify names the events the restore lost."""

import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.db import connection, connections

from onestop.audit import checkpoints
from onestop.cases import services as cases
from onestop.offices.models import Office
from onestop.operations import backups
from onestop.people.models import Person, Role, User
from onestop.queueing import services as queueing
from onestop.tests import factories


def onestop(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "onestop", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def keep_writing(
    stop: threading.Event,
    written: list[str],
    errors: list[Exception],
    *,
    centre: Office,
    operator: User,
    people: list[Person],
) -> None:
    """Tickets at a kiosk and applications at a window, one after another, until stopped."""
    try:
        n = 0
        while not stop.is_set():
            ticket = queueing.issue_ticket(
                office_code=centre.code, service_code="passport", channel="kiosk"
            )
            written.append(f"ticket {ticket.number}")
            application = cases.file_application(
                actor=operator,
                service_code="real-estate-registration",
                channel="oss",
                applicant_iin=people[n % len(people)].iin,
                office_code=centre.code,
            )
            written.append(f"application {application.number}")
            n += 1
    except Exception as error:
        errors.append(error)
    finally:
        connections.close_all()


def wait_for(written: list[str], count: int, errors: list[Exception]) -> None:
    deadline = time.monotonic() + 30
    while len(written) < count:
        assert not errors, errors
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.05)


@pytest.fixture
def fresh_platform(tmp_path):
    """The environment of a platform on a fresh data directory and, on PostgreSQL, a fresh
    empty database."""
    env = {**os.environ, "ONESTOP_DATA_DIR": str(tmp_path / "fresh")}
    env.pop("ONESTOP_AUDIT_CHECKPOINT_DIR", None)
    database = None
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        database = f"restored_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["ONESTOP_DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{database}"
        )
    else:
        env.pop("ONESTOP_DATABASE_URL", None)
    yield env
    if database is not None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_under_load_restores_and_its_trail_verifies(tmp_path, fresh_platform, live_server):
    if connection.vendor == "postgresql":
        assert backups.postgres_program("pg_dump"), "pg_dump is installed with PostgreSQL"
    factories.reference_register()
    centre = factories.centre()
    at_the_counter = {
        "centre": centre,
        "operator": factories.staff(Role.OPERATOR, office=centre),
        "people": [factories.person() for _ in range(20)],
    }
    before, _new = checkpoints.take()
    stop, written, errors = threading.Event(), [], []
    writer = threading.Thread(
        target=keep_writing, args=(stop, written, errors), kwargs=at_the_counter
    )
    writer.start()
    try:
        wait_for(written, 6, errors)
        during, _new = checkpoints.take()
        wait_for(written, len(written) + 4, errors)
        backups.take(tmp_path / "backup")
        written_at_backup = len(written)
        wait_for(written, written_at_backup + 4, errors)
    finally:
        stop.set()
        writer.join()
    assert errors == []
    after, new = checkpoints.take()
    assert before and during and after and new
    assert before.length < during.length < after.length

    restored = onestop("restore", str(tmp_path / "backup"), env=fresh_platform)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "signed checkpoint(s) agree" in restored.stdout

    verified = onestop("audit", "verify", env=fresh_platform)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "chain intact, 2 signed checkpoint(s)" in verified.stdout

    # The checkpoint signed after the backup: the restored trail is shorter, and says so.
    live = onestop(
        "audit", "verify", "--checkpoints", str(checkpoints.checkpoint_file()), env=fresh_platform
    )
    assert live.returncode == 1
    assert f"the chain is shorter than checkpoint #{after.length}" in live.stderr
    assert "a backup taken before that checkpoint was restored" in live.stderr
    # The same against the checkpoints the running platform publishes.
    published = onestop(
        "audit",
        "verify",
        "--checkpoints",
        f"{live_server.url}/api/v1/audit/checkpoints",
        env=fresh_platform,
    )
    assert published.returncode == 1, published.stdout + published.stderr
    assert f"the chain is shorter than checkpoint #{after.length}" in published.stderr


@pytest.mark.django_db
def test_a_backup_goes_into_a_new_directory_only(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "something").write_text("x")
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.take(tmp_path / "taken")
