"""What the sandbox state holds about the demo population, generated reproducibly.

Each person's titles, pension contributions, vehicles and civil status records are drawn
from a generator seeded with the person's IIN, so a person gets the same data on every
machine and whoever else is in the population. Loading is idempotent: people already
seeded (`SandboxSubject`) are skipped.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onestop.audit import services as audit
from onestop.demo.population import (
    CITIES,
    KAZAKH_FEMALE,
    KAZAKH_MALE,
    KAZAKH_SURNAMES,
    RUSSIAN_FEMALE,
    RUSSIAN_MALE,
    RUSSIAN_PATRONYMIC_STEMS,
    RUSSIAN_SURNAMES,
)
from onestop.people.iin import make_bin, make_iin
from onestop.people.models import LegalEntity, Person
from onestop.registries.models import (
    SandboxCivilRecord,
    SandboxPensionContribution,
    SandboxProperty,
    SandboxSubject,
    SandboxVehicle,
)

SEED = 20051002

OWNS_HOME = 0.45
OWNS_SECOND_HOME = 0.08
HAS_MORTGAGE = 0.18
IS_SEIZED = 0.02
CONTRIBUTES = 0.60
CONTRIBUTION_RATE = Decimal("0.10")
SALARY_RANGE = (85_000, 900_000)
PENSION_MONTHS = 24
OWNS_CAR = 0.35
OWNS_SECOND_CAR = 0.10
BORN_ABROAD = 0.05
DIVORCED = 0.20
REMARRIED = 0.40

# Region codes: the first group of a cadastral number and the last of a number plate.
CADASTRAL_REGIONS = {"Астана": "21", "Алматы": "20", "Талгар": "03", "Есик": "03"}
PLATE_REGIONS = {"Астана": "01", "Алматы": "02", "Талгар": "05", "Есик": "05"}
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
BIG_CITIES = {"Астана", "Алматы"}

BANKS = [
    "АО «Отбасы банк»",
    "АО «Halyk Bank»",
    "АО «Банк ЦентрКредит»",
    "АО «ForteBank»",
    "АО «Bereke Bank»",
]
OTHER_BIRTHPLACES = [
    "Шымкент",
    "Караганда",
    "Тараз",
    "Павлодар",
    "Усть-Каменогорск",
    "Кызылорда",
    "Семей",
    "Костанай",
    "Актобе",
    "Туркестан",
]

# make, model, weight (how common on Kazakhstan's roads), world manufacturer identifier
CARS = [
    ("Toyota", "Camry", 14, "JTN"),
    ("Toyota", "Land Cruiser Prado", 5, "JTE"),
    ("Toyota", "RAV4", 4, "JTM"),
    ("Hyundai", "Accent", 12, "KMH"),
    ("Hyundai", "Elantra", 6, "KMH"),
    ("Hyundai", "Tucson", 5, "KMH"),
    ("Lada", "Granta", 10, "XTA"),
    ("Lada", "Vesta", 6, "XTA"),
    ("Lada", "Niva Legend", 4, "XTA"),
    ("Chevrolet", "Cobalt", 9, "XWB"),
    ("Chevrolet", "Nexia", 5, "XWB"),
    ("Kia", "Rio", 8, "KNA"),
    ("Kia", "Sportage", 4, "KNA"),
    ("Volkswagen", "Polo", 3, "XW8"),
    ("Nissan", "Almera", 2, "Z8N"),
    ("Lexus", "RX", 2, "JTJ"),
    ("Mercedes-Benz", "E-Class", 1, "WDD"),
]
VIN_CHARACTERS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY"  # 2010, 2011, ... (1-9 stand for 2001-2009)


def _valid_bin(year: int, month: int, serial: int) -> str:
    while (bin_ := make_bin(year, month, "4", "0", serial)) is None:
        serial += 1
    return bin_


# Employers when the business registry is empty: state bodies every city has.
STATE_EMPLOYERS = [
    (_valid_bin(2005, 3, 1001), "РГП «Казпочта»"),
    (_valid_bin(2007, 9, 2002), "КГП «Городская поликлиника № 5»"),
    (_valid_bin(2011, 1, 3003), "КГУ «Школа-гимназия № 12»"),
    (_valid_bin(2016, 6, 4004), "НАО «Государственная корпорация «Правительство для граждан»"),
]


@dataclass
class Taken:
    """Unique numbers already handed out, so that no two titles, plates or VINs clash."""

    cadastral_numbers: set[str] = field(default_factory=set)
    plates: set[str] = field(default_factory=set)
    vins: set[str] = field(default_factory=set)
    iins: set[str] = field(default_factory=set)


@dataclass
class SubjectData:
    properties: list[SandboxProperty]
    contributions: list[SandboxPensionContribution]
    vehicles: list[SandboxVehicle]
    civil_records: list[SandboxCivilRecord]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def anniversary(birth_date: datetime.date, years: int) -> datetime.date:
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February
        return birth_date.replace(year=birth_date.year + years, day=28)


def first_of_month(day: datetime.date, months_back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def pension_months(today: datetime.date, count: int = PENSION_MONTHS) -> list[datetime.date]:
    """The last `count` full months before `today`, oldest first."""
    return [first_of_month(today, back) for back in range(count, 0, -1)]


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _masculine(surname: str) -> str:
    return surname[:-1] if surname.endswith(("ова", "ева", "ина")) else surname


def _feminine(surname: str) -> str:
    return surname + "а" if surname.endswith(("ов", "ев", "ин")) else surname


def _is_kazakh(person: Person) -> bool:
    return person.patronymic.endswith(("ұлы", "қызы"))


def _father_first_name(person: Person) -> str:
    patronymic = person.patronymic
    for suffix in ("ұлы", "қызы"):
        if patronymic.endswith(suffix):
            return patronymic.removesuffix(suffix)
    for name, stem in RUSSIAN_PATRONYMIC_STEMS.items():
        if patronymic.startswith(stem):
            return name
    return ""


def _city(person: Person) -> str:
    return person.city if person.city in CITIES else "Астана"


def _street_address(rng: random.Random, city: str, *, flat: bool) -> str:
    street = rng.choice(CITIES[city])
    address = f"г. {city}, {street}, д. {rng.randrange(1, 180)}"
    return f"{address}, кв. {rng.randrange(1, 300)}" if flat else address


def _home_address(person: Person, *, flat: bool) -> str:
    """The person's registered address, which is where the first home is."""
    address = person.address
    if not flat and ", кв. " in address:
        address = address.split(", кв. ")[0]
    return address


