"""Validating a parsed fact base: the schema (with the line of each problem) and the links
between records that a schema cannot see. Runs only when there is no fresh cache.
"""

from __future__ import annotations

from pathlib import Path  # noqa: TID253
from typing import Any  # noqa: TID253

from cartq.errors import FactBaseError
from cartq.factbase.fact_file import read_bytes
from cartq.factbase.index import Rows, Validated, index_rows
from cartq.factbase.yaml_reader import line_index, line_of, parse_yaml
from cartq.kinds import BY_KIND, BY_SECTION, KINDS

# Problems listed for one fact base; the rest are counted. A file of a million broken records made
# a million messages (1.8 GB); nobody reads past the first thousand, and the count says how many more.
MAX_PROBLEMS = 1_000
# Records validated at once: pydantic holds a slice's errors (about 450 bytes each) until it returns.
SLICE_RECORDS = 1_000


def capped(problems: list[str], count: int) -> list[str]:
    """At most MAX_PROBLEMS problems, then one line saying how many more there are."""
    if count <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {count - MAX_PROBLEMS:,} more"]


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


def check_links(data: dict[str, Any], rows: Rows | None = None) -> list[str]:
    """Problems a schema cannot see: duplicate ids, shared aliases, dangling references, uncited sources."""
    names, links = rows or index_rows(data)
    problems: list[str] = []
    ids: dict[str, set[str]] = {}
    for section, spec in BY_SECTION.items():
        seen: set[str] = set()
        for index, record in enumerate(data.get(section) or []):
            rid = record.get("id")
            if rid in seen:
                problems.append(f"{section}[{index}]: duplicate id {rid!r}")
            seen.add(rid)
        ids[spec.kind] = seen
    # `cartq show ID` opens a record of any kind by its id alone, so ids are unique across kinds too.
    first_kind: dict[str, str] = {}
    for section, spec in BY_SECTION.items():
        for index, record in enumerate(data.get(section) or []):
            rid = record.get("id")
            other = first_kind.setdefault(rid, spec.kind) if isinstance(rid, str) else spec.kind
            if other != spec.kind:
                problems.append(f"{section}[{index}]: id {rid!r} is also the id of a {BY_KIND[other].label}")

    owners: dict[tuple[str, str], str] = {}
    for kind, rid, key, name, index in names:
        if kind == "source":
            continue
        other = owners.setdefault((kind, key), rid)
        if other != rid:
            where = f"{BY_KIND[kind].section}[{index}] (id {rid!r})"
            problems.append(f"{where}: name {name!r} is also a name of {kind} {other!r}")

    cited: set[str] = set()
    for kind, rid, field, other_kind, other_id, index in links:
        if other_kind == "source" and field == "sources":
            cited.add(other_id)
        if other_id in ids[other_kind]:
            continue
        where = f"{BY_KIND[kind].section}[{index}] (id {rid!r})"
        if field == "sources":
            problems.append(f"{where}: cites unknown source {other_id!r}")
        else:
            problems.append(f"{where}: {field.replace('.*', '[]')} refers to unknown {other_kind} {other_id!r}")
    for index, source in enumerate(data.get("sources") or []):
        if source["id"] not in cited:
            problems.append(f"sources[{index}] (id {source['id']!r}): cited by no record")
    return problems


