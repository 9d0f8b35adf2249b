"""Every record of a kind as listing rows: one function per kind with a listing command."""

from __future__ import annotations

from cartq.domain.related import first_approval, first_approval_fields, linked, summary
from cartq.domain.resolve import label_of
from cartq.enums import APPROVAL_EVENTS, CompanyRoleKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from cartq.factbase.store import Store
    from cartq.records import Record

# The roles that make a company "the" company of a product in a listing.
LEAD_ROLES = (CompanyRoleKind.developer, CompanyRoleKind.marketing_authorisation_holder)


def list_products(store: Store) -> list[Record]:
    rows = []
    for product in store.all("product"):
        first = first_approval(store, product["id"])
        leads = [r["company"] for r in product["companies"] if r["role"] in LEAD_ROLES and not r.get("until")]
        rows.append(
            {
                "id": product["id"],
                "name": product["name"],
                "inn": product.get("inn"),
                "short_names": product.get("short_names", []),
                "brand_names": product.get("brand_names", []),
                "chinese_brand_names": product.get("chinese_brand_names", []),
                "targets": [label_of(t) for t in store.get_many("target", product.get("targets", []))],
                "companies": [label_of(c) for c in store.get_many("company", leads)],
                "status": product["status"],
                "confidence": product["confidence"],
                **first_approval_fields(first),
            }
        )
    return sorted(rows, key=lambda r: (r["first_approval"] is None, r["first_approval"] or "", r["name"]))


def list_companies(store: Store) -> list[Record]:
    return [
        {
            **summary(company, "kind", "headquarters", "chinese_names"),
            "products": [label_of(p) for p in linked(store, "company", company["id"], "product")],
        }
        for company in store.all("company")
    ]


def list_targets(store: Store) -> list[Record]:
    return [
        {
            **summary(t, "full_name", "aliases"),
            "products": [label_of(p) for p in linked(store, "target", t["id"], "product")],
            "studies": len(linked(store, "target", t["id"], "study")),
        }
        for t in store.all("target")
    ]


def list_indications(store: Store) -> list[Record]:
    rows = []
    for indication in store.all("indication"):
        events = linked(store, "indication", indication["id"], "event")
        product_ids = [e["product"] for e in events if e["kind"] in APPROVAL_EVENTS]
        rows.append(
            {
                **summary(indication, "abbreviations", "category"),
                "approved_products": [label_of(p) for p in store.get_many("product", product_ids)],
            }
        )
    return rows


def list_terms(store: Store) -> list[Record]:
    return [summary(t, "category", "aliases", "definition") for t in store.all("term")]


LISTINGS: dict[str, Callable[[Store], list[Record]]] = {
    "product": list_products,
    "company": list_companies,
    "target": list_targets,
    "indication": list_indications,
    "term": list_terms,
}
