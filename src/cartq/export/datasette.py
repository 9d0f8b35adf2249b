"""Datasette metadata for a SQLite export: title, licence, source, as_of, and a description of every
table and column (derived from the models: field, type, enum values with labels, money units),
facet suggestions per table, label columns, and the full-text index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any  # noqa: TID253

from cartq.export.files import FORMAT, FORMAT_VERSION
from cartq.export.schema import header_fields
from cartq.export.tables import Schema, Table

MAX_FACETS = 4

# Canned queries datasette offers as forms.
SEARCH_SQL = (
    "SELECT r.kind, r.id, r.name, r.table_name FROM search JOIN records r ON r.rowid = search.rowid "
    "WHERE search MATCH :q ORDER BY rank LIMIT 100"
)
QUERIES = {
    "search_records": {
        "title": "Search every record",
        "description": "Full-text search over names and text (three characters or more; any script)",
        "sql": SEARCH_SQL,
    },
    "citations_of": {
        "title": "Sources of one record",
        "description": "Every citation of a record (kind and id, as in the records table), with its source",
        "sql": (
            "SELECT c.path, c.position, c.source, s.title, s.url, s.reliability, c.quote, c.note "
            "FROM citations c JOIN sources s ON s.id = c.source "
            "WHERE c.record_kind = :kind AND c.record_id = :id ORDER BY c.path, c.position"
        ),
    },
}


def package_license() -> str:
    """cartq's own licence, as its package metadata declares it."""
    from importlib import metadata

    try:
        meta = metadata.metadata("cartq")
    except metadata.PackageNotFoundError:
        return "MIT"
    return meta.get("License-Expression") or meta.get("License") or "MIT"


def facets(table: Table) -> list[str]:
    """Columns worth faceting on: closed sets (not date precisions) and references, in table order."""
    chosen = []
    for column in table.all_columns:
        if column.name.endswith("_precision") or column.name in ("id", "position"):
            continue
        if column.enum is not None or (column.references and table.parent is None) or column.type == "boolean":
            chosen.append(column.name)
    return chosen[:MAX_FACETS]


def describe(data: dict[str, Any]) -> str:
    header = header_fields(data)
    return (
        f"{header.get('title', 'cartq fact base')}, current to {header.get('as_of')}. Every fact cites its "
        "sources (table citations, with verbatim quotes); disputed claims are kept next to their "
        "corrections. Money: exact decimal text in whole units of its currency column, scale already "
        "applied; never converted between currencies. Dates: ISO text with a <field>_precision column. "
        "Quotes remain their sources' words."
    )


def datasette_metadata(
    schema: Schema,
    data: dict[str, Any],
    database: str,
    *,
    views: dict[str, tuple[str, str]],
    registry_tables: Sequence[str] = (),
    source_url: str | None = None,
    license: str | None = None,
    license_url: str | None = None,
) -> dict[str, Any]:
    from cartq import __version__

    header = header_fields(data)
    tables: dict[str, Any] = {}
    for table in schema.tables:
        entry: dict[str, Any] = {
            "description": table.description,
            "columns": {column.name: column.description for column in table.all_columns},
        }
        chosen = facets(table)
        if chosen:
            entry["facets"] = chosen
        names = {column.name for column in table.all_columns}
        for label in ("name", "title", "subject", "claim"):
            if label in names:
                entry["label_column"] = label
                break
        tables[table.name] = entry
    tables["records"]["fts_table"] = "search"
    tables["records"]["fts_pk"] = "rowid"
    tables["search"] = {
        "description": "Full-text index (FTS5, trigram) over every record's names and text; rowid = records.rowid"
    }
    tables["export_info"] = {
        "description": "What this export is: format, cartq version, the fact base's title and as_of"
    }
    for name, (description, _sql) in views.items():
        tables[name] = {"description": description}
    for name in registry_tables:
        tables[name] = {"description": f"Copied from the trial registry's table {name.removeprefix('registry_')}"}
    metadata: dict[str, Any] = {
        "title": str(header.get("title") or "cartq fact base"),
        "description": describe(data),
        "license": license or package_license(),
        "source": f"cartq fact base, as of {header.get('as_of')} (every record cites its own sources)",
        "as_of": str(header.get("as_of")),
        "cartq": {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "cartq_version": __version__,
            **{key: str(value) for key, value in header.items()},
        },
        "databases": {database: {"description": describe(data), "tables": tables, "queries": QUERIES}},
    }
    if license_url:
        metadata["license_url"] = license_url
    if source_url:
        metadata["source_url"] = source_url
    return metadata
