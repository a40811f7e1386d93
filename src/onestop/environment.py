"""The ONESTOP_* environment variables, each read as what it stands for
(docs/configuration.md).

A value that does not read as its kind stops the program at start with a message that
names the variable and says what it takes (`onestop` prints it on one line), rather than
a traceback from deep inside Django or, worse, a setting quietly taken for its default:
`ONESTOP_RATE_LIMITS=of` must not leave the limits on without a word.
"""

import os
import re
import zoneinfo
from collections.abc import Collection

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PREFIX = "ONESTOP_"

_ON = {"1", "on", "true", "yes"}
_OFF = {"0", "off", "false", "no"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class BadSetting(ImproperlyConfigured):
    """An ONESTOP_* variable whose value does not read as its kind. The value is left
    out of the message when it may hold a password."""

    def __init__(self, name: str, value: str | None, takes: str):
        self.name = PREFIX + name
        shown = self.name if value is None else f"{self.name}={value!r}"
        super().__init__(f"{shown}: {takes} (docs/configuration.md)")


def text(name: str, default: str = "") -> str:
    """ONESTOP_<name> as it is, or `default` when unset."""
    return os.environ.get(PREFIX + name, default)


def _given(name: str) -> str | None:
    """The variable's value stripped of blanks; None when unset or blank."""
    value = os.environ.get(PREFIX + name, "").strip()
    return value or None


def flag(name: str, default: bool) -> bool:
    """on/off (also 1/0, true/false, yes/no, in any case)."""
    value = _given(name)
    if value is None:
        return default
    if value.lower() in _ON:
        return True
    if value.lower() in _OFF:
        return False
    raise BadSetting(name, value, "takes on or off")


def whole(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number, at least `minimum`."""
    return _number(name, default, int, "a whole number", minimum, None)


def number(
    name: str, default: float, *, minimum: float = 0.0, maximum: float | None = None
) -> float:
    """A number, fractions allowed, between `minimum` and `maximum`."""
    return _number(name, default, float, "a number", minimum, maximum)


def _number(name, default, kind: type, what: str, minimum, maximum):
    value = _given(name)
    if value is None:
        return default
    try:
        result = kind(value)
    except ValueError:
        raise BadSetting(name, value, f"takes {what}") from None
    # NaN compares false with everything: not a number in range either.
    if not (minimum <= result and (maximum is None or result <= maximum)):
        bounds = (
            f"of at least {minimum:g}" if maximum is None else f"from {minimum:g} to {maximum:g}"
        )
        raise BadSetting(name, value, f"takes {what} {bounds}")
    return result


def choice(name: str, default: str, choices: Collection[str], *, upper: bool = False) -> str:
    """One of `choices` (compared in upper case when `upper`)."""
    value = _given(name)
    if value is None:
        return default
    chosen = value.upper() if upper else value
    if chosen not in choices:
        raise BadSetting(name, value, "takes one of " + ", ".join(choices))
    return chosen


DATABASE_SCHEMES = ("postgres", "postgresql", "sqlite")


def database_url(name: str, *, conn_max_age: int) -> dict | None:
    """Django's DATABASES entry for a PostgreSQL or SQLite URL, None when unset. The
    value is not repeated in an error: it may hold a password."""
    value = _given(name)
    if value is None:
        return None
    takes = "takes a URL such as postgres://user:password@host:5432/onestop or sqlite:///path"
    if value.split("://", 1)[0].lower() not in DATABASE_SCHEMES or "://" not in value:
        raise BadSetting(name, None, takes)
    try:
        return dict(dj_database_url.parse(value, conn_max_age=conn_max_age))
    except ValueError:
        raise BadSetting(name, None, takes) from None


def time_zone(name: str, default: str) -> str:
    """A time zone of the IANA database (Asia/Almaty)."""
    value = _given(name)
    if value is None:
        return default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise BadSetting(name, value, "takes a time zone such as Asia/Almaty") from None
    return value


RATE = re.compile(r"\d+/\d*[smhd]")


def rates(name: str, defaults: dict[str, str]) -> dict[str, str]:
    """Request-rate limits as `name=count/period` pairs, comma-separated
    (`login-address=120/m,booking-address=600/h`; periods s, m, h, d, with an optional
    multiple: `10/5m`); the limits not named keep their defaults."""
    value = _given(name)
    if value is None:
        return dict(defaults)
    takes = "takes name=count/period pairs (60/m, 10/5m) for " + ", ".join(defaults)
    chosen = dict(defaults)
    for pair in value.split(","):
        limit, _sep, rate = (part.strip() for part in pair.partition("="))
        if limit not in defaults or not RATE.fullmatch(rate):
            raise BadSetting(name, value, takes)
        chosen[limit] = rate
    return chosen
