"""A terminal page is what Rich's Console would print for it, byte for byte: render_styled renders
each run of one style through rich.style itself, without the Console (issue 16)."""

from __future__ import annotations

import io
import os
import re

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text

from cartq.domain import views
from cartq.factbase import open_store
from cartq.render import screen
from cartq.render.record_docs import detail_doc
from cartq.render.search_docs import evidence_doc


def through_console(doc: screen.Doc, width: int) -> str:
    """How cartq printed a page before: one Rich Text through a Console."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        width=max(width, screen.MIN_WIDTH),
        highlight=False,
        emoji=False,
        markup=False,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
        color_system=None if os.environ.get("TERM") == "dumb" else "auto",
    )
    text = Text()
    for number, line in enumerate(screen.layout(doc, width)):
        if number:
            text.append("\n")
        for piece, style in line:
            if style.startswith(screen.LINK):
                text.append(piece, style=Style(link=style[len(screen.LINK) :]))
            else:
                text.append(piece, style=style or None)
    console.print(text, soft_wrap=True)
    return buffer.getvalue()


def _same_links(text: str) -> str:
    return re.sub(r"\x1b\]8;id=[^;]*;", "\x1b]8;id=;", text)  # Rich numbers each link at random


def _docs() -> list[screen.Doc]:
    store = open_store(None)
    docs = [detail_doc(views.lookup(store, "product", rid)) for rid, _, _ in store.names("product")[::4]]
    others = (("company", "legend"), ("target", "bcma"))
    docs += [detail_doc(views.lookup(store, kind, query)) for kind, query in others]
    docs.append(evidence_doc(views.evidence(store, "product", "fucaso")))
    return docs


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}, {"COLORTERM": "truecolor"}])
def test_a_page_on_a_terminal_is_what_rich_prints(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "TERM", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    docs = _docs()
    assert len(docs) > 10
    for doc in docs:
        for width in (60, 80):
            ours = screen.render_styled(doc, width)
            assert _same_links(ours) == _same_links(through_console(doc, width))
            assert ("\x1b[" in ours) == ("TERM" not in env)
