"""Loading the demo: the register, centres, a population registry and an account per role.

Idempotent: a second run finds everything in place and changes nothing.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from onestop.audit import services as audit
from onestop.catalog.models import Service
from onestop.catalog.services import import_register
from onestop.demo.centres import CENTRES, SETTLEMENTS, SPECIALIZED_SERVICES, route_dates
from onestop.demo.population import demo_legal_entities, demo_people
from onestop.offices.models import Office, OpeningHours, RouteStop, Window
from onestop.people.groups import standards_administrators
from onestop.people.models import LegalEntity, Person, Role, User

REGISTER = Path(__file__).resolve().parent.parent / "catalog" / "demo" / "catalog.json"
POPULATION_SIZE = 1200
OPERATOR_CENTRE = "astana-esil"
# The agency whose reviewers and head have demo accounts: the one registering real estate.
REVIEWED_SERVICE = "real-estate-registration"


def _texts(prefix: str, values: dict) -> dict:
    return {f"{prefix}_{code}": values[code] for code in ("kk", "ru", "en")}


def load_register() -> dict:
    return import_register(actor="demo", register=json.loads(REGISTER.read_text(encoding="utf-8")))


def _centre_services(kind: str) -> list[Service]:
    services = Service.objects.filter(is_active=True).select_related("current_standard")
    if kind == "specialized":
        return [s for s in services if s.code in SPECIALIZED_SERVICES]
    if kind == "mobile":
        return [s for s in services if s.current_standard.offers("mobile")]
    return [
        s
        for s in services
        if s.current_standard.offers("oss") and s.code not in SPECIALIZED_SERVICES
    ]


def load_centres(today: datetime.date) -> int:
    for item in CENTRES:
        office, _created = Office.objects.update_or_create(
            code=item["code"],
            defaults={
                "kind": item["kind"],
                "timezone": "Asia/Almaty",
                "latitude": item["coordinates"][0],
                "longitude": item["coordinates"][1],
                **_texts("name", item["name"]),
                **_texts("city", item["city"]),
                **_texts("address", item["address"]),
            },
        )
        for weekday in range(6):  # Monday to Saturday, 9:00-20:00, no lunch break
            OpeningHours.objects.get_or_create(
                office=office,
                weekday=weekday,
                defaults={"opens": datetime.time(9), "closes": datetime.time(20)},
            )
        services = _centre_services(item["kind"])
        office.services.set(services)
        for number in range(1, item["windows"] + 1):
            window, _created = Window.objects.get_or_create(office=office, number=number)
            window.services.set(services)
        if item["kind"] == "mobile":
            for index, day in enumerate(route_dates(today, 12)):
                settlement, place = SETTLEMENTS[index % len(SETTLEMENTS)]
                RouteStop.objects.get_or_create(
                    office=office,
                    date=day,
                    starts=datetime.time(10),
                    defaults={
                        "ends": datetime.time(17),
                        **_texts("settlement", settlement),
                        **_texts("place", place),
                    },
                )
    return len(CENTRES)


def load_population(count: int = POPULATION_SIZE) -> int:
    """People of the demo population registry, each with a citizen account (username: IIN)."""
    people = list(demo_people(count))
    known = set(
        Person.objects.filter(iin__in=[p["iin"] for p in people]).values_list("iin", flat=True)
    )
    missing = [Person(**p) for p in people if p["iin"] not in known]
    Person.objects.bulk_create(missing, batch_size=500)
    with_accounts = set(User.objects.filter(role=Role.CITIZEN).values_list("username", flat=True))
    # One hash for every demo citizen: hashing a thousand passwords one by one takes minutes.
    password = make_password(settings.DEMO_PASSWORD)
    accounts = [
        User(
            username=person.iin,
            role=Role.CITIZEN,
            person=person,
            password=password,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
        )
        for person in Person.objects.filter(iin__in=[p["iin"] for p in people]).exclude(
            iin__in=with_accounts
        )
    ]
    User.objects.bulk_create(accounts, batch_size=500)
    return len(missing)


LEGAL_ENTITIES = 60


def load_legal_entities(count: int = LEGAL_ENTITIES) -> int:
    """Companies of the demo business registry, each headed by an adult of the population."""
    adults = list(
        Person.objects.filter(birth_date__year__lte=2000)
        .order_by("iin")
        .values_list("iin", flat=True)[:300]
    )
    heads = {p.iin: p for p in Person.objects.filter(iin__in=adults)}
    created = 0
    for item in demo_legal_entities(count, adults):
        head = heads[item.pop("head_iin")]
        _entity, was_created = LegalEntity.objects.get_or_create(
            bin=item["bin"], defaults={**item, "head": head}
        )
        created += was_created
    return created


STAFF = [
    # username, role, first name, last name, scope
    ("consultant1", Role.CONSULTANT, "Айгерім", "Сапарова", "office"),
    ("operator1", Role.OPERATOR, "Дина", "Жүсіпова", "office"),
    ("operator2", Role.OPERATOR, "Арман", "Қалиев", "office"),
    ("operator3", Role.OPERATOR, "Светлана", "Ким", "office"),
    ("operator4", Role.OPERATOR, "Ерболат", "Мұсин", "office"),
    ("manager1", Role.MANAGER, "Гаухар", "Ибраева", "office"),
    ("reviewer1", Role.REVIEWER, "Жанна", "Әлиева", "agency"),
    ("reviewer2", Role.REVIEWER, "Максат", "Нұрпейісов", "agency"),
    ("reviewer3", Role.REVIEWER, "Ольга", "Ли", "agency"),
    ("head1", Role.HEAD, "Болат", "Смағұлов", "agency"),
    ("analyst1", Role.ANALYST, "Әйгерім", "Төлегенова", ""),
    ("agent1", Role.AGENT, "Нұржан", "Бейсенов", ""),
    ("admin", Role.ADMIN, "Руслан", "Абдуллин", ""),
    ("auditor1", Role.AUDITOR, "Мадина", "Шәріпова", ""),
]


def load_agency_staff() -> int:
    """Two reviewers and a head for every other agency, so that every service, and every part
    of a life situation, has someone to decide it."""
    from onestop.catalog.models import Agency

    password = make_password(settings.DEMO_PASSWORD)
    created = 0
    main_agency = Service.objects.get(code=REVIEWED_SERVICE).agency_id
    for agency in Agency.objects.exclude(pk=main_agency):
        prefix = agency.code.lower()
        for username, role in (
            (f"{prefix}-reviewer1", Role.REVIEWER),
            (f"{prefix}-reviewer2", Role.REVIEWER),
            (f"{prefix}-head", Role.HEAD),
        ):
            _user, was_created = User.objects.get_or_create(
                username=username,
                defaults={
                    "password": password,
                    "role": role,
                    "agency": agency,
                    "email": f"{username}@onestop.example",
                    "first_name": agency.code,
                    "last_name": str(role.label),
                },
            )
            created += was_created
    return created


def load_mobile_operator() -> int:
    """mobile1 works in the mobile centre's van."""
    _user, created = User.objects.get_or_create(
        username="mobile1",
        defaults={
            "password": make_password(settings.DEMO_PASSWORD),
            "role": Role.OPERATOR,
            "office": Office.objects.get(code="almaty-mobile"),
            "window_number": 1,
            "first_name": "Бақыт",
            "last_name": "Жолдасбеков",
            "email": "mobile1@onestop.example",
        },
    )
    return int(created)


