"""`--help`, `COMMAND --help` and shell completion answered from the command table, without
importing Typer (whose import, with pydantic's, is most of their cost).

- Help: the text Typer prints, rendered from the Typer app ahead of time (`python -m cartq.cli.help_build`
  writes cli/help_text.py) and used only while it is fresh: it carries a fingerprint of the modules
  that shape it (the command table, the output formats and the app), and a stale one is never
  shown. It is Click's layout at 80 columns or more, so a narrower terminal goes to Typer.
  tests/test_help.py compares it with Typer's own output for every command, byte for byte.
- Completion (bash, zsh, fish): command names, option names and record names, in Typer's order
  and format. Anything else (an option's value that is not a name, `--opt=`, `--`, a word this
  parser does not know, help text Rich would change) is left to Typer. tests/test_help.py
  compares the answers with Typer's for a set of command lines.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Click's help formatter is never wider than this (Context.max_content_width's default).
HELP_COLUMNS = 80
# The modules whose content shapes the help text (relative to the cartq package).
HELP_SOURCES = ("cli/spec.py", "render/formats.py", "cli/app.py", "cli/help.py", "cli/help_build.py", "kinds.py")
HELP_OPTION = ("-h", "--help")
HELP_OPTION_HELP = "Show this message and exit."
VERSION_HELP = "Show the version and the fact base's date."
# The root options, in Typer's order, with their help.
ROOT_OPTIONS = (
    (("--version",), VERSION_HELP),
    (("--install-completion",), "Install completion for the current shell."),
    (("--show-completion",), "Show completion for the current shell, to copy it or customize the installation."),
    (HELP_OPTION, HELP_OPTION_HELP),
)
# Typer offers -h and --help in the order of a set (it changes with PYTHONHASHSEED); cartq always
# offers them in this order.
# Completion answers a screenful of names at most.
MAX_NAMES = 50


class _Param:
    """What completion needs of a cli.spec Param (an option, or an argument without flags)."""

    __slots__ = ("complete", "dest", "flags", "help", "most", "takes_value")

    def __init__(
        self, dest: str, flags: tuple[str, ...], help: str, takes_value: bool, complete: str | None, most: int | None
    ) -> None:
        self.dest, self.flags, self.help = dest, flags, help
        self.takes_value, self.complete, self.most = takes_value, complete, most


class _Command:
    """What help and completion need of a cli.spec Command."""

    __slots__ = ("args", "name", "options", "summary")

    def __init__(self, name: str, summary: str, options: list[_Param], args: list[_Param]) -> None:
        self.name, self.summary, self.options, self.args = name, summary, options, args

    def all_options(self) -> list[_Param]:
        return self.options


def table_from_spec() -> list[Any]:
    """The command table as plain tuples: (name, summary, options, arguments), each option
    (dest, flags, help, takes_value, complete, None), each argument (dest, (), help, True,
    complete, most). Written into help_text.py, so a Tab needs neither cli.spec nor dataclasses."""
    from cartq.cli.spec import COMMANDS

    return [
        (
            command.name,
            command.summary,
            [(p.dest, p.flags, p.help, p.takes_value, p.complete, None) for p in command.all_options()],
            [(p.dest, (), p.help, True, p.complete, p.most) for p in command.args],
        )
        for command in COMMANDS
    ]


def record_kinds() -> frozenset[str]:
    """The kinds of record in the cache's index of names (cartq.kinds), without importing it."""
    rendered = _rendered()
    if rendered is not None:
        return frozenset(rendered.KINDS)
    from cartq.kinds import BY_KIND

    return frozenset(BY_KIND)


_commands: dict[str, _Command] = {}


def commands() -> dict[str, _Command]:
    """The command table by name: from help_text.py while it is fresh, else from cli.spec."""
    if not _commands:
        rendered = _rendered()
        table = rendered.TABLE if rendered is not None else table_from_spec()
        for name, summary, options, args in table:
            _commands[name] = _Command(
                name, summary, [_Param(*option) for option in options], [_Param(*arg) for arg in args]
            )
    return _commands


def _rendered() -> Any:
    """cli/help_text.py when it was rendered from the modules as they are now, else None."""
    try:
        from cartq.cli import help_text as rendered
    except ImportError:
        return None
    return rendered if rendered.FINGERPRINT == fingerprint() else None


def _flags(command: _Command) -> dict[str, _Param]:
    return {flag: param for param in command.options for flag in param.flags}


def fingerprint() -> str:
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover
        from hashlib import blake2b

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = blake2b(digest_size=16)
    for name in HELP_SOURCES:
        with open(os.path.join(package, name), "rb") as handle:
            digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()


