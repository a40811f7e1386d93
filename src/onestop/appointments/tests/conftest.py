import pytest

from onestop.offices.models import Office
from onestop.people.models import Role, User
from onestop.tests import factories

# The services the appointments' tests book. Others, such as "driving-licence", are not
# offered: the tests of a service the centre does not offer name one of them.
SERVICES = [
    "passport",
    "address-certificate",
    "real-estate-registration",
    "identity-card",
    "residence-registration",
    "birth-registration",
    "iin-assignment",
    "marriage-registration",
]
WINDOWS = 6


def weekday_centre() -> Office:
    """A centre open Monday to Saturday, 9:00-20:00, whose six windows serve SERVICES: a
    slot takes three bookings (half the windows, for walk-ins the other half)."""
    return factories.centre(services=SERVICES, windows=WINDOWS, open_all_day=False)


@pytest.fixture
def centre(db) -> Office:
    return weekday_centre()


@pytest.fixture
def operators(centre) -> dict[int, User]:
    """The centre's operators, one at each of windows 1 to 3, by the window's number."""
    return {n: factories.staff(Role.OPERATOR, office=centre, window=n) for n in (1, 2, 3)}


@pytest.fixture
def agent(db) -> User:
    """A call centre's agent, who books for callers."""
    return factories.staff(Role.AGENT)


@pytest.fixture
def committed_centre(transactional_db) -> Office:
    """The centre, committed, for tests whose threads work on their own connections (the
    register first: a test before may have emptied the database)."""
    factories.reference_register()
    return weekday_centre()
