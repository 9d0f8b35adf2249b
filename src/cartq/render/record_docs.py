"""Documents for one record of each kind, and for the listings of every kind."""

from __future__ import annotations

from typing import Any

from cartq import enums
from cartq.dates import event_date, first_approval_date, shown_date
from cartq.enums import label
from cartq.render.blocks import Doc, Fields, Heading, Lines, Table
from cartq.render.fmt import (
    correction_text,
    corrections,
    flag,
    fmt_money,
    joined,
    labels,
    source_ids,
    source_line,
)

Record = dict[str, Any]


def status_text(record: Record) -> str:
    """A product's status, with its confidence when that is not high."""
    status = label(enums.ProductStatus, record["status"])
    return status + (f" ({record['confidence']} confidence)" if record["confidence"] != enums.Confidence.high else "")


def names_block(record: Record, extra: list[tuple[str, str]]) -> Fields:
    pairs = [("id", record["id"]), *extra]
    pairs += [("aliases", joined(record.get("aliases"))), ("Chinese names", joined(record.get("chinese_names")))]
    return Fields(pairs)


def disputes_block(disputes: list[Record], inline: tuple[str, ...] = ()) -> Lines | None:
    """Every dispute, claim and correction; those about a row of a kind in `inline` are left out,
    since the page shows them below that row."""
    disputes = [d for d in disputes if not any(a["kind"] in inline for a in d.get("about") or [])]
    if not disputes:
        return None
    lines = []
    for d in disputes:
        lines.append(f"DISPUTED CLAIM ({joined([c['source'] for c in d['claimed_by']])}): {d['claim']}")
        lines.append(f"  CORRECTION ({joined([c['source'] for c in d['corrected_by']])}): {d['correction']}")
    return Lines(lines, title="Disputed claims", style="yellow")


def sources_block(sources: list[Record], title: str | None = "Sources") -> Lines | None:
    """Each source as 'id  title', then how to judge it (grade, kind, host; a mirror's original
    publisher; how many records cite it, in a listing), then where it is on a line of its own: an
    id or URL is never broken, whatever the width (a URL wider than the terminal runs past its
    edge, whole)."""
    lines = []
    for s in sources:
        cited = f" · cited by {len(s['cited_by'])}" if "cited_by" in s else ""
        lines.append(f"{s['id']}  {s['title']}")
        lines.append(f"    {source_line(s)}{cited}")
        lines.append(f"    {s.get('url') or 'seed file ' + str(s.get('seed_file'))}")
    return Lines(lines, title=title)


def notes_block(record: Record) -> Lines | None:
    return Lines(list(record.get("notes") or []), title="Notes")


def events_compact(events: list[Record]) -> Table:
    """The timeline at 80 columns: when, which product, what, where, for what."""
    rows = [
        [
            event_date(e),
            short_product(e["product_name"]),
            label(enums.EventKind, e["kind"]) + flag(e),
            e["regulator"] if e["regulator"] == enums.Regulator.NMPA else label(enums.Regulator, e["regulator"]),
            e.get("indication_name") or "",
        ]
        for e in events
    ]
    return Table(["date", "product", "event", "regulator", "indication"], rows, title="Regulatory events")


def short_product(name: str) -> str:
    """'Fucaso (equecabtagene autoleucel)' as 'Fucaso': the listing's column, not its full name."""
    return name.split(" (")[0] if " (" in name else name


def events_table(events: list[Record], with_product: bool, disputes: list[Record] | None = None) -> Table:
    """Date, event, regulator (product) and pivotal study as columns; below each event, the
    label's own words (its indication, line, patients, approval type) and every note on it."""
    columns = ["date", "event", "regulator"] + (["product"] if with_product else []) + ["pivotal study"]
    rows = []
    after: dict[int, list[str]] = {}
    for e in events:
        row = [event_date(e), label(enums.EventKind, e["kind"]) + flag(e), label(enums.Regulator, e["regulator"])]
        if with_product:
            row.append(short_product(e["product_name"]))
        row.append(e.get("pivotal_study") or "")
        detail = joined(
            [
                e.get("line_of_therapy") or "",
                e.get("patient_group") or "",
                label(enums.ApprovalType, e.get("approval_type")),
            ],
            "; ",
        )
        label_words = e.get("indication_detail") or e.get("indication_name") or ""
        after[len(rows)] = [
            *([f"{label_words}" + (f" ({detail})" if detail else "")] if label_words or detail else []),
            *(f"note: {note}" for note in e.get("notes") or []),
            *correction_lines("event", e, disputes or []),
        ]
        rows.append(row)
    return Table(columns, rows, title="Regulatory events", after=after)