def load_reviewer_skills() -> None:
    """Every demo reviewer may decide every service of his or her agency."""
    from onestop.cases.models import ReviewerSkill

    for reviewer in User.objects.filter(role=Role.REVIEWER):
        have = set(
            ReviewerSkill.objects.filter(reviewer=reviewer).values_list("service_id", flat=True)
        )
        ReviewerSkill.objects.bulk_create(
            ReviewerSkill(reviewer=reviewer, service_id=pk)
            for pk in Service.objects.filter(agency_id=reviewer.agency_id).values_list(
                "pk", flat=True
            )
            if pk not in have
        )


def load_staff() -> int:
    office = Office.objects.get(code=OPERATOR_CENTRE)
    agency = Service.objects.get(code=REVIEWED_SERVICE).agency
    password = make_password(settings.DEMO_PASSWORD)
    created = 0
    for username, role, first, last, scope in STAFF:
        window = int(username[-1]) if role == Role.OPERATOR else None
        _user, was_created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first,
                "last_name": last,
                "office": office if scope == "office" else None,
                "agency": agency if scope == "agency" else None,
                "window_number": window,
                "email": f"{username}@onestop.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": False,
            },
            create_defaults={
                "password": password,
                "role": role,
                "first_name": first,
                "last_name": last,
                "office": office if scope == "office" else None,
                "agency": agency if scope == "agency" else None,
                "window_number": window,
                "email": f"{username}@onestop.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": False,
            },
        )
        created += was_created
    # The standards administrator is staff with the register only, never a superuser.
    group = standards_administrators()
    for admin in User.objects.filter(role=Role.ADMIN, username__in=[s[0] for s in STAFF]):
        admin.groups.add(group)
    return created


