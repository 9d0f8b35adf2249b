"""Console entry point: the fast path for simple invocations, the Typer app for everything else."""

from __future__ import annotations

import os
import sys


def _streams() -> None:
    """Streams that cannot fail on what cartq writes: a closed stdout or stderr (`>&-`, `2>&-`)
    goes to /dev/null, and a non-UTF-8 locale or PYTHONIOENCODING=ascii gets escapes (\\u4f0a)
    instead of an encoding error; a query or path that is not UTF-8 comes back the same way."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # for the life of the process
        elif hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _exit(code: int) -> None:
    """End now: flush both streams, then skip the interpreter's shutdown (tearing down every
    module costs more than some lookups). Nothing is left to run at exit on these paths: the
    runner has written and flushed the output and closed nothing that needs closing. A stream
    that cannot be flushed was already reported by the runner; the exit code is kept."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)


def main() -> None:
    try:
        _streams()
        argv = sys.argv[1:]
        if "_CARTQ_COMPLETE" in os.environ or argv[-1:] in (["--help"], ["-h"]):
            from cartq.cli import help

            answered = help.complete() if "_CARTQ_COMPLETE" in os.environ else help.answer_help(argv)
            if answered is not None:
                _exit(answered)
        from cartq.cli import fast

        parsed = fast.parse(argv)
        if parsed is None:
            from cartq.cli.app import main as typer_main

            typer_main()
            return
        from cartq.cli.runner import run

        code = run(*parsed)
    except KeyboardInterrupt:  # Ctrl-C while still importing: no traceback
        code = 130
    _exit(code)
