"""Documents for finding and judging: search hits, the sources and the evidence behind a record."""

from __future__ import annotations

from cartq import enums
from cartq.enums import label
from cartq.render.blocks import Doc, Heading, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cartq.records import Record


def search_doc(query: str, hits: list[Record]) -> Doc:
    """Each hit: its kind, its name, its id (for 'cartq show ID'), and a value or the text that matched."""
    doc = Doc()
    doc.add(
        Table(
            ["kind", "name", "id", "value or matching text"],
            [
                [
                    _kind_label(h["kind"]),
                    h["name"],
                    h["id"],
                    h.get("value") or h.get("snippet") or "",
                ]
                for h in hits
            ],
            title=f"Search: {query}",
            highlight=tuple(query.split()) + tuple(word for h in hits for word in h.get("matched") or ()),
        )
    )
    return doc


def _kind_label(kind: str) -> str:
    from cartq.kinds import BY_KIND

    return BY_KIND[kind].label if kind in BY_KIND else kind


def sources_doc(rows: list[Record], as_of: str) -> Doc:
    """Every source as in a record's Sources block (id and title, how to judge it, where it is on
    a line of its own), with how many records cite it."""
    from cartq.render.parts import sources_block

    doc = Doc([Heading(f"Sources ({len(rows)}); fact base current to {as_of}")])
    doc.add(sources_block(rows, title=None))
    return doc


def coverage_doc(result: Record) -> Doc:
    from cartq.dates import shown_date

    shown = ", ".join(label(enums.Scheme, v) if k == "scheme" else v for k, v in result["filters"].items())
    doc = Doc([Heading("Insurance coverage" + (f": {shown}" if shown else ""))])
    doc.add(
        Table(
            ["product", "scheme", "plan", "status", "date", "detail", "sources"],
            [
                [
                    c.get("product_name") or "",
                    label(enums.Scheme, c["scheme"]),
                    c["plan"],
                    label(enums.CoverageStatus, c["status"]),
                    shown_date(c.get("date"), c.get("date_precision")),
                    c["detail"],
                    ", ".join(cite["source"] for cite in c.get("sources", [])),
                ]
                for c in result["coverage"]
            ],
        )
    )
    return doc


def evidence_doc(result: Record) -> Doc:
    """The citations behind a record, grouped under human field names: a verbatim quote in
    quotation marks, an editor's note marked as a note, each source with its grade."""
    doc = Doc([Heading(f"Evidence for {result['name']}")])
    groups: dict[str, list[Record]] = {}
    for row in result["evidence"]:
        groups.setdefault(row.get("field_name") or row["field"], []).append(row)
    for name, rows in groups.items():
        doc.add(
            Table(
                ["source", "grade", "what it says"],
                [
                    [
                        e["source"],
                        e.get("reliability") or "",
                        "; ".join(
                            part
                            for part in (
                                f"\u201c{e['quote']}\u201d" if e.get("quote") else "",
                                f"note: {e['note']}" if e.get("note") else "",
                            )
                            if part
                        )
                        or "(cited without a quote)",
                    ]
                    for e in rows
                ],
                title=name,
            )
        )
    return doc