def demo_device_token(kind: str, office_code: str, window: int | None = None) -> str:
    """This installation's token for a demo kiosk, board or rating screen: derived from its
    secret key (random per installation), so nobody else can know it, while `onestop demo`,
    the simulator and `onestop demodevices` can always say it. The database keeps its hash."""
    screen = f"{kind}:{office_code}" + (f":{window}" if window else "")
    digest = salted_hmac("onestop.demo.device", screen, algorithm="sha256").hexdigest()
    return f"dev_{digest[:40]}"


def demo_screens():
    """(office, kind, window) of every demo kiosk, board and rating screen."""
    for office in Office.objects.exclude(kind=Office.Kind.MOBILE).order_by("code"):
        yield office, "kiosk", None
        yield office, "board", None
        for window in office.windows.order_by("number"):
            yield office, "rating", window


def screen_link(base_url: str, office: str, kind: str, window: int | None) -> str:
    """Where a demo screen opens: the kiosk and the rating screen with their token in the
    address (the page keeps it in a cookie); the board's API answers the token too."""
    token = demo_device_token(kind, office, window)
    if kind == "kiosk":
        return f"{base_url}/queue/kiosk/{office}/?device={token}"
    if kind == "rating":
        return f"{base_url}/queue/rate/{office}/{window}/?device={token}"
    return f"{base_url}/queue/board/{office}/  (API token {token})"


def load_devices() -> int:
    import hashlib

    from onestop.queueing.models import Device

    created = 0
    for office, kind, window in demo_screens():
        token = demo_device_token(kind, office.code, window.number if window else None)
        _device, was_created = Device.objects.update_or_create(
            office=office,
            kind=kind,
            window=window,
            name=f"{kind} {office.code}" + (f" #{window.number}" if window else ""),
            defaults={"key_hash": hashlib.sha256(token.encode()).hexdigest()},
        )
        created += was_created
    return created


def load_demo(*, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    with transaction.atomic():
        register = load_register()
        centres = load_centres(today)
        people = load_population()
        entities = load_legal_entities()
        from onestop.registries.sandbox.data import load_sandbox_data

        load_sandbox_data(today=today)
        staff = load_staff() + load_agency_staff() + load_mobile_operator()
        load_devices()
        load_reviewer_skills()
        if people or entities or staff:
            audit.record(
                actor="demo",
                action="demo.loaded",
                object_type="demo",
                object_id="demo",
                data={"people": people, "staff": staff},
            )
    return {
        **register,
        "centres": centres,
        "new_people": people,
        "new_legal_entities": entities,
        "new_staff": staff,
    }