def _cadastral_number(rng: random.Random, city: str, taken: Taken, *, flat: bool) -> str:
    while True:
        land = (
            f"{CADASTRAL_REGIONS[city]}-{rng.randrange(300, 330):03d}-"
            f"{rng.randrange(1, 200):03d}-{rng.randrange(1, 999):03d}"
        )
        number = f"{land}:{rng.randrange(1, 400)}" if flat else land
        if number not in taken.cadastral_numbers:
            taken.cadastral_numbers.add(number)
            return number


def _encumbrances(
    rng: random.Random, city: str, registered_on: datetime.date, today: datetime.date
) -> list[dict]:
    encumbrances = []
    if registered_on.year >= 2005 and rng.random() < HAS_MORTGAGE:
        encumbrances.append(
            {
                "kind": "mortgage",
                "holder": rng.choice(BANKS),
                "registered_on": registered_on.isoformat(),
            }
        )
    if rng.random() < IS_SEIZED:
        encumbrances.append(
            {
                "kind": "seizure",
                "holder": f"Частный судебный исполнитель г. {city}",
                "registered_on": _day_between(rng, registered_on, today).isoformat(),
            }
        )
    return encumbrances


def _properties(
    rng: random.Random, person: Person, today: datetime.date, taken: Taken
) -> list[SandboxProperty]:
    if age_on(person.birth_date, today) < 18 or rng.random() >= OWNS_HOME:
        return []
    city = _city(person)
    homes = 2 if rng.random() < OWNS_SECOND_HOME else 1
    adult_since = max(anniversary(person.birth_date, 18), datetime.date(1995, 1, 1))
    titles = []
    for index in range(homes):
        flat = rng.random() < (0.85 if city in BIG_CITIES else 0.3)
        if index == 0 and person.address:
            address = _home_address(person, flat=flat)
        else:
            address = _street_address(rng, city, flat=flat)
        registered_on = _day_between(rng, adult_since, today - datetime.timedelta(days=30))
        area = rng.triangular(28, 160, 62) if flat else rng.triangular(60, 350, 140)
        titles.append(
            SandboxProperty(
                owner_iin=person.iin,
                cadastral_number=_cadastral_number(rng, city, taken, flat=flat),
                kind=SandboxProperty.Kind.FLAT if flat else SandboxProperty.Kind.HOUSE,
                address=address,
                area=Decimal(f"{area:.1f}"),
                share="1/2" if rng.random() < 0.15 else "1/1",
                registered_on=registered_on,
                encumbrances=_encumbrances(rng, city, registered_on, today),
            )
        )
        if not flat and rng.random() < 0.6:  # the plot under the house is a title of its own
            titles.append(
                SandboxProperty(
                    owner_iin=person.iin,
                    cadastral_number=_cadastral_number(rng, city, taken, flat=False),
                    kind=SandboxProperty.Kind.LAND_PLOT,
                    address=address,
                    area=Decimal(rng.randrange(4, 16) * 100).quantize(Decimal("0.1")),
                    share=titles[-1].share,
                    registered_on=registered_on,
                    encumbrances=[],
                )
            )
    return titles


