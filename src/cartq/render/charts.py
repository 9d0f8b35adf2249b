"""Bar charts: costs by country and per currency, market size by year, approvals per year."""

from __future__ import annotations

from cartq import enums
from cartq.enums import label
from cartq.render.blocks import Bars, Doc, Lines
from cartq.render.fmt import amount, scale_suffix
from cartq.safe_text import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cartq.records import Record
# (label, low, high or None, note, projected): one bar.
Item = tuple[str, float, float | None, str, bool] | tuple[str, float, float | None, str, bool, str]
MAX_CHART_YEARS = 60


def _low_high(money: Record) -> tuple[float, float | None]:
    """A bar's extent, in the money's own unit (its currency and scale, as the chart's unit says)."""
    return money["low"], money.get("high")


def _unit(money: Record) -> str:
    return money["currency"] + scale_suffix(money)


def costs_chart_doc(result: Record) -> Doc:
    """One chart per currency and scale, since nothing is ever converted."""
    doc = Doc()
    table: dict[str, list[Item]] = {}
    for country in result["countries"]:
        cost = country["therapy_cost"]
        note = "DISPUTED" if country["disputed"] else ""
        table.setdefault(_unit(cost), []).append((country["name"], *_low_high(cost), note, False, _qualifier(cost)))
    for unit, items in table.items():
        doc.add(Bars(f"Seed cost table: therapy cost by country ({unit})", unit, items))
    by_unit: dict[str, list[Item]] = {}
    for claim in result["prices"]:
        price = claim["price"]
        # The claim's own subject names what was priced (Yescarta in the US, not its China brand).
        basis = label(enums.PriceBasis, claim["basis"])
        name = claim["subject"] if basis.lower() in claim["subject"].lower() else f"{claim['subject']} ({basis})"
        note = "DISPUTED" if claim["disputed"] else ""
        by_unit.setdefault(_unit(price), []).append((name, *_low_high(price), note, False, _qualifier(price)))
    for unit, items in by_unit.items():
        doc.add(Bars(f"Price claims in {unit} (each in its own currency; never converted)", unit, items))
    return doc


def _qualifier(money: Record) -> str:
    """'about', 'more than', ...: said before the value, as a person would."""
    return label(enums.Qualifier, money.get("qualifier", enums.Qualifier.exactly))


def market_chart_doc(result: Record) -> Doc:
    doc = Doc()
    groups: dict[tuple[str, str], list[Item]] = {}
    # By year, and within a year the settled figure before a disputed one.
    for figure in sorted(result["figures"], key=lambda f: (f["year"], bool(f["disputed"]))):
        value = figure["value"]
        unit = _unit(value)
        projected = figure["status"] == enums.FigureStatus.projection
        note = "projection" if projected else ""
        if figure["disputed"]:
            note = (note + " DISPUTED").strip()
        groups.setdefault((figure["market"], unit), []).append(
            (str(figure["year"]), *_low_high(value), note, projected, _qualifier(value))
        )
    for (market, unit), items in groups.items():
        shaded = "; projections shaded" if any(projected for *_, projected in items) else ""
        doc.add(Bars(f"{market} ({unit}{shaded})", unit, items))
    return doc


def timeline_chart_doc(result: Record) -> Doc:
    per_year: dict[str, int] = {}
    undated = 0
    for event in result["events"]:
        if event["regulator"] != enums.Regulator.NMPA:
            continue
        if event.get("date"):
            per_year[event["date"][:4]] = per_year.get(event["date"][:4], 0) + 1
        else:
            undated += 1
    doc = Doc()
    if per_year:
        first, last = int(min(per_year)), int(max(per_year))
        # Every year in the span, empty ones too, while that is a readable chart; beyond that only
        # the years with events (dates in years 0001 and 9999 must not draw ten thousand lines).
        years = range(first, last + 1) if last - first <= MAX_CHART_YEARS else sorted(map(int, per_year))
        doc.add(
            Bars(
                "NMPA events per year",
                "events",
                [(f"{y:04d}", float(per_year.get(f"{y:04d}", 0)), None, "", False) for y in years],
            )
        )
    if undated:
        doc.add(Lines([f"{undated} event(s) with no confirmed date are not in the chart"]))
    if not per_year and not undated:
        doc.add(Lines(["no events match these filters"]))
    return doc


def _amount_short(value: float) -> str:
    return amount(value) if value < 10_000 else f"{value:,.0f}"


def _fraction(value: float, top: float) -> float:
    """value / top within 0..1, without overflowing for values near the float limit."""
    if top <= 0 or value <= 0:
        return 0.0
    return min(1.0, value / top)


def bar_lines(block: Bars, width: int) -> list[str]:
    """'label  ████████▒▒▒  value note' lines; a range is solid to its low end, shaded to its high end.

    A label is never cut: one longer than a third of the width goes on its own line above its bar.
    """
    from cartq.render.text import cell_width, pad, wrap

    labels = [printable(name) for name, *_ in block.items]
    values = []
    for item in block.items:
        _, low, high, note, _ = item[:5]
        prefix = f"{item[5]} " if len(item) > 5 and item[5] else ""  # type: ignore[misc]
        shown = _amount_short(low) + (f"–{_amount_short(high)}" if high is not None and high != low else "")
        values.append(printable(prefix + shown + (f" {note}" if note else "")))
    label_width = min(max(map(cell_width, labels)), max(12, width // 3))
    value_width = max(map(len, values))
    room = max(10, width - label_width - value_width - 6)
    top = max((item[2] if item[2] is not None else item[1]) for item in block.items) or 1.0
    lines = []
    for name, item, value in zip(labels, block.items, values, strict=True):
        _, low, high, _, projected = item[:5]
        solid = max(1, round(room * _fraction(low, top))) if low > 0 else 0
        extra = round(room * _fraction(high or low, top)) - solid if high is not None else 0
        bar = ("▒" if projected else "█") * solid + "░" * max(0, extra)
        if cell_width(name) > label_width:  # on lines of its own above its bar, wrapped at spaces
            lines += [f"  {part}" for part in wrap(name, max(width - 2, 10))]
            name = ""
        lines.append(f"  {pad(name, label_width)}  {bar.ljust(room)}  {value}")
    return lines
