"""Property-based tests: no query and no mutation of the fact base makes cartq crash."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartq.errors import FactBaseError
from cartq.store import load_validated, parse_yaml, validate

from .conftest import FACTS, run

# Real argv cannot hold NUL; everything else may come from a user or a script.
queries = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=60)
COMMANDS = [
    ["product"],
    ["company"],
    ["target"],
    ["indication"],
    ["glossary"],
    ["search"],
    ["costs", "--country"],
    ["trials", "--target"],
    ["trials", "--sponsor"],
    ["timeline", "--indication"],
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), query=queries)
def test_any_query_gives_0_or_1_and_no_traceback(command: list[str], query: str) -> None:
    args = [*command, query] if command[-1].startswith("--") else [*command, "--", query]
    result = run(*args)
    assert result.exit_code in (0, 1), (args, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("cartq: ")


BASE: dict[str, Any] = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
SECTIONS = [k for k, v in BASE.items() if isinstance(v, list)]
junk = st.one_of(
    st.none(),
    st.integers(-10, 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        section = draw(st.sampled_from(SECTIONS))
        records = data[section]
        if not records:
            continue
        index = draw(st.integers(0, len(records) - 1))
        record = records[index]
        action = draw(st.sampled_from(["drop_field", "set_field", "duplicate", "delete", "new_field", "rename_id"]))
        key = draw(st.sampled_from(sorted(record)))
        if action == "drop_field":
            record.pop(key)
        elif action == "set_field":
            record[key] = draw(junk)
        elif action == "duplicate":
            records.append(copy.deepcopy(record))
        elif action == "delete":
            records.pop(index)
        elif action == "new_field":
            record[draw(st.text(min_size=1, max_size=8))] = draw(junk)
        else:
            record["id"] = draw(st.text(max_size=12))
    return data


@settings(max_examples=40, deadline=None)
@given(document=mutated())
def test_any_mutation_is_accepted_or_reported_never_a_crash(document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    path = Path("mutated.yaml")
    try:
        parsed = parse_yaml(text.encode("utf-8"), path)
        validate(parsed, text, path)
    except FactBaseError as error:
        assert error.message
        assert all(isinstance(p, str) and p for p in error.problems)


def test_the_unmutated_base_round_trips() -> None:
    assert load_validated(FACTS)["as_of"] == "2026-06-22"
