"""How an application is filed: checked, its registry documents fetched before any
transaction, then written with its uploads in one; documents added later; registries that
were down retried by a task."""

import datetime
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases.models import Application, Document, StatusChange
from onestop.cases.models import Status as S
from onestop.cases.services import deadlines, lifecycle, outcomes
from onestop.cases.uploads import EXTENSIONS, Upload, content_type_of
from onestop.catalog.models import Channel, LifeSituation, Service, Standard
from onestop.offices.models import Office
from onestop.people.iin import parse_bin, parse_iin
from onestop.people.models import LegalEntity, Person, Role, User
from onestop.problems import Conflict, Forbidden, InvalidField
from onestop.ratelimit import RateLimited, limit
from onestop.registries.registry import RegistryRecord

FRONT_OFFICE_CHANNELS = {Channel.OSS, Channel.MOBILE, Channel.HOME_VISIT}
SELF_SERVICE_CHANNELS = {Channel.PORTAL, Channel.PAP}


@contextmanager
def filing_rate(request, *, actor: User, applicant: str | None) -> Iterator[None]:
    """Applications filed for one person (settings.REQUEST_RATES "filing-person"), against
    a flood of filings: refused past the limit; only a filing that succeeds counts, so that
    nobody exhausts another person's quota with refused attempts in his or her name."""
    key = (applicant or "").strip()
    if not key:
        key = actor.person.iin if actor.person_id else f"account:{actor.pk}"
    limit(request, "filing-person", key=key, count=False)
    yield
    with suppress(RateLimited):  # a filing racing this one took the last place: it stands
        limit(request, "filing-person", key=key)


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
    permissions.require(actor, "applications.file")
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
        outcomes.produce_result(application_id=application.pk)
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
            application.due_at = deadlines._due(application, now)
            application.save(update_fields=["number", "due_at"])
            for upload, content_type in filing.uploads:
                document = _store_upload(
                    application, upload, content_type, source=uploaded_by(filing.actor)
                )
                saved_files.append(document.file.name)
            for record in filing.fetched:
                _attach_registry_record(application, record)
            received = StatusChange.objects.create(
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

            notify_status_change(application_id=application.pk, status=S.SUBMITTED, change=received)
            if waiting:
                transaction.on_commit(lambda: _enqueue_registry_retry(application.pk, attempt=1))
            elif channel in SELF_SERVICE_CHANNELS and _complete(application):
                lifecycle.transition(actor=None, application=application, action="accept")
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
    permissions.require(actor, "applications.file")
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
        lifecycle.refresh_bundle(parent.pk)
    parent.refresh_from_db()
    return parent


def _complete(application: Application) -> bool:
    required = {
        d.position for d in application.standard.documents.all() if d.provided_by == "applicant"
    }
    given = {
        p
        for p in application.documents.filter(source__in=BROUGHT).values_list(
            "data__for_document", flat=True
        )
    }
    return required <= given


# Documents the applicant brings: uploaded on the portal, or at the centre by its staff.
BROUGHT = (Document.Source.APPLICANT, Document.Source.OPERATOR)


def uploaded_by(actor: User) -> str:
    """The source of an uploaded document says who added it: the applicant or the staff."""
    return Document.Source.APPLICANT if actor.role == Role.CITIZEN else Document.Source.OPERATOR


def _store_upload(
    application: Application, upload: Upload, content_type: str, *, source: str
) -> Document:
    document = Document(
        application=application,
        source=source,
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
    permissions.require(actor, "applications.add_documents")
    checked = [
        (upload, content_type_of(upload, field=f"documents.{i}"))
        for i, upload in enumerate(uploads)
    ]
    saved: list[Document] = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            lifecycle._check_actor_scope(actor, locked, "upload")
            if locked.status not in {S.SUBMITTED, S.RETURNED}:
                raise Conflict(
                    _("Documents can be added only before the application is accepted."),
                    code="too-late-for-documents",
                )
            for upload, content_type in checked:
                saved.append(_store_upload(locked, upload, content_type, source=uploaded_by(actor)))
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
            lifecycle.transition(actor=None, application=locked, action="accept")
    if still:
        transaction.on_commit(lambda: _enqueue_registry_retry(application_id, attempt + 1))
    return not still
