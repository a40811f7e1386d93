"""Test data made where a test needs it: "a citizen with an account", "an operator at this
centre", "a kiosk", instead of demo accounts named by username. Each call makes a new one;
they stand beside the demo register that every test database starts with."""

import datetime
import hashlib
import itertools
import secrets

from django.conf import settings
from django.utils import timezone

from onestop.catalog.models import Service
from onestop.offices.models import Office, OpeningHours, Window
from onestop.people.iin import make_iin
from onestop.people.models import ApiToken, Person, Role, User
from onestop.people.services import token_digest
from onestop.queueing.models import Device

# People made here are born on one day no demo person has, so their IINs are new ones.
BIRTH_DATE = datetime.date(1931, 3, 8)
# IINs have four serial digits. Each test's people go with its rollback, and person() skips
# an IIN already taken, so the serials may come round again in a long run.
_serials = itertools.cycle(range(10_000))
_centres = itertools.count(1)


def centre(
    *,
    services: list[str] | None = None,
    windows: int = 3,
    open_all_day: bool = True,
    kind: str = Office.Kind.STANDARD,
) -> Office:
    """A new centre of its own, so that a test sees only its own queue: `windows` windows,
    each serving every service it offers (the codes given, or every active service a
    standard centre offers), open every day around the clock unless told otherwise (then
    Monday to Saturday, 9:00-20:00, as the demo centres)."""
    number = next(_centres)
    office = Office.objects.create(
        code=f"test-centre-{number}-{secrets.token_hex(2)}",
        kind=kind,
        timezone="Asia/Almaty",
        name_kk=f"Сынақ орталығы {number}",
        name_ru=f"Тестовый центр {number}",
        name_en=f"Test centre {number}",
        city_kk="Астана",
        city_ru="Астана",
        city_en="Astana",
    )
    if open_all_day:
        hours = [(day, datetime.time(0), datetime.time(23, 59, 59)) for day in range(7)]
    else:
        hours = [(day, datetime.time(9), datetime.time(20)) for day in range(6)]
    OpeningHours.objects.bulk_create(
        OpeningHours(office=office, weekday=day, opens=opens, closes=closes)
        for day, opens, closes in hours
    )
    offered = Service.objects.filter(is_active=True)
    if services is not None:
        offered = offered.filter(code__in=services)
    else:
        offered = [
            s
            for s in offered.select_related("current_standard")
            if s.current_standard.offers("oss")
        ]
    office.services.set(offered)
    for number in range(1, windows + 1):
        Window.objects.create(office=office, number=number).services.set(offered)
    return office


def window(office: Office, number: int = 1) -> Window:
    return Window.objects.get(office=office, number=number)


def person(**fields) -> Person:
    """A person the population registry knows, with a valid IIN not used before."""
    while True:
        sex = fields.get("sex", Person.Sex.FEMALE)
        iin = make_iin(BIRTH_DATE, sex, next(_serials))
        if iin is not None and not Person.objects.filter(iin=iin).exists():
            break
    values = {
        "last_name": "Testova",
        "first_name": f"Aigerim {iin[-4:]}",
        "birth_date": BIRTH_DATE,
        "sex": sex,
        "phone": f"+7701{iin[-7:]}",
        "email": f"{iin}@people.example",
        "city": "Astana",
    } | fields
    return Person.objects.create(iin=iin, **values)


def citizen(of: Person | None = None) -> User:
    """A citizen's account (the username is the IIN, as on the portal)."""
    someone = of or person()
    return User.objects.create_user(
        username=someone.iin, role=Role.CITIZEN, person=someone, password=None
    )


def staff(
    role: str,
    *,
    office: Office | None = None,
    agency=None,
    window: int | None = None,
) -> User:
    """A member of staff: a centre's (consultant, operator, manager) needs an office, an
    agency's (reviewer, head) an agency; an operator sits at window 1 unless told."""
    if role in {Role.CONSULTANT, Role.OPERATOR, Role.MANAGER}:
        office = office or centre()
    if role == Role.OPERATOR and window is None:
        window = 1
    return User.objects.create_user(
        username=f"{role}-{secrets.token_hex(4)}",
        role=role,
        office=office,
        agency=agency,
        window_number=window,
        password=None,
    )


def device(kind: str = Device.Kind.KIOSK, *, office: Office | None = None) -> Device:
    """A kiosk (or board, or rating screen) of a centre."""
    office = office or centre()
    return Device.objects.create(
        office=office, kind=kind, name=f"{kind} made for a test", key_hash=secrets.token_hex(32)
    )


