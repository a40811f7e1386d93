import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from onestop.people.iin import (
    InvalidBIN,
    InvalidIIN,
    check_digit,
    make_bin,
    make_iin,
    parse_bin,
    parse_iin,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_messages_come_in_the_active_language():
    with translation.override("ru"):
        with pytest.raises(InvalidIIN) as caught:
            parse_iin("900101300048")
        assert "контрольная цифра" in str(caught.value.detail).lower()


# Computed by hand from the published rule (weights 1..11, then 3..11,1,2).
VALID_IINS = [
    ("900101300041", datetime.date(1990, 1, 1), "male"),
    ("021231650002", datetime.date(2002, 12, 31), "female"),
]


def test_check_digit_first_weights():
    # 9*1+0*2+0*3+1*4+0*5+1*6+3*7+0*8+0*9+0*10+4*11 = 84 -> 84 % 11 = 7
    assert check_digit("90010130004") == 7


def test_check_digit_falls_back_to_second_weights_and_can_be_unissuable():
    firsts = {}
    for serial in range(0, 10000):
        first = f"8506153{serial:04d}"
        digits = [int(c) for c in first]
        primary = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
        secondary = (
            sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True))
            % 11
        )
        if primary == 10 and secondary != 10:
            firsts.setdefault("second", (first, secondary))
        if primary == 10 and secondary == 10:
            firsts.setdefault("none", first)
    first, secondary = firsts["second"]
    assert check_digit(first) == secondary
    assert check_digit(firsts["none"]) is None
    with pytest.raises(InvalidIIN, match="No IIN is issued"):
        parse_iin(firsts["none"] + "0")


@pytest.mark.parametrize(
    "iin",
    [
        make_iin(datetime.date(1990, 1, 1), "male", 4),
        make_iin(datetime.date(2002, 12, 31), "female", 0),
    ],
)
def test_valid_iin_gives_birth_date_and_sex(iin):
    facts = parse_iin(iin)
    assert facts.iin == iin
    assert facts.birth_date in {datetime.date(1990, 1, 1), datetime.date(2002, 12, 31)}


def test_known_iin():
    iin = make_iin(datetime.date(1990, 1, 1), "male", 4)
    assert iin == "900101300047"
    facts = parse_iin(iin)
    assert facts.birth_date == datetime.date(1990, 1, 1) and facts.sex == "male"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("90010130004", "exactly 12 digits"),
        ("90010130004x", "exactly 12 digits"),
        ("９００１０１３０００４７", "exactly 12 digits"),  # full-width digits are not ASCII
        ("900101700047", "7th digit"),
        ("900230300047", "real birth date"),  # 30 February
        ("901301300047", "real birth date"),
        ("900101300048", "check digit"),
    ],
)
def test_invalid_iins_are_named(value, message):
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(value)
    assert message in str(caught.value.detail)
    assert caught.value.errors == [
        {"field": "iin", "code": "invalid_iin", "message": caught.value.detail}
    ]


def test_future_birth_date_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    iin = None
    serial = 0
    while iin is None:
        iin = make_iin(tomorrow, "female", serial)
        serial += 1
    with pytest.raises(InvalidIIN, match="future"):
        parse_iin(iin)


dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31))


@given(birth=dates, sex=st.sampled_from(["male", "female"]), serial=st.integers(0, 9999))
def test_every_issued_iin_parses_back(birth, sex, serial):
    iin = make_iin(birth, sex, serial)
    if iin is None:
        return  # that serial cannot be issued for that date and sex
    facts = parse_iin(iin)
    assert (facts.birth_date, facts.sex) == (birth, sex)


def reference_check(number: str) -> bool:
    """The published rule, written out independently of the code under test."""
    digits = [int(c) for c in number]
    total = sum(digits[i] * (i + 1) for i in range(11)) % 11
    if total == 10:
        total = sum(digits[i] * ((i + 2) % 11 + 1) for i in range(11)) % 11
        if total == 10:
            return False
    return total == digits[11]


@given(
    birth=dates,
    sex=st.sampled_from(["male", "female"]),
    serial=st.integers(0, 9999),
    position=st.integers(7, 11),
    delta=st.integers(0, 9),
)
def test_validity_agrees_with_the_published_rule(birth, sex, serial, position, delta):
    issued = (
        make_iin(birth, sex, serial) or f"{birth:%y%m%d}{parse_century(birth, sex)}{serial:04d}0"
    )
    candidate = (
        issued[:position] + str((int(issued[position]) + delta) % 10) + issued[position + 1 :]
    )
    try:
        parse_iin(candidate)
        accepted = True
    except InvalidIIN:
        accepted = False
    assert accepted == reference_check(candidate)


def parse_century(birth, sex):
    return {(1900, "male"): 3, (1900, "female"): 4, (2000, "male"): 5, (2000, "female"): 6}[
        (birth.year // 100 * 100, sex)
    ]


def test_valid_bin():
    value = make_bin(2015, 3, "4", "0", 12345)
    assert value is not None
    assert parse_bin(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1503400123", "exactly 12 digits"),
        ("151340012345", "month"),
        ("150370012345", "5th digit"),
        ("150349012345", "6th digit"),
    ],
)
def test_invalid_bins_are_named(value, message):
    with pytest.raises(InvalidBIN) as caught:
        parse_bin(value)
    assert message in str(caught.value.detail)
    assert caught.value.errors[0]["code"] == "invalid_bin"


def test_bin_with_wrong_check_digit():
    value = make_bin(2015, 3, "4", "0", 12345)
    wrong = value[:11] + str((int(value[11]) + 1) % 10)
    with pytest.raises(InvalidBIN, match="check digit"):
        parse_bin(wrong)