def correction_lines(kind: str, record: Record, disputes: list[Record]) -> list[str]:
    """The disputed claims about a row and their corrections, shown right below it."""
    lines = []
    for dispute in corrections(kind, record, disputes):
        lines.append(f"DISPUTED CLAIM ({joined([c['source'] for c in dispute['claimed_by']])}): {dispute['claim']}")
        lines.append(correction_text(dispute))
    return lines


def prices_table(
    prices: list[Record], with_product: bool = False, disputes: list[Record] | None = None, wide: bool = False
) -> Table:
    """Settled claims first (the domain orders them); a disputed claim is labelled DISPUTED on its
    own row, its correction on the row below it. Compact (80 columns): what was priced, with its
    basis where the subject does not say it already; `wide` adds product and basis columns."""
    if not wide:
        rows = [
            [
                fmt_money(p["price"]),
                _priced(p) + flag(p),
                shown_date(p.get("date"), p.get("date_precision"), missing=""),
            ]
            for p in prices
        ]
        # Each claim's sources on a line below it, whole, then its correction if it is disputed.
        after = {
            n: [f"sources: {source_ids(p)}", *correction_lines("price", p, disputes or [])]
            for n, p in enumerate(prices)
        }
        title = "Price claims (settled first, each with its own source; never converted)"
        return Table(["price", "what", "date"], rows, title=title, after=after)
    columns = ["price", "what"] + (["product"] if with_product else []) + ["basis", "date", "sources"]
    rows = []
    after = {}
    for p in prices:
        row = [fmt_money(p["price"]), p["subject"] + flag(p)]
        if with_product:
            row.append(p.get("product_name") or "")
        row += [
            label(enums.PriceBasis, p["basis"]),
            shown_date(p.get("date"), p.get("date_precision"), missing=""),
            source_ids(p),
        ]
        rows.append(row)
        after[len(rows) - 1] = correction_lines("price", p, disputes or [])
    title = "Price claims (settled first, each with its own source; never converted)"
    return Table(columns, rows, title=title, after=after)


def _priced(price: Record) -> str:
    """The claim's subject, and its basis unless the subject already says it ('list price')."""
    basis = label(enums.PriceBasis, price["basis"])
    return price["subject"] if basis.lower() in price["subject"].lower() else f"{price['subject']}; {basis}"


def coverage_table(coverage: list[Record]) -> Table:
    rows = [
        [
            label(enums.Scheme, c["scheme"]),
            c["plan"],
            label(enums.CoverageStatus, c["status"]),
            shown_date(c.get("date"), c.get("date_precision"), missing=""),
            c["detail"],
        ]
        for c in coverage
    ]
    return Table(["scheme", "plan", "status", "date", "detail"], rows, title="Insurance and reimbursement")


def studies_table(studies: list[Record]) -> Table:
    return Table(
        ["trial or programme", "kind", "phase", "institution"],
        [
            [
                s["name"],
                label(enums.StudyKind, s["kind"]),
                label(enums.Phase, s.get("phase")),
                s.get("institution") or "",
            ]
            for s in studies
        ],
        title="Trials and programmes",
    )


def product_doc(view: Record) -> Doc:
    p, rel = view["record"], view["related"]
    doc = Doc([Heading(f"{p['name']}{flag(p)}")])
    first = rel.get("first_approval")
    construct = p.get("car_construct") or {}
    doc.add(
        names_block(
            p,
            [
                ("INN", p.get("inn") or ""),
                ("Chinese generic name", p.get("chinese_generic_name") or ""),
                ("brand names", joined(p.get("brand_names"))),
                ("Chinese brand names", joined(p.get("chinese_brand_names"))),
                ("short names", joined(p.get("short_names"))),
                ("code names", joined(p.get("code_names"))),
                (
                    "status",
                    status_text(p),
                ),
                (
                    "first NMPA approval",
                    event_date(first) + flag(first) if first else "none recorded",
                ),
                ("targets", joined([t["name"] for t in rel["targets"]])),
                ("cells", label(enums.CellSource, p["cell_source"])),
            ],
        )
    )
    doc.add(
        Fields([(k.replace("_", " "), v) for k, v in construct.items() if k != "sources" and v], title="CAR construct")
    )
    doc.add(
        Table(
            ["company", "role", "since", "until", "note"],
            [
                [
                    c["company_name"],
                    label(enums.CompanyRoleKind, c["role"]),
                    shown_date(c.get("since"), c.get("since_precision"), missing=""),
                    shown_date(c.get("until"), c.get("until_precision"), missing=""),
                    c.get("note") or "",
                ]
                for c in rel["companies"]
            ],
            title="Companies",
        )
    )
    doc.add(events_table(rel["events"], with_product=False, disputes=view["disputes"]))
    detailed = [s for s in rel["studies"] if s.get("results") or s.get("patients") or s.get("description")]
    for study in detailed:
        doc.add(study_block(study))
    doc.add(
        Table(
            ["study", "kind", "phase", "registry ids"],
            [
                [
                    s["name"],
                    label(enums.StudyKind, s["kind"]),
                    label(enums.Phase, s.get("phase")),
                    joined(s.get("registry_ids")),
                ]
                for s in rel["studies"]
                if s not in detailed
            ],
            title="Other trials",
        )
    )
    doc.add(prices_table(rel["prices"], disputes=view["disputes"]))
    doc.add(coverage_table(rel["coverage"]))
    doc.add(notes_block(p))
    doc.add(registry_block(view))
    doc.add(disputes_block(view["disputes"], inline=("event", "price")))
    doc.add(sources_block(view["sources"]))
    return doc