def device_token(
    kind: str = Device.Kind.KIOSK, *, office: Office, window: int | None = None
) -> str:
    """The bearer token of a new kiosk, board or rating screen (at `window`) of `office`."""
    token = "dev_" + secrets.token_urlsafe(24)
    Device.objects.create(
        office=office,
        kind=kind,
        name=f"{kind} made for a test",
        window=Window.objects.get(office=office, number=window) if window else None,
        key_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    return token


def token(user: User) -> str:
    """A bearer token of `user`, as `POST /auth/token` would give it."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=token_digest(key),
        expires_at=timezone.now() + datetime.timedelta(hours=settings.TOKEN_LIFETIME_HOURS),
    )
    return key


def bearer(user_or_token: User | str) -> dict:
    """The headers of a test client's call as this user (or with this token)."""
    key = user_or_token if isinstance(user_or_token, str) else token(user_or_token)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# ---- added for tests on committed data and tests that log in as a person does

# The password of accounts made to log in through the login page or POST /auth/token.
PASSWORD = "a-test-password-1"


def reference_register() -> None:
    """The reference register the platform ships (agencies, services, standards), again: a
    transactional test empties the database, and the next one that needs services loads
    them before it makes a centre."""
    from onestop.demo.services import load_register

    load_register()


def with_password(user: User, password: str) -> User:
    """`user`, who can now log in through the login page with `password`."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def password(user: User) -> str:
    """Gives `user` the tests' PASSWORD and returns it."""
    with_password(user, PASSWORD)
    return PASSWORD


# ---- added for the queue, appointments and mobile centres


def route_stop(
    office: Office,
    date: datetime.date,
    *,
    starts: datetime.time = datetime.time(10),
    ends: datetime.time = datetime.time(17),
):
    """A stop of a mobile centre's route on `date`, by the school of Akshi (10:00-17:00)."""
    from onestop.offices.models import RouteStop

    return RouteStop.objects.create(
        office=office,
        date=date,
        starts=starts,
        ends=ends,
        settlement_kk="Ақши",
        settlement_ru="Акши",
        settlement_en="Akshi",
        place_kk="Мектеп алдында",
        place_ru="У школы",
        place_en="By the school",
    )


def mobile_centre(*, windows: int = 1) -> Office:
    """A new mobile centre (a van) offering every service offered through mobile centres."""
    offered = [
        s.code
        for s in Service.objects.filter(is_active=True).select_related("current_standard")
        if s.current_standard and s.current_standard.offers("mobile")
    ]
    return centre(services=offered, windows=windows, kind=Office.Kind.MOBILE)


# ---- added for cases, people, portal and the register


def reviewer(service: str, *, first_name: str = "Zhanna") -> User:
    """A new reviewer, named, of the agency that decides `service`, skilled for it."""
    from onestop.cases.models import ReviewerSkill

    decided = Service.objects.select_related("agency").get(code=service)
    user = staff(Role.REVIEWER, agency=decided.agency)
    user.first_name, user.last_name = first_name, f"Reviewerova {user.username[-8:]}"
    user.save(update_fields=["first_name", "last_name"])
    ReviewerSkill.objects.create(reviewer=user, service=decided)
    return user


def reviewers(service: str, count: int = 3) -> list[User]:
    """`count` new reviewers of `service` who are the only ones skilled for it (sorted)."""
    from onestop.cases.models import ReviewerSkill

    made = [reviewer(service, first_name=name) for name in ["Zhanna", "Maksat", "Olga"][:count]]
    made += [reviewer(service) for _ in range(count - len(made))]
    ReviewerSkill.objects.filter(service__code=service).exclude(reviewer__in=made).delete()
    return sorted(made, key=lambda user: user.username)


def head(service: str) -> User:
    """A new head, with an e-mail address, of the agency that decides `service`."""
    user = staff(Role.HEAD, agency=Service.objects.get(code=service).agency)
    user.email = f"{user.username}@agency.example"
    user.save(update_fields=["email"])
    return user


def known_to_registries() -> None:
    """The sandbox registries hold records of every person made so far, as of the demo's."""
    from onestop.registries.sandbox.data import load_sandbox_data

    load_sandbox_data()


def standards_administrator() -> User:
    """A standards administrator: staff with the register's permissions, never a superuser."""
    from onestop.people.groups import standards_administrators

    user = staff(Role.ADMIN)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(standards_administrators())
    return user
