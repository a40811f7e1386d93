"""Several machines, for real: Debian's nginx balancing two `onestop serve` processes, each
with its own data directory as on its own machine, one PostgreSQL, one Redis for the cache
and the request counters, and one task worker, set up as docs/operations.md says.

Everything is driven at once, through nginx and straight at each server: ticket storms at
four windows, a booking storm on one slot, acceptances pressed by several operators, a
password guesser spread over both servers, and a migration that adds columns to the busy
tables while they serve. Every invariant and every limit holds across the two servers, and
no request gets a server error.

It needs PostgreSQL (SQLite serves one machine), nginx and redis-server: scripts/run-tests
installs them and runs this module in its PostgreSQL pass only (marker `machines`)."""

import datetime
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from onestop.appointments.models import Appointment, SlotLoad
from onestop.audit.models import AuditEvent
from onestop.cases.models import Application, Assignment, StatusChange
from onestop.catalog.models import Service
from onestop.offices.models import Office
from onestop.people.models import Role, User
from onestop.queueing import selectors
from onestop.queueing.models import Device, Ticket
from onestop.queueing.services import register_device
from onestop.tests import factories

pytestmark = [pytest.mark.machines, pytest.mark.django_db(transaction=True)]

WINDOWS = (1, 2, 3, 4)  # an operator sits at each, the four and the manager accept
KIOSK_TICKETS = 15  # issued by each of three kiosks during the storm
APPLICATIONS = 8
SLOT_BOOKERS = 12
WRONG_PASSWORDS = 16
STARTUP_SECONDS = 180  # collectstatic and gunicorn boot; seconds on an idle machine


