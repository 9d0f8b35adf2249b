"""What the speed work relies on, proved without timing anything: the cache's completion and fuzzy
candidate queries agree with a scan, streamed JSON is byte for byte the JSON written whole, the
quick exit loses no output and keeps the exit code, and help and Tab import no Typer."""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
from contextlib import redirect_stdout

import pytest

from cartq.cli.handlers import open_store
from cartq.factbase import checks
from cartq.render import writers

from .conftest import installed_cartq


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    return open_store(None)


@pytest.mark.parametrize("kind", ["product", "company", "target", "indication", "term", "country"])
@pytest.mark.parametrize("typed", ["", "c", "fu", "Fuc", "b", "car", "ia", "u", "卡", "zzz"])
def test_completion_names_are_the_scan_in_order(store, kind: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    folded = typed.casefold()
    scan = sorted(
        {
            (name.casefold(), name)
            for _, name, _ in store.names(kind)
            if not any(ch.isspace() for ch in name) and name.casefold().startswith(folded)
        }
    )
    assert store.completion_names(kind, folded, 100_000) == [name for _, name in scan]
    assert store.completion_names(kind, folded, 3) == [name for _, name in scan][:3]


def test_fuzzy_candidates_are_every_name_of_a_small_kind(store) -> None:  # type: ignore[no-untyped-def]
    for kind in ("product", "company", "country"):
        assert sorted(store.fuzzy_candidates(kind, "fucasso")) == sorted(store.names(kind))


def test_fuzzy_candidates_of_a_large_kind_share_an_end_and_a_length(store) -> None:  # type: ignore[no-untyped-def]
    # A limit below the kind's count makes the shipped base "large": the SQL prefilter answers.
    limit = store.count_names("product") - 1
    assert len(store.fuzzy_candidates("product", "fucasso", limit=1)) == 1
    candidates = store.fuzzy_candidates("product", "fucasso", limit=limit)
    assert "fucaso" in {norm for _, _, norm in candidates}
    assert all(norm.startswith("fuc") or norm.endswith("sso") for _, _, norm in candidates)
    assert "fucaso" in {norm for _, _, norm in store.fuzzy_candidates("product", "gucaso", limit=limit)}
    assert store.fuzzy_candidates("product", "zzzz", limit=limit) == []


@pytest.mark.parametrize(
    "rows",
    [[], [{"a": 1}], [{"a": [1, {"b": "x\ny"}], "c": "é", "d": None}, 2, "three", [], {}], [{"k": "卡卫荻"}] * 5],
)
def test_streamed_json_is_the_json_written_whole(rows: list[object]) -> None:
    whole, streamed, lines = io.StringIO(), io.StringIO(), io.StringIO()
    with redirect_stdout(whole):
        writers.write_json(rows)
    with redirect_stdout(streamed):
        writers.write_json_array(iter(rows))
    assert streamed.getvalue() == whole.getvalue()
    with redirect_stdout(lines):
        writers.write_jsonl(row for row in rows)
    assert lines.getvalue() == "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def test_no_cyclic_gc_restores_the_collector() -> None:
    assert gc.isenabled()
    with checks.no_cyclic_gc():
        assert not gc.isenabled()
        with checks.no_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.unfreeze()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["product", "--json"], 0),
        (["product", "fucaso", "--json"], 0),
        (["product", "--jsonl"], 0),
        (["product", "--csv"], 0),
        (["product", "zzzz", "--json"], 1),
        (["product", "fucaso", "--data", "/nonexistent/facts.yaml"], 3),
    ],
)
def test_the_quick_exit_loses_nothing_and_keeps_the_code(args: list[str], code: int) -> None:
    fast = subprocess.run([installed_cartq(), *args], capture_output=True, timeout=60)
    typer = subprocess.run(
        [sys.executable, "-c", "from cartq.cli.app import main; main()", *args], capture_output=True, timeout=60
    )
    assert fast.returncode == typer.returncode == code
    assert fast.stdout == typer.stdout and fast.stderr == typer.stderr
    if code == 0 and "--json" in args:
        json.loads(fast.stdout)


PROBE = (
    "import os, sys\n"
    "real = os._exit\n"
    "never = set(sys.argv[1].split(','))\n"
    "def probe(code):\n"
    "    heavy = sorted({m.split('.')[0] for m in sys.modules} & never)\n"
    "    sys.stderr.write('IMPORTED:' + ','.join(heavy) + '\\n'); sys.stderr.flush(); real(code)\n"
    "os._exit = probe\n"
    "sys.argv = ['cartq', *sys.argv[2:]]\n"
    "from cartq.entry import main\n"
    "main()\n"
)


