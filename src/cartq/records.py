"""Walking a stored record by the field paths the kind registry declares: its label, its names,
its references and its citations. The one way each of these is collected, for the index builder
(and the listing rows it stores), the link checks, the views and `--evidence` alike.
"""

from __future__ import annotations

from cartq.kinds import BY_KIND

TYPE_CHECKING = False  # no `typing` on the way to a lookup
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    Record = dict[str, Any]
else:
    Record = dict


def label_of(record: Record) -> str:
    """What a record is called: its name, else its title, else its id."""
    return str(record.get("name") or record.get("title") or record["id"])


def summary(record: Record, *fields: str) -> Record:
    """A record in brief: its id, its label as "name", and the fields asked for."""
    out = {"id": record["id"], "name": label_of(record)}
    for field in fields:
        out[field] = record.get(field)
    return out


def first_approval_fields(first: Record | None) -> Record:
    """A row's first NMPA approval (an event, or None): its date, precision, announcement day and confidence."""
    first = first or {}
    return {
        "first_approval": first.get("date"),
        "first_approval_precision": first.get("date_precision"),
        "first_approval_announced": first.get("announced"),
        "first_approval_confidence": first.get("confidence"),
    }


def values_at(value: Any, path: str) -> list[Any]:
    """The values at a dotted path where "*" steps into every list item; missing or null steps yield nothing."""
    items = [value]
    for step in path.split("."):
        if step == "*":
            items = [item for each in items if type(each) is list for item in each]
        else:
            items = [each[step] for each in items if type(each) is dict and each.get(step) is not None]
    return items


def names_of(kind: str, record: Record) -> list[str]:
    """The id and every name a person might type for the record."""
    names = [record["id"]]
    for field in BY_KIND[kind].names:
        value = record.get(field)
        if type(value) is str:
            names.append(value)
        elif type(value) is list:
            names.extend([v for v in value if type(v) is str])
    return names


def references_of(kind: str, record: Record) -> Iterator[tuple[str, str, str]]:
    """(field path, other kind, other id) for every reference the record makes, citations aside."""
    for path, other in BY_KIND[kind].references.items():
        for value in values_at(record, path):
            if other == "*":  # an item that names its own kind, as a dispute's `about`
                yield path, value["kind"], value["id"]
            else:
                yield path, other, value


def citations_of(kind: str, record: Record) -> Iterator[tuple[str, Record]]:
    """(where, citation) for every citation in the record: where is '' for the record's own
    `sources`, else the holding field ('car_construct', 'companies[2]', 'claimed_by').
    """
    for path in BY_KIND[kind].citations:
        if path == "sources":  # the record's own: most citations, found without a walk
            for citation in record.get("sources") or ():
                yield "", citation
            continue
        *parents, last = path.split(".")
        for where, holder in _holders(record, parents, ""):
            label = where if last == "sources" else f"{where}.{last}".lstrip(".")
            for citation in holder.get(last) or ():
                yield label, citation


def _holders(value: Any, steps: list[str], where: str) -> Iterator[tuple[str, Record]]:
    """The dicts reached by following steps ("*" = each list item), with a readable path to each."""
    if not steps:
        if type(value) is dict:
            yield where, value
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        for index, item in enumerate(value if type(value) is list else ()):
            yield from _holders(item, rest, f"{where}[{index}]")
    elif type(value) is dict and value.get(step) is not None:
        yield from _holders(value[step], rest, f"{where}.{step}".lstrip("."))
