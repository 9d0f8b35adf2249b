"""Drawing a document: styled lines on a terminal (through a pager when long), plain aligned lines
without borders or colour when piped.

One layout serves both: cartq lays every block out itself, by display width (East Asian wide
characters take two columns), and never cuts a word. Text wraps at spaces; a word longer than the
room it has (a URL, a source id) stays whole on a line of its own and may run past the edge, where
the terminal soft-wraps it, but no character is dropped or moved. A table whose columns cannot
each hold their longest word side by side changes shape instead: each row becomes a small block
of `column  value` lines. Every piece of data passes through `safe_text.printable`.

Rich is imported only to colour lines on a terminal.
"""

from __future__ import annotations

import os
import re
import sys

from cartq.render.blocks import Bars, Doc, Fields, Heading, Lines, Table
from cartq.render.charts import bar_lines
from cartq.render.text import cell_width, longest_word, pad, wrap
from cartq.safe_text import printable

MIN_WIDTH = 40  # COLUMNS=0, a tiny or unknown terminal: lay out for 40 columns, print everything
DEFAULT_WIDTH = 100
SHORT_COLUMN = 12  # a column whose every cell is this short never wraps
SMALL_NEED = 12  # a column this much short of its widest cell is widened first
GAP = 2
INDENT = "  "
DEFAULT_PAGER = "less -FRX"

URL = re.compile(r"https?://\S+")
LINK = "link:"  # a piece styled LINK + url is printed as an OSC 8 hyperlink where colour is on

# One line of output: (text, style) pieces. Styles are Rich style names; plain output drops them.
Piece = tuple[str, str]
Line = list[Piece]


def clamp_width(width: int | None) -> int:
    return max(MIN_WIDTH, width or DEFAULT_WIDTH)


