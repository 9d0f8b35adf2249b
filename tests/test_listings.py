"""Listings at scale (issue 16): the rows the index precomputes are what following each record's
links gives, they are written as they are read (the writers get an iterator, never a list), and
the index built as the YAML streams in is the index built from the whole validated fact base."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cartq.domain.related import first_approval, first_approval_fields, linked, summary
from cartq.domain.resolve import label_of
from cartq.enums import APPROVAL_EVENTS
from cartq.factbase import checks, index, stream
from cartq.factbase.cache import open_store
from cartq.factbase.fact_file import read_bytes
from cartq.factbase.store import Store
from cartq.factbase.yaml_reader import parse_yaml
from cartq.kinds import KINDS
from cartq.listing_rows import LEAD_ROLES, LISTED
from cartq.paths import default_data_path
from cartq.render import writers

from .conftest import run, run_fast

# The command that lists each listed kind, from the kind registry.
COMMANDS = {spec.kind: spec.command for spec in KINDS if spec.kind in LISTED}


def followed_listing(store: Store, kind: str) -> list[dict[str, object]]:
    """A listing as cartq 1.0 built it: a query per record and its links, then a sort."""
    if kind == "product":
        rows = []
        for product in store.all("product"):
            leads = [r["company"] for r in product["companies"] if r["role"] in LEAD_ROLES and not r.get("until")]
            rows.append(
                {
                    "id": product["id"],
                    "name": product["name"],
                    "inn": product.get("inn"),
                    "short_names": product.get("short_names", []),
                    "brand_names": product.get("brand_names", []),
                    "chinese_brand_names": product.get("chinese_brand_names", []),
                    "targets": [label_of(t) for t in store.get_many("target", product.get("targets", []))],
                    "companies": [label_of(c) for c in store.get_many("company", leads)],
                    "status": product["status"],
                    "confidence": product["confidence"],
                    **first_approval_fields(first_approval(store, product["id"])),
                }
            )
        return sorted(rows, key=lambda r: (r["first_approval"] is None, r["first_approval"] or "", r["name"]))
    if kind == "company":
        return [
            {
                **summary(c, "kind", "headquarters", "chinese_names"),
                "products": [label_of(p) for p in linked(store, "company", c["id"], "product")],
            }
            for c in store.all("company")
        ]
    if kind == "target":
        return [
            {
                **summary(t, "full_name", "aliases"),
                "products": [label_of(p) for p in linked(store, "target", t["id"], "product")],
                "studies": len(linked(store, "target", t["id"], "study")),
            }
            for t in store.all("target")
        ]
    if kind == "indication":
        rows = []
        for i in store.all("indication"):
            events = linked(store, "indication", i["id"], "event")
            ids = [e["product"] for e in events if e["kind"] in APPROVAL_EVENTS]
            rows.append(
                {
                    **summary(i, "abbreviations", "category"),
                    "approved_products": [label_of(p) for p in store.get_many("product", ids)],
                }
            )
        return rows
    return [summary(t, "category", "aliases", "definition") for t in store.all("term")]


@pytest.mark.parametrize("kind", LISTED)
def test_a_listing_is_what_following_each_records_links_gives(kind: str) -> None:
    expected = followed_listing(open_store(default_data_path()), kind)
    assert expected
    shown = run(COMMANDS[kind], "--json")
    assert shown.stdout == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    lines = run(COMMANDS[kind], "--jsonl")
    assert lines.stdout == "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in expected)


def test_filtered_listings_are_the_listing_cut() -> None:
    store = open_store(default_data_path())
    everything = followed_listing(store, "product")
    bcma = {p["id"] for p in store.all("product") if "bcma" in p.get("targets", [])}
    cases = [
        (["--target", "bcma"], [r for r in everything if r["id"] in bcma]),
        (["--status", "approved"], [r for r in everything if r["status"] == "approved"]),
        (
            ["--target", "bcma", "--status", "approved"],
            [r for r in everything if r["id"] in bcma and r["status"] == "approved"],
        ),
    ]
    for args, expected in cases:
        assert expected
        assert run("product", *args, "--json").json() == expected


@pytest.mark.parametrize("flag", ["--json", "--jsonl"])
def test_a_listing_is_written_from_an_iterator(flag: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fed: list[object] = []
    for name in ("write_json_array", "write_jsonl"):
        real = getattr(writers, name)

        def spy(rows: object, real=real) -> None:  # type: ignore[no-untyped-def]
            fed.append(rows)
            real(rows)

        monkeypatch.setattr(writers, name, spy)
    shown = run_fast("product", flag)
    assert shown is not None and shown.exit_code == 0 and shown.stdout
    (rows,) = fed
    assert not isinstance(rows, (list, tuple)) and iter(rows) is rows  # type: ignore[call-overload]


def test_a_listing_streams_page_by_page(monkeypatch: pytest.MonkeyPatch, private_cache: Path) -> None:
    whole = list(open_store(default_data_path()).listing("product"))
    monkeypatch.setenv("CARTQ_NO_CACHE", "1")
    monkeypatch.setattr(index, "LISTING_PAGE", 2)
    paged = open_store(default_data_path())
    assert paged.connection.execute("SELECT count(*) FROM listings WHERE kind = 'product'").fetchone()[0] > 2
    assert list(paged.listing("product")) == whole


def table_rows(connection: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in the order the store reads them (names and links by kind, as stored)."""
    tables: dict[str, list[tuple[object, ...]]] = {
        "meta": connection.execute("SELECT * FROM meta ORDER BY key").fetchall(),
        "records": connection.execute("SELECT * FROM records ORDER BY kind, seq").fetchall(),
        "listings": connection.execute("SELECT * FROM listings ORDER BY kind, page").fetchall(),
    }
    for table in ("names", "links"):
        tables[table] = [
            row
            for spec in KINDS
            for row in connection.execute(f"SELECT * FROM {table} WHERE kind = ? ORDER BY rowid", (spec.kind,))
        ]
    return tables


