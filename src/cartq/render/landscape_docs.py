"""Documents for the landscape commands: trials, timeline, costs, market and comparisons."""

from __future__ import annotations

from cartq import enums
from cartq.dates import shown_date
from cartq.enums import label
from cartq.render.blocks import Doc, Lines, Table
from cartq.render.fmt import flag, fmt_money, joined, labels, qualifier_prefix, source_ids
from cartq.render.parts import correction_lines, disputes_block, events_compact, events_table, prices_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.records import Record


def trials_doc(result: Record, wide: bool = False) -> Doc:
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
    columns = ["trial or programme", "kind", "phase", "sponsor / institution", "targets", "indications", "approach"]
    if not wide:  # 80 columns: kind and approach only with --wide; 'phase 1/2' as '1/2' under 'phase'
        keep = [0, 2, 3, 4, 5]
        columns = [columns[i] for i in keep]
        rows = [[row[i].removeprefix("phase ") if i == 2 else row[i] for i in keep] for row in rows]
    doc.add(Table(columns, rows, title=f"Trials and programmes ({len(rows)})"))
    if not rows:
        doc.add(Lines(["no trials or programmes match these filters"]))
    doc.add(
        marked_table(
            "count",
            ["count", "what", "as of", "sources"],
            [
                (
                    c,
                    [
                        f"{qualifier_prefix(c['qualifier'])}{c['count']:,}",
                        c["what"] + flag(c),
                        shown_date(c.get("date"), c.get("date_precision")),
                        source_ids(c),
                    ],
                )
                for c in result["counts"]
            ],
            result["disputes"],
            "Landscape figures (settled first, each with its source; sources disagree)",
        )
    )
    doc.add(disputes_block(not_inline(result["disputes"], ("count",))))
    return doc


def marked_table(
    kind: str, columns: list[str], rows: list[tuple[Record, list[str]]], disputes: list[Record], title: str
) -> Table:
    """A table of facts of one kind, each disputed one followed by its correction."""
    after = {n: correction_lines(kind, record, disputes) for n, (record, _) in enumerate(rows)}
    return Table(columns, [cells for _, cells in rows], title=title, after=after)


def not_inline(disputes: list[Record], kinds: tuple[str, ...]) -> list[Record]:
    """The disputes not already shown below a row of the page (about none of those kinds)."""
    return [d for d in disputes if not any(a["kind"] in kinds for a in d.get("about") or [])]


def timeline_doc(result: Record, wide: bool = False) -> Doc:
    doc = Doc()
    if result["filters"]:
        doc.add(Lines([joined([f"{k}={v}" for k, v in result["filters"].items()])], title="Filters"))
    doc.add(events_table(result["events"], with_product=True) if wide else events_compact(result["events"]))
    if not result["events"]:
        doc.add(Lines(["no events match these filters"]))
    return doc


def costs_doc(result: Record, wide: bool = False) -> Doc:
    """Price claims first, settled ones at the top; then the seed's country table, as published, each
    disputed row labelled and followed by its correction."""
    doc = Doc()
    doc.add(prices_table(result["prices"], with_product=True, disputes=result["disputes"], wide=wide))
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
    doc.add(disputes_block(not_inline(result["disputes"], ("price", "country"))))
    return doc


def market_doc(result: Record) -> Doc:
    """Settled figures first; a disputed one labelled, with its correction right below it."""
    doc = Doc()
    doc.add(
        marked_table(
            "market",
            ["market", "year", "value", "status", "projected by", "sources"],
            [
                (
                    f,
                    [
                        f["market"] + flag(f),
                        str(f["year"]),
                        fmt_money(f["value"]),
                        label(enums.FigureStatus, f["status"]),
                        f.get("projected_by") or "",
                        source_ids(f),
                    ],
                )
                for f in result["figures"]
            ],
            result["disputes"],
            "Market figures (settled first)",
        )
    )
    doc.add(
        marked_table(
            "growth",
            ["market", "growth", "period", "projected by", "sources"],
            [
                (
                    g,
                    [
                        g["market"] + flag(g),
                        f"{g['metric']} {g['percent']:g}%",
                        f"{g['start_year']}-{g['end_year']}",
                        g.get("projected_by") or "",
                        source_ids(g),
                    ],
                )
                for g in result["growth"]
            ],
            result["disputes"],
            "Growth rates (settled first)",
        )
    )
    doc.add(disputes_block(not_inline(result["disputes"], ("market", "growth"))))
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