def _columns() -> int:
    """The terminal width as Click's help formatter finds it (shutil.get_terminal_size)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or HELP_COLUMNS
    return columns


def help_key(argv: list[str]) -> str | None:
    """ "" for `cartq --help`, the command's name for `cartq COMMAND --help`; None otherwise."""
    if len(argv) == 1 and argv[0] in HELP_OPTION:
        return ""
    if len(argv) == 2 and argv[1] in HELP_OPTION and argv[0] in commands():
        return argv[0]
    return None


def help_text(argv: list[str]) -> str | None:
    """The help Typer would print for argv, or None when it is not one of ours or not fresh."""
    key = help_key(argv)
    if key is None or _columns() < HELP_COLUMNS:
        return None
    rendered = _rendered()
    return None if rendered is None else rendered.HELP.get(key)


def answer_help(argv: list[str]) -> int | None:
    """Print the help for argv and return 0, or None to leave it to Typer."""
    text = help_text(argv)
    if text is None:
        return None
    sys.stdout.write(text)
    return 0


# ---- completion ---------------------------------------------------------------------------

SHELLS = ("bash", "zsh", "fish")


def _split(text: str) -> list[str] | None:
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return None  # an open quote: Typer's own splitting copes


def _words() -> tuple[str, list[str], str] | None:
    """The shell, the words before the one being completed (without the program), and that word."""
    shell = os.environ.get("_CARTQ_COMPLETE", "").removeprefix("complete_")
    if shell == "bash":
        try:
            cword = int(os.environ.get("COMP_CWORD", ""))
        except ValueError:
            return shell, [], GARBAGE  # a shell that sends garbage gets no completions
        words = _split(os.environ.get("COMP_WORDS", ""))
        if words is None or not 0 < cword <= len(words):
            return None
        return shell, words[1:cword], (words[cword] if cword < len(words) else "")
    if shell in ("zsh", "fish"):
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        words = _split(line)
        if words is None:
            return None
        args = words[1:]
        if args and not line.endswith(" "):
            return shell, args[:-1], args[-1]
        return shell, args, ""
    return None


Item = tuple[str, str]  # (value, help)
GARBAGE = "\0"


def _options(params: list[_Param], given: set[str], incomplete: str) -> list[Item]:
    items = [
        (flag, param.help)
        for param in params
        if param.dest not in given
        for flag in param.flags
        if flag.startswith(incomplete)
    ]
    return items + [(flag, HELP_OPTION_HELP) for flag in HELP_OPTION if flag.startswith(incomplete)]


def _root(incomplete: str) -> list[Item]:
    items = [(command.name, command.summary) for command in commands().values() if command.name.startswith(incomplete)]
    if incomplete.startswith("-"):
        items += [(flag, help) for flags, help in ROOT_OPTIONS for flag in flags if flag.startswith(incomplete)]
    return items


def name_completions(kind: str, incomplete: str) -> list[str]:
    """At most MAX_NAMES names of the kind for a Tab (the fast path's and Typer's alike): record
    kinds from the cache's indexed, case-folded names; any other kind (`id`) from the domain."""
    from cartq.errors import CartqError
    from cartq.factbase.cache import open_store
    from cartq.paths import resolve_data_path

    try:
        store = open_store(resolve_data_path(None))
        if kind not in record_kinds():
            from cartq.domain.resolve import completions

            return completions(store, kind, incomplete)[:MAX_NAMES]
        from cartq.names import completion_candidates

        names = store.completion_names(kind, incomplete.casefold(), 4 * MAX_NAMES)
        return completion_candidates(names, incomplete)[:MAX_NAMES]
    except CartqError:
        return []


def _names(kind: str, incomplete: str) -> list[Item]:
    return [(name, "") for name in name_completions(kind, incomplete)]


def _in_command(command: _Command, before: list[str], incomplete: str) -> list[Item] | None:
    """Completions after `cartq COMMAND before...`, or None to leave them to Typer."""
    flags = _flags(command)
    given: set[str] = set()
    positional = 0
    waiting: _Param | None = None  # an option whose value comes next
    for word in before:
        if waiting is not None:
            waiting = None
        elif word in flags:
            given.add(flags[word].dest)
            if flags[word].takes_value:
                waiting = flags[word]
        elif word.startswith("-") and word != "-":
            return None  # --opt=value, --, -h, an unknown option: Typer's job
        else:
            positional += 1
    if waiting is not None:
        return _names(waiting.complete, incomplete) if waiting.complete else None
    if "=" in incomplete and incomplete.startswith("-"):
        return None
    if incomplete.startswith("-"):
        return _options(command.all_options(), given, incomplete)
    kind = _argument_kind(command, positional)
    return _names(kind, incomplete) if kind else None


