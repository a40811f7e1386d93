"""What survives a crash: the real server (`onestop serve`, gunicorn) and the real task
worker (`onestop worker`) run as processes on a database of their own while clients file
applications, accept them and take tickets; web workers and the task worker are killed
with SIGKILL in the middle and started again. Afterwards nothing is half-written (every
application has its history and audit events, every ticket its number), every change has
its messages, every message was sent and every SMS reached the gateway exactly once, and
the audit chain verifies. On PostgreSQL when ONESTOP_DATABASE_URL is set, else SQLite."""

import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

LOAD_SECONDS = 10

# Run by the platform's own shell on its fresh database: the register it ships, a centre
# with its kiosk and operator, a reviewer for what the operator accepts, and people with a
# phone and an e-mail address (each change sends both), made by the test factories.
SETUP = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from onestop.people.models import Role
from onestop.tests import factories
factories.reference_register()
centre = factories.centre()
operator = factories.staff(Role.OPERATOR, office=centre)
factories.reviewer("real-estate-registration")
made = {
    "centre": centre.code,
    "kiosk": factories.device_token("kiosk", office=centre),
    "operator": [operator.username, factories.password(operator)],
    "people": [factories.person().iin for _ in range(60)],
}
print("MADE=" + json.dumps(made))
"""


# ------------------------------------------------------------------ the database


class Database:
    """A throw-away database for the processes, and plain SQL to look into it."""

    def __init__(self, data_dir: Path):
        self.url = os.environ.get("ONESTOP_DATABASE_URL", "")
        self.data_dir = data_dir
        self.name = f"onestop_faults_{secrets.token_hex(4)}"
        if self.url:
            self.admin(f'CREATE DATABASE "{self.name}"')
            self.url = urllib.parse.urlunsplit(
                urllib.parse.urlsplit(self.url)._replace(path=f"/{self.name}")
            )

    def admin(self, statement: str) -> None:
        import psycopg

        server = urllib.parse.urlsplit(os.environ["ONESTOP_DATABASE_URL"])
        with psycopg.connect(
            urllib.parse.urlunsplit(server._replace(path="/postgres")), autocommit=True
        ) as connection:
            connection.execute(statement)

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "ONESTOP_DATA_DIR": str(self.data_dir)}
        if self.url:
            env["ONESTOP_DATABASE_URL"] = self.url
        else:
            env.pop("ONESTOP_DATABASE_URL", None)
        return env

    def rows(self, sql: str) -> list[tuple]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as connection:
                return list(connection.execute(sql).fetchall())
        connection = sqlite3.connect(self.data_dir / "onestop.sqlite3", timeout=30)
        try:
            return list(connection.execute(sql).fetchall())
        finally:
            connection.close()

    def value(self, sql: str):
        return self.rows(sql)[0][0]

    def drop(self) -> None:
        if self.url:
            self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# ------------------------------------------------------------------ the processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    def __init__(self, database: Database, port: int):
        self.env = {
            **database.environment(),
            "ONESTOP_TASK_LEASE_SECONDS": "2",
            "ONESTOP_RATE_LIMITS": "off",
            "ONESTOP_SANDBOX_SMS_LATENCY_MS": "40",
            "ONESTOP_LOG_LEVEL": "WARNING",
        }
        self.port = port
        self.logs = database.data_dir / "logs"
        self.logs.mkdir()
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "onestop", *args],
            env=self.env,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.logs / name, "a")  # noqa: SIM115 - the process writes it while it lives
        return subprocess.Popen(
            [sys.executable, "-m", "onestop", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_server(self) -> None:
        self.server = self._start(
            "server", "serve", "--port", str(self.port), "--workers", "2", "--threads", "2"
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2)
                return
            assert self.server.poll() is None, (self.logs / "server").read_text()[-3000:]
            time.sleep(0.3)
        pytest.fail("the server did not start")

    def start_worker(self, database: Database) -> None:
        """Starts a task worker and waits until it says it is alive (its heartbeat)."""
        before = database.value("SELECT COUNT(*) FROM operations_workerheartbeat")
        self.worker = self._start("worker", "worker", "--interval", "0.1")
        deadline = time.monotonic() + 60
        while database.value("SELECT COUNT(*) FROM operations_workerheartbeat") <= before:
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.1)

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()

    def web_workers(self) -> list[int]:
        """The gunicorn workers: the children of the server's master process."""
        assert self.server is not None
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_a_web_worker(self) -> None:
        pids = self.web_workers()
        assert pids, "gunicorn has no worker to kill"
        os.kill(pids[0], signal.SIGKILL)

    def stop(self) -> None:
        for process in (self.worker, self.server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# ------------------------------------------------------------------ the clients


class Client:
    """A client that retries what it did not get an answer to, with the same
    Idempotency-Key, as the API tells it to."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}/api/v1"

    def call(self, path: str, body: dict, token: str, key: str | None = None):
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, json.dumps(body).encode(), headers, method="POST"
        )
        for _attempt in range(20):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                if error.code in {502, 503}:
                    time.sleep(0.3)
                    continue
                return error.code, json.loads(error.read() or b"null")
            except (OSError, ConnectionError):  # the worker died under the request
                time.sleep(0.3)
        return None, None

    def raw(self, path: str, body: dict, token: str):
        """One attempt, no retry: the answer as it came."""
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path,
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        try:
            return urllib.request.urlopen(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as error:
            return error

    def token(self, username: str, password: str) -> str:
        status, body = self.call("/auth/token", {"username": username, "password": password}, "")
        assert status == 200, body
        return body["token"]


def drive(client: Client, made: dict, people: list[str], stop: threading.Event, seen: list) -> None:
    operator, kiosk, centre = client.token(*made["operator"]), made["kiosk"], made["centre"]
    n = 0
    while not stop.is_set():
        iin = people[n % len(people)]
        n += 1
        filing = {
            "service": "real-estate-registration",
            "applicant": {"iin": iin},
            "channel": "oss",
            "office": centre,
        }
        status, body = client.call("/applications", filing, operator, key=str(uuid.uuid4()))
        seen.append(("file", status))
        if status == 201:
            status, _ = client.call(
                f"/applications/{body['number']}/transitions", {"action": "accept"}, operator
            )
            seen.append(("accept", status))
        status, _ = client.call(
            f"/offices/{centre}/tickets", {"service": "passport"}, kiosk, key=str(uuid.uuid4())
        )
        seen.append(("ticket", status))
        # A steady pace: what is filed stays deliverable in the test's time on any machine.
        stop.wait(0.1)


# ------------------------------------------------------------------ the test


def test_nothing_is_lost_or_sent_twice_when_server_and_worker_are_killed(tmp_path):
    database = Database(tmp_path)
    processes = Processes(database, free_port())
    try:
        setup = processes.run("shell", "-c", SETUP, timeout=180)
        assert setup.returncode == 0, setup.stderr[-3000:]
        made = json.loads(setup.stdout.split("MADE=")[1].splitlines()[0])
        kiosk, tickets = made["kiosk"], f"/offices/{made['centre']}/tickets"
        processes.start_server()
        processes.start_worker(database)
        client = Client(processes.port)
        stop = threading.Event()
        seen: list = []
        threads = [
            threading.Thread(target=drive, args=(client, made, made["people"][i::3], stop, seen))
            for i in range(3)
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        for _kill in range(2):
            time.sleep(1)
            processes.kill_a_web_worker()
            # The task worker dies while it sends a message.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not database.value(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status = 'RUNNING' AND task_path LIKE '%deliver_notification'"
            ):
                time.sleep(0.02)
            processes.kill_worker()
            processes.start_worker(database)
        time.sleep(max(0.0, started + LOAD_SECONDS - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        # Everything the changes called for is done within a few leases.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            waiting = database.value(
                "SELECT COUNT(*) FROM notify_notification WHERE state IN ('queued', 'sending')"
            )
            if not waiting:
                break
            time.sleep(0.5)

        filed = [s for what, s in seen if what == "file"]
        assert filed.count(201) >= 2, seen
        assert not [s for _what, s in seen if s is not None and s >= 500], seen

        # Nothing half-written.
        assert not database.rows(
            "SELECT a.number FROM cases_application a WHERE NOT EXISTS "
            "(SELECT 1 FROM cases_statuschange c WHERE c.application_id = a.id)"
        )
        assert not database.rows(
            "SELECT a.number FROM cases_application a WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_auditevent e WHERE e.object_type = 'cases.application' "
            "AND e.object_id = CAST(a.id AS VARCHAR(80)) AND e.action = 'application.filed')"
        )
        assert database.value("SELECT COUNT(*) FROM queueing_ticket") > 0
        assert not database.rows("SELECT id FROM queueing_ticket WHERE number = ''")

        # Every change has its messages, one per channel the person has.
        assert not database.rows(
            "SELECT c.id FROM cases_statuschange c "
            "JOIN cases_application a ON a.id = c.application_id "
            "JOIN people_person p ON p.id = a.applicant_id "
            "WHERE a.parent_id IS NULL AND "
            "(SELECT COUNT(*) FROM notify_notification n WHERE n.status_change_id = c.id) <> "
            "(CASE WHEN p.phone <> '' THEN 1 ELSE 0 END) + (CASE WHEN p.email <> '' THEN 1 ELSE 0 END)"
        )
        # Every message was sent; every SMS reached the gateway exactly once.
        states = dict(
            database.rows("SELECT state, COUNT(*) FROM notify_notification GROUP BY state")
        )
        assert set(states) == {"sent"}, states
        sms = {
            f"onestop-notification-{pk}"
            for (pk,) in database.rows("SELECT id FROM notify_notification WHERE channel = 'sms'")
        }
        sent = [
            gateway_id
            for (gateway_id,) in database.rows("SELECT gateway_id FROM notify_sandboxsms")
        ]
        assert len(sent) == len(set(sent)) == len(sms) and set(sent) == sms

        # The audit chain is whole.
        verify = processes.run("audit", "verify", timeout=120)
        assert verify.returncode == 0, verify.stdout + verify.stderr

        # A worker's tasks were indeed taken back from a dead worker.
        assert "gone back to the queue" in (processes.logs / "worker").read_text()

        if database.url:  # PostgreSQL gone for a moment: 503 with Retry-After, then service.
            processes.kill_worker()
            database.admin(f'ALTER DATABASE "{database.name}" ALLOW_CONNECTIONS false')
            terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            database.admin(f"{terminate}'{database.name}'")
            gone = client.raw(tickets, {"service": "passport"}, kiosk)
            database.admin(f'ALTER DATABASE "{database.name}" ALLOW_CONNECTIONS true')
            assert gone.status == 503 and int(gone.headers["Retry-After"]) > 0
            assert gone.headers["Content-Type"] == "application/problem+json"
            status, _ = client.call(tickets, {"service": "passport"}, kiosk)
            assert status == 201
    finally:
        processes.stop()
        database.drop()
