"""The working calendar on the real Kazakh calendar of 2025-2027 (holidays 0.109)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from onestop.workdays.calendar import (
    WORKDAY_END,
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

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5 since 1 March 2024
MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3

D = dt.date


def at(year, month, day, hour=0, minute=0, tz=ALMATY):
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 1),  # New Year
        D(2026, 1, 2),
        D(2026, 1, 7),  # Orthodox Christmas, a Wednesday
        D(2026, 3, 9),  # 8 March is a Sunday: Monday is the substitute
        D(2026, 3, 23),  # Nauryz: 21-22 March fall on the weekend...
        D(2026, 3, 24),  # ...so 24 and 25 March are substitutes
        D(2026, 3, 25),
        D(2026, 5, 1),  # Unity Day
        D(2026, 5, 7),  # Defender of the Fatherland Day
        D(2026, 5, 11),  # Victory Day is a Saturday: Monday is the substitute
        D(2026, 5, 27),  # Kurban Ait (the package's estimate)
        D(2026, 7, 6),  # Capital Day
        D(2026, 10, 26),  # Republic Day is a Sunday: Monday is the substitute
        D(2026, 12, 16),  # Independence Day
        D(2025, 1, 3),  # the government moved Sunday 5 January 2025 here
        D(2025, 9, 1),  # Constitution Day 2025 was a Saturday
    ],
)
def test_holidays_and_their_substitutes_are_days_off(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 5),
        D(2026, 1, 6),
        D(2026, 3, 10),
        D(2026, 3, 26),
        D(2026, 5, 8),
        D(2026, 12, 17),  # Independence Day has been one day since 2022
        # No Constitution Day in 2026: the new Constitution moves it to 15 March from 2027.
        # If the government announces otherwise, a DayTransfer row is the fix.
        D(2026, 8, 31),
    ],
)
def test_ordinary_weekdays_are_working(day):
    assert is_working_day(day)


def test_weekends_are_days_off_unless_the_government_made_them_working():
    assert not is_working_day(D(2026, 4, 11))
    assert not is_working_day(D(2026, 4, 12))
    assert is_working_day(D(2025, 1, 5))  # Sunday, worked for Friday 3 January 2025


def test_january_2026_has_nineteen_working_days():
    assert working_days_between(D(2025, 12, 31), D(2026, 1, 31)) == 19


def test_the_day_itself_never_counts():
    assert add_working_days(D(2026, 4, 8), 1) == D(2026, 4, 9)
    assert add_working_days(D(2026, 4, 8), 0) == D(2026, 4, 8)
    assert working_days_between(D(2026, 4, 8), D(2026, 4, 8)) == 0
    assert working_days_between(D(2026, 4, 9), D(2026, 4, 8)) == 0
    assert working_days_between(D(2026, 4, 8), D(2026, 4, 9)) == 1


def test_working_days_skip_holidays():
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
    assert add_working_days(D(2026, 3, 20), 1) == D(2026, 3, 26)
    assert add_working_days(D(2026, 4, 30), 3) == D(2026, 5, 6)
    # Across the New Year: 1 January 2027 is a Friday, 2 January a Saturday (moved to Monday 4th).
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 5)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 4, 8), -1)
    with pytest.raises(ValueError):
        add_working_minutes(at(2026, 4, 8, 10), -1, ALMATY)


def test_filed_on_friday_evening():
    filed = at(2026, 4, 10, 19, 30)
    monday = D(2026, 4, 13)
    assert due_at(filed_at=filed, value=15, unit="minutes", tz=ALMATY) == at(2026, 4, 13, 9, 15)
    assert due_at(filed_at=filed, value=2, unit="hours", tz=ALMATY) == at(2026, 4, 13, 11)
    assert due_at(filed_at=filed, value=1, unit="working_days", tz=ALMATY) == at(2026, 4, 13, 18)
    # One calendar day later is Saturday: the deadline moves to Monday.
    assert due_at(filed_at=filed, value=1, unit="calendar_days", tz=ALMATY).date() == monday
    assert due_at(filed_at=filed, value=3, unit="calendar_days", tz=ALMATY) == at(2026, 4, 13, 18)


def test_filed_on_saturday():
    filed = at(2026, 4, 11, 11)
    assert due_at(filed_at=filed, value=1, unit="working_days", tz=ALMATY) == at(2026, 4, 13, 18)
    assert due_at(filed_at=filed, value=5, unit="working_days", tz=ALMATY) == at(2026, 4, 17, 18)
    assert due_at(filed_at=filed, value=1, unit="calendar_days", tz=ALMATY) == at(2026, 4, 13, 18)
    assert due_at(filed_at=filed, value=1, unit="hours", tz=ALMATY) == at(2026, 4, 13, 10)


def test_calendar_days_falling_on_a_holiday_move_to_the_next_working_day():
    # 30 days after 1 April 2026 is Friday 1 May (Unity Day): the deadline is Monday 4 May.
    assert due_at(filed_at=at(2026, 4, 1, 10), value=30, unit="calendar_days", tz=ALMATY) == at(
        2026, 5, 4, 18
    )


def test_working_time_is_nine_to_six():
    monday = at(2026, 4, 13, 9)
    assert add_working_minutes(monday, 540, ALMATY) == at(2026, 4, 13, 18)  # not Tuesday 09:00
    assert add_working_minutes(monday, 541, ALMATY) == at(2026, 4, 14, 9, 1)
    assert add_working_minutes(at(2026, 4, 13, 17, 50), 15, ALMATY) == at(2026, 4, 14, 9, 5)
    assert add_working_minutes(at(2026, 4, 13, 7), 30, ALMATY) == at(2026, 4, 13, 9, 30)
    assert add_working_minutes(at(2026, 4, 13, 18), 1, ALMATY) == at(2026, 4, 14, 9, 1)
    # Friday 17:00 to Monday 10:00 holds two working hours.
    assert working_minutes_between(at(2026, 4, 10, 17), at(2026, 4, 13, 10), ALMATY) == 120
    assert working_minutes_between(at(2026, 4, 13, 10), at(2026, 4, 10, 17), ALMATY) == 0
    # Over the Nauryz holidays: Friday 20 March 17:00 to Thursday 26 March 09:30.
    assert working_minutes_between(at(2026, 3, 20, 17), at(2026, 3, 26, 9, 30), ALMATY) == 90


def test_the_same_local_deadline_is_a_different_instant_in_each_zone():
    almaty = due_at(filed_at=at(2026, 4, 8, 10), value=2, unit="working_days", tz=ALMATY)
    moscow = due_at(filed_at=at(2026, 4, 8, 10, tz=MOSCOW), value=2, unit="working_days", tz=MOSCOW)
    assert almaty.tzinfo is ALMATY and moscow.tzinfo is MOSCOW
    assert (
        almaty.replace(tzinfo=None) == moscow.replace(tzinfo=None) == dt.datetime(2026, 4, 10, 18)
    )
    assert almaty.astimezone(dt.UTC) == dt.datetime(2026, 4, 10, 13, tzinfo=dt.UTC)
    assert moscow.astimezone(dt.UTC) == dt.datetime(2026, 4, 10, 15, tzinfo=dt.UTC)


def test_the_day_of_filing_is_the_local_date_of_the_centre():
    # Thursday 20:30 UTC is already Friday 01:30 in Almaty, still Thursday 23:30 in Moscow.
    filed = dt.datetime(2026, 4, 9, 20, 30, tzinfo=dt.UTC)
    almaty = due_at(filed_at=filed, value=1, unit="working_days", tz=ALMATY)
    moscow = due_at(filed_at=filed, value=1, unit="working_days", tz=MOSCOW)
    assert almaty == at(2026, 4, 13, 18)
    assert moscow == at(2026, 4, 10, 18, tz=MOSCOW)


def test_a_transfer_makes_a_saturday_working_at_once():
    saturday = D(2026, 4, 11)
    assert add_working_days(D(2026, 4, 10), 1) == D(2026, 4, 13)
    DayTransfer.objects.create(date=saturday, kind=DayTransfer.Kind.WORKING_DAY)
    assert is_working_day(saturday)
    assert add_working_days(D(2026, 4, 10), 1) == saturday
    assert working_days_between(D(2026, 4, 10), D(2026, 4, 13)) == 2
    filed = at(2026, 4, 10, 19, 30)
    assert due_at(filed_at=filed, value=1, unit="hours", tz=ALMATY) == at(2026, 4, 11, 10)
    assert due_at(filed_at=filed, value=1, unit="calendar_days", tz=ALMATY) == at(2026, 4, 11, 18)


def test_a_transfer_makes_a_monday_a_day_off_at_once():
    monday = D(2026, 4, 13)
    filed = at(2026, 4, 10, 12)
    assert due_at(filed_at=filed, value=1, unit="working_days", tz=ALMATY) == at(2026, 4, 13, 18)
    transfer = DayTransfer.objects.create(date=monday, kind=DayTransfer.Kind.DAY_OFF)
    assert not is_working_day(monday)
    assert due_at(filed_at=filed, value=1, unit="working_days", tz=ALMATY) == at(2026, 4, 14, 18)
    assert due_at(filed_at=filed, value=8, unit="hours", tz=ALMATY) == at(2026, 4, 14, 11)
    transfer.delete()
    assert is_working_day(monday)


def test_a_transfer_overrides_the_package():
    DayTransfer.objects.create(date=D(2026, 8, 31), kind=DayTransfer.Kind.DAY_OFF)
    DayTransfer.objects.create(date=D(2026, 5, 27), kind=DayTransfer.Kind.WORKING_DAY)
    DayTransfer.objects.create(date=D(2025, 1, 5), kind=DayTransfer.Kind.DAY_OFF)
    assert not is_working_day(D(2026, 8, 31))
    assert is_working_day(D(2026, 5, 27))
    assert not is_working_day(D(2025, 1, 5))


@pytest.mark.parametrize(
    ("filed", "value", "unit", "problem"),
    [
        (at(2026, 4, 8, 10), 1, "weeks", "unknown term unit"),
        (at(2026, 4, 8, 10), 0, "working_days", "at least 1"),
        (at(2026, 4, 8, 10), -3, "minutes", "at least 1"),
        (dt.datetime(2026, 4, 8, 10), 1, "hours", "aware"),
        (dt.datetime(2026, 4, 8, 10), 1, "working_days", "aware"),
    ],
)
def test_due_at_refuses_what_is_not_a_term(filed, value, unit, problem):
    with pytest.raises(ValueError, match=problem):
        due_at(filed_at=filed, value=value, unit=unit, tz=ALMATY)


def test_pause_and_resume_in_working_days():
    due = due_at(filed_at=at(2026, 4, 6, 10), value=10, unit="working_days", tz=ALMATY)
    assert due == at(2026, 4, 20, 18)
    # Paused on Thursday 9 April: the 9th counts as spent, 7 working days are left.
    left = pause_remaining(due=due, paused_at=at(2026, 4, 9, 15), unit="working_days", tz=ALMATY)
    assert left == 7
    # Refiled on 28 April; 1, 7 and 11 May are days off.
    resumed = resume_due(
        resumed_at=at(2026, 4, 28, 12), remaining=7, unit="working_days", tz=ALMATY
    )
    assert resumed == at(2026, 5, 12, 18)


def test_pause_and_resume_in_hours():
    due = due_at(filed_at=at(2026, 4, 10, 14), value=2, unit="hours", tz=ALMATY)
    left = pause_remaining(due=due, paused_at=at(2026, 4, 10, 15), unit="hours", tz=ALMATY)
    assert left == 60  # working minutes, for hours too
    resumed = resume_due(
        resumed_at=at(2026, 4, 13, 17, 30), remaining=left, unit="hours", tz=ALMATY
    )
    assert resumed == at(2026, 4, 14, 9, 30)


def test_pause_and_resume_in_calendar_days():
    due = due_at(filed_at=at(2026, 4, 1, 10), value=30, unit="calendar_days", tz=ALMATY)
    assert due == at(2026, 5, 4, 18)
    # What is left counts up to the real due day, the move off the holiday included.
    left = pause_remaining(due=due, paused_at=at(2026, 4, 10, 9), unit="calendar_days", tz=ALMATY)
    assert left == 24
    resumed = resume_due(
        resumed_at=at(2026, 4, 20, 16), remaining=left, unit="calendar_days", tz=ALMATY
    )
    assert resumed == at(2026, 5, 14, 18)


def test_a_term_paused_on_its_last_day_is_due_at_once_when_resumed():
    due = at(2026, 4, 13, WORKDAY_END.hour)
    for unit in ("working_days", "calendar_days"):
        left = pause_remaining(due=due, paused_at=at(2026, 4, 13, 10), unit=unit, tz=ALMATY)
        assert left == 0
        refiled = at(2026, 4, 20, 11)
        assert resume_due(resumed_at=refiled, remaining=left, unit=unit, tz=ALMATY) == refiled
    overdue = pause_remaining(due=due, paused_at=at(2026, 4, 14, 10), unit="hours", tz=ALMATY)
    assert overdue == 0
    with pytest.raises(ValueError):
        resume_due(resumed_at=at(2026, 4, 20, 11), remaining=-1, unit="hours", tz=ALMATY)


def test_a_partial_minute_is_dropped_at_the_pause():
    due = at(2026, 4, 13, 10, 15).replace(second=30)
    paused_at = at(2026, 4, 13, 10, 5).replace(second=10)
    assert pause_remaining(due=due, paused_at=paused_at, unit="minutes", tz=ALMATY) == 10
