"""Who reviews an application: a reviewer drawn at random among the eligible ones, the
draw recorded and recomputable by an auditor (ADR 2); new draws on request and on leave."""

import datetime
import hashlib
import logging
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases.models import Application, Assignment, Leave, ReviewerSkill
from onestop.cases.models import Status as S
from onestop.cases.services import lifecycle
from onestop.people.models import Role, User
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.validation import check_field

logger = logging.getLogger("onestop.cases")


def eligible_reviewers(
    application: Application, *, exclude: frozenset[int] | set[int] = frozenset()
) -> list[User]:
    """Reviewers who may decide this application: the provider agency's, with the service's
    skill, active, not on leave today, not the applicant, sorted by username."""
    today = timezone.localdate()
    on_leave = Leave.objects.filter(starts__lte=today, ends__gte=today).values("reviewer_id")
    skilled = ReviewerSkill.objects.filter(service_id=application.service_id).values("reviewer_id")
    reviewers = (
        User.objects.filter(
            role=Role.REVIEWER, agency_id=application.agency_id, is_active=True, pk__in=skilled
        )
        .exclude(pk__in=on_leave)
        .exclude(pk__in=list(exclude))
        .exclude(Q(person_id=application.applicant_id) & Q(person_id__isnull=False))
        .order_by("username")
    )
    return list(reviewers)


def draw_index(*, seed: str, number: str, count: int) -> int:
    """The draw: SHA-256 of the seed and the application number, modulo the number of
    eligible reviewers. Uniform (a 256-bit value modulo a small count) and recomputable."""
    digest = hashlib.sha256(f"{seed}:{number}".encode()).digest()
    return int.from_bytes(digest, "big") % count


def assign_reviewer(
    *, application: Application, reason: str, exclude: frozenset[int] | set[int] = frozenset()
) -> Assignment | None:
    """Draws a reviewer uniformly at random among the eligible ones and records the draw.
    Instant services decide themselves; with nobody eligible the application waits."""
    if application.service is not None and application.service.instant:
        lifecycle._move(actor=None, application=application, action="auto_approve")
        return None
    eligible = eligible_reviewers(application, exclude=exclude)
    if not eligible:
        audit.record(
            actor=None,
            action="application.no_reviewer",
            obj=application,
            data={"number": application.number},
        )
        logger.warning("no eligible reviewer", extra={"application": application.number})
        return None
    seed = secrets.token_hex(32)
    chosen = eligible[draw_index(seed=seed, number=application.number, count=len(eligible))]
    previous = application.reviewer
    application.reviewer = chosen
    application.save(update_fields=["reviewer", "updated_at"])
    assignment = Assignment.objects.create(
        application=application,
        drawn_at=timezone.now(),
        eligible=[u.username for u in eligible],
        seed=seed,
        reviewer=chosen,
        reason=reason,
        previous_reviewer=previous,
    )
    audit.record(
        actor=None,
        action="application.reviewer_drawn",
        obj=application,
        data={
            "number": application.number,
            "eligible": assignment.eligible,
            "seed": seed,
            "reviewer": chosen.username,
            "reason": reason,
        },
    )
    if application.status == S.ACCEPTED:
        lifecycle._move(actor=None, application=application, action="assign")
    return assignment


def reassign(*, actor: User, application: Application, reason: str) -> Assignment | None:
    """A new draw without the current reviewer (leave, conflict of interest), recorded too."""
    permissions.require(actor, "applications.reassign")
    check_field("reason", reason, max_length=200)
    if not reason.strip():
        raise InvalidField(
            "reason", "required", _("Say why the application moves to another reviewer.")
        )
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("service", "reviewer")
            .get(pk=application.pk)
        )
        if locked.agency_id != actor.agency_id or (
            actor.role == Role.REVIEWER and locked.reviewer_id != actor.pk
        ):
            raise NotFound(_("No such application."), code="unknown-application")
        if locked.status != S.ASSIGNED:
            raise Conflict(
                _("Only an application under review can move to another reviewer."),
                code="not-under-review",
            )
        audit.record(
            actor=actor,
            action="application.reassignment_asked",
            obj=locked,
            data={"number": locked.number, "reason": reason},
        )
        return assign_reviewer(
            application=locked, reason=f"reassigned: {reason}"[:40], exclude={locked.reviewer_id}
        )


def start_leave(
    *, actor: User, reviewer: User, starts: datetime.date, ends: datetime.date, note: str = ""
) -> Leave:
    """Records a reviewer's leave and moves his or her open applications to others, by draw."""
    permissions.require(actor, "reviewers.start_leave")
    if actor.role != Role.HEAD or reviewer.agency_id != actor.agency_id:
        raise Forbidden(
            _("Only the head of the reviewer's agency records leave."), code="role-not-allowed"
        )
    with transaction.atomic():
        leave = Leave.objects.create(reviewer=reviewer, starts=starts, ends=ends, note=note)
        audit.record(
            actor=actor,
            action="reviewer.leave",
            obj=leave,
            data={"reviewer": reviewer.username, "starts": starts, "ends": ends},
        )
        if starts <= timezone.localdate() <= ends:
            for application in (
                Application.objects.select_for_update(of=("self",))
                .select_related("service")
                .filter(reviewer=reviewer, status=S.ASSIGNED)
            ):
                assign_reviewer(
                    application=application, reason="reassigned: leave", exclude={reviewer.pk}
                )
    return leave


def recompute_draws(number: str) -> list[dict]:
    """For the auditor: every recorded draw of an application, recomputed from its seed."""
    application = Application.objects.filter(number=number).first()
    if application is None:
        raise NotFound(_("No such application."), code="unknown-application")
    results = []
    for assignment in application.assignments.select_related("reviewer"):
        index = draw_index(
            seed=assignment.seed, number=application.number, count=len(assignment.eligible)
        )
        recomputed = assignment.eligible[index]
        results.append(
            {
                "drawn_at": assignment.drawn_at,
                "reason": assignment.reason,
                "eligible": assignment.eligible,
                "seed": assignment.seed,
                "recorded": assignment.reviewer.username,
                "recomputed": recomputed,
                "matches": recomputed == assignment.reviewer.username,
            }
        )
    return results
