"""The exports: SQLite (read back with sqlite3, DuckDB and datasette), CSV with its data package, JSON
with its schema; the relational shape derived from the models; and where an export may write.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from cartq.csv_cells import neutralise
from cartq.errors import UsageError
from cartq.export import export_csv, export_json, export_sqlite
from cartq.export.csv_export import cell
from cartq.export.schema import build_schema
from cartq.export.sqlite import VIEWS
from cartq.export.tables import SCALE_EXPONENT, Column
from cartq.export.walk import decimal_text
from cartq.factbase.checks import load_checked
from cartq.kinds import KINDS
from cartq.paths import resolve_data_path

# ---- one export of the shipped fact base per module --------------------------------------------


@pytest.fixture(scope="module")
def data_path():
    return resolve_data_path(None)


@pytest.fixture(scope="module")
def validated(data_path):
    return load_checked(data_path)


@pytest.fixture(scope="module")
def exported(validated, tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    db = root / "facts.db"
    result = export_sqlite(validated, db)
    csv_result = export_csv(validated, root / "csv")
    export_json(validated, root / "facts.json")
    return SimpleNamespace(root=root, db=db, result=result, csv=root / "csv", csv_result=csv_result)


@pytest.fixture(scope="module")
def db(exported):
    connection = sqlite3.connect(f"file:{exported.db}?mode=ro", uri=True)
    connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    connection.close()


def _model_fields():
    """Every field of every model reachable from a kind's model: ('Model.field', is a list of citations)."""
    from cartq.export.walk import _is_model, _list_item, _unwrap
    from cartq.factbase import models

    seen: set[str] = set()
    found: list[tuple[str, bool]] = []
    todo = [getattr(models, spec.model) for spec in KINDS]
    while todo:
        model = todo.pop()
        if model.__name__ in seen:
            continue
        seen.add(model.__name__)
        if not model.__pydantic_complete__:
            model.model_rebuild()
        for name, info in model.model_fields.items():
            annotation = _unwrap(info.annotation)
            inner = _list_item(annotation)
            target = inner if inner is not None else annotation
            found.append((f"{model.__name__}.{name}", inner is models.Citation))
            if _is_model(target) and target is not models.Citation:
                todo.append(target)
    return found


# ---- the shape comes from the models ------------------------------------------------------------


def test_every_model_field_is_a_column_a_child_table_or_a_citation():
    schema = build_schema()
    columns = {c.model_field for t in schema.tables for c in t.all_columns if c.model_field}
    lists = {t.model_list_field for t in schema.tables if t.model_list_field}
    missing = []
    for field, is_citation in _model_fields():
        covered = (
            field in schema.citation_fields
            if is_citation
            else field in columns or field in lists or field in schema.nested_fields
        )
        if not covered:
            missing.append(field)
    assert not missing, missing
    assert {spec.section for spec in KINDS} <= {t.name for t in schema.tables}


