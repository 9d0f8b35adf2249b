"""safe_text.printable (issue 15, item 7): nothing from the data or a query controls the terminal.
Escape sequences arrive as visible text on one line; plain text is returned as it is, fast.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartq.safe_text import printable

ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (f"{ESC}]52;c;aGVsbG8=\x07", "\\x1b]52;c;aGVsbG8=\\x07"),  # OSC 52: write the clipboard
        (
            f"{ESC}]8;;https://evil.example{ESC}\\click{ESC}]8;;{ESC}\\",
            "\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
        ),
        (f"{ESC}[2J{ESC}[31mred", "\\x1b[2J\\x1b[31mred"),  # CSI: clear screen, colour
        (f"{ESC}P1$r{ESC}\\", "\\x1bP1$r\\x1b\\"),  # DCS
        (f"{ESC}]0;title\x07", "\\x1b]0;title\\x07"),  # OSC 0: retitle the window
        ("\x9b31m", "\\x9b31m"),  # the 8-bit CSI
        ("\x9d52;c;x\x9c", "\\x9d52;c;x\\x9c"),  # 8-bit OSC and ST
        ("safe\rEVIL", "safe\\x0dEVIL"),  # a carriage return overwrites what was shown
        ("a\bb\x00c\x7f", "a\\x08b\\x00c\\x7f"),
        ("admin\u202etxt.exe", "admin\\u202etxt.exe"),  # bidi override ("Trojan Source")
        ("\u2066x\u2069 \u202ay\u202c", "\\u2066x\\u2069 \\u202ay\\u202c"),
        ("one\u2028two", "one\\u2028two"),
        ("bad byte \udcff", "bad byte \\udcff"),  # a surrogate-escaped non-UTF-8 byte
        ("two\nlines\tand a tab", "two\\x0alines\\x09and a tab"),
    ],
)
def test_controls_and_escape_sequences_are_shown_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown


@pytest.mark.parametrize(
    "text",
    ["Eque-cel (Fucaso)", "伊基奥仑赛注射液", "CAR‑T: 1,200,000 ¥", "", "emoji 👩‍⚕️ with a joiner", "soft\u00adhyphen"],
)
def test_plain_and_unicode_text_is_unchanged(text: str) -> None:
    assert printable(text) == text


def test_newlines_and_tabs_are_kept_only_when_asked() -> None:
    text = f"a\nb\tc{ESC}[0m"
    assert printable(text, newline=True) == "a\nb\\x09c\\x1b[0m"
    assert printable(text, tab=True) == "a\\x0ab\tc\\x1b[0m"
    assert printable(text, newline=True, tab=True) == "a\nb\tc\\x1b[0m"


@given(st.text())
def test_the_result_holds_no_control_no_escape_and_no_bidi_override(text: str) -> None:
    shown = printable(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert not any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in shown)
    assert not any("\ud800" <= c <= "\udfff" for c in shown)
    shown.encode("utf-8")  # always writable


def test_plain_text_takes_the_quick_path() -> None:
    plain = "Relma-cel (JW Therapeutics) " * 4
    started = time.perf_counter()
    for _ in range(20_000):
        printable(plain)
    assert time.perf_counter() - started < 0.5


def test_a_long_hostile_field_is_linear() -> None:
    hostile = f"{ESC}[31m" * 100_000
    started = time.perf_counter()
    assert printable(hostile).count("\\x1b") == 100_000
    assert time.perf_counter() - started < 2