def _argument_kind(command: _Command, taken: int) -> str | None:
    position = 0
    for arg in command.args:
        if arg.most is None or taken < position + arg.most:
            return arg.complete
        position += arg.most
    return None


def completion_items() -> tuple[str, list[Item]] | None:
    found = _words()
    if found is None:
        return None
    shell, before, incomplete = found
    if incomplete == GARBAGE:
        return shell, []
    if not before:
        return shell, _root(incomplete)
    if before[0] not in commands():
        return None
    items = _in_command(commands()[before[0]], before[1:], incomplete)
    return None if items is None else (shell, items)


def _plain_help(text: str) -> bool:
    """Whether Rich (which Typer runs each completion's help through) leaves the text as it is:
    no markup, no emoji codes, nothing wider than one cell."""
    if "[" in text or not text.isascii():
        return False
    parts = text.split(":")
    return not any(part and all(ch.isalnum() or ch in "_-+" for ch in part) for part in parts[1:-1])


def _wrapped(text: str, width: int) -> str:
    """Text wrapped at word boundaries as Rich wraps it: a word's trailing space stays on its line
    unless the line is then wider than `width`."""
    lines: list[str] = []
    line = ""
    for word in _rich_words(text):
        if line and len(line) + len(word.rstrip()) > width:
            lines.append(line)
            line = ""
        line += word
    lines.append(line)
    return "\n".join(_fitted(line, width) for line in lines)


def _fitted(line: str, width: int) -> str:
    excess = len(line) - width
    if excess <= 0:
        return line
    trailing = len(line) - len(line.rstrip())
    return line[: len(line) - min(trailing, excess)]


def _rich_words(text: str) -> list[str]:
    words: list[str] = []
    index = 0
    while index < len(text):
        start = index
        while index < len(text) and text[index].isspace():
            index += 1
        while index < len(text) and not text[index].isspace():
            index += 1
        while index < len(text) and text[index].isspace():
            index += 1
        words.append(text[start:index])
    return words


def _rich_width() -> int | None:
    """The width Rich's console takes for the completion's help; None where Typer's console is
    set up otherwise (TERMINAL_WIDTH, forced or dumb terminals), so Typer answers."""
    if any(
        os.environ.get(name)
        for name in ("TERMINAL_WIDTH", "FORCE_COLOR", "_TYPER_FORCE_DISABLE_TERMINAL", "TTY_COMPATIBLE")
    ) or os.environ.get("TERM", "") in ("dumb", "unknown"):
        return None
    width = 0
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def _zsh_escape(text: str) -> str:
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def _one_line(text: str) -> str:
    return "".join(" " if ch.isspace() else ch for ch in text)


def format_completion(shell: str, items: list[Item]) -> tuple[str, int] | None:
    """What Typer prints for these completions (with the newline of its echo), and the exit code."""
    if shell == "bash":
        return "\n".join(value for value, _ in items) + "\n", 0
    helps = [help for _, help in items if help]
    width = _rich_width() if helps else 80
    if width is None or not all(_plain_help(help) for help in helps):
        return None
    if shell == "zsh":
        lines = [
            f'"{_zsh_escape(value)}":"{_wrapped(_zsh_escape(help), width)}"' if help else f'"{_zsh_escape(value)}"'
            for value, help in items
        ]
        body = "\n".join(lines)
        return (f"_arguments '*: :(({body}))'" if lines else "_files") + "\n", 0
    action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
    if action == "is-args":
        return "", 0 if items else 1
    lines = [f"{value}\t{_wrapped(_one_line(help), width)}" if help else value for value, help in items]
    return ("\n".join(lines) if action == "get-args" and lines else "") + "\n", 0


def complete() -> int | None:
    """Answer a completion request (when _CARTQ_COMPLETE is set) as Typer would: the exit code,
    or None when Typer must answer it."""
    if os.environ.get("_CARTQ_COMPLETE", "") not in tuple(f"complete_{shell}" for shell in SHELLS):
        return None
    found = completion_items()
    if found is None:
        return None
    if found == ("bash", []) and _words() == ("bash", [], GARBAGE):
        return 0  # nothing at all, not even a newline
    formatted = format_completion(*found)
    if formatted is None:
        return None
    text, code = formatted
    sys.stdout.write(text)
    return code

