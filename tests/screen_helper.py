"""Run as a script on a pseudo-terminal: every record of every lookup kind rendered as a person
sees it (render.screen.render on a real terminal, no pager), each after a marker line."""

from __future__ import annotations

import sys

from cartq.cli.handlers import open_store
from cartq.domain.views import view
from cartq.render.record_docs import detail_doc
from cartq.render.screen import render

KINDS = ("product", "company", "target", "indication", "term")
MARK = "=====RECORD"


def main() -> None:
    store = open_store(None)
    for kind in KINDS:
        for record in store.all(kind):
            sys.stdout.write(f"{MARK} {kind} {record['id']}\n")
            render(detail_doc(view(store, kind, record)), pager=False)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
