"""Text from the data or a query made safe for a terminal: nothing in it can move the cursor,
recolour, retitle, write the clipboard (OSC 52), make a hidden link (OSC 8), reorder what is
shown (bidi overrides) or break a line. Such characters are shown escaped, visibly, instead:
ESC as `\\x1b` (the rest of an escape sequence is then plain text), a C1 control as `\\x9b`, a
bidi override as `\\u202e`. JSON output keeps them verbatim (as JSON escapes); every human output
goes through `printable`.
"""

from __future__ import annotations

import functools
import re

# C0 controls (but newline and tab, unless asked), DEL and the C1 controls: ESC and CSI (U+009B)
# start every escape sequence (CSI, OSC, DCS, APC, PM, SOS); CR and BS overwrite what was shown.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069) reorder the text
# around them ("Trojan Source"); U+2028/U+2029 break lines in some terminals; a lone surrogate
# (a non-UTF-8 byte read with surrogateescape) cannot be written at all.
_OTHERS = "\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"


@functools.lru_cache(maxsize=4)
def _unsafe(newline: bool, tab: bool) -> re.Pattern[str]:
    """Compiled on first use: most text is plain and never needs it."""
    also = ("" if newline else "\n") + ("" if tab else "\t")
    return re.compile(f"[{_CONTROLS}{_OTHERS}{re.escape(also)}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newline: bool = False, tab: bool = False) -> str:
    """`text` with every control character, escape sequence introducer and bidi override shown
    escaped (`\\x1b`, `\\u202e`), so it prints as one line of visible text. `newline=True` and
    `tab=True` keep those two as they are, for multi-line or tab-separated output.
    """
    # Everything escaped is "not printable" to str.isprintable (Cc, Cf, Zl, Zp, Cs), which runs at
    # C speed; text that passes needs no regex. Newlines and tabs fail it, so they take the regex.
    if text.isprintable():
        return text
    return _unsafe(newline, tab).sub(_escape, text)