def study_block(study: Record) -> Fields:
    """One trial as a clinician reads it: design, patients, headline results, and their sources."""
    return Fields(
        [
            ("kind", label(enums.StudyKind, study["kind"])),
            ("phase", label(enums.Phase, study.get("phase"))),
            ("registry ids", joined(study.get("registry_ids"))),
            ("patients", f"{study['patients']:,}" if study.get("patients") is not None else ""),
            ("design", study.get("description") or ""),
            ("results", study.get("results") or ""),
            ("notes", " ".join(study.get("notes") or [])),
            ("sources", source_ids(study)),
        ],
        title=f"Trial {study['name']}{flag(study)}",
    )


def company_doc(view: Record) -> Doc:
    c, rel = view["record"], view["related"]
    doc = Doc([Heading(c["name"])])
    doc.add(
        names_block(
            c,
            [
                ("kind", label(enums.CompanyKind, c["kind"])),
                ("headquarters", c.get("headquarters") or ""),
                ("focus areas", joined(c.get("focus_areas"))),
            ],
        )
    )
    doc.add(
        Table(
            ["product", "roles", "status", "relation"],
            [
                [
                    p["name"],
                    labels(enums.CompanyRoleKind, p["roles"]),
                    label(enums.ProductStatus, p["status"]),
                    " ".join(p.get("role_notes") or []),
                ]
                for p in rel["products"]
            ],
            title="Products",
        )
    )
    doc.add(
        Table(
            ["relation", "company", "kind"],
            [
                [RELATION_LABELS[rel_name], x["name"], label(enums.CompanyKind, x["kind"])]
                for rel_name in ("parents", "subsidiaries", "partners")
                for x in rel[rel_name]
            ],
            title="Related companies",
        )
    )
    doc.add(studies_table(rel["studies"]))
    doc.add(notes_block(c))
    doc.add(registry_block(view))
    doc.add(disputes_block(view["disputes"]))
    doc.add(sources_block(view["sources"]))
    return doc


RELATION_LABELS = {"parents": "parent", "subsidiaries": "subsidiary", "partners": "partner"}


def target_doc(view: Record) -> Doc:
    t, rel = view["record"], view["related"]
    doc = Doc([Heading(t["name"])])
    doc.add(names_block(t, [("full name", t.get("full_name") or "")]))
    doc.add(
        Table(
            ["product", "status", "first approval"],
            [
                [
                    p["name"],
                    label(enums.ProductStatus, p["status"]),
                    first_approval_date(p),
                ]
                for p in rel["products"]
            ],
            title="Products",
        )
    )
    doc.add(studies_table(rel["studies"]))
    doc.add(notes_block(t))
    doc.add(registry_block(view))
    doc.add(disputes_block(view["disputes"]))
    doc.add(sources_block(view["sources"]))
    return doc


def indication_doc(view: Record) -> Doc:
    i, rel = view["record"], view["related"]
    doc = Doc([Heading(i["name"])])
    doc.add(
        names_block(
            i,
            [
                ("abbreviations", joined(i.get("abbreviations"))),
                ("category", label(enums.IndicationCategory, i["category"])),
                ("part of", (rel.get("parent") or {}).get("name", "")),
                ("subtypes", joined([s["name"] for s in rel["subtypes"]])),
            ],
        )
    )
    doc.add(
        Table(
            ["product", "status"],
            [[p["name"], label(enums.ProductStatus, p["status"])] for p in rel["products"]],
            title="Products",
        )
    )
    doc.add(events_table(rel["events"], with_product=True, disputes=view["disputes"]))
    covering = rel.get("covering_events") or []
    if covering:
        parents = joined(list(dict.fromkeys(e.get("indication_name") or "" for e in covering)))
        table = events_table(covering, with_product=True, disputes=view["disputes"])
        table.title = f"Approvals for {parents}, whose label covers {i['name']} (the label's words)"
        doc.add(table)
    doc.add(studies_table(rel["studies"]))
    doc.add(registry_block(view))
    doc.add(disputes_block(view["disputes"], inline=("event",)))
    doc.add(sources_block(view["sources"]))
    return doc


