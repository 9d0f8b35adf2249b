"""Dates at the precision their source gives: the one formatter every view and result uses."""

from __future__ import annotations

from cartq.enums import Confidence, DatePrecision

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def shown_date(value: str | None, precision: str | None = DatePrecision.day, missing: str = "date unconfirmed") -> str:
    """'2021-09' for a month date, '2019' for a year date: never a day the source did not give."""
    if not value:
        return missing
    if precision == DatePrecision.year:
        return value[:4]
    if precision == DatePrecision.month:
        return value[:7]
    return value


def event_date(event: dict[str, Any], missing: str = "date unconfirmed") -> str:
    """An event's date at its precision; with none, the day it was announced, said as such
    ('announced 2024-08-27'): never an empty cell where a source gives a day."""
    if event.get("date"):
        return shown_date(event["date"], event.get("date_precision"))
    if event.get("announced"):
        return f"announced {event['announced']}"
    return missing


def first_approval_date(row: dict[str, Any], missing: str = "") -> str:
    """A row's first approval (first_approval, _precision, _announced, _confidence) as shown, with
    its confidence where that is low or unconfirmed."""
    shown = event_date(
        {
            "date": row.get("first_approval"),
            "date_precision": row.get("first_approval_precision"),
            "announced": row.get("first_approval_announced"),
        },
        missing,
    )
    confidence = row.get("first_approval_confidence")
    if shown and confidence in (Confidence.low, Confidence.unconfirmed):
        shown += f" ({confidence} confidence)"
    return shown