def _salary(amount: float) -> int:
    """A monthly salary in whole thousands of tenge, within the range the sandbox pays."""
    low, high = SALARY_RANGE
    return min(high, max(low, int(round(amount, -3))))


def _contributions(
    rng: random.Random,
    person: Person,
    today: datetime.date,
    employers: list[tuple[str, str]],
) -> list[SandboxPensionContribution]:
    if not 18 <= age_on(person.birth_date, today) <= 63 or rng.random() >= CONTRIBUTES:
        return []
    months = pension_months(today)
    working_since = first_of_month(anniversary(person.birth_date, 18))
    employer = rng.choice(employers)
    salary = _salary(rng.triangular(*SALARY_RANGE, 250_000))
    changes_job = rng.randrange(1, len(months)) if rng.random() < 0.25 else None
    gap = set()
    if rng.random() < 0.20:  # between jobs, on leave, or paid informally for a while
        start = rng.randrange(len(months))
        gap = set(range(start, start + rng.randint(1, 6)))
    contributions = []
    for index, month in enumerate(months):
        if index == changes_job:
            employer = rng.choice(employers)
            salary = _salary(salary * rng.uniform(0.9, 1.4))
        elif month.month == 1 and rng.random() < 0.5:  # a raise with the new year
            salary = _salary(salary * rng.uniform(1.03, 1.12))
        skipped = rng.random() < 0.03
        if month < working_since or index in gap or skipped:
            continue
        contributions.append(
            SandboxPensionContribution(
                iin=person.iin,
                month=month,
                employer_bin=employer[0],
                employer_name=employer[1],
                amount=(Decimal(salary) * CONTRIBUTION_RATE).quantize(Decimal("0.01")),
            )
        )
    return contributions


def _plate(rng: random.Random, city: str, taken: Taken) -> str:
    while True:
        letters = "".join(rng.choice(PLATE_LETTERS) for _ in range(3))
        plate = f"{rng.randrange(1, 1000):03d} {letters} {PLATE_REGIONS[city]}"
        if plate not in taken.plates:
            taken.plates.add(plate)
            return plate


def vin_check_digit(vin: str) -> str:
    total = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _vin(rng: random.Random, manufacturer: str, year: int, taken: Taken) -> str:
    year_code = str(year - 2000) if year < 2010 else VIN_YEARS[(year - 2010) % len(VIN_YEARS)]
    while True:
        descriptor = "".join(rng.choice(VIN_CHARACTERS) for _ in range(5))
        plant = rng.choice(VIN_CHARACTERS)
        serial = f"{rng.randrange(10**6):06d}"
        draft = f"{manufacturer}{descriptor}0{year_code}{plant}{serial}"
        vin = draft[:8] + vin_check_digit(draft) + draft[9:]
        if vin not in taken.vins:
            taken.vins.add(vin)
            return vin


