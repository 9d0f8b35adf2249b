"""Names, matching, filters and related records. Returns plain data; never prints.

Matching goes exact alias, then unique prefix, then fuzzy score above a cut-off; a near-tie or a
miss raises NotFound with the closest names, so no far-off record is ever answered silently.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from cartq.errors import NotFound, UsageError
from cartq.names import normalise

if TYPE_CHECKING:
    from cartq.factbase.store import Store
    from cartq.records import Record

MAX_QUERY_CHARS = 200
# Fuzzy matching is only trusted on longer queries: one wrong letter in "cd18" is another antigen.
NO_FUZZY_BELOW = 5
TIE_MARGIN = 3.0
SUGGEST_FLOOR = 50.0

KIND_LABEL = {
    "product": "product",
    "company": "company",
    "target": "target",
    "indication": "indication",
    "term": "glossary term",
    "country": "country",
    "study": "trial or programme",
    "source": "source",
    "record": "record",
}
COMMAND_OF_KIND = {
    "product": "product",
    "company": "company",
    "target": "target",
    "indication": "indication",
    "term": "glossary",
    "country": "costs --country",
    "study": "trials --sponsor",
    "record": "product",
}
# Where to look when a name is not of the kind asked for.
OTHER_KINDS = ("product", "company", "target", "indication", "term", "country")


def label_of(record: Record) -> str:
    return str(record.get("name") or record.get("title") or record["id"])


# ---- resolving a name to one record ------------------------------------------------------


def _fuzzy_scores(store: Store, kind: str, norm: str) -> list[tuple[float, str]]:
    """Best score per record id, best first."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    names = store.names(kind)
    if not names:
        return []
    choices = [row[2] for row in names]
    best: dict[str, float] = {}
    # Both sides are already normalised, so no processor: rapidfuzz 3 does none by default either.
    for scorer, scale in ((fuzz.ratio, 1.0), (OSA.normalized_similarity, 100.0)):
        for _, score, index in process.extract(norm, choices, scorer=scorer, processor=None, limit=25):
            rid = names[index][0]
            best[rid] = max(best.get(rid, 0.0), score * scale)
    return sorted(((score, rid) for rid, score in best.items()), key=lambda item: (-item[0], item[1]))


def _cutoff(norm: str) -> float:
    if len(norm) < NO_FUZZY_BELOW:
        return 101.0
    return 80.0 if len(norm) < 8 else 72.0


def _labels(store: Store, kind: str, ids: list[str]) -> list[str]:
    return [label_of(record) for record in store.get_many(kind, ids)]


def _elsewhere(store: Store, kind: str, norm: str) -> str | None:
    """Say so when the name belongs to a record of another kind."""
    for other in OTHER_KINDS:
        if other == kind:
            continue
        ids = {rid for rid, _ in store.exact(other, norm)}
        if len(ids) == 1:
            record = store.get(other, ids.pop())
            if record is not None:
                command = f"cartq {COMMAND_OF_KIND[other]} {record['id']}"
                return f"{label_of(record)!r} is a {KIND_LABEL[other]}: try '{command}'"
    return None


