"""`cartq registry` and `cartq export` as a user drives them: import or update, then query, facet,
show one study, and export; every --json against the generated schema."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.ctgov_fake import SNAPSHOT, FakeCtgov, snapshot_china_rows, snapshot_studies
from tests.test_registry_store import fixtures

from .conftest import run


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(run("schema", "output").stdout)


def matches(shape: str, printed: object, schema: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{shape}"})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(printed)]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("registry")
    (folder / "studies.json").write_text(json.dumps({"studies": fixtures()}), encoding="utf-8")
    path = folder / "registry.sqlite"
    result = run("registry", "import", str(folder / "studies.json"), "--registry", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["stored"] == 4  # type: ignore[index]
    return path


def test_import_then_list_show_facet_and_info_print_their_declared_shapes(
    registry: Path, schema: dict[str, Any]
) -> None:
    cases = [
        (["registry"], "RegistryStudyList"),
        (["registry", "NCT10000001"], "RegistryStudy"),
        (["registry", "--facet", "phase", "--status", "recruiting"], "RegistryFacets"),
        (["registry", "--info"], "RegistryInfo"),
    ]
    for argv, shape in cases:
        result = run(*argv, "--registry", str(registry), "--json")
        assert result.exit_code == 0, (argv, result.stderr)
        assert matches(shape, result.json(), schema) == [], argv


def test_names_resolve_through_the_fact_base(registry: Path) -> None:
    by_product = run("registry", "--product", "福可苏", "--registry", str(registry), "--json").json()
    assert [row["nct_id"] for row in by_product] == ["NCT10000001"]  # type: ignore[index]
    lupus = run("registry", "--indication", "SLE", "--city", "shanghai", "--registry", str(registry), "--json").json()
    assert [row["nct_id"] for row in lupus] == ["NCT10000002"]  # type: ignore[index]


def test_one_study_shows_its_china_sites_links_and_url(registry: Path) -> None:
    out = run("registry", "NCT10000001", "--registry", str(registry)).stdout
    assert "https://clinicaltrials.gov/study/NCT10000001" in out
    assert "Ruijin Hospital" in out and "derived" in out


def test_without_a_registry_it_says_how_to_get_one(tmp_path: Path) -> None:
    result = run("registry", "--registry", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 4
    assert result.stderr.startswith("cartq: ") and "update" in result.stderr
    assert result.stdout == ""


def test_update_offline_is_one_line_and_exit_4(tmp_path: Path) -> None:
    result = run("registry", "update", "--api-url", "http://127.0.0.1:9", "--registry", str(tmp_path / "r.sqlite"))
    assert result.exit_code == 4
    assert result.stderr.startswith("cartq: ")
    assert not (tmp_path / "r.sqlite").exists()


def test_update_takes_no_listing_filters(tmp_path: Path) -> None:
    assert run("registry", "update", "--city", "shanghai").exit_code == 2


@pytest.mark.skipif(not (SNAPSHOT / "trials.csv").is_file(), reason="shared snapshot not present")
def test_update_from_the_snapshot_then_the_analysts_facet(tmp_path: Path, schema: dict[str, Any]) -> None:
    """`cartq registry update` against a loopback API serving the 2026-08-22 snapshot, then
    `cartq registry --facet phase --status recruiting`: the counts are the CSV's."""
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(snapshot_studies()) as fake:
        result = run("registry", "update", "--api-url", fake.url, "--registry", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert matches("RegistryUpdate", result.json(), schema) == []
    rows = snapshot_china_rows()
    facet = run("registry", "--facet", "phase", "--status", "recruiting", "--registry", str(path), "--json").json()
    counted = Counter(r["Phase"] for r in rows if r["OverallStatus"] == "RECRUITING")
    assert facet["total"] == sum(counted.values())  # type: ignore[index]
    bcma = run(
        "registry", "--facet", "phase", "--status", "recruiting", "--target", "bcma", "--registry", str(path), "--json"
    ).json()
    listed = run("registry", "--status", "recruiting", "--target", "BCMA", "--registry", str(path), "--json").json()
    assert bcma["total"] == len(listed) > 0  # type: ignore[index,arg-type]
    table = run("registry", "--facet", "phase", "--status", "recruiting", "--target", "bcma", "--registry", str(path))
    assert table.exit_code == 0 and "phase" in table.stdout.lower()


# ---- export --------------------------------------------------------------------------------


def test_export_sqlite_csv_and_json_report_what_they_wrote(tmp_path: Path, schema: dict[str, Any]) -> None:
    db = tmp_path / "facts.db"
    report = run("export", "sqlite", str(db), "--json")
    assert report.exit_code == 0, report.stderr
    assert matches("ExportReport", report.json(), schema) == []
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        products = connection.execute("SELECT count(*) FROM products").fetchone()[0]
    assert products == len(run("product", "--json").json())  # type: ignore[arg-type]
    folder = tmp_path / "csv"
    assert run("export", "csv", str(folder), "--bom").exit_code == 0
    assert (folder / "products.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open(folder / "products.csv", newline="", encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == products
    assert run("export", "json", str(tmp_path / "facts.json")).exit_code == 0
    assert json.loads((tmp_path / "facts.json").read_text(encoding="utf-8"))["data"]["products"]


def test_export_refuses_an_unknown_format_and_a_foreign_file(tmp_path: Path) -> None:
    assert run("export", "xml", str(tmp_path / "x")).exit_code == 2
    foreign = tmp_path / "notes.txt"
    foreign.write_text("mine", encoding="utf-8")
    result = run("export", "sqlite", str(foreign))
    assert result.exit_code == 2 and foreign.read_text(encoding="utf-8") == "mine"


def test_fact_base_pages_count_their_registered_studies(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTQ_REGISTRY", str(registry))
    product = run("product", "fucaso", "--json").json()
    assert product["registry"]["count"] == 1  # type: ignore[index]
    assert product["registry"]["command"] == "cartq registry --product eque-cel"  # type: ignore[index]
    assert "registered studies in China" in run("indication", "lupus").stdout
    monkeypatch.setenv("CARTQ_REGISTRY", str(registry.parent / "none.sqlite"))
    assert "registry" not in run("product", "fucaso", "--json").json()  # type: ignore[operator]
