"""Dates at the precision their source gives: the one formatter every view and result uses."""

from __future__ import annotations

from cartq.enums import DatePrecision


def shown_date(value: str | None, precision: str | None = DatePrecision.day, missing: str = "date unconfirmed") -> str:
    """'2021-09' for a month date, '2019' for a year date: never a day the source did not give."""
    if not value:
        return missing
    if precision == DatePrecision.year:
        return value[:4]
    if precision == DatePrecision.month:
        return value[:7]
    return value
