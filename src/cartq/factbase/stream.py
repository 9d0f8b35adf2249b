"""Building the index as the fact base is read: each record is validated, written and let go a
slice at a time, so the parsed document, the models and the rows never exist whole (at 100,000
products each is hundreds of MB). Runs only when there is no fresh cache.

This path only decides whether a fact base is sound. At the first problem of any kind it stops,
and checks.load_checked reads the fact base again as a whole to say what the problems are (with
their lines and records), exactly as it always has: a broken fact base costs two reads, a sound
one a single pass.
"""

from __future__ import annotations

import sqlite3

from cartq.factbase import checks
from cartq.factbase.index import IndexWriter, build_index
from cartq.factbase.yaml_reader import parse_yaml
from cartq.kinds import BY_SECTION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# A header that is always valid: each slice of records is validated inside a FactBase (as
# checks._validate_in_slices does), and the real header is validated once, at the end.
_ANY_HEADER = {"title": "-", "as_of": "2000-01-01"}
_NONE: list[Any] = []  # every other section of a slice's FactBase (never changed)


class _Unsound(Exception):
    """A problem found while streaming: checks.load_checked will say what it is."""


class _Section:
    """Stands in for a kind's top-level list while the YAML is read: its records are validated
    and written SLICE_RECORDS at a time, then dropped."""

    __slots__ = ("count", "pending", "section", "writer")

    def __init__(self, section: str, writer: IndexWriter) -> None:
        self.section = section
        self.writer = writer
        self.pending: list[Any] = []
        self.count = 0

    def append(self, record: Any) -> None:
        self.pending.append(record)
        if len(self.pending) == checks.SLICE_RECORDS:
            self.flush()

    def flush(self) -> None:
        from pydantic import ValidationError

        from cartq.factbase.models import FactBase

        if not self.pending:
            return
        piece = {**_ANY_HEADER, **dict.fromkeys(BY_SECTION, _NONE), self.section: self.pending}
        try:
            models = getattr(FactBase.model_validate(piece), self.section)
        except ValidationError:
            raise _Unsound from None
        texts = [model.__pydantic_serializer__.to_json(model).decode("utf-8") for model in models]
        del models
        # The names, references and citations are read from the records as parsed, not from their
        # JSON read back (a third of the time of a slice): the schema checks a name, an id or a
        # kind and never changes one (no str transforms, no validators that rewrite), and what
        # it adds, defaults, are empty. tests/test_listings.py holds the two indexes equal.
        try:
            self.writer.add(BY_SECTION[self.section].kind, self.count, self.pending, texts)
        except sqlite3.IntegrityError:  # an id twice in one kind
            raise _Unsound from None
        self.count += len(texts)
        self.pending = []


def build_checked(connection: sqlite3.Connection, path: Path, raw: bytes, key: dict[str, str]) -> None:
    """Validate the fact base and fill the empty database from it; FactBaseError with every
    problem (and nothing written that counts) if it is not sound."""
    try:
        if _stream(connection, path, raw, key):
            return
    except _Unsound:
        pass
    facts = checks.load_checked(path, raw)  # raises FactBaseError, saying what is wrong
    # Sound after all (it never should be, if this path finds what the checks find): start over.
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        connection.execute(f'DROP TABLE "{table}"')
    build_index(connection, facts, key)


def _stream(connection: sqlite3.Connection, path: Path, raw: bytes, key: dict[str, str]) -> bool:
    """Fill the index as the YAML is read; False (or _Unsound) at the first problem."""
    if not streamable():
        return False
    writer = IndexWriter(connection)
    head = read_into(writer, path, raw)
    if head is None:
        return False
    if not writer.index() or not writer.sound():
        return False
    finish(writer, key, head)
    return True


def streamable() -> bool:
    """Whether slices of records can be validated apart: FactBase has no validator of its own
    (with one, checks._validate_in_slices validates the whole document at once)."""
    from cartq.factbase.models import FactBase

    decorators = FactBase.__pydantic_decorators__
    return not (decorators.model_validators or decorators.field_validators)


def read_into(writer: IndexWriter, path: Path, raw: bytes) -> Any:
    """Parse the YAML, each kind's records validated and written as they are read; the header,
    validated, or None if it is not valid. _Unsound at a record that is not."""
    from pydantic import ValidationError

    from cartq.factbase.models import FactBase

    def section(name: object) -> _Section | None:
        return _Section(name, writer) if isinstance(name, str) and name in BY_SECTION else None

    document = parse_yaml(raw, path, section)
    if not isinstance(document, dict):
        return None
    for value in document.values():
        if isinstance(value, _Section):
            value.flush()
    header = {name: value for name, value in document.items() if not isinstance(value, _Section)}
    try:
        return FactBase.model_validate({**header, **{name: [] for name in document if name not in header}})
    except ValidationError:
        return None


def finish(writer: IndexWriter, key: dict[str, str], head: Any) -> None:
    """The meta from the validated header (as checks._dump gives it), and the listings."""
    sections = set(BY_SECTION)
    data = head.model_dump(mode="json", exclude=sections)
    order = [name for name in type(head).model_fields if name in sections or name in data]
    writer.finish(key, data, order)
