"""Running a command from the table: the one boundary where a result becomes output in the chosen
format and an exception becomes one line on stderr and an exit code (as httpie's ExitStatus).
Both parsers (cli.fast and cli.app) end here, so a command behaves the same whichever parsed it.
"""

from __future__ import annotations

import os
import sys

from cartq import __version__
from cartq.cli import handlers
from cartq.errors import CartqError, ExitCode, FactBaseError, NotFound, OutputError, UsageError
from cartq.render.formats import FORMATS, TABLE

TYPE_CHECKING = False  # `typing` and `contextlib` are not imported on the way to a lookup
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from cartq.cli.spec import Command
    from cartq.render.formats import Format, Output

MAX_PROBLEMS_SHOWN = 5


def _stderr(line: str) -> None:
    """One line on stderr, with anything from the data or the query made safe for a terminal. A
    closed or full stderr loses the message, never the exit code."""
    from cartq.safe_text import printable

    try:
        sys.stderr.write(printable(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def warn(message: str) -> None:
    _stderr(f"cartq: {message}")


def report(error: CartqError) -> None:
    warn(error.message)
    if isinstance(error, FactBaseError):
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            _stderr(f"  {problem}")
        if len(error.problems) > MAX_PROBLEMS_SHOWN:
            more = len(error.problems) - MAX_PROBLEMS_SHOWN
            _stderr(f"  ... and {more} more (run 'cartq validate PATH' for all)")
    if isinstance(error, NotFound) and error.suggestions:
        _stderr("did you mean: " + "; ".join(error.suggestions))
    if error.hint:
        _stderr(f"hint: {error.hint}")


def silence_stdout() -> None:
    """After a broken pipe, send further writes (and the flush at exit) nowhere instead of raising again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def debugging() -> bool:
    return os.environ.get("CARTQ_DEBUG", "") not in ("", "0")


def boundary(body: Callable[[], int | None]) -> int:
    try:
        try:
            code = body() or 0
            sys.stdout.flush()
            return code
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk, /dev/full: the output is incomplete, so say so
            silence_stdout()
            raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None
    except CartqError as error:
        if debugging():
            raise
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        report(error)
        return int(error.exit_code)
    except BrokenPipeError:
        silence_stdout()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)


def chosen_format(command: Command, params: dict[str, Any]) -> Format:
    """The format the flags ask for (each `--NAME` is `as_NAME`); the table when none does."""
    asked = [name for name in command.formats if params.get(f"as_{name}")]
    if len(asked) > 1:
        raise UsageError("choose one of " + ", ".join(f"--{name}" for name in asked))
    return FORMATS[asked[0]] if asked else TABLE


def produce(command: Command, params: dict[str, Any]) -> tuple[Output, Format]:
    """Call the command's handler with its own parameters; the output options are the runner's."""
    fmt = chosen_format(command, params)
    output = {param.dest for param in command.output_options()}
    own = {key: value for key, value in params.items() if key not in output}
    handler: Callable[..., Output] = getattr(handlers, command.name)
    return handler(**own), fmt


def run(command: Command, params: dict[str, Any]) -> int:
    def body() -> int:
        out, fmt = produce(command, params)
        fmt.write(out, params)
        sys.stdout.flush()
        for notice in out.notices:
            warn(notice)
        return out.exit_code

    return boundary(body)


def version_line() -> str:
    line = f"cartq {__version__}"
    try:
        store = handlers.open_store(None)
        line += f" (fact base current to {store.meta('as_of')}: {store.path})"
    except CartqError as error:
        line += f" (fact base unavailable: {error.message})"
    return line


def overview() -> int:
    def body() -> None:
        from cartq.render.writers import write_text

        store = handlers.open_store(None)
        write_text(
            f"cartq {__version__}: sourced facts on CAR-T cell therapy in China, current to {store.meta('as_of')}.\n\n"
            "  cartq product fucaso          a product in detail, with its sources\n"
            "  cartq product                 every product, by first NMPA approval\n"
            "  cartq timeline --target bcma  approvals in date order\n"
            "  cartq costs --country china   the cost table and every price claim\n"
            "  cartq search allogeneic       search every kind of record\n\n"
            "Run 'cartq --help' for all commands; add --json to any of them for scripts."
        )

    return boundary(body)
