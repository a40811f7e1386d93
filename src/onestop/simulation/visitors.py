"""Synthetic visitors of a centre, played against a running instance over its public API:
the kiosk issues tickets, operators call, start and finish at a human pace, visitors
sometimes rate the visit and operators sometimes file an application for them.

Time can be compressed (`speed`): at speed 10 a ten-minute visit takes one real minute and
the arrival rate, given per simulated minute, is ten times higher in real time. Everything
the server answers is expected, 204 and 409 included; the simulator counts it and goes on.
"""

import heapq
import itertools
import json
import math
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

# Mean minutes at the window; other services take DEFAULT_MINUTES.
SERVICE_MINUTES = {
    "identity-card": 12.0,
    "passport": 12.0,
    "address-certificate": 5.0,
    "pension-contributions-certificate": 5.0,
    "real-estate-certificate": 6.0,
    "real-estate-registration": 20.0,
    "land-registration": 20.0,
    "birth-registration": 15.0,
    "marriage-registration": 15.0,
    "driving-licence": 10.0,
    "vehicle-registration": 12.0,
}
DEFAULT_MINUTES = 10.0
# How much more often than others visitors come for these.
POPULAR = {
    "identity-card": 5,
    "passport": 4,
    "address-certificate": 4,
    "real-estate-registration": 3,
    "pension-contributions-certificate": 3,
    "driving-licence": 2,
    "vehicle-registration": 2,
    "birth-registration": 2,
}
SCORES = ["excellent", "good", "satisfactory", "poor"]
SCORE_WEIGHTS = [55, 30, 10, 5]


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class Api:
    """JSON over HTTP with the standard library. Never raises for an HTTP status: returns
    (status, body); a network failure is status 0."""

    def __init__(self, base_url: str, timeout: float = 15):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) address: {base_url}")
        self.base = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body=None, token: str = "") -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        # The scheme is checked in __init__: http or https only.
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "en")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())
        except (OSError, ValueError):
            return 0, {}


def _json(raw: bytes) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"items": value}


@dataclass
class Operator:
    username: str
    window: int
    token: str = ""
    ticket: dict | None = None


@dataclass
class Counts:
    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    rated: int = 0
    applications: int = 0
    empty: int = 0  # call-next found nobody (204)
    refused: int = 0  # 4xx answers: centre closed, a visitor still at the window...
    errors: int = 0  # 5xx answers and network failures


@dataclass
class Settings:
    office: str
    rate: float  # visitors per simulated minute
    speed: float = 1.0
    application_share: float = 0.3
    rating_share: float = 0.4
    no_show_share: float = 0.03
    priority_share: float = 0.03
    iin_share: float = 0.4
    report_every: float = 60.0  # real seconds


@dataclass(order=True)
class _Event:
    due: float
    order: int
    action: Callable = field(compare=False)
    args: tuple = field(compare=False, default=())