def check_query(query: str, kind: str) -> str:
    what = KIND_LABEL[kind]
    if len(query) > MAX_QUERY_CHARS:
        raise NotFound(
            f"no {what} matches: the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    norm = normalise(query)
    if not norm:
        shown = "an empty query" if not query.strip() else f"{query!r} (no letters or digits)"
        raise NotFound(f"no {what} matches {shown}", hint=f"run 'cartq {COMMAND_OF_KIND.get(kind, kind)}' to list them")
    return norm


def resolve(store: Store, kind: str, query: str) -> Record:
    norm = check_query(query, kind)
    what = KIND_LABEL[kind]

    exact = list(dict.fromkeys(rid for rid, _ in store.exact(kind, norm)))
    if len(exact) == 1:
        return store.get(kind, exact[0])  # type: ignore[return-value]
    if len(exact) > 1:
        raise NotFound(f"{query!r} names several {what} records", suggestions=_labels(store, kind, exact))

    prefixed = list(dict.fromkeys(rid for rid, _, _ in store.prefixed(kind, norm))) if len(norm) >= 2 else []
    if len(prefixed) == 1:
        return store.get(kind, prefixed[0])  # type: ignore[return-value]
    if len(prefixed) > 1:
        raise NotFound(
            f"{query!r} could be any of several {what} records; be more specific",
            suggestions=_labels(store, kind, prefixed[:8]),
        )

    scores = _fuzzy_scores(store, kind, norm)
    if scores and scores[0][0] >= _cutoff(norm):
        top, rid = scores[0]
        rivals = [other for score, other in scores[1:] if score >= top - TIE_MARGIN]
        if not rivals:
            return store.get(kind, rid)  # type: ignore[return-value]
        raise NotFound(
            f"{query!r} is about as close to several {what} records; be more specific",
            suggestions=_labels(store, kind, [rid, *rivals][:5]),
        )
    suggestions = _labels(store, kind, [rid for score, rid in scores if score >= SUGGEST_FLOOR][:5])
    raise NotFound(f"no {what} matches {query!r}", suggestions=suggestions, hint=_elsewhere(store, kind, norm))


# ---- building the views ------------------------------------------------------------------


def _summary(record: Record | None, *fields: str) -> dict[str, Any]:
    if record is None:
        return {}
    out = {"id": record["id"], "name": label_of(record)}
    for field in fields:
        out[field] = record.get(field)
    return out


def _cited_ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        if isinstance(value.get("source"), str) and set(value) <= {"source", "quote", "note"}:
            return [value["source"]]
        return [i for item in value.values() for i in _cited_ids(item)]
    if isinstance(value, list):
        return [i for item in value for i in _cited_ids(item)]
    return []


def _sources_for(store: Store, *items: Any) -> list[Record]:
    ids: list[str] = []
    for item in items:
        ids.extend(_cited_ids(item))
    return store.get_many("source", ids)


def _linked(store: Store, kind: str, rid: str, from_kind: str, field: str | None = None) -> list[Record]:
    """Records of `from_kind` whose references point at (kind, rid)."""
    ids = [oid for f, k, oid in store.linked_to(kind, rid) if k == from_kind and (field is None or f == field)]
    return store.get_many(from_kind, ids)


def _disputes(store: Store, kind: str, rid: str) -> list[Record]:
    return _linked(store, kind, rid, "dispute", "about")


def _disputes_marking(store: Store, groups: list[tuple[str, list[Record]]]) -> list[Record]:
    """Every dispute about the given rows, once each; each row gains `disputed` (matched by kind and id)."""
    found: dict[str, Record] = {}
    for kind, rows in groups:
        for row in rows:
            about_row = _disputes(store, kind, row["id"])
            row["disputed"] = bool(about_row)
            found.update((d["id"], d) for d in about_row)
    return list(found.values())


def _dated(records: list[Record], key: str = "date") -> list[Record]:
    return sorted(records, key=lambda r: (r.get(key) is None, r.get(key) or "", r["id"]))


def _event_row(store: Store, event: Record) -> Record:
    product = store.get("product", event["product"])
    indication = store.get("indication", event["indication"]) if event.get("indication") else None
    return {
        **event,
        "product_name": label_of(product) if product else event["product"],
        "indication_name": label_of(indication) if indication else None,
        "targets": product.get("targets", []) if product else [],
    }


APPROVAL_KINDS = ("approved", "approval_reported")


def first_approval(store: Store, product_id: str) -> Record | None:
    events = [
        e
        for e in _linked(store, "product", product_id, "event", "product")
        if e["kind"] in APPROVAL_KINDS and e["regulator"] == "NMPA"
    ]
    dated = _dated(events)
    return dated[0] if dated else None


def product_view(store: Store, product: Record) -> Record:
    pid = product["id"]
    companies = []
    for role in product["companies"]:
        company = store.get("company", role["company"])
        companies.append({**role, "company_name": label_of(company) if company else role["company"]})
    events = [_event_row(store, e) for e in _dated(_linked(store, "product", pid, "event", "product"))]
    related = {
        "companies": companies,
        "targets": [_summary(t, "full_name") for t in store.get_many("target", product.get("targets", []))],
        "events": events,
        "first_approval": first_approval(store, pid),
        "studies": [_summary(s, "kind", "phase", "registry_ids") for s in _linked(store, "product", pid, "study")],
        "prices": _dated(_linked(store, "product", pid, "price")),
        "coverage": _dated(_linked(store, "product", pid, "coverage")),
    }
    disputes = _disputes(store, "product", pid)
    return _view("product", product, related, disputes, store)


def _view(kind: str, record: Record, related: Record, disputes: list[Record], store: Store) -> Record:
    sources = _sources_for(
        store, record, related.get("events", []), related.get("prices", []), related.get("coverage", []), disputes
    )
    return {"kind": kind, "record": record, "related": related, "disputes": disputes, "sources": sources}


def _products_using(store: Store, kind: str, rid: str) -> list[Record]:
    products = _linked(store, kind, rid, "product")
    return [
        {**_summary(p, "status", "inn"), "first_approval": (first_approval(store, p["id"]) or {}).get("date")}
        for p in products
    ]


def company_view(store: Store, company: Record) -> Record:
    cid = company["id"]
    products = []
    for product in _linked(store, "company", cid, "product"):
        roles = sorted({r["role"] for r in product["companies"] if r["company"] == cid})
        products.append({**_summary(product, "status"), "roles": roles})
    related = {
        "products": products,
        "studies": [_summary(s, "kind", "phase", "institution") for s in _linked(store, "company", cid, "study")],
        "parents": [_summary(c, "kind") for c in store.get_many("company", company.get("parents", []))],
        "subsidiaries": [_summary(c, "kind") for c in _linked(store, "company", cid, "company", "parents")],
        "partners": [
            _summary(c, "kind")
            for c in store.get_many("company", company.get("partners", []))
            + _linked(store, "company", cid, "company", "partners")
        ],
    }
    related["partners"] = list({p["id"]: p for p in related["partners"]}.values())
    return _view("company", company, related, _disputes(store, "company", cid), store)


def target_view(store: Store, target: Record) -> Record:
    tid = target["id"]
    related = {
        "products": _products_using(store, "target", tid),
        "studies": [_summary(s, "kind", "phase", "institution") for s in _linked(store, "target", tid, "study")],
    }
    return _view("target", target, related, _disputes(store, "target", tid), store)


def indication_view(store: Store, indication: Record) -> Record:
    iid = indication["id"]
    events = [_event_row(store, e) for e in _dated(_linked(store, "indication", iid, "event"))]
    studies = _linked(store, "indication", iid, "study")
    product_ids = [e["product"] for e in events] + [s["product"] for s in studies if s.get("product")]
    related = {
        "products": [_summary(p, "status") for p in store.get_many("product", product_ids)],
        "events": events,
        "studies": [_summary(s, "kind", "phase", "institution") for s in studies],
        "parent": _summary(store.get("indication", indication["parent"]) if indication.get("parent") else None),
        "subtypes": [_summary(i) for i in _linked(store, "indication", iid, "indication", "parent")],
    }
    return _view("indication", indication, related, _disputes(store, "indication", iid), store)


def term_view(store: Store, term: Record) -> Record:
    return _view("term", term, {}, [], store)


VIEWS = {
    "product": product_view,
    "company": company_view,
    "target": target_view,
    "indication": indication_view,
    "term": term_view,
}


def lookup(store: Store, kind: str, query: str) -> Record:
    return VIEWS[kind](store, resolve(store, kind, query))


# ---- listings ----------------------------------------------------------------------------


def list_products(store: Store) -> list[Record]:
    rows = []
    for product in store.all("product"):
        first = first_approval(store, product["id"])
        developers = [
            r["company"]
            for r in product["companies"]
            if r["role"] in ("developer", "marketing_authorisation_holder") and not r.get("until")
        ]
        rows.append(
            {
                "id": product["id"],
                "name": product["name"],
                "inn": product.get("inn"),
                "short_names": product.get("short_names", []),
                "brand_names": product.get("brand_names", []),
                "chinese_brand_names": product.get("chinese_brand_names", []),
                "targets": [label_of(t) for t in store.get_many("target", product.get("targets", []))],
                "companies": [label_of(c) for c in store.get_many("company", developers)],
                "status": product["status"],
                "confidence": product["confidence"],
                "first_approval": first.get("date") if first else None,
                "first_approval_precision": first.get("date_precision") if first else None,
            }
        )
    return sorted(rows, key=lambda r: (r["first_approval"] is None, r["first_approval"] or "", r["name"]))


def list_companies(store: Store) -> list[Record]:
    rows = []
    for company in store.all("company"):
        products = _linked(store, "company", company["id"], "product")
        rows.append(
            {**_summary(company, "kind", "headquarters", "chinese_names"), "products": [label_of(p) for p in products]}
        )
    return rows


def list_targets(store: Store) -> list[Record]:
    return [
        {
            **_summary(t, "full_name", "aliases"),
            "products": [label_of(p) for p in _linked(store, "target", t["id"], "product")],
            "studies": len(_linked(store, "target", t["id"], "study")),
        }
        for t in store.all("target")
    ]


def list_indications(store: Store) -> list[Record]:
    rows = []
    for indication in store.all("indication"):
        events = _linked(store, "indication", indication["id"], "event")
        product_ids = [e["product"] for e in events if e["kind"] in APPROVAL_KINDS]
        rows.append(
            {
                **_summary(indication, "abbreviations", "category"),
                "approved_products": [label_of(p) for p in store.get_many("product", product_ids)],
            }
        )
    return rows


def list_terms(store: Store) -> list[Record]:
    return [_summary(t, "category", "aliases", "definition") for t in store.all("term")]


LISTINGS = {
    "product": list_products,
    "company": list_companies,
    "target": list_targets,
    "indication": list_indications,
    "term": list_terms,
}


# ---- filters -------------------------------------------------------------------------------

_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
PHASES = ("preclinical", "early", "phase_1", "phase_1_2", "phase_2", "phase_3", "registrational")


def parse_phase(text: str) -> str:
    """'2', 'II', 'phase 2', 'Phase I/II', '1/2', 'phase_1_2' all resolve."""
    raw = unicodedata.normalize("NFKC", text).casefold().strip()
    raw = re.sub(r"^phase[\s_-]*", "", raw)
    parts = [p for p in re.split(r"[\s/_\-]+", raw) if p]
    parts = [_ROMAN.get(p, p) for p in parts]
    candidate = "_".join(parts)
    if candidate in PHASES:
        return candidate
    if candidate and f"phase_{candidate}" in PHASES:
        return f"phase_{candidate}"
    raise UsageError(f"unknown phase {text!r}", hint="use one of: 1, 1/2, 2, 3, early, preclinical, registrational")


def _indication_and_subtypes(store: Store, query: str) -> tuple[str, set[str]]:
    """The indication a query names, and the ids of it and every subtype below it (LBCL takes in DLBCL)."""
    root = resolve(store, "indication", query)["id"]
    wanted, frontier = {root}, [root]
    while frontier:
        children = [i["id"] for i in _linked(store, "indication", frontier.pop(), "indication", "parent")]
        frontier.extend(child for child in children if child not in wanted)
        wanted.update(children)
    return root, wanted


def trials(
    store: Store,
    target: str | None = None,
    indication: str | None = None,
    sponsor: str | None = None,
    phase: str | None = None,
) -> Record:
    studies = store.all("study")
    applied: dict[str, str] = {}
    if target:
        record = resolve(store, "target", target)
        applied["target"] = record["id"]
        studies = [s for s in studies if record["id"] in s["targets"]]
    if indication:
        applied["indication"], wanted = _indication_and_subtypes(store, indication)
        studies = [s for s in studies if wanted & set(s["indications"])]
    if sponsor:
        norm = check_query(sponsor, "company")
        try:
            company = resolve(store, "company", sponsor)
        except NotFound:
            company = None
        if company is not None:
            applied["sponsor"] = company["id"]
            studies = [
                s for s in studies if company["id"] in s["sponsors"] or norm in normalise(s.get("institution") or "")
            ]
        else:
            applied["sponsor"] = sponsor
            studies = [s for s in studies if norm in normalise(s.get("institution") or "")]
    if phase:
        wanted_phase = parse_phase(phase)
        applied["phase"] = wanted_phase
        studies = [s for s in studies if s.get("phase") == wanted_phase]
    rows = []
    for study in studies:
        rows.append(
            {
                **study,
                "sponsor_names": [label_of(c) for c in store.get_many("company", study["sponsors"])],
                "target_names": [label_of(t) for t in store.get_many("target", study["targets"])],
                "indication_names": [label_of(i) for i in store.get_many("indication", study["indications"])],
                "product_name": label_of(store.get("product", study["product"]) or {"id": study["product"]})
                if study.get("product")
                else None,
            }
        )
    counts = _dated(store.all("count"))
    disputes = [d for c in counts for d in _disputes(store, "count", c["id"])]
    disputes = list({d["id"]: d for d in disputes}.values())
    return {
        "filters": applied,
        "studies": rows,
        "counts": counts,
        "disputes": disputes,
        "sources": _sources_for(store, rows, counts, disputes),
    }


def timeline(
    store: Store, target: str | None = None, indication: str | None = None, all_events: bool = False
) -> Record:
    events = [_event_row(store, e) for e in store.all("event")]
    applied: dict[str, str] = {}
    if not all_events:
        events = [e for e in events if e["kind"] in APPROVAL_KINDS]
    if target:
        record = resolve(store, "target", target)
        applied["target"] = record["id"]
        events = [e for e in events if record["id"] in e["targets"]]
    if indication:
        applied["indication"], wanted = _indication_and_subtypes(store, indication)
        events = [e for e in events if e.get("indication") in wanted]
    events = _dated(events)
    return {"filters": applied, "all_events": all_events, "events": events, "sources": _sources_for(store, events)}


def costs(store: Store, country: str | None = None) -> Record:
    countries = store.all("country")
    if country:
        countries = [resolve(store, "country", country)]
    ids = {c["id"] for c in countries}
    prices = []
    for claim in store.all("price"):
        if claim["country"] in ids:
            product = store.get("product", claim["product"]) if claim.get("product") else None
            prices.append({**claim, "product_name": label_of(product) if product else None})
    disputes = _disputes_marking(store, [("country", countries), ("price", prices)])
    # Each product's claims together, then claims about CAR-T in general.
    prices.sort(key=lambda p: (p["product_name"] is None, p["product_name"] or "", p.get("date") or "", p["id"]))
    return {
        "countries": countries,
        "prices": prices,
        "disputes": disputes,
        "sources": _sources_for(store, countries, prices, disputes),
    }


def market(store: Store) -> Record:
    figures = sorted(store.all("market"), key=lambda f: (f["market"], f["year"]))
    growth = store.all("growth")
    disputes = _disputes_marking(store, [("market", figures), ("growth", growth)])
    return {
        "figures": figures,
        "growth": growth,
        "disputes": disputes,
        "sources": _sources_for(store, figures, growth, disputes),
    }


def sources(store: Store) -> list[Record]:
    rows = []
    for source in store.all("source"):
        cited_by = [{"kind": k, "id": i} for f, k, i in store.linked_to("source", source["id"])]
        rows.append({**source, "cited_by": list({(c["kind"], c["id"]): c for c in cited_by}.values())})
    return rows


SEARCH_KINDS = ("product", "company", "target", "indication", "term", "country", "study")


def search(store: Store, query: str, limit: int = 25) -> list[Record]:
    """Every kind at once: names first (exact, prefix, fuzzy), then records whose text holds the query."""
    norm = check_query(query, "record")
    hits: dict[tuple[str, str], tuple[float, str]] = {}

    def add(kind: str, rid: str, score: float, how: str) -> None:
        if score > hits.get((kind, rid), (0.0, ""))[0]:
            hits[(kind, rid)] = (score, how)

    for kind in SEARCH_KINDS:
        for rid, _ in store.exact(kind, norm):
            add(kind, rid, 100.0, "name")
        if len(norm) >= 2:
            for rid, _, _ in store.prefixed(kind, norm):
                add(kind, rid, 90.0, "name prefix")
    for kind, rid in store.text_matches(norm):
        add(kind, rid, 60.0, "text")
    if not hits and len(norm) >= NO_FUZZY_BELOW:
        for kind in SEARCH_KINDS:
            for score, rid in _fuzzy_scores(store, kind, norm)[:5]:
                if score >= _cutoff(norm):
                    add(kind, rid, score * 0.8, "similar name")
    ranked = sorted(hits.items(), key=lambda item: (-item[1][0], item[0][0], item[0][1]))[:limit]
    rows = []
    for (kind, rid), (score, how) in ranked:
        record = store.get(kind, rid) or {"id": rid}
        rows.append({"kind": kind, "id": rid, "name": label_of(record), "match": how, "score": round(score, 1)})
    return rows


def completions(store: Store, kind: str, incomplete: str) -> list[str]:
    """Names for shell completion that start with what was typed, in the case it was typed.

    Only names without spaces are offered: shells split completions on whitespace.
    """
    typed = incomplete.casefold()
    found: dict[str, str] = {}
    for _, label, _ in store.names(kind):
        if any(ch.isspace() for ch in label) or not label.casefold().startswith(typed):
            continue
        if label.startswith(incomplete):
            candidate = label
        elif incomplete == incomplete.lower():
            candidate = label.lower()  # "fuc" completes to "fucaso", not "Fucaso"
        else:
            candidate = incomplete + label[len(incomplete) :]
        found.setdefault(candidate.casefold(), candidate)
    return sorted(found.values())


# ---- evidence, comparison, flat rows ------------------------------------------------------


def _citations_with_paths(value: Any, path: str) -> list[tuple[str, Record]]:
    """(field path, citation) for every citation in a record, e.g. ('car_construct', {...})."""
    found: list[tuple[str, Record]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("sources", "claimed_by", "corrected_by") and isinstance(item, list):
                where = path if key == "sources" else f"{path}.{key}".lstrip(".")
                found.extend((where or "record", c) for c in item if isinstance(c, dict) and "source" in c)
            else:
                found.extend(_citations_with_paths(item, f"{path}.{key}".lstrip(".")))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_citations_with_paths(item, f"{path}[{index}]"))
    return found


def evidence(store: Store, kind: str, query: str) -> Record:
    """Every citation behind a record and its related facts: which field, which source, what it says."""
    view = lookup(store, kind, query)
    pairs = _citations_with_paths(view["record"], "")
    related = view["related"]
    for section, label in (("events", "event"), ("prices", "price"), ("coverage", "coverage")):
        for item in related.get(section, []):
            for path, citation in _citations_with_paths(item, ""):
                pairs.append((f"{label}:{item['id']}" + ("" if path == "record" else f".{path}"), citation))
    for dispute in view["disputes"]:
        pairs.extend((f"dispute:{dispute['id']}.{path}", c) for path, c in _citations_with_paths(dispute, ""))
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
    return {"kind": kind, "id": view["record"]["id"], "name": label_of(view["record"]), "evidence": rows}


def compare(store: Store, queries: list[str]) -> Record:
    """Products side by side: one row per field, one value per product."""
    if len(queries) < 2:
        raise UsageError("compare needs at least two products")
    views = [product_view(store, resolve(store, "product", q)) for q in queries]

    def prices(view: Record, country: str) -> list[Record]:
        return [
            p
            for p in view["related"]["prices"]
            if p["country"] == country and p["basis"] in ("list_price", "launch_list_price")
        ]

    def coverage(view: Record, scheme: str) -> str:
        rows = [c for c in view["related"]["coverage"] if c["scheme"] == scheme]
        return "; ".join(f"{c['status'].replace('_', ' ')} ({c['plan']})" for c in rows) or "no record"

    def approvals(view: Record) -> list[str]:
        return [
            f"{e.get('date') or 'date unconfirmed'}: {e.get('indication_name') or ''} ({e['kind']})"
            for e in view["related"]["events"]
            if e["kind"] in APPROVAL_KINDS and e["regulator"] == "NMPA"
        ]

    fields: list[tuple[str, Any]] = [
        ("INN", lambda v: v["record"].get("inn")),
        ("Chinese generic name", lambda v: v["record"].get("chinese_generic_name")),
        ("brands", lambda v: v["record"].get("brand_names", []) + v["record"].get("chinese_brand_names", [])),
        ("codes", lambda v: v["record"].get("code_names", [])),
        ("targets", lambda v: [t["name"] for t in v["related"]["targets"]]),
        ("companies", lambda v: sorted({c["company_name"] for c in v["related"]["companies"] if not c.get("until")})),
        ("cells", lambda v: v["record"]["cell_source"]),
        ("status", lambda v: v["record"]["status"]),
        ("confidence", lambda v: v["record"]["confidence"]),
        ("first NMPA approval", lambda v: (v["related"]["first_approval"] or {}).get("date")),
        ("NMPA approvals", approvals),
        ("pivotal trials", lambda v: [s["name"] for s in v["related"]["studies"] if s["kind"] == "pivotal_trial"]),
    ]
    construct_keys = ("binder", "hinge", "transmembrane", "costimulatory_domain", "signalling_domain", "vector")
    fields += [
        (key.replace("_", " "), (lambda k: lambda v: (v["record"].get("car_construct") or {}).get(k))(key))
        for key in construct_keys
    ]
    fields += [
        ("China list price", lambda v: [p["price"] for p in prices(v, "china")]),
        ("US list price", lambda v: [p["price"] for p in prices(v, "united-states")]),
        ("2025 commercial insurance list", lambda v: coverage(v, "commercial_innovative_drug_list")),
        ("NRDL", lambda v: coverage(v, "nrdl")),
        ("disputed claims", lambda v: len(v["disputes"])),
    ]
    rows = [{"field": name, "values": [get(view) for view in views]} for name, get in fields]
    return {
        "products": [{"id": v["record"]["id"], "name": v["record"]["name"]} for v in views],
        "rows": rows,
        "views": views,
    }


def cost_rows(result: Record) -> list[Record]:
    """The cost table's rows and every price claim as one flat list, for spreadsheets."""
    rows = []
    for country in result["countries"]:
        rows.append(
            {
                "country": country["id"],
                "product": None,
                "subject": "Seed cost table: therapy cost",
                **{f"price_{k}": v for k, v in country["therapy_cost"].items()},
                "basis": "seed_cost_table",
                "date": None,
                "confidence": None,
                "disputed": country["disputed"],
                "sources": "; ".join(c["source"] for c in country["sources"]),
            }
        )
    for claim in result["prices"]:
        rows.append(
            {
                "country": claim["country"],
                "product": claim.get("product"),
                "subject": claim["subject"],
                **{f"price_{k}": v for k, v in claim["price"].items()},
                "basis": claim["basis"],
                "date": claim.get("date"),
                "confidence": claim["confidence"],
                "disputed": claim["disputed"],
                "sources": "; ".join(c["source"] for c in claim["sources"]),
            }
        )
    return rows
