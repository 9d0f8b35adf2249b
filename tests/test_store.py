"""Hostile fact-base files and the cache: one clear error and exit 3, never a traceback, never a write."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from cartq.factbase import cache, checks, fact_file, yaml_reader

from .conftest import FACTS, run

VALID = FACTS.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str | bytes, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def fails_with(path: Path | str, *needles: str) -> str:
    result = run("product", "fucaso", "--data", str(path))
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    # The path holds the test's name, so a needle must not be found there.
    message = result.stderr.replace(str(path), "PATH")
    for needle in needles:
        assert needle in message
    return result.stderr


def test_missing_file(tmp_path: Path) -> None:
    fails_with(tmp_path / "nope.yaml", "fact base not found")


def test_directory(tmp_path: Path) -> None:
    fails_with(tmp_path, "is a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    path.chmod(0)
    fails_with(path, "permission denied")


def test_empty_file(tmp_path: Path) -> None:
    fails_with(write(tmp_path, ""), "the fact base is empty")


def test_not_utf8(tmp_path: Path) -> None:
    fails_with(write(tmp_path, b"title: \xff\xfe oops\n"), "not UTF-8")


def test_broken_yaml_says_line_and_column(tmp_path: Path) -> None:
    fails_with(write(tmp_path, "title: x\nproducts: [a, b\nas_of: 2020-01-01\n"), "invalid YAML at line")


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    started = time.monotonic()
    fails_with(write(tmp_path, "\n".join(lines) + "\n"), "alias bomb")
    assert time.monotonic() - started < 5


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"title: !!python/object/apply:os.system ['touch {marker}']\n"
    fails_with(write(tmp_path, text), "invalid YAML")
    assert not marker.exists()


def mutate(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "    cell_source: autologous\n    status: approved\n",
            "    cell_source: autologous\n    status: approved\n    colour: blue\n",
            "colour: Extra inputs are not permitted",
        ),
        ("    count: 342\n", "    count: lots\n", "counts[1] (id 'trials-chinese-companies-2022').count"),
        ("    date: 2023-06-30\n", "    date: 2023-13-45\n", "date"),
        ("{currency: CNY, low: 1200000}", "{currency: CNY, low: -5}", "greater than or equal to 0"),
        ("  - id: relma-cel\n", "  - id: axi-cel\n", "duplicate id 'axi-cel'"),
        (
            "    short_names: [relma-cel, Relma-cel]\n",
            "    short_names: [relma-cel, Relma-cel, axi-cel]\n",
            "is also a name of product",
        ),
        ("    targets: [bcma]\n", "    targets: [cd22]\n", "refers to unknown target 'cd22'"),
        (
            "      - source: reuters-first-cart-2021\n",
            "      - source: no-such-source\n",
            "unknown source 'no-such-source'",
        ),
    ],
)
def test_schema_and_link_problems_name_record_and_field(tmp_path: Path, old: str, new: str, needle: str) -> None:
    path = write(tmp_path, mutate(VALID, old, new))
    fails_with(path, needle)
    report = run("validate", str(path))
    assert report.exit_code == 3
    assert needle in report.stdout


def test_schema_problem_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, mutate(VALID, "    count: 342\n", "    count: lots\n"))
    line = VALID.splitlines().index("    count: 342") + 1
    assert f"line {line}:" in run("validate", str(path)).stdout


def test_validate_lists_every_problem_not_just_the_first(tmp_path: Path) -> None:
    text = mutate(VALID, "    count: 342\n", "    count: lots\n")
    text = mutate(text, "    count: 250\n", "    count: many\n")
    text = mutate(text, "    count: 300\n", "    count: -3\n")
    report = run("validate", str(write(tmp_path, text)), "--json")
    assert report.exit_code == 3
    assert len(report.json()["problems"]) == 3


def test_commands_never_write_to_the_fact_base(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    for args in (["product", "fucaso"], ["validate", str(path)], ["costs"], ["product", "nope"]):
        run(*args, "--data", str(path)) if args[0] != "validate" else run(*args)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_cartq_data_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTQ_DATA", str(tmp_path / "missing.yaml"))
    assert run("product", "fucaso").exit_code == 3


# ---- the cache ---------------------------------------------------------------------------


def cache_files(cache: Path) -> list[Path]:
    return sorted((cache / "cartq").glob("*.sqlite"))


def test_cache_is_built_then_used(private_cache: Path) -> None:
    assert run("product", "fucaso").exit_code == 0
    files = cache_files(private_cache)
    assert len(files) == 1
    mtime = files[0].stat().st_mtime_ns
    assert run("product", "carvykti").exit_code == 0
    assert files[0].stat().st_mtime_ns == mtime


def test_cache_is_invalidated_when_the_fact_base_changes(tmp_path: Path, private_cache: Path) -> None:
    path = write(tmp_path, VALID)
    assert run("product", "fucaso", "--data", str(path), "--json").json()["record"]["brand_names"][0] == "Fucaso"
    path.write_text(VALID.replace("brand_names: [Fucaso, FUCASO]", "brand_names: [Fucazo, FUCASO]"), "utf-8")
    assert run("product", "fucaso", "--data", str(path), "--json").json()["record"]["brand_names"][0] == "Fucazo"
    assert len(cache_files(private_cache)) == 1  # the stale cache for that path was removed


@pytest.mark.parametrize("damage", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 50])
def test_corrupt_or_truncated_cache_is_rebuilt(private_cache: Path, damage: bytes) -> None:
    run("product", "fucaso")
    (target,) = cache_files(private_cache)
    target.write_bytes(damage)
    result = run("product", "fucaso", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.json()["record"]["id"] == "eque-cel"


def test_cache_from_another_format_is_ignored(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("product", "fucaso")
    monkeypatch.setattr(cache, "CACHE_FORMAT", "old")
    assert run("product", "fucaso", "--json").json()["record"]["id"] == "eque-cel"


def test_read_only_cache_directory_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o500)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    try:
        result = run("product", "fucaso", "--json")
        assert (result.exit_code, result.stderr) == (0, "")
    finally:
        cache.chmod(0o700)


def test_cache_dir_that_is_a_file_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert run("product", "fucaso").exit_code == 0


def test_no_cache_env_writes_nothing(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTQ_NO_CACHE", "1")
    assert run("product", "fucaso").exit_code == 0
    assert cache_files(private_cache) == []


def test_concurrent_first_runs_both_answer(tmp_path: Path, private_cache: Path) -> None:
    path = write(tmp_path, VALID)
    env = {**os.environ, "XDG_CACHE_HOME": str(private_cache)}
    code = (
        "import sys; sys.argv=['cartq','product','fucaso','--json','--data',sys.argv[1]]; "
        "from cartq.entry import main; main()"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for _ in range(4)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert b'"id": "eque-cel"' in out
        assert err == b""
    assert len(cache_files(private_cache)) == 1
    assert not list((private_cache / "cartq").glob("*.tmp"))


def test_yaml_is_only_composed_never_constructed_by_pyyaml() -> None:
    loader = yaml_reader._yaml_loader()
    assert issubclass(loader, getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    assert not issubclass(loader, (yaml.FullLoader, yaml.UnsafeLoader, yaml.SafeLoader))


@pytest.mark.parametrize(
    "text", ["a: !!python/name:os.system x\n", "a: !!binary aGVsbG8=\n", "a: !custom x\n", "? [a, b]\n: 1\n"]
)
def test_tags_outside_the_core_schema_and_complex_keys_are_refused(tmp_path: Path, text: str) -> None:
    fails_with(write(tmp_path, text), "invalid YAML at line 1")


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    fails_with(write(tmp_path, "a: &a\n  b: *a\n"), "recursive")


def test_unreadable_file_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, VALID)

    def denied(path: Path) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fact_file, "_open_nonblocking", denied)
    fails_with(path, "permission denied")


def test_alias_bomb_is_bounded_in_time_and_memory_in_a_real_process(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    # The child bounds its own address space: ru_maxrss would count a forked test worker's memory.
    bounded = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20)); "
        "from cartq.entry import main; main()"
    )
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", bounded, "validate", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, _ = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 3
    assert time.monotonic() - started < 5
    assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()


# ---- the event builder: YAML 1.2's core schema, strictly ---------------------------------


def parsed(tmp_path: Path, text: str) -> object:
    path = write(tmp_path, text)
    return yaml_reader.parse_yaml(path.read_bytes(), path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!str 123\n", {"a": "123"}),
        ("a: ! 4\n", {"a": "4"}),  # the non-specific tag makes text, as the YAML spec says
        ("a: !!float 1\n", {"a": 1.0}),
        (
            "a: 1e5\nb: '1'\nc: 010\nd: yes\ne: ~\nf: TRUE\n",
            {"a": 1e5, "b": "1", "c": 10, "d": "yes", "e": None, "f": True},
        ),
        ("a: 2023-06-30\n", {"a": "2023-06-30"}),  # dates stay text; the schema reads them
        ("a: &x [1, 2]\nb: *x\n", {"a": [1, 2], "b": [1, 2]}),
        ("", None),
    ],
)
def test_scalars_follow_the_core_schema(tmp_path: Path, text: str, expected: object) -> None:
    assert parsed(tmp_path, text) == expected


def test_aliases_share_one_object(tmp_path: Path) -> None:
    document = parsed(tmp_path, "a: &x [1]\nb: *x\n")
    assert isinstance(document, dict)
    assert document["a"] is document["b"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: 1\nb: 2\na: 3\n", "line 3: duplicate key 'a'"),
        ("a: !!int abc\n", "line 1: 'abc' is not a valid !!int"),
        ("a: !!bool yes\n", "is not a valid !!bool"),
        ("a: !!map [1]\n", "is not allowed here"),
        ("a: *nowhere\n", "line 1: alias *nowhere has no anchor before it"),
        ("a: &x 1\nb: &x 2\n", "line 2: anchor &x is defined twice"),
        ("a: 1\n---\nb: 2\n", "line 2: expected one document"),
    ],
)
def test_what_the_builder_refuses(tmp_path: Path, text: str, needle: str) -> None:
    fails_with(write(tmp_path, text), needle)


def test_the_builder_agrees_with_pyyaml_on_the_shipped_fact_base() -> None:
    def dates_as_text(value: object) -> object:
        if isinstance(value, dict):
            return {k: dates_as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dates_as_text(v) for v in value]
        return value.isoformat() if hasattr(value, "isoformat") else value

    assert yaml_reader.parse_yaml(FACTS.read_bytes(), FACTS) == dates_as_text(yaml.safe_load(VALID))


def test_every_cached_record_is_the_validated_record(private_cache: Path) -> None:
    from cartq.kinds import KINDS

    data = checks.load_validated(FACTS)
    opened = cache.open_store(FACTS)
    for spec in KINDS:
        assert opened.all(spec.kind) == data[spec.section], spec.section


def test_the_pure_python_parser_gives_the_same_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where PyYAML was built without libyaml, its pure-Python parser stands in.
    fast = yaml_reader.parse_yaml(FACTS.read_bytes(), FACTS)
    monkeypatch.setattr(yaml_reader, "_yaml_loader", lambda: yaml.BaseLoader)
    assert yaml_reader.parse_yaml(FACTS.read_bytes(), FACTS) == fast
    assert yaml_reader.parse_yaml(b"a: ! 4\nb: '1'\nc: 1\n", FACTS) == {"a": "4", "b": "1", "c": 1}
