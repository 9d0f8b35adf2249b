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
from typing import Any

from cartq import __version__
from cartq.errors import FactBaseError
from cartq.lookup import normalise

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
    """The C composer when PyYAML has it. A base loader resolves no implicit types, so composing is
    fast and constructs nothing; `_construct` then turns the nodes into plain data.
    """
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


_YAML = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def _scalar(node: Any) -> Any:
    value = node.value
    tag = node.tag
    if tag == _YAML + "str":
        if node.style:  # quoted or block scalars are always text
            return value
        # A plain scalar: YAML 1.1's core types. Dates stay text and the schema checks them, so a
        # bad date is a schema problem with a line number rather than a crash inside PyYAML.
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        if value in _NULL:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        return value
    if tag == _YAML + "int" and _INT.match(value):
        return int(value)
    if tag == _YAML + "float" and _FLOAT.match(value):
        return float(value)
    if tag == _YAML + "null":
        return None
    if tag == _YAML + "bool" and value in _TRUE | _FALSE:
        return value in _TRUE
    return value


def _construct(root: Any, path: Path) -> Any:
    """Plain data from composed nodes. Aliases share one object, as in PyYAML; any tag outside
    YAML's core schema (such as !!python/object) is refused, so nothing is ever constructed from one.

    It counts nodes as a consumer would visit them, aliases expanded, and refuses a document past
    MAX_NODES (an alias bomb) or one whose alias refers to its own ancestor (an endless document).
    """
    import yaml

    memo: dict[int, Any] = {}
    sizes: dict[int, int] = {}
    visited = 0

    def refuse(node: Any, why: str) -> FactBaseError:
        return FactBaseError(f"{path}: invalid YAML at line {node.start_mark.line + 1}: {why}")

    def build(node: Any) -> Any:
        nonlocal visited
        key = id(node)
        if key in memo:
            if key not in sizes:
                raise refuse(node, "an alias refers to its own ancestor (a recursive document)")
            visited += sizes[key]
            if visited > MAX_NODES:
                raise FactBaseError(f"{path}: YAML expands to more than {MAX_NODES:,} nodes (an alias bomb?); refused")
            return memo[key]
        if node.tag not in _ALLOWED_TAGS:
            raise refuse(node, f"tag {node.tag!r} is not allowed")
        start = visited
        visited += 1
        if isinstance(node, yaml.ScalarNode):
            value: Any = _scalar(node)
            memo[key] = value
        elif isinstance(node, yaml.SequenceNode):
            value = memo[key] = []
            value.extend(build(child) for child in node.value)
        else:
            value = memo[key] = {}
            for key_node, value_node in node.value:
                name = build(key_node)
                if not isinstance(name, (str, int, float, bool)) and name is not None:
                    raise refuse(key_node, "a mapping key must be a scalar")
                value[name] = build(value_node)
        sizes[key] = visited - start
        return value

    return None if root is None else build(root)


