"""Booking storms in threads, each with its own database connection: a slot is never
overbooked, and a person never holds more than MAX_APPOINTMENTS appointments, however
many bookings arrive at once."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from onestop.appointments import services as booking
from onestop.appointments.models import Appointment, SlotLoad
from onestop.offices.models import Office
from onestop.people.models import User
from onestop.problems import DomainError

ESIL = "astana-esil"


def coming_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def storm(attempts: list[dict]) -> list[str]:
    """Runs every booking in its own thread, all released at once; returns "booked" or the
    refusal's code for each."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(kwargs: dict) -> None:
        try:
            barrier.wait(timeout=30)
            booking.book(**kwargs)
            outcome = "booked"
        except DomainError as error:
            outcome = error.code or str(error.detail)
        except Exception as error:  # reported by the assertions below
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(kwargs,)) for kwargs in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_twenty_people_storm_one_slot_of_three():
    from onestop.demo.services import load_demo

    load_demo()
    office = Office.objects.get(code=ESIL)
    start = datetime.datetime.combine(coming_monday(), datetime.time(10), tzinfo=office.zone)
    people = list(
        User.objects.filter(role="citizen", person__isnull=False)
        .select_related("person")
        .order_by("username")[:20]
    )
    assert booking.capacity(office, office.services.get(code="passport")) == 3
    outcomes = storm(
        [
            {
                "actor": user,
                "office_code": ESIL,
                "service_code": "passport",
                "start": start,
                "iin": user.person.iin,
            }
            for user in people
        ]
    )
    assert sorted(outcomes) == ["booked"] * 3 + ["slot-full"] * 17, outcomes
    assert SlotLoad.objects.get(office=office, start=start).booked == 3
    assert Appointment.objects.filter(office=office, start=start, status="booked").count() == 3


@pytest.mark.django_db(transaction=True)
def test_eight_bookings_for_one_person_hold_at_most_three(settings):
    from onestop.demo.services import load_demo

    load_demo()
    settings.MAX_APPOINTMENTS = 3
    office = Office.objects.get(code=ESIL)
    user = User.objects.select_related("person").get(username="agent1")
    caller = User.objects.filter(role="citizen").select_related("person").order_by("username")[0]
    services = list(office.services.order_by("code").values_list("code", flat=True)[:8])
    first = datetime.datetime.combine(coming_monday(), datetime.time(10), tzinfo=office.zone)
    outcomes = storm(
        [
            {
                "actor": user,
                "office_code": ESIL,
                "service_code": code,
                "start": first + datetime.timedelta(minutes=15 * i),
                "iin": caller.person.iin,
            }
            for i, code in enumerate(services)
        ]
    )
    assert sorted(outcomes) == ["booked"] * 3 + ["too-many-appointments"] * 5, outcomes
    assert Appointment.objects.filter(person=caller.person, status="booked").count() == 3
    assert sum(SlotLoad.objects.filter(office=office).values_list("booked", flat=True)) == 3
