"""The one rule for text: no lone surrogate, no control character but line breaks and
tabs in text that may run over lines, no invisible formatting character but the joiners."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from onestop.validation import ALLOWED_FORMAT_CHARACTERS, unsafe_character

FORBIDDEN = st.characters(categories=["Cc", "Cf", "Cs"]).filter(
    lambda c: c not in ALLOWED_FORMAT_CHARACTERS and c not in "\n\r\t"
)
PLAIN = st.text(st.characters(exclude_categories=["Cc", "Cf", "Cs"]))


@given(PLAIN, FORBIDDEN, PLAIN)
def test_any_control_or_format_character_anywhere_is_found(before, bad, after):
    assert unsafe_character(before + bad + after) == bad
    assert unsafe_character(before + bad + after, multiline=False) is not None


@given(
    st.text(
        st.characters(exclude_categories=["Cc", "Cf", "Cs"]) | st.sampled_from("\n\t\u200c\u200d")
    )
)
def test_text_of_any_script_with_line_breaks_and_joiners_is_accepted(text):
    assert unsafe_character(text) is None


def test_a_line_may_not_break():
    assert unsafe_character("two\nlines", multiline=False) == "\n"
    assert unsafe_character("Айгерім Сәрсенқызы", multiline=False) is None
    assert unicodedata.category(unsafe_character("a\u202eb")) == "Cf"
