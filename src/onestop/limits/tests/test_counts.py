"""Counts of the request limits: a window holds the limit and no more, refuses until it
ends, and ended windows are forgotten by the periodic task."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from onestop.limits.models import AttemptCount
from onestop.limits.tasks import forget_ended_windows
from onestop.ratelimit import RateLimited, give_back, limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_day(settings):
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "booking-account": "3/d"}


def test_a_window_holds_the_limit_then_refuses_until_it_ends(three_a_day):
    counted = [limit(None, "booking-account", key="a") for _ in range(3)]
    with pytest.raises(RateLimited) as refused:
        limit(None, "booking-account", key="a")
    assert 86_000 < refused.value.retry_after <= 86_400
    assert AttemptCount.objects.get().count == 3  # the refusal counted nothing
    limit(None, "booking-account", key="b")  # another key, another count
    give_back(counted[0])
    limit(None, "booking-account", key="a")  # the place given back
    AttemptCount.objects.update(window_end=timezone.now())
    limit(None, "booking-account", key="a")  # a new window
    assert AttemptCount.objects.get(pk=counted[0].count_id).count == 1


def test_ended_windows_are_forgotten(three_a_day):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
    limit(request, "login-address")
    limit(None, "booking-account", key="a")
    AttemptCount.objects.filter(limit="login-address").update(
        window_end=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert forget_ended_windows.call() == 1
    assert list(AttemptCount.objects.values_list("limit", flat=True)) == ["booking-account"]
