import datetime

import pytest

from onestop.offices.models import Office, OpeningHours


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


@pytest.fixture
def always_open(db):
    return open_around_the_clock("astana-esil")


@pytest.fixture
def demo_centre(transactional_db):
    """The demo, committed, with the Esil centre open all day: for tests whose threads or
    processes work on their own connections."""
    from onestop.demo.services import load_demo

    load_demo()
    return open_around_the_clock("astana-esil")
