"""Text by its display width: East Asian wide characters take two columns, combining marks none;
wrapping only at spaces, so a word, an id or a URL is never split."""

from __future__ import annotations

from cartq.safe_text import printable


def cell_width(text: str) -> int:
    """Columns `text` takes on a terminal: 2 for East Asian wide characters, 0 for combining marks."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns, broken only at spaces; a longer word is kept whole."""
    words = printable(str(text)).split()
    if not words:
        return [""]
    lines: list[str] = []
    current, used = "", 0
    for word in words:
        size = cell_width(word)
        if current and used + 1 + size > width:
            lines.append(current)
            current, used = "", 0
        current, used = (f"{current} {word}", used + 1 + size) if current else (word, size)
    lines.append(current)
    return lines


def longest_word(text: str) -> int:
    return max((cell_width(w) for w in printable(str(text)).split()), default=0)
