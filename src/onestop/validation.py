"""What the platform accepts as text, moments and free-form data, for the API and the pages.

Text never holds a lone surrogate, a NUL or another control character, nor an invisible
formatting character (the right-to-left override U+202E makes "exe.fdp" read "pdf.exe");
line breaks and tabs are allowed where text may run over several lines. The zero-width
joiner and non-joiner (U+200D, U+200C) stay allowed: some scripts need them to spell
names. Moments and days lie between 1900 and 2199, so that no time-zone arithmetic on
them can overflow. Free-form data is bounded in size, depth and number of keys.
"""

import datetime
import json
import unicodedata
from typing import Annotated, Any

from django.core.exceptions import ValidationError as FormValidationError
from django.utils.translation import gettext as _
from ninja.parser import Parser
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from onestop.problems import InvalidField

# Joiners some scripts need inside a word (Persian, Indic, emoji sequences).
ALLOWED_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
LINE_CHARACTERS = frozenset("\n\r\t")

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2199, 12, 31)

# Free-form application data: what a service's form can need, no more.
MAX_DATA_BYTES = 64 * 1024
MAX_DATA_DEPTH = 6
MAX_DATA_KEYS = 500


def unsafe_character(value: str, *, multiline: bool = True) -> str | None:
    """The first character of `value` that text may not hold, or None."""
    for character in value:
        category = unicodedata.category(character)
        if category == "Cs":
            return character
        if category == "Cc" and not (multiline and character in LINE_CHARACTERS):
            return character
        if category == "Cf" and character not in ALLOWED_FORMAT_CHARACTERS:
            return character
    return None


def _control_message(character: str) -> str:
    return _("Remove the invisible character U+%(code)04X.") % {"code": ord(character)}


def check_text(value: str, *, multiline: bool = True) -> str:
    """For pydantic: refuses text with a character that text may not hold."""
    character = unsafe_character(value, multiline=multiline)
    if character is not None:
        message = _control_message(character)
        raise PydanticCustomError(
            "value_error", "{message}", {"code": "control_character", "message": message}
        )
    return value


def check_line(value: str) -> str:
    return check_text(value, multiline=False)


def validate_text(value: str) -> None:
    """For Django forms and models: the same rule as `Text`."""
    character = unsafe_character(value or "")
    if character is not None:
        raise FormValidationError(_control_message(character), code="control_character")


def validate_line(value: str) -> None:
    """For Django forms and models: the same rule as `Line` (no line breaks either)."""
    character = unsafe_character(value or "", multiline=False)
    if character is not None:
        raise FormValidationError(_control_message(character), code="control_character")


def _check_moment(value: datetime.datetime) -> datetime.datetime:
    if not EARLIEST <= value.date() <= LATEST:
        raise PydanticCustomError(
            "value_error",
            "{message}",
            {"code": "out_of_range", "message": _("Enter a date between 1900 and 2199.")},
        )
    return value


def _check_day(value: datetime.date) -> datetime.date:
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError(
            "value_error",
            "{message}",
            {"code": "out_of_range", "message": _("Enter a date between 1900 and 2199.")},
        )
    return value


def data_problem(value: Any) -> tuple[str, str] | None:
    """(code, message) when free-form data is too large, too deep or has too many keys."""
    try:
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError, RecursionError):
        return "invalid_type", _("Enter an object.")
    if size > MAX_DATA_BYTES:
        return "too_large", _("These data are too large: at most %(kb)d KB.") % {
            "kb": MAX_DATA_BYTES // 1024
        }
    keys = 0
    level = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > MAX_DATA_DEPTH:
            return "too_deep", _("These data are nested too deeply: at most %(n)d levels.") % {
                "n": MAX_DATA_DEPTH
            }
        if isinstance(item, dict):
            keys += len(item)
            level.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            level.extend((child, depth + 1) for child in item)
    if keys > MAX_DATA_KEYS:
        return "too_many_keys", _("These data have too many fields: at most %(n)d.") % {
            "n": MAX_DATA_KEYS
        }
    return None


def check_data(value: Any) -> Any:
    problem = data_problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "value_error", "{message}", {"code": problem[0], "message": problem[1]}
        )
    return value


# Types for the API's input schemas.
Text = Annotated[str, AfterValidator(check_text)]
Line = Annotated[str, AfterValidator(check_line)]
Moment = Annotated[datetime.datetime, AfterValidator(_check_moment)]
Day = Annotated[datetime.date, AfterValidator(_check_day)]
Data = Annotated[dict, AfterValidator(check_data)]


def line(max_length: int, default: Any = ..., **kwargs) -> Any:
    """A one-line text field of at most `max_length` characters."""
    return Field(default, max_length=max_length, **kwargs)


def _unreadable(value: Any, field: str) -> None:
    """Refuses a lone surrogate or a NUL anywhere in parsed input: no database, encoder or
    log can take them."""
    stack = [(value, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            texts = [item]
        elif isinstance(item, dict):
            texts = list(item)
            stack.extend(
                (child, f"{where}.{key}" if where else str(key)) for key, child in item.items()
            )
        elif isinstance(item, list):
            texts = []
            stack.extend(
                (child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item)
            )
        else:
            continue
        for text in texts:
            for character in text:
                if character == "\x00" or unicodedata.category(character) == "Cs":
                    raise InvalidField(
                        where or "body", "control_character", _control_message(character)
                    )


class InputParser(Parser):
    """Parses the API's JSON bodies and query strings, refusing what no field may hold."""

    def parse_body(self, request):
        data = super().parse_body(request)
        _unreadable(data, "")
        return data

    def parse_querydict(self, data, list_fields, request):
        for name, values in data.lists():
            for value in values:
                _unreadable({name: value}, "")
        return super().parse_querydict(data, list_fields, request)


def check_field(field: str, value: str, *, max_length: int, multiline: bool = True) -> str:
    """For services that pages call too: refuses text too long or holding a character that
    text may not hold (see the module's docstring), naming the field."""
    if len(value) > max_length:
        raise InvalidField(field, "too_long", _("This value is too long."))
    character = unsafe_character(value, multiline=multiline)
    if character is not None:
        raise InvalidField(field, "control_character", _control_message(character))
    return value


def check_form_data(data: dict[str, str], *, max_length: int = 200) -> dict[str, str]:
    """A page's free fields, bounded like the API's `data`."""
    for name, value in data.items():
        check_field(name, name, max_length=100, multiline=False)
        check_field(name, value, max_length=max_length)
    problem = data_problem(data)
    if problem is not None:
        raise InvalidField("data", *problem)
    return data


def check_data_field(field: str, value: Any) -> Any:
    """Free-form data bounded (see `data_problem`), naming the field."""
    problem = data_problem(value)
    if problem is not None:
        raise InvalidField(field, *problem)
    return value
