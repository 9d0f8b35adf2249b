"""What the cache's index holds: every name a person might type, every link between records,
each record's search text, and the SQLite tables that keep them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any, NamedTuple  # noqa: TID253

from cartq.kinds import KINDS
from cartq.names import normalise_joined
from cartq.records import citations_of, names_of, references_of

# (kind, id, normalised name, name, index in its section): one row per distinct name of a record.
NameRow = tuple[str, str, str, str, int]
# (kind, id, field path, other kind, other id, index in its section): one row per link.
LinkRow = tuple[str, str, str, str, str, int]
Rows = tuple[list[NameRow], list[LinkRow]]


class Validated(NamedTuple):
    """A fact base that passed every check, with the name and link rows the checks already built
    and each record as JSON, serialised by its validated model (four times faster than `json`).
    `models` is the FactBase with its header; its record lists are emptied once serialised, so
    the models and the data never both exist whole (at 100,000 products each is ~300 MB).
    """

    data: dict[str, Any]
    rows: Rows
    models: Any
    json: dict[str, list[str]] | None = None  # section -> each record as JSON, in order

    def record_json(self, section: str) -> Iterator[str]:
        if self.json is not None:
            yield from self.json[section]
            return
        for model in getattr(self.models, section):
            yield model.__pydantic_serializer__.to_json(model).decode("utf-8")


def index_rows(data: dict[str, Any]) -> Rows:
    """Every name a person might type and every link between records, built once for both the
    link checks and the index. Citations are links to sources in the field "sources".
    """
    names: list[NameRow] = []
    links: list[LinkRow] = []
    for spec in KINDS:
        kind = spec.kind
        for index, record in enumerate(data[spec.section]):
            rid = record["id"]
            seen: set[str] = set()
            record_names = names_of(kind, record)
            for name, key in zip(record_names, normalise_joined(record_names).split("|"), strict=True):
                if key and key not in seen:
                    seen.add(key)
                    names.append((kind, rid, key, name, index))
            links.extend((kind, rid, path, other, oid, index) for path, other, oid in references_of(kind, record))
            links.extend(
                (kind, rid, "sources", "source", citation["source"], index)
                for _, citation in citations_of(kind, record)
            )
    return names, links


_SECTIONS = frozenset(spec.section for spec in KINDS)


def _has_space(name: str) -> bool:
    """Whether any character is whitespace (str.isspace), in C: split() splits on exactly those."""
    return bool(name) and name.split() != [name]


# ---- the index (SQLite: a file in the cache, or in memory) -------------------------------

SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
                      PRIMARY KEY (kind, id));
CREATE TABLE names (norm TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, label TEXT NOT NULL,
                    folded TEXT, rnorm TEXT NOT NULL, length INTEGER NOT NULL);
CREATE TABLE links (kind TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,
                    other_kind TEXT NOT NULL, other_id TEXT NOT NULL);
"""
# Built after the rows are in: one sort instead of a B-tree insert per row.
INDEX_SQL = """
CREATE INDEX names_by_norm ON names (kind, norm);
CREATE INDEX names_by_folded ON names (kind, folded) WHERE folded IS NOT NULL;
CREATE INDEX names_by_rnorm ON names (kind, rnorm);
CREATE INDEX links_to ON links (other_kind, other_id);
"""


def build_index(connection: sqlite3.Connection, facts: Validated, key: dict[str, str]) -> None:
    """Fill an empty database; `key` (format, version, digest, path) goes into `meta` as the cache's identity."""
    data = facts.data
    names, links = facts.rows
    # The file is private until it is renamed into place, so it needs no journal or fsync.
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.executescript(SCHEMA_SQL)
    meta = {
        **key,
        "title": data["title"],
        "as_of": data["as_of"],
        "schema_version": str(data["schema_version"]),
        # What `cartq validate` reports of a valid fact base: every top-level list and its length.
        "counts": json.dumps({key: len(value) for key, value in data.items() if isinstance(value, list)}),
        # The data's top-level keys in order, with the value of each that is not a kind's records:
        # with the records' JSON, the validated data itself (cache.known_data).
        "layout": json.dumps(
            [[key, None if key in _SECTIONS else value] for key, value in data.items()], ensure_ascii=False
        ),
    }
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    connection.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?)",
        (
            (spec.kind, record["id"], seq, text)
            for spec in KINDS
            for seq, (record, text) in enumerate(zip(data[spec.section], facts.record_json(spec.section), strict=True))
        ),
    )
    # Beside each normalised name: the name case-folded for completion (NULL when it holds
    # whitespace, which a shell would split), and the normalised name reversed, with its length,
    # for fuzzy candidates that share an end with the query.
    connection.executemany(
        "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((k, kind, rid, n, None if _has_space(n) else n.casefold(), k[::-1], len(k)) for kind, rid, k, n, _ in names),
    )
    # The index keeps a link's top-level field: "companies", not "companies.*.company".
    connection.executemany(
        "INSERT INTO links VALUES (?, ?, ?, ?, ?)",
        ((kind, rid, field.split(".")[0], ok, oid) for kind, rid, field, ok, oid, _ in links),
    )
    connection.executescript(INDEX_SQL)
    connection.commit()
