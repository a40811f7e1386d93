"""The registry gateway: documents the state already holds are fetched, not asked for.

Every answer about a person or a company is access to personal data: each successful
fetch, found or not, writes one audit event naming who asked and why. A registry that
does not answer is asked again with exponential backoff before `RegistryUnavailable`
reaches the caller.
"""

import logging
from collections.abc import Iterable
from time import sleep
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onestop.audit import services as audit
from onestop.people.iin import parse_bin, parse_iin
from onestop.problems import InvalidField
from onestop.registries.registry import (
    RegistryRecord,
    RegistryUnavailable,
    UnknownRegistry,
    plugin_for,
)

__all__ = [
    "RegistryRecord",
    "RegistryUnavailable",
    "UnknownRegistry",
    "fetch",
    "fetch_for_documents",
    "valid_subject",
]

logger = logging.getLogger("onestop.registries")

BUSINESS = "business"


def valid_subject(*, registry: str, subject: str) -> str:
    """The subject, checked: a BIN for the business registry, an IIN for the others.
    Raises InvalidBIN or InvalidIIN (422) naming the field."""
    if registry == BUSINESS:
        return parse_bin(subject)
    return parse_iin(subject).iin


def fetch(
    *,
    registry: str,
    subject: str,
    actor,
    purpose: str,
    retries: int = 2,
    backoff_seconds: float = 0.2,
    **params: Any,
) -> RegistryRecord:
    """What `registry` holds about `subject`, asked up to `retries` + 1 times; the answer
    is audited with its purpose. Raises UnknownRegistry, InvalidIIN/InvalidBIN or, when
    the registry never answers, RegistryUnavailable (503)."""
    plugin = plugin_for(registry)
    subject = valid_subject(registry=registry, subject=subject)
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidField(
            "purpose", "required", _("Say why the registry is asked: it is personal data.")
        )
    attempt = 0
    while True:
        try:
            record = plugin.fetch(subject=subject, **params)
            break
        except RegistryUnavailable:
            if attempt >= retries:
                logger.warning(
                    "registry unavailable",
                    extra={
                        "actor": audit.actor_name(actor),
                        "registry": registry,
                        "source": plugin.source,
                        "attempts": attempt + 1,
                    },
                )
                raise
            sleep(backoff_seconds * 2**attempt)
            attempt += 1
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="registry.fetched",
            object_type=f"registries.{registry}",
            object_id=subject,
            data={
                "purpose": purpose,
                "found": record.found,
                "source": record.source,
                **({"params": params} if params else {}),
            },
        )
    return record


def fetch_for_documents(
    *,
    documents: Iterable,
    applicant_iin: str,
    actor,
    purpose: str,
    entity_bin: str = "",
    retries: int = 2,
    backoff_seconds: float = 0.2,
) -> list[RegistryRecord]:
    """One record per distinct registry the documents come from (those with
    `provided_by == "registry"`), in the order the documents name them. The business
    registry is asked about `entity_bin`; the others about the applicant."""
    registries = list(
        dict.fromkeys(d.registry for d in documents if d.provided_by == "registry" and d.registry)
    )
    if BUSINESS in registries and not entity_bin:
        raise InvalidField(
            "bin", "required", _("This service needs the BIN of the company that applies.")
        )
    return [
        fetch(
            registry=code,
            subject=entity_bin if code == BUSINESS else applicant_iin,
            actor=actor,
            purpose=purpose,
            retries=retries,
            backoff_seconds=backoff_seconds,
        )
        for code in registries
    ]
