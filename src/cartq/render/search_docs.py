"""Documents for finding and judging: search hits, the sources and the evidence behind a record."""

from __future__ import annotations

from typing import Any

from cartq import enums
from cartq.enums import label
from cartq.render.blocks import Doc, Heading, Table

Record = dict[str, Any]


def search_doc(query: str, hits: list[Record]) -> Doc:
    doc = Doc()
    doc.add(
        Table(
            ["kind", "name", "id", "match"],
            [[h["kind"], h["name"], h["id"], h["match"]] for h in hits],
            title=f"Search: {query}",
        )
    )
    return doc


def sources_doc(rows: list[Record], as_of: str) -> Doc:
    doc = Doc([Heading(f"Sources ({len(rows)}); fact base current to {as_of}")])
    doc.add(
        Table(
            ["source", "title", "kind", "where", "cited by"],
            [
                [
                    s["id"],
                    s["title"],
                    label(enums.SourceKind, s["kind"]),
                    s.get("url") or f"seed file {s['seed_file']}",
                    str(len(s["cited_by"])),
                ]
                for s in rows
            ],
        )
    )
    return doc


def evidence_doc(result: Record) -> Doc:
    doc = Doc([Heading(f"Evidence for {result['name']}")])
    doc.add(
        Table(
            ["field", "source", "quote / note", "where"],
            [
                [e["field"], e["source"], e.get("quote") or e.get("note") or "", e.get("where") or ""]
                for e in result["evidence"]
            ],
        )
    )
    return doc
