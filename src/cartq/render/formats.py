"""The output formats, each declared once with its flag's help and the one function that writes
it. The command table derives `--json`, `--csv` and `--jsonl` from this table; the table format
(Rich on a terminal, plain lines when piped) is the default and has no flag. A new format is one
function here with `@output_format`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cartq.render.blocks import Doc

Row = dict[str, Any]


@dataclass
class Output:
    """A command's result with what each format needs: the data itself (JSON), its rows (CSV,
    JSON Lines) and its document (tables). Rows and document are built only when asked for."""

    result: Any
    shape: str  # its name in cartq.results
    doc: Callable[[], Doc | str]  # a document, or text to print as it is
    rows: Callable[[], list[Row]] | None = None  # default: the result itself if a list, else [result]
    exit_code: int = 0
    notices: list[str] = field(default_factory=list)  # lines for stderr, after the result

    def row_list(self) -> list[Row]:
        if self.rows is not None:
            return self.rows()
        return self.result if isinstance(self.result, list) else [self.result]


Writer = Callable[[Output, dict[str, Any]], None]  # the result, and the output options (bom)


@dataclass(frozen=True)
class Format:
    name: str
    help: str
    write: Writer


FORMATS: dict[str, Format] = {}


def output_format(name: str, help: str) -> Callable[[Writer], Writer]:
    def register(write: Writer) -> Writer:
        FORMATS[name] = Format(name, help, write)
        return write

    return register


@output_format("json", "Print JSON (stable shape; see 'cartq schema output').")
def _json(out: Output, options: dict[str, Any]) -> None:
    from cartq.render.writers import write_json

    write_json(out.result)


@output_format("csv", "Print rows as CSV (RFC 4180), for spreadsheets.")
def _csv(out: Output, options: dict[str, Any]) -> None:
    from cartq.render.writers import write_csv

    write_csv(out.row_list(), bom=bool(options.get("bom")))


@output_format("jsonl", "Print rows as JSON Lines, one object per line.")
def _jsonl(out: Output, options: dict[str, Any]) -> None:
    from cartq.render.writers import write_jsonl

    write_jsonl(out.row_list())


def write_table(out: Output, options: dict[str, Any]) -> None:
    """The default: Rich tables on a terminal, plain aligned lines when piped; text as it is."""
    from cartq.render.screen import render
    from cartq.render.writers import write_text

    doc = out.doc()
    if isinstance(doc, str):
        if doc:
            write_text(doc)
    elif doc.blocks:  # nothing to show prints nothing, not a blank line
        render(doc)


TABLE = Format("table", "Tables on a terminal, plain lines when piped (the default).", write_table)
