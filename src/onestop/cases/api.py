import base64
import binascii
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from onestop.api_auth import session_or_token
from onestop.audit import services as audit
from onestop.cases import selectors, services, workflow
from onestop.cases.models import Application, Document
from onestop.cases.uploads import Upload
from onestop.i18n import localized
from onestop.idempotency import idempotent
from onestop.pagination import Listing, Page
from onestop.people.models import Role
from onestop.problems import InvalidField, NotFound
from onestop.renderers import cached_answer
from onestop.validation import Data, Line, Text

router = Router(tags=["applications"], auth=session_or_token)


class ApplicantIn(Schema):
    iin: Line | None = Field(None, max_length=12, examples=["900101300047"])
    bin: Line | None = Field(None, max_length=12)


class DocumentIn(Schema):
    name: Line = Field(..., max_length=300)
    document: int | None = Field(
        None, ge=0, le=1000, description="position of the standard's document it answers"
    )
    content: str = Field(
        ...,
        # base64 takes four characters for three bytes
        max_length=(settings.MAX_UPLOAD_MB * 1024 * 1024 * 4) // 3 + 4,
        description="the file, base64-encoded: PDF, JPEG or PNG",
    )


class ApplicationIn(Schema):
    service: Line | None = Field(
        None, max_length=100, description="service code; or give life_situation"
    )
    life_situation: Line | None = Field(None, max_length=100)
    applicant: ApplicantIn
    channel: Literal["oss", "portal", "pap", "call_centre", "mobile", "home_visit"]
    office: Line | None = Field(None, max_length=100)
    data: Data = Field(
        default_factory=dict,
        description="the service's form: at most 64 KB of JSON, 6 levels, 500 fields",
    )
    documents: list[DocumentIn] = Field(default_factory=list, max_length=20)


class TransitionIn(Schema):
    action: Literal["accept", "return", "resubmit", "approve", "reject", "issue", "withdraw"]
    reason: Text = Field("", max_length=2000)


class ReassignIn(Schema):
    reason: Text = Field(..., max_length=200)


class StepIn(Schema):
    step: Line = Field(..., max_length=100)
    station: Line = Field(..., max_length=100)
    note: Text = Field("", max_length=300)


class HistoryOut(Schema):
    status: str
    action: str
    at: datetime
    note: str


class DocumentOut(Schema):
    id: int
    name: str
    source: str
    registry: str | None
    fetched_from: str | None
    fetched_at: datetime | None
    content_type: str | None
    size: int
    sha256: str | None


class StepOut(Schema):
    code: str
    name: str
    done_at: datetime | None
    station: str | None


class PartOut(Schema):
    number: str
    service: str
    agency: str
    status: str
    due_at: datetime | None


class PersonOut(Schema):
    iin: str
    name: str


class ReviewerOut(Schema):
    username: str
    name: str


class ResultOut(Schema):
    document: str
    signature: str
    sha256: str


class ApplicationOut(Schema):
    number: str
    service: str | None
    service_name: str
    life_situation: str | None
    applicant: PersonOut
    bin: str | None
    channel: str
    office: str | None
    agency: str | None
    status: str
    status_name: str
    submitted_at: datetime
    due_at: datetime | None
    overdue: bool
    standard_version: int | None
    history: list[HistoryOut]
    documents: list[DocumentOut]
    steps: list[StepOut]
    parts: list[PartOut]
    result: ResultOut | None
    payment: None = None
    reviewer: ReviewerOut | None = Field(
        None, description="only for the reviewer, the agency head and auditors"
    )


class ApplicationFilters(Schema):
    status: Line = Field("", max_length=20)
    overdue: bool | None = None


