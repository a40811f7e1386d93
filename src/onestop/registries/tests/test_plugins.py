"""Each sandbox registry answers about a demo person with the shape a real one would."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from onestop.people.models import LegalEntity, Person
from onestop.registries.models import (
    SandboxCivilRecord,
    SandboxPensionContribution,
    SandboxProperty,
    SandboxVehicle,
)
from onestop.registries.registry import plugin_for
from onestop.registries.sandbox.data import PLATE_REGIONS, vin_check_digit

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")


def ask(registry: str, subject: str, **params):
    record = plugin_for(registry).fetch(subject=subject, **params)
    json.dumps(record.as_dict())  # everything a registry answers can be stored as JSON
    assert record.registry == registry and record.subject == subject
    assert record.source == f"sandbox:{registry}"
    assert timezone.is_aware(record.fetched_at)
    return record


def someone_without(rows, field: str) -> Person:
    """The first person (by IIN) the given sandbox rows say nothing about."""
    rows = rows.objects.all() if hasattr(rows, "objects") else rows
    holders = rows.values_list(field, flat=True)
    return Person.objects.exclude(iin__in=holders).order_by("iin").first()


def test_population_answers_with_identity(sandbox):
    person = Person.objects.order_by("iin").first()
    record = ask("population", person.iin)
    assert record.found
    assert record.data == {
        "iin": person.iin,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "city": person.city,
        "address": person.address,
    }


def test_population_does_not_know_a_stranger(sandbox):
    record = ask("population", "850101300015")
    assert not record.found and record.data == {}


def test_real_estate_lists_titles_of_an_owner(sandbox):
    owner = SandboxProperty.objects.order_by("owner_iin").first().owner_iin
    record = ask("real_estate", owner)
    assert record.found
    titles = record.data["titles"]
    assert len(titles) == SandboxProperty.objects.filter(owner_iin=owner).count() >= 1
    for title in titles:
        assert set(title) == {
            "cadastral_number",
            "kind",
            "address",
            "area_m2",
            "share",
            "registered_on",
            "encumbrances",
        }
        assert title["kind"] in {"flat", "house", "land_plot"}
        assert Decimal(title["area_m2"]) > 0
        assert title["share"] in {"1/1", "1/2"}
        assert ISO_DATE.match(title["registered_on"])


def test_real_estate_of_someone_who_owns_nothing_is_a_certificate_of_absence(sandbox):
    person = someone_without(SandboxProperty, "owner_iin")
    record = ask("real_estate", person.iin)
    assert record.found is False
    assert record.data == {"titles": []}


def test_homes_are_in_the_owners_city_and_the_first_is_where_he_lives(sandbox):
    owners = {p.iin: p for p in Person.objects.all()}
    for title in SandboxProperty.objects.all():
        owner = owners[title.owner_iin]
        assert title.address.startswith(f"г. {owner.city},")
    first_flat = SandboxProperty.objects.filter(kind="flat").order_by("owner_iin", "id").first()
    assert first_flat.address == owners[first_flat.owner_iin].address


def test_pensions_list_monthly_contributions_of_the_last_24_months(sandbox):
    iin = SandboxPensionContribution.objects.order_by("iin").first().iin
    record = ask("pensions", iin)
    assert record.found
    data = record.data
    contributions = data["contributions"]
    assert 1 <= len(contributions) <= 24
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    assert data["period"]["to"] == last_month
    months = [c["month"] for c in contributions]
    assert months == sorted(months) and all(MONTH.match(m) for m in months)
    assert all(data["period"]["from"] <= m <= data["period"]["to"] for m in months)
    for contribution in contributions:
        assert set(contribution) == {"month", "employer_bin", "employer_name", "amount"}
        amount = Decimal(contribution["amount"])
        assert Decimal("8500.00") <= amount <= Decimal("90000.00")
        assert amount == amount.quantize(Decimal("0.01"))
        assert isinstance(contribution["amount"], str)  # money is never a float
    assert Decimal(data["total"]) == sum(Decimal(c["amount"]) for c in contributions)
    assert len(contributions) + len(data["months_without_contributions"]) == 24


def test_pensions_can_cover_a_shorter_period(sandbox):
    iin = SandboxPensionContribution.objects.order_by("iin").first().iin
    record = ask("pensions", iin, months=6)
    assert len(record.data["contributions"]) + len(record.data["months_without_contributions"]) == 6


def test_pensions_of_someone_without_contributions_is_empty(sandbox):
    person = someone_without(SandboxPensionContribution, "iin")
    record = ask("pensions", person.iin)
    assert not record.found
    assert record.data["contributions"] == [] and record.data["total"] == "0.00"
    assert len(record.data["months_without_contributions"]) == 24


def test_some_contribution_histories_have_gaps(sandbox):
    counts = (
        SandboxPensionContribution.objects.values("iin")
        .order_by()
        .distinct()
        .values_list("iin", flat=True)
    )
    gaps = 0
    for iin in list(counts)[:200]:
        if ask("pensions", iin).data["months_without_contributions"]:
            gaps += 1
    assert gaps > 0


def test_vehicles_carry_kazakh_plates_and_valid_vins(sandbox):
    owner = SandboxVehicle.objects.order_by("owner_iin").first().owner_iin
    record = ask("vehicles", owner)
    assert record.found
    city = Person.objects.get(iin=owner).city
    for vehicle in record.data["vehicles"]:
        assert set(vehicle) == {"plate", "make", "model", "year", "vin", "registered_on"}
        assert re.match(r"^\d{3} [A-Z]{3} \d{2}$", vehicle["plate"])
        assert vehicle["plate"].endswith(PLATE_REGIONS[city])
        assert len(vehicle["vin"]) == 17 and vin_check_digit(vehicle["vin"]) == vehicle["vin"][8]
        assert 2001 <= vehicle["year"] <= timezone.localdate().year
        assert vehicle["registered_on"] >= f"{vehicle['year']}-01-01"


def test_vehicles_of_someone_without_a_car(sandbox):
    person = someone_without(SandboxVehicle, "owner_iin")
    record = ask("vehicles", person.iin)
    assert not record.found and record.data == {"vehicles": []}


def test_civil_status_has_the_birth_and_marriages(sandbox):
    married = (
        SandboxCivilRecord.objects.filter(kind="marriage", dissolved_on__isnull=True)
        .order_by("iin")
        .first()
    )
    record = ask("civil_status", married.iin)
    assert record.found and record.data["married"] is True
    birth = record.data["birth"]
    if birth is not None:
        assert set(birth) == {
            "record_number",
            "registered_on",
            "registry_office",
            "place",
            "father",
            "mother",
        }
        person = Person.objects.get(iin=married.iin)
        assert birth["registered_on"] > person.birth_date.isoformat()
    for marriage in record.data["marriages"]:
        assert set(marriage) == {
            "record_number",
            "registered_on",
            "registry_office",
            "spouse_iin",
            "spouse_name",
            "dissolved_on",
        }


def test_civil_status_of_someone_never_married(sandbox):
    person = someone_without(SandboxCivilRecord.objects.filter(kind="marriage"), "iin")
    record = ask("civil_status", person.iin)
    assert record.data["marriages"] == [] and record.data["married"] is False


def test_business_answers_by_bin(sandbox):
    entity = LegalEntity.objects.select_related("head").order_by("bin").first()
    record = ask("business", entity.bin)
    assert record.found
    assert record.data == {
        "bin": entity.bin,
        "name": entity.name,
        "head": {"iin": entity.head.iin, "full_name": entity.head.full_name},
        "address": entity.address,
        "registered_on": entity.registered_on.isoformat(),
    }
