"""The support checks on the shipped fact base and on small broken copies of it, and the seed-coverage
table: every seed statement is in its seed and in the record the table names.

Runs without the CLI (no conftest import), so it can run while the command layer is rebuilt.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cartq.factbase.checks import load_validated
from cartq.factbase.spellings import date_spellings, number_spellings
from cartq.factbase.support import support_problems
from cartq.kinds import KINDS

from .seed_statements import STATEMENTS

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "data" / "facts.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
COMMANDS = {
    "product": "product",
    "company": "company",
    "target": "target",
    "indication": "indication",
    "term": "glossary",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return load_validated(FACTS)


@pytest.fixture
def base(shipped: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(shipped)


def record(data: dict[str, Any], section: str, rid: str) -> dict[str, Any]:
    return next(r for r in data[section] if r["id"] == rid)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def citations(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if isinstance(value.get("source"), str) and set(value) <= {"source", "quote", "note"}:
            yield value
            return
        for item in value.values():
            yield from citations(item)
    elif isinstance(value, list):
        for item in value:
            yield from citations(item)


# ---- the shipped base ------------------------------------------------------------------------


def test_the_shipped_fact_base_has_no_unsupported_value(shipped: dict[str, Any]) -> None:
    assert support_problems(shipped) == []


def test_spellings_of_dates_and_numbers() -> None:
    assert {"2023-06-30", "30 june 2023", "june 30, 2023", "2023年6月30日"} <= date_spellings("2023-06-30")
    assert {"april 2017", "2017-04", "2017年4月"} <= date_spellings("2017-04-01", "month")
    assert {"1,200,000", "1.2 million", "120万"} <= number_spellings(1200000)
    assert {"8", "eight", "八款"} <= number_spellings(8)
    assert "99.9万" in number_spellings(999000)


# ---- small bases that must fail, each for one reason ------------------------------------------


def test_an_invented_day_is_caught(base: dict[str, Any]) -> None:
    # Fucaso's approval is quoted as June 30, 2023; a day no citation gives must be reported.
    record(base, "events", "eque-cel-rrmm-approval")["date"] = "2023-06-29"
    problems = support_problems(base)
    assert len(problems) == 1
    assert "events[" in problems[0] and "'eque-cel-rrmm-approval'" in problems[0] and "date 2023-06-29" in problems[0]


def test_the_same_day_at_month_precision_needs_no_quote(base: dict[str, Any]) -> None:
    event = record(base, "events", "eque-cel-rrmm-approval")
    event["date"], event["date_precision"] = "2023-06-01", "month"
    assert support_problems(base) == []


def test_an_unquoted_headquarters_is_caught(base: dict[str, Any]) -> None:
    record(base, "companies", "peking-university")["headquarters"] = "Beijing"
    problems = support_problems(base)
    assert len(problems) == 1
    assert "'peking-university'" in problems[0] and "headquarters 'Beijing'" in problems[0]


def test_an_announcement_stored_as_an_approval_is_caught(base: dict[str, Any]) -> None:
    # Legend announced cilta-cel's approval on 2024-08-27; the NMPA's own date is unknown.
    event = record(base, "events", "cilta-cel-rrmm-approval")
    event["date"], event["date_precision"] = event["announced"], "day"
    problems = support_problems(base)
    assert any("'cilta-cel-rrmm-approval'" in p and "announcement date" in p for p in problems)


def test_an_exact_price_no_quote_gives_is_caught(base: dict[str, Any]) -> None:
    record(base, "prices", "cn-carteyva-list")["price"]["low"] = 1280000
    problems = support_problems(base)
    assert len(problems) == 1 and "'cn-carteyva-list'" in problems[0] and "price.low 1280000" in problems[0]


def test_a_count_no_quote_gives_is_caught(base: dict[str, Any]) -> None:
    record(base, "counts", "trials-registered-2024")["count"] = 350
    problems = support_problems(base)
    assert len(problems) == 1 and "'trials-registered-2024'" in problems[0] and "count 350" in problems[0]


def test_a_role_end_no_quote_gives_is_caught(base: dict[str, Any]) -> None:
    role = next(
        r
        for r in record(base, "products", "axi-cel")["companies"]
        if r["company"] == "kite-pharma" and r["role"] == "joint_venture_partner"
    )
    role["until"], role["until_precision"] = "2024-09-13", "day"
    problems = support_problems(base)
    assert (
        len(problems) == 1 and "kite-pharma, joint_venture_partner" in problems[0] and "until 2024-09-13" in problems[0]
    )


def test_contradicting_counts_without_a_conflict_marker_are_caught(base: dict[str, Any]) -> None:
    for rid in ("approved-2025-q2-nine", "approved-2025-09-seven"):
        count = record(base, "counts", rid)
        count["conflicts_with"], count["conflict"] = [], None
    problems = support_problems(base)
    assert len(problems) == 2 and all("conflict marker" in p for p in problems)


def test_a_mirror_graded_high_or_without_its_publisher_is_caught(base: dict[str, Any]) -> None:
    source = record(base, "sources", "fosun-sse-2023-06-27")
    source["reliability"], source["original_publisher"] = "high", None
    problems = support_problems(base)
    assert len(problems) == 2
    assert any("graded high" in p for p in problems) and any("original_publisher" in p for p in problems)


def test_a_blog_host_filed_as_a_press_release_is_caught(base: dict[str, Any]) -> None:
    record(base, "sources", "medbridgenz-cart-china")["kind"] = "press_release"
    problems = support_problems(base)
    assert len(problems) == 1 and "is a blog host" in problems[0]


# ---- the seed-coverage table ------------------------------------------------------------------


def test_the_table_covers_every_seed_and_many_statements() -> None:
    assert {file for file, *_ in STATEMENTS} == {p.name for p in SEEDS.glob("*.txt")}
    assert len(STATEMENTS) >= 150
    assert len({(file, quote) for file, quote, *_ in STATEMENTS}) == len(STATEMENTS)


def test_every_statement_is_in_its_seed_and_in_the_record_named(shipped: dict[str, Any]) -> None:
    texts = {p.name: squash(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    seed_ids = {s["seed_file"]: s["id"] for s in shipped["sources"] if s.get("seed_file")}
    records = {(spec.kind, r["id"]): r for spec in KINDS for r in shipped[spec.section]}
    by_id: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for (kind, rid), rec in records.items():
        by_id.setdefault(rid, []).append((kind, rec))
    missing = []
    for file, quote, command, rid in STATEMENTS:
        if squash(quote) not in texts[file]:
            missing.append(("not in seed", file, quote))
            continue
        holders = [
            kind
            for kind, rec in by_id.get(rid, [])
            if any(
                c["source"] == seed_ids[file] and squash(c.get("quote") or "") == squash(quote) for c in citations(rec)
            )
        ]
        if not holders:
            missing.append(("not held by", rid, quote))
            continue
        verb, *args = command
        if verb in COMMANDS.values():
            assert any(COMMANDS.get(kind) == verb for kind in holders), (command, rid)
        if verb == "search":
            rec = next(rec for kind, rec in by_id[rid] if kind in holders)
            text = " ".join(str(rec.get(f) or "") for f in ("name", "statement", "description", "definition", "notes"))
            assert args[0].lower() in text.lower(), (command, rid)
    assert missing == []


def test_outdated_seed_statements_say_what_changed_and_when(shipped: dict[str, Any]) -> None:
    outdated = [c for c in shipped["claims"] if c["status"] == "outdated"]
    assert outdated and all(c["what_changed"] and c["changed_on"] for c in outdated)
    claim = record(shipped, "claims", "approved-for-blood-cancers-only")
    assert claim["changed_on"] == "2026-06-22"
