"""Following links between records: what points at a record, its disputes, the sources cited by
a set of records, and the rows (an event with its product's name) the views share.
"""

from __future__ import annotations

from cartq.domain.resolve import label_of
from cartq.enums import APPROVAL_EVENTS, Regulator
from cartq.records import citations_of
from cartq.records import first_approval_fields as first_approval_fields
from cartq.records import summary as _summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from cartq.factbase.store import Store
    from cartq.records import Record


def summary(record: Record | None, *fields: str) -> dict[str, Any]:
    return {} if record is None else _summary(record, *fields)


def linked(store: Store, kind: str, rid: str, from_kind: str, field: str | None = None) -> list[Record]:
    """Records of `from_kind` whose references point at (kind, rid)."""
    ids = [oid for f, k, oid in store.linked_to(kind, rid) if k == from_kind and (field is None or f == field)]
    return store.get_many(from_kind, ids)


def disputes_about(store: Store, kind: str, rid: str) -> list[Record]:
    return linked(store, kind, rid, "dispute", "about")


def disputes_marking(store: Store, groups: list[tuple[str, list[Record]]]) -> list[Record]:
    """Every dispute about the given rows, once each; each row gains `disputed` (matched by kind and id)."""
    found: dict[str, Record] = {}
    for kind, rows in groups:
        for row in rows:
            about_row = disputes_about(store, kind, row["id"])
            row["disputed"] = bool(about_row)
            found.update((d["id"], d) for d in about_row)
    return list(found.values())


def sources_for(store: Store, groups: Iterable[tuple[str, Iterable[Record]]]) -> list[Record]:
    """The sources cited by every record in the groups (kind, records), once each, in order."""
    ids = [
        citation["source"]
        for kind, records in groups
        for record in records
        for _, citation in citations_of(kind, record)
    ]
    return store.get_many("source", ids)


CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2, "unconfirmed": 3}


def settled_first(records: list[Record]) -> list[Record]:
    """Undisputed claims first, from the best-confirmed sources down; disputed claims last, so a
    claim never stands above the facts that correct it. Stable: the order within a rank is kept."""
    return sorted(
        records,
        key=lambda r: (bool(r.get("disputed")), CONFIDENCE_RANK.get(r.get("confidence") or "high", 4)),
    )


def dated(records: list[Record], key: str = "date") -> list[Record]:
    return sorted(records, key=lambda r: (r.get(key) is None, r.get(key) or "", r["id"]))


def event_row(store: Store, event: Record, product: Record | None = None) -> Record:
    """An event with the names of its product and indication (`product`: the event's own, when the
    caller has it already)."""
    if product is None or product["id"] != event["product"]:
        product = store.get("product", event["product"])
    indication = store.get("indication", event["indication"]) if event.get("indication") else None
    return {
        **event,
        "product_name": label_of(product) if product else event["product"],
        "indication_name": label_of(indication) if indication else None,
        "targets": product.get("targets", []) if product else [],
    }


def first_approval(store: Store, product_id: str) -> Record | None:
    events = [
        e
        for e in linked(store, "product", product_id, "event", "product")
        if e["kind"] in APPROVAL_EVENTS and e["regulator"] == Regulator.NMPA
    ]
    first = dated(events)
    return first[0] if first else None


def indication_and_subtypes(store: Store, root: str) -> set[str]:
    """The ids of an indication and every subtype below it (LBCL takes in DLBCL)."""
    wanted, frontier = {root}, [root]
    while frontier:
        children = [i["id"] for i in linked(store, "indication", frontier.pop(), "indication", "parent")]
        frontier.extend(child for child in children if child not in wanted)
        wanted.update(children)
    return wanted
