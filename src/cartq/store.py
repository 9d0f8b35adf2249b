"""Finding, reading (safe YAML only), validating and caching the fact base.

A run that finds a fresh cache opens one SQLite file and never imports PyYAML or pydantic.
The cache holds the validated records as JSON plus a name index and a table of links, so a
lookup reads a handful of rows whatever the size of the fact base.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from cartq import __version__
from cartq.errors import FactBaseError
from cartq.names import normalise_joined

# Bump when the cache's tables or the shape of stored records change.
CACHE_FORMAT = "3"
MAX_FILE_BYTES = 64 * 1024 * 1024
# An alias bomb expands a small file into billions of nodes; no honest fact base needs this many.
MAX_NODES = 5_000_000
MAX_PROBLEMS_SHOWN = 5

Record = dict[str, Any]


# ---- where the fact base is ---------------------------------------------------------------


def default_data_path() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "data" / "facts.yaml"  # inside a wheel
    if packaged.is_file():
        return packaged
    return here.parent.parent / "data" / "facts.yaml"  # a source checkout or editable install


def resolve_data_path(option: str | os.PathLike[str] | None) -> Path:
    if option:
        return Path(option).expanduser()
    env = os.environ.get("CARTQ_DATA")
    if env:
        return Path(env).expanduser()
    return default_data_path()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cartq"


def read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise FactBaseError(f"fact base {path} is a directory, not a file", hint="pass a .yaml file to --data")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FactBaseError(f"fact base {path} is {size} bytes; the limit is {MAX_FILE_BYTES}")
        return path.read_bytes()
    except FileNotFoundError:
        raise FactBaseError(
            f"fact base not found: {path}", hint="check --data or CARTQ_DATA, or reinstall cartq"
        ) from None
    except PermissionError:
        raise FactBaseError(f"cannot read fact base {path}: permission denied") from None
    except OSError as exc:
        raise FactBaseError(f"cannot read fact base {path}: {exc.strerror or exc}") from None


# ---- parsing and validation (only when there is no fresh cache) --------------------------


def _yaml_loader() -> Any:
    """The C parser when PyYAML has it. A base loader resolves and constructs nothing; `_build`
    turns its events into plain data.
    """
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


_YAML = "tag:yaml.org,2002:"
# Tags a fact base may spell out; all of YAML's core schema, nothing that constructs objects.
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")} | {"!"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NUMERIC_START = frozenset("0123456789+-.")
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
# A plain scalar longer than this that does not start like a number can only be text.
_LONGEST_WORD = max(map(len, _WORDS))


def _plain(value: str) -> Any:
    """An untagged plain scalar as YAML's core types. Dates stay text and the schema checks them, so
    a bad date is a schema problem with a line number rather than a crash inside PyYAML.
    """
    if value[:1] in _NUMERIC_START:
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
    return _WORDS.get(value, value) if len(value) <= _LONGEST_WORD else value


def _tagged(tag: str, value: str) -> Any:
    """A scalar with an explicit core tag, as that type; ValueError if it is not one."""
    kind = tag.removeprefix(_YAML)
    if kind in ("str", "timestamp", "!"):
        return value
    if kind == "int" and _INT.match(value):
        return int(value)
    if kind == "float" and _FLOAT.match(value):  # integers match too
        return float(value)
    if kind == "null" and value in _WORDS and _WORDS[value] is None:
        return None
    if kind == "bool" and value in _WORDS and isinstance(_WORDS[value], bool):
        return _WORDS[value]
    raise ValueError(f"{value!r} is not a valid !!{kind}")


def _build(events: Iterator[Any], path: Path) -> Any:
    """Plain data straight from the parser's events, with no node tree in between (PyYAML's
    composer resolves every node in Python and costs four times the parse).

    Aliases share one object, as in PyYAML. Any tag outside YAML's core schema (such as
    !!python/object) is refused, so nothing is ever constructed from one. Nodes are counted as a
    consumer would visit them, aliases expanded, and a document past MAX_NODES (an alias bomb) or
    one whose alias refers to its own ancestor (an endless document) is refused.
    """
    import yaml

    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    opening = {yaml.MappingStartEvent: (dict, _YAML + "map"), yaml.SequenceStartEvent: (list, _YAML + "seq")}
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    no_key = object()

    def refuse(event: Any, why: str) -> FactBaseError:
        return FactBaseError(f"{path}: invalid YAML at line {event.start_mark.line + 1}: {why}")

    def anchor(event: Any, value: Any, size: int | None) -> None:
        if event.anchor in anchors:
            raise refuse(event, f"anchor &{event.anchor} is defined twice")
        anchors[event.anchor] = (value, size)

    # Per open collection: [container, pending key (mappings), anchor, nodes visited at its start].
    stack: list[list[Any]] = []
    top: list[Any] | None = None  # stack[-1], kept in a local because this loop runs once per event
    # anchor -> (value, expanded size); the size is None while the anchored node is still open.
    anchors: dict[str, tuple[Any, int | None]] = {}
    visited = 0
    documents = 0
    root: Any = None
    for event in events:
        kind = type(event)
        if kind is scalar_event:
            visited += 1
            tag = event.tag
            value = event.value
            if tag is None:
                # Most plain scalars are words; only short or numeric-looking ones can be anything else.
                if not event.style and (len(value) <= _LONGEST_WORD or value[:1] in _NUMERIC_START):
                    value = _plain(value)
            elif tag in _SCALAR_TAGS:
                try:
                    value = _tagged(tag, value)
                except ValueError as exc:
                    raise refuse(event, str(exc)) from None
            else:
                raise refuse(event, f"tag {tag!r} is not allowed")
            if event.anchor is not None:
                anchor(event, value, 1)
        elif kind in opening:
            container, allowed = opening[kind]
            if event.tag is not None and event.tag != allowed:
                raise refuse(event, f"tag {event.tag!r} is not allowed here")
            value = container()
            if event.anchor is not None:
                anchor(event, value, None)
            visited += 1
            top = [value, no_key, event.anchor, visited - 1]
            stack.append(top)
            continue
        elif kind in closing:
            value, _, name, start = stack.pop()
            if name is not None:
                anchors[name] = (value, visited - start)
            top = stack[-1] if stack else None
        elif kind is alias_event:
            if event.anchor not in anchors:
                raise refuse(event, f"alias *{event.anchor} has no anchor before it")
            value, size = anchors[event.anchor]
            if size is None:
                raise refuse(event, "an alias refers to its own ancestor (a recursive document)")
            visited += size
            if visited > MAX_NODES:
                raise FactBaseError(f"{path}: YAML expands to more than {MAX_NODES:,} nodes (an alias bomb?); refused")
        else:
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise refuse(event, "expected one document, found another")
            continue
        if top is None:
            root = value
            continue
        container = top[0]
        if type(container) is list:
            container.append(value)
        elif top[1] is no_key:
            if isinstance(value, (dict, list)):
                raise refuse(event, "a mapping key must be a scalar")
            if value in container:
                raise refuse(event, f"duplicate key {value!r}")
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = no_key
    return root


def parse_yaml(raw: bytes, path: Path) -> Any:
    import yaml

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FactBaseError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        loader = _yaml_loader()(text)
        try:
            # get_event returns None after the stream's end; cheaper than yaml.parse's generator.
            document = _build(iter(loader.get_event, None), path)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = exc.problem or exc.context or "invalid YAML"
        raise FactBaseError(f"{path}: invalid YAML at {where}: {what}") from None
    except yaml.YAMLError as exc:
        raise FactBaseError(f"{path}: invalid YAML: {exc}") from None
    return document


def _line_index(text: str) -> Any:
    """The composed YAML node tree, used only to say which line a schema problem is on."""
    import yaml

    try:
        return yaml.compose(text, Loader=_yaml_loader())
    except Exception:  # the document already parsed once; any failure here only loses line numbers
        return None


def _line_of(root: Any, loc: tuple[Any, ...]) -> int | None:
    import yaml

    node = root
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _describe_loc(document: Any, loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    node = document
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and part < len(node):
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label = f"[{part}] (id {node['id']!r})"
            else:
                node = None
            parts.append(label)
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "top level"


def _values_at(value: Any, path: str) -> list[Any]:
    """The values at a dotted path where "*" steps into every list item; missing or null steps yield nothing."""
    items = [value]
    for step in path.split("."):
        if step == "*":
            items = [item for each in items if type(each) is list for item in each]
        else:
            items = [each[step] for each in items if type(each) is dict and each.get(step) is not None]
    return items


def check_links(data: dict[str, Any], rows: Rows | None = None) -> list[str]:
    """Problems a schema cannot see: duplicate ids, shared aliases, dangling references, uncited sources."""
    from cartq.models import KIND_OF_SECTION, SECTION_OF_KIND

    names, links = rows or index_rows(data)
    problems: list[str] = []
    ids: dict[str, set[str]] = {}
    for section, kind in KIND_OF_SECTION.items():
        seen: set[str] = set()
        for index, record in enumerate(data.get(section) or []):
            rid = record.get("id")
            if rid in seen:
                problems.append(f"{section}[{index}]: duplicate id {rid!r}")
            seen.add(rid)
        ids[kind] = seen

    owners: dict[tuple[str, str], str] = {}
    for kind, rid, key, name, index in names:
        if kind == "source":
            continue
        other = owners.setdefault((kind, key), rid)
        if other != rid:
            where = f"{SECTION_OF_KIND[kind]}[{index}] (id {rid!r})"
            problems.append(f"{where}: name {name!r} is also a name of {kind} {other!r}")

    cited: set[str] = set()
    for kind, rid, field, other_kind, other_id, index in links:
        if other_kind == "source" and field == "sources":
            cited.add(other_id)
        if other_id in ids[other_kind]:
            continue
        where = f"{SECTION_OF_KIND[kind]}[{index}] (id {rid!r})"
        if field == "sources":
            problems.append(f"{where}: cites unknown source {other_id!r}")
        else:
            problems.append(f"{where}: {field.replace('.*', '[]')} refers to unknown {other_kind} {other_id!r}")
    for index, source in enumerate(data.get("sources") or []):
        if source["id"] not in cited:
            problems.append(f"sources[{index}] (id {source['id']!r}): cited by no record")
    return problems


class Validated(NamedTuple):
    """A fact base that passed every check, with the name and link rows the checks already built
    and the validated models, which serialise each record to JSON four times faster than `json`.
    """

    data: dict[str, Any]
    rows: Rows
    models: Any

    def record_json(self, section: str) -> Iterator[str]:
        for model in getattr(self.models, section):
            yield model.__pydantic_serializer__.to_json(model).decode("utf-8")


def validate(document: Any, text: str, path: Path) -> Validated:
    """Validate a parsed document as plain JSON-able data, or raise FactBaseError with every problem."""
    from pydantic import ValidationError

    from cartq.models import FactBase

    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}, not a mapping"
        raise FactBaseError(f"{path}: the fact base is {kind}", problems=[f"{path}: top level is {kind}"])
    try:
        base = FactBase.model_validate(document)
    except ValidationError as exc:
        root = _line_index(text)
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = _line_of(root, loc) if root is not None else None
            where = f"line {line}: " if line else ""
            problems.append(f"{where}{_describe_loc(document, loc)}: {error['msg']}")
        raise FactBaseError(f"{path}: {len(problems)} schema problem(s)", problems=problems) from None
    data = base.model_dump(mode="json")
    rows = index_rows(data)
    problems = check_links(data, rows)
    if problems:
        raise FactBaseError(f"{path}: {len(problems)} problem(s) in links between records", problems=problems)
    return Validated(data, rows, base)


def load_checked(path: Path, raw: bytes | None = None) -> Validated:
    raw = read_bytes(path) if raw is None else raw
    document = parse_yaml(raw, path)
    return validate(document, raw.decode("utf-8"), path)


def load_validated(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    return load_checked(path, raw).data


# ---- what the index holds ----------------------------------------------------------------

# Fields whose values are names a person might type, per kind.
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "product": (
        "name",
        "inn",
        "chinese_generic_name",
        "brand_names",
        "chinese_brand_names",
        "short_names",
        "code_names",
        "aliases",
        "chinese_names",
    ),
    "company": ("name", "aliases", "chinese_names"),
    "target": ("name", "full_name", "aliases", "chinese_names"),
    "indication": ("name", "abbreviations", "aliases", "chinese_names"),
    "term": ("name", "aliases", "chinese_names"),
    "country": ("name", "aliases"),
    "study": ("name", "aliases", "registry_ids"),
    "source": ("title",),
}


def names_of(kind: str, record: Record) -> list[str]:
    names = [record["id"]]
    for field in NAME_FIELDS.get(kind, ()):
        value = record.get(field)
        if type(value) is str:
            names.append(value)
        elif type(value) is list:
            names.extend([v for v in value if type(v) is str])
    return names


def record_citations(section: str, record: Record) -> Iterator[dict[str, Any]]:
    """The citations of one validated record, found by the schema rather than by a deep walk."""
    from cartq.models import CITATION_FIELDS

    for field in CITATION_FIELDS.get(section, ("sources.*",)):
        yield from _values_at(record, field)


def iter_citations(record: Any) -> Iterator[dict[str, Any]]:
    if isinstance(record, dict):
        if "source" in record and isinstance(record["source"], str) and set(record) <= {"source", "quote", "note"}:
            yield record
            return
        for value in record.values():
            yield from iter_citations(value)
    elif isinstance(record, list):
        for value in record:
            yield from iter_citations(value)


# (kind, id, normalised name, name, index in its section): one row per distinct name of a record.
NameRow = tuple[str, str, str, str, int]
# (kind, id, field path, other kind, other id, index in its section): one row per link.
LinkRow = tuple[str, str, str, str, str, int]
Rows = tuple[list[NameRow], list[LinkRow]]


def index_rows(data: dict[str, Any]) -> Rows:
    """Every name a person might type and every link between records, built once for both the
    link checks and the index. Citations are links to sources in the field "sources".
    """
    from cartq.models import KIND_OF_SECTION, REFERENCE_FIELDS

    names: list[NameRow] = []
    for section, kind in KIND_OF_SECTION.items():
        for index, record in enumerate(data[section]):
            rid = record["id"]
            seen: set[str] = set()
            record_names = names_of(kind, record)
            for name, key in zip(record_names, normalise_joined(record_names).split("|"), strict=True):
                if key and key not in seen:
                    seen.add(key)
                    names.append((kind, rid, key, name, index))
    links: list[LinkRow] = []
    for section, fields in REFERENCE_FIELDS.items():
        kind = KIND_OF_SECTION[section]
        for index, record in enumerate(data[section]):
            for field, other in fields.items():
                links.extend((kind, record["id"], field, other, ref, index) for ref in _values_at(record, field))
    for index, dispute in enumerate(data["disputes"]):
        links.extend(("dispute", dispute["id"], "about", ref["kind"], ref["id"], index) for ref in dispute["about"])
    for section, kind in KIND_OF_SECTION.items():
        if kind == "source":
            continue
        for index, record in enumerate(data[section]):
            links.extend(
                (kind, record["id"], "sources", "source", citation["source"], index)
                for citation in record_citations(section, record)
            )
    return names, links


def _search_text(record: Record) -> str:
    """The record's text values (not its keys), each normalised; '|' keeps a match inside one value."""
    values: list[str] = []
    stack: list[Any] = [record]
    while stack:
        item = stack.pop()
        for value in item.values() if type(item) is dict else item:
            kind = type(value)
            if kind is str:
                values.append(value)
            elif kind is dict or kind is list:
                stack.append(value)
    return normalise_joined(values)


