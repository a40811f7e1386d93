"""Tickets as a state machine (hypothesis): kiosks issue, operators at two windows call,
recall, start, finish, mark no-shows and transfer, in any order. After every step each
ticket is where the table of moves says, at most one visitor stands at a window, open
tickets have no finish time, numbers are unique per centre and day, and the audit trail
verifies."""

from django.db import transaction
from hypothesis import Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from onestop.audit import services as audit
from onestop.people.models import Role
from onestop.problems import DomainError
from onestop.queueing import services, workflow
from onestop.queueing.models import Ticket
from onestop.queueing.models import TicketStatus as T
from onestop.tests import factories

SERVICES = ("passport", "address-certificate")
MOVES = ("recall", "start", "finish", "no_show", "cancel")


class Rollback(Exception):
    """Ends an example's savepoint, so that the next example starts from the same data."""


class TicketMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.office = factories.centre(services=list(SERVICES), windows=2)
        self.operators = {
            n: factories.staff(Role.OPERATOR, office=self.office, window=n) for n in (1, 2)
        }
        self.expected: dict[int, str] = {}  # ticket id -> status the table leads to

    def teardown(self):
        self.savepoint.__exit__(Rollback, Rollback(), None)

    def _try(self, expected_target: str | None, do):
        """Runs a move; a refusal must change nothing."""
        try:
            moved = do()
        except DomainError:
            return None
        if moved is not None and expected_target is not None:
            self.expected[moved.pk] = expected_target
        return moved

    @rule(service=st.sampled_from(SERVICES), priority=st.booleans())
    def issue(self, service, priority):
        ticket = services.issue_ticket(
            office_code=self.office.code, service_code=service, priority=priority
        )
        self.expected[ticket.pk] = T.WAITING

    @rule(window=st.sampled_from((1, 2)))
    def call_next(self, window):
        called = self._try(
            T.CALLED,
            lambda: services.call_next(
                actor=self.operators[window], office_code=self.office.code, window_number=window
            ),
        )
        if called is not None:
            assert called.window.number == window

    @precondition(lambda self: bool(self.expected))
    @rule(data=st.data(), action=st.sampled_from(MOVES))
    def move_any(self, data, action):
        """Any move of any ticket: allowed or refused, as the table says."""
        self._move(data.draw(st.sampled_from(sorted(self.expected))), action)

    @precondition(lambda self: any(s in workflow.AT_A_WINDOW for s in self.expected.values()))
    @rule(data=st.data())
    def move_at_a_window(self, data):
        """A move the table allows for a visitor at a window: the windows free up."""
        ticket_id = data.draw(
            st.sampled_from(
                sorted(t for t, s in self.expected.items() if s in workflow.AT_A_WINDOW)
            )
        )
        status = self.expected[ticket_id]
        allowed = [a for a in MOVES if status in workflow.BY_ACTION[a].sources]
        assert self._move(ticket_id, data.draw(st.sampled_from(allowed))), status

    def _move(self, ticket_id: int, action: str) -> bool:
        ticket = Ticket.objects.get(pk=ticket_id)
        rule = workflow.BY_ACTION[action]
        operator = self.operators[ticket.window.number if ticket.window_id else 1]
        before = ticket.status
        moved = self._try(None, lambda: services.move(actor=operator, ticket=ticket, action=action))
        if moved is None:
            assert before not in rule.sources
            assert Ticket.objects.get(pk=ticket_id).status == before
            return False
        assert before in rule.sources
        self.expected[ticket_id] = moved.status
        assert moved.status == rule.target or (action == "recall" and moved.status == T.NO_SHOW)
        return True

    @precondition(lambda self: bool(self.expected))
    @rule(data=st.data())
    def transfer(self, data):
        ticket_id = data.draw(st.sampled_from(sorted(self.expected)))
        ticket = Ticket.objects.get(pk=ticket_id)
        operator = self.operators[ticket.window.number if ticket.window_id else 1]
        new = self._try(
            T.WAITING,
            lambda: services.transfer(actor=operator, ticket=ticket, service_code=SERVICES[1]),
        )
        if new is not None:
            self.expected[ticket_id] = T.TRANSFERRED
            assert new.number == ticket.number

    @invariant()
    def every_ticket_is_where_the_table_led_it(self):
        stored = dict(Ticket.objects.filter(pk__in=self.expected).values_list("pk", "status"))
        assert stored == self.expected

    @invariant()
    def one_visitor_at_a_window_and_open_tickets_unfinished(self):
        at_windows = Ticket.objects.filter(status__in=workflow.AT_A_WINDOW).values_list(
            "window_id", flat=True
        )
        assert len(at_windows) == len(set(at_windows))
        assert not Ticket.objects.filter(status__in=workflow.OPEN, finished_at__isnull=False)
        assert not Ticket.objects.exclude(status__in=workflow.OPEN).filter(finished_at=None)

    @invariant()
    def numbers_are_unique_and_the_trail_verifies(self):
        numbers = Ticket.objects.exclude(status=T.TRANSFERRED).values_list("day", "number")
        assert len(numbers) == len(set(numbers))
        assert audit.verify().ok


def test_any_sequence_of_moves_keeps_the_queue_consistent(db):
    run_state_machine_as_test(
        TicketMachine,
        settings=settings(
            max_examples=2, stateful_step_count=10, deadline=None, verbosity=Verbosity.verbose
        ),
    )
