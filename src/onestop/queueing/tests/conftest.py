import datetime

import pytest

from onestop.offices.models import Office, OpeningHours
from onestop.people.models import Role, User
from onestop.tests import factories

# The services the queue's tests take tickets for. Others, such as "driving-licence", are
# not offered: the tests of a service the centre does not offer name one of them.
SERVICES = ["passport", "address-certificate", "real-estate-registration"]
WINDOWS = 4


def open_around_the_clock(code: str) -> Office:
    """A centre open every day, all day, so that tests do not depend on the hour they run."""
    office = Office.objects.get(code=code)
    for weekday in range(7):
        OpeningHours.objects.update_or_create(
            office=office,
            weekday=weekday,
            defaults={"opens": datetime.time(0, 0), "closes": datetime.time(23, 59, 59)},
        )
    return office


def operators_of(office: Office) -> dict[int, User]:
    return {n: factories.staff(Role.OPERATOR, office=office, window=n) for n in range(1, 5)}


@pytest.fixture
def centre(db) -> Office:
    """A centre of its own, open around the clock: four windows, each serving SERVICES."""
    return factories.centre(services=SERVICES, windows=WINDOWS)


@pytest.fixture
def operators(centre) -> dict[int, User]:
    """The centre's operators, one at each window, by the window's number."""
    return operators_of(centre)


@pytest.fixture
def committed_centre(transactional_db) -> Office:
    """The centre, committed, for tests whose threads or processes work on their own
    connections (the register first: a test before may have emptied the database)."""
    factories.reference_register()
    return factories.centre(services=SERVICES, windows=WINDOWS)
