"""Search ranked for people, and no silent approximation in name lookups (issues 12 and 13)."""

from __future__ import annotations

import re

import pytest

from .conftest import run

COMMERCIAL_LIST = {"axi-cel", "relma-cel", "inati-cel", "eque-cel", "zevor-cel"}


def hits(*argv: str) -> list[dict]:
    result = run("search", *argv, "--json", "--limit", "0")
    assert result.exit_code == 0, result.stderr
    return result.json()  # type: ignore[return-value]


def ids(*argv: str) -> list[str]:
    return [h["id"] for h in hits(*argv)]


# ---- ranking ----------------------------------------------------------------------------------


def test_cd19_ranks_the_exact_name_then_products_then_companies() -> None:
    found = hits("cd19")
    assert (found[0]["kind"], found[0]["id"], found[0]["match"]) == ("target", "cd19", "name")
    kinds = [h["kind"] for h in found[1:]]
    order = {"product": 1, "company": 2, "target": 3, "indication": 4}
    ranks = [order.get(kind, 5) for kind in kinds]
    assert ranks == sorted(ranks), "products, companies, targets, indications, then the rest"
    assert {"axi-cel", "relma-cel", "inati-cel"} <= {h["id"] for h in found if h["kind"] == "product"}
    assert kinds[0] == "product"


def test_price_shows_products_first_and_price_claims_with_their_currency() -> None:
    found = hits("price")
    products = [h for h in found if h["kind"] == "product"]
    assert len(products) >= 5
    assert found[: len(products)] == products
    prices = [h for h in found if h["kind"] == "price"]
    assert prices, "price claims are found too"
    assert all(h["value"] and any(c in h["value"] for c in ("CNY", "USD", "GBP", "EUR")) for h in prices)


def test_a_cut_list_says_showing_n_of_m_on_stderr() -> None:
    result = run("search", "price", "--limit", "5")
    assert result.exit_code == 0
    assert len([line for line in result.stdout.splitlines() if line.strip()]) <= 8
    assert "showing 5 of " in result.stderr
    everything = run("search", "price", "--limit", "0")
    assert "showing" not in everything.stderr


def test_the_default_limit_fits_a_screen_and_json_carries_the_record() -> None:
    result = run("search", "2024", "--json")
    assert len(result.json()) == 20
    assert "showing 20 of" in result.stderr
    hit = result.json()[0]
    assert hit["record"]["id"] == hit["id"]
    assert {"kind", "id", "name", "match", "score", "value", "snippet", "matched", "record"} <= set(hit)


def test_kind_filters_hits() -> None:
    found = hits("cd19", "--kind", "company")
    assert found and {h["kind"] for h in found} == {"company"}
    assert ids("fucaso", "--kind", "prices") == [h["id"] for h in hits("fucaso") if h["kind"] == "price"]
    bad = run("search", "cd19", "--kind", "planet")
    assert bad.exit_code == 2 and "unknown kind" in bad.stderr


# ---- phrasing ---------------------------------------------------------------------------------


def test_commercial_insurance_finds_the_five_listed_products() -> None:
    products = {h["id"] for h in hits("commercial insurance") if h["kind"] == "product"}
    assert COMMERCIAL_LIST <= products
    # Unquoted words are one query too, and every word is required.
    assert COMMERCIAL_LIST <= {h["id"] for h in hits("commercial", "insurance", "--kind", "product")}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("solid tumour", "solid tumor"),
        ("leukaemia", "leukemia"),
        ("programme", "program"),
        ("tumours", "tumour"),
        ("therapies", "therapy"),
        ("ＣＡＲ－Ｔ", "car-t"),
        ("Müc1", "muc1"),
    ],
)
def test_spelling_plural_width_and_accent_variants_find_the_same(one: str, other: str) -> None:
    assert ids(one) == ids(other)
    assert ids(one)


def test_side_effects_finds_crs_icans_and_cytopenias() -> None:
    found = {h["id"] for h in hits("side effects")}
    assert {"crs", "icans", "cytopenias"} <= found


def test_all_words_are_required() -> None:
    both = set(ids("bcma myeloma"))
    assert both and both <= set(ids("bcma")) and both <= set(ids("myeloma"))
    assert run("search", "bcma", "zzzzqq").exit_code == 1


def test_a_code_is_not_the_start_of_a_longer_code() -> None:
    # MUC1's alias is CD227 and PD-L1's CD274: neither is a hit for CD22 or CD27.
    for code in ("cd22", "cd27"):
        result = run("search", code)
        assert (result.exit_code, result.stdout) == (1, "")
    assert "muc1" in ids("cd227")


def test_a_question_names_the_command_that_answers_it() -> None:
    result = run("search", "how much does car-t cost")
    assert result.exit_code == 0
    assert "'cartq costs --country china' answers" in result.stderr
    assert "'cartq coverage" in run("search", "insurance").stderr
    assert "'cartq trials' answers" in run("search", "lupus trials").stderr
    assert "'cartq market' answers" in run("search", "market").stderr


