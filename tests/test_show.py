"""Open any record by its id; list questions answered by filters; sources a reader can judge."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from cartq.cli.handlers import open_store
from cartq.kinds import KINDS

from .conftest import run, run_fast

COMMERCIAL_LIST = {"axi-cel", "relma-cel", "inati-cel", "eque-cel", "zevor-cel"}


def first_id(kind: str) -> str:
    return open_store(None).all(kind)[0]["id"]


# ---- show ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [spec.kind for spec in KINDS])
def test_show_opens_a_record_of_every_kind_by_its_id(kind: str) -> None:
    rid = first_id(kind)
    result = run("show", rid, "--json")
    assert result.exit_code == 0, result.stderr
    found = result.json()
    assert (found["kind"], found["record"]["id"]) == (kind, rid)
    assert found["match"]["how"] == "exact"
    table = run("show", rid)
    assert table.exit_code == 0 and table.stdout.strip()


def test_show_a_price_a_coverage_record_and_a_source() -> None:
    price = run("show", "cn-fucaso-over-1m")
    assert "szdaily-2025-12-09" in price.stdout
    coverage = run("show", "commercial-list-eque-cel", "--json").json()
    assert coverage["kind"] == "coverage" and coverage["record"]["product"] == "eque-cel"
    assert run("show", "SEED-000").exit_code == 0  # ids in any case


def test_show_an_unknown_id_suggests_ids_and_exits_1() -> None:
    result = run("show", "fumanba")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "no record has the id 'fumanba'" in result.stderr
    assert "fumanba-1" in result.stderr


def test_ids_are_unique_across_kinds_and_the_link_check_says_so() -> None:
    from cartq.factbase.checks import check_links

    store = open_store(None)
    seen: dict[str, str] = {}
    for spec in KINDS:
        for record in store.all(spec.kind):
            assert record["id"] not in seen, (record["id"], seen.get(record["id"]), spec.kind)
            seen[record["id"]] = spec.kind
    data = {spec.section: [] for spec in KINDS}
    data["targets"] = [{"id": "x", "name": "X", "sources": []}]
    data["glossary"] = [{"id": "x", "name": "Ex", "sources": []}]
    assert any("is also the id of a target" in p for p in check_links(data))


def test_completion_offers_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    from cartq.domain.resolve import completions

    offered = completions(open_store(None), "id", "commercial-list-e")
    assert "commercial-list-eque-cel" in offered
    assert "seed-000" in completions(open_store(None), "source", "seed-00")
    assert "fumanba-1" in completions(open_store(None), "study", "fuman")


def test_show_runs_the_same_through_the_fast_path() -> None:
    fast = run_fast("show", "cn-fucaso-over-1m", "--json")
    assert fast is not None and fast.exit_code == 0
    assert fast.stdout == run("show", "cn-fucaso-over-1m", "--json").stdout


# ---- listings accept an id ----------------------------------------------------------------------


def test_sources_and_trials_take_an_id() -> None:
    source = run("sources", "seed-000", "--json")
    assert source.exit_code == 0 and source.json()["record"]["id"] == "seed-000"
    study = run("trials", "fumanba-1", "--json")
    assert study.exit_code == 0 and study.json()["record"]["id"] == "fumanba-1"
    by_name = run("trials", "FUMANBA-1")
    assert by_name.exit_code == 0 and "FUMANBA-1" in by_name.stdout


def test_an_id_of_another_kind_given_to_a_listing_says_where_it_is() -> None:
    result = run("sources", "fumanba-1")
    assert result.exit_code == 1
    assert "cartq show fumanba-1" in result.stderr


# ---- list questions -----------------------------------------------------------------------------


def test_products_on_the_commercial_insurance_list() -> None:
    listed = {r["id"] for r in run("product", "--coverage", "commercial-list", "--json").json()}
    assert listed == COMMERCIAL_LIST
    coverage = run("coverage", "commercial-list", "--json").json()
    on_list = {c["product"] for c in coverage["coverage"] if c["status"] == "listed" and c.get("product")}
    assert on_list == COMMERCIAL_LIST
    assert "cilta-cel" in {c.get("product") for c in coverage["coverage"] if c["status"] == "not_listed"}
    assert run("product", "--coverage", "gold-plan").exit_code == 2


def test_product_filters_by_target_and_status() -> None:
    bcma = {r["id"] for r in run("product", "--target", "bcma", "--status", "approved", "--json").json()}
    assert bcma == {"eque-cel", "zevor-cel", "cilta-cel"}
    assert run("product", "--status", "sold-out").exit_code == 2
    assert run("product", "fucaso", "--target", "bcma").exit_code == 2


def test_timeline_since_a_year() -> None:
    events = run("timeline", "--since", "2024", "--json").json()["events"]
    assert events and all(e["date"] >= "2024" for e in events)
    assert "zevor-cel" in {e["product"] for e in events}
    assert "axi-cel" not in {e["product"] for e in events if e["date"] < "2024"}
    assert run("timeline", "--since", "last year").exit_code == 2


def test_costs_for_one_product() -> None:
    result = run("costs", "--product", "carteyva", "--json").json()
    assert result["prices"] and {p["product"] for p in result["prices"]} == {"relma-cel"}
    assert result["countries"] == []


def test_sources_filter_by_kind_and_grade() -> None:
    filings = run("sources", "--kind", "filing", "--json").json()
    assert filings and {s["kind"] for s in filings} == {"filing"}
    high = run("sources", "--reliability", "high", "--json").json()
    assert high and {s["reliability"] for s in high} == {"high"}
    assert run("sources", "--kind", "rumour").exit_code == 2


# ---- sources a reader can judge -----------------------------------------------------------------

# Hosts that copy or summarise others' pages, or are blogs: never graded high.
COPYING_KINDS = {"mirror", "aggregator", "blog"}


def test_no_mirror_aggregator_or_blog_is_graded_high() -> None:
    for source in open_store(None).all("source"):
        if source["kind"] in COPYING_KINDS:
            # The reference ranks mirror, aggregator, self-media, medical-tourism and blog pages lowest.
            assert source.get("reliability", "medium") == "low", source["id"]
        if source["kind"] == "mirror":
            assert source.get("original_publisher"), f"{source['id']}: a copy names the publisher it copies"


def test_every_source_shows_its_grade_and_host() -> None:
    from cartq.render.fmt import source_line

    table = run("sources").stdout
    for source in open_store(None).all("source"):
        line = source_line(source)
        assert line.startswith(source.get("reliability", "medium"))
        host = urlsplit(source.get("url") or "").hostname or ""
        assert host.removeprefix("www.") in line
        assert line in table, "piped, each source's grade, kind and host are on its row"
    miaodayang = next(s for s in open_store(None).all("source") if s["id"] == "caixin-new-insurance-path")
    assert source_line(miaodayang) == "low · mirror of Caixin · news.miaodayang.com"


def test_evidence_quotes_in_quotation_marks_notes_as_notes_under_human_names() -> None:
    result = run("product", "fucaso", "--evidence")
    out = result.stdout
    assert "companies[" not in out and "event:eque" not in out
    assert "company role: Innovent Biologics" in out
    assert "“" in out and "note: " in out
    rows = run("product", "fucaso", "--evidence", "--json").json()["evidence"]
    assert all(r["reliability"] in ("high", "medium", "low", "unconfirmed") for r in rows)
    assert any(r["field_name"].startswith("regulatory event: ") for r in rows)