def test_a_new_field_and_a_new_kind_appear_with_no_edit(monkeypatch, tmp_path):
    from pydantic import Field

    from cartq import kinds
    from cartq.export import schema as schema_module
    from cartq.export import sqlite as sqlite_module
    from cartq.factbase import models

    class Target(models.Target):
        approved: bool | None = None
        tags: list[str] = Field(default_factory=list)
        budget: models.Money | None = None
        reviewed: models.dt.date | None = None

    class Widget(models.Strict):
        id: models.Slug
        name: str
        target: str
        ratio: float = 0.5
        sources: models.Cited

    spec = kinds.KindSpec(
        "widget", "widgets", "widget", "widgets", "Widget", names=("name",), references={"target": "target"}
    )
    monkeypatch.setattr(models, "Target", Target)
    monkeypatch.setattr(models, "Widget", Widget, raising=False)
    monkeypatch.setitem(kinds.BY_KIND, "widget", spec)
    for module in (schema_module, sqlite_module):
        monkeypatch.setattr(module, "KINDS", (*KINDS, spec))

    schema = build_schema()
    targets = schema.table("targets")
    names = [c.name for c in targets.columns]
    assert {
        "approved",
        "budget_currency",
        "budget_low",
        "budget_high",
        "budget_scale",
        "reviewed",
        "reviewed_precision",
    } <= set(names)
    assert [c.name for c in schema.table("target_tags").all_columns] == ["target_id", "position", "value"]
    widgets = schema.table("widgets")
    assert (["target"], "targets", ["id"]) in widgets.foreign_keys

    citation = [{"source": "s1", "quote": "q"}]
    data = {
        "title": "t",
        "as_of": "2026-01-01",
        "sources": [{"id": "s1", "title": "S", "kind": "news", "url": "https://example.org/"}],
        "targets": [
            {
                "id": "cd19",
                "name": "CD19",
                "approved": True,
                "tags": ["b", "a"],
                "sources": citation,
                "budget": {"currency": "CNY", "low": 1.2, "high": None, "scale": "million"},
                "reviewed": "2025-03-04",
            }
        ],
        "widgets": [{"id": "w", "name": "W", "target": "cd19", "ratio": 0.25, "sources": citation}],
    }
    path = tmp_path / "new.db"
    result = export_sqlite(SimpleNamespace(data=data), path)
    assert result.tables["widgets"] == 1 and result.tables["target_tags"] == 2
    connection = sqlite3.connect(path)
    row = connection.execute(
        "SELECT approved, typeof(approved), budget_low, typeof(budget_low), reviewed_precision FROM targets"
    ).fetchone()
    assert row == (1, "integer", "1200000", "text", "day")
    assert connection.execute("SELECT target, ratio FROM widgets").fetchone() == ("cd19", 0.25)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    export_csv(SimpleNamespace(data=data), tmp_path / "csv")
    with (tmp_path / "csv" / "targets.csv").open(encoding="utf-8", newline="") as handle:
        record = next(csv.DictReader(handle))
    assert record["approved"] == "true" and record["budget_low"] == "1200000"


# ---- encodings ----------------------------------------------------------------------------------


def test_money_is_an_exact_decimal_with_the_scale_applied():
    from cartq.enums import Scale

    assert set(SCALE_EXPONENT) == {member.value for member in Scale}
    assert decimal_text(80000.0) == "80000"
    assert decimal_text(1.2, "million") == "1200000"
    assert decimal_text(1.15, "billion") == "1150000000"
    assert decimal_text(0.1, "one") == "0.1"
    assert decimal_text(2.5, "thousand") == "2500"
    assert decimal_text(0.0) == "0"
    assert decimal_text(None) is None


def test_csv_cells_neutralise_formulas_but_not_numbers():
    text = Column("x", "text", "", lambda item: item)
    number = Column("x", "real", "", lambda item: item)
    decimal = Column("x", "decimal", "", lambda item: item)
    boolean = Column("x", "boolean", "", lambda item: item)
    for formula in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "'quoted"):
        assert cell(text, formula) == "'" + formula
    assert neutralise("plain") == "plain"
    assert cell(number, -1.5) == "-1.5"
    assert cell(decimal, "-1200000") == "-1200000"
    assert cell(boolean, 1) == "true" and cell(boolean, 0) == "false" and cell(text, None) == ""


# ---- SQLite ---------------------------------------------------------------------------------


def test_sqlite_rows_match_the_fact_base(validated, db):
    for spec in KINDS:
        records = validated.data[spec.section]
        (count,) = db.execute(f'SELECT count(*) FROM "{spec.section}"').fetchone()
        assert count == len(records), spec.section
        ids = {rid for (rid,) in db.execute(f'SELECT id FROM "{spec.section}"')}
        assert ids == {record["id"] for record in records}
    products = validated.data["products"]
    assert db.execute("SELECT count(*) FROM product_brand_names").fetchone()[0] == sum(
        len(p["brand_names"]) for p in products
    )
    assert db.execute("SELECT count(*) FROM product_companies").fetchone()[0] == sum(
        len(p["companies"]) for p in products
    )
    assert db.execute("SELECT count(*) FROM records").fetchone()[0] == sum(
        len(validated.data[spec.section]) for spec in KINDS
    )
    citations = sum(len(record.get("sources") or ()) for spec in KINDS for record in validated.data[spec.section])
    assert db.execute("SELECT count(*) FROM citations WHERE path = 'sources'").fetchone()[0] == citations


