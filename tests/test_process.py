"""Real runs of the installed `cartq`: pipes, colour, help, version, and the fast path's parity with Typer."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from cartq import __version__

from .conftest import installed_cartq, run, run_fast, shipped_as_of


def cartq(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CARTQ_DATA")}
    full_env.update(env or {})
    return subprocess.run(
        [installed_cartq(), *args], capture_output=True, text=True, env=full_env, timeout=60, **kwargs
    )  # type: ignore[call-overload]


def in_bash(line: str) -> subprocess.CompletedProcess[str]:
    """Run a bash command line in which {cartq} is the installed cartq: pipes and closed streams."""
    command = line.format(cartq=f"'{installed_cartq()}'")
    return subprocess.run(command, shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=60)


def test_installed_help_and_version() -> None:
    help_run = cartq("--help")
    assert help_run.returncode == 0 and "Exit codes" in help_run.stdout
    version = cartq("--version")
    expected = f"cartq {__version__} (fact base current to {shipped_as_of()}"
    assert version.returncode == 0 and version.stdout.startswith(expected)


def test_installed_lookup_json_is_pure_json() -> None:
    result = cartq("product", "fucaso", "--json")
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["record"]["inn"] == "equecabtagene autoleucel"


def test_piped_output_is_plain_without_colour_codes() -> None:
    result = cartq("product", "fucaso", env={"NO_COLOR": "1"})
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "equecabtagene autoleucel" in result.stdout


def test_a_closed_pipe_ends_quietly() -> None:
    result = in_bash("{cartq} sources | head -1")
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    status = in_bash("set -o pipefail; {cartq} sources --json | head -c 10 >/dev/null")
    assert status.stderr == ""
    assert status.returncode == 0


def test_no_match_exit_code_from_the_real_process() -> None:
    result = cartq("product", "no-such-thing-at-all")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("cartq: no product matches")


def test_usage_error_exit_code_from_the_real_process() -> None:
    assert cartq("costs", "--country").returncode == 2


PARITY = [
    ["product", "fucaso"],
    ["product", "fucaso", "--json"],
    ["product"],
    ["product", "--json"],
    ["product", "xyzzy-nothing"],
    ["product", "innovent"],
    ["product", "her"],
    ["company", "iaso"],
    ["target", "bcma", "--json"],
    ["indication", "rrmm"],
    ["glossary", "crs"],
    ["glossary"],
    ["search", "allogeneic"],
    ["search", "zzqqzz", "--json"],
    ["costs", "--country", "cn"],
    ["costs", "--country=us"],
    ["costs", "--country", "atlantis"],
    ["market", "--json"],
    ["sources"],
    ["timeline", "--target", "bcma"],
    ["timeline", "--all-events", "--json"],
    ["trials", "--phase", "2"],
    ["trials", "--phase", "nine"],
    ["trials", "--sponsor", "fudan", "--indication", "lupus"],
    ["product", "", "--json"],
    ["product", "   "],
]


@pytest.mark.parametrize("argv", PARITY, ids=" ".join)
def test_fast_path_matches_typer(argv: list[str]) -> None:
    fast = run_fast(*argv)
    assert fast is not None, "this argv should take the fast path"
    slow = run(*argv)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["product", "--help"],
        ["--version"],
        ["product", "a", "b"],
        ["costs", "--country"],
        ["product", "--frob"],
        ["search"],
        ["no-such-command"],
        ["schema", "a", "b"],
        [],
    ],
)
def test_fast_path_leaves_the_rest_to_typer(argv: list[str]) -> None:
    assert run_fast(*argv) is None


@pytest.mark.parametrize(
    ("args", "code"), [("product fucaso", 0), ("product fucaso --json", 0), ("--help", 0), ("product no-such-thing", 1)]
)
def test_a_closed_stdout_ends_quietly_with_the_right_code(args: str, code: int) -> None:
    result = in_bash(f"{{cartq}} {args} >&-")
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    assert (result.stderr == "") == (code == 0)


@pytest.mark.parametrize(
    "query",
    [
        "a" * 100_000,
        "\x01\x1b[31mred\x07",
        ".*[(?",
        "(((",
        "%_%",
        "\\d+$",
        "ＣＡＲＶＹＫＴＩ",
        "卡卫荻 carvykti",
        "\u200bfucaso",
        "fucaso\u0301",
    ],
)
def test_hostile_queries_from_a_real_process(query: str) -> None:
    result = cartq("product", query)
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr
    assert "\x1b[31m" not in result.stderr  # control characters are shown escaped, never sent raw
    if len(query) > 200:
        assert "100,000 characters" in result.stderr
