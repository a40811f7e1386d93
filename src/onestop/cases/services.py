"""What can be done to an application. Every status change goes through `transition`,
which locks the row, checks the table in `workflow.py`, appends history and an audit
event in one transaction, and sends notifications only after commit."""

import datetime
import hashlib
import logging
import secrets
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.audit import services as audit
from onestop.cases import workflow
from onestop.cases.models import (
    Application,
    Assignment,
    Document,
    Leave,
    ReviewerSkill,
    StatusChange,
    StepRecord,
)
from onestop.cases.models import Status as S
from onestop.cases.uploads import EXTENSIONS, Upload, content_type_of
from onestop.catalog.models import Channel, LifeSituation, Service, Standard
from onestop.offices.models import Office
from onestop.people.iin import parse_bin, parse_iin
from onestop.people.models import OFFICE_ROLES, LegalEntity, Person, Role, User
from onestop.plugins import refuse_inside_transaction
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.registries.registry import RegistryRecord
from onestop.workflow import Transition

logger = logging.getLogger("onestop.cases")

FRONT_OFFICE_CHANNELS = {Channel.OSS, Channel.MOBILE, Channel.HOME_VISIT}
SELF_SERVICE_CHANNELS = {Channel.PORTAL, Channel.PAP}


def role_of(actor) -> str:
    return workflow.SYSTEM if actor is None else actor.role


def platform_zone(application: Application) -> zoneinfo.ZoneInfo:
    if application.office_id:
        return application.office.zone
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# ---------------------------------------------------------------- transitions


