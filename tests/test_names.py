"""Name normalising: the ASCII shortcut is NFKC and case-folding exactly, and the one-pass join
normalises each name as alone."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from cartq.names import folded, normalise, normalise_joined

ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=30)
any_text = st.text(max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.one_of(ascii_text, any_text))
def test_folding_is_nfkc_then_casefold(text: str) -> None:
    assert folded(text) == unicodedata.normalize("NFKC", text).casefold()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ascii_text, any_text), max_size=5))
def test_joined_names_normalise_each_alone(texts: list[str]) -> None:
    assert normalise_joined(texts) == "|".join(normalise(text) for text in texts)


def test_spellings_of_one_name_normalise_alike() -> None:
    assert normalise("Eque-Cel") == normalise("equecel") == normalise("ＥＱＵＥ cel") == "equecel"
