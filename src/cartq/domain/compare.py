"""Products side by side: one row per field, one value per product."""

from __future__ import annotations

from cartq.dates import event_date
from cartq.domain.resolve import label_of, resolve
from cartq.domain.views import approvals_of, view
from cartq.enums import (
    LIST_PRICES,
    CellSource,
    Confidence,
    CoverageStatus,
    EventKind,
    ProductStatus,
    Regulator,
    Scheme,
    label,
)
from cartq.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from cartq.factbase.store import Store
    from cartq.records import Record

    Getter = Callable[[Any], Any]
CONSTRUCT_PARTS = ("binder", "hinge", "transmembrane", "costimulatory_domain", "signalling_domain", "vector")


def _coverage(scheme: str) -> Getter:
    def get(product: Record) -> str:
        rows = [c for c in product["related"]["coverage"] if c["scheme"] == scheme]
        return "; ".join(f"{label(CoverageStatus, c['status'])} ({c['plan']})" for c in rows) or "no record"

    return get


def _list_prices(country: str) -> Getter:
    def get(product: Record) -> list[Record]:
        return [
            p["price"] for p in product["related"]["prices"] if p["country"] == country and p["basis"] in LIST_PRICES
        ]

    return get


def _approvals(product: Record) -> list[str]:
    return [
        f"{event_date(e)}: {e.get('indication_name') or ''} ({label(EventKind, e['kind'])})"
        for e in approvals_of(product)
        if e["regulator"] == Regulator.NMPA
    ]


def _first_approval(product: Record) -> str | None:
    first = product["related"]["first_approval"]
    if not first:
        return None
    confidence = first.get("confidence")
    weak = f" ({confidence} confidence)" if confidence in (Confidence.low, Confidence.unconfirmed) else ""
    return event_date(first) + weak


def _construct(part: str) -> Getter:
    return lambda product: (product["record"].get("car_construct") or {}).get(part)


def compare(store: Store, queries: list[str]) -> Record:
    if len(queries) < 2:
        raise UsageError("compare needs at least two products")
    # A product named twice (`compare fucaso carvykti eque-cel`) is compared once: a repeated
    # column says nothing, and CSV columns are keyed by product id.
    records: dict[str, Record] = {}
    repeated = []
    for query in queries:
        record = resolve(store, "product", query)
        if record["id"] in records:
            repeated.append(query)
        records.setdefault(record["id"], record)
    if len(records) < 2:
        raise UsageError("compare needs at least two different products")
    views = [view(store, "product", record) for record in records.values()]
    fields: list[tuple[str, Getter]] = [
        ("INN", lambda v: v["record"].get("inn")),
        ("Chinese generic name", lambda v: v["record"].get("chinese_generic_name")),
        ("brands", lambda v: v["record"].get("brand_names", []) + v["record"].get("chinese_brand_names", [])),
        ("codes", lambda v: v["record"].get("code_names", [])),
        ("targets", lambda v: [t["name"] for t in v["related"]["targets"]]),
        ("companies", lambda v: sorted({c["company_name"] for c in v["related"]["companies"] if not c.get("until")})),
        ("cells", lambda v: label(CellSource, v["record"]["cell_source"])),
        ("status", lambda v: label(ProductStatus, v["record"]["status"])),
        ("confidence", lambda v: label(Confidence, v["record"]["confidence"])),
        ("first NMPA approval", _first_approval),
        ("NMPA approvals", _approvals),
        ("pivotal trials", lambda v: [s["name"] for s in v["related"]["studies"] if s["kind"] == "pivotal_trial"]),
    ]
    fields += [(part.replace("_", " "), _construct(part)) for part in CONSTRUCT_PARTS]
    # A list-price row for each country any of these products has a list price in.
    countries = dict.fromkeys(p["country"] for v in views for p in v["related"]["prices"] if p["basis"] in LIST_PRICES)
    for country in countries:
        record = store.get("country", country)
        fields.append((f"{label_of(record) if record else country} list price", _list_prices(country)))
    fields += [(label(Scheme, scheme), _coverage(scheme)) for scheme in Scheme]
    fields.append(("disputed claims", lambda v: len(v["disputes"])))
    return {
        "products": [{"id": v["record"]["id"], "name": v["record"]["name"]} for v in views],
        "rows": [{"field": name, "values": [get(v) for v in views]} for name, get in fields],
        "views": views,
        "repeated": repeated,
    }
