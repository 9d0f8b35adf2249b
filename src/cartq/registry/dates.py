"""Partial dates as the registry writes them: yyyy, yyyy-MM or yyyy-MM-dd (no pydantic here)."""

from __future__ import annotations

import re
from datetime import date

from cartq.errors import UsageError

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISIONS = ("year", "month", "day")


def check_partial_date(value: str) -> str:
    """The date unchanged if it is a real yyyy, yyyy-MM or yyyy-MM-dd date; ValueError otherwise."""
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError(f"malformed date {value!r} (expected yyyy, yyyy-MM or yyyy-MM-dd)")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        raise ValueError(f"impossible date {value!r}") from None  # month 13, 30 February
    return value


def precision(value: str | None) -> str:
    """'2010-05' -> 'month'; '' for no date."""
    return PRECISIONS[value.count("-")] if value else ""


def pad(value: str | None, end: bool = False) -> str:
    """A partial date as a day: its first day, or with end=True its last ('2020-02' -> '2020-02-29')."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) == 3:
        return value
    if not end:
        return value + "-01" * (3 - len(parts))
    if len(parts) == 1:
        return value + "-12-31"
    year, month = int(parts[0]), int(parts[1])
    following = date(year + month // 12, month % 12 + 1, 1)
    return f"{value}-{(following - date(year, month, 1)).days:02d}"


def parse_option(value: str, option: str) -> str:
    """A --since/--until value checked as a partial date; UsageError otherwise."""
    try:
        return check_partial_date(value.strip())
    except ValueError:
        raise UsageError(f"{option} takes a date as yyyy, yyyy-MM or yyyy-MM-dd, not {value!r}") from None
