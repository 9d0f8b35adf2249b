"""Queries over a small registry: loose filters, facets, one study in full, typed results, derivations."""

from __future__ import annotations

import json
import sqlite3
import typing
from pathlib import Path

import pytest

from cartq.errors import NotFound, UsageError
from cartq.registry import results
from cartq.registry.derive import derive, indication_values, target_keys
from cartq.registry.filters import Filters, resolve_phase, resolve_status
from cartq.registry.importer import import_file
from cartq.registry.query import count_studies, facet, get_study, info, link, list_studies, suggest
from cartq.registry.store import rederive
from tests.test_registry_store import fixtures

PRODUCTS = {"ct103a": "eque-cel", "equecabtageneautoleucel": "eque-cel", "ct041": "satri-cel"}


def _import(folder: Path) -> Path:
    file = folder / "studies.json"
    file.write_text(json.dumps(fixtures()))
    import_file(file, folder / "registry.sqlite", products=PRODUCTS, pivotal={"NCT10000001": "eque-cel"})
    return folder / "registry.sqlite"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _import(tmp_path_factory.mktemp("registry"))


def ids(rows: list[results.RegistryStudyRow]) -> list[str]:
    return sorted(row["nct_id"] for row in rows)


@pytest.mark.parametrize(("typed", "value"), [
    ("2", "PHASE2"), ("II", "PHASE2"), ("phase 2", "PHASE2"), ("Phase II", "PHASE2"), ("PHASE2", "PHASE2"),
    ("1/2", "PHASE1|PHASE2"), ("I/II", "PHASE1|PHASE2"), ("phase 1-2", "PHASE1|PHASE2"),
    ("PHASE1|PHASE2", "PHASE1|PHASE2"), ("early 1", "EARLY_PHASE1"), ("early phase 1", "EARLY_PHASE1"),
    ("EARLY_PHASE1", "EARLY_PHASE1"), ("0", "EARLY_PHASE1"), ("na", "NA"), ("N/A", "NA"), ("none", ""),
    ("2/3", "PHASE2|PHASE3"), ("4", "PHASE4"),
])
def test_phases_resolve_loosely(typed: str, value: str) -> None:
    assert resolve_phase(typed) == value


@pytest.mark.parametrize("typed", ["5", "1/3", "phase", "soon"])
def test_unknown_phase_lists_the_valid_values(typed: str) -> None:
    with pytest.raises(UsageError, match="use one of: early phase 1, 1, 1/2"):
        resolve_phase(typed)


