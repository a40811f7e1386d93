"""Changing the register: publishing standards and loading a register from data.

A published standard never changes. `publish_standard` makes a draft the current version;
`import_register` creates a new version only when the content differs, so loading the same
register twice changes nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.audit import services as audit
from onestop.catalog.models import (
    Agency,
    Category,
    Channel,
    LifeSituation,
    LifeSituationService,
    Service,
    Standard,
    StandardDocument,
    StandardStep,
)
from onestop.catalog.selectors import search_text_for
from onestop.problems import Conflict, InvalidField

LANGS = ("kk", "ru", "en")
# Letters that read unambiguously on a display board and when spoken (no I, O, Q).
QUEUE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _texts(prefix: str, values: dict) -> dict:
    return {f"{prefix}_{code}": values.get(code, "") for code in LANGS}


def encode_channels(channels: list[str]) -> str:
    allowed = set(Channel.values)
    unknown = [c for c in channels if c not in allowed]
    if unknown:
        raise InvalidField(
            "channels", "invalid_choice", _("Unknown channel: %s") % ", ".join(unknown)
        )
    return "," + ",".join(c for c in Channel.values if c in channels) + ","


def publish_standard(*, actor, standard: Standard) -> Standard:
    """Publishes a draft: it becomes the service's current standard, the previous one retires."""
    with transaction.atomic():
        standard = Standard.objects.select_for_update().get(pk=standard.pk)
        if standard.status != Standard.Status.DRAFT:
            raise Conflict(_("Only a draft can be published."), code="not-a-draft")
        service = Service.objects.select_for_update().get(pk=standard.service_id)
        previous = service.current_standard
        if previous is not None:
            Standard.objects.filter(pk=previous.pk).update(status=Standard.Status.RETIRED)
        standard.status = Standard.Status.PUBLISHED
        standard.published_at = timezone.now()
        standard.save(update_fields=["status", "published_at"])
        service.current_standard = standard
        service.save(update_fields=["current_standard"])
        audit.record(
            actor=actor,
            action="standard.published",
            obj=standard,
            data={
                "service": service.code,
                "version": standard.version,
                "previous_version": previous.version if previous else None,
            },
        )
    return standard


