"""Booking storms in threads, each with its own database connection: a slot is never
overbooked, and a person never holds more than MAX_APPOINTMENTS appointments, however
many bookings arrive at once."""

import datetime
import threading

from django.db import connections
from django.utils import timezone

from onestop.appointments import services as booking
from onestop.appointments.models import Appointment, SlotLoad
from onestop.people.models import Role
from onestop.problems import DomainError
from onestop.tests import factories


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


def test_twenty_people_storm_one_slot_of_three(committed_centre):
    office = committed_centre
    start = datetime.datetime.combine(coming_monday(), datetime.time(10), tzinfo=office.zone)
    people = [factories.citizen() for _ in range(20)]
    assert booking.capacity(office, office.services.get(code="passport")) == 3
    outcomes = storm(
        [
            {
                "actor": user,
                "office_code": office.code,
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


def test_eight_bookings_for_one_person_hold_at_most_three(committed_centre, settings):
    settings.MAX_APPOINTMENTS = 3
    office = committed_centre
    user = factories.staff(Role.AGENT)
    caller = factories.citizen()
    services = list(office.services.order_by("code").values_list("code", flat=True)[:8])
    first = datetime.datetime.combine(coming_monday(), datetime.time(10), tzinfo=office.zone)
    outcomes = storm(
        [
            {
                "actor": user,
                "office_code": office.code,
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


def test_marking_missed_and_checking_in_at_once_move_each_appointment_once(committed_centre):
    """The missed-marking locks each appointment and reads it again as booked: racing the
    check-ins of the same appointments, each ends checked in or missed, never both, with
    one audit event for the move and no appointment counted missed twice."""
    from onestop.audit import services as audit
    from onestop.audit.models import AuditEvent

    office = committed_centre
    start = datetime.datetime.combine(coming_monday(), datetime.time(10), tzinfo=office.zone)
    appointments = []
    for _ in range(3):  # the slot's capacity
        citizen = factories.citizen()
        appointments.append(
            booking.book(
                actor=citizen,
                office_code=office.code,
                service_code="passport",
                start=start,
                iin=citizen.person.iin,
                now=start - datetime.timedelta(days=1),
            )
        )
    late = start + datetime.timedelta(minutes=booking.CHECK_IN_LATE_MINUTES - 5)
    after = start + datetime.timedelta(minutes=booking.CHECK_IN_LATE_MINUTES + 5)
    barrier = threading.Barrier(len(appointments) + 3)
    outcomes: list[str] = []
    missed_counts: list[int] = []
    lock = threading.Lock()

    def check_in(appointment: Appointment) -> None:
        try:
            barrier.wait(timeout=30)
            booking.check_in(
                actor_or_device=appointment.person.account,
                code_or_appointment=appointment.code,
                now=late,
            )
            outcome = "checked_in"
        except DomainError as error:
            outcome = error.code or str(error.detail)
        except Exception as error:  # reported by the assertions below
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    def mark_missed() -> None:
        try:
            barrier.wait(timeout=30)
            counted = booking.mark_missed(now=after)
        except Exception as error:  # reported by the assertions below
            counted = -1
            with lock:
                outcomes.append(repr(error))
        finally:
            connections.close_all()
        with lock:
            missed_counts.append(counted)

    threads = [threading.Thread(target=check_in, args=(a,)) for a in appointments] + [
        threading.Thread(target=mark_missed) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(outcomes) <= {"checked_in", "appointment-not-booked"}, outcomes
    statuses = dict(
        Appointment.objects.filter(pk__in=[a.pk for a in appointments]).values_list("pk", "status")
    )
    missed = [pk for pk, status in statuses.items() if status == Appointment.Status.MISSED]
    checked_in = [pk for pk, status in statuses.items() if status == "checked_in"]
    assert len(missed) + len(checked_in) == len(appointments)
    assert outcomes.count("checked_in") == len(checked_in)
    assert sum(missed_counts) == len(missed)
    for pk, status in statuses.items():
        moves = AuditEvent.objects.filter(
            object_type="appointments.appointment",
            object_id=str(pk),
            action__in=["appointment.checked_in", "appointment.missed"],
        ).values_list("action", flat=True)
        assert list(moves) == [f"appointment.{status}"]
    assert not Appointment.objects.filter(pk__in=missed, ticket__isnull=False).exists()
    assert audit.verify().ok
