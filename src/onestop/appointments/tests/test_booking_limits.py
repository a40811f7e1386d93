"""Booking limits that a few accounts cannot spend for everyone else behind their address:
refused and invalid attempts count against the account that made them; only accepted
bookings count per person and per client address (the real client, behind the proxy)."""

import pytest

from onestop.appointments.models import Appointment
from onestop.appointments.tests.test_booking import (
    at,
    citizens,
    coming_monday,
    post,
    wrong_check_digit,
)
from onestop.tests.factories import bearer

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def booking(centre):
    """The body of a booking at the centre for `person`, on the coming Monday at `hour`."""

    def booking(person, hour: int, **changes) -> dict:
        return {
            "office": centre.code,
            "service": "passport",
            "start": at(coming_monday(), hour).isoformat(),
            "iin": person.iin,
            **changes,
        }

    return booking


@pytest.fixture
def tight_limits(settings):
    settings.REQUEST_RATES = {
        **settings.REQUEST_RATES,
        "booking-account": "3/d",
        "booking-person": "2/d",
        "booking-address": "3/d",
    }
    return settings


def test_accounts_making_invalid_attempts_do_not_lock_out_their_address(
    api_client, booking, tight_limits
):
    *others, me = citizens(6)
    for other in others:
        headers = bearer(other)
        codes = [
            post(
                api_client,
                "/api/v1/appointments",
                booking(other.person, 10, iin=wrong_check_digit(other.person.iin)),
                headers,
            ).status_code
            for _ in range(4)
        ]
        assert codes == [422, 422, 422, 429]  # each account spends its own attempts
    answer = post(api_client, "/api/v1/appointments", booking(me.person, 10), bearer(me))
    assert answer.status_code == 201, answer.content


def test_accepted_bookings_are_counted_per_person(api_client, booking, tight_limits):
    me = citizens(1)[0]
    headers = bearer(me)
    for hour in (10, 11):
        booked = post(api_client, "/api/v1/appointments", booking(me.person, hour), headers)
        assert booked.status_code == 201
        url = f"/api/v1/appointments/{booked.json()['id']}"
        assert api_client.delete(url, **headers).status_code in (200, 204)
    third = post(api_client, "/api/v1/appointments", booking(me.person, 12), headers)
    assert third.status_code == 429 and third.json()["type"].endswith("rate-limited")
    assert int(third["Retry-After"]) > 0
    assert Appointment.objects.filter(person=me.person, status="booked").count() == 0


def test_accepted_bookings_are_counted_per_real_client(api_client, booking, tight_limits):
    tight_limits.TRUSTED_PROXIES = 1
    people = citizens(5)

    def book_from(client: str, n: int) -> int:
        headers = {
            **bearer(people[n]),
            "REMOTE_ADDR": PROXY,
            "HTTP_X_FORWARDED_FOR": client,
        }
        return post(
            api_client, "/api/v1/appointments", booking(people[n].person, 10 + n), headers
        ).status_code

    assert [book_from("203.0.113.5", n) for n in range(4)] == [201, 201, 201, 429]
    assert book_from("203.0.113.6", 4) == 201  # another client behind the same proxy
