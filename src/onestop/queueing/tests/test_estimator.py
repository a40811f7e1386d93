import datetime

import pytest
from django.utils import timezone

from onestop.catalog.models import Service
from onestop.offices.models import Window
from onestop.people.models import User
from onestop.queueing import services
from onestop.queueing.estimator import (
    DEFAULT_SERVICE_MINUTES,
    estimate_minutes,
    mean_service_minutes,
)
from onestop.queueing.models import Ticket, TicketStatus


def test_nobody_ahead_and_nobody_at_a_window_means_no_wait():
    assert estimate_minutes(0, 0, [12.0, 8.0], 3) == 0


def test_people_ahead_times_the_mean_over_the_open_windows():
    assert estimate_minutes(6, 0, [8.0, 12.0], 2) == pytest.approx(30.0)


def test_those_at_a_window_count_half():
    assert estimate_minutes(0, 4, [10.0], 2) == pytest.approx(10.0)
    assert estimate_minutes(3, 2, [6.0], 1) == pytest.approx(24.0)


def test_without_history_ten_minutes_a_visit():
    assert mean_service_minutes([]) == DEFAULT_SERVICE_MINUTES == 10.0
    assert estimate_minutes(2, 0, [], 1) == pytest.approx(20.0)


def test_no_open_window_counts_as_one():
    assert estimate_minutes(3, 0, [5.0], 0) == estimate_minutes(3, 0, [5.0], 1) == 15.0


def test_rounded_to_a_tenth_of_a_minute():
    assert estimate_minutes(1, 0, [1.0, 1.0, 1.0 / 3], 3) == 0.3


@pytest.mark.django_db
def test_the_service_function_gives_the_same_figure(always_open):
    """services.estimate_wait on a real queue equals the pure function fed with what that
    queue holds: people ahead, people at the windows, recent durations, open windows."""
    operators = [User.objects.get(username=f"operator{n}") for n in (1, 2, 3)]
    passport = Service.objects.get(code="passport")
    now = timezone.now()

    def issue():
        return services.issue_ticket(
            office_code="astana-esil", service_code="passport", actor=operators[0]
        )

    # History: two visits served, of 6 and 14 minutes.
    for minutes in (6, 14):
        ticket = issue()
        Ticket.objects.filter(pk=ticket.pk).update(
            status=TicketStatus.DONE,
            started_at=now - datetime.timedelta(minutes=minutes + 1),
            finished_at=now - datetime.timedelta(minutes=1),
        )
    # One visitor at window 1 (which it opens), two more windows open, five waiting.
    issue()
    services.call_next(actor=operators[0], office_code="astana-esil", window_number=1)
    for n in (2, 3):
        services.set_window_state(
            actor=operators[n - 1], office_code="astana-esil", window_number=n, state="open"
        )
    for _ in range(5):
        issue()

    windows = Window.objects.filter(office=always_open, is_active=True, services=passport)
    expected = estimate_minutes(ahead=5, at_windows=1, recent_durations=[6.0, 14.0], open_windows=3)
    assert windows.count() >= 3
    assert expected == pytest.approx((5 + 0.5) * 10.0 / 3, abs=0.05)
    assert services.estimate_wait(office=always_open, service=passport) == expected