def application_out(application: Application, viewer) -> dict:
    documents = list(application.documents.all())
    result = next((d for d in documents if d.source == Document.Source.RESULT), None)
    done = {s.code: s for s in application.steps_done.all()}
    standard_steps = list(application.standard.steps.all()) if application.standard_id else []
    base = f"/api/v1/applications/{application.number}"
    out = {
        "number": application.number,
        "service": application.service.code if application.service_id else None,
        "service_name": application.service.name
        if application.service_id
        else application.life_situation.name,
        "life_situation": application.life_situation.code
        if application.life_situation_id
        else None,
        "applicant": {"iin": application.applicant.iin, "name": application.applicant.full_name},
        "bin": application.entity.bin if application.entity_id else None,
        "channel": application.channel,
        "office": application.office.code if application.office_id else None,
        "agency": application.agency.code if application.agency_id else None,
        "status": application.status,
        "status_name": workflow.status_name(application),
        "submitted_at": application.submitted_at,
        "due_at": application.due_at,
        "overdue": application.overdue,
        "standard_version": application.standard.version if application.standard_id else None,
        "history": [
            {"status": h.status, "action": h.action, "at": h.at, "note": h.note}
            for h in application.history.all()
        ],
        "documents": [
            {
                "id": d.pk,
                "name": d.name,
                "source": d.source,
                "registry": d.registry or None,
                "fetched_from": d.fetched_from or None,
                "fetched_at": d.fetched_at,
                "content_type": d.content_type or None,
                "size": d.size,
                "sha256": d.sha256 or None,
            }
            for d in documents
        ],
        "steps": [
            {
                "code": s.code,
                "name": localized(s, "name"),
                "done_at": done[s.code].done_at if s.code in done else None,
                "station": done[s.code].station if s.code in done else None,
            }
            for s in standard_steps
        ],
        "parts": [
            {
                "number": p.number,
                "service": p.service.code,
                "agency": p.agency.code,
                "status": p.status,
                "due_at": p.due_at,
            }
            for p in application.parts.all()
        ],
        "result": {
            "document": f"{base}/result",
            "signature": f"{base}/result.p7s",
            "sha256": result.sha256,
        }
        if result
        else None,
        "payment": None,
    }
    if viewer.role in selectors.SEES_REVIEWER and application.reviewer_id:
        reviewer = application.reviewer
        out["reviewer"] = {"username": reviewer.username, "name": reviewer.display_name}
    return out


