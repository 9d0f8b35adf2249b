"""Parsing the fact base file's bytes (factbase.fact_file reads them): safe YAML straight from the
parser's events.

Only YAML's core schema; nothing is ever constructed from a tag. Dates stay text for the schema.
"""

from __future__ import annotations

import math
import re

from cartq.errors import FactBaseError
from cartq.factbase.fact_file import MAX_FILE_BYTES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path
    from typing import Any

# Limits: each refuses a hostile or broken file with one line, long before time or memory run out.
# Nodes, aliases expanded: the 38 MB benchmark has 3.5 million; an alias bomb makes billions from a few KB.
MAX_NODES = 5_000_000
# Characters of scalar text once aliases are expanded: twice what the largest file can hold without
# aliases, so only an alias bomb reaches it (one 100,000-character string aliased 5,000 times is 500 MB).
MAX_EXPANDED_CHARS = 2 * MAX_FILE_BYTES
# Nesting levels of collections, aliases expanded. The shipped fact base nests 8 levels; every
# consumer downstream (pydantic, json, the index) recurses, and libyaml's scanner is quadratic in it.
MAX_DEPTH = 100
# One scalar's length: the longest text field the schema allows is 4,000 characters; a 10 MB field
# took 35 s to draw on a terminal.
MAX_SCALAR_CHARS = 100_000
# A number's length in characters: a double needs 24; Python refuses to read an int of over 4,300 digits.
MAX_NUMBER_CHARS = 100


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
# What a mapping key may be: a scalar as _plain and _tagged make them (their exact types).
_SCALARS = frozenset((str, int, float, bool, type(None)))
# A plain scalar longer than this that does not start like a number can only be text.
_LONGEST_WORD = max(map(len, _WORDS))


def _number(value: str, kind: type) -> Any:
    """`value`, already matched as an int or float literal, as that type; ValueError if it is too
    long to be a quantity or its value is not finite (1e999 would read as inf, and JSON has no inf).
    """
    if len(value) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(value):,} characters; the limit is {MAX_NUMBER_CHARS}")
    number = kind(value)
    if kind is float and not math.isfinite(number):
        raise ValueError(f"the number {value} is out of range")
    return number


def _plain(value: str) -> Any:
    """An untagged plain scalar as YAML's core types. Dates stay text and the schema checks them, so
    a bad date is a schema problem with a line number rather than a crash inside PyYAML.
    ValueError for a number outside MAX_NUMBER_CHARS or the range of a double.
    """
    if value[:1] in _NUMERIC_START:
        if _INT.match(value):
            return _number(value, int)
        if _FLOAT.match(value):
            return _number(value, float)
    return _WORDS.get(value, value) if len(value) <= _LONGEST_WORD else value


def _tagged(tag: str, value: str) -> Any:
    """A scalar with an explicit core tag, as that type; ValueError if it is not one."""
    kind = tag.removeprefix(_YAML)
    if kind in ("str", "timestamp", "!"):
        return value
    if kind == "int" and _INT.match(value):
        return _number(value, int)
    if kind == "float" and _FLOAT.match(value):  # integers match too
        return _number(value, float)
    if kind == "null" and value in _WORDS and _WORDS[value] is None:
        return None
    if kind == "bool" and value in _WORDS and isinstance(_WORDS[value], bool):
        return _WORDS[value]
    raise ValueError(f"{value!r} is not a valid !!{kind}")