# ---- the index (SQLite: a file in the cache, or in memory) -------------------------------

SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
                      text TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE names (norm TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, label TEXT NOT NULL);
CREATE TABLE links (kind TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,
                    other_kind TEXT NOT NULL, other_id TEXT NOT NULL);
"""
# Built after the rows are in: one sort instead of a B-tree insert per row.
INDEX_SQL = """
CREATE INDEX names_by_norm ON names (kind, norm);
CREATE INDEX links_to ON links (other_kind, other_id);
"""


def build_index(connection: sqlite3.Connection, facts: Validated, path: Path, digest: str) -> None:
    from cartq.models import KIND_OF_SECTION

    data = facts.data
    names, links = facts.rows
    # The file is private until it is renamed into place, so it needs no journal or fsync.
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.executescript(SCHEMA_SQL)
    meta = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "digest": digest,
        "path": str(path),
        "title": data["title"],
        "as_of": data["as_of"],
        "schema_version": str(data["schema_version"]),
    }
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    connection.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
        (
            (kind, record["id"], seq, text, _search_text(record))
            for section, kind in KIND_OF_SECTION.items()
            for seq, (record, text) in enumerate(zip(data[section], facts.record_json(section), strict=True))
        ),
    )
    connection.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", ((k, kind, rid, n) for kind, rid, k, n, _ in names))
    # The index keeps a link's top-level field: "companies", not "companies.*.company".
    connection.executemany(
        "INSERT INTO links VALUES (?, ?, ?, ?, ?)",
        ((kind, rid, field.split(".")[0], ok, oid) for kind, rid, field, ok, oid, _ in links),
    )
    connection.executescript(INDEX_SQL)
    connection.commit()


class Store:
    """Read access to a validated fact base. All methods return plain JSON-like data."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    def meta(self, key: str) -> str:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else ""

    def get(self, kind: str, rid: str) -> Record | None:
        row = self.connection.execute("SELECT data FROM records WHERE kind = ? AND id = ?", (kind, rid)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, kind: str, ids: list[str]) -> list[Record]:
        found = [self.get(kind, rid) for rid in dict.fromkeys(ids)]
        return [record for record in found if record is not None]

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

    def text_matches(self, norm: str, limit: int = 200) -> list[tuple[str, str]]:
        # instr() rather than LIKE: the needle may hold % or _ and must match literally.
        rows = self.connection.execute(
            "SELECT kind, id FROM records WHERE instr(text, ?) > 0 ORDER BY kind, seq LIMIT ?", (norm, limit)
        )
        return list(rows)

    def linked_to(self, kind: str, rid: str) -> list[tuple[str, str, str]]:
        rows = self.connection.execute(
            "SELECT field, kind, id FROM links WHERE other_kind = ? AND other_id = ?", (kind, rid)
        )
        return list(rows)