def _decode(documents: list[DocumentIn]) -> list[Upload]:
    uploads = []
    for i, document in enumerate(documents):
        try:
            content = base64.b64decode(document.content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidField(
                f"documents.{i}.content", "invalid_base64", _("The file must be base64-encoded.")
            ) from None
        uploads.append(Upload(name=document.name, content=content, for_document=document.document))
    return uploads


def _log_access(request, application_id: int, number: str, applicant) -> None:
    """Anyone but the applicant reading an application is access to personal data."""
    audit.log_access(
        actor=request.auth,
        person=applicant,
        why="application.viewed",
        object_type="cases.application",
        object_id=str(application_id),
        data={"number": number},
    )


@router.post("/applications", response={201: ApplicationOut}, summary="File an application")
@idempotent
def file_application(request, payload: ApplicationIn):
    user = request.auth
    if payload.life_situation and not payload.service:
        with services.filing_rate(request, actor=user, applicant=payload.applicant.iin):
            application = services.file_life_situation(
                actor=user,
                code=payload.life_situation,
                channel=payload.channel,
                applicant_iin=payload.applicant.iin,
                office_code=payload.office,
                data=payload.data,
            )
    else:
        if not payload.service:
            raise InvalidField("service", "required", _("Give a service code or a life situation."))
        applicant = payload.applicant.bin or payload.applicant.iin
        with services.filing_rate(request, actor=user, applicant=applicant):
            application = services.file_application(
                actor=user,
                service_code=payload.service,
                channel=payload.channel,
                applicant_iin=payload.applicant.iin,
                applicant_bin=payload.applicant.bin,
                office_code=payload.office,
                data=payload.data,
                uploads=_decode(payload.documents),
            )
    return Status(201, application_out(selectors.get_for(user, application.number), user))


@router.get(
    "/applications", response=list[ApplicationOut], summary="Applications the caller may see"
)
@paginate(Page)
def list_applications(request, filters: Query[ApplicationFilters]):
    user = request.auth
    applications = selectors.with_details(selectors.visible_to(user))
    if filters.status:
        applications = applications.filter(status=filters.status)
    if filters.overdue is not None:
        applications = applications.filter(overdue=filters.overdue)
    applications = (
        selectors.overdue_first(applications)
        if user.role == Role.HEAD
        else applications.order_by("-submitted_at", "-id")
    )
    return Listing(applications, lambda application: application_out(application, user))


@router.get(
    "/applications/{number}", response=ApplicationOut, summary="One application with its history"
)
def get_application(request, number: str):
    # People ask after their application far more often than it changes: the answer is
    # kept in Django's cache. A person's own is kept a few seconds under the person (whose
    # own it stays); staff's under the application's last change (every change goes
    # through a service that saves it), and who may see it is asked every time.
    user = request.auth
    if user.role == Role.CITIZEN:
        return cached_answer(
            request,
            selectors.own_answer_key(user.person_id, number, get_language()),
            ApplicationOut,
            lambda: application_out(selectors.get_for(user, number), user),
            seconds=selectors.OWN_ANSWER_SECONDS,
        )
    application_id, updated_at, applicant = selectors.version_for(user, number)
    _log_access(request, application_id, number, applicant)
    sees_reviewer = user.role in selectors.SEES_REVIEWER
    key = f"application:{application_id}:{updated_at.isoformat()}:{get_language()}:{sees_reviewer}"
    return cached_answer(
        request,
        key,
        ApplicationOut,
        lambda: application_out(selectors.get_for(user, number), user),
    )


@router.post(
    "/applications/{number}/transitions",
    response=ApplicationOut,
    summary="Move an application along its lifecycle",
)
def transition(request, number: str, payload: TransitionIn):
    user = request.auth
    application = _visible_or_404(user, number)
    services.transition(
        actor=user, application=application, action=payload.action, reason=payload.reason
    )
    return application_out(selectors.get_for(user, number), user)


@router.post(
    "/applications/{number}/reassign", response=ApplicationOut, summary="Draw another reviewer"
)
def reassign(request, number: str, payload: ReassignIn):
    user = request.auth
    application = _visible_or_404(user, number)
    services.reassign(actor=user, application=application, reason=payload.reason)
    return application_out(selectors.get_for(user, number), user)


@router.post(
    "/applications/{number}/steps",
    response=ApplicationOut,
    summary="Record a step of a multi-step service",
)
def record_step(request, number: str, payload: StepIn):
    user = request.auth
    application = _visible_or_404(user, number)
    services.record_step(
        actor=user,
        application=application,
        step=payload.step,
        station=payload.station,
        note=payload.note,
    )
    return application_out(selectors.get_for(user, number), user)


@router.post(
    "/applications/{number}/documents",
    response={201: list[DocumentOut]},
    summary="Upload documents",
)
def upload_documents(
    request, number: str, file: File[list[UploadedFile]], document: Form[int | None] = None
):
    user = request.auth
    application = _visible_or_404(user, number)
    uploads = [Upload(name=f.name or "", content=f.read(), for_document=document) for f in file]
    saved = services.add_documents(actor=user, application=application, uploads=uploads)
    return Status(
        201,
        [
            {
                "id": d.pk,
                "name": d.title,
                "source": d.source,
                "registry": None,
                "fetched_from": None,
                "fetched_at": None,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
            }
            for d in saved
        ],
    )


@router.get(
    "/applications/{number}/result", summary="The result document (PDF)", response={200: None}
)
def result_document(request, number: str):
    return _result_file(request, number, signature=False)


@router.get(
    "/applications/{number}/result.p7s",
    summary="Detached CMS signature of the result",
    response={200: None},
)
def result_signature(request, number: str):
    return _result_file(request, number, signature=True)


def _visible_or_404(user, number: str) -> Application:
    application = selectors.visible_to(user).filter(number=number).first()
    if application is None:
        raise NotFound(_("No such application."), code="unknown-application")
    return application


def _result_file(request, number: str, *, signature: bool):
    application = _visible_or_404(request.auth, number)
    result = application.documents.filter(source=Document.Source.RESULT).first()
    if result is None:
        raise NotFound(_("The result is not ready yet."), code="no-result")
    _log_access(request, application.pk, application.number, application.applicant)
    if signature:
        return FileResponse(
            result.signature.open("rb"),
            content_type="application/pkcs7-signature",
            as_attachment=True,
            filename=f"{number}-result.p7s",
        )
    return FileResponse(
        result.file.open("rb"), content_type="application/pdf", filename=f"{number}-result.pdf"
    )
