"""The visitor simulator plays an hour and a half of a centre against the live server over
the public API: kiosk tickets, four operators calling, serving and filing applications,
ratings. What a centre relies on must hold afterwards: every ticket called at most once,
by one window, one visitor at a window at a time, nothing the server could not answer."""

import itertools
import random
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from onestop.cases.models import Application
from onestop.demo.services import load_demo
from onestop.offices.models import OpeningHours
from onestop.people.models import Role
from onestop.queueing import selectors
from onestop.queueing.models import Rating, Ticket, TicketStatus
from onestop.queueing.tests.conftest import open_around_the_clock
from onestop.simulation.visitors import Api, Operator, Settings, Simulator
from onestop.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

# The `simulate` command drives a demo centre, with the demo's accounts, devices and people.
OFFICE = "astana-esil"


@pytest.fixture
def demo_site(live_server):
    load_demo()
    open_around_the_clock(OFFICE)
    return live_server.url


def test_a_simulated_stretch_of_a_day_keeps_the_queue_sound(live_server):
    factories.reference_register()
    centre = factories.centre(windows=4)
    accounts = [factories.staff(Role.OPERATOR, office=centre, window=n) for n in (1, 2, 3, 4)]
    password = {factories.password(account) for account in accounts}.pop()
    operators = [Operator(account.username, account.window_number) for account in accounts]
    out = StringIO()
    simulator = Simulator(
        Api(live_server.url),
        # 3 visitors a minute at 240x: 90 simulated minutes in 22 real seconds.
        Settings(office=centre.code, rate=3.0, speed=240, application_share=0.6, rating_share=0.6),
        operators,
        kiosk_token=factories.device_token("kiosk", office=centre),
        rating_tokens={
            op.window: factories.device_token("rating", office=centre, window=op.window)
            for op in operators
        },
        people=[factories.person().iin for _ in range(200)],
        out=out,
        rng=random.Random(11),
    )
    assert len(simulator.log_in(password)) == 4
    assert "passport" in simulator.load_services()
    filed_before = Application.objects.filter(office=centre, channel="oss").count()

    counts = simulator.run(threading.Event(), duration=22)

    assert counts.errors == 0, out.getvalue()
    tickets = Ticket.objects.filter(office=centre, channel="kiosk")
    assert counts.issued == tickets.count() > 100
    assert counts.called > 20 and counts.served > 10 and counts.rated > 3
    assert counts.applications > 2

    # Each ticket called once, by one of the operators' windows.
    calls = selectors.history(tickets).filter(action="ticket.call")
    assert not calls.values("object_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert calls.count() == counts.called
    assert {call.data["window"] for call in calls} <= {1, 2, 3, 4}

    # One visitor at a window at a time.
    for number in (1, 2, 3, 4):
        visits = tickets.filter(window__number=number).order_by("called_at")
        for before, after in itertools.pairwise(visits):
            assert before.finished_at is not None and before.finished_at <= after.called_at

    # The served were served; the ratings are theirs, tied to the operator who served.
    assert tickets.filter(status=TicketStatus.DONE).count() == counts.served
    ratings = Rating.objects.filter(ticket__in=tickets).select_related("ticket")
    assert ratings.count() == counts.rated
    assert all(r.ticket.status == TicketStatus.DONE for r in ratings)
    assert all(r.operator_id == r.ticket.operator_id for r in ratings)
    filed = Application.objects.filter(office=centre, channel="oss").count()
    assert filed - filed_before == counts.applications
    # Priority visitors were called before the others who waited as long.
    called = tickets.exclude(called_at=None)
    for ticket in called.filter(priority=""):
        jumped = called.filter(
            priority__gt="",
            service=ticket.service,
            queue_from__lt=ticket.queue_from,
            called_at__gt=ticket.called_at,
        )
        assert not jumped.exists()


def test_the_command_reports_what_it_did(demo_site):
    out = StringIO()
    call_command(
        "simulate",
        base_url=demo_site,
        office=OFFICE,
        rate=2.0,
        speed=120,
        duration=6,
        operators="operator1,operator2",
        seed=3,
        stdout=out,
    )
    text = out.getvalue()
    assert "simulating astana-esil" in text and "operators at windows 1, 2" in text
    issued = int(text.rsplit("stopped: ", 1)[1].split(" tickets")[0])
    assert issued == Ticket.objects.filter(office__code=OFFICE, channel="kiosk").count() > 0


def test_a_closed_centre_is_reported_not_an_error(live_server):
    load_demo()
    OpeningHours.objects.filter(office__code=OFFICE).delete()
    out = StringIO()
    call_command(
        "simulate",
        base_url=live_server.url,
        office=OFFICE,
        rate=5.0,
        speed=120,
        duration=3,
        operators="operator1",
        stdout=out,
    )
    text = out.getvalue()
    assert "closed" in text and "(409)" in text
    assert "errors 0" in text
    assert not Ticket.objects.filter(office__code=OFFICE).exists()


def test_an_unreachable_server_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"no answer from http://127\.0\.0\.1:9/health"):
        call_command("simulate", base_url="http://127.0.0.1:9", wait=1, stdout=StringIO())
