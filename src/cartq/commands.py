"""What each command does, free of Typer: call the domain, hand the result to output, return an exit code.

Both entry paths call these: the Typer app (cli.py) and the start-up fast path (entry.py), so a
command behaves the same whichever path parsed it. `boundary` is the one place where exceptions
become a line on stderr and an exit code.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cartq import __version__, lookup, output
from cartq.errors import CartqError, ExitCode, FactBaseError, NotFound

DETAIL_KINDS = ("product", "company", "target", "indication", "term")


def _warn(message: str) -> None:
    sys.stderr.write(f"cartq: {message}\n")


def report(error: CartqError) -> None:
    _warn(error.message)
    if isinstance(error, FactBaseError):
        for problem in error.problems[:5]:
            sys.stderr.write(f"  {problem}\n")
        if len(error.problems) > 5:
            sys.stderr.write(f"  ... and {len(error.problems) - 5} more (run 'cartq validate PATH' for all)\n")
    if isinstance(error, NotFound) and error.suggestions:
        sys.stderr.write("did you mean: " + "; ".join(error.suggestions) + "\n")
    if error.hint:
        sys.stderr.write(f"hint: {error.hint}\n")


def silence_stdout() -> None:
    """After a broken pipe, send further writes (and the flush at exit) nowhere instead of raising again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def boundary(body: Callable[[], int | None]) -> int:
    try:
        code = body() or 0
        sys.stdout.flush()
        return code
    except CartqError as error:
        if os.environ.get("CARTQ_DEBUG"):
            raise
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.flush()
        report(error)
        return int(error.exit_code)
    except BrokenPipeError:
        silence_stdout()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)


def open_store(data: str | os.PathLike[str] | None) -> Any:
    from cartq.factbase.cache import open_store as _open
    from cartq.factbase.store import resolve_data_path

    return _open(resolve_data_path(data))


# ---- the commands --------------------------------------------------------------------------

FORMATS = ("table", "json", "csv", "jsonl")


def emit(fmt: str, data: Any, rows: Callable[[], list[dict[str, Any]]], doc: Callable[[], output.Doc]) -> None:
    """Write a result: the whole object as JSON, its rows as CSV or JSON Lines, or the document."""
    if fmt == "json":
        output.write_json(data)
    elif fmt == "csv":
        output.write_csv(rows())
    elif fmt == "jsonl":
        output.write_jsonl(rows())
    else:
        output.render(doc())


def show(kind: str, query: str | None, fmt: str, data: Path | None, evidence: bool = False) -> int:
    """A lookup with QUERY, else a listing of every record of the kind."""

    def body() -> None:
        store = open_store(data)
        if query is None:
            rows = lookup.LISTINGS[kind](store)
            emit(fmt, rows, lambda: rows, lambda: output.listing_doc(kind, rows))
        elif evidence:
            result = lookup.evidence(store, kind, query)
            emit(fmt, result, lambda: result["evidence"], lambda: output.evidence_doc(result))
        else:
            view = lookup.lookup(store, kind, query)
            emit(fmt, view, lambda: [view["record"]], lambda: output.DETAIL_DOCS[kind](view))

    return boundary(body)


def compare(queries: list[str], fmt: str, data: Path | None) -> int:
    def body() -> None:
        result = lookup.compare(open_store(data), queries)
        emit(fmt, result, lambda: output.comparison_rows(result), lambda: output.compare_doc(result))

    return boundary(body)


def search(query: str, fmt: str, data: Path | None) -> int:
    def body() -> int:
        hits = lookup.search(open_store(data), query)
        emit(fmt, hits, lambda: hits, lambda: output.search_doc(query, hits))
        if not hits:
            _warn(f"nothing matches {query!r}")
            return int(ExitCode.NOT_FOUND)
        return 0

    return boundary(body)


def trials(
    target: str | None, indication: str | None, sponsor: str | None, phase: str | None, fmt: str, data: Path | None
) -> int:
    def body() -> None:
        result = lookup.trials(open_store(data), target, indication, sponsor, phase)
        emit(fmt, result, lambda: result["studies"], lambda: output.trials_doc(result))

    return boundary(body)


def timeline(
    target: str | None, indication: str | None, all_events: bool, chart: bool, fmt: str, data: Path | None
) -> int:
    def body() -> None:
        result = lookup.timeline(open_store(data), target, indication, all_events)
        doc = output.timeline_chart_doc if chart else output.timeline_doc
        emit(fmt, result, lambda: result["events"], lambda: doc(result))

    return boundary(body)


def costs(country: str | None, chart: bool, fmt: str, data: Path | None) -> int:
    def body() -> None:
        result = lookup.costs(open_store(data), country)
        doc = output.costs_chart_doc if chart else output.costs_doc
        emit(fmt, result, lambda: lookup.cost_rows(result), lambda: doc(result))

    return boundary(body)


def market(chart: bool, fmt: str, data: Path | None) -> int:
    def body() -> None:
        result = lookup.market(open_store(data))
        doc = output.market_chart_doc if chart else output.market_doc
        emit(fmt, result, lambda: result["figures"], lambda: doc(result))

    return boundary(body)


def sources(fmt: str, data: Path | None) -> int:
    def body() -> None:
        store = open_store(data)
        rows = lookup.sources(store)
        emit(fmt, rows, lambda: rows, lambda: output.sources_doc(rows, store.meta("as_of")))

    return boundary(body)


def validate(path: Path | None, as_json: bool) -> int:
    from cartq.factbase.checks import load_validated
    from cartq.factbase.store import resolve_data_path

    def body() -> int:
        target = resolve_data_path(path)
        try:
            facts = load_validated(target)
        except FactBaseError as error:
            problems = error.problems or [error.message]
            if as_json:
                output.write_json({"path": str(target), "valid": False, "problems": problems})
            else:
                output.write_text("\n".join(problems))
            sys.stdout.flush()
            _warn(f"{target}: {len(problems)} problem(s)")
            return int(ExitCode.BAD_FACT_BASE)
        counts = {k: len(v) for k, v in facts.items() if isinstance(v, list)}
        if as_json:
            output.write_json(
                {"path": str(target), "valid": True, "problems": [], "as_of": facts["as_of"], "counts": counts}
            )
        else:
            summary = ", ".join(f"{n} {k}" for k, n in counts.items())
            output.write_text(f"{target}: valid (current to {facts['as_of']}): {summary}")
        return 0

    return boundary(body)


def schema(part: str) -> int:
    from cartq.factbase.models import fact_base_schema
    from cartq.output_schema import output_schema

    return boundary(lambda: output.write_json(fact_base_schema() if part == "facts" else output_schema()))


def version_line() -> str:
    line = f"cartq {__version__}"
    try:
        store = open_store(None)
        line += f" (fact base current to {store.meta('as_of')}: {store.path})"
    except CartqError as error:
        line += f" (fact base unavailable: {error.message})"
    return line


def overview() -> int:
    def body() -> None:
        store = open_store(None)
        output.write_text(
            f"cartq {__version__}: sourced facts on CAR-T cell therapy in China, current to {store.meta('as_of')}.\n\n"
            "  cartq product fucaso          a product in detail, with its sources\n"
            "  cartq product                 every product, by first NMPA approval\n"
            "  cartq timeline --target bcma  approvals in date order\n"
            "  cartq costs --country china   the cost table and every price claim\n"
            "  cartq search allogeneic       search every kind of record\n\n"
            "Run 'cartq --help' for all commands; add --json to any of them for scripts."
        )

    return boundary(body)
