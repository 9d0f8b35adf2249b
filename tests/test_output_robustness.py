"""Output that cannot go wrong quietly: a full disk, a closed stderr, a non-UTF-8 locale or query,
Ctrl-C, garbage from the shell, and CSV cells a spreadsheet would run (issue 15's runner side)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import installed_cartq, run


def cartq(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [installed_cartq(), *args], capture_output=True, timeout=60, env={**os.environ, **(env or {})}, **kwargs
    )  # type: ignore[call-overload]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_is_an_error_not_a_partial_success() -> None:
    # 1.0.0: a traceback on /dev/full; on a full disk, 64 KB of 82 KB written and exit 0.
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [installed_cartq(), "sources", "--json"], stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert result.returncode == 5
    assert result.stderr.decode() == "cartq: cannot write the output: No space left on device\n"


def test_with_stderr_closed_a_missing_fact_base_still_exits_3(tmp_path: Path) -> None:
    # 1.0.0: exit 1, from the failure to write the message.
    command = f"{installed_cartq()} product fucaso --data {tmp_path / 'none.yaml'} 2>&-"
    assert subprocess.run(command, shell=True, executable="/bin/bash", timeout=60).returncode == 3


def test_an_ascii_only_stdout_gets_escapes_not_a_traceback() -> None:
    # 1.0.0: UnicodeEncodeError tracebacks with PYTHONIOENCODING=ascii.
    result = cartq("product", "fucaso", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert b"\\u" in result.stdout  # Chinese names shown as escapes
    as_json = cartq("product", "fucaso", "--json", env={"PYTHONIOENCODING": "ascii"})
    assert as_json.returncode == 0 and b"Traceback" not in as_json.stderr


def test_a_query_and_a_path_that_are_not_utf8(tmp_path: Path) -> None:
    query = cartq("product", os.fsdecode(b"qqqq\xffqqqq"))
    assert query.returncode == 1 and b"Traceback" not in query.stderr
    assert query.stderr.startswith(b"cartq: ")
    path = cartq("product", "fucaso", "--data", os.fsdecode(bytes(tmp_path) + b"/\xff.yaml"))
    assert path.returncode == 3 and path.stderr.startswith(b"cartq: fact base not found")


def test_garbage_from_the_shell_gets_no_completions_and_no_traceback() -> None:
    env = {"_CARTQ_COMPLETE": "complete_bash", "COMP_WORDS": "cartq pro", "COMP_CWORD": "x"}
    result = cartq(env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_ctrl_c_during_start_up_is_130_without_a_traceback() -> None:
    code = (
        "import signal, sys; from cartq import entry;"
        "signal.signal(signal.SIGALRM, signal.default_int_handler); signal.setitimer(signal.ITIMER_REAL, 0.001);"
        "sys.argv = ['cartq', 'product', 'fucaso']; entry.main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode in (0, 130) and b"Traceback" not in result.stderr


def test_debug_zero_means_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1.0.0: CARTQ_DEBUG=0 turned tracebacks on.
    monkeypatch.setenv("CARTQ_DEBUG", "0")
    result = run("product", "qqqqqqqq")
    assert result.exit_code == 1 and result.stderr.startswith("cartq: ")


def test_csv_cells_a_spreadsheet_would_run_stay_text() -> None:
    from cartq.csv_cells import cell

    assert [cell(v) for v in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "plain")] == [
        "'=1+1",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "plain",
    ]
    assert cell("'quoted") == "''quoted"  # reversible: a leading ' is doubled
    assert [cell(v) for v in (-1.5, 80000.0, True, False, 3, None)] == ["-1.5", "80000", "true", "false", "3", ""]


def test_bom_starts_csv_for_spreadsheets_and_is_only_on_csv() -> None:
    plain = run("product", "--csv").stdout
    with_bom = run("product", "--csv", "--bom").stdout
    assert with_bom == "\ufeff" + plain
    assert list(csv.DictReader(io.StringIO(with_bom.lstrip("\ufeff"))))
    assert run("schema", "--bom").exit_code == 2  # schema prints JSON only


def test_every_csv_names_nested_columns_by_one_rule() -> None:
    market = next(csv.DictReader(io.StringIO(run("market", "--csv").stdout)))
    costs = next(csv.DictReader(io.StringIO(run("costs", "--csv").stdout)))
    assert "value_currency" in market and "price_currency" in costs
    assert not [key for key in {**market, **costs} if "." in key]


def test_a_product_named_twice_is_compared_once_and_said_so() -> None:
    # 1.0.0: `compare A B A --csv` silently dropped the repeated column.
    result = run("compare", "fucaso", "carvykti", "eque-cel", "--csv")
    assert result.exit_code == 0
    assert next(csv.reader(io.StringIO(result.stdout))) == ["field", "eque-cel", "cilta-cel"]
    assert result.stderr == "cartq: 'eque-cel' names a product already compared; shown once\n"
    assert run("compare", "fucaso", "eque-cel").exit_code == 2