def test_the_streamed_index_is_the_index_of_the_whole_validated_fact_base() -> None:
    path = default_data_path()
    raw = read_bytes(path)
    key = {"digest": "test"}
    streamed, whole = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    stream.build_checked(streamed, path, raw, key)
    index.build_index(whole, checks.load_checked(path, raw), key)
    assert table_rows(streamed) == table_rows(whole)


def test_the_order_of_sections_in_the_file_changes_nothing(tmp_path: Path) -> None:
    import yaml

    document = parse_yaml(read_bytes(default_data_path()), default_data_path())
    reordered = tmp_path / "facts.yaml"
    reordered.write_text(yaml.safe_dump(dict(reversed(document.items())), allow_unicode=True, sort_keys=False), "utf-8")
    for args in (["sources"], ["product"], ["company"], ["show", "fosun-kite"], ["product", "fucaso"]):
        assert run(*args, "--json", "--data", str(reordered)).stdout == run(*args, "--json").stdout


def test_the_parser_hands_a_sections_items_on_as_they_are_read() -> None:
    class Sink:
        def __init__(self) -> None:
            self.items: list[object] = []

        def append(self, item: object) -> None:
            self.items.append(item)

    text = b"a: 1\nitems:\n  - x: 1\n  - x: 2\nb: [1, 2]\n"
    document = parse_yaml(text, Path("t.yaml"), lambda key: Sink() if key == "items" else None)
    assert isinstance(document["items"], Sink) and document["items"].items == [{"x": 1}, {"x": 2}]
    assert document["a"] == 1 and document["b"] == [1, 2]
    aliased = b"items: &i\n  - 1\n? *i\n: 2\n"
    with pytest.raises(Exception, match="a mapping key must be a scalar"):
        parse_yaml(aliased, Path("t.yaml"), lambda key: Sink() if key == "items" else None)


def test_the_schema_never_rewrites_a_name_an_id_or_a_kind() -> None:
    """The streamed build reads names, references and citations from the records as parsed, not
    from their validated JSON (factbase/stream.py): sound only while validating never changes a
    string. Every validator runs after the fields (checks, as Money's and Source's are), and no
    string is stripped, re-cased or made from a number."""
    import re

    from cartq.factbase.models import FactBase

    schema = repr(FactBase.__pydantic_core_schema__)
    assert set(re.findall(r"'type': '(function-[a-z]+)'", schema)) <= {"function-after"}
    for transform in ("strip_whitespace", "to_lower", "to_upper", "coerce_numbers_to_str"):
        assert f"'{transform}': True" not in schema


def test_a_damaged_page_anywhere_in_a_listing_is_rebuilt_before_a_row_is_given(
    monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    monkeypatch.setattr(index, "LISTING_PAGE", 2)
    monkeypatch.setattr("cartq.factbase.cache.RACY_NS", 0)
    whole = list(open_store(default_data_path()).listing("product"))
    (file,) = (private_cache / "cartq").glob("*.sqlite")
    connection = sqlite3.connect(file)
    (last,) = connection.execute("SELECT max(page) FROM listings WHERE kind = 'product'").fetchone()
    assert last >= 2
    connection.execute("UPDATE listings SET data = replace(data, '\"id\"', '\"ID\"') WHERE page = ?", (last,))
    connection.commit()
    connection.close()
    assert list(open_store(default_data_path()).listing("product")) == whole