def _vehicles(
    rng: random.Random, person: Person, today: datetime.date, taken: Taken
) -> list[SandboxVehicle]:
    if age_on(person.birth_date, today) < 18 or rng.random() >= OWNS_CAR:
        return []
    city = _city(person)
    adult_since = anniversary(person.birth_date, 18)
    vehicles = []
    for _index in range(2 if rng.random() < OWNS_SECOND_CAR else 1):
        make, model, _weight, manufacturer = rng.choices(CARS, weights=[c[2] for c in CARS])[0]
        year = max(2001, today.year - round(rng.triangular(0, 22, 5)))
        registered_on = _day_between(rng, max(datetime.date(year, 1, 1), adult_since), today)
        vehicles.append(
            SandboxVehicle(
                owner_iin=person.iin,
                plate=_plate(rng, city, taken),
                make=make,
                model=model,
                year=year,
                vin=_vin(rng, manufacturer, year, taken),
                registered_on=registered_on,
            )
        )
    return vehicles


def city_name_in(city: str, year: int) -> str:
    """The capital's name in a given year: birth records keep the name of their day."""
    if city != "Астана":
        return city
    for until, name in ((1961, "Акмолинск"), (1992, "Целиноград"), (1998, "Акмола")):
        if year < until:
            return name
    if 2019 <= year < 2022:
        return "Нур-Султан"
    return "Астана"


def _registry_office(city: str) -> str:
    return f"Отдел регистрации актов гражданского состояния г. {city}"


def _birth_record(rng: random.Random, person: Person) -> SandboxCivilRecord:
    city = _city(person) if rng.random() < 0.7 else rng.choice(OTHER_BIRTHPLACES)
    place = city_name_in(city, person.birth_date.year)
    father_surname = _masculine(person.last_name)
    mother_first = rng.choice(KAZAKH_FEMALE if _is_kazakh(person) else RUSSIAN_FEMALE)
    father_first = _father_first_name(person)
    return SandboxCivilRecord(
        iin=person.iin,
        kind=SandboxCivilRecord.Kind.BIRTH,
        record_number=str(rng.randrange(1, 5000)),
        registered_on=person.birth_date + datetime.timedelta(days=rng.randint(1, 30)),
        registry_office=_registry_office(place),
        place=f"г. {place}",
        father_name=f"{father_surname} {father_first}".strip() if father_first else "",
        mother_name=f"{_feminine(father_surname)} {mother_first}",
    )


def _spouse(
    rng: random.Random, person: Person, taken: Taken, registered_on: datetime.date
) -> tuple[str, str]:
    """A spouse from outside the demo population: an IIN nobody in it holds, and a name."""
    sex = "female" if person.sex == "male" else "male"
    kazakh = _is_kazakh(person) if rng.random() < 0.85 else not _is_kazakh(person)
    difference = rng.triangular(-3, 10, 2) * (1 if sex == "male" else -1)
    birth = person.birth_date - datetime.timedelta(days=round(difference * 365))
    birth = min(birth, anniversary(registered_on, -18))
    iin = None
    while iin is None or iin in taken.iins:
        iin = make_iin(birth, sex, rng.randrange(1, 9999))
    taken.iins.add(iin)
    if rng.random() < 0.7:  # the couple share one family name
        surname = _masculine(person.last_name)
    else:
        surname = rng.choice(KAZAKH_SURNAMES if kazakh else RUSSIAN_SURNAMES)
    surname = surname if sex == "male" else _feminine(surname)
    if kazakh:
        first = rng.choice(KAZAKH_MALE if sex == "male" else KAZAKH_FEMALE)
        patronymic = rng.choice(KAZAKH_MALE) + ("ұлы" if sex == "male" else "қызы")
    else:
        first = rng.choice(RUSSIAN_MALE if sex == "male" else RUSSIAN_FEMALE)
        stem = RUSSIAN_PATRONYMIC_STEMS[rng.choice(RUSSIAN_MALE)]
        patronymic = stem + ("вич" if sex == "male" else "вна")
    return iin, f"{surname} {first} {patronymic}"


def _married_by_now(rng: random.Random, age: int) -> bool:
    chance = 0.15 if age < 23 else 0.5 if age < 30 else 0.75 if age < 40 else 0.85
    return rng.random() < chance


