"""Bar charts: costs by country and per currency, market size by year, approvals per year."""

from __future__ import annotations

from typing import Any

from cartq import enums
from cartq.enums import label
from cartq.render.blocks import Bars, Doc, Lines
from cartq.render.fmt import amount, scale_suffix

Record = dict[str, Any]
# (label, low, high or None, note, projected): one bar.
Item = tuple[str, float, float | None, str, bool]


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
        name = country["name"] + (" (disputed)" if country["disputed"] else "")
        table.setdefault(_unit(cost), []).append((name, *_low_high(cost), "", False))
    for unit, items in table.items():
        doc.add(Bars(f"Seed cost table: therapy cost by country ({unit})", unit, items))
    by_unit: dict[str, list[Item]] = {}
    for claim in result["prices"]:
        price = claim["price"]
        name = claim.get("product_name") or claim["subject"]
        name = name.split(" (")[0] + f" — {label(enums.PriceBasis, claim['basis'])}"
        note = label(enums.Qualifier, price.get("qualifier", enums.Qualifier.exactly))
        if claim["disputed"]:
            note = (note + " disputed").strip()
        by_unit.setdefault(_unit(price), []).append((name, *_low_high(price), note, False))
    for unit, items in by_unit.items():
        doc.add(Bars(f"Price claims in {unit} (each in its own currency; never converted)", unit, items))
    return doc


def market_chart_doc(result: Record) -> Doc:
    doc = Doc()
    groups: dict[tuple[str, str], list[Item]] = {}
    for figure in result["figures"]:
        value = figure["value"]
        unit = _unit(value)
        projected = figure["status"] == enums.FigureStatus.projection
        note = "projection" if projected else ""
        if figure["disputed"]:
            note = (note + " disputed").strip()
        groups.setdefault((figure["market"], unit), []).append(
            (str(figure["year"]), *_low_high(value), note, projected)
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
        years = range(int(min(per_year)), int(max(per_year)) + 1)
        doc.add(
            Bars(
                "NMPA events per year",
                "events",
                [(str(y), float(per_year.get(str(y), 0)), None, "", False) for y in years],
            )
        )
    if undated:
        doc.add(Lines([f"{undated} event(s) with no confirmed date are not in the chart"]))
    if not per_year and not undated:
        doc.add(Lines(["no events match these filters"]))
    return doc


def _amount_short(value: float) -> str:
    return amount(value) if value < 10_000 else f"{value:,.0f}"


def bar_lines(block: Bars, width: int) -> list[str]:
    """'label  ████████▒▒▒  value note' lines; a range is solid to its low end, shaded to its high end."""
    labels = [name for name, *_ in block.items]
    values = [
        (f"{_amount_short(low)}–{_amount_short(high)}" if high is not None and high != low else _amount_short(low))
        + (f" {note}" if note else "")
        for _, low, high, note, _ in block.items
    ]
    label_width = min(max(map(len, labels)), 46)
    value_width = max(map(len, values))
    room = max(10, width - label_width - value_width - 6)
    top = max((high if high is not None else low) for _, low, high, _, _ in block.items) or 1.0
    lines = []
    for (name, low, high, _, projected), value in zip(block.items, values, strict=True):
        solid = max(1, round(room * low / top)) if low > 0 else 0
        extra = round(room * (high or low) / top) - solid if high is not None else 0
        bar = ("▒" if projected else "█") * solid + "░" * max(0, extra)
        shown = name if len(name) <= label_width else name[: label_width - 1] + "…"
        lines.append(f"  {shown.ljust(label_width)}  {bar.ljust(room)}  {value}")
    return lines
