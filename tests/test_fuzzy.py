"""The hand-written fuzzy scores (domain.fuzzy) are rapidfuzz's, bit for bit, and leaving out the
names that cannot reach the floor never changes what a lookup answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cartq.domain import fuzzy
from cartq.domain.resolve import resolve_match
from cartq.errors import NotFound
from cartq.factbase import open_store

# Few letters, so that strings share characters, repeat them and transpose them often.
words = st.text(alphabet="abcab中é-", max_size=14)


@settings(max_examples=500, deadline=None)
@given(words, words)
def test_each_score_is_rapidfuzzs(a: str, b: str) -> None:
    assert fuzzy.ratio(a, b) == fuzz.ratio(a, b, processor=None)
    assert fuzzy.osa_similarity(a, b) == OSA.normalized_similarity(a, b, processor=None) * 100.0
    common = fuzzy.shared(a, b)
    # The bound that lets a name be left out is a bound.
    assert fuzzy.ratio(a, b) <= 200.0 * common / max(1, len(a) + len(b)) + 1e-9 or not (a or b)
    assert fuzzy.osa_similarity(a, b) <= 100.0 * common / max(1, len(a), len(b)) + 1e-9 or not (a or b)


@settings(max_examples=150, deadline=None)
@given(words.filter(bool), st.lists(words, min_size=1, max_size=60))
def test_the_best_names_are_rapidfuzzs_in_its_order(query: str, names: list[str]) -> None:
    by_ratio, by_osa = fuzzy.best_matches(query, names, floor=0.0) if len(names) <= fuzzy.HAND_SCORED_MAX else ([], [])
    if len(names) > fuzzy.HAND_SCORED_MAX:
        return
    expected_ratio = process.extract(query, names, scorer=fuzz.ratio, processor=None, limit=fuzzy.LIMIT)
    expected_osa = process.extract(query, names, scorer=OSA.normalized_similarity, processor=None, limit=fuzzy.LIMIT)
    assert by_ratio == [(score, index) for _, score, index in expected_ratio]
    assert by_osa == [(score * 100.0, index) for _, score, index in expected_osa]


def _typos(name: str) -> list[str]:
    """A letter dropped, swapped with the next, and changed: the typos people make."""
    if len(name) < 4:
        return []
    middle = len(name) // 2
    return [
        name[:middle] + name[middle + 1 :],
        name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :],
        name[:middle] + "x" + name[middle + 1 :],
        name + "zz",
    ]


def _answer(store, kind: str, query: str) -> object:  # type: ignore[no-untyped-def]
    try:
        record, match = resolve_match(store, kind, query)
    except NotFound as error:
        return ("not found", error.message, error.suggestions, error.hint)
    return (record["id"], match)


@pytest.mark.parametrize("kind", ["product", "company", "target", "indication"])
def test_leaving_out_hopeless_names_changes_no_answer(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(None)
    queries = sorted({typo for _, label, _ in store.names(kind) for typo in _typos(label)} | {"zzzz", "qqqqqqq"})
    assert len(queries) > 50
    answers = {query: _answer(store, kind, query) for query in queries}
    assert any(
        answer[1] == {"query": q, "how": "fuzzy", "score": answer[1]["score"]}
        for q, answer in answers.items()
        if isinstance(answer[1], dict)
    )
    monkeypatch.setattr(fuzzy, "HAND_SCORED_MAX", -1)  # every name to rapidfuzz, as before
    for query in queries:
        assert _answer(store, kind, query) == answers[query], query