def _civil_records(
    rng: random.Random, person: Person, today: datetime.date, taken: Taken
) -> list[SandboxCivilRecord]:
    records = [] if rng.random() < BORN_ABROAD else [_birth_record(rng, person)]
    age = age_on(person.birth_date, today)
    if age < 18 or not _married_by_now(rng, age):
        return records
    city = _city(person)
    oldest = min(age, 40)
    since = anniversary(person.birth_date, round(rng.triangular(18, oldest, min(24, oldest))))
    while since < today:
        registered_on = _day_between(rng, since, min(today, since + datetime.timedelta(days=700)))
        spouse_iin, spouse_name = _spouse(rng, person, taken, registered_on)
        dissolved_on = None
        if rng.random() < DIVORCED and registered_on < today - datetime.timedelta(days=400):
            dissolved_on = _day_between(rng, registered_on + datetime.timedelta(days=365), today)
        records.append(
            SandboxCivilRecord(
                iin=person.iin,
                kind=SandboxCivilRecord.Kind.MARRIAGE,
                record_number=str(rng.randrange(1, 3000)),
                registered_on=registered_on,
                registry_office=_registry_office(city_name_in(city, registered_on.year)),
                spouse_iin=spouse_iin,
                spouse_name=spouse_name,
                dissolved_on=dissolved_on,
            )
        )
        if dissolved_on is None or rng.random() >= REMARRIED:
            break
        since = dissolved_on + datetime.timedelta(days=rng.randint(180, 1800))
    return records


def generate_for(
    person: Person,
    *,
    today: datetime.date,
    employers: list[tuple[str, str]],
    taken: Taken | None = None,
) -> SubjectData:
    """Everything the sandbox state holds about one person, the same on every call."""
    rng = random.Random(f"{SEED}:{person.iin}")
    taken = taken if taken is not None else Taken()
    return SubjectData(
        properties=_properties(rng, person, today, taken),
        contributions=_contributions(rng, person, today, employers or STATE_EMPLOYERS),
        vehicles=_vehicles(rng, person, today, taken),
        civil_records=_civil_records(rng, person, today, taken),
    )


def employers() -> list[tuple[str, str]]:
    """Who pays salaries in the sandbox: the companies of the business registry."""
    companies = list(LegalEntity.objects.order_by("bin").values_list("bin", "name"))
    return companies or STATE_EMPLOYERS


def load_sandbox_data(*, today: datetime.date | None = None) -> dict:
    """Generates the sandbox registries for every person not yet seeded; idempotent, and
    deterministic for a given day. Returns how many rows of each kind it created."""
    today = today or timezone.localdate()
    people = list(
        Person.objects.exclude(iin__in=SandboxSubject.objects.values("iin")).order_by("iin")
    )
    counts = {
        "people": len(people),
        "properties": 0,
        "pension_contributions": 0,
        "vehicles": 0,
        "civil_records": 0,
    }
    if not people:
        return counts
    payers = employers()
    taken = Taken(
        cadastral_numbers=set(SandboxProperty.objects.values_list("cadastral_number", flat=True)),
        plates=set(SandboxVehicle.objects.values_list("plate", flat=True)),
        vins=set(SandboxVehicle.objects.values_list("vin", flat=True)),
        iins=set(Person.objects.values_list("iin", flat=True)),
    )
    generated = [generate_for(p, today=today, employers=payers, taken=taken) for p in people]
    properties = [row for data in generated for row in data.properties]
    contributions = [row for data in generated for row in data.contributions]
    vehicles = [row for data in generated for row in data.vehicles]
    civil_records = [row for data in generated for row in data.civil_records]
    with transaction.atomic():
        SandboxSubject.objects.bulk_create(
            [SandboxSubject(iin=p.iin, seeded_on=today) for p in people], batch_size=1000
        )
        SandboxProperty.objects.bulk_create(properties, batch_size=1000)
        SandboxPensionContribution.objects.bulk_create(contributions, batch_size=1000)
        SandboxVehicle.objects.bulk_create(vehicles, batch_size=1000)
        SandboxCivilRecord.objects.bulk_create(civil_records, batch_size=1000)
        counts.update(
            properties=len(properties),
            pension_contributions=len(contributions),
            vehicles=len(vehicles),
            civil_records=len(civil_records),
        )
        audit.record(
            actor="demo",
            action="registries.sandbox_loaded",
            object_type="registries.sandbox",
            object_id="sandbox",
            data=counts,
        )
    return counts
