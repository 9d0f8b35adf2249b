"""The output formats, each declared once with its flag's help and the one function that writes
it. The command table derives `--json`, `--csv` and `--jsonl` from this table; the table format
(Rich on a terminal, plain lines when piped) is the default and has no flag. A new format is one
function here with `@output_format`.
"""

from __future__ import annotations

# Plain classes, not dataclasses: `dataclasses` imports `inspect` (and with it `ast`, `dis` and
# `tokenize`), a tenth of a lookup's start-up; and `typing` only for the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from cartq.render.blocks import Doc

    Row = dict[str, Any]
    Writer = Callable[["Output", dict[str, Any]], None]  # the result, and the output options (bom)


class Output:
    """A command's result with what each format needs: the data itself (JSON), its rows (CSV,
    JSON Lines) and its document (tables). Rows and document are built only when asked for.

    `stream`, when given, yields the rows of a long listing one at a time: `--json` and `--jsonl`
    write them as they come (the result itself is then not needed for those formats)."""

    __slots__ = ("doc", "exit_code", "notices", "result", "rows", "shape", "stream")

    def __init__(
        self,
        result: Any,
        shape: str,  # its name in cartq.results
        doc: Callable[[], Doc | str],  # a document, or text to print as it is
        rows: Callable[[], list[Row]] | None = None,  # default: the result itself if a list, else [result]
        exit_code: int = 0,
        notices: list[str] | None = None,  # lines for stderr, after the result
        stream: Callable[[], Iterable[Row]] | None = None,
    ) -> None:
        self.result = result
        self.shape = shape
        self.doc = doc
        self.rows = rows
        self.exit_code = exit_code
        self.notices = [] if notices is None else notices
        self.stream = stream

    def __repr__(self) -> str:
        return f"Output(shape={self.shape!r}, exit_code={self.exit_code!r}, result={self.result!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Output):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def row_list(self) -> list[Row]:
        if self.rows is not None:
            return self.rows()
        return self.result if isinstance(self.result, list) else [self.result]


class Format:
    __slots__ = ("help", "name", "write")

    def __init__(self, name: str, help: str, write: Writer) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "help", help)
        object.__setattr__(self, "write", write)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Format is frozen: cannot set {name}")

    def __repr__(self) -> str:
        return f"Format(name={self.name!r})"


FORMATS: dict[str, Format] = {}


def output_format(name: str, help: str) -> Callable[[Writer], Writer]:
    def register(write: Writer) -> Writer:
        FORMATS[name] = Format(name, help, write)
        return write

    return register


@output_format("json", "Print JSON (stable shape; see 'cartq schema output').")
def _json(out: Output, options: dict[str, Any]) -> None:
    from cartq.render.writers import write_json, write_json_array

    if out.stream is not None:
        write_json_array(out.stream())
    else:
        write_json(out.result)


@output_format("csv", "Print rows as CSV (RFC 4180), for spreadsheets.")
def _csv(out: Output, options: dict[str, Any]) -> None:
    from cartq.render.writers import write_csv

    write_csv(out.row_list(), bom=bool(options.get("bom")))


@output_format("jsonl", "Print rows as JSON Lines, one object per line.")
def _jsonl(out: Output, options: dict[str, Any]) -> None:
    from cartq.render.writers import write_jsonl

    write_jsonl(out.stream() if out.stream is not None else out.row_list())


def write_table(out: Output, options: dict[str, Any]) -> None:
    """The default: Rich tables on a terminal, plain aligned lines when piped; text as it is."""
    from cartq.render.screen import render
    from cartq.render.writers import write_text

    # A command with a --wide form takes it; the others have one form.
    doc = out.doc(wide=True) if options.get("wide") else out.doc()
    if isinstance(doc, str):
        if doc:
            write_text(doc)
    elif doc.blocks:  # nothing to show prints nothing, not a blank line
        render(doc, pager=not options.get("no_pager"))


TABLE = Format("table", "Tables on a terminal, plain lines when piped (the default).", write_table)