@pytest.mark.parametrize("kind", ["product", "company", "target", "indication"])
def test_sqlite_rows_match_the_cli_listing(kind, db, data_path, isolated_env):
    from cartq.kinds import BY_KIND

    run = subprocess.run(
        [sys.executable, "-m", "cartq", kind, "--json", "--data", str(data_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    listing = json.loads(run.stdout)
    (count,) = db.execute(f'SELECT count(*) FROM "{BY_KIND[kind].section}"').fetchone()
    assert count == len(listing)


def test_sqlite_keys_types_views_and_search(db, exported):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(b"cart", "big")
    fks = db.execute("SELECT * FROM pragma_foreign_key_list('product_companies')").fetchall()
    assert {(row[2], row[3]) for row in fks} == {("products", "product_id"), ("companies", "company")}
    for view in VIEWS:
        rows = db.execute(f'SELECT * FROM "{view}"').fetchall()
        assert rows, view
    approved = {row[0] for row in db.execute("SELECT product FROM approved_products")}
    assert "eque-cel" in approved
    assert db.execute("SELECT DISTINCT typeof(low) FROM price_claims").fetchall() == [("text",)]
    hits = db.execute(
        "SELECT r.kind, r.id FROM search JOIN records r ON r.rowid = search.rowid WHERE search MATCH ?", ("卡卫荻",)
    ).fetchall()
    assert ("product", "cilta-cel") in hits
    from cartq.export.datasette import QUERIES

    assert db.execute(QUERIES["search_records"]["sql"], {"q": "bcma"}).fetchall()
    assert db.execute(QUERIES["citations_of"]["sql"], {"kind": "product", "id": "eque-cel"}).fetchall()
    info = dict(db.execute("SELECT key, value FROM export_info"))
    assert info["format"] == "cartq-export" and info["as_of"]
    metadata = json.loads((exported.root / "facts.db.metadata.json").read_text(encoding="utf-8"))
    products = metadata["databases"]["facts"]["tables"]["products"]
    assert metadata["as_of"] == info["as_of"] and metadata["license"] and metadata["source"]
    assert "approval_reported (approval reported" in products["columns"]["status"] and products["facets"]
    assert "price_currency" in metadata["databases"]["facts"]["tables"]["prices"]["columns"]["price_low"]


def test_duckdb_reads_the_sqlite_export(exported, validated):
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    connection.execute("SET autoinstall_known_extensions = false")
    if importlib.util.find_spec("duckdb_ext") is not None:  # pip install duckdb-ext-sqlite: offline
        import duckdb_ext

        directory = Path(next(iter(duckdb_ext.__path__))) / "extensions"
        connection.execute(f"SET extension_directory = '{directory}'")
    try:
        connection.execute(f"ATTACH '{exported.db}' AS facts (TYPE sqlite, READ_ONLY)")
    except duckdb.Error as exc:
        pytest.skip(f"DuckDB's sqlite extension is not installed and cannot be downloaded offline: {exc}")
    (count,) = connection.execute("SELECT count(*) FROM facts.products").fetchone()
    assert count == len(validated.data["products"])
    rows = connection.execute("SELECT count(*) FROM facts.price_claims WHERE currency = 'CNY'").fetchone()
    assert rows[0] > 0


def test_duckdb_reads_the_csv_export(exported, validated):
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    products = connection.execute(f"SELECT * FROM read_csv_auto('{exported.csv / 'products.csv'}')").fetchall()
    assert len(products) == len(validated.data["products"])
    low = connection.execute(
        f"SELECT sum(CAST(price_low AS DECIMAL(18, 2))) FROM read_csv_auto('{exported.csv / 'prices.csv'}') "
        "WHERE price_currency = 'CNY'"
    ).fetchone()[0]
    assert low > 0


def test_datasette_serves_the_export_with_its_metadata(exported):
    datasette = shutil.which("datasette", path=os.path.dirname(sys.executable)) or shutil.which("datasette")
    if datasette is None:
        pytest.skip("datasette is not installed (pip install datasette, the test extra)")
    run = subprocess.run(
        [
            datasette,
            str(exported.db),
            "--metadata",
            str(exported.root / "facts.db.metadata.json"),
            "--get",
            "/facts/products.json?_shape=array&_size=max",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert {row["id"] for row in rows} >= {"eque-cel", "cilta-cel"}


# ---- CSV ------------------------------------------------------------------------------------


def test_csv_files_match_their_data_package(exported, validated):
    package = json.loads((exported.csv / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    names = {resource["name"] for resource in package["resources"]}
    assert {spec.section for spec in KINDS} | {"citations", "records"} <= names
    for resource in package["resources"]:
        raw = (exported.csv / resource["path"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert b"\n" not in raw.replace(b"\r\n", b"")[:0] and raw.endswith(b"\r\n")
        with (exported.csv / resource["path"]).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, strict=True))
        fields = resource["schema"]["fields"]
        assert rows[0] == [f["name"] for f in fields], resource["name"]
        assert all(len(row) == len(fields) for row in rows)
        assert len(rows) - 1 == exported.csv_result.tables[resource["name"]]
        assert set(resource["schema"]["primaryKey"]) <= set(rows[0])
        for key in resource["schema"].get("foreignKeys", ()):
            assert key["reference"]["resource"] in names
        for index, f in enumerate(fields):
            if f["type"] == "boolean":
                assert {row[index] for row in rows[1:]} <= {"true", "false", ""}
            if f["type"] == "number":
                for row in rows[1:]:
                    if row[index]:
                        float(row[index])
    with (exported.csv / "products.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(validated.data["products"])


def test_csv_bom_and_reexport(validated, tmp_path):
    target = tmp_path / "csv"
    export_csv(validated, target, bom=True)
    assert (target / "products.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    export_csv(validated, target)  # an earlier export is replaced
    assert not (target / "products.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    (target / "mine.txt").write_text("x")
    with pytest.raises(UsageError):
        export_csv(validated, target)


# ---- JSON -----------------------------------------------------------------------------------


def test_json_export_validates_against_its_schema(exported, validated):
    from cartq.factbase.models import FactBase

    text = (exported.root / "facts.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["schema"]["title"] == "FactBase"
    assert document["format"] == "cartq-export"
    FactBase.model_validate(document["data"])
    assert document["data"] == validated.data
    assert "卡卫荻" in text  # not ASCII-escaped


# ---- where an export may write ----------------------------------------------------------------


def test_exports_refuse_to_overwrite_what_they_did_not_write(validated, tmp_path, exported):
    foreign = tmp_path / "notes.txt"
    foreign.write_text("keep me")
    with pytest.raises(UsageError, match="refusing"):
        export_sqlite(validated, foreign)
    with pytest.raises(UsageError, match="refusing"):
        export_json(validated, foreign)
    assert foreign.read_text() == "keep me"
    other_db = tmp_path / "other.db"
    sqlite3.connect(other_db).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(UsageError):
        export_sqlite(validated, other_db)
    with pytest.raises(UsageError, match="fact base"):
        export_json(validated, tmp_path / "facts.yaml", fact_base=tmp_path / "facts.yaml")
    with pytest.raises(UsageError):
        export_sqlite(validated, tmp_path / "missing" / "facts.db")
    with pytest.raises(UsageError):
        export_csv(validated, foreign)
    again = tmp_path / "again.db"
    shutil.copy(exported.db, again)
    export_sqlite(validated, again)  # an earlier export is overwritten
    export_sqlite(validated, again)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_registry_tables_are_copied_in(validated, tmp_path):
    registry = tmp_path / "registry.sqlite"
    connection = sqlite3.connect(registry)
    connection.executescript(
        """
        CREATE TABLE studies (nct_id TEXT PRIMARY KEY, brief_title TEXT, enrollment INTEGER) WITHOUT ROWID;
        CREATE TABLE sites (nct_id TEXT REFERENCES studies(nct_id), position INTEGER, city TEXT);
        CREATE INDEX sites_nct ON sites (nct_id);
        INSERT INTO studies VALUES ('NCT00000001', 'A CAR-T trial', 40);
        INSERT INTO sites VALUES ('NCT00000001', 0, 'Shanghai'), ('NCT00000001', 1, 'Beijing');
        """
    )
    connection.commit()
    connection.close()
    result = export_sqlite(validated, tmp_path / "facts.db", registry_path=registry)
    assert result.tables["registry_studies"] == 1 and result.tables["registry_sites"] == 2
    out = sqlite3.connect(tmp_path / "facts.db")
    assert out.execute("SELECT city FROM registry_sites ORDER BY position").fetchall() == [("Shanghai",), ("Beijing",)]
    metadata = json.loads((tmp_path / "facts.db.metadata.json").read_text(encoding="utf-8"))
    assert "registry_sites" in metadata["databases"]["facts"]["tables"]
