"""What a command shows, as a list of blocks: headings, field lists, tables, lines and bar charts.

Pure data; render.screen draws them as Rich tables on a terminal or plain lines when piped.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Heading:
    def __init__(self, text: str) -> None:
        self.text = text


class Fields:
    def __init__(self, pairs: list[tuple[str, str]], title: str | None = None) -> None:
        self.pairs, self.title = pairs, title


class Table:
    """Rows of cells; `after` maps a row's index to lines shown right below it across the whole
    table (a disputed row's correction)."""

    def __init__(
        self,
        columns: list[str],
        rows: list[list[str]],
        title: str | None = None,
        after: dict[int, list[str]] | None = None,
        highlight: tuple[str, ...] = (),
    ) -> None:
        self.columns, self.rows, self.title = columns, rows, title
        self.after = after or {}
        # Words to emphasise in the body on a terminal (a search's matched words); plain text is unchanged.
        self.highlight = highlight


class Lines:
    def __init__(self, lines: list[str], title: str | None = None, style: str = "") -> None:
        self.lines, self.title, self.style = lines, title, style


class Bars:
    """A horizontal bar chart of one unit. Each item: (label, low, high or None, note, projected),
    optionally followed by a qualifier said before the value ('about', 'more than')."""

    def __init__(self, title: str, unit: str, items: list[tuple[Any, ...]]) -> None:
        self.title, self.unit, self.items = title, unit, items


Block = Heading | Fields | Table | Lines | Bars


class Doc:
    """What a command shows, as blocks; rendered as Rich tables or plain lines."""

    def __init__(self, blocks: list[Block] | None = None) -> None:
        self.blocks: list[Block] = blocks or []

    def add(self, block: Block | None) -> None:
        if block is not None and (isinstance(block, Heading) or _has_content(block)):
            self.blocks.append(block)


def _has_content(block: Block) -> bool:
    if isinstance(block, (Table, Bars)):
        return bool(block.rows if isinstance(block, Table) else block.items)
    if isinstance(block, Lines):
        return bool(block.lines)
    if isinstance(block, Fields):
        return any(value for _, value in block.pairs)
    return True