def test_statuses_resolve_case_insensitively() -> None:
    assert resolve_status("recruiting") == "RECRUITING"
    assert resolve_status("Not yet recruiting") == "NOT_YET_RECRUITING"
    assert resolve_status("not-yet-recruiting") == "NOT_YET_RECRUITING"
    assert resolve_status("ACTIVE_NOT_RECRUITING") == "ACTIVE_NOT_RECRUITING"
    assert resolve_status("active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert resolve_status("unknown") == "UNKNOWN"
    with pytest.raises(UsageError, match="use one of: recruiting, not yet recruiting, enrolling by invitation"):
        resolve_status("open")


def test_filters(registry: Path) -> None:
    assert ids(list_studies(registry)) == ["NCT10000001", "NCT10000002", "NCT10000003", "NCT10000004"]
    assert ids(list_studies(registry, Filters(target="bcma"))) == ["NCT10000001"]
    assert ids(list_studies(registry, Filters(target="Claudin 18.2"))) == ["NCT10000003"]
    assert ids(list_studies(registry, Filters(target="CD22"))) == []
    assert ids(list_studies(registry, Filters(indication="lupus"))) == ["NCT10000002"]
    assert ids(list_studies(registry, Filters(indication="SLE"))) == ["NCT10000002"]
    assert ids(list_studies(registry, Filters(indication="myeloma"))) == ["NCT10000001"]
    assert ids(list_studies(registry, Filters(product="eque-cel"))) == ["NCT10000001"]
    assert ids(list_studies(registry, Filters(product="Satri Cel"))) == ["NCT10000003"]
    assert ids(list_studies(registry, Filters(sponsor="carsgen"))) == ["NCT10000003"]
    assert ids(list_studies(registry, Filters(sponsor="fourth military"))) == ["NCT10000004"]  # a collaborator
    assert ids(list_studies(registry, Filters(phase="I/II"))) == ["NCT10000001"]
    assert ids(list_studies(registry, Filters(phase="none"))) == ["NCT10000004"]
    assert ids(list_studies(registry, Filters(status="recruiting"))) == ["NCT10000001", "NCT10000002"]
    assert ids(list_studies(registry, Filters(city="shanghai", status="Recruiting"))) == ["NCT10000001",
                                                                                         "NCT10000002"]
    assert ids(list_studies(registry, Filters(city="Xian"))) == ["NCT10000004"]
    assert ids(list_studies(registry, Filters(city="shang"))) == ["NCT10000001", "NCT10000002"]  # a part
    assert ids(list_studies(registry, Filters(city="Taipei"))) == []  # Taiwan is not China in the registry
    assert ids(list_studies(registry, Filters(since="2024"))) == ["NCT10000001", "NCT10000002"]
    assert ids(list_studies(registry, Filters(until="2024-03"))) == ["NCT10000001", "NCT10000003"]
    assert ids(list_studies(registry, Filters(since="2019-06", until="2024-12-31"))) == ["NCT10000001"]
    assert ids(list_studies(registry, Filters(text="lupus nephritis"))) == ["NCT10000002"]
    assert ids(list_studies(registry, Filters(text="nct10000003"))) == ["NCT10000003"]
    assert count_studies(registry, Filters(target="BCMA")) == 1
    with pytest.raises(UsageError, match="--since takes a date"):
        list_studies(registry, Filters(since="last week"))
    with pytest.raises(UsageError, match="needs letters"):
        list_studies(registry, Filters(city="--"))


def test_listing_rows(registry: Path) -> None:
    rows = {row["nct_id"]: row for row in list_studies(registry)}
    bcma = rows["NCT10000001"]
    assert bcma["phase"] == "phase 1/2" and bcma["china_sites"] == 2 and bcma["cities"] == ["Shanghai", "Wuhan"]
    assert bcma["targets"] == ["BCMA"] and bcma["indications"] == ["multiple myeloma"]
    assert bcma["products"] == ["eque-cel"] and bcma["url"] == "https://clinicaltrials.gov/study/NCT10000001"
    assert rows["NCT10000004"]["targets"] == [] and rows["NCT10000004"]["china_sites"] == 2
    assert [r["nct_id"] for r in list_studies(registry)][-1] == "NCT10000004"  # no start date: last


def test_one_study_in_full(registry: Path) -> None:
    study = get_study(" nct10000001 ", registry)
    assert study["url"] == "https://clinicaltrials.gov/study/NCT10000001"
    assert [s["city"] for s in study["china_sites"]] == ["Shanghai", "Wuhan"]
    assert study["phases"] == ["PHASE1", "PHASE2"] and study["start_precision"] == "month"
    assert study["source"].startswith("ClinicalTrials.gov")
    hows = {(d["what"], d["value"]): d["how"] for d in study["derived"]}
    assert hows[("target", "BCMA")] == "brief title contains 'BCMA'"
    assert hows[("product", "eque-cel")] == "NCT id listed as the pivotal trial of eque-cel in the fact base"
    other = get_study("NCT10000004", registry)
    assert other["other_countries"] == ["Taiwan"] and other["site_count"] == 3 and len(other["china_sites"]) == 2
    assert [d for d in other["derived"] if d["what"] == "target"] == []  # unclassified, not guessed
    with pytest.raises(NotFound, match="no study NCT99999999"):
        get_study("NCT99999999", registry)
    with pytest.raises(UsageError, match="not an NCT id"):
        get_study("eque-cel", registry)


def test_facets(registry: Path) -> None:
    def counts(by: str, filters: Filters | None = None) -> dict[str, int]:
        return {c["value"]: c["count"] for c in facet(by, registry, filters)["counts"]}

    assert counts("phase") == {"early phase 1": 1, "phase 1": 1, "phase 1/2": 1, "none given": 1}
    assert list(counts("phase")) == ["early phase 1", "phase 1", "phase 1/2", "none given"]
    assert counts("status") == {"recruiting": 2, "completed": 1, "not yet recruiting": 1}
    assert counts("target") == {"BCMA": 1, "CD19": 1, "CLDN18.2": 1, "unclassified": 1}
    assert counts("city") == {"Shanghai": 2, "Beijing": 1, "Wuhan": 1, "Xi'an": 1}
    assert counts("year") == {"2019": 1, "2024": 1, "2025": 1, "no start date": 1}
    assert counts("sponsor", Filters(status="recruiting"))["Example Hospital"] == 1
    result = facet("phase", registry, Filters(status="recruiting", target="bcma"))
    assert result["total"] == 1 and result["filters"] == {"target": "bcma", "status": "recruiting"}
    with pytest.raises(UsageError, match="use one of: target, phase"):
        facet("colour", registry)


def test_info(registry: Path) -> None:
    about = info(registry)
    assert about["studies"] == 4 and about["studies_in_china"] == 4
    assert about["derived"] == {"target": 3, "indication": 4, "product": 2}
    assert about["origin"] == "import" and about["retrieved"].endswith("Z")


def _check_keys(value: object, kind: type) -> None:
    hints = typing.get_type_hints(kind)
    assert isinstance(value, dict) and set(value) == set(hints), kind.__name__
    for key, hint in hints.items():
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is list and args and typing.is_typeddict(args[0]):
            for item in value[key]:
                _check_keys(item, args[0])


def test_results_are_json_and_keyed_as_declared(registry: Path) -> None:
    for value, kind in [
        (list_studies(registry)[0], results.RegistryStudyRow),
        (get_study("NCT10000001", registry), results.RegistryStudy),
        (facet("target", registry), results.RegistryFacets),
        (info(registry), results.RegistryInfo),
    ]:
        _check_keys(value, kind)
        assert json.loads(json.dumps(value, ensure_ascii=False)) == value


# ---- derivations -------------------------------------------------------------------------


def _derived(**kwargs: object) -> set[tuple[str, str]]:
    args = {"nct_id": "NCT1", "intervention_names": [], "other_names": [], "brief_title": "",
            "official_title": "", "conditions": [], **kwargs}
    return {(d["what"], d["value"]) for d in derive(**args)}  # type: ignore[arg-type]


def test_targets_need_whole_words() -> None:
    assert _derived(intervention_names=["Anti-CD19/CD22 CAR-T"]) == {("target", "CD19"), ("target", "CD22")}
    assert _derived(intervention_names=["CD19CAR-T cells"]) == {("target", "CD19")}
    assert _derived(intervention_names=["CD190 cells", "xbcma", "CD7-x"]) == {("target", "CD7")}
    assert _derived(brief_title="Claudin 18.2 CAR-T") == {("target", "CLDN18.2")}
    assert _derived(brief_title="CLDN18.2-targeted CAR T") == {("target", "CLDN18.2")}
    assert _derived(brief_title="ＢＣＭＡ CAR-T") == {("target", "BCMA")}  # full-width letters
    assert _derived(brief_title="CAR-T cells for refractory disease") == set()
    assert _derived(conditions=["Solid Tumours", "Gliomas"]) == {("indication", "solid tumor"),
                                                                ("indication", "glioma")}


def test_indications_and_products() -> None:
    found = _derived(conditions=["Lupus Nephritis"], brief_title="CAR-T in B-ALL")
    assert found == {("indication", "lupus nephritis"), ("indication", "B-cell acute lymphoblastic leukemia")}
    assert ("indication", "large B-cell lymphoma") in _derived(conditions=["DLBCL"])
    assert _derived(other_names=["Equecabtagene Autoleucel (CT103A)"], products={"ct103a": "eque-cel"}) == {
        ("product", "eque-cel")}
    assert _derived(intervention_names=["CT103"], products={"ct103a": "eque-cel"}) == set()
    assert target_keys("Claudin 18.2") == {"CLDN18.2"} and target_keys("B-cell maturation antigen") == {"BCMA"}
    assert indication_values("lupus") == {"systemic lupus erythematosus", "lupus nephritis"}


def test_links_for_fact_base_records(registry: Path, tmp_path: Path) -> None:
    assert link("product", "eque-cel", registry) == {"count": 1, "command": "cartq registry --product eque-cel"}
    assert link("target", "Claudin 18.2", registry) == {"count": 1,
                                                         "command": "cartq registry --target 'Claudin 18.2'"}
    assert link("company", "CARsgen", registry)["count"] == 1  # type: ignore[index]
    assert link("indication", "lupus", registry)["count"] == 1  # type: ignore[index]
    assert link("product", "eque-cel", tmp_path / "none.sqlite") is None  # no registry: no link, no error


def test_rederive_after_the_fact_base_changed(tmp_path: Path) -> None:
    path = _import(tmp_path)
    before = {(d["what"], d["value"], d["how"]) for d in get_study("NCT10000003", path)["derived"]}
    assert ("product", "satri-cel") in {(w, v) for w, v, _ in before}
    count = rederive(path, products={"satricel": "satricabtagene"})
    after = {(d["what"], d["value"], d["how"]) for d in get_study("NCT10000003", path)["derived"]}
    assert ("product", "satricabtagene", "intervention other name 'satri-cel' is a name of satricabtagene "
            "in the fact base") in after
    assert {t for t in before if t[0] != "product"} == {t for t in after if t[0] != "product"}
    with sqlite3.connect(path) as conn:
        assert count == conn.execute("SELECT count(*) FROM derived").fetchone()[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.sqlite", "studies.json"]  # no temp left


def test_suggestions_for_names_that_match_nothing(registry: Path) -> None:
    assert suggest(Filters(sponsor="carsgn", city="shanghai"), registry) == {
        "sponsor": ["CARsgen Therapeutics Co., Ltd."]}
    assert suggest(Filters(city="Wuhna"), registry)["city"][0] == "Wuhan"
    assert suggest(Filters(sponsor="carsgen", status="recruiting"), registry) == {}  # matches on its own
    assert suggest(Filters(target="zzzz"), registry) == {"target": []}