def _build(events: Iterator[Any], path: Path, sections: Callable[[Any], Any] | None = None) -> Any:
    """Plain data straight from the parser's events, with no node tree in between (PyYAML's
    composer resolves every node in Python and costs four times the parse, and recurses in C).

    `sections`, given a key of the top-level mapping whose value is a sequence, may return an
    object to `append` its items to instead of a list (which then stands for the list in the
    document): a caller that consumes records as they are read never holds them all.

    Aliases share one object, as in PyYAML. Any tag outside YAML's core schema (such as
    !!python/object) is refused, so nothing is ever constructed from one. Nodes, scalar characters
    and nesting are measured as a consumer would meet them, aliases expanded, and a document past
    MAX_NODES or MAX_EXPANDED_CHARS (an alias bomb), deeper than MAX_DEPTH, with a scalar longer
    than MAX_SCALAR_CHARS, or whose alias refers to its own ancestor (an endless document) is
    refused with its line. The depth limit also bounds the scanner, which is quadratic in nesting:
    parsing stops at the first event past it.
    """
    import yaml

    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    opening = {yaml.MappingStartEvent: (dict, _YAML + "map"), yaml.SequenceStartEvent: (list, _YAML + "seq")}
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    no_key = object()

    def refuse(event: Any, why: str) -> FactBaseError:
        return FactBaseError(f"{path}: invalid YAML at line {event.start_mark.line + 1}: {why}")

    def anchor(event: Any, value: Any, size: tuple[int, int, int] | None) -> None:
        if event.anchor in anchors:
            raise refuse(event, f"anchor &{event.anchor} is defined twice")
        anchors[event.anchor] = (value, size)

    # Per open collection: [container, pending key (mappings), anchor, nodes visited and characters
    # seen at its start, levels below it so far].
    stack: list[list[Any]] = []
    top: list[Any] | None = None  # stack[-1], kept in a local because this loop runs once per event
    # anchor -> (value, (expanded nodes, expanded characters, levels)); None while the node is open.
    anchors: dict[str, tuple[Any, tuple[int, int, int] | None]] = {}
    visited = 0
    chars = 0
    levels = 0  # the nesting levels of the value just built: 0 for a scalar
    documents = 0
    root: Any = None
    for event in events:
        kind = type(event)
        if kind is scalar_event:
            visited += 1
            tag = event.tag
            value = event.value
            size = len(value)
            chars += size
            if size > MAX_SCALAR_CHARS:
                raise refuse(event, f"a scalar of {size:,} characters; the limit is {MAX_SCALAR_CHARS:,}")
            try:
                if tag is None:
                    # Most plain scalars are words; only short or numeric-looking ones can be anything else.
                    if not event.style and (size <= _LONGEST_WORD or value[:1] in _NUMERIC_START):
                        value = _plain(value)
                elif tag in _SCALAR_TAGS:
                    value = _tagged(tag, value)
                else:
                    raise refuse(event, f"tag {tag!r} is not allowed")
            except ValueError as exc:
                raise refuse(event, str(exc)) from None
            if event.anchor is not None:
                anchor(event, value, (1, size, 0))
            levels = 0
        elif kind in opening:
            container, allowed = opening[kind]
            if event.tag is not None and event.tag != allowed:
                raise refuse(event, f"tag {event.tag!r} is not allowed here")
            if len(stack) >= MAX_DEPTH:
                raise refuse(event, f"nesting deeper than {MAX_DEPTH} levels")
            value = container()
            if sections is not None and len(stack) == 1 and container is list and type(stack[0][0]) is dict:
                value = sections(stack[0][1]) or value
            if event.anchor is not None:
                anchor(event, value, None)
            visited += 1
            top = [value, no_key, event.anchor, visited - 1, chars, 0]
            stack.append(top)
            continue
        elif kind in closing:
            value, _, name, start, start_chars, below = stack.pop()
            levels = below + 1
            if name is not None:
                anchors[name] = (value, (visited - start, chars - start_chars, levels))
            top = stack[-1] if stack else None
        elif kind is alias_event:
            if event.anchor not in anchors:
                raise refuse(event, f"alias *{event.anchor} has no anchor before it")
            value, sizes = anchors[event.anchor]
            if sizes is None:
                raise refuse(event, "an alias refers to its own ancestor (a recursive document)")
            nodes, size, levels = sizes
            visited += nodes
            chars += size
            if visited > MAX_NODES:
                raise FactBaseError(f"{path}: YAML expands to more than {MAX_NODES:,} nodes (an alias bomb?); refused")
            if chars > MAX_EXPANDED_CHARS:
                raise refuse(
                    event, f"text expands to more than {MAX_EXPANDED_CHARS:,} characters (an alias bomb?); refused"
                )
            if len(stack) + levels > MAX_DEPTH:
                raise refuse(event, f"nesting deeper than {MAX_DEPTH} levels once aliases are expanded")
        else:
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise refuse(event, "expected one document, found another")
            continue
        if top is None:
            root = value
            continue
        if levels > top[5]:
            top[5] = levels
        container = top[0]
        if type(container) is not dict:
            container.append(value)  # a list, or what `sections` gave for one
        elif top[1] is no_key:
            if type(value) not in _SCALARS:  # a mapping, a sequence, or what `sections` gave for one
                raise refuse(event, "a mapping key must be a scalar")
            if value in container:
                raise refuse(event, f"duplicate key {value!r}")
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = no_key
    return root


