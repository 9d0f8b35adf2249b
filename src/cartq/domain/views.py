"""One record with everything linked to it: the view a lookup shows, and the evidence behind it.

Every kind has a view: the generic one (the record, what links to it, its disputes and sources),
or a richer one registered here for the kinds people look up most.
"""

from __future__ import annotations

import os

from cartq.dates import shown_date
from cartq.domain.related import (
    dated,
    disputes_about,
    disputes_marking,
    event_row,
    first_approval,
    first_approval_fields,
    indication_and_subtypes,
    linked,
    settled_first,
    sources_for,
    summary,
)
from cartq.domain.resolve import label_of, resolve_match
from cartq.enums import APPROVAL_EVENTS
from cartq.paths import registry_file
from cartq.records import citations_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from cartq.factbase.store import Store
    from cartq.records import Record

# Related lists that hold records of another kind, and so carry citations of their own.
CITED_RELATED = {
    "events": "event",
    "covering_events": "event",
    "prices": "price",
    "coverage": "coverage",
    "studies": "study",
}


def product_related(store: Store, product: Record) -> Record:
    pid = product["id"]
    studies = linked(store, "product", pid, "study")
    companies = []
    for role in product["companies"]:
        company = store.get("company", role["company"])
        companies.append({**role, "company_name": label_of(company) if company else role["company"]})
    return {
        "companies": companies,
        "targets": [summary(t, "full_name") for t in store.get_many("target", product.get("targets", []))],
        "events": [event_row(store, e, product) for e in dated(linked(store, "product", pid, "event", "product"))],
        "first_approval": first_approval(store, pid),
        # Each trial in full (design, patients, results and their sources): what a clinician asks.
        "studies": studies,
        "prices": settled_first(dated(linked(store, "product", pid, "price"))),
        "coverage": dated(linked(store, "product", pid, "coverage")),
    }


def products_using(store: Store, kind: str, rid: str) -> list[Record]:
    rows = []
    for product in linked(store, kind, rid, "product"):
        first = first_approval(store, product["id"]) or {}
        rows.append(
            {
                **summary(product, "status", "inn"),
                **first_approval_fields(first),
            }
        )
    return rows


def company_related(store: Store, company: Record) -> Record:
    cid = company["id"]
    products = []
    for product in linked(store, "company", cid, "product"):
        own = [r for r in product["companies"] if r["company"] == cid]
        roles = sorted({r["role"] for r in own})
        # The relation as the product records it (a licence split, a transfer): seen from this side too.
        notes = [
            r["note"] + (f" (since {shown_date(r['since'], r.get('since_precision'))})" if r.get("since") else "")
            for r in own
            if r.get("note")
        ]
        products.append({**summary(product, "status"), "roles": roles, "role_notes": notes})
    partners = store.get_many("company", company.get("partners", [])) + linked(
        store, "company", cid, "company", "partners"
    )
    return {
        "products": products,
        "studies": [summary(s, "kind", "phase", "institution") for s in linked(store, "company", cid, "study")],
        "parents": [summary(c, "kind") for c in store.get_many("company", company.get("parents", []))],
        "subsidiaries": [summary(c, "kind") for c in linked(store, "company", cid, "company", "parents")],
        "partners": list({p["id"]: summary(p, "kind") for p in partners}.values()),
    }


def target_related(store: Store, target: Record) -> Record:
    tid = target["id"]
    return {
        "products": products_using(store, "target", tid),
        "studies": [summary(s, "kind", "phase", "institution") for s in linked(store, "target", tid, "study")],
    }


def ancestors(store: Store, indication: Record) -> list[Record]:
    """The indication's parent, its parent's parent, ... (DLBCL: LBCL)."""
    found: list[Record] = []
    current = indication
    while current.get("parent") and all(a["id"] != current["parent"] for a in found):
        parent = store.get("indication", current["parent"])
        if parent is None or parent["id"] == indication["id"]:
            break
        found.append(parent)
        current = parent
    return found


def indication_related(store: Store, indication: Record) -> Record:
    """The indication's events and studies and its subtypes' (a parent rolls its subtypes up), and
    the approvals filed under a broader indication whose label covers this one (LBCL for DLBCL)."""
    iid = indication["id"]
    ids = [iid, *sorted(indication_and_subtypes(store, iid) - {iid})]
    own_events = unique(e for i in ids for e in linked(store, "indication", i, "event"))
    events = [event_row(store, e) for e in dated(own_events)]
    studies = unique(s for i in ids for s in linked(store, "indication", i, "study"))
    covering = [
        event_row(store, e)
        for e in dated([e for a in ancestors(store, indication) for e in linked(store, "indication", a["id"], "event")])
        if e["kind"] in APPROVAL_EVENTS
    ]
    product_ids = [e["product"] for e in events + covering] + [s["product"] for s in studies if s.get("product")]
    parent = store.get("indication", indication["parent"]) if indication.get("parent") else None
    return {
        "products": [summary(p, "status") for p in store.get_many("product", list(dict.fromkeys(product_ids)))],
        "events": events,
        "covering_events": covering,
        "studies": [summary(s, "kind", "phase", "institution") for s in studies],
        "parent": summary(parent),
        "subtypes": [summary(i) for i in linked(store, "indication", iid, "indication", "parent")],
    }


