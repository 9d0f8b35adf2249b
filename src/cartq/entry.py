"""Console entry point: the fast path for simple invocations, the Typer app for everything else."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.stdout is None:  # started with stdout closed (`cartq ... >&-`): results go nowhere, errors still count
        sys.stdout = open(os.devnull, "w")
    from cartq.cli import fast

    if fast.complete_names():
        sys.exit(0)
    parsed = fast.parse(sys.argv[1:])
    if parsed is None:
        from cartq.cli.app import main as typer_main

        typer_main()
        return
    from cartq.cli.runner import run

    try:
        code = run(*parsed)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
