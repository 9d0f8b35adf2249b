"""Console entry point. Simple invocations skip Typer, whose import and parsing cost more than a lookup.

Anything this parser does not recognise exactly (help, --version, completion, an unknown option,
a missing value) goes to the Typer app, which parses it properly and reports usage errors. Both
paths call the same functions in cartq.commands; tests run the same argv through both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

_FORMATS = frozenset({"--json", "--csv", "--jsonl"})
# command -> (options that take a value, flags, how many positional arguments: min, max)
GRAMMAR: dict[str, tuple[frozenset[str], frozenset[str], int, int]] = {
    "product": (frozenset({"--data"}), _FORMATS | {"--evidence", "--sources"}, 0, 1),
    "company": (frozenset({"--data"}), _FORMATS | {"--evidence", "--sources"}, 0, 1),
    "target": (frozenset({"--data"}), _FORMATS | {"--evidence", "--sources"}, 0, 1),
    "indication": (frozenset({"--data"}), _FORMATS | {"--evidence", "--sources"}, 0, 1),
    "glossary": (frozenset({"--data"}), _FORMATS, 0, 1),
    "compare": (frozenset({"--data"}), _FORMATS, 2, 50),
    "search": (frozenset({"--data"}), _FORMATS, 1, 1),
    "costs": (frozenset({"--data", "--country"}), _FORMATS | {"--chart"}, 0, 0),
    "market": (frozenset({"--data"}), _FORMATS | {"--chart"}, 0, 0),
    "sources": (frozenset({"--data"}), _FORMATS, 0, 0),
    "timeline": (frozenset({"--data", "--target", "--indication"}), _FORMATS | {"--all-events", "--chart"}, 0, 0),
    "trials": (frozenset({"--data", "--target", "--indication", "--sponsor", "--phase"}), _FORMATS, 0, 0),
}
KIND_OF_COMMAND = {
    "product": "product",
    "company": "company",
    "target": "target",
    "indication": "indication",
    "glossary": "term",
}


VALUE_KINDS = {"--country": "country", "--target": "target", "--indication": "indication", "--sponsor": "company"}


def complete_names() -> bool:
    """Answer a bash Tab on a name (an argument, or --country/--target/... value) without Typer.

    Returns False for anything else (command names, options, other shells): Typer answers those.
    """
    if os.environ.get("_CARTQ_COMPLETE") != "complete_bash":
        return False
    import shlex

    try:
        words = shlex.split(os.environ.get("COMP_WORDS", ""))
        cword = int(os.environ.get("COMP_CWORD", ""))
    except ValueError:
        return False
    args, incomplete = words[1:cword], (words[cword] if cword < len(words) else "")
    if not args or incomplete.startswith("-") or args[0] not in GRAMMAR:
        return False
    valued = GRAMMAR[args[0]][0]
    if args[-1] in VALUE_KINDS and args[-1] in valued:
        kind = VALUE_KINDS[args[-1]]
    elif len(args) == 1 and args[0] in KIND_OF_COMMAND:
        kind = KIND_OF_COMMAND[args[0]]
    elif args[0] == "compare" and args[-1] != "--data":
        kind = "product"
    else:
        return False

    from cartq import commands, lookup
    from cartq.errors import CartqError

    try:
        names = lookup.completions(commands.open_store(None), kind, incomplete)
    except CartqError:
        names = []
    sys.stdout.write("\n".join(names))
    return True


def parse(argv: list[str]) -> Callable[[], int] | None:
    """A ready-to-run command for a simple argv, or None to let Typer handle it."""
    if not argv or argv[0] not in GRAMMAR or any(k.startswith("_CARTQ_COMPLETE") for k in os.environ):
        return None
    command, rest = argv[0], argv[1:]
    valued, flags, least, most = GRAMMAR[command]
    options: dict[str, str | bool] = {}
    positional: list[str] = []
    index = 0
    while index < len(rest):
        arg = rest[index]
        name, has_value, value = arg.partition("=")
        if arg in flags:
            options[arg] = True
        elif name in valued and has_value:
            options[name] = value
        elif arg in valued and index + 1 < len(rest):
            options[arg] = rest[index + 1]
            index += 1
        elif arg.startswith("-") and arg != "-":
            return None  # help, an unknown option, a missing value, "--": Typer's job
        else:
            positional.append(arg)
        index += 1
    if not least <= len(positional) <= most:
        return None

    formats = [name[2:] for name in ("--json", "--csv", "--jsonl") if options.get(name)]
    if len(formats) > 1:
        return None  # Typer reports the usage error

    from cartq import commands

    def opt(name: str) -> str | None:
        value = options.get(name)
        return value if isinstance(value, str) else None

    fmt = formats[0] if formats else "table"
    data_path = opt("--data")
    data = Path(data_path) if data_path is not None else None
    query = positional[0] if positional else None
    chart = bool(options.get("--chart"))
    if command in KIND_OF_COMMAND:
        evidence = bool(options.get("--evidence") or options.get("--sources"))
        return lambda: commands.show(KIND_OF_COMMAND[command], query, fmt, data, evidence)
    if command == "compare":
        return lambda: commands.compare(positional, fmt, data)
    if command == "search":
        return lambda: commands.search(query or "", fmt, data)
    if command == "costs":
        return lambda: commands.costs(opt("--country"), chart, fmt, data)
    if command == "market":
        return lambda: commands.market(chart, fmt, data)
    if command == "sources":
        return lambda: commands.sources(fmt, data)
    if command == "timeline":
        all_events = bool(options.get("--all-events"))
        return lambda: commands.timeline(opt("--target"), opt("--indication"), all_events, chart, fmt, data)
    return lambda: commands.trials(opt("--target"), opt("--indication"), opt("--sponsor"), opt("--phase"), fmt, data)


def main() -> None:
    if sys.stdout is None:  # started with stdout closed (`cartq ... >&-`): results go nowhere, errors still count
        sys.stdout = open(os.devnull, "w")
    if complete_names():
        sys.exit(0)
    run = parse(sys.argv[1:])
    if run is None:
        from cartq.cli import main as typer_main

        typer_main()
        return
    try:
        code = run()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
