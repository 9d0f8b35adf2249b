"""The CLI as a user drives it: names resolve, misses fail well, every command answers, JSON is stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cartq import __version__

from .conftest import run, shipped_as_of


@pytest.mark.parametrize(
    "query",
    [
        "fucaso",
        "FUCASO",
        "Fucaso",
        "equecabtagene autoleucel",
        "eque-cel",
        "Eque Cel",
        "equecel",
        "CT103A",
        "ct-103a",
        "福可苏",
        "伊基奥仑赛注射液",
        "伊基奥仑赛",
        "fucasso",
        "ＦＵＣＡＳＯ",
        "  fucaso  ",
        "fuca",
    ],
)
def test_every_kind_of_name_finds_fucaso(query: str) -> None:
    result = run("product", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["record"]["id"] == "eque-cel"
    # Only an exact name answers silently; a typo or a prefix says which record it chose.
    assert result.stderr == "" if query not in ("fucasso", "fuca") else "cartq: showing Fucaso" in result.stderr


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("carvykti", "cilta-cel"),
        ("carvikti", "cilta-cel"),
        ("卡卫荻", "cilta-cel"),
        ("LCAR-B38M", "cilta-cel"),
        ("JNJ-4528", "cilta-cel"),
        ("yescarta", "axi-cel"),
        ("奕凯达", "axi-cel"),
        ("FKC876", "axi-cel"),
        ("relma-cel", "relma-cel"),
        ("倍诺达", "relma-cel"),
        ("JWCAR029", "relma-cel"),
        ("CNCT19", "inati-cel"),
        ("源瑞达", "inati-cel"),
        ("zevor-cel", "zevor-cel"),
        ("赛恺泽", "zevor-cel"),
        ("CT041", "satri-cel"),
        ("舒瑞基奥仑赛", "satri-cel"),
        ("恒凯莱", "renikiolunsai"),
        ("pCAR-19B", "pcar-19b"),
        ("FKC889", "brexu-cel"),
    ],
)
def test_brand_generic_code_and_chinese_names_resolve(query: str, expected: str) -> None:
    assert run("product", query, "--json").json()["record"]["id"] == expected


def test_a_far_off_name_is_not_answered_but_suggested() -> None:
    result = run("product", "carvyx-zz", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no product matches 'carvyx-zz'" in result.stderr
    assert "did you mean: Carvykti" in result.stderr


def test_nonsense_gives_no_match_and_no_output() -> None:
    result = run("product", "qqqqqqqq")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("cartq: no product matches 'qqqqqqqq'")


def test_short_typos_are_suggested_not_guessed() -> None:
    result = run("target", "bcam")
    assert result.exit_code == 1
    assert "BCMA" in result.stderr


def test_a_company_asked_for_as_a_product_says_what_it_is() -> None:
    result = run("product", "innovent")
    assert result.exit_code == 1
    assert "'Innovent Biologics' is a company: try 'cartq company innovent'" in result.stderr


def test_close_ties_list_candidates_instead_of_guessing() -> None:
    result = run("target", "her3")
    assert result.exit_code == 1
    assert "HER2" in result.stderr and "EGFR" in result.stderr


def test_product_detail_shows_companies_targets_approvals_prices_insurance_disputes_sources() -> None:
    result = run("product", "yikaida")
    assert result.exit_code == 0
    out = result.stdout
    for text in (
        "axicabtagene ciloleucel",
        "阿基仑赛注射液",
        "奕凯达",
        "FKC876",
        "Fosun Kite Biotechnology",
        "CD19",
        "2021-06-22",
        "conditional",
        "ZUMA-7".lower(),
        "CNY 1,200,000",
        "USD 373,000",
        "commercial insurance innovative drug list",
        "Shanghai Huhuibao 2022",
        "DISPUTED CLAIM",
        "CORRECTION",
        "Yikaida/奕凯达".split("/")[0],
        "https://www.reuters.com/",
    ):
        assert text in out, text


def test_role_dates_are_shown_only_as_precisely_as_known() -> None:
    # Innovent's rights passed to IASO in July 2024; no source gives the day.
    out = run("product", "fucaso").stdout
    assert "2024-07" in out
    assert "2024-07-01" not in out
    role = next(c for c in run("product", "fucaso", "--json").json()["related"]["companies"] if c["role"] == "marketer")
    assert (role["until"], role["until_precision"]) == ("2024-07-01", "month")
    assert "2019  " in run("product", "cnct19").stdout


def test_disputed_claims_are_visible_in_json_too() -> None:
    view = run("product", "relma-cel", "--json").json()
    claims = {d["id"]: d for d in view["disputes"]}
    assert "relma-cel-first" in claims
    assert claims["relma-cel-first"]["claimed_by"][0]["source"] == "seed-001"
    assert {c["source"] for c in claims["relma-cel-first"]["corrected_by"]} >= {"reuters-first-cart-2021"}


def test_product_json_key_set_is_locked() -> None:
    view = run("product", "fucaso", "--json").json()
    assert set(view) == {"kind", "record", "related", "disputes", "sources", "match"}
    assert set(view["related"]) == {"companies", "targets", "events", "first_approval", "studies", "prices", "coverage"}
    assert {
        "id",
        "name",
        "inn",
        "chinese_generic_name",
        "brand_names",
        "chinese_brand_names",
        "short_names",
        "code_names",
        "companies",
        "targets",
        "car_construct",
        "cell_source",
        "status",
        "confidence",
        "sources",
    } <= set(view["record"])
    assert view["related"]["first_approval"]["date"] == "2023-06-30"


def test_product_listing_is_sorted_by_first_approval_with_status() -> None:
    rows = run("product", "--json").json()
    dated = [r["first_approval"] for r in rows if r["first_approval"]]
    assert dated == sorted(dated)
    # Carvykti has only an announcement date (2024-08-27), so it sorts with the undated approvals.
    assert [r["id"] for r in rows][:8] == [
        "axi-cel",
        "relma-cel",
        "eque-cel",
        "inati-cel",
        "zevor-cel",
        "renikiolunsai",
        "pcar-19b",
        "satri-cel",
    ]
    assert {r["id"]: r["status"] for r in rows}["pcar-19b"] == "approval_reported"
    table = run("product").stdout
    assert table.index("Yikaida") < table.index("satricabtagene") < table.index("Carvykti")
    assert "low confidence" in table


@pytest.mark.parametrize(
    ("command", "query", "expected"),
    [
        ("company", "IASO", "iaso-bio"),
        ("company", "药明巨诺", "jw-therapeutics"),
        ("company", "fosun kairui", "fosun-kite"),
        ("target", "bcma", "bcma"),
        ("target", "TNFRSF17", "bcma"),
        ("target", "CLDN18.2", "claudin18-2"),
        ("indication", "rrmm", "multiple-myeloma"),
        ("indication", "DLBCL", "dlbcl"),
        ("indication", "lupus", "sle"),
        ("indication", "stomach cancer", "gastric-gej-adenocarcinoma"),
        ("glossary", "crs", "crs"),
        ("glossary", "off the shelf", "allogeneic"),
        ("glossary", "NMPA", "nmpa"),
    ],
)
def test_other_kinds_resolve(command: str, query: str, expected: str) -> None:
    result = run(command, query, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["record"]["id"] == expected


def test_company_shows_products_and_programmes() -> None:
    view = run("company", "carsgen", "--json").json()
    products = {p["id"] for p in view["related"]["products"]}
    assert {"zevor-cel", "satri-cel"} <= products
    assert "allogeneic-programs" in {s["id"] for s in view["related"]["studies"]}
    assert "kaixing-life" in {c["id"] for c in view["related"]["subsidiaries"]}


def test_target_shows_products_and_programmes() -> None:
    view = run("target", "bcma", "--json").json()
    assert {p["id"] for p in view["related"]["products"]} == {"eque-cel", "zevor-cel", "cilta-cel"}
    assert {"fumanba-1", "cartifan-1"} <= {s["id"] for s in view["related"]["studies"]}


def test_indication_includes_subtypes_products_and_programmes() -> None:
    view = run("indication", "LBCL", "--json").json()
    assert {"dlbcl", "pmbcl"} <= {s["id"] for s in view["related"]["subtypes"]}
    assert {"axi-cel", "relma-cel"} <= {p["id"] for p in view["related"]["products"]}


@pytest.mark.parametrize(
    ("alias", "country"),
    [
        ("china", "china"),
        ("CN", "china"),
        ("PRC", "china"),
        ("中国", "china"),
        ("US", "united-states"),
        ("USA", "united-states"),
        ("united states", "united-states"),
        ("U.S.", "united-states"),
        ("UK", "united-kingdom"),
        ("Britain", "united-kingdom"),
        ("Germany", "germany"),
        ("DE", "germany"),
        ("germny", "germany"),
    ],
)
def test_countries_resolve(alias: str, country: str) -> None:
    result = run("costs", "--country", alias, "--json")
    assert result.exit_code == 0, result.stderr
    assert [c["id"] for c in result.json()["countries"]] == [country]


def test_costs_china_shows_seed_row_other_claims_and_list_prices() -> None:
    result = run("costs", "--country", "china")
    out = result.stdout
    assert "USD 80,000" in out and "[DISPUTED]" in out
    assert "USD 80,000–120,000" in out
    for price in ("CNY 1,200,000", "CNY 1,290,000", "CNY 999,000", "more than CNY 1,000,000"):
        assert price in out
    data = run("costs", "--country", "china", "--json").json()
    assert data["countries"][0]["disputed"] is True
    assert "china-cost-80k" in {d["id"] for d in data["disputes"]}
    assert all(p["country"] == "china" for p in data["prices"])


def test_costs_us_keeps_every_seed_figure() -> None:
    data = run("costs", "--country", "us", "--json").json()
    lows = sorted(p["price"]["low"] for p in data["prices"] if p["id"].startswith("seed-"))
    assert lows == [373000, 400000, 500000]


def test_costs_without_country_lists_all_four() -> None:
    data = run("costs", "--json").json()
    assert [c["id"] for c in data["countries"]] == ["china", "united-states", "united-kingdom", "germany"]


def test_trials_filters() -> None:
    bcma = run("trials", "--target", "bcma", "--json").json()
    assert {s["id"] for s in bcma["studies"]} == {"fumanba-1", "lummicar-study-1", "cartifan-1"}
    lupus = run("trials", "--indication", "lupus", "--json").json()
    assert [s["id"] for s in lupus["studies"]] == ["fudan-sle-cd19"]
    phase = run("trials", "--phase", "1/2", "--json").json()
    assert {s["phase"] for s in phase["studies"]} == {"phase_1_2"}
    assert {s["id"] for s in run("trials", "--phase", "Phase I/II", "--json").json()["studies"]} == {
        s["id"] for s in phase["studies"]
    }
    sponsor = run("trials", "--sponsor", "tsinghua", "--json").json()
    assert [s["id"] for s in sponsor["studies"]] == ["tsinghua-ms"]
    assert {c["id"] for c in bcma["counts"]} >= {"trials-ongoing-2023", "trials-chinese-companies-2022"}


def test_trials_with_no_rows_is_success_and_json_is_still_json() -> None:
    result = run("trials", "--target", "gpc3", "--phase", "3", "--json")
    assert result.exit_code == 0
    assert result.json()["studies"] == []


def test_bad_phase_is_a_usage_error() -> None:
    result = run("trials", "--phase", "seven")
    assert result.exit_code == 2
    assert "unknown phase 'seven'" in result.stderr


def test_timeline_is_in_date_order_and_filters() -> None:
    events = run("timeline", "--json").json()["events"]
    dates = [e["date"] for e in events if e["date"]]
    assert dates == sorted(dates)
    assert events[0]["id"] == "axi-cel-3l-lbcl-approval"
    bcma = run("timeline", "--target", "bcma", "--json").json()["events"]
    assert [e["product"] for e in bcma if e["regulator"] == "NMPA"] == ["eque-cel", "zevor-cel", "cilta-cel"]
    all_events = run("timeline", "--all-events", "--json").json()["events"]
    assert "nda_accepted" in {e["kind"] for e in all_events}


def test_market_marks_projections_and_disputes() -> None:
    data = run("market", "--json").json()
    figures = {f["id"]: f for f in data["figures"]}
    assert figures["china-cart-market-2030"]["status"] == "projection"
    assert figures["china-cart-market-2025"]["disputed"] is True
    assert "funding-237-billion" in {d["id"] for d in data["disputes"]}
    assert "CNY 28.9 billion" in run("market").stdout


def test_search_ranks_and_labels_kinds() -> None:
    hits = run("search", "allogeneic", "--json").json()
    assert hits[0]["kind"] == "term"
    assert {"company", "study"} <= {h["kind"] for h in hits}
    assert run("search", "FUMANBA", "--json").json()[0]["id"] == "fumanba-1"


def test_search_with_no_hits_exits_1_with_empty_json_array() -> None:
    result = run("search", "zzzzqqqq", "--json")
    assert result.exit_code == 1
    assert result.json() == []


def test_sources_lists_each_with_what_cites_it_and_as_of() -> None:
    rows = run("sources", "--json").json()
    seed = next(r for r in rows if r["id"] == "seed-001")
    assert {"kind": "country", "id": "china"} in seed["cited_by"]
    assert "current to 2026-08-29" in run("sources").stdout


def test_version_shows_the_fact_base_date() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert f"cartq {__version__}" in result.stdout and shipped_as_of() in result.stdout


def test_no_arguments_prints_an_overview() -> None:
    result = run()
    assert result.exit_code == 0
    assert "current to 2026-08-29" in result.stdout
    assert "cartq product fucaso" in result.stdout


def test_unknown_option_is_a_usage_error() -> None:
    result = run("product", "--frobnicate")
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        "product",
        "company",
        "target",
        "indication",
        "glossary",
        "search",
        "trials",
        "timeline",
        "costs",
        "market",
        "sources",
        "validate",
        "schema",
    ],
)
def test_every_command_has_help_with_examples(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"cartq {command}" in result.stdout


def test_top_level_help_documents_exit_codes() -> None:
    out = run("--help").stdout
    assert "Exit codes: 0 found" in out and "3 fact base missing or invalid" in out


def test_schema_commands_print_json_schema() -> None:
    facts = run("schema", "--json")
    assert facts.exit_code == 0
    assert "products" in json.loads(facts.stdout)["properties"]
    out = run("schema", "output").json()
    assert "ProductLookup" in out["$defs"]
    assert run("schema", "nonsense").exit_code == 2


def test_validate_the_shipped_fact_base() -> None:
    result = run("validate", "--json")
    assert result.exit_code == 0
    assert result.json()["valid"] is True


def test_every_command_has_a_readme_example() -> None:
    from cartq.cli.app import app

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    names = [command.name or command.callback.__name__ for command in app.registered_commands]
    assert len(names) >= 14
    for name in names:
        assert f"cartq {name}" in readme, name
    for flag in ("--json", "--csv", "--jsonl", "--chart", "--evidence", "--data", "--version", "--install-completion"):
        assert flag in readme, flag


def test_an_indication_filter_takes_in_every_level_of_subtype() -> None:
    from cartq.cli.handlers import open_store
    from cartq.domain.related import indication_and_subtypes
    from cartq.domain.resolve import resolve

    store = open_store(None)
    root = resolve(store, "indication", "NHL")["id"]
    wanted = indication_and_subtypes(store, root)
    assert root == "b-nhl"
    assert {"lbcl", "dlbcl", "pmbcl", "fl", "mcl"} <= wanted  # DLBCL sits two levels below
    events = run("timeline", "--indication", "NHL", "--json").json()["events"]
    assert {"axi-cel", "relma-cel"} <= {e["product"] for e in events}
    assert {"reliance", "zuma-7"} <= {s["id"] for s in run("trials", "--indication", "NHL", "--json").json()["studies"]}


def test_an_empty_search_names_no_kind() -> None:
    result = run("search", "  ")
    assert result.exit_code == 1
    assert result.stderr.startswith("cartq: no record matches an empty query")