def unique(records: Any) -> list[Record]:
    return list({r["id"]: r for r in records}.values())


def generic_related(store: Store, kind: str, record: Record) -> Record:
    """Every record that links to this one, in brief, grouped by kind: the view of any kind
    without a richer one."""
    groups: dict[str, list[Record]] = {}
    for _, other_kind, other_id in store.linked_to(kind, record["id"]):
        if other_kind == "dispute":
            continue
        other = store.get(other_kind, other_id)
        if other is not None and all(o["id"] != other_id for o in groups.get(other_kind, [])):
            groups.setdefault(other_kind, []).append(summary(other))
    return groups


RELATED: dict[str, Callable[[Store, Record], Record]] = {
    "product": product_related,
    "company": company_related,
    "target": target_related,
    "indication": indication_related,
}


ROLLUP: dict[str, tuple[tuple[str, str], ...]] = {"company": (("products", "product"),)}


def view(store: Store, kind: str, record: Record) -> Record:
    related = RELATED[kind](store, record) if kind in RELATED else generic_related(store, kind, record)
    disputes = disputes_about(store, kind, record["id"])
    cited = [(CITED_RELATED[key], related[key]) for key in CITED_RELATED if isinstance(related.get(key), list)]
    # A dispute about a fact the page shows (a price, an event, a trial) is shown on the page too,
    # and the fact is marked where it stands.
    rolled = disputes_marking(store, cited)
    # A company's page also shows the disputed claims about its products (who makes it, when it
    # was approved: claims about the company's own work).
    for key, other in ROLLUP.get(kind, ()):
        rolled += [d for row in related.get(key) or [] for d in disputes_about(store, other, row["id"])]
    for dispute in rolled:
        if all(d["id"] != dispute["id"] for d in disputes):
            disputes.append(dispute)
    groups: list[tuple[str, Any]] = [(kind, [record]), *cited]
    groups.append(("dispute", disputes))
    return {
        "kind": kind,
        "record": record,
        "related": related,
        "disputes": disputes,
        "sources": sources_for(store, groups),
    }


# The kinds whose pages say how many registered studies concern them (cartq registry).
REGISTRY_LINKED = ("product", "target", "indication", "company")


def registry_link(kind: str, record: Record) -> Record | None:
    """How many studies in the trial registry concern the record, and the command that lists them;
    None when there is no registry on this machine (a lookup never needs one)."""
    if kind not in REGISTRY_LINKED:
        return None
    if not os.path.isfile(registry_file()):
        return None
    from cartq.registry.query import link

    return link(kind, record["id"] if kind == "product" else record["name"])


def lookup(store: Store, kind: str, query: str) -> Record:
    record, match = resolve_match(store, kind, query)
    found = {**view(store, kind, record), "match": match}
    linked_studies = registry_link(kind, record)
    if linked_studies is not None:
        found["registry"] = linked_studies
    return found


def evidence(store: Store, kind: str, query: str) -> Record:
    """Every citation behind a record and its related facts: which field, which source, what it says."""
    found = lookup(store, kind, query)
    pairs = [(where or "record", c) for where, c in citations_of(kind, found["record"])]
    for key, other_kind in CITED_RELATED.items():
        for item in found["related"].get(key, []) if isinstance(found["related"], dict) else []:
            for where, citation in citations_of(other_kind, item):
                pairs.append((f"{other_kind}:{item['id']}" + (f".{where}" if where else ""), citation))
    for dispute in found["disputes"]:
        pairs.extend((f"dispute:{dispute['id']}.{where}", c) for where, c in citations_of("dispute", dispute))
    sources = {s["id"]: s for s in store.get_many("source", [c["source"] for _, c in pairs])}
    rows = []
    for field, citation in pairs:
        source = sources.get(citation["source"], {})
        rows.append(
            {
                "field": field,
                "source": citation["source"],
                "title": source.get("title"),
                "where": source.get("url") or source.get("seed_file"),
                "quote": citation.get("quote"),
                "note": citation.get("note"),
            }
        )
    return {"kind": kind, "id": found["record"]["id"], "name": label_of(found["record"]), "evidence": rows}


def approvals_of(view_: Record) -> list[Record]:
    return [e for e in view_["related"]["events"] if e["kind"] in APPROVAL_EVENTS]
