"""Applications as a state machine (hypothesis): an operator files them at a centre, then
anyone tries any public action, the right people and the wrong ones (an operator of
another centre, a reviewer not drawn, a call-centre agent, another citizen), while the
platform draws reviewers and produces results. Every refusal is the one the table and
the scope rules predict, and changes nothing. After every step each application is where
`cases/workflow.py` led it, its history holds one entry per move, it has a reviewer
exactly when it has been assigned, and the audit trail verifies."""

import hypothesis
import pytest
from django.db import transaction
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent
from onestop.cases import services, workflow
from onestop.cases.models import Application, StatusChange
from onestop.cases.models import Status as S
from onestop.catalog.models import Service
from onestop.people.models import Role
from onestop.problems import DomainError
from onestop.registries.sandbox.data import load_sandbox_data
from onestop.tests import factories

SERVICE = "real-estate-registration"
APPLICANTS = 3
ACTORS = ("operator", "stranger", "citizen", "neighbour", "reviewer", "agent")


class Rollback(Exception):
    """Ends an example's savepoint, so that the next example starts from the same demo."""


class ApplicationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        # Like the test's own transaction around it, this one is the test's, not the code's:
        # filing may ask the (sandbox) registries and a result may be signed inside it.
        self.savepoint._from_testcase = True
        self.savepoint.__enter__()
        self.centre = factories.centre()
        self.operator = factories.staff(Role.OPERATOR, office=self.centre)
        self.stranger = factories.staff(Role.OPERATOR, office=factories.centre())
        self.agent = factories.staff(Role.AGENT)
        self.service = Service.objects.get(code=SERVICE)
        # A reviewer of the agency without the service's skill: never drawn.
        self.undrawn = factories.staff(Role.REVIEWER, agency=self.service.agency)
        self.citizens = [factories.citizen() for _ in range(APPLICANTS)]
        load_sandbox_data()  # the registries know the new people
        self.expected: dict[int, str] = {}  # application id -> where the table led it
        self.moves: dict[int, int] = {}  # application id -> history entries, filing included
        self.assigned: dict[int, bool] = {}  # application id -> a reviewer was drawn

    def teardown(self):
        self.savepoint.__exit__(Rollback, Rollback(), None)

    # ------------------------------------------------------------ what the rules predict

    def _actor(self, application: Application, by: str):
        applicant = next(c for c in self.citizens if c.person_id == application.applicant_id)
        neighbour = next(c for c in self.citizens if c.person_id != application.applicant_id)
        return {
            "operator": self.operator,
            "stranger": self.stranger,
            "citizen": applicant,
            "neighbour": neighbour,
            "reviewer": application.reviewer or self.undrawn,
            "agent": self.agent,
        }[by]

    def _refusal(self, application: Application, action: str, by: str) -> str | None:
        rule = workflow.BY_ACTION[action]
        actor = self._actor(application, by)
        if actor.role not in rule.roles:
            return "role-not-allowed"
        if self.expected[application.pk] not in rule.sources:
            return "transition-not-allowed"
        if by in {"stranger", "neighbour"} or (by == "reviewer" and actor == self.undrawn):
            return "unknown-application"
        if by == "citizen" and action == "issue":  # filed at a centre: collected there
            return "collect-in-person"
        return None

    def _state(self) -> tuple:
        return (
            list(Application.objects.order_by("pk").values_list("pk", "status", "reviewer_id")),
            StatusChange.objects.count(),
            AuditEvent.objects.count(),
        )

    # ------------------------------------------------------------ rules

    @precondition(lambda self: len(self.expected) < APPLICANTS)
    @rule()
    def file(self):
        citizen = self.citizens[len(self.expected)]
        application = services.file_application(
            actor=self.operator,
            service_code=SERVICE,
            channel="oss",
            applicant_iin=citizen.person.iin,
            office_code=self.centre.code,
        )
        assert application.status == S.SUBMITTED
        assert not application.data.get("waiting_for_registries")
        self.expected[application.pk] = S.SUBMITTED
        self.moves[application.pk] = 1
        self.assigned[application.pk] = False

    @precondition(lambda self: bool(self.expected))
    @rule(
        data=st.data(),
        action=st.sampled_from(workflow.PUBLIC_ACTIONS),
        by=st.sampled_from(ACTORS),
    )
    def move_any(self, data, action, by):
        """Any public action by anyone: done or refused, as the table and scopes say."""
        pk = data.draw(st.sampled_from(sorted(self.expected)))
        self._move(pk, action, by)

    @precondition(lambda self: any(s not in workflow.FINAL for s in self.expected.values()))
    @rule(data=st.data())
    def move_allowed(self, data):
        """An action the table allows from where the application is, by one who may."""
        pk = data.draw(
            st.sampled_from(sorted(p for p, s in self.expected.items() if s not in workflow.FINAL))
        )
        application = Application.objects.select_related("reviewer").get(pk=pk)
        choices = [
            (action, by)
            for action in workflow.PUBLIC_ACTIONS
            for by in ACTORS
            if self._refusal(application, action, by) is None
        ]
        if choices:  # an approved application waits for the platform's result
            self._move(pk, *data.draw(st.sampled_from(choices)))

    def _move(self, pk: int, action: str, by: str) -> None:
        application = Application.objects.select_related("reviewer").get(pk=pk)
        predicted = self._refusal(application, action, by)
        drawn = action == "accept" and bool(services.eligible_reviewers(application))
        before = self._state()
        try:
            services.transition(
                actor=self._actor(application, by),
                application=application,
                action=action,
                reason="a reason the applicant understands",
            )
        except DomainError as refusal:
            assert refusal.code == predicted, (action, by, refusal.code, predicted)
            assert self._state() == before
            return
        assert predicted is None, (action, by, predicted)
        self.expected[pk] = workflow.BY_ACTION[action].target
        self.moves[pk] += 1
        if drawn:  # the platform draws a reviewer at once and assigns
            self.expected[pk] = workflow.BY_ACTION["assign"].target
            self.moves[pk] += 1
            self.assigned[pk] = True

    @precondition(lambda self: S.APPROVED in self.expected.values())
    @rule()
    def produce_results(self):
        """The task that renders and signs each approved application's result."""
        for pk in [p for p, s in self.expected.items() if s == S.APPROVED]:
            assert services.produce_result(application_id=pk) is not None
            self.expected[pk] = workflow.BY_ACTION["produce"].target
            self.moves[pk] += 1
            assert services.produce_result(application_id=pk) is None  # once only

    # ------------------------------------------------------------ invariants

    @invariant()
    def each_application_is_where_the_table_led_it(self):
        stored = dict(Application.objects.filter(pk__in=self.expected).values_list("pk", "status"))
        assert stored == self.expected
        for pk, status in self.expected.items():
            last = StatusChange.objects.filter(application_id=pk).order_by("at", "pk").last()
            assert last.status == status

    @invariant()
    def one_history_entry_per_move(self):
        for pk, moves in self.moves.items():
            assert StatusChange.objects.filter(application_id=pk).count() == moves

    @invariant()
    def a_reviewer_exactly_once_assigned(self):
        reviewers = dict(
            Application.objects.filter(pk__in=self.expected).values_list("pk", "reviewer_id")
        )
        assert {pk: r is not None for pk, r in reviewers.items()} == self.assigned

    @invariant()
    def the_trail_verifies(self):
        assert audit.verify().ok


@pytest.mark.django_db
def test_any_sequence_of_actions_follows_the_table(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_sandbox_data()
    run_state_machine_as_test(
        ApplicationMachine,
        settings=hypothesis.settings(max_examples=10, stateful_step_count=25, deadline=None),
    )
