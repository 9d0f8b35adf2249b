"""Help and completion answered from the command table (cartq.cli.help) are Typer's own answers:
the pre-rendered help byte for byte, completions for bash, zsh and fish item for item."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import pytest

from cartq.cli import help, help_build
from cartq.cli.app import app
from cartq.cli.spec import COMMANDS

from .conftest import installed_cartq


def test_the_rendered_help_is_fresh() -> None:
    from cartq.cli import help_text

    assert help_text.FINGERPRINT == help.fingerprint(), (
        "the command table, formats or app changed: run 'python -m cartq.cli.help_build' to render the help again"
    )


def test_the_rendered_command_table_is_the_declared_one() -> None:
    from cartq.cli import help_text
    from cartq.kinds import BY_KIND

    assert help_text.TABLE == help.table_from_spec()
    assert set(help_text.KINDS) == set(BY_KIND)


def test_help_and_a_tab_on_commands_and_options_read_no_declaration_modules() -> None:
    probe = (
        "import os, sys\n"
        "os.environ.update(_CARTQ_COMPLETE='complete_bash', COMP_WORDS='cartq product --', COMP_CWORD='2')\n"
        "from cartq.cli import help\n"
        "assert help.complete() == 0 and help.answer_help(['product', '--help']) == 0\n"
        "sys.stderr.write(' '.join(m for m in ('cartq.cli.spec', 'dataclasses', 'typer') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "80"}
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_every_help_text_equals_typers_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    typer = help_build.render_help()  # the Typer app itself, at 80 columns, as the console script runs it
    assert set(typer) == {""} | {command.name for command in COMMANDS}
    for columns in ("80", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        for key, text in typer.items():
            for flag in help.HELP_OPTION:
                argv = [flag] if not key else [key, flag]
                assert help.help_text(argv) == text, (columns, argv)


def test_a_narrow_terminal_and_other_argv_go_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert help.help_text(["--help"]) is None
    monkeypatch.setenv("COLUMNS", "80")
    assert help.help_text(["product", "fucaso", "--help"]) is None
    assert help.help_text(["nosuch", "--help"]) is None
    assert help.help_text(["--help", "product"]) is None


@pytest.mark.parametrize("args", [["--help"], ["product", "--help"], ["registry", "-h"]])
@pytest.mark.parametrize("columns", ["80", "60"])
def test_the_installed_help_is_typers(args: list[str], columns: str) -> None:
    env = {**os.environ, "COLUMNS": columns}
    fast = subprocess.run([installed_cartq(), *args], capture_output=True, text=True, env=env, timeout=60)
    typer = subprocess.run(
        [sys.executable, "-c", "from cartq.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (fast.returncode, fast.stdout, fast.stderr) == (typer.returncode, typer.stdout, typer.stderr)


def _environ(shell: str, words: str, cword: int | None) -> dict[str, str]:
    env = {"_CARTQ_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env.update(COMP_WORDS=words, COMP_CWORD=str(cword))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return env


def _typer(monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            app(args=[], prog_name="cartq")
        except SystemExit as done:
            code = int(done.code or 0)
    return out.getvalue(), code


def _canonical(answer: tuple[str, int]) -> tuple[str, int]:
    """Typer offers -h and --help in the order of a set, which changes from run to run
    (PYTHONHASHSEED): put the two in one order, everything else stays where it is."""
    text, code = answer
    end = "))'\n" if text.endswith("))'\n") else ""  # zsh closes the list on its last item
    lines = text.removesuffix(end).split("\n")
    helps = [index for index, line in enumerate(lines) if line.lstrip('"').startswith(("-h", "--help"))]
    ordered = sorted((lines[index] for index in helps), key=lambda line: "--help" in line)
    for index, line in zip(helps, ordered, strict=True):
        lines[index] = line
    return "\n".join(lines) + end, code


def _ours() -> tuple[str, int] | None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = help.complete()
    return None if code is None else (out.getvalue(), code)


CASES = [
    ("cartq ", 1),
    ("cartq pro", 1),
    ("cartq c", 1),
    ("cartq -", 1),
    ("cartq --", 1),
    ("cartq --v", 1),
    ("cartq product -", 2),
    ("cartq product --", 2),
    ("cartq product --j", 2),
    ("cartq product --evidence --", 3),
    ("cartq product --json --", 3),
    ("cartq costs --cou", 2),
    ("cartq costs --country u", 3),
    ("cartq timeline --target b", 3),
    ("cartq trials --indication lupus --", 4),
    ("cartq registry --", 2),
    ("cartq export --", 2),
    ("cartq validate --", 2),
    ("cartq schema --", 2),
    ("cartq product fuc", 2),
    ("cartq product Fuc", 2),
    ("cartq company ia", 2),
    ("cartq compare fucaso car", 3),
    ("cartq glossary cr", 2),
    ("cartq product zzzz", 2),
]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(("words", "cword"), CASES)
@pytest.mark.parametrize("columns", ["80", "50"])
def test_completion_equals_typers(
    monkeypatch: pytest.MonkeyPatch, shell: str, words: str, cword: int, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    for name, value in _environ(shell, words, cword).items():
        monkeypatch.setenv(name, value)
    ours = _ours()
    if shell == "bash":
        assert ours is not None, "commands, options and names are answered without Typer"
    assert ours is None or _canonical(ours) == _canonical(_typer(monkeypatch))


def test_fish_asks_whether_there_are_completions(monkeypatch: pytest.MonkeyPatch) -> None:
    for words, expected in (("cartq pro", 0), ("cartq zzz", 1)):
        monkeypatch.setenv("_CARTQ_COMPLETE", "complete_fish")
        monkeypatch.setenv("_TYPER_COMPLETE_ARGS", words)
        monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "is-args")
        assert _ours() == ("", expected)


def test_unusual_command_lines_go_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_CARTQ_COMPLETE", "complete_bash")
    for words, cword in (("cartq product --data=x --", 3), ("cartq --version pro", 2), ("cartq validate da", 2)):
        monkeypatch.setenv("COMP_WORDS", words)
        monkeypatch.setenv("COMP_CWORD", str(cword))
        assert _ours() is None, words
    monkeypatch.setenv("_CARTQ_COMPLETE", "source_bash")
    assert help.complete() is None


def test_a_tab_prints_at_most_a_screenful_of_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_CARTQ_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "cartq search ")
    monkeypatch.setenv("COMP_CWORD", "2")
    for kind in ("product", "company", "target", "country"):
        items = help._names(kind, "")
        assert 0 < len(items) <= help.MAX_NAMES
