"""IIN and BIN: Kazakhstan's 12-digit numbers for people and for legal entities.

IIN: YYMMDD birth date, a digit for century and sex, four serial digits, a check digit.
BIN: YYMM of registration, an entity-type digit, a unit digit, five serial digits, a check
digit. The check digit is the weighted sum of the first eleven digits modulo 11 with weights
1..11; when that gives 10, weights 3..11,1,2; a second 10 means no such number is issued.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onestop.problems import InvalidField

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Seventh IIN digit: (first year of the century, sex).
CENTURY_AND_SEX = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}

# Fifth BIN digit: what kind of entity registered.
BIN_ENTITY_TYPES = {
    "4": _("resident legal entity"),
    "5": _("non-resident legal entity"),
    "6": _("joint individual entrepreneurship"),
}
# Sixth BIN digit: head office, branch, representative office, peasant farm.
BIN_UNITS = {"0", "1", "2", "3"}


def check_digit(first_eleven: str) -> int | None:
    """The check digit of an IIN or BIN, or None when the number cannot be issued."""
    digits = [int(c) for c in first_eleven]
    remainder = sum(d * w for d, w in zip(digits, FIRST_WEIGHTS, strict=True)) % 11
    if remainder == 10:
        remainder = sum(d * w for d, w in zip(digits, SECOND_WEIGHTS, strict=True)) % 11
        if remainder == 10:
            return None
    return remainder


@dataclass(frozen=True)
class IINFacts:
    iin: str
    birth_date: datetime.date
    sex: str


class InvalidIIN(InvalidField):
    def __init__(self, message, field: str = "iin"):
        super().__init__(field, "invalid_iin", message)


class InvalidBIN(InvalidField):
    def __init__(self, message, field: str = "bin"):
        super().__init__(field, "invalid_bin", message)


def _twelve_digits(value: str) -> bool:
    return len(value) == 12 and value.isascii() and value.isdigit()


def parse_iin(value: str, *, field: str = "iin") -> IINFacts:
    """Validates an IIN and returns what it says about the person; raises InvalidIIN."""
    value = (value or "").strip()
    if not _twelve_digits(value):
        raise InvalidIIN(_("An IIN is exactly 12 digits."), field)
    century = CENTURY_AND_SEX.get(value[6])
    if century is None:
        raise InvalidIIN(_("The 7th digit of an IIN must be 1 to 6 (century and sex)."), field)
    try:
        birth_date = datetime.date(century[0] + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIIN(
            _("The first six digits of an IIN must be a real birth date."), field
        ) from None
    if birth_date > datetime.date.today():
        raise InvalidIIN(_("The birth date in this IIN is in the future."), field)
    expected = check_digit(value[:11])
    if expected is None:
        raise InvalidIIN(_("No IIN is issued with these first eleven digits."), field)
    if expected != int(value[11]):
        raise InvalidIIN(_("The check digit of this IIN is wrong; look for a typo."), field)
    return IINFacts(iin=value, birth_date=birth_date, sex=century[1])


def validate_iin(value: str) -> None:
    """Django field validator."""
    from django.core.exceptions import ValidationError

    try:
        parse_iin(value)
    except InvalidIIN as error:
        raise ValidationError(error.detail, code="invalid_iin") from None


def parse_bin(value: str, *, field: str = "bin") -> str:
    """Validates a BIN; raises InvalidBIN."""
    value = (value or "").strip()
    if not _twelve_digits(value):
        raise InvalidBIN(_("A BIN is exactly 12 digits."), field)
    if not 1 <= int(value[2:4]) <= 12:
        raise InvalidBIN(_("Digits 3 and 4 of a BIN are the month of registration."), field)
    if value[4] not in BIN_ENTITY_TYPES:
        raise InvalidBIN(_("The 5th digit of a BIN must be 4, 5 or 6 (type of entity)."), field)
    if value[5] not in BIN_UNITS:
        raise InvalidBIN(_("The 6th digit of a BIN must be 0 to 3 (kind of unit)."), field)
    expected = check_digit(value[:11])
    if expected is None:
        raise InvalidBIN(_("No BIN is issued with these first eleven digits."), field)
    if expected != int(value[11]):
        raise InvalidBIN(_("The check digit of this BIN is wrong; look for a typo."), field)
    return value


def validate_bin(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        parse_bin(value)
    except InvalidBIN as error:
        raise ValidationError(error.detail, code="invalid_bin") from None


def make_iin(birth_date: datetime.date, sex: str, serial: int) -> str | None:
    """The IIN for a birth date, sex and serial number, or None if that serial cannot be issued."""
    century = {
        (1800, "male"): "1", (1800, "female"): "2",
        (1900, "male"): "3", (1900, "female"): "4",
        (2000, "male"): "5", (2000, "female"): "6",
    }[(birth_date.year // 100 * 100, sex)]  # fmt: skip
    first = f"{birth_date:%y%m%d}{century}{serial:04d}"
    digit = check_digit(first)
    return None if digit is None else f"{first}{digit}"


def make_bin(year: int, month: int, entity_type: str, unit: str, serial: int) -> str | None:
    first = f"{year % 100:02d}{month:02d}{entity_type}{unit}{serial:05d}"
    digit = check_digit(first)
    return None if digit is None else f"{first}{digit}"
