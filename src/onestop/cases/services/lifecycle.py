"""How an application moves. Every status change goes through `transition` (a person's
action) or `_move` (the one function that writes a status, for the platform's own moves
too): the row is locked, the table in `workflow.py` checked, history and an audit event
appended in one transaction with the messages that announce it and their tasks (an
outbox), which send them only after commit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases import workflow
from onestop.cases.models import Application, StatusChange
from onestop.cases.models import Status as S
from onestop.cases.services import assignment, deadlines, filing, outcomes
from onestop.people.models import OFFICE_ROLES, Role, User
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.validation import check_field
from onestop.workflow import Transition


def role_of(actor) -> str:
    return workflow.SYSTEM if actor is None else actor.role


def transition(
    *, actor: User | None, application: Application, action: str, reason: str = ""
) -> Application:
    """Moves an application along the table. 403 when the caller's role may never take the
    action, 409 when the application's status does not allow it; nothing changes then."""
    permissions.require(actor, "applications.transition")
    check_field("reason", reason, max_length=2000)
    rule = _rule(action, role=role_of(actor))
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("service", "standard", "office", "agency")
            .get(pk=application.pk)
        )
        _check_source(locked, rule)
        _check_actor_scope(actor, locked, action)
        _check_preconditions(locked, action, reason)
        _move(actor=actor, application=locked, action=action, reason=reason)
        if action == "accept":
            assignment.assign_reviewer(application=locked, reason="accepted")
        elif action == "issue":
            outcomes._record_issue_step(actor, locked)
        if locked.parent_id:
            refresh_bundle(locked.parent_id)
    return locked


def _rule(action: str, *, role: str) -> Transition:
    """The table's row for an action: InvalidField for an action the table does not know,
    403 for a role that may never take it."""
    rule = workflow.TABLE.get(action)
    if rule is None:
        raise InvalidField("action", "unknown_action", _("Unknown action: %s") % action)
    if role not in rule.roles:
        raise Forbidden(
            _("Your role may not %(action)s an application.") % {"action": action},
            code="role-not-allowed",
        )
    return rule


def _check_source(application: Application, rule: Transition) -> None:
    """409 when the application's status does not allow the action."""
    if application.status not in rule.sources:
        raise Conflict(
            _("An application that is %(status)s cannot be %(action)s.")
            % {"status": application.get_status_display(), "action": rule.action},
            code="transition-not-allowed",
        )


def _move(*, actor, application: Application, action: str, reason: str = "") -> None:
    """The one place an application's status changes: the table is checked every time, for
    people and for the platform's own moves alike; then the status, its history and its
    audit event are written, and the messages with their delivery tasks. The caller holds the
    row locked."""
    rule = _rule(action, role=role_of(actor))
    _check_source(application, rule)
    target = rule.target
    now = timezone.now()
    previous = application.status
    application.status = target
    fields = ["status", "updated_at"]
    if action == "return":
        deadlines._stop_clock(application, now)
        fields += ["clock_stopped_at", "remaining_term", "due_at"]
    elif action == "resubmit":
        deadlines._restart_clock(application, now)
        fields += ["clock_stopped_at", "remaining_term", "due_at"]
    elif action in {"approve", "reject", "auto_approve"}:
        application.decided_at = now
        application.decision_reason = reason
        fields += ["decided_at", "decision_reason"]
    elif target == S.ISSUED:
        application.issued_at = now
        fields.append("issued_at")
    application.save(update_fields=fields)
    change = StatusChange.objects.create(
        application=application, action=action, status=target, at=now, actor=actor, note=reason
    )
    audit.record(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        data={"number": application.number, "from": previous, "to": target, "reason": reason},
    )
    from onestop.notify.services import notify_status_change

    # The messages and the tasks are written with the change: they commit together.
    notify_status_change(application_id=application.pk, status=target, change=change)
    if target == S.APPROVED:
        # The result is rendered and signed by this task, after commit, never under this lock.
        outcomes._enqueue_result(application.pk)


def _check_actor_scope(actor: User | None, application: Application, action: str) -> None:
    if actor is None:
        return
    if actor.role in OFFICE_ROLES and application.office_id != actor.office_id:
        raise NotFound(_("No such application."), code="unknown-application")
    if actor.role == Role.CITIZEN and application.applicant_id != actor.person_id:
        raise NotFound(_("No such application."), code="unknown-application")
    if actor.role == Role.REVIEWER and application.reviewer_id != actor.pk:
        raise NotFound(_("No such application."), code="unknown-application")
    if (
        action == "issue"
        and actor.role == Role.CITIZEN
        and application.channel not in filing.SELF_SERVICE_CHANNELS
    ):
        raise Conflict(_("Collect the result where you applied."), code="collect-in-person")


def _check_preconditions(application: Application, action: str, reason: str) -> None:
    if action in {"return", "reject"} and not reason.strip():
        raise InvalidField("reason", "required", _("Say why, in words the applicant understands."))
    if action == "approve" and application.standard_id:
        steps = [s.code for s in application.standard.steps.all()]
        done = set(application.steps_done.values_list("code", flat=True))
        missing = [code for code in steps[:-1] if code not in done]
        if missing:
            raise Conflict(_("Steps not yet done: %s") % ", ".join(missing), code="steps-missing")
    if action == "accept" and application.data.get("waiting_for_registries"):
        raise Conflict(
            _("Documents from state registries have not arrived yet."),
            code="waiting-for-registries",
        )


def refresh_bundle(parent_id: int) -> None:
    """A life-situation application's status summarises its parts: under way while any part
    is open, ready when all results are in, issued when every part is done. The parent
    moves along the table's roll-up rows, like any other move."""
    parent = Application.objects.select_for_update().get(pk=parent_id)
    statuses = list(parent.parts.values_list("status", flat=True))
    if not statuses:
        return
    if all(s in workflow.FINAL for s in statuses):
        target = (
            S.ISSUED
            if S.ISSUED in statuses
            else S.REJECTED
            if S.REJECTED in statuses
            else S.WITHDRAWN
        )
    elif all(s in workflow.FINAL or s == S.READY for s in statuses):
        target = S.READY
    elif all(s != S.SUBMITTED and s != S.RETURNED for s in statuses):
        target = S.ASSIGNED
    else:
        target = S.SUBMITTED
    if target != parent.status:
        _move(actor=None, application=parent, action=workflow.ROLL_UP[target])
    else:
        parent.save(update_fields=["updated_at"])  # it shows its parts: one has changed
