"""Read access to a validated fact base (a cache file, or an index built in memory), and where
the fact base file is. Every method returns plain JSON-like data.
"""

from __future__ import annotations

import json
import os

from cartq.factbase.sqlite import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from cartq.records import Record


# A kind with at most this many names is scored whole by fuzzy matching (the shipped base has a
# few hundred); above it, candidates are prefiltered in SQL, at most this many.
FUZZY_ALL_BELOW = 5_000
FUZZY_AFFIX = 3
# Ids bound in one query: under SQLite's oldest limit on variables (999).
BATCH = 500


class Store:
    """Read access to a validated fact base. All methods return plain JSON-like data."""

    def __init__(self, connection: sqlite3.Connection, path: str | os.PathLike[str]) -> None:
        self.connection = connection
        self.path = path
        # What links to a record, asked for again and again by one page (its events, its prices,
        # the disputes about each): the index never changes under a process.
        self._linked: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {}

    def meta(self, key: str) -> str:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else ""

    def get(self, kind: str, rid: str) -> Record | None:
        row = self.connection.execute("SELECT data FROM records WHERE kind = ? AND id = ?", (kind, rid)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, kind: str, ids: list[str]) -> list[Record]:
        """The records with these ids, in the order first given, once each; unknown ids skipped.
        One query for up to BATCH ids (a page's sources are one query, not thirty)."""
        wanted = list(dict.fromkeys(ids))
        texts: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT id, data FROM records WHERE kind = ? AND id IN ({marks})"
            texts.update(self.connection.execute(query, (kind, *chunk)))
        return [json.loads(texts[rid]) for rid in wanted if rid in texts]

    def all(self, kind: str) -> list[Record]:
        rows = self.connection.execute("SELECT data FROM records WHERE kind = ? ORDER BY seq", (kind,))
        return [json.loads(data) for (data,) in rows]

    def exact(self, kind: str, norm: str) -> list[tuple[str, str]]:
        rows = self.connection.execute("SELECT DISTINCT id, label FROM names WHERE kind = ? AND norm = ?", (kind, norm))
        return list(rows)

    def prefixed(self, kind: str, norm: str, limit: int = 50) -> list[tuple[str, str, str]]:
        rows = self.connection.execute(
            "SELECT id, label, norm FROM names WHERE kind = ? AND norm >= ? AND norm < ? LIMIT ?",
            (kind, norm, norm + "\U0010ffff", limit),
        )
        return list(rows)

    def names(self, kind: str) -> list[tuple[str, str, str]]:
        return list(self.connection.execute("SELECT id, label, norm FROM names WHERE kind = ?", (kind,)))

    def completion_names(self, kind: str, typed: str, limit: int = 50) -> list[str]:
        """Names of the kind without whitespace whose case-folded form starts with `typed` (already
        case-folded), in that order, at most `limit` distinct ones: an indexed range, never a scan."""
        rows = self.connection.execute(
            "SELECT DISTINCT label, folded FROM names WHERE kind = ? AND folded >= ? AND folded < ? "
            "ORDER BY folded, label LIMIT ?",
            (kind, typed, typed + "\U0010ffff", limit),
        )
        return [label for label, _ in rows]

    def count_names(self, kind: str) -> int:
        return int(self.connection.execute("SELECT count(*) FROM names WHERE kind = ?", (kind,)).fetchone()[0])

    def fuzzy_candidates(self, kind: str, norm: str, limit: int = FUZZY_ALL_BELOW) -> list[tuple[str, str, str]]:
        """(id, label, normalised name) worth scoring against `norm` (a normalised query), as names()
        gives them. A kind with at most `limit` names gives all of them, so a small fact base scores
        exactly as before. A larger one gives, within a length band of the query, the names that
        share the longest beginning with it (at least FUZZY_AFFIX characters) and those that share
        the longest end: a typo near one end still leaves the other. Each is an indexed range
        probed from the longest affix down, at most `limit` names in all; a typo at both ends is
        not found, the price of not scoring 600,000 names.
        """
        more = self.connection.execute("SELECT 1 FROM names WHERE kind = ? LIMIT 1 OFFSET ?", (kind, limit))
        if more.fetchone() is None:  # at most `limit` names: counted without a scan of them all
            return self.names(kind)
        band = max(2, len(norm) // 3)
        low, high = len(norm) - band, len(norm) + band
        found: dict[tuple[str, str, str], None] = {}
        for column, text in (("norm", norm), ("rnorm", norm[::-1])):
            for size in range(len(text), FUZZY_AFFIX - 1, -1):
                affix = text[:size]
                rows = self.connection.execute(
                    f"SELECT id, label, norm FROM names WHERE kind = ? AND {column} >= ? AND {column} < ? "
                    "AND length(norm) BETWEEN ? AND ? LIMIT ?",
                    (kind, affix, affix + "\U0010ffff", low, high, max(1, limit // 2)),
                ).fetchall()
                if rows:
                    found.update(dict.fromkeys(rows))
                    break
        return list(found)[:limit]

    def listing(self, kind: str) -> Iterator[Record]:
        """The listing rows of a kind with a listing command, in the order listed (built with the
        index: cartq.listing_rows), one at a time."""
        # Every page is read (and in a cache file, checked) before the first row is given: damage
        # found then is answered by a rebuild, found halfway through a listing it could not be.
        self.connection.execute("SELECT count(data) FROM listings WHERE kind = ?", (kind,)).fetchone()
        pages = self.connection.execute("SELECT data FROM listings WHERE kind = ? ORDER BY page", (kind,))
        for (data,) in pages:  # each a JSON array of up to index.LISTING_PAGE rows
            yield from json.loads(data)

    def linked_to(self, kind: str, rid: str) -> list[tuple[str, str, str]]:
        """(field, kind, id) of every reference to the record, in the kind registry's order."""
        found = self._linked.get((kind, rid))
        if found is None:
            rows = self.connection.execute(
                "SELECT field, kind, id FROM links WHERE other_kind = ? AND other_id = ? ORDER BY ord", (kind, rid)
            )
            found = self._linked[kind, rid] = tuple(rows)
        return list(found)
