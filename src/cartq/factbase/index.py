"""What the cache's index holds: every record as JSON, every name a person might type, every
link between records, and the SQLite tables that keep them, filled a slice of records at a time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import count, repeat
from typing import Any, NamedTuple  # noqa: TID253

from cartq.kinds import KINDS
from cartq.names import normalise_joined
from cartq.records import citations_of, names_of, references_of

# (kind, id, normalised name, name, index in its section): one row per distinct name of a record.
NameRow = tuple[str, str, str, str, int]
# (kind, id, field path, other kind, other id, index in its section): one row per link.
LinkRow = tuple[str, str, str, str, str, int]
Rows = tuple[list[NameRow], list[LinkRow]]
Record = dict[str, Any]
# Records written at once: the slice checks.py validates at once.
SLICE = 1_000
# Listing rows stored as one JSON array: encoded, checked and read a page at a time, a listing of
# 100,000 rows is a hundred rows of the table, and a page is what a listing holds while streamed.
LISTING_PAGE = 1_000


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
    """Every name a person might type and every link between records, with the index in its
    section of each record they come from, for the link checks of a fact base validated whole
    (checks.check_links). Citations are links to sources in the field "sources".
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
_RANK = {spec.kind: rank for rank, spec in enumerate(KINDS)}
# A link's place in the registry's order (kind, record, link within it) as one integer: records
# are written in the file's order, the links read back in the registry's (`Store.linked_to`).
_ORD_BITS = 24  # records of a kind, and links of a record, are fewer than MAX_NODES < 2**24


# ---- the index (SQLite: a file in the cache, or in memory) -------------------------------

SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
                      checksum BLOB, PRIMARY KEY (kind, id));
CREATE TABLE names (norm TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, label TEXT NOT NULL,
                    folded TEXT, rnorm TEXT NOT NULL, owner TEXT NOT NULL);
CREATE TABLE links (kind TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,
                    other_kind TEXT NOT NULL, other_id TEXT NOT NULL, ord INTEGER NOT NULL);
CREATE TABLE listings (kind TEXT NOT NULL, page INTEGER NOT NULL, data TEXT NOT NULL, checksum BLOB,
                       PRIMARY KEY (kind, page)) WITHOUT ROWID;