def test_a_hit_shows_a_value_or_the_matching_text() -> None:
    found = hits("fumanba")
    assert found[0]["id"] == "fumanba-1"
    assert "FUMANBA" in found[0]["snippet"]
    event = next(h for h in found if h["kind"] == "event")
    assert event["value"] == "2023-06-30"  # a date at its precision
    table = run("search", "fumanba").stdout
    assert "trial or programme" in table and "fumanba-1" in table


# ---- a miss -----------------------------------------------------------------------------------


def test_a_miss_prints_nothing_on_stdout_and_says_so_on_stderr() -> None:
    result = run("search", "zzzz")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "nothing matches 'zzzz'" in result.stderr
    as_json = run("search", "zzzz", "--json")
    assert (as_json.exit_code, as_json.json()) == (1, [])


def test_a_chinese_synonym_held_in_the_fact_base_finds_the_records() -> None:
    result = run("search", "惠民保", "--json")
    assert result.exit_code == 0
    found = {(h["kind"], h["id"]) for h in result.json()}
    assert ("term", "huiminbao") in found
    assert {("coverage", "huiminbao-shanghai-2022"), ("product", "axi-cel")} <= found
    assert "cartq coverage huiminbao" in result.stderr
    assert run("coverage", "惠民保").exit_code == 0


# ---- no silent approximation (issue 12, item 2) -----------------------------------------------


@pytest.mark.parametrize(
    ("argv", "wrong"),
    [
        (["target", "cd22"], "MUC1"),
        (["target", "cd27"], "PD-L1"),
        (["product", "CAR-T"], "Carteyva"),
        (["company", "药明"], "JW Therapeutics"),
    ],
)
def test_a_whole_identifier_or_a_shared_word_never_answers_another_record(argv: list[str], wrong: str) -> None:
    result = run(*argv)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert run(*argv, "--json").stdout == ""


def test_a_general_word_lists_the_candidates_and_says_what_it_is() -> None:
    result = run("product", "CAR-T")
    assert "general word" in result.stderr
    assert "did you mean: Carteyva" in result.stderr
    assert "glossary term" in result.stderr
    company = run("company", "药明")
    assert "JW Therapeutics" in company.stderr and company.exit_code == 1


def test_a_one_letter_brand_typo_answers_with_a_notice() -> None:
    result = run("product", "carvyktl")
    assert result.exit_code == 0
    assert "Carvykti" in result.stdout
    assert result.stderr.startswith("cartq: showing Carvykti")
    assert "the closest match to 'carvyktl'" in result.stderr
    fucasso = run("product", "fucasso", "--json")
    assert fucasso.json()["match"]["how"] == "fuzzy"
    assert fucasso.json()["match"]["query"] == "fucasso"
    assert 0 < fucasso.json()["match"]["score"] < 100
    assert "cartq: showing Fucaso" in fucasso.stderr


def test_an_exact_name_is_silent_and_a_prefix_says_so() -> None:
    exact = run("product", "fucaso", "--json")
    assert exact.stderr == "" and exact.json()["match"]["how"] == "exact"
    prefix = run("product", "carvy", "--json")
    assert prefix.json()["match"]["how"] == "prefix"
    assert "whose name starts with 'carvy'" in prefix.stderr


# ---- suggestions that help (issue 13, item 5) -------------------------------------------------


def test_suggestions_are_only_close_names() -> None:
    result = run("target", "cd20")
    assert result.exit_code == 1
    assert "did you mean" not in result.stderr


def test_a_us_product_held_only_as_a_price_says_so() -> None:
    result = run("product", "kymriah")
    assert result.exit_code == 1
    assert "Yuanruida" not in result.stderr
    assert "only in a price claim" in result.stderr
    assert "cartq show us-kymriah" in result.stderr


def test_a_coverage_id_given_to_product_says_what_it_is() -> None:
    result = run("product", "commercial-list-eque-cel")
    assert result.exit_code == 1
    assert "is the id of a coverage record" in result.stderr
    assert "cartq show commercial-list-eque-cel" in result.stderr


def test_a_filter_resolved_by_a_near_name_says_so_too() -> None:
    trials = run("trials", "--target", "bcm")
    assert trials.exit_code == 0
    assert "cartq: showing BCMA, the only target whose name starts with 'bcm'" in trials.stderr
    costs = run("costs", "--product", "fucasso")
    assert "the closest match to 'fucasso'" in costs.stderr
    assert run("timeline", "--target", "bcma").stderr == ""


def test_matched_words_are_highlighted_on_a_terminal_only() -> None:
    from cartq.cli import fast, runner
    from cartq.render.screen import render_plain, render_styled

    parsed = fast.parse(["search", "allogeneic"])
    assert parsed is not None
    doc = runner.produce(*parsed)[0].doc()
    styled = render_styled(doc, 120)
    # Bold yellow around the matched word, in the body (not in the header or title).
    assert re.search(r"\x1b\[1;33m[Aa]llogeneic\x1b\[0m", styled)
    assert "\x1b" not in render_plain(doc)
