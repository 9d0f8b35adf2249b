"""Documents for the landscape commands: trials, timeline, costs, market and comparisons."""

from __future__ import annotations

from typing import Any

from cartq import enums
from cartq.dates import shown_date
from cartq.enums import label
from cartq.render.blocks import Doc, Lines, Table
from cartq.render.fmt import flag, fmt_money, joined, labels, qualifier_prefix, source_ids
from cartq.render.record_docs import correction_lines, disputes_block, events_compact, events_table, prices_table

Record = dict[str, Any]


def trials_doc(result: Record) -> Doc:
    doc = Doc()
    if result["filters"]:
        doc.add(Lines([joined([f"{k}={v}" for k, v in result["filters"].items()])], title="Filters"))
    rows = [
        [
            s["name"] + flag(s),
            label(enums.StudyKind, s["kind"]),
            label(enums.Phase, s.get("phase")),
            joined(s["sponsor_names"]) or s.get("institution") or "",
            joined(s["target_names"]),
            joined(s["indication_names"]),
            labels(enums.Approach, s["approaches"]),
        ]
        for s in result["studies"]
    ]
    doc.add(
        Table(
            ["trial or programme", "kind", "phase", "sponsor / institution", "targets", "indications", "approach"],
            rows,
            title=f"Trials and programmes ({len(rows)})",
        )
    )
    if not rows:
        doc.add(Lines(["no trials or programmes match these filters"]))
    doc.add(
        Table(
            ["count", "what", "as of", "sources"],
            [
                [
                    f"{qualifier_prefix(c['qualifier'])}{c['count']:,}",
                    c["what"],
                    shown_date(c.get("date"), c.get("date_precision")),
                    source_ids(c),
                ]
                for c in result["counts"]
            ],
            title="Landscape figures (each with its source; sources disagree)",
        )
    )
    doc.add(disputes_block(result["disputes"]))
    return doc


def timeline_doc(result: Record, wide: bool = False) -> Doc:
    doc = Doc()
    if result["filters"]:
        doc.add(Lines([joined([f"{k}={v}" for k, v in result["filters"].items()])], title="Filters"))
    doc.add(events_table(result["events"], with_product=True) if wide else events_compact(result["events"]))
    if not result["events"]:
        doc.add(Lines(["no events match these filters"]))
    return doc


def costs_doc(result: Record) -> Doc:
    """Price claims first, settled ones at the top; then the seed's country table, as published, each
    disputed row labelled and followed by its correction."""
    doc = Doc()
    doc.add(prices_table(result["prices"], with_product=True, disputes=result["disputes"]))
    columns = [
        "country",
        "therapy cost",
        "hospital stay",
        "local biotech",
        "waiting time",
        "insurance",
        "research & trials",
        "source",
    ]
    rows = []
    after: dict[int, list[str]] = {}
    for c in result["countries"]:
        rows.append(
            [
                c["name"] + flag(c),
                fmt_money(c["therapy_cost"]),
                c["hospital_stay"],
                c["local_biotech_availability"],
                c["average_waiting_time"],
                c["insurance_coverage"],
                c["research_and_trials"],
                source_ids(c),
            ]
        )
        after[len(rows) - 1] = correction_lines("country", c, result["disputes"])
    doc.add(Table(columns, rows, title="Country cost table (seed 001, as published)", after=after))
    shown = {d["id"] for d in result["disputes"] if _about_any(d, ("price", "country"))}
    doc.add(disputes_block([d for d in result["disputes"] if d["id"] not in shown]))
    return doc


def _about_any(dispute: Record, kinds: tuple[str, ...]) -> bool:
    return any(a["kind"] in kinds for a in dispute.get("about") or [])


def market_doc(result: Record) -> Doc:
    doc = Doc()
    doc.add(
        Table(
            ["market", "year", "value", "status", "projected by", "sources"],
            [
                [
                    f["market"] + flag(f),
                    str(f["year"]),
                    fmt_money(f["value"]),
                    label(enums.FigureStatus, f["status"]),
                    f.get("projected_by") or "",
                    source_ids(f),
                ]
                for f in result["figures"]
            ],
            title="Market figures",
        )
    )
    doc.add(
        Table(
            ["market", "growth", "period", "projected by", "sources"],
            [
                [
                    g["market"] + flag(g),
                    f"{g['metric']} {g['percent']:g}%",
                    f"{g['start_year']}-{g['end_year']}",
                    g.get("projected_by") or "",
                    source_ids(g),
                ]
                for g in result["growth"]
            ],
            title="Growth rates",
        )
    )
    doc.add(disputes_block(result["disputes"]))
    return doc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "currency" in value:
        return fmt_money(value)
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def compare_doc(result: Record) -> Doc:
    names = [p["name"] for p in result["products"]]
    return Doc(
        [
            Table(
                ["", *names],
                [[row["field"], *(_cell(v) for v in row["values"])] for row in result["rows"]],
                title="Comparison",
            )
        ]
    )


def comparison_rows(result: Record) -> list[Record]:
    ids = [p["id"] for p in result["products"]]
    return [
        {"field": row["field"], **{pid: _cell(v) for pid, v in zip(ids, row["values"], strict=True)}}
        for row in result["rows"]
    ]
