"""Call-next storms: four operators in four processes empty one queue at once. Every
ticket is called exactly once, by exactly one window."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from django.db import connection

from onestop.queueing import selectors, services
from onestop.queueing.models import Ticket
from onestop.queueing.tests.conftest import operators_of

WORKER = Path(__file__).with_name("storm_worker.py")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_four_processes_call_every_ticket_exactly_once(committed_centre):
    operators = operators_of(committed_centre)
    for i in range(80):
        services.issue_ticket(
            office_code=committed_centre.code,
            service_code="passport" if i % 2 else "address-certificate",
            actor=operators[1],
            priority=(i % 7 == 0),
        )
    env = {**os.environ, "ONESTOP_DATABASE_URL": database_url()}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), committed_centre.code, operators[n].username, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2, 3, 4)
    ]
    called = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-2000:]
        called += [int(line) for line in out.split()]
    assert len(called) == 80 and len(set(called)) == 80
    calls = Counter(
        selectors.history(Ticket.objects.all())
        .filter(action="ticket.call")
        .values_list("object_id", flat=True)
    )
    assert set(calls.values()) == {1}
    assert Ticket.objects.filter(status="done").count() == 80
    assert Counter(Ticket.objects.values_list("window__number", flat=True)).keys() <= {1, 2, 3, 4}
