"""The pieces record pages and landscape pages share: names, disputes, sources, notes, and the
tables of events, prices, coverage and trials."""

from __future__ import annotations

from cartq import enums
from cartq.dates import event_date, shown_date
from cartq.enums import label
from cartq.render.blocks import Fields, Lines, Table
from cartq.render.fmt import (
    correction_text,
    corrections,
    flag,
    fmt_money,
    joined,
    source_ids,
    source_line,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cartq.records import Record


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