def term_doc(view: Record) -> Doc:
    t = view["record"]
    doc = Doc([Heading(t["name"])])
    doc.add(
        Fields(
            [
                ("category", label(enums.GlossaryCategory, t["category"])),
                ("aliases", joined(t.get("aliases"))),
                ("definition", t["definition"]),
            ]
        )
    )
    doc.add(sources_block(view["sources"]))
    return doc


def registry_block(view: Record) -> Lines | None:
    link = view.get("registry")
    if not link:
        return None
    return Lines(
        [f"{link['count']:,} registered studies in China (ClinicalTrials.gov; matched by cartq): {link['command']}"],
        title="Trial registry",
    )


def generic_doc(view: Record) -> Doc:
    """Any kind without a view of its own: its fields, what links to it, disputes and sources."""
    from cartq.kinds import BY_KIND

    record, kind = view["record"], view["kind"]
    doc = Doc([Heading(f"{record.get('name') or record.get('title') or record['id']} ({BY_KIND[kind].label})")])
    doc.add(Fields([(key.replace("_", " "), _plain(value)) for key, value in record.items() if key != "sources"]))
    for other, rows in view["related"].items():
        doc.add(Table([BY_KIND[other].label, "id"], [[r["name"], r["id"]] for r in rows], title=BY_KIND[other].plural))
    doc.add(registry_block(view))
    doc.add(disputes_block(view["disputes"]))
    doc.add(sources_block(view["sources"]))
    return doc


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return joined([_plain(item) for item in value])
    if isinstance(value, dict):
        return joined([f"{key.replace('_', ' ')}: {_plain(item)}" for key, item in value.items() if item])
    return "" if value is None else str(value)


def detail_doc(view: Record) -> Doc:
    return DETAIL_DOCS.get(view["kind"], generic_doc)(view)


DETAIL_DOCS = {
    "product": product_doc,
    "company": company_doc,
    "target": target_doc,
    "indication": indication_doc,
    "term": term_doc,
}


def listing_doc(kind: str, rows: list[Record], wide: bool = False) -> Doc:
    """A table of every record of a kind that fits 80 columns: the name once (a product's INN and
    brands are in its name), and the columns people scan; `wide` adds the rest."""
    if kind == "product":
        columns = ["product", "target", "company", "status", "first approval"]
        if wide:
            columns[1:1] = ["INN", "brand"]
        table = Table(
            columns,
            [
                [
                    r["name"],
                    *([r.get("inn") or "", joined(r["brand_names"] + r["chinese_brand_names"])] if wide else []),
                    joined(r["targets"]),
                    joined(r["companies"]),
                    status_text(r),
                    first_approval_date(r),
                ]
                for r in rows
            ],
            title="CAR-T products (by first NMPA approval)",
        )
    elif kind == "company":
        table = Table(
            ["company", "kind", "headquarters", "products"],
            [
                [
                    r["name"],
                    label(enums.CompanyKind, r["kind"]),
                    r.get("headquarters") or "",
                    joined(r["products"] if wide else [short_product(p) for p in r["products"]]),
                ]
                for r in rows
            ],
            title="Companies and institutions",
        )
    elif kind == "target":
        table = Table(
            ["target", "full name", "products", "trials/programmes"],
            [
                [
                    r["name"],
                    r.get("full_name") or "",
                    joined(r["products"] if wide else [short_product(p) for p in r["products"]]),
                    str(r["studies"]),
                ]
                for r in rows
            ],
            title="Targets",
        )
    elif kind == "indication":
        table = Table(
            ["indication", "abbreviations", "category", "approved products"],
            [
                [
                    r["name"],
                    joined(r["abbreviations"]),
                    label(enums.IndicationCategory, r["category"]),
                    joined(r["approved_products"] if wide else [short_product(p) for p in r["approved_products"]]),
                ]
                for r in rows
            ],
            title="Indications",
        )
    else:
        table = Table(
            ["term", "category", "definition"],
            [[r["name"], label(enums.GlossaryCategory, r["category"]), r["definition"]] for r in rows],
            title="Glossary",
        )
    return Doc([table])
