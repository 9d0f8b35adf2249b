"""Drawing a document: Rich tables on a terminal, plain aligned lines without borders when piped.

Rich is imported only when a table is drawn on a terminal.
"""

from __future__ import annotations

import os
import sys

from cartq.render.blocks import Bars, Doc, Fields, Heading, Lines, Table
from cartq.render.charts import bar_lines

SHORT_COLUMN = 12
MIN_TEXT_COLUMN = 14
LONGEST_WORD = 30


def _use_rich() -> bool:
    if os.environ.get("CARTQ_PLAIN"):
        return False
    return sys.stdout.isatty()


def render(doc: Doc) -> None:
    if _use_rich():
        _render_rich(doc)
    else:
        sys.stdout.write(render_plain(doc))


def render_plain(doc: Doc) -> str:
    out: list[str] = []
    for block in doc.blocks:
        if out:
            out.append("")
        if isinstance(block, Heading):
            out.append(block.text)
            continue
        if getattr(block, "title", None):
            out.append(f"{block.title}:")
        if isinstance(block, Bars):
            out += [line.rstrip() for line in bar_lines(block, _plain_width())]
            continue
        if isinstance(block, Fields):
            width = max(len(k) for k, v in block.pairs if v)
            out += [f"  {k.ljust(width)}  {v}" for k, v in block.pairs if v]
        elif isinstance(block, Lines):
            out += [f"  {line}" for line in block.lines]
        elif isinstance(block, Table):
            out += _plain_table(block)
    return "\n".join(out) + "\n"


def _plain_width() -> int:
    try:
        return max(40, int(os.environ.get("COLUMNS", "100")))
    except ValueError:
        return 100


def _plain_table(table: Table) -> list[str]:
    """Aligned columns, no borders; a cell never holds a tab or newline."""
    cells = [[" ".join(str(c).split()) for c in row] for row in table.rows]
    keep = [i for i in range(len(table.columns)) if any(row[i] for row in cells)]
    header = [table.columns[i] for i in keep]
    body = [[row[i] for i in keep] for row in cells]
    widths = [max(len(h), *(len(r[j]) for r in body)) for j, h in enumerate(header)]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    return lines


def _render_rich(doc: Doc) -> None:
    from rich.console import Console, Group
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    console = Console(highlight=False, emoji=False, markup=False, no_color=bool(os.environ.get("NO_COLOR")) or None)
    parts: list[object] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts.append(Text(block.text, style="bold"))
            continue
        parts.append(Text(""))
        if block.title:
            parts.append(Text(block.title, style="bold"))
        if isinstance(block, Fields):
            grid = RichTable.grid(padding=(0, 2))
            grid.add_column(style="cyan", no_wrap=True)
            grid.add_column(overflow="fold")
            for key, value in block.pairs:
                if value:
                    grid.add_row(key, Text(value))
            parts.append(Padding(grid, (0, 0, 0, 2)))
        elif isinstance(block, Lines):
            parts.extend(Padding(Text(line, style=block.style), (0, 0, 0, 2)) for line in block.lines)
        elif isinstance(block, Bars):
            parts.append(Text(f"{block.unit}", style="dim"))
            parts.extend(Text(line, style="green") for line in bar_lines(block, console.width))
        else:
            parts.append(_rich_table(block, console.width))
    console.print(Group(*parts))  # type: ignore[arg-type]


def _rich_table(block: Table, width: int) -> object:
    """A table that fits `width` without cropping: short columns stay on one line, text columns
    wrap by word; when even that cannot fit, each row becomes a small block of 'column  value' lines.
    """
    from rich import box
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    keep = [i for i in range(len(block.columns)) if any(row[i] for row in block.rows)]
    # Judge columns by their values: a long header may wrap, a short date may not. A text column is
    # never narrower than its longest word (up to LONGEST_WORD), so wrapping does not split words.
    longest = {i: max(len(str(row[i])) for row in block.rows) for i in keep}
    minimum = {
        i: longest[i]
        if longest[i] <= SHORT_COLUMN
        else min(
            max(min(MIN_TEXT_COLUMN, longest[i]), *(len(w) for row in block.rows for w in str(row[i]).split())),
            LONGEST_WORD,
        )
        for i in keep
    }
    needed = sum(minimum.values()) + 3 * len(keep)
    if needed > width:
        grid = RichTable.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column(overflow="fold")
        for number, row in enumerate(block.rows):
            if number:
                grid.add_row("", "")
            for i in keep:
                if row[i]:
                    grid.add_row(block.columns[i], Text(str(row[i])))
        return Padding(grid, (0, 0, 0, 2))
    table = RichTable(box=box.SIMPLE_HEAD, header_style="bold cyan", pad_edge=False)
    for i in keep:
        if longest[i] <= SHORT_COLUMN:
            table.add_column(block.columns[i], no_wrap=True)
        else:
            table.add_column(block.columns[i], overflow="fold", min_width=minimum[i])
    for row in block.rows:
        table.add_row(*(Text(str(row[i])) for i in keep))
    return table
