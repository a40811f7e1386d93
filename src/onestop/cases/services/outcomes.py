"""What an application produces: its signed result document, made after the approval
commits, and the steps of a multi-step service. (`cases/results.py` renders the PDF.)"""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases.models import Application, Document, StepRecord
from onestop.cases.models import Status as S
from onestop.cases.services import lifecycle
from onestop.catalog.models import Channel
from onestop.people.models import User
from onestop.plugins import refuse_inside_transaction
from onestop.problems import Conflict, InvalidField
from onestop.validation import check_field


def _enqueue_result(application_id: int) -> None:
    from onestop.cases.tasks import produce_application_result

    produce_application_result.enqueue(application_id)


def produce_stranded(*, now: datetime.datetime | None = None) -> int:
    """Queues again the production of results of applications approved a task lease ago and
    still waiting for it with no production task waiting or running (the task was lost with
    a worker). Producing twice is harmless: `produce_result` attaches one result."""
    from onestop.cases.tasks import produce_application_result
    from onestop.operations.leases import lease_ago, without_a_task

    waiting = Application.objects.filter(
        status=S.APPROVED, service__isnull=False, decided_at__lt=lease_ago(now)
    ).values_list("pk", flat=True)
    stranded = without_a_task(produce_application_result, waiting) if waiting else []
    for pk in stranded:
        _enqueue_result(pk)
    return len(stranded)


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
                lifecycle._move(actor=None, application=locked, action="produce")
                if locked.channel == Channel.PAP:
                    lifecycle._move(actor=None, application=locked, action="issue")
                if locked.parent_id:
                    lifecycle.refresh_bundle(locked.parent_id)
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
    permissions.require(actor, "applications.record_step")
    check_field("step", step, max_length=100, multiline=False)
    check_field("station", station, max_length=100, multiline=False)
    check_field("note", note, max_length=300)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("standard")
            .get(pk=application.pk)
        )
        lifecycle._check_actor_scope(actor, locked, "step")
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
