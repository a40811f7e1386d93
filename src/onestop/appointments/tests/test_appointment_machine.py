"""Appointments as a state machine (hypothesis): people book slots for two services on two
days, cancel, check in by themselves or at the kiosk, the clock moves and the missed-marking
runs, in any order, by the right people and by others. Every refusal is the one the rules
predict. After every step no slot holds more than its capacity, nobody holds more than
MAX_APPOINTMENTS future appointments, each appointment is where the table led it, and the
audit trail verifies."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from onestop.appointments import services, workflow
from onestop.appointments.models import Appointment, SlotLoad
from onestop.appointments.tests import conftest
from onestop.audit import services as audit
from onestop.catalog.models import Service
from onestop.people.models import Role
from onestop.problems import DomainError
from onestop.queueing.models import Device
from onestop.tests import factories

A = Appointment.Status
SERVICES = ("passport", "address-certificate")
PEOPLE = 4
MINUTE = datetime.timedelta(minutes=1)


class Rollback(Exception):
    """Ends an example's savepoint, so that the next example starts from the same data."""


class AppointmentMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.office = factories.centre(services=conftest.SERVICES, windows=conftest.WINDOWS)
        today = timezone.localtime(timezone.now(), self.office.zone).date()
        monday = today + datetime.timedelta(days=7 - today.weekday())
        at = lambda day, hour, minute: datetime.datetime.combine(  # noqa: E731
            monday + datetime.timedelta(days=day),
            datetime.time(hour, minute),
            tzinfo=self.office.zone,
        )
        self.starts = [at(0, 10, 0), at(0, 10, 15), at(1, 10, 0)]
        self.now = at(0, 9, 0)
        self.people = [factories.citizen() for _ in range(PEOPLE)]
        self.agent = factories.staff(Role.AGENT)
        self.operator = factories.staff(Role.OPERATOR, office=self.office)
        self.stranger_operator = factories.staff(Role.OPERATOR, office=factories.centre())
        self.kiosk = factories.device(Device.Kind.KIOSK, office=self.office)
        self.board = factories.device(Device.Kind.BOARD, office=self.office)
        self.capacity = {
            code: services.capacity(self.office, Service.objects.get(code=code))
            for code in SERVICES
        }
        self.expected: dict[int, str] = {}  # appointment id -> where the table led it

    def teardown(self):
        self.savepoint.__exit__(Rollback, Rollback(), None)

    # ------------------------------------------------------------ what the rules predict

    def _mine(self, person_index: int):
        person = self.people[person_index].person
        return list(
            Appointment.objects.filter(person=person, pk__in=self.expected).select_related(
                "service"
            )
        )

    def _refusal_of_booking(self, person_index: int, start, service: str) -> str | None:
        if start < self.now + services.BOOKING_LEAD_MINUTES * MINUTE:
            return "slot-in-past"
        mine = self._mine(person_index)
        since = self.now - services.CHECK_IN_LATE_MINUTES * MINUTE
        upcoming = [a for a in mine if self.expected[a.pk] == A.BOOKED and a.start > since]
        if len(upcoming) >= django_settings.MAX_APPOINTMENTS:
            return "too-many-appointments"
        if any(
            a.service.code == service
            and self.expected[a.pk] in {A.BOOKED, A.CHECKED_IN}
            and a.start.astimezone(self.office.zone).date() == start.date()
            for a in mine
        ):
            return "already-booked"
        held = Appointment.objects.filter(office=self.office, start=start)
        if held.exclude(status=A.CANCELLED).count() >= self.capacity[service]:
            return "slot-full"
        return None

    def _attempt(self, predicted: str | None, do):
        """Runs a move; it succeeds exactly when no refusal was predicted, and a refusal
        changes nothing."""
        before = (dict(Appointment.objects.values_list("pk", "status")), self._loads())
        try:
            done = do()
        except DomainError as refusal:
            assert refusal.code == predicted, (refusal.code, predicted)
            after = (dict(Appointment.objects.values_list("pk", "status")), self._loads())
            assert after == before
            return None
        assert predicted is None, predicted
        return done

    def _loads(self) -> dict:
        return dict(SlotLoad.objects.values_list("start", "booked"))

    # ------------------------------------------------------------ rules

    @rule(
        who=st.integers(0, PEOPLE - 1),
        slot=st.integers(0, 2),
        service=st.sampled_from(SERVICES),
        by_agent=st.booleans(),
    )
    def book(self, who, slot, service, by_agent):
        start = self.starts[slot]
        citizen = self.people[who]
        booked = self._attempt(
            self._refusal_of_booking(who, start, service),
            lambda: services.book(
                actor=self.agent if by_agent else citizen,
                office_code=self.office.code,
                service_code=service,
                start=start,
                iin=citizen.person.iin,
                now=self.now,
            ),
        )
        if booked is not None:
            self.expected[booked.pk] = workflow.BY_ACTION["book"].target

    @rule(slot=st.integers(0, 2), service=st.sampled_from(SERVICES))
    def everyone_books(self, slot, service):
        """A rush on one slot: more people than it holds try, each for himself."""
        for who in range(PEOPLE):
            self.book(who=who, slot=slot, service=service, by_agent=False)

    @precondition(lambda self: bool(self.expected))
    @rule(data=st.data(), by=st.sampled_from(("person", "agent", "operator", "stranger")))
    def cancel(self, data, by):
        appointment = Appointment.objects.get(pk=data.draw(st.sampled_from(sorted(self.expected))))
        actor = {
            "person": appointment.person.account,
            "agent": self.agent,
            "operator": self.operator,
            "stranger": self.stranger_operator,
        }[by]
        if by == "stranger":
            predicted = "unknown-appointment"
        elif self.expected[appointment.pk] not in workflow.BY_ACTION["cancel"].sources:
            predicted = "appointment-not-booked"
        elif appointment.start <= self.now:
            predicted = "appointment-started"
        else:
            predicted = None
        if self._attempt(
            predicted,
            lambda: services.cancel(actor=actor, appointment=appointment, now=self.now),
        ):
            self.expected[appointment.pk] = workflow.BY_ACTION["cancel"].target

    @precondition(lambda self: bool(self.expected))
    @rule(data=st.data(), by=st.sampled_from(("person", "kiosk", "board", "agent")))
    def check_in(self, data, by):
        appointment = Appointment.objects.get(pk=data.draw(st.sampled_from(sorted(self.expected))))
        caller = {
            "person": appointment.person.account,
            "kiosk": self.kiosk,
            "board": self.board,
            "agent": self.agent,
        }[by]
        opens = appointment.start - services.CHECK_IN_EARLY_MINUTES * MINUTE
        closes = appointment.start + services.CHECK_IN_LATE_MINUTES * MINUTE
        if by in {"board", "agent"}:  # neither is in the row of check-in
            predicted = "role-not-allowed"
        elif self.expected[appointment.pk] not in workflow.BY_ACTION["check_in"].sources:
            predicted = "appointment-not-booked"
        elif not opens <= self.now <= closes:
            predicted = "outside-check-in-window"
        else:
            predicted = None
        ticket = self._attempt(
            predicted,
            lambda: services.check_in(
                actor_or_device=caller, code_or_appointment=appointment.code, now=self.now
            ),
        )
        if ticket is not None:
            self.expected[appointment.pk] = workflow.BY_ACTION["check_in"].target
            assert Appointment.objects.get(pk=appointment.pk).ticket == ticket

    @precondition(lambda self: A.BOOKED in self.expected.values())
    @rule(data=st.data())
    def check_in_on_time(self, data):
        """A check-in the table allows: the clock goes to the slot of a booked appointment
        first (unless it is past already)."""
        booked = sorted(pk for pk, status in self.expected.items() if status == A.BOOKED)
        appointment = Appointment.objects.get(pk=data.draw(st.sampled_from(booked)))
        if appointment.start - services.CHECK_IN_EARLY_MINUTES * MINUTE > self.now:
            self.now = appointment.start - 5 * MINUTE
        closes = appointment.start + services.CHECK_IN_LATE_MINUTES * MINUTE
        predicted = None if self.now <= closes else "outside-check-in-window"
        if self._attempt(
            predicted,
            lambda: services.check_in(
                actor_or_device=self.kiosk, code_or_appointment=appointment, now=self.now
            ),
        ):
            self.expected[appointment.pk] = A.CHECKED_IN

    @rule(minutes=st.sampled_from((5, 15, 40)))
    def time_passes(self, minutes):
        self.now += minutes * MINUTE

    @precondition(lambda self: self.now < self.starts[-1])
    @rule()
    def next_day(self):
        self.now += 24 * 60 * MINUTE

    @rule()
    def mark_missed(self):
        closed_before = self.now - services.CHECK_IN_LATE_MINUTES * MINUTE
        due = Appointment.objects.filter(pk__in=self.expected, start__lt=closed_before)
        missing = [a.pk for a in due if self.expected[a.pk] in workflow.BY_ACTION["miss"].sources]
        assert services.mark_missed(now=self.now) == len(missing)
        for pk in missing:
            self.expected[pk] = workflow.BY_ACTION["miss"].target
        assert services.mark_missed(now=self.now) == 0  # idempotent

    # ------------------------------------------------------------ invariants

    @invariant()
    def every_appointment_is_where_the_table_led_it(self):
        stored = dict(Appointment.objects.filter(pk__in=self.expected).values_list("pk", "status"))
        assert stored == self.expected

    @invariant()
    def no_slot_over_its_capacity(self):
        for load in SlotLoad.objects.filter(office=self.office, start__in=self.starts):
            held = Appointment.objects.filter(office=self.office, start=load.start).exclude(
                status=A.CANCELLED
            )
            assert load.booked == held.count()
            assert load.booked <= max(self.capacity.values())

    @invariant()
    def nobody_over_the_limit(self):
        for citizen in self.people:
            mine = Appointment.objects.filter(person=citizen.person)
            assert services.upcoming(mine, self.now).count() <= django_settings.MAX_APPOINTMENTS

    @invariant()
    def the_trail_verifies(self):
        assert audit.verify().ok


@pytest.mark.django_db
def test_any_sequence_of_bookings_keeps_slots_and_limits():
    run_state_machine_as_test(
        AppointmentMachine,
        settings=settings(max_examples=20, stateful_step_count=30, deadline=None),
    )
