"""Documents for finding and judging: search hits, the sources and the evidence behind a record."""

from __future__ import annotations

from typing import Any

from cartq import enums
from cartq.enums import label
from cartq.render.blocks import Doc, Heading, Table

Record = dict[str, Any]


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
        )
    )
    return doc


def _kind_label(kind: str) -> str:
    from cartq.kinds import BY_KIND

    return BY_KIND[kind].label if kind in BY_KIND else kind


def host_of(url: str | None) -> str:
    """The host of a URL, without 'www.': what a reader judges a page by."""
    if not url:
        return ""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def source_line(source: Record) -> str:
    """One line a reader can judge a source by: its grade, kind, host (or seed file), and for a
    mirror or digest the publisher it copies. For every Sources block:
    'high · press release · prnewswire.com' / 'low · mirror of Caixin · news.miaodayang.com'."""
    grade = source.get("reliability") or "medium"
    kind = label(enums.SourceKind, source.get("kind")) if source.get("kind") else ""
    if source.get("original_publisher") and source.get("kind") in ("mirror", "aggregator"):
        kind = ("mirror" if source["kind"] == "mirror" else "digest") + f" of {source['original_publisher']}"
    elif source.get("original_publisher"):
        kind += f", after {source['original_publisher']}"
    where = host_of(source.get("url")) or (f"seed file {source['seed_file']}" if source.get("seed_file") else "")
    return " · ".join(part for part in (grade, kind, where) if part)


def sources_doc(rows: list[Record], as_of: str) -> Doc:
    doc = Doc([Heading(f"Sources ({len(rows)}); fact base current to {as_of}")])
    doc.add(
        Table(
            ["source", "title", "grade · kind · host", "where", "cited by"],
            [
                [
                    s["id"],
                    s["title"],
                    source_line(s),
                    s.get("url") or f"seed file {s['seed_file']}",
                    str(len(s["cited_by"])),
                ]
                for s in rows
            ],
        )
    )
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