def new_draft(*, actor, service: Service) -> Standard:
    """A draft copied from the current standard (or empty), for an administrator to edit."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        last = service.standards.order_by("-version").first()
        source = service.current_standard
        draft = Standard.objects.create(
            service=service,
            version=(last.version + 1) if last else 1,
            fee_amount=source.fee_amount if source else Decimal("0.00"),
            fee_currency=source.fee_currency if source else "KZT",
            term_value=source.term_value if source else 1,
            term_unit=source.term_unit if source else Standard.TermUnit.WORKING_DAYS,
            channels=source.channels if source else ",oss,",
            access=source.access if source else Standard.Access.SINGLE,
            legal_basis=source.legal_basis if source else "",
        )
        if source:
            for doc in source.documents.all():
                doc.pk, doc.standard = None, draft
                doc.save()
            for step in source.steps.all():
                step.pk, step.standard = None, draft
                step.save()
        audit.record(
            actor=actor,
            action="standard.drafted",
            obj=draft,
            data={"service": service.code, "version": draft.version},
        )
    return draft


def refresh_search_text(service: Service) -> None:
    Service.objects.filter(pk=service.pk).update(search_text=search_text_for(service))


def _standard_content(standard: Standard | None) -> dict | None:
    if standard is None:
        return None
    return {
        "fee": f"{standard.fee_amount:.2f}",
        "term": [standard.term_value, standard.term_unit],
        "channels": standard.channels,
        "access": standard.access,
        "legal_basis": standard.legal_basis,
        "documents": [
            [d.name_kk, d.name_ru, d.name_en, d.provided_by, d.registry]
            for d in standard.documents.all()
        ],
        "steps": [[s.code, s.name_kk, s.name_ru, s.name_en] for s in standard.steps.all()],
    }


def _wanted_content(item: dict) -> dict:
    return {
        "fee": f"{Decimal(item['fee']):.2f}",
        "term": [item["term"]["value"], item["term"]["unit"]],
        "channels": encode_channels(item["channels"]),
        "access": item["access"],
        "legal_basis": item.get("legal_basis", ""),
        "documents": [
            [
                d["name"]["kk"],
                d["name"]["ru"],
                d["name"]["en"],
                d["provided_by"],
                d.get("registry", ""),
            ]
            for d in item["documents"]
        ],
        "steps": [
            [s["code"], s["name"]["kk"], s["name"]["ru"], s["name"]["en"]]
            for s in item.get("steps", [])
        ],
    }


def import_register(*, actor, register: dict) -> dict:
    """Creates or updates agencies, categories, services (publishing a new standard version
    only when its content changed) and life situations, in one transaction."""
    counts = {
        "agencies": 0,
        "categories": 0,
        "services": 0,
        "new_standards": 0,
        "life_situations": 0,
    }
    with transaction.atomic():
        agencies = {}
        for item in register["agencies"]:
            agencies[item["code"]], _created = Agency.objects.update_or_create(
                code=item["code"],
                defaults={
                    **_texts("name", item["name"]),
                    **_texts("short_name", item.get("short_name", {})),
                },
            )
            counts["agencies"] += 1
        categories = {}
        for position, item in enumerate(register["categories"]):
            categories[item["code"]], _created = Category.objects.update_or_create(
                code=item["code"],
                defaults={
                    **_texts("name", item["name"]),
                    "icon": item.get("icon", ""),
                    "position": position,
                    "queue_letter": item.get(
                        "queue_letter", QUEUE_LETTERS[position % len(QUEUE_LETTERS)]
                    ),
                },
            )
            counts["categories"] += 1
        for item in register["services"]:
            service, _created = Service.objects.update_or_create(
                code=item["code"],
                defaults={
                    "agency": agencies[item["agency"]],
                    "category": categories[item["category"]],
                    "instant": item.get("instant", False),
                    **_texts("name", item["name"]),
                    **_texts("description", item["description"]),
                    **_texts("result", item["result"]),
                },
            )
            refresh_search_text(service)
            counts["services"] += 1
            wanted = _wanted_content(item)
            if _standard_content(service.current_standard) == wanted:
                continue
            last = service.standards.order_by("-version").first()
            standard = Standard.objects.create(
                service=service,
                version=(last.version + 1) if last else 1,
                fee_amount=Decimal(wanted["fee"]),
                term_value=wanted["term"][0],
                term_unit=wanted["term"][1],
                channels=wanted["channels"],
                access=wanted["access"],
                legal_basis=wanted["legal_basis"],
            )
            for position, doc in enumerate(item["documents"]):
                StandardDocument.objects.create(
                    standard=standard,
                    position=position,
                    provided_by=doc["provided_by"],
                    registry=doc.get("registry", ""),
                    **_texts("name", doc["name"]),
                )
            for position, step in enumerate(item.get("steps", [])):
                StandardStep.objects.create(
                    standard=standard,
                    position=position,
                    code=step["code"],
                    **_texts("name", step["name"]),
                )
            publish_standard(actor=actor, standard=standard)
            counts["new_standards"] += 1
        for item in register["life_situations"]:
            situation, _created = LifeSituation.objects.update_or_create(
                code=item["code"],
                defaults={
                    **_texts("name", item["name"]),
                    **_texts("description", item["description"]),
                },
            )
            LifeSituationService.objects.filter(life_situation=situation).delete()
            for position, code in enumerate(item["services"]):
                LifeSituationService.objects.create(
                    life_situation=situation,
                    service=Service.objects.get(code=code),
                    position=position,
                )
            counts["life_situations"] += 1
        if counts["new_standards"]:
            audit.record(
                actor=actor,
                action="register.imported",
                object_type="catalog.register",
                object_id="register",
                data=counts,
            )
    return counts