"""
# Built after the rows are in: one sort instead of a B-tree insert per row. A name is unique
# within its kind (`owner` is '' but for sources, whose titles may repeat): the index's build is
# the check that two records share none, an sqlite3.IntegrityError if they do.
INDEX_SQL = """
CREATE UNIQUE INDEX names_by_norm ON names (kind, norm, owner);
CREATE INDEX records_in_order ON records (kind, seq);
CREATE INDEX names_by_folded ON names (kind, folded) WHERE folded IS NOT NULL;
CREATE INDEX names_by_rnorm ON names (kind, rnorm);
CREATE INDEX links_to ON links (other_kind, other_id, ord);
"""
# What the link checks find that the writer does not see as it goes, each at its first instance.
UNSOUND_SQL = (
    # an id shared by records of two kinds (`cartq show ID` opens any record by its id alone)
    "SELECT 1 FROM records GROUP BY id HAVING count(*) > 1 LIMIT 1",
    # a reference or citation to a record that does not exist
    "SELECT 1 FROM links AS l WHERE NOT EXISTS "
    "(SELECT 1 FROM records AS r WHERE r.kind = l.other_kind AND r.id = l.other_id) LIMIT 1",
)

# (normalised name, kind, id, name, case-folded name or None, normalised name reversed, owner)
StoredName = tuple[str, str, str, str, str | None, str, str]


class IndexWriter:
    """Fills an empty database a slice of records at a time, so a fact base never needs to be
    held whole; `index` and `sound` then find what checks.check_links would find (a fact base
    with any such problem is described by the checks themselves, and never cached); `finish`
    adds the meta and the listings. The file is private until it is renamed into place,
    so it needs no journal or fsync."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(SCHEMA_SQL)
        self.counts: dict[str, int] = {}
        self.cited: set[str] = set()  # ids of the sources some record cites

    def add(self, kind: str, start: int, records: list[Record], texts: list[str]) -> None:
        """Records of one kind from position `start` in their section: their data (what their
        names, references and citations are read from) and their validated JSON (what is stored).
        A duplicate id within the kind is an sqlite3.IntegrityError."""
        from cartq.factbase.guard import _checksum

        insert = self.connection.executemany
        ids = [record["id"] for record in records]
        insert(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
            zip(repeat(kind), ids, count(start), texts, map(_checksum, texts)),
        )
        insert("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?)", _name_rows(kind, records))
        insert("INSERT INTO links VALUES (?, ?, ?, ?, ?, ?)", self._link_rows(kind, start, records))
        self.counts[kind] = self.counts.get(kind, 0) + len(records)

    def _link_rows(self, kind: str, start: int, records: list[Record]) -> Iterator[tuple[str, str, str, str, str, int]]:
        # The index keeps a link's top-level field: "companies", not "companies.*.company".
        rank = _RANK[kind] << _ORD_BITS
        cited = self.cited
        for seq, record in enumerate(records, start):
            rid = record["id"]
            ord = (rank | seq) << _ORD_BITS
            for path, other, oid in references_of(kind, record):
                field = path.split(".")[0]
                if other == "source" and path == "sources":
                    cited.add(oid)
                yield kind, rid, field, other, oid, ord
                ord += 1
            for _, citation in citations_of(kind, record):
                cited.add(citation["source"])
                yield kind, rid, "sources", "source", citation["source"], ord
                ord += 1

    def sound(self) -> bool:
        """Whether the link checks (checks.check_links) would find nothing, asked of the index
        (after `index`, which checks names, so the queries use the indexes)."""
        execute = self.connection.execute
        if any(execute(query).fetchone() for query in UNSOUND_SQL):
            return False
        sources = execute("SELECT id FROM records WHERE kind = 'source'")
        return all(sid in self.cited for (sid,) in sources)

    def index(self) -> bool:
        """Build the indexes; False if two records of a kind share a name (names_by_norm)."""
        try:
            self.connection.executescript(INDEX_SQL)
        except sqlite3.IntegrityError:
            return False
        return True

    def finish(self, key: dict[str, str], header: dict[str, Any], sections: Iterable[str]) -> None:
        """The meta (`key`, the cache's identity, with the header) and the listings; committed.
        `header` is the validated data's top-level values that are not records, and `sections`
        every top-level key in order."""
        from cartq.factbase.guard import _checksum
        from cartq.listing_rows import listings

        counts = {spec.section: self.counts.get(spec.kind, 0) for spec in KINDS}
        meta = {
            **key,
            "title": header["title"],
            "as_of": header["as_of"],
            "schema_version": str(header["schema_version"]),
            # What `cartq validate` reports of a valid fact base: every top-level list and its length.
            "counts": json.dumps({name: counts[name] for name in sections if name in _SECTIONS}),
            # The data's top-level keys in order, with the value of each that is not a kind's records:
            # with the records' JSON, the validated data itself (cache.known_data).
            "layout": json.dumps(
                [[name, None if name in _SECTIONS else header[name]] for name in sections], ensure_ascii=False
            ),
        }
        self.connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        encode = json.JSONEncoder(ensure_ascii=False).encode
        for kind, rows in listings(self._records, self._followed):
            pages = (encode(rows[start : start + LISTING_PAGE]) for start in range(0, len(rows), LISTING_PAGE))
            self.connection.executemany(
                "INSERT INTO listings VALUES (?, ?, ?, ?)",
                ((kind, page, text, _checksum(text)) for page, text in enumerate(pages)),
            )
        self.connection.commit()

    def _records(self, kind: str) -> Iterator[Record]:
        rows = self.connection.execute("SELECT data FROM records WHERE kind = ? ORDER BY seq", (kind,))
        return (json.loads(data) for (data,) in rows)

    def _followed(self, kind: str, other: str, field: str | None) -> dict[str, list[str]]:
        """For each record of `other`, the ids of the records of `kind` that refer to it (by
        `field`, or any), in the registry's order: Store.linked_to for every record at once."""
        # links_to gives them grouped by the record referred to, each group in the registry's order.
        query = "SELECT other_id, id FROM links WHERE other_kind = ? AND kind = ?"
        query += (" AND field = ?" if field else "") + " ORDER BY other_id, ord"
        args = (other, kind) if field is None else (other, kind, field)
        followed: dict[str, list[str]] = {}
        for oid, rid in self.connection.execute(query, args):
            followed.setdefault(oid, []).append(rid)
        return followed


def _name_rows(kind: str, records: list[Record]) -> list[StoredName]:
    """One row per distinct normalised name of each record: the name, and beside it the name
    case-folded for completion (NULL when it holds whitespace, which a shell would split), and
    the normalised name reversed, for fuzzy candidates that share an end with
    the query; and its owner (names_by_norm). Every name of the slice is normalised in one pass."""
    sizes: list[int] = []
    labels: list[str] = []
    for record in records:
        record_names = names_of(kind, record)
        sizes.append(len(record_names))
        labels.extend(record_names)
    keys = normalise_joined(labels).split("|") if labels else []
    owner = kind == "source"  # a source's title may be another's too: its rows are owned by its id
    rows: list[StoredName] = []
    append = rows.append
    end = 0
    for record, size in zip(records, sizes, strict=True):
        rid = record["id"]
        seen: set[str] = set()
        first, end = end, end + size
        for at in range(first, end):
            norm = keys[at]
            if norm and norm not in seen:
                seen.add(norm)
                name = labels[at]
                # Whitespace (str.isspace) found in C: split() splits on exactly those.
                folded = name.casefold() if not name or name.split() == [name] else None
                append((norm, kind, rid, name, folded, norm[::-1], rid if owner else ""))
    return rows


def build_index(connection: sqlite3.Connection, facts: Validated, key: dict[str, str]) -> None:
    """Fill an empty database from a fact base validated whole (checks.load_checked); `key`
    (format, version, digest, path) goes into `meta` as the cache's identity."""
    writer = IndexWriter(connection)
    data = facts.data
    for spec in KINDS:
        records = data[spec.section]
        texts = facts.record_json(spec.section)
        for start in range(0, len(records), SLICE):
            chunk = records[start : start + SLICE]
            writer.add(spec.kind, start, chunk, [next(texts) for _ in chunk])
    if not writer.index():
        raise ValueError("two records of a kind share a name: the checks passed a fact base they should not have")
    writer.finish(key, {name: value for name, value in data.items() if name not in _SECTIONS}, list(data))