def transition(
    *, actor: User | None, application: Application, action: str, reason: str = ""
) -> Application:
    """Moves an application along the table. 403 when the caller's role may never take the
    action, 409 when the application's status does not allow it; nothing changes then."""
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
            assign_reviewer(application=locked, reason="accepted")
        elif action == "issue":
            _record_issue_step(actor, locked)
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
    audit event are written, and the messages queued for after commit. The caller holds the
    row locked."""
    rule = _rule(action, role=role_of(actor))
    _check_source(application, rule)
    target = rule.target
    now = timezone.now()
    previous = application.status
    application.status = target
    fields = ["status", "updated_at"]
    if action == "return":
        _stop_clock(application, now)
        fields += ["clock_stopped_at", "remaining_term", "due_at"]
    elif action == "resubmit":
        _restart_clock(application, now)
        fields += ["clock_stopped_at", "remaining_term", "due_at"]
    elif action in {"approve", "reject", "auto_approve"}:
        application.decided_at = now
        application.decision_reason = reason
        fields += ["decided_at", "decision_reason"]
    elif target == S.ISSUED:
        application.issued_at = now
        fields.append("issued_at")
    application.save(update_fields=fields)
    StatusChange.objects.create(
        application=application, action=action, status=target, at=now, actor=actor, note=reason
    )
    audit.record(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        data={"number": application.number, "from": previous, "to": target, "reason": reason},
    )
    from onestop.notify.services import notify_status_change

    transaction.on_commit(
        lambda: notify_status_change(application_id=application.pk, status=target)
    )
    if target == S.APPROVED:
        # The result is rendered and signed by a task after commit, never under this lock.
        transaction.on_commit(lambda: _enqueue_result(application.pk))


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
        and application.channel not in SELF_SERVICE_CHANNELS
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


# ---------------------------------------------------------------- filing


def _applicant_from(*, iin: str | None, bin_: str | None) -> tuple[Person, LegalEntity | None]:
    if bin_:
        parse_bin(bin_, field="applicant.bin")
        entity = LegalEntity.objects.select_related("head").filter(bin=bin_).first()
        if entity is None or entity.head is None:
            raise InvalidField(
                "applicant.bin", "unknown_entity", _("No company with this BIN is registered.")
            )
        return entity.head, entity
    if not iin:
        raise InvalidField("applicant", "required", _("Give the applicant's IIN or BIN."))
    parse_iin(iin, field="applicant.iin")
    person = Person.objects.filter(iin=iin).first()
    if person is None:
        raise InvalidField(
            "applicant.iin",
            "unknown_person",
            _("No person with this IIN is in the population registry."),
        )
    return person, None


def _check_channel(
    *, actor: User, service: Service, channel: str, office: Office | None, person: Person
) -> None:
    standard = service.current_standard
    if channel not in Channel.values:
        raise InvalidField("channel", "invalid_choice", _("Unknown channel."))
    if not standard.offers(channel):
        raise InvalidField(
            "channel", "channel_not_offered", _("This service is not offered through this channel.")
        )
    if channel in FRONT_OFFICE_CHANNELS:
        if actor.role not in {Role.OPERATOR, Role.MANAGER}:
            raise Forbidden(
                _("Only an operator files applications at a centre."), code="role-not-allowed"
            )
        if office is None:
            raise InvalidField(
                "office", "required", _("Say at which centre the application is filed.")
            )
        if office.pk != actor.office_id:
            raise Forbidden(_("You work at another centre."), code="other-office")
        if channel == Channel.OSS and not office.services.filter(pk=service.pk).exists():
            raise InvalidField(
                "office", "service_not_offered", _("This centre does not offer this service.")
            )
    elif channel in SELF_SERVICE_CHANNELS:
        if actor.role != Role.CITIZEN:
            raise Forbidden(
                _("On the portal and at self-service points people apply for themselves."),
                code="role-not-allowed",
            )
        if actor.person_id != person.pk:
            raise Forbidden(
                _("You can apply only for yourself or a company you head."), code="not-yourself"
            )
        if channel == Channel.PAP and not service.instant:
            raise InvalidField(
                "channel",
                "channel_not_offered",
                _("Self-service points give instant certificates only."),
            )
    else:
        raise InvalidField(
            "channel", "channel_not_offered", _("Applications are not filed through this channel.")
        )


def _next_number(application: Application) -> str:
    return f"{application.submitted_at:%y%m}-{application.pk:07d}"


@dataclass(frozen=True)
class Filing:
    """An application checked and its registry documents fetched: everything filing does
    before its transaction, so that no registry is asked while the transaction is open."""

    actor: User
    service: Service
    standard: Standard
    channel: str
    person: Person
    entity: LegalEntity | None
    office: Office | None
    uploads: list[tuple[Upload, str]]
    fetched: list[RegistryRecord]
    waiting: list[str]


def prepare_filing(
    *,
    actor: User,
    service_code: str,
    channel: str,
    applicant_iin: str | None = None,
    applicant_bin: str | None = None,
    office_code: str | None = None,
    uploads: list[Upload] | None = None,
    asked: dict[str, RegistryRecord | None] | None = None,
) -> Filing:
    """Checks an application (422/403 naming the field) and fetches the documents the state
    already holds. `asked` keeps the registries' answers across the parts of one life
    situation, so that each registry is asked once."""
    service = (
        Service.objects.select_related("agency", "current_standard")
        .filter(code=service_code, is_active=True)
        .first()
    )
    if service is None or service.current_standard is None:
        raise InvalidField("service", "unknown_service", _("No service with this code."))
    person, entity = _applicant_from(iin=applicant_iin, bin_=applicant_bin)
    office = None
    if office_code:
        office = Office.objects.filter(code=office_code, is_active=True).first()
        if office is None:
            raise InvalidField("office", "unknown_office", _("No centre with this code."))
    _check_channel(actor=actor, service=service, channel=channel, office=office, person=person)
    standard = service.current_standard
    checked = [
        (upload, content_type_of(upload, field=f"documents.{i}"))
        for i, upload in enumerate(uploads or [])
    ]
    fetched, waiting = _fetch_registries(
        actor=actor,
        standard=standard,
        person=person,
        entity=entity,
        purpose=service.code,
        asked={} if asked is None else asked,
    )
    return Filing(
        actor=actor,
        service=service,
        standard=standard,
        channel=channel,
        person=person,
        entity=entity,
        office=office,
        uploads=checked,
        fetched=fetched,
        waiting=waiting,
    )


def file_application(
    *,
    actor: User,
    service_code: str,
    channel: str,
    applicant_iin: str | None = None,
    applicant_bin: str | None = None,
    office_code: str | None = None,
    data: dict | None = None,
    uploads: list[Upload] | None = None,
    received_at: datetime.datetime | None = None,
) -> Application:
    """Files an application as the person (portal, self-service point) or for the person
    (an operator at a centre). Documents the state holds are fetched from its registries
    first; the portal and self-service points accept automatically when nothing is
    missing, and an instant service at a self-service point comes back issued, with its
    signed result.

    `received_at` is when the documents were taken, if earlier than now: a mobile centre's
    application captured offline counts as submitted then, and its term runs from then."""
    filing = prepare_filing(
        actor=actor,
        service_code=service_code,
        channel=channel,
        applicant_iin=applicant_iin,
        applicant_bin=applicant_bin,
        office_code=office_code,
        uploads=uploads,
    )
    application = file_prepared(filing, data=data, received_at=received_at)
    if application.channel == Channel.PAP and application.status == S.APPROVED:
        # At a self-service point the person waits at the screen: the filing has committed,
        # the result is produced now, outside any transaction, and handed out at once.
        produce_result(application_id=application.pk)
        application.refresh_from_db()
    return application


def file_prepared(
    filing: Filing,
    *,
    data: dict | None = None,
    parent: Application | None = None,
    received_at: datetime.datetime | None = None,
) -> Application:
    """Writes a prepared application, its documents, history and audit event in one
    transaction (or in the caller's, for a part of a life situation or a synced capture)."""
    service, standard, channel, waiting = (
        filing.service,
        filing.standard,
        filing.channel,
        filing.waiting,
    )
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            now = min(received_at, timezone.now()) if received_at else timezone.now()
            application = Application.objects.create(
                number=f"tmp-{secrets.token_hex(6)}",
                service=service,
                standard=standard,
                applicant=filing.person,
                entity=filing.entity,
                channel=channel,
                office=filing.office,
                filed_by=filing.actor,
                agency=service.agency,
                status=S.SUBMITTED,
                submitted_at=now,
                data={**(data or {}), **({"waiting_for_registries": waiting} if waiting else {})},
                parent=parent,
            )
            application.number = _next_number(application)
            application.due_at = _due(application, now)
            application.save(update_fields=["number", "due_at"])
            for upload, content_type in filing.uploads:
                document = _store_upload(application, upload, content_type)
                saved_files.append(document.file.name)
            for record in filing.fetched:
                _attach_registry_record(application, record)
            StatusChange.objects.create(
                application=application,
                action="file",
                status=S.SUBMITTED,
                at=now,
                actor=filing.actor,
            )
            audit.record(
                actor=filing.actor,
                action="application.filed",
                obj=application,
                data={
                    "number": application.number,
                    "service": service.code,
                    "channel": channel,
                    "standard_version": standard.version,
                    "waiting_for_registries": waiting,
                },
            )
            from onestop.notify.services import notify_status_change

            transaction.on_commit(
                lambda: notify_status_change(application_id=application.pk, status=S.SUBMITTED)
            )
            if waiting:
                transaction.on_commit(lambda: _enqueue_registry_retry(application.pk, attempt=1))
            elif channel in SELF_SERVICE_CHANNELS and _complete(application):
                transition(actor=None, application=application, action="accept")
    except BaseException:
        for name in saved_files:
            default_storage.delete(name)
        raise
    application.refresh_from_db()
    return application


def file_life_situation(
    *,
    actor: User,
    code: str,
    channel: str,
    applicant_iin: str | None = None,
    office_code: str | None = None,
    data: dict | None = None,
) -> Application:
    """One application for a life situation: a parent the person follows, with one part per
    service, each routed to its own agency. It completes when every part has. Every part is
    checked and each registry asked once before the one transaction that writes them all."""
    situation = LifeSituation.objects.filter(code=code).first()
    if situation is None:
        raise InvalidField(
            "life_situation", "unknown_life_situation", _("No life situation with this code.")
        )
    person, _entity = _applicant_from(iin=applicant_iin, bin_=None)
    services = list(
        situation.services.filter(is_active=True).order_by("lifesituationservice__position")
    )
    asked: dict[str, RegistryRecord | None] = {}
    filings = [
        prepare_filing(
            actor=actor,
            service_code=service.code,
            channel=channel,
            applicant_iin=person.iin,
            office_code=office_code,
            asked=asked,
        )
        for service in services
    ]
    with transaction.atomic():
        now = timezone.now()
        parent = Application.objects.create(
            number=f"tmp-{secrets.token_hex(6)}",
            life_situation=situation,
            applicant=person,
            channel=channel,
            office=Office.objects.filter(code=office_code).first() if office_code else None,
            filed_by=actor,
            status=S.SUBMITTED,
            submitted_at=now,
            data=data or {},
        )
        parent.number = _next_number(parent)
        parent.save(update_fields=["number"])
        StatusChange.objects.create(
            application=parent, action="file", status=S.SUBMITTED, at=now, actor=actor
        )
        audit.record(
            actor=actor,
            action="application.filed",
            obj=parent,
            data={
                "number": parent.number,
                "life_situation": code,
                "parts": [s.code for s in services],
            },
        )
        for filing in filings:
            file_prepared(filing, data=data, parent=parent)
        refresh_bundle(parent.pk)
    parent.refresh_from_db()
    return parent


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


def _complete(application: Application) -> bool:
    required = {
        d.position for d in application.standard.documents.all() if d.provided_by == "applicant"
    }
    given = {
        p
        for p in application.documents.filter(source=Document.Source.APPLICANT).values_list(
            "data__for_document", flat=True
        )
    }
    return required <= given


def _store_upload(application: Application, upload: Upload, content_type: str) -> Document:
    document = Document(
        application=application,
        source=Document.Source.APPLICANT,
        name=upload.name[:300] or _("document"),
        content_type=content_type,
        size=len(upload.content),
        sha256=upload.sha256,
        data={"for_document": upload.for_document},
    )
    document.file.save(
        f"{application.number}-{upload.sha256[:12]}.{EXTENSIONS[content_type]}",
        ContentFile(upload.content),
        save=False,
    )
    document.save()
    return document


def add_documents(
    *, actor: User, application: Application, uploads: list[Upload]
) -> list[Document]:
    """Adds uploaded documents to an application still at the front office."""
    checked = [
        (upload, content_type_of(upload, field=f"documents.{i}"))
        for i, upload in enumerate(uploads)
    ]
    saved: list[Document] = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            _check_actor_scope(actor, locked, "upload")
            if locked.status not in {S.SUBMITTED, S.RETURNED}:
                raise Conflict(
                    _("Documents can be added only before the application is accepted."),
                    code="too-late-for-documents",
                )
            for upload, content_type in checked:
                saved.append(_store_upload(locked, upload, content_type))
            locked.save(update_fields=["updated_at"])
            audit.record(
                actor=actor,
                action="application.documents_added",
                obj=locked,
                data={"number": locked.number, "sha256": [d.sha256 for d in saved]},
            )
    except BaseException:
        for document in saved:
            default_storage.delete(document.file.name)
        raise
    return saved


# ---------------------------------------------------------------- deadlines


def _due(application: Application, start: datetime.datetime) -> datetime.datetime:
    from onestop.workdays.calendar import due_at

    standard = application.standard
    return due_at(
        filed_at=start,
        value=standard.term_value,
        unit=standard.term_unit,
        tz=platform_zone(application),
    )


def _stop_clock(application: Application, now: datetime.datetime) -> None:
    from onestop.workdays.calendar import pause_remaining

    if application.due_at and application.standard_id:
        application.remaining_term = pause_remaining(
            due=application.due_at,
            paused_at=now,
            unit=application.standard.term_unit,
            tz=platform_zone(application),
        )
    application.clock_stopped_at = now
    application.due_at = None


def _restart_clock(application: Application, now: datetime.datetime) -> None:
    from onestop.workdays.calendar import resume_due

    if application.remaining_term is not None and application.standard_id:
        application.due_at = resume_due(
            resumed_at=now,
            remaining=application.remaining_term,
            unit=application.standard.term_unit,
            tz=platform_zone(application),
        )
    elif application.standard_id:
        application.due_at = _due(application, now)
    application.clock_stopped_at = None
    application.remaining_term = None


def flag_overdue(*, now: datetime.datetime | None = None) -> int:
    """Marks open applications past their due time; each raises an alert to the agency head."""
    now = now or timezone.now()
    flagged = 0
    late = Application.objects.filter(
        status__in=workflow.OPEN, overdue=False, due_at__lt=now, service__isnull=False
    )
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=pk)
            if (
                application.overdue
                or application.status not in workflow.OPEN
                or not application.due_at
                or application.due_at >= now
            ):
                continue
            application.overdue = True
            application.save(update_fields=["overdue", "updated_at"])
            audit.record(
                actor=None,
                action="application.overdue",
                obj=application,
                data={"number": application.number, "due_at": application.due_at.isoformat()},
            )
            from onestop.notify.services import notify_overdue

            transaction.on_commit(lambda pk=pk: notify_overdue(application_id=pk))
            flagged += 1
    return flagged