def _digest(path: Path, raw: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{CACHE_FORMAT}\0{__version__}\0".encode())
    h.update(raw)
    return h.hexdigest()


def _path_key(path: Path) -> str:
    return hashlib.blake2b(str(path.resolve()).encode(), digest_size=8).hexdigest()


def _open_cached(file: Path, digest: str) -> sqlite3.Connection | None:
    if not file.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        row = connection.execute("SELECT value FROM meta WHERE key = 'digest'").fetchone()
        fmt = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row and fmt and row[0] == digest and fmt[0] == CACHE_FORMAT:
            return connection
        connection.close()
    except sqlite3.Error:
        pass  # corrupt, truncated or foreign: rebuild
    return None


def _write_cache(directory: Path, file: Path, facts: Validated, path: Path, digest: str) -> bool:
    """Build the cache in a temp file and rename it into place, so no reader sees half a file."""
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=file.name + ".", suffix=".tmp", dir=directory)
    except OSError:
        return False
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        connection = sqlite3.connect(tmp)
        try:
            build_index(connection, facts, path, digest)
        finally:
            connection.close()
        os.replace(tmp, file)
    except (OSError, sqlite3.Error):
        tmp.unlink(missing_ok=True)
        return False
    for stale in directory.glob(file.name.split("-")[0] + "-*.sqlite"):
        if stale != file:
            stale.unlink(missing_ok=True)
    return True


def open_store(path: Path) -> Store:
    """Open the fact base at `path`, from the cache when it is fresh, else by reading and validating."""
    raw = read_bytes(path)
    digest = _digest(path, raw)
    use_cache = os.environ.get("CARTQ_NO_CACHE", "") in ("", "0")
    directory = cache_dir()
    file = directory / f"{_path_key(path)}-{digest}.sqlite"
    if use_cache:
        connection = _open_cached(file, digest)
        if connection is not None:
            return Store(connection, path)
    facts = load_checked(path, raw)
    if use_cache and _write_cache(directory, file, facts, path, digest):
        connection = _open_cached(file, digest)
        if connection is not None:
            return Store(connection, path)
    connection = sqlite3.connect(":memory:")
    build_index(connection, facts, path, digest)
    return Store(connection, path)