class Simulator:
    def __init__(
        self,
        api: Api,
        settings: Settings,
        operators: list[Operator],
        *,
        kiosk_token: str,
        rating_tokens: dict[int, str],
        people: list[str],
        out: Writer,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.api, self.settings, self.operators = api, settings, operators
        self.kiosk_token, self.rating_tokens, self.people = kiosk_token, rating_tokens, people
        self.out, self.rng, self.clock = out, rng or random.Random(), clock
        self.counts = Counts()
        self.services: list[str] = []
        self.follow_codes: dict[int, str] = {}
        self.iins: dict[int, str] = {}
        self.events: list[_Event] = []
        self.order = itertools.count()
        self.notes: set[str] = set()
        self.started = 0.0

    # ------------------------------------------------------------ set-up

    def say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def note_once(self, key: str, line: str) -> None:
        if key not in self.notes:
            self.notes.add(key)
            self.say(line)

    def wait_for_server(self, seconds: float, stop: threading.Event) -> bool:
        deadline = self.clock() + seconds
        while not stop.is_set():
            if self.api.call("GET", "/health")[0] == 200:
                return True
            if self.clock() >= deadline:
                return False
            stop.wait(1.0)
        return False

    def log_in(self, password: str) -> list[Operator]:
        ready = []
        for operator in self.operators:
            status, body = self.api.call(
                "POST",
                "/api/v1/auth/token",
                {"username": operator.username, "password": password},
            )
            if status == 200 and body.get("token"):
                operator.token = body["token"]
                ready.append(operator)
            else:
                self.say(f"cannot log in as {operator.username} ({status}); left out")
        self.operators = ready
        return ready

    def load_services(self) -> list[str]:
        """The services the operators' windows serve at this centre."""
        status, office = self.api.call("GET", f"/api/v1/offices/{self.settings.office}")
        if status != 200:
            return []
        windows = {w["number"]: set(w["services"]) for w in office.get("windows", [])}
        served = set().union(*(windows.get(o.window, set()) for o in self.operators))
        self.services = sorted(served & set(office.get("services", [])))
        return self.services

    # ------------------------------------------------------------ the clock

    def after(self, minutes: float, action: Callable, *args) -> None:
        """Schedules an action this many simulated minutes from now."""
        due = self.clock() + minutes * 60.0 / self.settings.speed
        heapq.heappush(self.events, _Event(due, next(self.order), action, args))

    def run(self, stop: threading.Event, duration: float = 0) -> Counts:
        """Plays until `stop` is set or `duration` real seconds have passed, then sends the
        visitors still at a window home and returns the counts."""
        self.started = self.clock()
        next_report = self.started + self.settings.report_every
        self.after(0, self.arrive)
        for index, operator in enumerate(self.operators):
            self.after(0.2 * index, self.call, operator)
        try:
            while not stop.is_set():
                now = self.clock()
                if duration and now - self.started >= duration:
                    break
                if now >= next_report:
                    self.report()
                    next_report += self.settings.report_every
                if self.events and self.events[0].due <= now:
                    event = heapq.heappop(self.events)
                    event.action(*event.args)
                    continue
                wake = min(self.events[0].due if self.events else now + 1.0, next_report, now + 1.0)
                stop.wait(max(0.0, wake - now))
        finally:
            self.close()
        return self.counts

    def close(self) -> None:
        """Operators finish with the visitors at their windows, so that the windows are free
        for the next run."""
        for operator in self.operators:
            ticket = operator.ticket
            if ticket is None:
                continue
            status = ticket.get("status")
            if status == "called":
                answer, _body = self.post(f"/api/v1/tickets/{ticket['id']}/no-show", operator.token)
                self.counts.no_show += answer == 200
            elif status == "serving":
                answer, _body = self.post(f"/api/v1/tickets/{ticket['id']}/finish", operator.token)
                self.counts.served += answer == 200
            operator.ticket = None
        self.report()

    def report(self) -> None:
        c = self.counts
        elapsed = self.clock() - self.started
        simulated = elapsed * self.settings.speed / 60
        _status, board = self.api.call("GET", f"/api/v1/offices/{self.settings.office}/board")
        waiting = board.get("waiting", "?")
        self.say(
            f"{time.strftime('%H:%M:%S')}  +{simulated:6.1f} sim min  issued {c.issued}  "
            f"called {c.called}  served {c.served}  no-show {c.no_show}  rated {c.rated}  "
            f"applications {c.applications}  waiting {waiting}  refused {c.refused}  "
            f"errors {c.errors}"
        )

    # ------------------------------------------------------------ requests

    def post(self, path: str, token: str, body=None) -> tuple[int, dict]:
        status, answer = self.api.call("POST", path, body, token)
        if status == 0 or status >= 500:
            self.counts.errors += 1
        elif status >= 400:
            self.counts.refused += 1
        return status, answer

    def minutes_for(self, service: str) -> float:
        mean = SERVICE_MINUTES.get(service, DEFAULT_MINUTES)
        sigma2 = math.log(1 + 0.5**2)
        return self.rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))

    # ------------------------------------------------------------ visitors

    def arrive(self) -> None:
        s = self.settings
        self.after(self.rng.expovariate(s.rate), self.arrive)
        if not self.services:
            return
        weights = [POPULAR.get(code, 1) for code in self.services]
        body: dict = {"service": self.rng.choices(self.services, weights)[0]}
        if self.people and self.rng.random() < s.iin_share:
            body["iin"] = self.rng.choice(self.people)
        if self.rng.random() < s.priority_share:
            body["priority"] = True
        status, ticket = self.post(f"/api/v1/offices/{s.office}/tickets", self.kiosk_token, body)
        if status == 201:
            self.counts.issued += 1
            self.follow_codes[ticket["id"]] = ticket.get("follow_code") or ""
            if body.get("iin"):
                self.iins[ticket["id"]] = body["iin"]
            if len(self.follow_codes) > 5000:  # forget the oldest
                for key in list(self.follow_codes)[:1000]:
                    self.follow_codes.pop(key, None)
                    self.iins.pop(key, None)
        elif status == 409:
            self.note_once("closed", f"{s.office}: {ticket.get('detail', 'refused')} (409)")

    # ------------------------------------------------------------ operators

    def call(self, operator: Operator) -> None:
        path = f"/api/v1/offices/{self.settings.office}/windows/{operator.window}/call-next"
        status, ticket = self.post(path, operator.token)
        if status == 200:
            self.counts.called += 1
            operator.ticket = ticket
            if self.rng.random() < self.settings.no_show_share:
                self.after(2.0, self.no_show, operator)
            else:
                self.after(self.rng.uniform(0.3, 1.5), self.start, operator)
            return
        if status == 204:
            self.counts.empty += 1
            self.after(self.rng.uniform(0.5, 1.0), self.call, operator)
            return
        if status == 409:
            self.note_once(
                f"window-{operator.window}",
                f"window {operator.window}: {ticket.get('detail', 'conflict')} "
                "(a visitor from before is still there; finish it on the operator's screen)",
            )
        self.after(5.0, self.call, operator)

    def start(self, operator: Operator) -> None:
        ticket = operator.ticket
        if ticket is None:
            self.after(0.5, self.call, operator)
            return
        status, answer = self.post(f"/api/v1/tickets/{ticket['id']}/start", operator.token)
        if status != 200:  # closed meanwhile (end of day) or taken away
            operator.ticket = None
            self.after(0.5, self.call, operator)
            return
        operator.ticket = answer
        minutes = self.minutes_for(ticket["service"])
        if self.rng.random() < self.settings.application_share:
            self.after(minutes * self.rng.uniform(0.3, 0.8), self.file, operator, answer["id"])
        self.after(minutes, self.finish, operator)

    def file(self, operator: Operator, ticket_id: int) -> None:
        ticket = operator.ticket
        if ticket is None or ticket.get("id") != ticket_id:
            return
        iin = self.iins.get(ticket_id) or (self.rng.choice(self.people) if self.people else "")
        if not iin:
            return
        status, _answer = self.post(
            "/api/v1/applications",
            operator.token,
            {
                "service": ticket["service"],
                "applicant": {"iin": iin},
                "channel": "oss",
                "office": self.settings.office,
            },
        )
        if status == 201:
            self.counts.applications += 1

    def finish(self, operator: Operator) -> None:
        ticket = operator.ticket
        operator.ticket = None
        if ticket is not None:
            status, _answer = self.post(f"/api/v1/tickets/{ticket['id']}/finish", operator.token)
            if status == 200:
                self.counts.served += 1
                if self.rng.random() < self.settings.rating_share:
                    self.after(self.rng.uniform(0.1, 0.5), self.rate, operator.window, ticket)
        self.after(self.rng.uniform(0.2, 1.0), self.call, operator)

    def no_show(self, operator: Operator) -> None:
        ticket = operator.ticket
        operator.ticket = None
        if ticket is not None:
            status, _answer = self.post(f"/api/v1/tickets/{ticket['id']}/no-show", operator.token)
            if status == 200:
                self.counts.no_show += 1
        self.after(0.2, self.call, operator)

    def rate(self, window: int, ticket: dict) -> None:
        """On the rating screen at the window; without one, with the ticket's follow code."""
        score = self.rng.choices(SCORES, SCORE_WEIGHTS)[0]
        token = self.rating_tokens.get(window) or self.kiosk_token
        body = {"score": score, "follow_code": self.follow_codes.get(ticket["id"], "")}
        status, _answer = self.post(f"/api/v1/tickets/{ticket['id']}/rating", token, body)
        if status == 201:
            self.counts.rated += 1
