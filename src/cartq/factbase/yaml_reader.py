"""Reading the fact base file: bounded bytes, then safe YAML straight from the parser's events.

Only YAML's core schema; nothing is ever constructed from a tag. Dates stay text for the schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cartq.errors import FactBaseError

MAX_FILE_BYTES = 64 * 1024 * 1024
# An alias bomb expands a small file into billions of nodes; no honest fact base needs this many.
MAX_NODES = 5_000_000


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


def line_index(text: str) -> Any:
    """The composed YAML node tree, used only to say which line a schema problem is on."""
    import yaml

    try:
        return yaml.compose(text, Loader=_yaml_loader())
    except Exception:  # the document already parsed once; any failure here only loses line numbers
        return None


def line_of(root: Any, loc: tuple[Any, ...]) -> int | None:
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
