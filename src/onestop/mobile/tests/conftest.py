import datetime
import json
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from onestop.mobile.models import MobileDevice
from onestop.offices.models import Office, RouteStop
from onestop.people.models import Person, Role, User

VAN = "almaty-mobile"
SYNC = "/api/v1/mobile/sync"


def stop_all_day(code: str = VAN) -> Office:
    """Stops of the route covering the whole of yesterday and today, so tests do not depend
    on the hour (a capture 40 minutes ago falls on yesterday just after midnight)."""
    office = Office.objects.get(code=code)
    today = timezone.now().astimezone(office.zone).date()
    for day in (today - datetime.timedelta(days=1), today):
        RouteStop.objects.update_or_create(
            office=office,
            date=day,
            starts=datetime.time(0, 0),
            defaults={
                "ends": datetime.time(23, 59, 59),
                "settlement_kk": "Ақши",
                "settlement_ru": "Акши",
                "settlement_en": "Akshi",
                "place_kk": "Мектеп алдында",
                "place_ru": "У школы",
                "place_en": "By the school",
            },
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


def people(count: int, *, start: int = 20) -> list[Person]:
    return list(Person.objects.order_by("iin")[start : start + count])


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
    return stop_all_day()


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
