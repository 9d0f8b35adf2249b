"""Every record of a kind as its listing shows it (`cartq product`, `cartq company`, ...): built
once, with the index, from the records and links already in it (factbase/index.py stores the
rows in the order they are listed), so a listing of 100,000 records is one query streamed out
(domain/listings.py), never a query per record and a sort.

What a row holds is what following the links in the store gives (domain/related.py's `linked`:
the records of a kind that refer to a record, in the registry's order, each once), read for
all records at once instead of asked for one record at a time. Nothing is gathered while the
records stream in: objects kept across the slices of a build slowed every slice after them.
"""

from __future__ import annotations

from cartq.enums import APPROVAL_EVENTS, CompanyRoleKind, Regulator
from cartq.records import first_approval_fields, label_of, summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    Record = dict[str, Any]
    # (kind that refers, kind referred to, top-level field or None for any) -> for each id
    # referred to, the ids of the records that refer to it, in the registry's order
    Followed = Callable[[str, str, "str | None"], dict[str, list[str]]]

# The kinds with a listing command.
LISTED = ("product", "company", "target", "indication", "term")
# The roles that make a company "the" company of a product in a listing.
LEAD_ROLES = (CompanyRoleKind.developer, CompanyRoleKind.marketing_authorisation_holder)
_LEADS = frozenset(role.value for role in LEAD_ROLES)  # plain strings: a set lookup, not enum equality


def _labelled(labels: dict[str, str], ids: list[str]) -> list[str]:
    """The labels of the records with these ids, each once, leaving out any that does not exist
    (as Store.get_many does)."""
    return [labels[rid] for rid in (ids if len(ids) < 2 else dict.fromkeys(ids)) if rid in labels]


def _first_approval(events: list[Record]) -> Record | None:
    """The earliest NMPA approval among these events (domain/related.py's first_approval)."""
    approvals = [e for e in events if e["kind"] in APPROVAL_EVENTS and e["regulator"] == Regulator.NMPA]
    if not approvals:
        return None
    return min(approvals, key=lambda e: (e.get("date") is None, e.get("date") or "", e["id"]))


def listings(records: Callable[[str], Iterator[Record]], followed: Followed) -> Iterator[tuple[str, list[Record]]]:
    """Each listed kind with its rows in the order they are listed. `records` gives every record
    of a kind in file order; `followed` the links, as above."""
    events = {event["id"]: event for event in records("event")}
    targets = [summary(target, "full_name", "aliases") for target in records("target")]
    companies = [summary(company, "kind", "headquarters", "chinese_names") for company in records("company")]
    target_labels = {row["id"]: row["name"] for row in targets}
    company_labels = {row["id"]: row["name"] for row in companies}

    approvals = followed("event", "product", "product")
    unapproved = first_approval_fields(None)
    products: list[Record] = []
    order: list[tuple[bool, str, str, int]] = []  # (not approved, date, name, position): the order listed
    product_labels: dict[str, str] = {}
    for position, product in enumerate(records("product")):
        pid = product["id"]
        product_labels[pid] = label_of(product)
        leads = [r["company"] for r in product["companies"] if r["role"] in _LEADS and not r.get("until")]
        found = approvals.get(pid)
        first = _first_approval([events[eid] for eid in dict.fromkeys(found)]) if found else None
        row = {
            "id": pid,
            "name": product["name"],
            "inn": product.get("inn"),
            "short_names": product.get("short_names", []),
            "brand_names": product.get("brand_names", []),
            "chinese_brand_names": product.get("chinese_brand_names", []),
            "targets": _labelled(target_labels, product.get("targets", [])),
            "companies": _labelled(company_labels, leads),
            "status": product["status"],
            "confidence": product["confidence"],
            **(unapproved if first is None else first_approval_fields(first)),
        }
        products.append(row)
        date = row["first_approval"]
        order.append((date is None, date or "", row["name"], position))
    order.sort()
    products = [products[position] for *_, position in order]
    yield "product", products
    del products

    by_company = followed("product", "company", None)
    for row in companies:
        row["products"] = _labelled(product_labels, by_company.get(row["id"], []))
    yield "company", companies
    del companies, by_company

    by_target = followed("product", "target", None)
    studies = followed("study", "target", None)
    for row in targets:
        row["products"] = _labelled(product_labels, by_target.get(row["id"], []))
        row["studies"] = len(dict.fromkeys(studies.get(row["id"], [])))
    yield "target", targets
    del targets, by_target, studies

    by_indication = followed("event", "indication", None)
    indications = []
    for indication in records("indication"):
        linked = [events[eid] for eid in dict.fromkeys(by_indication.get(indication["id"], []))]
        row = summary(indication, "abbreviations", "category")
        row["approved_products"] = _labelled(
            product_labels, [e["product"] for e in linked if e["kind"] in APPROVAL_EVENTS]
        )
        indications.append(row)
    yield "indication", indications

    yield "term", [summary(term, "category", "aliases", "definition") for term in records("term")]
