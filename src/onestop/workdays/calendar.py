"""The working calendar of Kazakhstan and the deadlines of applications.

Where the days off come from, in order of precedence:

1. `DayTransfer` rows entered by an administrator. They override everything else for their
   date and are read from the database on every call, so a new row counts at once, in
   every process, without a restart.
2. The `holidays` package (`holidays.country_holidays("KZ")`, checked with 0.109), cached
   per year. For Kazakhstan it already includes:
   - the statutory holidays, and since 2002 the substitute day off on the next working day
     when a holiday falls on a Saturday or Sunday (2026: 9 March for 8 March, 24-25 March
     for Nauryz, 11 May for 9 May, 26 October for 25 October). Orthodox Christmas (7
     January) and Kurban Ait are never moved, as the law says;
   - the government's transfers of days off for 2000-2025 (2025: Friday 3 January off,
     Sunday 5 January working). The day off is a holiday; the weekend day made working is
     in `weekend_workdays`, which we honour too. No transfer was decreed for 2026 (the
     official calendar has only the substitutes above), and the package knows none for
     later years: those go in the `DayTransfer` table;
   - Kurban Ait after 2025 as an estimate (27 May 2026), and no Constitution Day in 2026
     (the new Constitution moves it from 30 August to 15 March from 2027).
3. Saturday and Sunday are days off; every other day is a working day.

Working time, for terms in minutes and hours, is 09:00-18:00 local time on working days,
counted on the local wall clock, with no lunch break. Terms in days end at 18:00 local
time on their last day. The day of filing never counts.
"""

import datetime
import functools
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import holidays

from onestop.workdays.models import DayTransfer

WORKDAY_START = datetime.time(9, 0)
WORKDAY_END = datetime.time(18, 0)

MINUTES = "minutes"
HOURS = "hours"
WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
TERM_UNITS = (MINUTES, HOURS, WORKING_DAYS, CALENDAR_DAYS)

ONE_DAY = datetime.timedelta(days=1)
ONE_MINUTE = datetime.timedelta(minutes=1)

# {date: True if it is a working day} for the transfers of the range a call needs.
Transfers = Mapping[datetime.date, bool]


