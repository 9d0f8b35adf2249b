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


def main() -> None:
    try:
        _streams()
        from cartq.cli import fast

        if fast.complete_names():
            sys.exit(0)
        parsed = fast.parse(sys.argv[1:])
        if parsed is None:
            from cartq.cli.app import main as typer_main

            typer_main()
            return
        from cartq.cli.runner import run

        code = run(*parsed)
    except KeyboardInterrupt:  # Ctrl-C while still importing: no traceback
        code = 130
    sys.exit(code)
