"""The start-up fast path: a parser for simple invocations, built from the command table, that
runs a command without importing Typer (whose import and parsing cost more than a lookup), and
bash name completion the same way.

Anything it does not recognise exactly (help, --version, completion of commands and options, an
unknown option, a missing value, `--`) is left to the Typer app, which is built from the same
table and reports usage errors properly. A test runs the same argv through both.
"""

from __future__ import annotations

import os
import sys

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


def complete_names() -> bool:
    """Answer a bash Tab on a name (an argument, or an option's value) without Typer.

    Returns False for anything else (command names, options, other shells): Typer answers those.
    """
    if os.environ.get("_CARTQ_COMPLETE") != "complete_bash":
        return False
    import shlex

    try:
        cword = int(os.environ.get("COMP_CWORD", ""))
    except ValueError:
        return True  # a shell that sends garbage gets no completions, not a traceback
    try:
        words = shlex.split(os.environ.get("COMP_WORDS", ""))
    except ValueError:
        return False  # an open quote: Typer's own splitting copes
    if not 0 < cword <= len(words):
        return False
    args, incomplete = words[1:cword], (words[cword] if cword < len(words) else "")
    if not args or incomplete.startswith("-") or args[0] not in BY_NAME:
        return False
    command = BY_NAME[args[0]]
    kind = _completing(command, args[1:])
    if kind is None:
        return False

    from cartq.cli.handlers import open_store
    from cartq.domain.resolve import completions
    from cartq.errors import CartqError

    try:
        names = completions(open_store(None), kind, incomplete)
    except CartqError:
        names = []
    sys.stdout.write("\n".join(names))
    return True


def _completing(command: Command, before: list[str]) -> str | None:
    """The record kind whose names complete the next word, after the words `before` it."""
    flags = flags_of(command)
    if before and before[-1] in flags:
        param = flags[before[-1]]
        return param.complete if param.takes_value else _argument_kind(command, before)
    return _argument_kind(command, before)


def _argument_kind(command: Command, before: list[str]) -> str | None:
    flags = flags_of(command)
    taken = 0
    skip = False
    for word in before:
        if skip:
            skip = False
        elif word in flags:
            skip = flags[word].takes_value
        elif not word.startswith("-"):
            taken += 1
    position = 0
    for arg in command.args:
        if arg.most is None or taken < position + arg.most:
            return arg.complete
        position += arg.most
    return None
