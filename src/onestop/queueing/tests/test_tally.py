"""The queue tally (models.QueueTally) that the wait estimates read: kept by triggers on
the tickets' table, it must say what counting the tickets says after every kind of write,
through the services, in bulk, by hand, and under concurrent writers."""

import datetime
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from onestop.problems import DomainError
from onestop.queueing import services, workflow
from onestop.queueing.models import QueueTally, Ticket, TicketStatus
from onestop.queueing.tests.test_call_storm import database_url
from onestop.queueing.tests.test_queue import op

WORKER = Path(__file__).with_name("storm_worker.py")
KEY = ("office_id", "day", "status", "service_id", "at_window", "priority")


def recount() -> dict:
    """The open tickets counted from the tickets themselves."""
    rows = (
        Ticket.objects.filter(status__in=workflow.OPEN)
        .annotate(at_window=Coalesce("window_id", Value(0)))
        .values(*KEY)
        .annotate(n=Count("id"))
    )
    return {tuple(row[k] for k in KEY): row["n"] for row in rows}


def tally() -> dict:
    """The open tickets as the tally has them, keyed as `recount` keys them."""
    rows = QueueTally.objects.exclude(n=0).values_list(
        "office_id", "day", "status", "service_id", "window_id", "priority", "n"
    )
    return {row[:-1]: row[-1] for row in rows}


def assert_tally_holds(step: str = "") -> None:
    assert not QueueTally.objects.filter(n__lt=0).exists(), step
    assert tally() == recount(), step


@pytest.mark.django_db
def test_the_tally_counts_the_open_tickets_after_every_kind_of_move(always_open):
    rng = random.Random(20261203)
    codes = ["passport", "address-certificate", "real-estate-registration"]
    done = {"issue": 0, "call": 0, "start": 0, "finish": 0, "transfer": 0}
    for step in range(160):
        kind = rng.choice(
            ["issue"] * 4 + ["call"] * 3 + ["start", "finish", "recall", "cancel", "transfer"]
        )
        at_windows = list(Ticket.objects.filter(status__in=workflow.AT_A_WINDOW))
        window = rng.randint(1, 4)
        try:
            if kind == "issue":
                services.issue_ticket(
                    office_code="astana-esil",
                    service_code=rng.choice(codes),
                    actor=op(1),
                    priority=rng.random() < 0.2,
                )
            elif kind == "call":
                services.call_next(
                    actor=op(window), office_code="astana-esil", window_number=window
                )
            elif kind == "cancel":
                waiting = Ticket.objects.filter(status=TicketStatus.WAITING).first()
                if waiting is not None:
                    services.move(actor=op(1), ticket=waiting, action="cancel")
            elif at_windows:
                ticket = rng.choice(at_windows)
                operator = op(ticket.window.number)
                if kind == "transfer":
                    services.transfer(
                        actor=operator,
                        ticket=ticket,
                        **(
                            {"service_code": rng.choice(codes)}
                            if rng.random() < 0.5
                            else {"window_number": rng.randint(1, 4)}
                        ),
                    )
                else:
                    services.move(actor=operator, ticket=ticket, action=kind)
            else:
                continue
        except DomainError:
            pass  # a move the table does not allow: nothing written, the tally unchanged
        else:
            done[kind] = done.get(kind, 0) + 1
        assert_tally_holds(f"step {step}: {kind}")
    assert all(done[kind] > 3 for kind in ("issue", "call", "start", "finish", "transfer"))

    # In bulk, by hand, and the end of the day.
    Ticket.objects.filter(status=TicketStatus.WAITING, priority="").update(priority="disability")
    assert_tally_holds("priority in bulk")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE queueing_ticket SET day = day WHERE status = 'serving'")
    assert_tally_holds("an update that changes nothing")
    Ticket.objects.filter(status=TicketStatus.CANCELLED).delete()
    victim = Ticket.objects.filter(status=TicketStatus.WAITING, transferred_to__isnull=True).first()
    if victim is not None:
        victim.delete()
    assert_tally_holds("deleted")
    assert sum(tally().values()) > 0
    services.close_day(office=always_open, now=timezone.now() + datetime.timedelta(days=1))
    assert_tally_holds("end of day")
    assert tally() == {}
    assert not QueueTally.objects.exists()  # the rows of the day gone by are removed


@pytest.mark.django_db
def test_the_estimate_reads_the_queue_from_the_tally(always_open):
    first = services.issue_ticket(office_code="astana-esil", service_code="passport", actor=op(1))
    second = services.issue_ticket(office_code="astana-esil", service_code="passport", actor=op(1))
    assert (first.position, second.position) == (0, 1)
    # The tally, not the tickets, is what the queue reads: a row out of step shows.
    QueueTally.objects.filter(status="waiting").update(n=40)
    third = services.issue_ticket(office_code="astana-esil", service_code="passport", actor=op(1))
    assert third.position == 40


def test_concurrent_issuers_callers_and_transfers_leave_the_tally_exact(demo_centre):
    """Four processes issue, call, transfer and finish at one centre at once: no deadlock
    (PostgreSQL locks the tally's rows), and the tally equals the count at the end."""
    env = {**os.environ, "ONESTOP_DATABASE_URL": database_url()}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), f"operator{n}", str(n), "mixed"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2, 3, 4)
    ]
    moves = 0
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-2000:]
        moves += len(out.split())
    assert moves >= 4 * 40
    assert Ticket.objects.filter(channel="transfer").exists()
    assert_tally_holds("after the storm")
    assert sum(tally().values()) > 0