def parse_yaml(raw: bytes, path: Path) -> Any:
    import yaml

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FactBaseError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        document = _construct(yaml.compose(text, Loader=_yaml_loader()), path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        what = exc.problem or exc.context or "invalid YAML"
        raise FactBaseError(f"{path}: invalid YAML at {where}: {what}") from None
    except yaml.YAMLError as exc:
        raise FactBaseError(f"{path}: invalid YAML: {exc}") from None
    except RecursionError:
        raise FactBaseError(f"{path}: YAML nested too deeply") from None
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


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield (path, value) for a dotted path where "*" steps into every list item."""
    head, _, rest = path.partition(".")
    if head == "*":
        if isinstance(value, list):
            for item in value:
                yield from _walk(item, rest) if rest else iter([(head, item)])
        return
    if not isinstance(value, dict) or value.get(head) is None:
        return
    if rest:
        yield from _walk(value[head], rest)
    else:
        yield head, value[head]


def check_links(data: dict[str, Any]) -> list[str]:
    """Problems a schema cannot see: duplicate ids, shared aliases, dangling references, uncited sources."""
    from cartq.models import KIND_OF_SECTION, REFERENCE_FIELDS, SECTION_OF_KIND

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

    for section, kind in KIND_OF_SECTION.items():
        if kind == "source":
            continue
        owners: dict[str, str] = {}
        for index, record in enumerate(data.get(section) or []):
            for name in sorted(set(names_of(kind, record))):
                key = normalise(name)
                if not key:
                    continue
                other = owners.setdefault(key, record["id"])
                if other != record["id"]:
                    problems.append(
                        f"{section}[{index}] (id {record['id']!r}): name {name!r} is also a name of {kind} {other!r}"
                    )

    for section, fields in REFERENCE_FIELDS.items():
        for index, record in enumerate(data.get(section) or []):
            for field, kind in fields.items():
                for _, ref in _walk(record, field):
                    if ref not in ids[kind]:
                        problems.append(
                            f"{section}[{index}] (id {record['id']!r}): "
                            f"{field.replace('.*', '[]')} refers to unknown {kind} {ref!r}"
                        )

    for index, dispute in enumerate(data.get("disputes") or []):
        for ref in dispute.get("about") or []:
            if ref["id"] not in ids[ref["kind"]]:
                problems.append(
                    f"disputes[{index}] (id {dispute['id']!r}): about refers to unknown {ref['kind']} {ref['id']!r}"
                )

    cited: set[str] = set()
    for section in SECTION_OF_KIND.values():
        if section == "sources":
            continue
        for index, record in enumerate(data.get(section) or []):
            for citation in record_citations(section, record):
                cited.add(citation["source"])
                if citation["source"] not in ids["source"]:
                    problems.append(
                        f"{section}[{index}] (id {record['id']!r}): cites unknown source {citation['source']!r}"
                    )
    for index, source in enumerate(data.get("sources") or []):
        if source["id"] not in cited:
            problems.append(f"sources[{index}] (id {source['id']!r}): cited by no record")
    return problems


def validate(document: Any, text: str, path: Path) -> dict[str, Any]:
    """Validate a parsed document; return it as plain JSON-able data or raise FactBaseError with every problem."""
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
    problems = check_links(data)
    if problems:
        raise FactBaseError(f"{path}: {len(problems)} problem(s) in links between records", problems=problems)
    return data


def load_validated(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    raw = read_bytes(path) if raw is None else raw
    document = parse_yaml(raw, path)
    return validate(document, raw.decode("utf-8"), path)


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
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            names.extend(v for v in value if isinstance(v, str))
    return names


def record_citations(section: str, record: Record) -> Iterator[dict[str, Any]]:
    """The citations of one validated record, found by the schema rather than by a deep walk."""
    from cartq.models import CITATION_FIELDS

    for field in CITATION_FIELDS.get(section, ("sources.*",)):
        for _, citation in _walk(record, field):
            yield citation


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


def links_of(data: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """Every link between records as (kind, id, field, other kind, other id)."""
    from cartq.models import KIND_OF_SECTION, REFERENCE_FIELDS

    for section, fields in REFERENCE_FIELDS.items():
        kind = KIND_OF_SECTION[section]
        for record in data[section]:
            for field, other in fields.items():
                for _, ref in _walk(record, field):
                    yield kind, record["id"], field.split(".")[0], other, ref
    for dispute in data["disputes"]:
        for ref in dispute["about"]:
            yield "dispute", dispute["id"], "about", ref["kind"], ref["id"]
    for section, kind in KIND_OF_SECTION.items():
        if kind == "source":
            continue
        for record in data[section]:
            for citation in record_citations(section, record):
                yield kind, record["id"], "sources", "source", citation["source"]


def _search_text(record: Record) -> str:
    """The record's text values (not its keys), each normalised; '|' keeps a match inside one value."""
    values: list[str] = []
    stack: list[Any] = [record]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            values.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return "|".join(normalise(value) for value in values)


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


def build_index(connection: sqlite3.Connection, data: dict[str, Any], path: Path, digest: str) -> None:
    from cartq.models import KIND_OF_SECTION

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
    for section, kind in KIND_OF_SECTION.items():
        rows = []
        name_rows = []
        for seq, record in enumerate(data[section]):
            rows.append((kind, record["id"], seq, json.dumps(record, ensure_ascii=False), _search_text(record)))
            seen = set()
            for name in names_of(kind, record):
                key = normalise(name)
                if key and key not in seen:
                    seen.add(key)
                    name_rows.append((key, kind, record["id"], name))
        connection.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", rows)
        connection.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", name_rows)
    connection.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?)", links_of(data))
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


def _write_cache(directory: Path, file: Path, data: dict[str, Any], path: Path, digest: str) -> bool:
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
            build_index(connection, data, path, digest)
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
    data = load_validated(path, raw)
    if use_cache and _write_cache(directory, file, data, path, digest):
        connection = _open_cached(file, digest)
        if connection is not None:
            return Store(connection, path)
    connection = sqlite3.connect(":memory:")
    build_index(connection, data, path, digest)
    return Store(connection, path)
