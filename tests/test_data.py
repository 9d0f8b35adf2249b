"""The fact base itself: valid, linked, cited, quoted faithfully, and right on the facts that matter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cartq.factbase.checks import check_links, load_validated

# Not imported from conftest: the data tests need no CLI, and run even while the CLI is rebuilt.
ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "data" / "facts.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def facts() -> dict[str, Any]:
    return load_validated(FACTS)


def iter_citations(value: object) -> Iterator[dict[str, Any]]:
    """Every citation anywhere in a value, by a deep walk that knows nothing of the kind registry,
    so a citation in a field the registry forgot is still checked.
    """
    if isinstance(value, dict):
        if isinstance(value.get("source"), str) and set(value) <= {"source", "quote", "note"}:
            yield value
            return
        for item in value.values():
            yield from iter_citations(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_citations(item)


def by_id(facts: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in facts[section]}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_shipped_fact_base_validates_with_no_link_problems(facts: dict[str, Any]) -> None:
    assert check_links(facts) == []
    assert facts["as_of"] == "2026-08-29"


def test_the_installed_package_ships_the_same_fact_base() -> None:
    from cartq.paths import default_data_path

    assert Path(default_data_path()).read_bytes() == FACTS.read_bytes()


def test_every_seed_file_is_a_source_and_is_cited(facts: dict[str, Any]) -> None:
    seed_files = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(seed_files) == 5
    sources = {s["seed_file"]: s["id"] for s in facts["sources"] if s.get("seed_file")}
    assert sorted(sources) == seed_files
    cited = {c["source"] for section in facts.values() if isinstance(section, list) for c in iter_citations(section)}
    assert set(sources.values()) <= cited


def seed_quotes(facts: dict[str, Any]) -> list[tuple[str, str]]:
    seeds = {s["id"]: s["seed_file"] for s in facts["sources"] if s.get("seed_file")}
    quotes = []
    for section in facts.values():
        if isinstance(section, list):
            for citation in iter_citations(section):
                if citation.get("quote") and citation["source"] in seeds:
                    quotes.append((seeds[citation["source"]], citation["quote"]))
    return quotes


def test_there_are_many_seed_quotes(facts: dict[str, Any]) -> None:
    assert len(seed_quotes(facts)) > 100


def test_every_quote_attributed_to_a_seed_is_in_that_seed(facts: dict[str, Any]) -> None:
    texts = {p.name: squash(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    missing = [(file, quote) for file, quote in seed_quotes(facts) if squash(quote) not in texts[file]]
    assert missing == []


def test_a_misattributed_quote_is_caught(facts: dict[str, Any]) -> None:
    texts = {p.name: squash(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    # The cost table is in seed 001, not seed 000: the check above must tell them apart.
    quote = "China | $80,000 | 2-4 weeks | High | 1-2 Months | Partial | Extensive |"
    assert quote in texts["001_f00a59dbdebc8be6.txt"]
    assert quote not in texts["000_6c8f45b37f4680f0.txt"]


def test_every_url_is_well_formed_and_public_sources_are_not_the_reference_file(facts: dict[str, Any]) -> None:
    for source in facts["sources"]:
        if source.get("url"):
            assert re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", source["url"]), source["id"]
            assert "china-cart-facts" not in source["url"]
        else:
            assert (SEEDS / source["seed_file"]).is_file()


APPROVALS = [
    ("axi-cel-3l-lbcl-approval", "axi-cel", "2021-06-22", "day", "conditional"),
    ("relma-cel-3l-lbcl-approval", "relma-cel", "2021-09-01", "month", "unknown"),
    ("relma-cel-fl-approval", "relma-cel", "2022-10-01", "month", "unknown"),
    ("eque-cel-rrmm-approval", "eque-cel", "2023-06-30", "day", "unknown"),
    ("inati-cel-ball-approval", "inati-cel", "2023-11-07", "day", "unknown"),
    ("zevor-cel-rrmm-approval", "zevor-cel", "2024-02-23", "day", "unknown"),
    ("satri-cel-gastric-approval", "satri-cel", "2026-06-22", "day", "unknown"),
]


@pytest.mark.parametrize(("event_id", "product", "date", "precision", "approval_type"), APPROVALS)
def test_approval_dates(
    facts: dict[str, Any], event_id: str, product: str, date: str, precision: str, approval_type: str
) -> None:
    event = by_id(facts, "events")[event_id]
    assert (event["product"], event["kind"], event["date"], event["date_precision"], event["approval_type"]) == (
        product,
        "approved",
        date,
        precision,
        approval_type,
    )


@pytest.mark.parametrize(
    ("event_id", "announced"),
    [
        ("cilta-cel-rrmm-approval", "2024-08-27"),
        ("axi-cel-2l-lbcl-approval", "2023-06-27"),
        ("eque-cel-hk-approval", "2025-11-27"),
        ("cilta-cel-nda", "2023-01-02"),
    ],
)
def test_an_announcement_is_not_stored_as_the_event_date(facts: dict[str, Any], event_id: str, announced: str) -> None:
    event = by_id(facts, "events")[event_id]
    assert (event["date"], event["announced"]) == (None, announced)


def test_low_confidence_products_are_reported_not_approved(facts: dict[str, Any]) -> None:
    products = by_id(facts, "products")
    for pid in ("renikiolunsai", "pcar-19b", "brexu-cel"):
        assert products[pid]["status"] == "approval_reported"
        assert products[pid]["confidence"] == "low"
    assert all(p["cell_source"] == "autologous" for p in products.values())


@pytest.mark.parametrize(
    ("pid", "inn", "generic_cn", "brand_cn", "codes"),
    [
        ("axi-cel", "axicabtagene ciloleucel", "阿基仑赛注射液", ["奕凯达"], ["FKC876"]),
        ("relma-cel", "relmacabtagene autoleucel", "瑞基奥仑赛注射液", ["倍诺达"], ["JWCAR029"]),
        ("eque-cel", "equecabtagene autoleucel", "伊基奥仑赛注射液", ["福可苏"], ["CT103A", "IBI326"]),
        ("inati-cel", "inaticabtagene autoleucel", "纳基奥仑赛注射液", ["源瑞达"], ["CNCT19"]),
        ("zevor-cel", "zevorcabtagene autoleucel", "泽沃基奥仑赛注射液", ["赛恺泽"], ["CT053"]),
        (
            "cilta-cel",
            "ciltacabtagene autoleucel",
            "西达基奥仑赛注射液",
            ["卡卫荻"],
            ["LCAR-B38M", "JNJ-68284528", "JNJ-4528"],
        ),
    ],
)
def test_product_names(
    facts: dict[str, Any], pid: str, inn: str, generic_cn: str, brand_cn: list[str], codes: list[str]
) -> None:
    product = by_id(facts, "products")[pid]
    assert (product["inn"], product["chinese_generic_name"], product["chinese_brand_names"], product["code_names"]) == (
        inn,
        generic_cn,
        brand_cn,
        codes,
    )


def test_china_list_prices_are_in_cny_and_never_converted(facts: dict[str, Any]) -> None:
    prices = by_id(facts, "prices")
    assert prices["cn-yikaida-list"]["price"] == {
        "currency": "CNY",
        "low": 1200000.0,
        "high": None,
        "scale": "one",
        "qualifier": "exactly",
    }
    assert prices["cn-carteyva-list"]["price"]["low"] == 1290000
    assert prices["cn-inati-cel-list"]["price"]["low"] == 999000
    assert prices["cn-inati-cel-usd-szdaily"]["basis"] == "currency_conversion"
    us = {p["id"]: p["price"]["low"] for p in facts["prices"] if p["basis"] == "launch_list_price"}
    assert us == {
        "us-kymriah-all-launch": 475000,
        "us-yescarta-launch": 373000,
        "us-abecma-launch": 419500,
        "us-carvykti-launch": 465000,
    }


def test_seed_us_price_claims_are_each_kept_with_their_own_source(facts: dict[str, Any]) -> None:
    seed_us = {
        p["id"]: (p["price"]["low"], p["price"]["high"], p["sources"][0]["source"])
        for p in facts["prices"]
        if p["country"] == "united-states"
        and p["basis"] == "typical_cost"
        and p["sources"][0]["source"].startswith("seed-")
    }
    assert seed_us == {
        "seed-us-400k-plus": (400000, None, "seed-001"),
        "seed-us-373k-475k": (373000, 475000, "seed-001"),
        "seed-us-over-500k": (500000, None, "seed-003"),
    }
    assert by_id(facts, "countries")["united-states"]["therapy_cost"]["low"] == 400000


def test_commercial_list_holds_five_cart_and_not_cilta_cel(facts: dict[str, Any]) -> None:
    listed = {
        c["product"]
        for c in facts["coverage"]
        if c["scheme"] == "commercial_innovative_drug_list" and c["status"] == "listed" and c.get("product")
    }
    assert listed == {"axi-cel", "relma-cel", "inati-cel", "eque-cel", "zevor-cel"}
    cilta = by_id(facts, "coverage")["commercial-list-cilta-cel"]
    assert cilta["status"] == "not_listed"


def test_every_correction_in_section_12_is_a_dispute_linked_to_a_public_source(facts: dict[str, Any]) -> None:
    disputes = by_id(facts, "disputes")
    for did in (
        "juno-not-chinese",
        "yescarta-brand-in-china",
        "funding-237-billion",
        "bcma-ndas-all-approved-2023",
        "cnct19-nda-only",
        "two-approved-2023",
        "relma-cel-first",
        "china-cost-80k",
        "claudin-colorectal",
        "ball-up-to-25",
        "only-cd19-approved",
        "us-over-500k",
        "market-2025-unconfirmed",
    ):
        dispute = disputes[did]
        assert all(c["source"].startswith("seed-") for c in dispute["claimed_by"]), did
        assert not any(c["source"].startswith("seed-") for c in dispute["corrected_by"]), did
    funding = by_id(facts, "market")["cell-therapy-funding-2021"]
    assert funding["value"] == {
        "currency": "USD",
        "low": 2.37,
        "high": None,
        "scale": "billion",
        "qualifier": "exactly",
    }


def test_approved_product_counts_keep_every_figure(facts: dict[str, Any]) -> None:
    counts = {c["id"]: c["count"] for c in facts["counts"] if c["kind"] == "approved_products"}
    assert counts == {
        "approved-2023-seed": 2,
        "approved-2024-five": 5,
        "approved-2025-q2-nine": 9,
        "approved-2025-09-seven": 7,
        "approved-2025-end-eight": 8,
        "approved-2026-06-eight-fmif": 8,
        "approved-2026-07-nine-tencent": 9,
        "approved-2026-07-nine-jfdaily": 9,
        "approved-2026-wsj-nine": 9,
        "approved-2026-08-eight-wei": 8,
    }
    # Every count after the seed's is in one conflict set, each naming all the others.
    marked = {c["id"]: set(c["conflicts_with"]) for c in facts["counts"] if c["kind"] == "approved_products"}
    conflicting = set(counts) - {"approved-2023-seed"}
    for cid in conflicting:
        assert marked[cid] == conflicting - {cid}, cid


def test_the_yaml_file_uses_no_python_tags() -> None:
    text = FACTS.read_text(encoding="utf-8")
    assert "!!python" not in text
    yaml.safe_load(text)


def test_schema_rejects_the_mistakes_it_should(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from cartq.factbase.models import Money, Source

    with pytest.raises(ValidationError):
        Money(currency="USD", low=-1)
    with pytest.raises(ValidationError):
        Money(currency="USD", low=10, high=5)
    with pytest.raises(ValidationError):
        Source(id="x", title="t", kind="news", url="not a url")
    with pytest.raises(ValidationError):
        Source(id="x", title="t", kind="news", url="https://a.example/", seed_file="a.txt")


def test_no_model_field_has_a_literal_mutable_default() -> None:
    # pydantic deep-copies a literal [] or {} for every record that omits the field; a factory is free.
    from cartq.factbase import models

    for model in vars(models).values():
        if isinstance(model, type) and issubclass(model, models.BaseModel):
            for name, field in model.model_fields.items():
                assert not isinstance(field.default, (list, dict, set)), f"{model.__name__}.{name}"
