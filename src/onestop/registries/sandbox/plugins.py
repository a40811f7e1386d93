"""The sandbox plugins: one per state registry, answering from the sandbox tables (and the
platform's own population and business registries) with the shape a real one would.

Lists stay lists when nothing is found (`found=False`, `titles: []`): that empty answer is
what a certificate of absence is made from.
"""

import abc
import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.people.models import LegalEntity, Person
from onestop.registries.models import (
    SandboxCivilRecord,
    SandboxPensionContribution,
    SandboxProperty,
    SandboxVehicle,
)
from onestop.registries.registry import RegistryPlugin, RegistryRecord, register
from onestop.registries.sandbox import faults
from onestop.registries.sandbox.data import PENSION_MONTHS, pension_months


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


class SandboxPlugin(RegistryPlugin):
    """Answers from the sandbox tables after the delay and failures `faults` imposes."""

    def fetch(self, *, subject: str, **params: Any) -> RegistryRecord:
        faults.simulate(self.code)
        data, found = self.read(subject, **params)
        return self.answer(subject=subject, data=data, found=found)

    @abc.abstractmethod
    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        """The registry's answer from the sandbox tables, and whether anything was found."""


@register("population")
class SandboxPopulation(SandboxPlugin):
    verbose_name = _("population registry (sandbox)")

    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        person = Person.objects.filter(iin=subject).first()
        if person is None:
            return {}, False
        return {
            "iin": person.iin,
            "last_name": person.last_name,
            "first_name": person.first_name,
            "patronymic": person.patronymic,
            "full_name": person.full_name,
            "birth_date": person.birth_date.isoformat(),
            "sex": person.sex,
            "city": person.city,
            "address": person.address,
        }, True


@register("real_estate")
class SandboxRealEstate(SandboxPlugin):
    verbose_name = _("real-estate registry (sandbox)")

    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        titles = [
            {
                "cadastral_number": title.cadastral_number,
                "kind": title.kind,
                "address": title.address,
                "area_m2": str(title.area),
                "share": title.share,
                "registered_on": title.registered_on.isoformat(),
                "encumbrances": list(title.encumbrances),
            }
            for title in SandboxProperty.objects.filter(owner_iin=subject)
        ]
        return {"titles": titles}, bool(titles)


@register("pensions")
class SandboxPensions(SandboxPlugin):
    """Contributions of the last `months` full months (24 unless asked otherwise)."""

    verbose_name = _("pension contributions registry (sandbox)")

    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        count = min(max(int(params.get("months", PENSION_MONTHS)), 1), 120)
        months = pension_months(timezone.localdate(), count)
        rows = SandboxPensionContribution.objects.filter(
            iin=subject, month__gte=months[0], month__lte=months[-1]
        )
        contributions = [
            {
                "month": f"{row.month:%Y-%m}",
                "employer_bin": row.employer_bin,
                "employer_name": row.employer_name,
                "amount": str(row.amount),
            }
            for row in rows
        ]
        paid = {row.month for row in rows}
        return {
            "period": {"from": f"{months[0]:%Y-%m}", "to": f"{months[-1]:%Y-%m}"},
            "contributions": contributions,
            "total": str(sum((row.amount for row in rows), start=Decimal("0.00"))),
            "months_without_contributions": [f"{m:%Y-%m}" for m in months if m not in paid],
        }, bool(contributions)


@register("vehicles")
class SandboxVehicles(SandboxPlugin):
    verbose_name = _("vehicle registry (sandbox)")

    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        vehicles = [
            {
                "plate": vehicle.plate,
                "make": vehicle.make,
                "model": vehicle.model,
                "year": vehicle.year,
                "vin": vehicle.vin,
                "registered_on": vehicle.registered_on.isoformat(),
            }
            for vehicle in SandboxVehicle.objects.filter(owner_iin=subject)
        ]
        return {"vehicles": vehicles}, bool(vehicles)


@register("civil_status")
class SandboxCivilStatus(SandboxPlugin):
    verbose_name = _("civil status registry (sandbox)")

    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        birth = None
        marriages = []
        for record in SandboxCivilRecord.objects.filter(iin=subject):
            if record.kind == SandboxCivilRecord.Kind.BIRTH:
                birth = {
                    "record_number": record.record_number,
                    "registered_on": record.registered_on.isoformat(),
                    "registry_office": record.registry_office,
                    "place": record.place,
                    "father": record.father_name,
                    "mother": record.mother_name,
                }
            else:
                marriages.append(
                    {
                        "record_number": record.record_number,
                        "registered_on": record.registered_on.isoformat(),
                        "registry_office": record.registry_office,
                        "spouse_iin": record.spouse_iin,
                        "spouse_name": record.spouse_name,
                        "dissolved_on": _date(record.dissolved_on),
                    }
                )
        married = any(m["dissolved_on"] is None for m in marriages)
        return {
            "birth": birth,
            "marriages": marriages,
            "married": married,
        }, birth is not None or bool(marriages)


@register("business")
class SandboxBusiness(SandboxPlugin):
    """Asked by BIN, not IIN."""

    verbose_name = _("business registry (sandbox)")

    def read(self, subject: str, **params: Any) -> tuple[dict[str, Any], bool]:
        entity = LegalEntity.objects.select_related("head").filter(bin=subject).first()
        if entity is None:
            return {}, False
        head = entity.head
        return {
            "bin": entity.bin,
            "name": entity.name,
            "head": {"iin": head.iin, "full_name": head.full_name} if head else None,
            "address": entity.address,
            "registered_on": _date(entity.registered_on),
        }, True
