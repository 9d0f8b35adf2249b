"""Documents for one record of each kind (the generic one for any kind without its own)."""

from __future__ import annotations

from cartq import enums
from cartq.dates import event_date, first_approval_date, shown_date
from cartq.enums import label
from cartq.render.blocks import Doc, Fields, Heading, Lines, Table
from cartq.render.fmt import (
    flag,
    joined,
    labels,
    source_ids,
)
from cartq.render.parts import (
    coverage_table,
    disputes_block,
    events_table,
    names_block,
    notes_block,
    prices_table,
    sources_block,
    status_text,
    studies_table,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.records import Record


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