# ---------------------------------------------------------------- assignment


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
        _move(actor=None, application=application, action="auto_approve")
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
        _move(actor=None, application=application, action="assign")
    return assignment


def reassign(*, actor: User, application: Application, reason: str) -> Assignment | None:
    """A new draw without the current reviewer (leave, conflict of interest), recorded too."""
    if actor.role not in {Role.HEAD, Role.REVIEWER}:
        raise Forbidden(
            _("Only the agency head or the reviewer can ask for another reviewer."),
            code="role-not-allowed",
        )
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


# ---------------------------------------------------------------- registries


def _fetch_registries(
    *,
    actor,
    standard,
    person: Person,
    entity: LegalEntity | None,
    purpose: str,
    asked: dict[str, RegistryRecord | None],
) -> tuple[list[RegistryRecord], list[str]]:
    """Fetches every registry document of the standard once; returns (records, still
    waiting). `asked` holds answers (None: unavailable) already had, by registry and subject."""
    from onestop.registries.services import RegistryUnavailable, fetch

    fetched, waiting = [], []
    registries = sorted(
        {d.registry for d in standard.documents.all() if d.provided_by == "registry"}
    )
    for code in registries:
        if code == "business" and entity is None:
            continue  # a person applying for himself: no company to look up
        subject = entity.bin if code == "business" and entity else person.iin
        key = f"{code}:{subject}"
        if key not in asked:
            try:
                asked[key] = fetch(registry=code, subject=subject, actor=actor, purpose=purpose)
            except RegistryUnavailable:
                asked[key] = None
        record = asked[key]
        if record is None:
            waiting.append(code)
        else:
            fetched.append(record)
    return fetched, waiting


