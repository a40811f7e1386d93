import datetime

import pytest
from django.utils import timezone

from onestop.catalog.models import Service
from onestop.offices.models import Window
from onestop.queueing import layout, services
from onestop.queueing.estimator import (
    DEFAULT_SERVICE_MINUTES,
    LONGEST_VISIT_MINUTES,
    Ahead,
    estimate_minutes,
    mean_service_minutes,
    share,
)
from onestop.queueing.models import Ticket, TicketStatus


def test_nobody_ahead_and_nobody_at_a_window_means_no_wait():
    assert estimate_minutes([], [], 3) == 0


def test_people_ahead_times_their_mean_over_the_open_windows():
    assert estimate_minutes([Ahead(6, 1.0, 10.0)], [], 2) == pytest.approx(30.0)


def test_each_waits_for_his_own_service_time():
    # Two of 5 minutes and one of 20, one window: 30 minutes.
    assert estimate_minutes([Ahead(2, 1.0, 5.0), Ahead(1, 1.0, 20.0)], [], 1) == 30.0


def test_those_at_a_window_count_half_their_service_time():
    assert estimate_minutes([], [10.0, 10.0, 10.0, 10.0], 2) == pytest.approx(10.0)
    assert estimate_minutes([Ahead(3, 1.0, 6.0)], [6.0, 6.0], 1) == pytest.approx(24.0)


def test_visitors_who_other_windows_can_serve_count_for_their_share():
    # He can go to windows 1-4; mine are 1 and 2: half his time falls on mine.
    assert share({1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2}) == 0.5
    # Windows 3 and 4 are closed: only mine are left to serve him.
    assert share({1, 2, 3, 4}, {1, 2}, {1, 2}) == 1.0
    # None of his windows is open: counted over all of them.
    assert share({1, 2, 3, 4}, set(), {1}) == 0.25
    assert share(set(), set(), {1}) == 0.0
    # Eight visitors a quarter of whose 10 minutes falls on my one open window.
    assert estimate_minutes([Ahead(8, 0.25, 10.0)], [], 1) == 20.0


def test_without_history_ten_minutes_a_visit():
    assert mean_service_minutes([]) == DEFAULT_SERVICE_MINUTES == 10.0
    assert mean_service_minutes([6.0, 14.0, 4.0]) == 8.0


def test_a_visit_left_open_counts_for_an_hour_at_most():
    """An operator who forgot to press "finish" for 168 minutes must not make every
    estimate of the service hours long."""
    assert LONGEST_VISIT_MINUTES == 60.0
    assert mean_service_minutes([168.0]) == 60.0
    assert mean_service_minutes([168.0, 10.0, 8.0, 12.0]) == 22.5


def test_no_open_window_counts_as_one():
    assert estimate_minutes([Ahead(3, 1.0, 5.0)], [], 0) == 15.0
    assert estimate_minutes([Ahead(3, 1.0, 5.0)], [], 1) == 15.0


def test_rounded_to_a_tenth_of_a_minute():
    assert estimate_minutes([Ahead(1, 1.0, 1.0)], [], 3) == 0.3


@pytest.mark.django_db
def test_the_service_function_gives_the_same_figure(centre, operators):
    """services.estimate_wait on a real queue equals the pure function fed with what that
    queue holds: people ahead, people at the windows, recent durations, open windows."""
    passport = Service.objects.get(code="passport")
    now = timezone.now()

    def issue():
        return services.issue_ticket(
            office_code=centre.code, service_code="passport", actor=operators[1]
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
    services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    for n in (2, 3):
        services.set_window_state(
            actor=operators[n], office_code=centre.code, window_number=n, state="open"
        )
    for _ in range(5):
        issue()

    # The means are kept for a minute; this test wrote its history behind their back.
    layout.clear()
    windows = Window.objects.filter(office=centre, is_active=True, services=passport)
    open_passport_windows = 3
    assert windows.count() >= open_passport_windows
    assert services.recent_service_minutes(office_id=centre.pk, service_id=passport.pk) == [
        14.0,
        6.0,
    ]
    expected = estimate_minutes([Ahead(5, 1.0, 10.0)], [10.0], open_passport_windows)
    assert expected == pytest.approx((5 + 0.5) * 10.0 / 3, abs=0.05)
    assert services.estimate_wait(office=centre, service=passport) == expected
