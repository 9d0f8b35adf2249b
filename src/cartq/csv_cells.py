"""One way to write a value into a CSV cell, for `--csv` of every command and for `cartq export
csv`: booleans as true/false, numbers exact (80000, not 80000.0), and text that a spreadsheet would
run as a formula kept as text."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations are strings here
    from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice or Sheets (a tab or CR can
# smuggle one past a stripped first character); a leading ' is doubled so the rule can be undone.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
FORMULA_PREFIX = "'"


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will show rather than run."""
    return FORMULA_PREFIX + text if text.startswith(FORMULA_STARTS) else text


def boolean(value: Any) -> str:
    return "true" if value else "false"


def number(value: float | int) -> str:
    """An exact number: an integral float without its '.0', any other float by its shortest repr."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def cell(value: Any) -> Any:
    """A value of any type, by the rules above; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return boolean(value)
    if isinstance(value, (int, float)):
        return number(value)
    return neutralise(str(value))