# What a lookup, a Tab or --help never imports: the libraries behind Typer and the fact base's
# validation, and the standard modules that cost as much as a lookup's own work (issue 16).
NEVER_ON_THE_WAY = "typer,click,pydantic,rich,yaml,rapidfuzz,typing,pathlib,dataclasses,hashlib,datetime,tempfile"


@pytest.mark.parametrize(
    ("args", "env", "code"),
    [
        (["--help"], {}, 0),
        (["product", "--help"], {}, 0),
        ([], {"_CARTQ_COMPLETE": "complete_bash", "COMP_WORDS": "cartq pro", "COMP_CWORD": "1"}, 0),
        ([], {"_CARTQ_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cartq product --"}, 0),
        ([], {"_CARTQ_COMPLETE": "complete_bash", "COMP_WORDS": "cartq product fu", "COMP_CWORD": "2"}, 0),
        (["product", "fucaso", "--json"], {}, 0),
        (["product", "fucasso", "--json"], {}, 0),  # a typo: scored without rapidfuzz (domain.fuzzy)
        (["product", "zzzz", "--json"], {}, 1),
    ],
)
def test_help_tab_and_lookups_import_no_typer(args: list[str], env: dict[str, str], code: int) -> None:
    import os

    open_store(None)  # the cache is built: a Tab or a lookup reads it
    result = subprocess.run(
        [sys.executable, "-c", PROBE, NEVER_ON_THE_WAY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", **env},
        timeout=60,
    )
    assert result.returncode == code, result.stderr
    assert bool(result.stdout) == (code == 0)
    assert "IMPORTED:\n" in result.stderr


def test_known_data_is_what_validate_reports_and_only_for_the_same_bytes(tmp_path, private_cache) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from cartq.factbase import cache
    from cartq.paths import default_data_path

    from .conftest import run

    path = tmp_path / "facts.yaml"
    path.write_bytes(Path(default_data_path()).read_bytes())
    assert cache.known_data(path) is None  # no cache yet: validate validates
    open_store(str(path))
    known = cache.known_data(path)
    report = run("validate", str(path), "--json").json()
    assert known is not None and known["as_of"] == report["as_of"]
    assert {key: len(value) for key, value in known.items() if isinstance(value, list)} == report["counts"]
    path.write_bytes(path.read_bytes() + b"\n# one more line\n")
    assert cache.known_data(path) is None  # other bytes: the cache proves nothing about them


@pytest.mark.parametrize("kind", ["product", "company", "target", "indication", "term", "country", "id"])
@pytest.mark.parametrize("typed", ["", "c", "fu", "Fuc", "FUC", "b", "car", "ia", "卡", "zzz", "seed-00"])
def test_a_tab_offers_what_the_domain_offers(store, kind: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    from cartq.cli.help import MAX_NAMES, name_completions
    from cartq.domain.resolve import completions

    expected = completions(store, kind, typed)
    if len(expected) <= MAX_NAMES:
        assert name_completions(kind, typed) == expected
    else:
        assert len(name_completions(kind, typed)) == MAX_NAMES


def test_known_data_is_the_validated_data_key_for_key(private_cache) -> None:  # type: ignore[no-untyped-def]
    from cartq.factbase import cache
    from cartq.paths import default_data_path

    path = default_data_path()
    assert cache.known_data(path) is None  # no cache yet
    open_store(None)
    known = cache.known_data(path)
    assert known is not None
    assert json.dumps(known) == json.dumps(checks.load_checked(path).data)


@pytest.mark.parametrize("args", [["validate"], ["validate", "--json"], ["validate", "--strict"]])
def test_validate_from_the_cache_says_what_validating_says(args: list[str], private_cache, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from .conftest import run

    open_store(None)
    cached = run(*args)
    monkeypatch.setenv("CARTQ_NO_CACHE", "1")
    fresh = run(*args)
    assert (cached.exit_code, cached.stdout, cached.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)


def test_a_damaged_cache_proves_nothing(private_cache) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from cartq.factbase import cache
    from cartq.paths import default_data_path

    open_store(None)
    (file,) = (private_cache / "cartq").glob("*.sqlite")
    connection = sqlite3.connect(file)
    connection.execute('UPDATE records SET data = \'{"id": "forged"}\' WHERE rowid = 1')
    connection.commit()
    connection.close()
    assert cache.known_data(default_data_path()) is None