def parse_yaml(raw: bytes, path: Path, sections: Callable[[Any], Any] | None = None) -> Any:
    """The document as plain data (see _build, and `sections` there)."""
    import yaml

    try:
        raw.decode("utf-8")  # checked, not kept: the parser reads the same bytes (no copies as text)
    except UnicodeDecodeError as exc:
        raise FactBaseError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        loader = _yaml_loader()(raw)
        try:
            # get_event returns None after the stream's end; cheaper than yaml.parse's generator.
            document = _build(iter(loader.get_event, None), path, sections)
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


def line_index(text: str, locs: Iterable[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    """The line of every node on the way to each of `locs` (paths of keys and indexes, as pydantic
    reports them), from one more pass over the parser's events: no node tree, no recursion, so a
    deep document cannot overflow a stack (PyYAML's composer crashed the process at 30,000 levels).
    Used only to say which line a schema problem is on; a failure here only loses line numbers.
    """
    import yaml

    wanted = {loc[:end] for loc in locs for end in range(1, len(loc) + 1)}
    lines: dict[tuple[Any, ...], int] = {}
    if not wanted:
        return lines
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    # Per open collection: [its path, is it a mapping, the next index or the pending key (or None)].
    stack: list[list[Any]] = []
    loader = _yaml_loader()(text)
    try:
        for event in iter(loader.get_event, None):
            kind = type(event)
            if kind is not scalar_event and kind is not alias_event and kind is not mapping_start:
                if kind is not sequence_start:
                    if kind in closing:
                        stack.pop()
                    continue
            if not stack:
                path: tuple[Any, ...] = ()
            else:
                top = stack[-1]
                if not top[1]:
                    path = (*top[0], top[2])
                    top[2] += 1
                elif top[2] is None:  # a key: remember it, as the builder reads it
                    key = event.value if kind is scalar_event else None
                    if kind is scalar_event and event.tag is None and not event.style:
                        try:
                            key = _plain(key)
                        except ValueError:
                            pass
                    top[2] = (key,)
                    if kind is mapping_start or kind is sequence_start:
                        stack.append([(), kind is mapping_start, None if kind is mapping_start else 0])
                    continue
                else:
                    path = (*top[0], top[2][0])
                    top[2] = None
            if path in wanted:
                lines[path] = event.start_mark.line + 1
                if len(lines) == len(wanted):
                    break
            if kind is mapping_start:
                stack.append([path, True, None])
            elif kind is sequence_start:
                stack.append([path, False, 0])
    except Exception:  # the document parsed once already; any failure here only loses line numbers
        pass
    finally:
        loader.dispose()
    return lines


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node of `loc` that the document has, from `line_index`."""
    for end in range(len(loc), 0, -1):
        line = lines.get(tuple(loc[:end]))
        if line is not None:
            return line
    return None
