"""The landscape queries: trials and programmes, the approval timeline, costs, market figures and
sources, each with its filters and the disputes and sources behind its rows.
"""

from __future__ import annotations

import re
import unicodedata

from cartq.domain.related import (
    dated,
    disputes_marking,
    event_row,
    indication_and_subtypes,
    settled_first,
    sources_for,
)
from cartq.domain.resolve import check_query, label_of, resolve
from cartq.enums import APPROVAL_EVENTS, Phase
from cartq.errors import NotFound, UsageError
from cartq.names import normalise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.factbase.store import Store
    from cartq.records import Record

_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PHASE_SPLIT = re.compile(r"[\s/_\-]+")
_PHASE_WORD = re.compile(r"^phase[\s_-]*")


def parse_phase(text: str) -> str:
    """'2', 'II', 'phase 2', 'Phase I/II', '1/2', 'phase_1_2' all resolve."""
    raw = _PHASE_WORD.sub("", unicodedata.normalize("NFKC", text).casefold().strip())
    candidate = "_".join(_ROMAN.get(p, p) for p in _PHASE_SPLIT.split(raw) if p)
    values = {phase.value for phase in Phase}
    if candidate in values:
        return candidate
    if candidate and f"phase_{candidate}" in values:
        return f"phase_{candidate}"
    raise UsageError(f"unknown phase {text!r}", hint="use one of: 1, 1/2, 2, 3, early, preclinical, registrational")


def _target_and_indications(
    store: Store, applied: dict[str, str], target: str | None, indication: str | None
) -> tuple[str | None, set[str] | None]:
    """The --target and --indication filters resolved: the target's id, and the ids of the
    indication and every subtype below it (LBCL takes in DLBCL); each recorded in `applied`."""
    target_id = wanted = None
    if target is not None:
        applied["target"] = target_id = resolve(store, "target", target)["id"]
    if indication is not None:
        applied["indication"] = root = resolve(store, "indication", indication)["id"]
        wanted = indication_and_subtypes(store, root)
    return target_id, wanted


def _names(store: Store, kind: str, ids: list[str]) -> list[str]:
    return [label_of(record) for record in store.get_many(kind, ids)]


def trials(
    store: Store,
    target: str | None = None,
    indication: str | None = None,
    sponsor: str | None = None,
    phase: str | None = None,
) -> Record:
    studies = store.all("study")
    applied: dict[str, str] = {}
    target_id, wanted = _target_and_indications(store, applied, target, indication)
    if target_id is not None:
        studies = [s for s in studies if target_id in s["targets"]]
    if wanted is not None:
        studies = [s for s in studies if wanted & set(s["indications"])]
    if sponsor is not None:
        norm = check_query(sponsor, "company")
        try:
            company: Record | None = resolve(store, "company", sponsor)
        except NotFound:
            company = None
        applied["sponsor"] = company["id"] if company else sponsor
        studies = [
            s
            for s in studies
            if (company and company["id"] in s["sponsors"]) or norm in normalise(s.get("institution") or "")
        ]
    if phase is not None:
        applied["phase"] = parse_phase(phase)
        studies = [s for s in studies if s.get("phase") == applied["phase"]]
    rows = [
        {
            **study,
            "sponsor_names": _names(store, "company", study["sponsors"]),
            "target_names": _names(store, "target", study["targets"]),
            "indication_names": _names(store, "indication", study["indications"]),
            "product_name": (_names(store, "product", [study["product"]]) or [study["product"]])[0]
            if study.get("product")
            else None,
        }
        for study in studies
    ]
    counts = dated(store.all("count"))
    disputes = disputes_marking(store, [("count", counts)])
    return {
        "filters": applied,
        "studies": rows,
        "counts": settled_first(counts),
        "disputes": disputes,
        "sources": sources_for(store, [("study", rows), ("count", counts), ("dispute", disputes)]),
    }


def timeline(
    store: Store,
    target: str | None = None,
    indication: str | None = None,
    all_events: bool = False,
    since: str | None = None,
) -> Record:
    events = [event_row(store, e) for e in store.all("event")]
    applied: dict[str, str] = {}
    if not all_events:
        events = [e for e in events if e["kind"] in APPROVAL_EVENTS]
    target_id, wanted = _target_and_indications(store, applied, target, indication)
    if target_id is not None:
        events = [e for e in events if target_id in e["targets"]]
    if wanted is not None:
        events = [e for e in events if e.get("indication") in wanted]
    if since is not None:
        from cartq.domain.show import since_date

        applied["since"] = start = since_date(since)
        # A date at month or year precision compares by as much of it as it has.
        events = [e for e in events if (e.get("date") or "")[: len(start)] >= start]
    events = dated(events)
    return {
        "filters": applied,
        "all_events": all_events,
        "events": events,
        "sources": sources_for(store, [("event", events)]),
    }


def costs(store: Store, country: str | None = None, product: str | None = None) -> Record:
    """The seed's cost table and every price claim, for one country or all; for one product, only
    that product's claims (the cost table is about CAR-T in general, so it is left out)."""
    countries = store.all("country")
    if country is not None:
        countries = [resolve(store, "country", country)]
    ids = {c["id"] for c in countries}
    only = resolve(store, "product", product)["id"] if product is not None else None
    if only is not None:
        countries = []
    prices = []
    for claim in store.all("price"):
        if claim["country"] in ids and (only is None or claim.get("product") == only):
            product = store.get("product", claim["product"]) if claim.get("product") else None
            prices.append({**claim, "product_name": label_of(product) if product else None})
    disputes = disputes_marking(store, [("country", countries), ("price", prices)])
    # Each product's claims together, then claims about CAR-T in general.
    prices.sort(key=lambda p: (p["product_name"] is None, p["product_name"] or "", p.get("date") or "", p["id"]))
    return {
        "countries": countries,
        "prices": settled_first(prices),
        "disputes": disputes,
        "sources": sources_for(store, [("country", countries), ("price", prices), ("dispute", disputes)]),
    }


def cost_rows(result: Record) -> list[Record]:
    """The cost table's rows and every price claim as one flat list, for spreadsheets."""

    def row(country: str, product: Any, subject: str, money: Record, basis: str, record: Record) -> Record:
        return {
            "country": country,
            "product": product,
            "subject": subject,
            **{f"price_{k}": v for k, v in money.items()},
            "basis": basis,
            "date": record.get("date"),
            "confidence": record.get("confidence"),
            "disputed": record["disputed"],
            "sources": "; ".join(c["source"] for c in record["sources"]),
        }

    rows = [
        row(c["id"], None, "Seed cost table: therapy cost", c["therapy_cost"], "seed_cost_table", c)
        for c in result["countries"]
    ]
    rows += [row(p["country"], p.get("product"), p["subject"], p["price"], p["basis"], p) for p in result["prices"]]
    return rows


def market(store: Store) -> Record:
    figures = sorted(store.all("market"), key=lambda f: (f["market"], f["year"]))
    growth = store.all("growth")
    disputes = disputes_marking(store, [("market", figures), ("growth", growth)])
    return {
        "figures": settled_first(figures),
        "growth": settled_first(growth),
        "disputes": disputes,
        "sources": sources_for(store, [("market", figures), ("growth", growth), ("dispute", disputes)]),
    }


def sources(store: Store) -> list[Record]:
    rows = []
    for source in store.all("source"):
        cited_by = {(k, i): {"kind": k, "id": i} for _, k, i in store.linked_to("source", source["id"])}
        rows.append({**source, "cited_by": list(cited_by.values())})
    return rows
