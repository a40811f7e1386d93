"""The sandbox state is generated once, the same everywhere, with plausible shares."""

import pytest

from onestop.people.iin import parse_iin
from onestop.people.models import Person
from onestop.registries.models import (
    SandboxCivilRecord,
    SandboxPensionContribution,
    SandboxProperty,
    SandboxSubject,
    SandboxVehicle,
)
from onestop.registries.sandbox.data import age_on, employers, generate_for, load_sandbox_data

pytestmark = pytest.mark.django_db

TABLES = (
    SandboxSubject,
    SandboxProperty,
    SandboxPensionContribution,
    SandboxVehicle,
    SandboxCivilRecord,
)
FIELDS = {
    "properties": ("cadastral_number", "kind", "address", "area", "share", "registered_on"),
    "contributions": ("month", "employer_bin", "employer_name", "amount"),
    "vehicles": ("plate", "make", "model", "year", "vin", "registered_on"),
    "civil_records": ("kind", "record_number", "registered_on", "spouse_iin", "dissolved_on"),
}


def rows(objects, fields) -> list[tuple]:
    return [tuple(getattr(o, f) for f in fields) for o in objects]


def stored(person: Person) -> dict[str, list[tuple]]:
    return {
        "properties": rows(
            SandboxProperty.objects.filter(owner_iin=person.iin).order_by("id"),
            FIELDS["properties"],
        ),
        "contributions": rows(
            SandboxPensionContribution.objects.filter(iin=person.iin).order_by("id"),
            FIELDS["contributions"],
        ),
        "vehicles": rows(
            SandboxVehicle.objects.filter(owner_iin=person.iin).order_by("id"),
            FIELDS["vehicles"],
        ),
        "civil_records": rows(
            SandboxCivilRecord.objects.filter(iin=person.iin).order_by("id"),
            FIELDS["civil_records"],
        ),
    }


def generated(person: Person, today) -> dict[str, list[tuple]]:
    data = generate_for(person, today=today, employers=employers())
    return {name: rows(getattr(data, name), FIELDS[name]) for name in FIELDS}


def test_every_person_of_the_demo_population_is_seeded(sandbox):
    assert SandboxSubject.objects.count() == Person.objects.count() >= 1200


def test_a_second_load_creates_nothing(sandbox):
    before = {model: model.objects.count() for model in TABLES}
    counts = load_sandbox_data()
    assert counts == {
        "people": 0,
        "properties": 0,
        "pension_contributions": 0,
        "vehicles": 0,
        "civil_records": 0,
    }
    assert {model: model.objects.count() for model in TABLES} == before


def test_a_person_gets_the_same_data_every_time(sandbox):
    today = SandboxSubject.objects.first().seeded_on
    people = list(Person.objects.order_by("iin")[:: len(Person.objects.all()) // 40])
    assert len(people) >= 40
    for person in people:
        assert generated(person, today) == generated(person, today)
        assert generated(person, today) == stored(person)


def test_a_person_added_later_is_seeded_alone(sandbox):
    newcomer = Person.objects.create(
        iin="900515300018",
        last_name="Жаңабаев",
        first_name="Ерлан",
        patronymic="Серікұлы",
        birth_date=parse_iin("900515300018").birth_date,
        sex="male",
        city="Алматы",
        address="г. Алматы, пр. Абая, д. 10, кв. 5",
    )
    counts = load_sandbox_data()
    assert counts["people"] == 1
    assert SandboxSubject.objects.filter(iin=newcomer.iin).exists()
    today = SandboxSubject.objects.get(iin=newcomer.iin).seeded_on
    assert stored(newcomer) == generated(newcomer, today)
    assert load_sandbox_data()["people"] == 0


def test_shares_are_plausible(sandbox):
    people = list(Person.objects.all())
    today = SandboxSubject.objects.first().seeded_on
    adults = [p for p in people if age_on(p.birth_date, today) >= 18]
    working_age = [p for p in adults if age_on(p.birth_date, today) <= 63]
    owners = set(SandboxProperty.objects.values_list("owner_iin", flat=True))
    contributors = set(SandboxPensionContribution.objects.values_list("iin", flat=True))
    drivers = set(SandboxVehicle.objects.values_list("owner_iin", flat=True))
    married = set(SandboxCivilRecord.objects.filter(kind="marriage").values_list("iin", flat=True))
    assert 0.38 <= len(owners) / len(adults) <= 0.52
    assert 0.52 <= len(contributors) / len(working_age) <= 0.68
    assert contributors <= {p.iin for p in working_age}
    assert 0.28 <= len(drivers) / len(adults) <= 0.45
    assert 0.3 <= len(married) / len(adults) <= 0.9
    second_homes = [
        iin
        for iin in owners
        if SandboxProperty.objects.filter(owner_iin=iin).exclude(kind="land_plot").count() > 1
    ]
    assert 0 < len(second_homes) < len(owners) * 0.15


def test_contributions_are_a_tenth_of_a_salary_within_the_range(sandbox):
    from decimal import Decimal

    amounts = SandboxPensionContribution.objects.values_list("amount", flat=True)
    assert all(Decimal("8500") <= a <= Decimal("90000") for a in amounts)
    assert all(a % 100 == 0 for a in amounts)  # a tenth of whole thousands of tenge


def test_spouses_have_valid_iins_outside_the_population(sandbox):
    population = set(Person.objects.values_list("iin", flat=True))
    for record in SandboxCivilRecord.objects.filter(kind="marriage")[:300]:
        parse_iin(record.spouse_iin)
        assert record.spouse_iin not in population
        assert record.dissolved_on is None or record.dissolved_on > record.registered_on