def _attach_registry_record(application: Application, record) -> Document:
    names = [d.name for d in application.standard.documents.all() if d.registry == record.registry]
    return Document.objects.create(
        application=application,
        source=Document.Source.REGISTRY,
        registry=record.registry,
        name=(names[0] if names else record.registry)[:300],
        data=record.data,
        fetched_from=record.source,
        fetched_at=record.fetched_at,
    )


def _enqueue_registry_retry(application_id: int, attempt: int) -> None:
    from onestop.cases.tasks import fetch_missing_registries

    delay = min(2**attempt, 300)
    fetch_missing_registries.using(
        run_after=timezone.now() + datetime.timedelta(seconds=delay)
    ).enqueue(application_id, attempt)


def fetch_missing(*, application_id: int, attempt: int) -> bool:
    """Fetches registries that were down at filing; True when nothing is missing any more."""
    application = Application.objects.select_related("standard", "applicant", "entity").get(
        pk=application_id
    )
    waiting = application.data.get("waiting_for_registries", [])
    if not waiting or application.status != S.SUBMITTED:
        return True
    from onestop.registries.services import RegistryUnavailable, fetch

    records, still = [], []
    for code in waiting:
        subject = (
            application.entity.bin
            if code == "business" and application.entity
            else application.applicant.iin
        )
        try:
            records.append(
                fetch(registry=code, subject=subject, actor=None, purpose=application.number)
            )
        except RegistryUnavailable:
            still.append(code)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application_id)
        for record in records:
            _attach_registry_record(locked, record)
        locked.data = (
            {**locked.data, "waiting_for_registries": still}
            if still
            else {k: v for k, v in locked.data.items() if k != "waiting_for_registries"}
        )
        locked.save(update_fields=["data", "updated_at"])
        audit.record(
            actor=None,
            action="application.registries_fetched",
            obj=locked,
            data={
                "number": locked.number,
                "fetched": [r.registry for r in records],
                "waiting": still,
            },
        )
        if not still and locked.channel in SELF_SERVICE_CHANNELS and _complete(locked):
            transition(actor=None, application=locked, action="accept")
    if still:
        transaction.on_commit(lambda: _enqueue_registry_retry(application_id, attempt + 1))
    return not still