@functools.lru_cache(maxsize=256)
def _statutory_year(year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
    """Holidays with their substitutes, and weekend days made working, per the package."""
    kazakhstan = holidays.country_holidays("KZ", years=year)
    days_off = frozenset(kazakhstan.keys())
    working_weekend_days = frozenset(d for d in kazakhstan.weekend_workdays if d.year == year)
    return days_off, working_weekend_days


def _transfers(first: datetime.date, last: datetime.date | None = None) -> Transfers:
    """The administrator's transfers from `first` to `last` (inclusive; open-ended if None)."""
    rows = DayTransfer.objects.filter(date__gte=first)
    if last is not None:
        rows = rows.filter(date__lte=last)
    return {
        day: kind == DayTransfer.Kind.WORKING_DAY for day, kind in rows.values_list("date", "kind")
    }


def _is_working(day: datetime.date, transfers: Transfers) -> bool:
    if day in transfers:
        return transfers[day]
    days_off, working_weekend_days = _statutory_year(day.year)
    if day.weekday() >= 5:
        return day in working_weekend_days
    return day not in days_off


def _next_working_day(day: datetime.date, transfers: Transfers) -> datetime.date:
    """The first working day strictly after `day`."""
    day += ONE_DAY
    while not _is_working(day, transfers):
        day += ONE_DAY
    return day


def _in_zone(moment: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(tz)


def _local(moment: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """`moment` on the local wall clock of `tz`, as a naive datetime."""
    return _in_zone(moment, tz).replace(tzinfo=None)


def _closing(day: datetime.date, tz: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, WORKDAY_END, tzinfo=tz)


def is_working_day(day: datetime.date) -> bool:
    """Whether the back office works on `day`: a transfer decides first, then the law."""
    return _is_working(day, _transfers(day, day))


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day`; `day` itself never counts (0 gives `day` back)."""
    if n < 0:
        raise ValueError("the number of working days cannot be negative")
    transfers = _transfers(day + ONE_DAY)
    for _ in range(n):
        day = _next_working_day(day, transfers)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days in (start, end]; 0 when end is not after start."""
    if end <= start:
        return 0
    transfers = _transfers(start + ONE_DAY, end)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        count += _is_working(day, transfers)
        day += ONE_DAY
    return count


def _working_moment(local: datetime.datetime, transfers: Transfers) -> datetime.datetime:
    """`local` itself if it is working time, otherwise the start of the next working period."""
    day = local.date()
    if _is_working(day, transfers) and local.time() < WORKDAY_END:
        return max(local, datetime.datetime.combine(day, WORKDAY_START))
    return datetime.datetime.combine(_next_working_day(day, transfers), WORKDAY_START)


def add_working_minutes(start: datetime.datetime, minutes: int, tz: ZoneInfo) -> datetime.datetime:
    """The moment `minutes` of working time after `start`, in `tz`. Counting outside working
    time starts at the next working period, so a positive term always ends in working time."""
    if minutes < 0:
        raise ValueError("the number of minutes cannot be negative")
    if minutes == 0:
        return _in_zone(start, tz)
    local = _local(start, tz)
    transfers = _transfers(local.date())
    left = datetime.timedelta(minutes=minutes)
    moment = _working_moment(local, transfers)
    while True:
        closing = datetime.datetime.combine(moment.date(), WORKDAY_END)
        if moment + left <= closing:
            return (moment + left).replace(tzinfo=tz)
        left -= closing - moment
        moment = datetime.datetime.combine(
            _next_working_day(moment.date(), transfers), WORKDAY_START
        )


def working_minutes_between(start: datetime.datetime, end: datetime.datetime, tz: ZoneInfo) -> int:
    """Whole minutes of working time in [start, end]; 0 when end is not after start."""
    local_start, local_end = _local(start, tz), _local(end, tz)
    if local_end <= local_start:
        return 0
    transfers = _transfers(local_start.date(), local_end.date())
    worked = datetime.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if _is_working(day, transfers):
            opens = max(local_start, datetime.datetime.combine(day, WORKDAY_START))
            closes = min(local_end, datetime.datetime.combine(day, WORKDAY_END))
            if closes > opens:
                worked += closes - opens
        day += ONE_DAY
    return worked // ONE_MINUTE


def _first_working_day_from(day: datetime.date) -> datetime.date:
    """`day` if it is a working day, otherwise the next one: a deadline on a day off moves."""
    transfers = _transfers(day)
    return day if _is_working(day, transfers) else _next_working_day(day, transfers)


def due_at(
    *, filed_at: datetime.datetime, value: int, unit: str, tz: ZoneInfo
) -> datetime.datetime:
    """The deadline of a term of `value` `unit`s filed at `filed_at`, in `tz`: always after
    `filed_at`, always on a working day, and never earlier for a longer term."""
    if unit not in TERM_UNITS:
        raise ValueError(f"unknown term unit: {unit!r}")
    if value < 1:
        raise ValueError("a term must be at least 1")
    if unit == MINUTES:
        return add_working_minutes(filed_at, value, tz)
    if unit == HOURS:
        return add_working_minutes(filed_at, value * 60, tz)
    filed_on = _local(filed_at, tz).date()
    if unit == WORKING_DAYS:
        return _closing(add_working_days(filed_on, value), tz)
    return _closing(_first_working_day_from(filed_on + datetime.timedelta(days=value)), tz)


def pause_remaining(
    *, due: datetime.datetime, paused_at: datetime.datetime, unit: str, tz: ZoneInfo
) -> int:
    """What is left of a term when its clock stops, never negative: working minutes for
    `minutes` and `hours`, working days for `working_days`, calendar days for `calendar_days`.

    Minute units count whole working minutes up to `due`; a partial minute is dropped. Day
    units count whole days: the day of the pause counts as spent, whatever the hour, so what
    is left are the days after it up to the due day (for calendar days, the due day as moved
    off a day off). A term paused on its due day, or later, has nothing left.
    """
    if unit not in TERM_UNITS:
        raise ValueError(f"unknown term unit: {unit!r}")
    if unit in (MINUTES, HOURS):
        return working_minutes_between(paused_at, due, tz)
    paused_on, due_on = _local(paused_at, tz).date(), _local(due, tz).date()
    if unit == WORKING_DAYS:
        return working_days_between(paused_on, due_on)
    return max((due_on - paused_on).days, 0)


def resume_due(
    *, resumed_at: datetime.datetime, remaining: int, unit: str, tz: ZoneInfo
) -> datetime.datetime:
    """The new deadline when an application is filed again with `remaining` of its term left
    (as `pause_remaining` gives it). Day units count like a new filing: the day of refiling
    does not count. With nothing left, the application is due at once."""
    if unit not in TERM_UNITS:
        raise ValueError(f"unknown term unit: {unit!r}")
    if remaining < 0:
        raise ValueError("what remains of a term cannot be negative")
    if remaining == 0:
        return _in_zone(resumed_at, tz)
    if unit in (MINUTES, HOURS):
        return add_working_minutes(resumed_at, remaining, tz)
    return due_at(filed_at=resumed_at, value=remaining, unit=unit, tz=tz)
