import datetime
import itertools
import json
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from onestop.catalog.models import Service
from onestop.mobile.models import MobileDevice
from onestop.offices.models import Office
from onestop.people.models import Person, Role, User
from onestop.tests import factories

SYNC = "/api/v1/mobile/sync"
_houses = itertools.count(1)
# The town the test vans serve and their people live in: a person asking for a home visit
# is sent to the van of his or her own town, never to one of another test or the demo.
TOWN = {"kk": "Қосшы", "ru": "Косшы", "en": "Kosshy"}


def make_van() -> Office:
    """A mobile centre of Kosshy with two windows, offering every service made on the road,
    open Monday to Saturday, 9:00-20:00, and without a stop until a test gives it one."""
    offered = [
        s.code
        for s in Service.objects.filter(is_active=True).select_related("current_standard")
        if s.current_standard.offers("mobile")
    ]
    van = factories.centre(kind=Office.Kind.MOBILE, services=offered, windows=2, open_all_day=False)
    van.city_kk, van.city_ru, van.city_en = TOWN["kk"], TOWN["ru"], TOWN["en"]
    van.save()
    return van


def stop_all_day(office: Office) -> Office:
    """Stops of the route covering the whole of yesterday and today, so tests do not depend
    on the hour (a capture 40 minutes ago falls on yesterday just after midnight)."""
    today = timezone.now().astimezone(office.zone).date()
    for day in (today - datetime.timedelta(days=1), today):
        factories.route_stop(
            office, day, starts=datetime.time(0, 0), ends=datetime.time(23, 59, 59)
        )
    return office


def make_operator(username: str, office: Office, *, role: str = Role.OPERATOR) -> User:
    return User.objects.create_user(
        username=username,
        role=role,
        office=office,
        password=settings.DEMO_PASSWORD,
        first_name="Бақыт",
        last_name=username,
    )


def people(count: int) -> list[Person]:
    """`count` new people of the vans' town, each with a home address."""
    return [
        factories.person(city=TOWN["en"], address=f"{TOWN['en']}, Abay St {next(_houses)}")
        for _ in range(count)
    ]


def staff_elsewhere(role: str) -> User:
    """A member of staff who has nothing to do with a van: of a standard centre of his or
    her own, or, a reviewer, of the agency registering real estate."""
    if role in {Role.REVIEWER, Role.HEAD}:
        return factories.staff(
            role, agency=Service.objects.get(code="real-estate-registration").agency
        )
    return factories.staff(role)


def wrong_check_digit(iin: str) -> str:
    return iin[:11] + str((int(iin[11]) + 1) % 10)


def operation(kind: str, payload: dict, *, captured_at: datetime.datetime | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "captured_at": (captured_at or timezone.now()).isoformat(),
        "payload": payload,
    }


def ticket_op(service: str = "address-certificate", **kwargs) -> dict:
    captured_at = kwargs.pop("captured_at", None)
    return operation("ticket", {"service": service, **kwargs}, captured_at=captured_at)


def application_op(iin: str, service: str = "pension-contributions-certificate", **kwargs) -> dict:
    captured_at = kwargs.pop("captured_at", None)
    return operation(
        "application", {"service": service, "iin": iin, **kwargs}, captured_at=captured_at
    )


@pytest.fixture
def van(db) -> Office:
    """The test's van, at a stop all of yesterday and today."""
    return stop_all_day(make_van())


@pytest.fixture
def committed_van(transactional_db) -> Office:
    """The van at a stop all of yesterday and today, with its operator "van-operator",
    committed for a live server (the register first: a test before may have emptied the
    database)."""
    factories.reference_register()
    van = stop_all_day(make_van())
    make_operator("van-operator", van)
    return van


@pytest.fixture
def van_operator(van) -> User:
    operator = make_operator("van-operator", van)
    # The device the tests sync from was registered well before anything they capture.
    MobileDevice.objects.create(
        id=DEVICE,
        office=van,
        registered_by=operator,
        registered_at=timezone.now() - datetime.timedelta(days=30),
    )
    return operator


@pytest.fixture
def client_for():
    """A logged-in page/API client for an account."""

    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def send_sync(client_for):
    def send(user: User, operations: list[dict], *, device: str | None = None):
        return client_for(user).post(
            SYNC,
            json.dumps({"device": device or str(DEVICE), "operations": operations}),
            content_type="application/json",
        )

    return send


DEVICE = uuid.UUID("7d1f0c52-4f65-4a43-9a57-3f0e1f5b2c10")