def _dump(base: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The validated fact base as plain data (what model_dump(mode="json") gives, key for key) and
    each record as JSON: a section at a time, each record serialised once and read back with
    `json` (faster than pydantic's dump), and the section's models let go as soon as it is done."""
    import json

    sections = {spec.section for spec in KINDS}
    header = base.model_dump(mode="json", exclude=sections)
    data: dict[str, Any] = {}
    texts: dict[str, list[str]] = {}
    loads = json.loads
    for key in type(base).model_fields:
        if key not in sections:
            if key in header:
                data[key] = header[key]
            continue
        records = [model.__pydantic_serializer__.to_json(model).decode("utf-8") for model in getattr(base, key)]
        base.__dict__[key] = []  # the models go; the JSON and the data stay
        data[key] = [loads(text) for text in records]
        texts[key] = records
    return data, texts


def _validate_in_slices(document: dict[str, Any], consume: bool = False) -> tuple[Any, int, list[dict[str, Any]]]:
    """(the FactBase model or None, the number of schema errors, the first MAX_PROBLEMS of them).

    pydantic gathers every error before it returns: a file of a million broken records held 440 MB
    of errors in pydantic and 950 MB once listed. So the header is validated once and each section
    SLICE_RECORDS records at a time: at most one slice's errors exist at once, and only the first
    MAX_PROBLEMS are kept. The valid slices are joined into one FactBase, which has no validator of
    its own to skip (when it has one, the whole document is validated at once, as before).
    """
    from pydantic import ValidationError

    from cartq.factbase.models import FactBase

    options: dict[str, bool] = {"include_url": False, "include_context": False, "include_input": False}
    decorators = FactBase.__pydantic_decorators__
    if decorators.model_validators or decorators.field_validators:
        try:
            return FactBase.model_validate(document), 0, []
        except ValidationError as exc:
            return None, exc.error_count(), exc.errors(**options)[:MAX_PROBLEMS]  # type: ignore[arg-type]

    lists = {spec.section: document[spec.section] for spec in KINDS if isinstance(document.get(spec.section), list)}
    header = {key: value for key, value in document.items() if key not in lists}
    count = 0
    errors: list[dict[str, Any]] = []
    try:
        head = FactBase.model_validate({**header, **{key: [] for key in lists}})
    except ValidationError as exc:
        head = None
        count = exc.error_count()
        errors = exc.errors(**options)[:MAX_PROBLEMS]  # type: ignore[arg-type]
    parts: dict[str, list[Any]] = {}
    for section, records in lists.items():
        models: list[Any] = []
        for start in range(0, len(records), SLICE_RECORDS):
            piece = {**header, **{key: [] for key in lists}, section: records[start : start + SLICE_RECORDS]}
            try:
                models.extend(getattr(FactBase.model_validate(piece), section))
                if consume:
                    # The slice is valid: its parsed records are not needed again (a problem is
                    # described from the document only where it is), so the memory they hold
                    # goes now rather than after the last slice, when the models hold as much.
                    records[start : start + SLICE_RECORDS] = [None] * len(piece[section])
            except ValidationError as exc:
                # The header's own errors were counted once, above.
                mine = [e for e in exc.errors(**options) if e["loc"][:1] == (section,)]  # type: ignore[arg-type]
                count += len(mine)
                for error in mine[: max(0, MAX_PROBLEMS - len(errors))]:
                    error["loc"] = (section, error["loc"][1] + start, *error["loc"][2:])
                    errors.append(error)
        parts[section] = models
    if count or head is None:
        return None, count, errors
    values = {**dict(head), **parts}
    return FactBase.model_construct(_fields_set=head.model_fields_set | set(parts), **values), 0, []


def validate(document: Any, text: str | bytes, path: Path, consume: bool = False) -> Validated:
    """Validate a parsed document as plain JSON-able data, or raise FactBaseError with its problems
    (the first MAX_PROBLEMS, with their lines, and how many more). `text` (or the raw bytes, decoded
    only if there are problems) gives each problem its line.

    With `consume`, the document is the caller's no more: each valid slice of records is
    released as soon as its models exist. Once the models are built the parsed document is
    dropped (when the caller holds no other reference to it, as load_checked does not), before
    the models are dumped to data: at 100,000 products each copy is hundreds of MB.
    """
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}, not a mapping"
        raise FactBaseError(f"{path}: the fact base is {kind}", problems=[f"{path}: top level is {kind}"])
    base, count, errors = _validate_in_slices(document, consume)
    if base is None:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        lines = line_index(text, (tuple(error["loc"]) for error in errors))
        problems = []
        for error in errors:
            loc = tuple(error["loc"])
            line = line_of(lines, loc)
            where = f"line {line}: " if line else ""
            problems.append(f"{where}{_describe_loc(document, loc)}: {error['msg']}")
        raise FactBaseError(f"{path}: {count} schema problem(s)", problems=capped(problems, count))
    del document, text
    data, texts = _dump(base)
    rows = index_rows(data)
    problems = check_links(data, rows)
    if problems:
        count = len(problems)
        raise FactBaseError(f"{path}: {count} problem(s) in links between records", problems=capped(problems, count))
    return Validated(data, rows, base, texts)


def load_checked(path: Path, raw: bytes | None = None) -> Validated:
    """Read, parse and validate, with Python's cyclic garbage collector off: the build makes
    millions of containers and no cycles, and the collector's passes over them were a third of a
    first run at 100,000 products. What is built stays alive, so it is frozen out of later passes."""
    raw = read_bytes(path) if raw is None else raw
    with no_cyclic_gc():
        return validate(parse_yaml(raw, path), raw, path, consume=True)


class no_cyclic_gc:  # a lower-case name: it reads as a statement, `with no_cyclic_gc():`
    """Turn the cyclic GC off for a block (nested blocks leave it to the outermost), then freeze
    what survived into the permanent generation so later collections never walk it again."""

    depth = 0

    def __enter__(self) -> None:
        import gc

        if no_cyclic_gc.depth == 0:
            self.enabled = gc.isenabled()
            gc.disable()
        no_cyclic_gc.depth += 1

    def __exit__(self, *exc: object) -> None:
        import gc

        no_cyclic_gc.depth -= 1
        if no_cyclic_gc.depth == 0 and self.enabled:
            gc.freeze()
            gc.enable()


def load_validated(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    """The validated data, read and checked afresh (`cache.validated_data` may take it from a cache)."""
    return load_checked(path, raw).data
