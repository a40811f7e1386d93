"""The whole transition table: every action, from every status, by every role."""

import pytest

from onestop.audit.models import AuditEvent
from onestop.cases import services, workflow
from onestop.cases.models import Application, Status, StatusChange
from onestop.people.models import Role
from onestop.problems import Conflict, Forbidden
from onestop.tests import factories

pytestmark = pytest.mark.django_db

# Who works where: a centre's staff at the application's centre, a head at its agency.
CENTRE_ROLES = {Role.CONSULTANT, Role.OPERATOR, Role.MANAGER}

# What each allowed action leads to once the platform has done its own part
# (accepting draws a reviewer; approving produces the signed result).
SETTLES_AT = {"accept": Status.ASSIGNED, "approve": Status.READY}


def actor_for(role, *, citizen, operator, reviewer, head, centre):
    """The one who acts in the role: the application's citizen, the operator who filed it,
    its reviewer, the head of its agency, or a new member of staff (at its centre, for a
    centre's roles)."""
    known = {
        Role.CITIZEN: citizen,
        Role.OPERATOR: operator,
        Role.REVIEWER: reviewer,
        Role.HEAD: head,
    }
    if role in known:
        return known[role]
    return factories.staff(role, office=centre if role in CENTRE_ROLES else None)


@pytest.mark.parametrize("action", workflow.PUBLIC_ACTIONS)
@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("role", Role.values)
def test_every_action_from_every_status_by_every_role(
    action,
    status,
    role,
    citizen,
    operator,
    reviewer,
    head,
    centre,
    make_application,
    django_capture_on_commit_callbacks,
    run_tasks,
):
    rule = workflow.BY_ACTION[action]
    actor = actor_for(
        role, citizen=citizen, operator=operator, reviewer=reviewer, head=head, centre=centre
    )
    application = make_application(
        status,
        channel="portal" if role == Role.CITIZEN else "oss",
        applicant=citizen.person if role == Role.CITIZEN else None,
        reviewer=reviewer
        if status in {Status.ASSIGNED, Status.APPROVED, Status.REJECTED, Status.READY}
        else None,
    )
    history, events = StatusChange.objects.count(), AuditEvent.objects.count()

    if role not in rule.roles:
        with pytest.raises(Forbidden):
            services.transition(
                actor=actor, application=application, action=action, reason="a reason"
            )
    elif status not in rule.sources:
        with pytest.raises(Conflict):
            services.transition(
                actor=actor, application=application, action=action, reason="a reason"
            )
    else:
        # An approval's result is produced by the task it enqueues after commit.
        with django_capture_on_commit_callbacks(execute=action == "approve"):
            services.transition(
                actor=actor, application=application, action=action, reason="a reason"
            )
        run_tasks()
        application.refresh_from_db()
        assert application.status == SETTLES_AT.get(action, rule.target)
        assert StatusChange.objects.filter(
            application=application, action=action, status=rule.target
        ).exists()
        return

    application.refresh_from_db()
    assert application.status == status
    assert (StatusChange.objects.count(), AuditEvent.objects.count()) == (history, events)


def test_every_status_can_be_reached_and_every_open_one_left():
    """The table is whole. That it is also the only source of moves is read from the code
    by `onestop/tests/test_status_writes.py`."""
    targets = {t.target for t in workflow.TRANSITIONS}
    sources = set().union(*(t.sources for t in workflow.TRANSITIONS))
    assert targets | {Status.SUBMITTED} == set(Status.values)
    assert sources == set(Status.values) - workflow.FINAL


def test_an_unknown_action_names_the_field(make_application, operator):
    from onestop.problems import InvalidField

    with pytest.raises(InvalidField) as caught:
        services.transition(actor=operator, application=make_application(), action="teleport")
    assert caught.value.errors[0]["field"] == "action"


def test_return_and_reject_need_a_reason(make_application, operator):
    from onestop.problems import InvalidField

    application = make_application()
    with pytest.raises(InvalidField):
        services.transition(actor=operator, application=application, action="return", reason="  ")
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_the_platforms_own_moves_are_checked_against_the_table(make_application):
    """No role, the platform's included, takes a move the table does not give it."""
    submitted = make_application()
    with pytest.raises(Conflict):
        services.transition(actor=None, application=submitted, action="produce")
    with pytest.raises(Forbidden):
        services.transition(actor=None, application=submitted, action="approve")
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_life_situation_follows_its_parts_along_the_table():
    rollup = [t for t in workflow.TRANSITIONS if t.action in workflow.ROLL_UP.values()]
    assert rollup and all(t.roles == {workflow.SYSTEM} for t in rollup)
    assert set(workflow.ROLL_UP) == {
        Status.ASSIGNED,
        Status.READY,
        Status.ISSUED,
        Status.REJECTED,
        Status.WITHDRAWN,
    }