# ---------------------------------------------------------------- results and steps


def _enqueue_result(application_id: int) -> None:
    from onestop.cases.tasks import produce_application_result

    produce_application_result.enqueue(application_id)


def produce_result(*, application_id: int) -> Document | None:
    """Renders the result of an approved application as a PDF and signs it with the
    agency's certificate (detached CMS) outside any transaction; then, in one, attaches it
    and makes the application ready (at a self-service point, issued). None when there is
    nothing left to produce: the result is there already, or the application moved on."""
    from onestop.cases.results import render_result
    from onestop.signatures.services import sign_detached

    refuse_inside_transaction("producing a result")
    application = Application.objects.select_related(
        "service", "agency", "applicant", "standard"
    ).get(pk=application_id)
    if application.status != S.APPROVED or application.service_id is None:
        return None
    pdf = render_result(application)
    signature = sign_detached(data=pdf, agency=application.agency)
    document = Document(
        source=Document.Source.RESULT,
        name=application.service.name,
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save(f"{application.number}-result.pdf", ContentFile(pdf), save=False)
    document.signature.save(f"{application.number}-result.p7s", ContentFile(signature), save=False)
    produced = attached = False
    try:
        with transaction.atomic():
            locked = (
                Application.objects.select_for_update(of=("self",))
                .select_related("service", "office", "agency")
                .get(pk=application_id)
            )
            if locked.status == S.APPROVED:  # not produced by another worker meanwhile
                document.application = locked
                document.save()
                _move(actor=None, application=locked, action="produce")
                if locked.channel == Channel.PAP:
                    _move(actor=None, application=locked, action="issue")
                if locked.parent_id:
                    refresh_bundle(locked.parent_id)
                attached = True
        produced = attached
    finally:
        if not produced:
            default_storage.delete(document.file.name)
            default_storage.delete(document.signature.name)
    return document if produced else None


def record_step(
    *, actor: User, application: Application, step: str, station: str, note: str = ""
) -> StepRecord:
    """Records a step of a multi-step service, in the order of the standard."""
    if actor.role not in {Role.OPERATOR, Role.MANAGER}:
        raise Forbidden(_("Steps are recorded by the centre's staff."), code="role-not-allowed")
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("standard")
            .get(pk=application.pk)
        )
        _check_actor_scope(actor, locked, "step")
        steps = [s.code for s in locked.standard.steps.all()] if locked.standard_id else []
        if step not in steps:
            raise InvalidField("step", "unknown_step", _("This service has no such step."))
        if step == steps[-1]:
            raise Conflict(
                _("The last step is recorded when the result is handed out."),
                code="last-step-at-issue",
            )
        if locked.status not in {S.ASSIGNED, S.ACCEPTED}:
            raise Conflict(
                _("Steps are recorded while the application is under way."), code="not-under-way"
            )
        done = set(locked.steps_done.values_list("code", flat=True))
        expected = next(code for code in steps if code not in done)
        if step != expected:
            raise Conflict(
                _("The next step is %(step)s.") % {"step": expected}, code="step-out-of-order"
            )
        record = StepRecord.objects.create(
            application=locked,
            code=step,
            position=steps.index(step),
            station=station[:100],
            done_at=timezone.now(),
            actor=actor,
            note=note[:300],
        )
        locked.save(update_fields=["updated_at"])
        audit.record(
            actor=actor,
            action="application.step",
            obj=locked,
            data={"number": locked.number, "step": step, "station": station},
        )
    return record


def _record_issue_step(actor, application: Application) -> None:
    steps = list(application.standard.steps.all()) if application.standard_id else []
    if steps and actor is not None:
        StepRecord.objects.get_or_create(
            application=application,
            code=steps[-1].code,
            defaults={
                "position": len(steps) - 1,
                "station": _("window"),
                "done_at": timezone.now(),
                "actor": actor,
            },
        )
