"""A cache read defensively: damage found while reading (an SQLite error, a record that fails its
checksum, a column of the wrong type) is answered by one rebuild, never a traceback."""

from __future__ import annotations

import json

from cartq.factbase.sqlite import sqlite3
from cartq.factbase.store import Store

try:  # the BLAKE2 module itself: `hashlib` would load OpenSSL too, a few ms of every lookup
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any


def _checksum(data: str) -> bytes:
    return blake2b(data.encode("utf-8"), digest_size=8).digest()


def _checked(data: Any, checksum: Any) -> Any:
    if type(data) is not str or _checksum(data) != checksum:
        raise ValueError("a damaged record in the cache")
    return data


# The tables a Store reads, each shadowed by a temporary view of the same name and columns; in
# those with checksums, each row's data is checked against its checksum.
_GUARDED = ("records", "names", "links", "listings")
_CHECKSUMMED = ("records", "listings")
_TYPES = {"TEXT": "text", "INTEGER": "integer"}


def _damaged() -> None:
    raise ValueError("a damaged row in the cache")


def _guard(connection: sqlite3.Connection) -> None:
    """Shadow each table with a view that checks what it returns: a record's (or a listing row's)
    data against its checksum, and every column's declared type (a damaged page can turn text into a number). A
    failed check is an SQLite error, which CheckedStore answers by a rebuild. Column names come
    from the file, so a table changed in index.py keeps all its columns; the checks run in C (a
    Python function is called only for a checksum and for a row that fails).
    """
    connection.create_function("cartq_checked", 2, _checked, deterministic=True)
    connection.create_function("cartq_damaged", 0, _damaged)
    for table in _GUARDED:
        columns: list[str] = []
        typed: list[str] = []
        for _, name, declared, notnull, *_ in connection.execute(f"PRAGMA main.table_info({table})"):
            quoted = '"' + str(name).replace('"', '""') + '"'
            if table in _CHECKSUMMED and name in ("data", "checksum"):
                if name == "data":
                    columns.append("cartq_checked(data, checksum) AS data")
                continue
            columns.append(quoted)
            if str(declared).upper() in _TYPES:
                expected = f"'{_TYPES[str(declared).upper()]}'" + ("" if notnull else ", 'null'")
                typed.append(f"typeof({quoted}) IN ({expected})")
        if not columns:
            raise sqlite3.DatabaseError(f"no table {table}")
        where = f" WHERE CASE WHEN {' AND '.join(typed)} THEN 1 ELSE cartq_damaged() END" if typed else ""
        connection.execute(f"CREATE TEMP VIEW {table} AS SELECT {', '.join(columns)} FROM main.{table}{where}")


class CheckedStore(Store):
    """A Store over a cache file that answers damage found while reading (an SQLite error, a
    record that fails its checksum or does not parse) by rebuilding the index once and asking
    again. Every public method of Store is wrapped, so methods added to Store are covered too.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, rebuild: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connection, path)
        self._rebuild: Callable[[], sqlite3.Connection] | None = rebuild

    def heal(self) -> None:
        """Replace a damaged cache: rebuild from the fact base and use the new index."""
        rebuild, self._rebuild = self._rebuild, None
        if rebuild is None:
            raise RuntimeError("the cache was already rebuilt once")
        damaged = self.connection
        self.connection = rebuild()
        self._linked.clear()  # read from the damaged file
        damaged.close()


def _healing(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: CheckedStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, json.JSONDecodeError):
            if self._rebuild is None:
                raise
        self.heal()
        return method(self, *args, **kwargs)

    call.__name__ = method.__name__
    call.__qualname__ = f"CheckedStore.{method.__name__}"
    call.__doc__ = method.__doc__
    call.__wrapped__ = method  # type: ignore[attr-defined]
    return call


def _healing_stream(method: Callable[..., Any]) -> Callable[..., Any]:
    """A generator method: damage found before its first row is answered by a rebuild, as for any
    method; damage found later cannot be (rows were already written), so it goes on up."""

    def call(self: CheckedStore, *args: Any, **kwargs: Any) -> Any:
        try:
            rows = method(self, *args, **kwargs)
            first = next(rows, _END)
        except (sqlite3.DatabaseError, json.JSONDecodeError):
            if self._rebuild is None:
                raise
            self.heal()
            rows = method(self, *args, **kwargs)
            first = next(rows, _END)
        if first is not _END:
            yield first
            yield from rows

    call.__name__ = method.__name__
    call.__qualname__ = f"CheckedStore.{method.__name__}"
    call.__doc__ = method.__doc__
    call.__wrapped__ = method  # type: ignore[attr-defined]
    return call


_END = object()
_FUNCTION = type(_healing)  # inspect.isfunction without importing inspect
_GENERATOR = 0x20  # CO_GENERATOR: a method that yields


for _name, _member in list(vars(Store).items()):
    if type(_member) is _FUNCTION and not _name.startswith("_"):
        wrap = _healing_stream if _member.__code__.co_flags & _GENERATOR else _healing
        setattr(CheckedStore, _name, wrap(_member))