def terminal_width() -> int:
    """COLUMNS if set (0 or nonsense counts as unknown), else the terminal's own, at least MIN_WIDTH."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
    return clamp_width(columns)


# --- layout --------------------------------------------------------------------------------------


UNBOUNDED = 10**6  # piped text: one table row, one field, one line each, for grep and cut


def layout(doc: Doc, width: int, styled: bool = True, chart_width: int | None = None) -> list[Line]:
    """Every line of the document, laid out for `width` columns (charts for `chart_width`)."""
    width = clamp_width(width)
    chart_width = clamp_width(chart_width or width)
    out: list[Line] = []
    for block in doc.blocks:
        if out:
            out.append([])
        if isinstance(block, Heading):
            out += [[(line, "bold")] for line in wrap(block.text, width)]
            continue
        if block.title:
            out += [[(line, "bold")] for line in wrap(f"{block.title}" + ("" if styled else ":"), width)]
        if isinstance(block, Bars):
            if styled and block.unit not in block.title:
                out.append([(printable(block.unit), "dim")])
            out += [[(printable(line.rstrip()), "green")] for line in bar_lines(block, chart_width)]
        elif isinstance(block, Fields):
            out += fields_lines([(k, v) for k, v in block.pairs if v], width)
        elif isinstance(block, Lines):
            out += lines_lines(block, width)
        else:
            out += table_lines(block, width)
    return out


def fields_lines(pairs: list[tuple[str, str]], width: int) -> list[Line]:
    """'key  value' lines; a value wraps under itself, or below the key, indented, when the room
    beside the key is too narrow for it (or for its longest word: an id, a URL)."""
    if not pairs:
        return []
    keys = [printable(str(k)) for k, _ in pairs]
    key_width = max(cell_width(k) for k in keys)
    room = width - len(INDENT) - key_width - GAP
    lines: list[Line] = []
    for key, (_, value) in zip(keys, pairs, strict=True):
        if room >= 24 and longest_word(value) <= room:
            wrapped = wrap(value, room)
            lines.append([(INDENT, ""), (pad(key, key_width), "cyan"), (" " * GAP + wrapped[0], "")])
            lines += [[(INDENT + " " * (key_width + GAP) + more, "")] for more in wrapped[1:]]
        else:
            lines.append([(INDENT, ""), (key, "cyan")])
            lines += [[(INDENT * 3 + more, "")] for more in wrap(value, width - 3 * len(INDENT))]
    return lines


def lines_lines(block: Lines, width: int) -> list[Line]:
    """Each line wrapped; its continuation lines indented under it (a line's own leading spaces kept)."""
    out: list[Line] = []
    for line in block.lines:
        text = str(line)
        lead = " " * (len(text) - len(text.lstrip(" ")))
        first = INDENT + lead
        wrapped = wrap(text, width - len(first) - 2)
        if len(wrapped) == 1 and URL.fullmatch(wrapped[0]):  # a URL alone on its line: a hyperlink too
            out.append([(first, ""), (wrapped[0], LINK + wrapped[0])])
            continue
        out.append([(first + wrapped[0], block.style)])
        out += [[(first + "  " + more, block.style)] for more in wrapped[1:]]
    return out


def column_widths(header: list[str], body: list[list[str]], width: int) -> list[int] | None:
    """Widths that hold every column's longest word within `width`, or None when none do."""
    count = len(header)
    longest = [max(cell_width(printable(r[j])) for r in body) for j in range(count)]
    words = [longest[j] if longest[j] <= SHORT_COLUMN else max(longest_word(r[j]) for r in body) for j in range(count)]
    least = [max(words[j], longest_word(header[j])) for j in range(count)]
    most = [max(longest[j], least[j], cell_width(header[j])) for j in range(count)]
    room = width - len(INDENT) - GAP * (count - 1)
    if sum(least) > room:
        return None
    widths = list(least)
    spare = room - sum(widths)
    # First SHORT_COLUMN for a column with that much text, where there is room ('phase 3' whole);
    # then the columns a few more columns would keep on one line (a name, a date); then the rest
    # shared out.
    for j in sorted(range(count), key=lambda j: most[j] - least[j]):
        need = min(most[j], SHORT_COLUMN) - widths[j]
        if 0 < need <= spare:
            widths[j] += need
            spare -= need
    for j in sorted(range(count), key=lambda j: most[j] - least[j]):
        need = most[j] - widths[j]
        if 0 < need <= min(spare, SMALL_NEED):
            widths[j] += need
            spare -= need
    # Share the spare columns out, most to the columns that want most, until each has all it wants.
    while spare > 0:
        wanting = [j for j in range(count) if widths[j] < most[j]]
        if not wanting:
            break
        total = sum(most[j] - widths[j] for j in wanting)
        given = 0
        for j in wanting:
            share = min(most[j] - widths[j], max(1, (spare * (most[j] - widths[j])) // total))
            share = min(share, spare - given)
            widths[j] += share
            given += share
            if given >= spare:
                break
        spare -= given
        if given == 0:
            break
    return widths


def table_lines(block: Table, width: int) -> list[Line]:
    """A borderless table whose cells wrap by word; or, when its columns cannot fit side by side
    without cutting a word, one block of 'column  value' lines per row."""
    rows = [[" ".join(str(c).split()) for c in row] for row in block.rows]
    keep = [i for i in range(len(block.columns)) if any(row[i] for row in rows)]
    header = [block.columns[i] for i in keep]
    body = [[row[i] for i in keep] for row in rows]
    if not keep:
        return []
    widths = column_widths(header, body, width)
    if widths is None:
        return row_blocks(header, body, width, block.after)
    lines = cells_lines(header, widths, "bold cyan")
    marked = _marker(block.highlight)
    for number, row in enumerate(body):
        lines += cells_lines(row, widths, "", marked)
        lines += after_lines(block.after.get(number), width)
    return lines


def after_lines(notes: list[str] | None, width: int) -> list[Line]:
    """Lines below a row, across the table, indented under it (a correction below its claim)."""
    out: list[Line] = []
    for note in notes or []:
        wrapped = wrap(note, width - 3 * len(INDENT))
        style = "dim" if note.startswith("sources:") else ""
        style = "yellow" if note.startswith(("CORRECTION", "DISPUTED")) else style
        out += [[(INDENT * 2 + ("" if n == 0 else INDENT) + part, style)] for n, part in enumerate(wrapped)]
    return out


HIGHLIGHT = "bold yellow"


def _marker(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern for the words to emphasise (any case), longest first so 'insurance' beats 'in'."""
    wanted = sorted({w for w in words if len(w) >= 2}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, wanted)), re.IGNORECASE) if wanted else None


def _marked(text: str, style: str, marker: re.Pattern[str] | None) -> Line:
    if marker is None:
        return [(text, style)]
    pieces: Line = []
    at = 0
    for found in marker.finditer(text):
        pieces += [(text[at : found.start()], style), (found.group(), HIGHLIGHT)]
        at = found.end()
    return [*pieces, (text[at:], style)]


def cells_lines(cells: list[str], widths: list[int], style: str, marker: re.Pattern[str] | None = None) -> list[Line]:
    wrapped = [wrap(c, w) for c, w in zip(cells, widths, strict=True)]
    height = max(len(w) for w in wrapped)
    lines: list[Line] = []
    for n in range(height):
        parts = [pad(w[n] if n < len(w) else "", widths[j]) for j, w in enumerate(wrapped)]
        lines.append(_marked(INDENT + (" " * GAP).join(parts).rstrip(), style, marker))
    return lines


def row_blocks(
    header: list[str], body: list[list[str]], width: int, after: dict[int, list[str]] | None = None
) -> list[Line]:
    """Each row as its first cell (bold) and then its other cells as 'column  value' lines."""
    lines: list[Line] = []
    for number, row in enumerate(body):
        if number:
            lines.append([])
        lines += [[(INDENT + part, "bold")] for part in wrap(row[0] or header[0], width - len(INDENT))]
        lines += fields_lines([(h, c) for h, c in zip(header[1:], row[1:], strict=True) if c], width)
        lines += after_lines((after or {}).get(number), width)
    return lines


# --- output ----------------------------------------------------------------------------------------


def render_plain(doc: Doc, width: int | None = None) -> str:
    """The document as plain text without borders or colour, as it is printed when piped: columns
    aligned by display width, each row on one line (unwrapped, unless a `width` is given)."""
    lines = layout(doc, width or UNBOUNDED, styled=False, chart_width=width or terminal_width())
    return "\n".join("".join(text for text, _ in line).rstrip() for line in lines) + "\n"


def _use_terminal() -> bool:
    if os.environ.get("CARTQ_PLAIN"):
        return False
    return sys.stdout.isatty()


def pager_command() -> list[str] | None:
    """The pager to use, as git and gh choose it: CARTQ_PAGER, then PAGER, then `less -FRX`;
    an empty value or `cat` means none."""
    for name in ("CARTQ_PAGER", "PAGER"):
        if name in os.environ:
            value = os.environ[name].strip()
            break
    else:
        value = DEFAULT_PAGER
    if not value or value == "cat":
        return None
    import shlex

    try:
        return shlex.split(value)
    except ValueError:
        return None


def terminal_height() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).lines
    except (OSError, ValueError, AttributeError):
        return 0


def render(doc: Doc, pager: bool = True) -> None:
    """Print the document: styled on a terminal, plain when piped. On a terminal (stdin and stdout
    both), output taller than the screen goes through the pager unless `pager` is False."""
    if not _use_terminal():
        sys.stdout.write(render_plain(doc))
        return
    text = render_styled(doc, terminal_width())
    height = terminal_height()
    command = pager_command() if pager and sys.stdin.isatty() and height else None
    if command and text.count("\n") >= height and _page(text, command):
        return
    sys.stdout.write(text)


def render_styled(doc: Doc, width: int) -> str:
    """The document with colour codes (none with TERM=dumb, no colours with NO_COLOR), as Rich's
    Console prints it, byte for byte (tests/test_screen_styles.py): each piece through
    rich.style.Style.render. The Console itself costs a terminal lookup a third of its time
    (28 ms to import, farm-bench), for line breaking that cartq's own layout has already done."""
    lines = layout(doc, width)
    if os.environ.get("TERM", "").strip().lower() in ("dumb", "unknown"):
        return "\n".join("".join(piece for piece, _ in line) for line in lines) + "\n"
    from rich.color import ColorSystem
    from rich.style import Style

    no_color = bool(os.environ.get("NO_COLOR"))
    styles: dict[str, Style] = {}

    def styled(piece: str, name: str) -> str:
        if not name or not piece:
            return piece
        style = styles.get(name)
        if style is None:
            style = Style(link=name[len(LINK) :]) if name.startswith(LINK) else Style.parse(name)
            styles[name] = style = style.without_color if no_color else style
        return style.render(piece, color_system=ColorSystem.STANDARD)

    return "\n".join("".join(styled(piece, name) for piece, name in line) for line in lines) + "\n"


def _page(text: str, command: list[str]) -> bool:
    """Show `text` through the pager; False when it cannot be started (the caller then prints it)."""
    import subprocess  # only to page: its import costs a lookup more than a tenth

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode("utf-8", "replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the reader quit the pager early
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.wait()
    return True
