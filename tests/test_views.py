"""Comparison, exports, charts, evidence, completion and terminal rendering."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest

from cartq.cli import fast, runner
from cartq.render.blocks import Doc, Table
from cartq.render.screen import render, render_plain

from .conftest import installed_cartq, run


def test_compare_puts_products_side_by_side() -> None:
    result = run("compare", "fucaso", "carvykti", "zevor-cel", "--json").json()
    assert [p["id"] for p in result["products"]] == ["eque-cel", "cilta-cel", "zevor-cel"]
    rows = {row["field"]: row["values"] for row in result["rows"]}
    assert rows["first NMPA approval"] == ["2023-06-30", "announced 2024-08-27", "2024-02-23"]
    assert rows["targets"] == [["BCMA"], ["BCMA"], ["BCMA"]]
    assert rows["commercial insurance innovative drug list"][1].startswith("not listed")
    table = run("compare", "fucaso", "carvykti").stdout
    assert "Fucaso (equecabtagene autoleucel)" in table and "CARTIFAN-1" in table and "USD 465,000" in table


def test_compare_needs_two_and_reports_a_miss() -> None:
    assert run("compare", "fucaso").exit_code == 2
    miss = run("compare", "fucaso", "zzzzzz")
    assert miss.exit_code == 1 and "no product matches 'zzzzzz'" in miss.stderr


def test_csv_is_rfc4180_and_round_trips() -> None:
    raw = subprocess.run([installed_cartq(), "product", "--csv"], capture_output=True, timeout=60).stdout
    assert raw.startswith(b"id,name,inn,") and raw.count(b"\r\n") == raw.count(b"\n")  # CRLF, as RFC 4180 says
    result = run("product", "--csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["id"] == "axi-cel"
    assert rows[0]["brand_names"] == "Yikaida"
    assert rows[0]["short_names"] == "axi-cel"
    costs = list(csv.DictReader(io.StringIO(run("costs", "--country", "china", "--csv").stdout)))
    first = costs[0]
    assert (first["subject"], first["price_currency"], first["price_low"], first["disputed"]) == (
        "Seed cost table: therapy cost",
        "USD",
        "80000",  # money never as a float artefact
        "true",
    )
    assert {"CNY", "USD"} <= {row["price_currency"] for row in costs}


@pytest.mark.parametrize(
    "args",
    [
        ["product"],
        ["company"],
        ["target"],
        ["indication"],
        ["glossary"],
        ["sources"],
        ["trials"],
        ["timeline"],
        ["costs"],
        ["market"],
        ["search", "bcma"],
    ],
)
def test_every_listing_has_csv_and_jsonl(args: list[str]) -> None:
    as_csv = run(*args, "--csv")
    assert as_csv.exit_code == 0 and len(list(csv.reader(io.StringIO(as_csv.stdout)))) >= 2
    lines = run(*args, "--jsonl").stdout.splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)


def test_formats_are_exclusive() -> None:
    result = run("product", "--json", "--csv")
    assert result.exit_code == 2 and result.stdout == ""


def test_evidence_shows_field_source_and_quote() -> None:
    result = run("product", "fucaso", "--evidence", "--json").json()
    rows = result["evidence"]
    construct = [r for r in rows if r["field"] == "car_construct" and r["source"] == "seed-000"]
    assert construct and "CD8a hinge and transmembrane" in construct[0]["quote"]
    assert {"event:eque-cel-rrmm-approval", "price:cn-fucaso-over-1m"} <= {r["field"] for r in rows}
    assert any(r["field"].endswith(".claimed_by") for r in rows)
    assert run("product", "fucaso", "--sources").stdout == run("product", "fucaso", "--evidence").stdout


def test_costs_chart_labels_currency_and_draws_ranges() -> None:
    out = run("costs", "--chart").stdout
    assert "Seed cost table: therapy cost by country (USD):" in out
    assert "Price claims in CNY" in out and "Price claims in USD" in out
    assert re.search(r"█+░+\s+1,800,000–2,200,000", out)  # a range is drawn as a range
    assert "DISPUTED" in out


def test_market_chart_marks_projections() -> None:
    out = run("market", "--chart").stdout
    assert re.search(r"2030\s+▒+\s+28\.9 projection", out)
    assert re.search(r"2021\s+█+\s+0\.2\b", out)


def test_timeline_chart_counts_approvals_per_year() -> None:
    out = run("timeline", "--chart").stdout
    assert re.search(r"2023\s+█+\s+2\n", out)
    assert "with no confirmed date" in out


def bash_complete(words: str, cword: int, **env: str) -> list[str]:
    full = {**os.environ, "_CARTQ_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword), **env}
    result = subprocess.run([installed_cartq()], capture_output=True, text=True, env=full, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_bash_completion_of_commands_options_and_names() -> None:
    assert "product" in bash_complete("cartq pro", 1)
    assert "--country" in bash_complete("cartq costs --cou", 2)
    assert bash_complete("cartq product fuc", 2) == ["fucaso"]
    assert "Fucaso" in bash_complete("cartq product Fuc", 2)
    assert {"united-kingdom", "united-states", "uk", "us", "usa"} <= set(bash_complete("cartq costs --country u", 3))
    assert "bcma" in bash_complete("cartq target b", 2)


def test_zsh_and_fish_completion() -> None:
    env = {**os.environ, "_CARTQ_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cartq company ia"}
    zsh = subprocess.run([installed_cartq()], capture_output=True, text=True, env=env, timeout=60)
    assert "iaso" in zsh.stdout
    env = {
        **os.environ,
        "_CARTQ_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": "cartq indication rr",
    }
    fish = subprocess.run([installed_cartq()], capture_output=True, text=True, env=env, timeout=60)
    assert "rrmm" in fish.stdout.lower()


def test_completion_script_is_offered() -> None:
    result = run("--show-completion", "bash")
    assert result.exit_code == 0 and "_CARTQ_COMPLETE" in result.stdout


def render_tty(doc: Doc, width: int, monkeypatch: pytest.MonkeyPatch, no_color: bool = False) -> str:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("TERM", "xterm-256color")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    screen = Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    render(doc)
    return screen.getvalue()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(
    "args",
    [
        ["product", "yikaida"],
        ["product"],
        ["costs", "--country", "china"],
        ["timeline"],
        ["compare", "fucaso", "carvykti", "cnct19"],
        ["market", "--chart"],
    ],
)
def test_terminal_tables_fit_and_wrap_without_losing_words(
    args: list[str], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = fast.parse(args)
    assert parsed is not None
    doc = runner.produce(*parsed)[0].doc()
    assert isinstance(doc, Doc)
    screen = render_tty(doc, width, monkeypatch, no_color=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", screen)
    assert "\x1b[3" not in screen  # NO_COLOR: no colour codes
    # Only a citation too long for the terminal runs past its edge (whole, never broken or cropped).
    assert max(len(line) for line in plain.splitlines() if "://" not in line) <= width
    words = set(re.findall(r"[A-Za-z]{14,}", plain))
    # URLs longer than a column can only be folded; every other long word must survive whole.
    prose = re.sub(r"https?://\S+", "", render_plain(doc))
    expected = set(re.findall(r"[A-Za-z]{14,}", prose))
    assert expected <= words  # long words are wrapped whole, never cut


def test_rich_escapes_brackets_in_data(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = Doc([Table(["a"], [["[on hold] [bold]x[/bold]"]])])
    assert "[on hold] [bold]x[/bold]" in render_tty(doc, 80, monkeypatch)


@pytest.mark.parametrize(
    ("words", "cword"),
    [
        ("cartq product fuc", 2),
        ("cartq product Fuc", 2),
        ("cartq product ", 2),
        ("cartq costs --country u", 3),
        ("cartq trials --sponsor ia", 3),
        ("cartq timeline --target b", 3),
        ("cartq compare fucaso car", 3),
        ("cartq glossary cr", 2),
        ("cartq indication 'rr", 2),
    ],
)
def test_fast_name_completion_matches_typer(words: str, cword: int) -> None:
    env = {**os.environ, "_CARTQ_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    fast = subprocess.run([installed_cartq()], capture_output=True, text=True, env=env, timeout=60)
    typer = subprocess.run(
        [sys.executable, "-c", "from cartq.cli.app import main; main()"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (fast.returncode, fast.stdout.split(), fast.stderr) == (typer.returncode, typer.stdout.split(), typer.stderr)


def test_wide_listings_show_more_columns_than_compact_ones() -> None:
    compact = run("product").stdout.splitlines()
    wide = run("product", "--wide").stdout.splitlines()
    header = next(line for line in compact if "product" in line and "status" in line)
    wide_header = next(line for line in wide if "product" in line and "status" in line)
    assert "INN" not in header.split() and "INN" in wide_header.split()
    assert run("timeline", "--wide", "--json").stdout == run("timeline", "--json").stdout  # JSON has it all


def test_no_pager_is_offered_wherever_a_table_can_be_long() -> None:
    from cartq.cli.spec import COMMANDS

    for command in COMMANDS:
        flags = {flag for param in command.all_options() for flag in param.flags}
        assert ("--no-pager" in flags) == command.pager, command.name
    assert run("product", "fucaso", "--no-pager").exit_code == 0
