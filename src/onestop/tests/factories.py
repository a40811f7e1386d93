"""Test data made where a test needs it: "a citizen with an account", "an operator at this
centre", "a kiosk", instead of demo accounts named by username. Each call makes a new one;
they stand beside the demo register that every test database starts with."""

import datetime
import itertools
import secrets

from onestop.offices.models import Office
from onestop.people.iin import make_iin
from onestop.people.models import Person, Role, User
from onestop.queueing.models import Device

# People made here are born on one day no demo person has, so their IINs are new ones.
BIRTH_DATE = datetime.date(1931, 3, 8)
_serials = itertools.count(9000)


def centre(code: str = "astana-esil") -> Office:
    return Office.objects.get(code=code)


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
