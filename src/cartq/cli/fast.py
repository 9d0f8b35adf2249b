"""The start-up fast path: a parser for simple invocations, built from the command table, that
runs a command without importing Typer (whose import and parsing cost more than a lookup). Help
and completion are answered from the same table in cli.help.

Anything it does not recognise exactly (help, --version, an unknown option, a missing value,
`--`) is left to the Typer app, which is built from the same table and reports usage errors
properly. A test runs the same argv through both.
"""

from __future__ import annotations

import os

from cartq.cli.spec import BY_NAME, flags_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.cli.spec import Command, Param


def parse(argv: list[str]) -> tuple[Command, dict[str, Any]] | None:
    """The command and its parameters (by dest, as the handlers take them), or None for Typer."""
    if not argv or argv[0] not in BY_NAME or any(key.startswith("_CARTQ_COMPLETE") for key in os.environ):
        return None
    command = BY_NAME[argv[0]]
    flags = flags_of(command)
    params: dict[str, Any] = {param.dest: _default(param) for param in command.all_options()}
    positional: list[str] = []
    rest = argv[1:]
    index = 0
    while index < len(rest):
        arg = rest[index]
        name, has_value, value = arg.partition("=")
        param = flags.get(arg) or flags.get(name)
        if param is not None and not param.takes_value and arg in flags:
            params[param.dest] = True
        elif param is not None and param.takes_value and has_value:
            params[param.dest] = value
        elif param is not None and param.takes_value and arg in flags and index + 1 < len(rest):
            params[param.dest] = rest[index + 1]
            index += 1
        elif arg.startswith("-") and arg != "-":
            return None  # help, an unknown option, a missing value, "--": Typer's job
        else:
            positional.append(arg)
        index += 1
    arguments = _arguments(command.args, positional)
    if arguments is None:
        return None
    params.update(arguments)
    return command, params


def _default(param: Param) -> Any:
    return False if not param.takes_value else param.default


def _arguments(args: tuple[Param, ...], values: list[str]) -> dict[str, Any] | None:
    """Positional values given to the declared arguments in order, or None if they do not fit."""
    out: dict[str, Any] = {}
    remaining = list(values)
    for arg in args:
        if arg.most == 1:
            if remaining:
                out[arg.dest] = remaining.pop(0)
            elif arg.least:
                return None
            else:
                out[arg.dest] = arg.default
        else:
            taken, remaining = remaining, []
            if len(taken) < arg.least:
                return None
            out[arg.dest] = taken
    return None if remaining else out