# ---------------------------------------------------------------------------------------
# The machines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def program(name: str) -> str:
    """A system program, or a loud failure: this test is never skipped for want of one."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        pytest.fail(f"{name} not found: install Debian's package (scripts/run-tests does as root)")
    return found


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_until(condition: Callable[[], bool], what: str, seconds: float = STARTUP_SECONDS):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def answers(port: int, path: str = "/health") -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False


NGINX_CONF = """\
# The recipe of docs/operations.md, on loopback ports, as a process of the test.
daemon off;
{user}
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 40m;

    upstream onestop {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://onestop;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


@dataclass
class Site:
    ports: dict[str, int]  # "nginx", "a", "b"
    tmp: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    centre: str = ""  # its code
    people: dict = field(default_factory=dict)  # the accounts, made by `staff_and_citizens`

    def routes(self) -> Iterator[str]:
        """Round the three doors, so that each caller's requests land on both servers."""
        return itertools.cycle(["nginx", "a", "b"])

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def start(site: Site, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    log = (site.tmp / f"{name}.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    site.processes[name] = process
    return process


def stop(site: Site) -> None:
    """gunicorn's and nginx's masters take their workers with them."""
    for process in site.processes.values():
        if process.poll() is None:
            process.terminate()
    for process in site.processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def staff_and_citizens(centre: Office) -> dict:
    """The centre's operators (by window), manager and consultant, a call-centre agent, a
    reviewer for what is accepted, and citizens, each able to log in with a password."""
    people = {
        "operators": {n: factories.staff(Role.OPERATOR, office=centre, window=n) for n in WINDOWS},
        "manager": factories.staff(Role.MANAGER, office=centre),
        "consultant": factories.staff(Role.CONSULTANT, office=centre),
        "agent": factories.staff(Role.AGENT),
        "citizens": [factories.citizen() for _ in range(SLOT_BOOKERS + 2)],
    }
    factories.reviewer("real-estate-registration")
    for user in (
        *people["operators"].values(),
        people["manager"],
        people["consultant"],
        people["agent"],
        *people["citizens"],
    ):
        factories.password(user)
    return people


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    """redis-server, two servers, a task worker and nginx in front, each a process of this
    test stopped at its end; the shipped register, and a centre open all day with its
    staff and citizens."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "needs PostgreSQL: set ONESTOP_DATABASE_URL (scripts/run-tests runs this module "
            "in its PostgreSQL pass; deselect it elsewhere with -m 'not machines')"
        )
    nginx, redis_server = program("nginx"), program("redis-server")
    tmp_path.chmod(0o755)  # nginx's workers write their temporary files here
    ports = {"nginx": free_port(), "a": free_port(), "b": free_port(), "redis": free_port()}
    common = {
        **os.environ,
        "ONESTOP_DATABASE_URL": database_url(),
        "ONESTOP_REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        # One key on every machine: sessions, signed values and the keys of the
        # platform's certificates are only readable with it.
        "ONESTOP_SECRET_KEY": secrets.token_urlsafe(50),
        "ONESTOP_TRUSTED_PROXIES": "1",
        "ONESTOP_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # One process a machine, with threads: the two machines are the processes that
        # must agree, and the test stays light on a busy runner.
        "ONESTOP_WEB_WORKERS": "1",
        "ONESTOP_WEB_THREADS": "6",
        "ONESTOP_LOG_LEVEL": "WARNING",
    }
    site = Site(ports=ports, tmp=tmp_path, env=common)
    try:
        start(
            site,
            "redis",
            [
                redis_server,
                "--port",
                str(ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            common,
        )
        for name in ("a", "b"):
            data_dir = tmp_path / f"machine-{name}"
            data_dir.mkdir()
            start(
                site,
                name,
                [sys.executable, "-m", "onestop", "serve", "--port", str(ports[name])],
                {**common, "ONESTOP_DATA_DIR": str(data_dir)},
            )
        start(
            site,
            "worker",
            [sys.executable, "-m", "onestop", "worker"],
            {**common, "ONESTOP_DATA_DIR": str(tmp_path / "machine-a")},
        )
        config = tmp_path / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(
                tmp=tmp_path,
                port=ports["nginx"],
                a=ports["a"],
                b=ports["b"],
                user="user root;" if os.geteuid() == 0 else "",
            )
        )
        start(site, "nginx", [nginx, "-c", str(config), "-p", str(tmp_path)], common)
        # The data is made while the servers collect their static files and boot.
        factories.reference_register()
        # Six windows, four of them staffed: half of the six take appointments, a slot of 3.
        centre = factories.centre(windows=6)
        site.centre = centre.code
        site.people = staff_and_citizens(centre)
        for name in ("a", "b", "nginx"):
            process = site.processes[name]
            wait_until(
                lambda name=name, process=process: (
                    process.poll() is not None or answers(ports[name])
                ),
                f"{name} to answer",
            )
            assert process.poll() is None, f"{name} did not start:\n{site.log(name)}"
        yield site
    finally:
        stop(site)


# ---------------------------------------------------------------------------------------
# Callers: each from its own loopback address, as people at their own computers


_addresses = itertools.count(2)


def new_address() -> str:
    n = next(_addresses)
    return f"127.0.{n // 250}.{n % 250 + 2}"


@dataclass
class Answer:
    status: int
    body: dict | list | str | None
    headers: dict[str, str]

    @property
    def code(self) -> str:
        """The problem's code: the last part of its type."""
        if isinstance(self.body, dict) and "type" in self.body:
            return str(self.body["type"]).rsplit("/", 1)[-1]
        return str(self.status)


class Traffic:
    """Every answer any caller got, for the check that none was a server error."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: list[tuple[float, str, str, int]] = []
        self.failures: list[str] = []

    def note(self, route: str, what: str, status: int) -> None:
        with self.lock:
            self.seen.append((time.monotonic(), route, what, status))


class Caller:
    def __init__(self, site: Site, traffic: Traffic, *, bearer: str = "", address: str = ""):
        self.site, self.traffic, self.bearer = site, traffic, bearer
        self.address = address or new_address()
        self.routes = site.routes()
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        route: str | None = None,
        form: dict | None = None,
        headers: dict | None = None,
    ) -> Answer:
        route = route or next(self.routes)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        payload = None
        if body is not None:
            payload, sent["Content-Type"] = json.dumps(body), "application/json"
        if form is not None:
            payload = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.bearer:
            sent["Authorization"] = f"Bearer {self.bearer}"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            link = http.client.HTTPConnection(
                "127.0.0.1",
                self.site.ports[route],
                timeout=60,
                source_address=(self.address, 0),
            )
            link.request(method, path, payload, sent)
            response = link.getresponse()
            raw = response.read()
            link.close()
        except OSError as error:
            with self.traffic.lock:
                self.traffic.failures.append(f"{method} {path} via {route}: {error!r}")
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        self.traffic.note(route, f"{method} {path}", response.status)
        kind = response.headers.get("Content-Type", "")
        parsed: dict | list | str | None = None
        if raw and "json" in kind:
            parsed = json.loads(raw)
        elif raw:
            parsed = raw.decode(errors="replace")
        return Answer(response.status, parsed, dict(response.headers.items()))

    def log_in(self, user: User) -> "Caller":
        answer = self.request(
            "POST",
            "/api/v1/auth/token",
            {"username": user.username, "password": factories.PASSWORD},
        )
        assert answer.status == 200, (user.username, answer)
        assert isinstance(answer.body, dict)
        self.bearer = answer.body["token"]
        return self


def kiosk(site: Site, traffic: Traffic, name: str) -> Caller:
    """A kiosk of the centre, registered as a manager does it, with a token of its own."""
    _device, token = register_device(
        actor=site.people["manager"],
        office=Office.objects.get(code=site.centre),
        kind=Device.Kind.KIOSK,
        name=f"kiosk {name}",
    )
    return Caller(site, traffic, bearer=token)


# ---------------------------------------------------------------------------------------
# What the people do


def issue_tickets(caller: Caller, count: int, codes=("passport", "address-certificate")):
    issued = []
    for n in range(count):
        answer = caller.request(
            "POST",
            f"/api/v1/offices/{caller.site.centre}/tickets",
            {"service": codes[n % len(codes)]},
        )
        assert answer.status == 201, answer
        assert isinstance(answer.body, dict)
        issued.append((answer.body["id"], answer.body["number"]))
    return issued


def work_a_window(operator: Caller, window: int, issuing: threading.Event) -> list[int]:
    """Call, start, finish, as fast as the servers let, until the kiosks are done and the
    queue stays empty; every request lands on the next door round."""
    called: list[int] = []
    empty = 0
    deadline = time.monotonic() + 120
    while (issuing.is_set() or empty < 3) and time.monotonic() < deadline:
        answer = operator.request(
            "POST", f"/api/v1/offices/{operator.site.centre}/windows/{window}/call-next"
        )
        if answer.status == 204:
            empty += 1
            time.sleep(0.05)
            continue
        assert answer.status == 200, answer
        assert isinstance(answer.body, dict)
        empty = 0
        ticket = answer.body["id"]
        called.append(ticket)
        for action in ("start", "finish"):
            moved = operator.request("POST", f"/api/v1/tickets/{ticket}/{action}")
            assert moved.status == 200, moved
    return called


def at_once(work: Callable[[int], object], times: int) -> list:
    """`work(0)` to `work(times - 1)` in threads released together; their results."""
    barrier = threading.Barrier(times)

    def run(n: int):
        barrier.wait(timeout=30)
        return work(n)

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(run, range(times)))


def coming_monday_at_ten(office: Office) -> datetime.datetime:
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return datetime.datetime.combine(monday, datetime.time(10), tzinfo=office.zone)


def submitted_applications(site: Site, count: int) -> list[str]:
    """Applications filed at the centre's counter and waiting for acceptance."""
    service = Service.objects.select_related("current_standard", "agency").get(
        code="real-estate-registration"
    )
    office = Office.objects.get(code=site.centre)
    clerk = site.people["operators"][1]
    people = [factories.person() for _ in range(count)]
    numbers = []
    for n, person in enumerate(people):
        now = timezone.now()
        application = Application.objects.create(
            number=f"M{n:03d}{now:%H%M%S%f}",
            service=service,
            standard=service.current_standard,
            applicant=person,
            channel="oss",
            office=office,
            filed_by=clerk,
            agency=service.agency,
            status="submitted",
            submitted_at=now,
            due_at=now + datetime.timedelta(days=5),
        )
        StatusChange.objects.create(
            application=application, action="file", status="submitted", at=now
        )
        numbers.append(application.number)
    return numbers


# ---------------------------------------------------------------------------------------
# The release that adds columns while the servers serve


BUSY_TABLES = [model._meta.db_table for model in (Ticket, Appointment, Application)]
ROLLOUT_MIGRATION = '''\
"""The next release's first step: new columns on the busiest tables, with a default, so
that the servers still running the old code keep reading and writing them."""

from django.db import migrations

TABLES = {tables!r}


class Migration(migrations.Migration):
    dependencies = [("queueing", "__latest__"), ("appointments", "__latest__"), ("cases", "__latest__")]
    operations = [
        migrations.RunSQL(
            [f"ALTER TABLE {{table}} ADD COLUMN rollout_note varchar(40) NOT NULL DEFAULT ''" for table in TABLES],
            [f"ALTER TABLE {{table}} DROP COLUMN rollout_note" for table in TABLES],
        )
    ]
'''


def rollout_release(site: Site) -> dict[str, str]:
    """An app of the next release in a directory of its own, and the settings that add it:
    the environment in which `onestop migrate` runs against the live database."""
    root = site.tmp / "next-release"
    migrations = root / "rollout" / "migrations"
    migrations.mkdir(parents=True)
    (root / "rollout" / "__init__.py").write_text("")
    (migrations / "__init__.py").write_text("")
    (migrations / "0001_note_columns.py").write_text(ROLLOUT_MIGRATION.format(tables=BUSY_TABLES))
    (root / "rollout_settings.py").write_text(
        textwrap.dedent(
            """\
            from onestop.settings import *  # noqa: F403

            INSTALLED_APPS = [*INSTALLED_APPS, "rollout"]  # noqa: F405
            """
        )
    )
    return {
        **site.env,
        "ONESTOP_DATA_DIR": str(site.tmp / "machine-a"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "rollout_settings",
    }


def migrate(env: dict[str, str], *target: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "onestop", "migrate", "--no-input", *target],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def columns(name: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = %s", [name]
        )
        return {row[0] for row in cursor.fetchall()}


# ---------------------------------------------------------------------------------------
# The test


def test_two_servers_behind_nginx_hold_every_invariant_and_limit_together(site):
    traffic = Traffic()
    office = Office.objects.get(code=site.centre)
    slot = coming_monday_at_ten(office)
    citizens = site.people["citizens"]
    bookers, caller_person, guessed = citizens[:SLOT_BOOKERS], citizens[-2], citizens[-1]
    applications = submitted_applications(site, APPLICATIONS)
    kiosks = [kiosk(site, traffic, name) for name in ("left", "right", "middle", "steady")]
    staff_at = site.people["operators"]
    operators = {n: Caller(site, traffic).log_in(staff_at[n]) for n in WINDOWS}
    accepters = [
        Caller(site, traffic).log_in(user) for user in [*staff_at.values(), site.people["manager"]]
    ]
    agent = Caller(site, traffic).log_in(site.people["agent"])
    people = [Caller(site, traffic).log_in(user) for user in bookers]
    release = rollout_release(site)
    failures_allowed = int(settings.REQUEST_RATES["login-failures"].split("/")[0])

    # A session opened on one machine is the same session on the other: one secret key.
    staff = Caller(site, traffic)
    login_page = staff.request("GET", "/login/", route="a")
    assert login_page.status == 200, login_page
    logged_in = staff.request(
        "POST",
        "/login/",
        route="a",
        form={
            "username": site.people["consultant"].username,
            "password": factories.PASSWORD,
            "csrfmiddlewaretoken": staff.cookies["csrftoken"],
        },
        headers={"Referer": f"http://127.0.0.1:{site.ports['a']}/login/"},
    )
    assert logged_in.status == 302, logged_in
    me = staff.request("GET", "/api/v1/me", route="b")
    assert me.status == 200 and isinstance(me.body, dict), me
    assert me.body["username"] == site.people["consultant"].username

    # Static files: the page rendered by one server names files the other serves.
    page = staff.request("GET", "/", route="a")
    assert page.status == 200 and isinstance(page.body, str)
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.body)
    assert stylesheet, "no stylesheet on the home page"
    for route in ("b", "nginx"):
        assert staff.request("GET", stylesheet.group(1), route=route).status == 200

    # Storms, all at once.
    issuing, migrating = threading.Event(), threading.Event()
    issuing.set()
    migration: dict[str, object] = {}
    steady_tickets: list[tuple[int, str]] = []

    def tickets() -> tuple[list, list]:
        with ThreadPoolExecutor(max_workers=len(WINDOWS) + 3) as pool:
            windows = [pool.submit(work_a_window, operators[n], n, issuing) for n in WINDOWS]
            try:
                issued = at_once(lambda n: issue_tickets(kiosks[n], KIOSK_TICKETS), 3)
            finally:
                issuing.clear()
            return [t for batch in issued for t in batch], [w.result() for w in windows]

    def book_one_slot() -> list[Answer]:
        return at_once(
            lambda n: people[n].request(
                "POST",
                "/api/v1/appointments",
                {"office": site.centre, "service": "passport", "start": slot.isoformat()},
            ),
            SLOT_BOOKERS,
        )

    def book_for_one_caller() -> list[Answer]:
        codes = list(office.services.order_by("code").values_list("code", flat=True)[:8])
        return at_once(
            lambda n: agent.request(
                "POST",
                "/api/v1/appointments",
                {
                    "office": site.centre,
                    "service": codes[n],
                    # The slots after the stormed one: none of its three places taken here.
                    "start": (slot + datetime.timedelta(minutes=15 * (n + 1))).isoformat(),
                    "iin": caller_person.person.iin,
                },
            ),
            len(codes),
        )

    def accept_all() -> list[list[Answer]]:
        return [
            at_once(
                lambda n, number=number: accepters[n].request(
                    "POST", f"/api/v1/applications/{number}/transitions", {"action": "accept"}
                ),
                len(accepters),
            )
            for number in applications
        ]

    def guess_passwords() -> list[Answer]:
        # Each guess from another address, as a botnet would: only the account's own
        # limit can stop them.
        return at_once(
            lambda n: Caller(site, traffic).request(
                "POST",
                "/api/v1/auth/token",
                {"username": guessed.username, "password": f"wrong-{n}"},
            ),
            WRONG_PASSWORDS,
        )

    def release_next_version() -> None:
        migrating.set()
        began = time.monotonic()
        migration["run"] = migrate(release, "rollout")
        migration["took"] = (began, time.monotonic())
        migrating.clear()

    def steady() -> None:
        """A kiosk that keeps issuing through nginx until the migration is done."""
        while not migrating.is_set():
            time.sleep(0.01)
        while migrating.is_set():
            steady_tickets.extend(issue_tickets(kiosks[3], 1))
        steady_tickets.extend(issue_tickets(kiosks[3], 3))

    with ThreadPoolExecutor(max_workers=8) as pool:
        storms = {
            "tickets": pool.submit(tickets),
            "slot": pool.submit(book_one_slot),
            "caller": pool.submit(book_for_one_caller),
            "acceptances": pool.submit(accept_all),
            "guesses": pool.submit(guess_passwords),
            "steady": pool.submit(steady),
        }
        time.sleep(0.5)  # the storms are under way
        pool.submit(release_next_version).result()
        results = {name: future.result() for name, future in storms.items()}
    assert not traffic.failures, traffic.failures[:5]

    # No server error anywhere, through nginx or straight.
    errors = [seen for seen in traffic.seen if seen[3] >= 500]
    assert not errors, (errors[:5], site.log("a"), site.log("b"))
    assert {route for _at, route, _what, _status in traffic.seen} == {"nginx", "a", "b"}

    # The migration ran while requests flowed, and they kept being answered.
    run = migration["run"]
    assert isinstance(run, subprocess.CompletedProcess)
    assert run.returncode == 0, run.stdout + run.stderr
    assert columns("rollout_note") == set(BUSY_TABLES)
    began, ended = migration["took"]  # type: ignore[misc]
    during = [seen for seen in traffic.seen if began <= seen[0] <= ended]
    after = [seen for seen in traffic.seen if seen[0] > ended]
    assert during and after, "no request was answered while the migration ran"
    assert len(steady_tickets) >= 3

    # Tickets: every number once per centre and day, every ticket called once, by one window.
    issued, windows = results["tickets"]
    issued += steady_tickets
    day_numbers = Ticket.objects.filter(office=office).values_list("day", "number")
    assert len(day_numbers) == len(issued) == 3 * KIOSK_TICKETS + len(steady_tickets)
    assert len(set(day_numbers)) == len(day_numbers)
    assert len({number for _id, number in issued}) == len(issued)
    called = [ticket for window in windows for ticket in window]
    assert len(called) == len(set(called)), "a ticket was called twice"
    calls = Counter(
        selectors.history(Ticket.objects.all())
        .filter(action="ticket.call")
        .values_list("object_id", flat=True)
    )
    assert set(calls.values()) == {1}
    assert set(called) <= {ticket for ticket, _number in issued}

    # Bookings: the slot of three is never overbooked; one person never holds more than
    # MAX_APPOINTMENTS, whichever server took each booking.
    outcomes = sorted(a.code if a.status != 201 else "booked" for a in results["slot"])
    assert outcomes == ["booked"] * 3 + ["slot-full"] * (SLOT_BOOKERS - 3), outcomes
    assert SlotLoad.objects.get(office=office, start=slot).booked == 3
    assert Appointment.objects.filter(office=office, start=slot, status="booked").count() == 3
    most = settings.MAX_APPOINTMENTS
    outcomes = sorted(a.code if a.status != 201 else "booked" for a in results["caller"])
    assert outcomes == ["booked"] * most + ["too-many-appointments"] * (8 - most), outcomes
    assert Appointment.objects.filter(person=caller_person.person, status="booked").count() == most

    # Acceptances: pressed five times at once on two servers, each taken once.
    for number, pressed in zip(applications, results["acceptances"], strict=True):
        assert sorted(a.status for a in pressed) == [200] + [409] * (len(accepters) - 1)
        application = Application.objects.get(number=number)
        assert application.status == "assigned"
        assert StatusChange.objects.filter(application=application, action="accept").count() == 1
        assert Assignment.objects.filter(application=application).count() == 1
        assert (
            AuditEvent.objects.filter(
                action="application.accept", object_id=str(application.pk)
            ).count()
            == 1
        )

    # The task worker delivers what both servers queued.
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now()

    def delivered() -> bool:
        return not (
            DBTaskResult.objects.filter(enqueued_at__lte=cutoff)
            .filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
            .exclude(run_after__gt=cutoff)
            .exists()
        )

    wait_until(delivered, "the worker to run the queued tasks", seconds=30)
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert not failed.exists(), [t.traceback for t in failed[:3]]

    # The release is rolled back with the servers running, and they go on serving.
    back = migrate(release, "rollout", "zero")
    assert back.returncode == 0, back.stdout + back.stderr
    assert columns("rollout_note") == set()
    assert answers(site.ports["nginx"], f"/api/v1/offices/{site.centre}")

    # The lock-out: wrong passwords spread over both servers count together; past the
    # limit every attempt is refused, the right password too, on either server.
    guesses = sorted(a.status for a in results["guesses"])
    assert guesses == [401] * failures_allowed + [429] * (WRONG_PASSWORDS - failures_allowed)
    for route in ("a", "b", "nginx"):
        right = Caller(site, traffic).request(
            "POST",
            "/api/v1/auth/token",
            {"username": guessed.username, "password": factories.PASSWORD},
            route=route,
        )
        assert right.status == 429, (route, right)
        assert int(right.headers["Retry-After"]) > 0
