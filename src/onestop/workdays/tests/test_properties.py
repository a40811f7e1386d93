"""Properties of the working calendar that hold for any day, term and time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from onestop.workdays.calendar import (
    WORKDAY_END,
    WORKDAY_START,
    add_working_days,
    add_working_minutes,
    due_at,
    is_working_day,
    pause_remaining,
    resume_due,
    working_days_between,
    working_minutes_between,
)
from onestop.workdays.models import DayTransfer

pytestmark = pytest.mark.django_db

calendar_settings = settings(max_examples=150, deadline=None)  # the calendar reads the DB

ZONES = [ZoneInfo(name) for name in ("Asia/Almaty", "Asia/Aqtobe", "Europe/Moscow", "UTC")]

days = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
zones = st.sampled_from(ZONES)
units = st.sampled_from(["minutes", "hours", "working_days", "calendar_days"])


@st.composite
def moments(draw, whole_minutes=False):
    """An aware moment between 2020 and 2030, in any of the zones."""
    naive = draw(st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 12, 31)))
    if whole_minutes:
        naive = naive.replace(second=0, microsecond=0)
    return naive.replace(tzinfo=draw(zones))


def in_working_time(moment: dt.datetime, tz: ZoneInfo) -> bool:
    local = moment.astimezone(tz)
    start = local.replace(hour=WORKDAY_START.hour, minute=0, second=0, microsecond=0)
    end = local.replace(hour=WORKDAY_END.hour, minute=0, second=0, microsecond=0)
    return is_working_day(local.date()) and start < local <= end


@calendar_settings
@given(day=days, n=st.integers(1, 80))
def test_add_working_days_lands_on_the_n_th_working_day_after(day, n):
    later = add_working_days(day, n)
    assert later > day
    assert is_working_day(later)
    assert working_days_between(day, later) == n
    assert working_days_between(day, later - dt.timedelta(days=1)) == n - 1


@calendar_settings
@given(start=moments(), minutes=st.integers(1, 6000), tz=zones)
def test_working_minutes_round_trip(start, minutes, tz):
    end = add_working_minutes(start, minutes, tz)
    assert end > start
    assert end.tzinfo is tz
    assert in_working_time(end, tz)
    assert working_minutes_between(start, end, tz) == minutes


@calendar_settings
@given(filed_at=moments(), value=st.integers(1, 60), unit=units, tz=zones)
def test_due_at_is_after_filing_and_on_a_working_day(filed_at, value, unit, tz):
    due = due_at(filed_at=filed_at, value=value, unit=unit, tz=tz)
    assert due > filed_at
    assert due.tzinfo is tz
    assert is_working_day(due.date())
    assert in_working_time(due, tz)
    if unit in ("working_days", "calendar_days"):
        assert due.timetz() == WORKDAY_END.replace(tzinfo=tz)


@calendar_settings
@given(
    filed_at=moments(), shorter=st.integers(1, 60), extra=st.integers(1, 30), unit=units, tz=zones
)
def test_a_longer_term_is_never_due_earlier(filed_at, shorter, extra, unit, tz):
    first = due_at(filed_at=filed_at, value=shorter, unit=unit, tz=tz)
    second = due_at(filed_at=filed_at, value=shorter + extra, unit=unit, tz=tz)
    if unit == "calendar_days":  # Saturday and Sunday both move to Monday
        assert first <= second
    else:
        assert first < second


@calendar_settings
@given(
    filed_at=moments(whole_minutes=True),
    value=st.integers(1, 40),
    unit=units,
    tz=zones,
    share=st.floats(0, 1),
)
def test_resuming_at_the_moment_of_the_pause_keeps_the_deadline(filed_at, value, unit, tz, share):
    due = due_at(filed_at=filed_at, value=value, unit=unit, tz=tz)
    paused_at = filed_at + (due - filed_at) * share
    paused_at = paused_at.replace(second=0, microsecond=0)
    remaining = pause_remaining(due=due, paused_at=paused_at, unit=unit, tz=tz)
    assume(remaining > 0)
    assert resume_due(resumed_at=paused_at, remaining=remaining, unit=unit, tz=tz) == due


@calendar_settings
@given(
    filed_at=moments(),
    value=st.integers(1, 40),
    unit=units,
    tz=zones,
    share=st.floats(0, 1),
    delay=st.timedeltas(dt.timedelta(0), dt.timedelta(days=90)),
)
def test_a_later_refiling_never_shortens_what_was_left(filed_at, value, unit, tz, share, delay):
    due = due_at(filed_at=filed_at, value=value, unit=unit, tz=tz)
    paused_at = filed_at + (due - filed_at) * share
    remaining = pause_remaining(due=due, paused_at=paused_at, unit=unit, tz=tz)
    assert remaining >= 0
    resumed = resume_due(resumed_at=paused_at + delay, remaining=remaining, unit=unit, tz=tz)
    assert resumed >= paused_at + delay
    if remaining:
        assert resumed > due - dt.timedelta(minutes=1)  # a partial minute is dropped at the pause


@calendar_settings
@given(
    transfers=st.dictionaries(
        st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        st.sampled_from(DayTransfer.Kind.values),
        max_size=20,
    ),
    day=st.dates(dt.date(2025, 12, 1), dt.date(2026, 12, 31)),
    n=st.integers(1, 40),
)
def test_transfers_decide_their_dates_and_keep_the_counting_right(transfers, day, n):
    with transaction.atomic():
        DayTransfer.objects.bulk_create(
            DayTransfer(date=date, kind=kind) for date, kind in transfers.items()
        )
        for date, kind in transfers.items():
            assert is_working_day(date) == (kind == DayTransfer.Kind.WORKING_DAY)
        later = add_working_days(day, n)
        assert is_working_day(later)
        assert working_days_between(day, later) == n
        transaction.set_rollback(True)
