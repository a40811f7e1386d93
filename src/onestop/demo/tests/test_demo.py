import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from onestop.people.iin import parse_iin
from onestop.people.models import Person, Role, User


@pytest.mark.django_db
def test_loaddemo_is_idempotent(capsys):
    counts = {model: model.objects.count() for model in (Person, User)}
    call_command("loaddemo")
    out = capsys.readouterr().out
    assert (
        "0 new standard versions" in out and "0 new people" in out and "0 new staff accounts" in out
    )
    assert {model: model.objects.count() for model in (Person, User)} == counts


@pytest.mark.django_db
def test_demo_population_has_a_thousand_people_with_valid_iins():
    people = list(Person.objects.all())
    assert len(people) >= 1000
    for person in people:
        facts = parse_iin(person.iin)
        assert facts.birth_date == person.birth_date and facts.sex == person.sex


@pytest.mark.django_db
def test_demo_business_registry_has_valid_bins():
    from onestop.people.iin import parse_bin
    from onestop.people.models import LegalEntity

    entities = list(LegalEntity.objects.select_related("head"))
    assert len(entities) >= 50
    for entity in entities:
        parse_bin(entity.bin)
        assert entity.head is not None


@pytest.mark.django_db
def test_every_role_has_a_demo_account():
    expected = {
        "consultant1": Role.CONSULTANT,
        "operator1": Role.OPERATOR,
        "operator4": Role.OPERATOR,
        "manager1": Role.MANAGER,
        "reviewer1": Role.REVIEWER,
        "reviewer3": Role.REVIEWER,
        "head1": Role.HEAD,
        "analyst1": Role.ANALYST,
        "agent1": Role.AGENT,
        "admin": Role.ADMIN,
        "auditor1": Role.AUDITOR,
    }
    for username, role in expected.items():
        assert User.objects.get(username=username).role == role
    reviewers = User.objects.filter(username__in=["reviewer1", "reviewer2", "reviewer3"])
    assert {r.agency_id for r in reviewers} == {User.objects.get(username="head1").agency_id}
    operators = User.objects.filter(
        username__in=["operator1", "operator2", "operator3", "operator4"]
    )
    assert {o.office.code for o in operators} == {"astana-esil"}
    assert sorted(o.window_number for o in operators) == [1, 2, 3, 4]


@pytest.mark.django_db
def test_every_agency_has_reviewers_skilled_in_all_its_services():
    from onestop.cases.models import ReviewerSkill
    from onestop.catalog.models import Agency

    for agency in Agency.objects.all():
        reviewers = User.objects.filter(role=Role.REVIEWER, agency=agency)
        assert reviewers.count() >= 2, agency.code
        for reviewer in reviewers:
            assert (
                ReviewerSkill.objects.filter(reviewer=reviewer).count() == agency.services.count()
            )


@pytest.mark.django_db
def test_demopeople_prints_iins_that_can_log_in(capsys, api_client, token_for):
    call_command("demopeople", "--count", "5")
    iins = capsys.readouterr().out.split()
    assert len(iins) == 5
    for iin in iins:
        parse_iin(iin)
    me = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token_for(iins[0])}").json()
    assert me["username"] == iins[0] and me["role"] == "citizen"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_processes(session: int) -> list[int]:
    """The processes still alive in this session (zombies are gone already)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def start_onestop(tmp_path, command: str, *args: str) -> tuple[subprocess.Popen, int]:
    """`onestop <command> --port <a free one> <args>` (demo, serve) on a fresh data
    directory and SQLite, in a session of its own, once it answers /health (within three
    minutes)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ONESTOP_DATABASE_URL"}
    env["ONESTOP_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop", command, "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process, port
        except OSError:
            time.sleep(0.5)
    output = process.stdout.read() if process.poll() is not None else ""
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail(f"onestop {command} did not answer: {output}")


def start_demo(tmp_path, *args: str) -> tuple[subprocess.Popen, int]:
    return start_onestop(tmp_path, "demo", "--workers", "1", *args)


def stop_demo(process: subprocess.Popen) -> str:
    """Ctrl-C, as a person would; the output once everything has stopped."""
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert session_processes(process.pid) == []  # no server, worker or simulator left
    return output


def test_onestop_demo_serves_simulates_and_stops_on_ctrl_c(tmp_path):
    """What a newcomer runs: a fresh data directory, the server, the worker and the visitor
    simulator; simulated visitors get tickets at astana-esil; Ctrl-C stops all three."""
    process, port = start_demo(tmp_path)
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/v1/services/passport?lang=ru", timeout=5
        ) as r:
            body = r.read().decode()
        assert "паспорт" in body.lower()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/portal/site.css", timeout=5
        ) as r:
            assert r.status == 200
        # The simulator logs its operators in through the API (the demo has a database of
        # its own, read here directly).
        database = sqlite3.connect(tmp_path / "onestop.sqlite3")
        deadline = time.monotonic() + 60
        logged_in = 0
        while time.monotonic() < deadline and not logged_in:
            logged_in = database.execute(
                "SELECT COUNT(*) FROM people_apitoken t JOIN people_user u ON u.id = t.user_id "
                "WHERE u.username = 'operator4'"
            ).fetchone()[0]
            time.sleep(0.5)
        database.close()
        assert logged_in
        time.sleep(1)
        output = stop_demo(process)
        assert "demo12345" in output or os.environ.get("ONESTOP_DEMO_PASSWORD", "") in output
        assert "simulating astana-esil" in output, output
        assert "operator3" in output and "Simulated visitors" in output
        assert "stopped" in output
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_onestop_demo_without_the_simulator(tmp_path):
    process, _port = start_demo(tmp_path, "--no-simulate")
    try:
        output = stop_demo(process)
        assert "simulating" not in output and "Simulated visitors" not in output
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
