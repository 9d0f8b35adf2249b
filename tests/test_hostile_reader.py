"""Hostile fact-base files, round 2 (issue 15): each limit of the reader has a test just under and
just over it, and every refusal is one FactBaseError (exit 3) with the line, never a signal, a
traceback, a hang or unbounded memory. Risky inputs run in a subprocess under resource limits.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from cartq.errors import FactBaseError
from cartq.factbase import checks, fact_file, yaml_reader
from cartq.factbase.checks import MAX_PROBLEMS, load_checked
from cartq.factbase.fact_file import MAX_FILE_BYTES, read_bytes
from cartq.factbase.yaml_reader import (
    MAX_DEPTH,
    MAX_EXPANDED_CHARS,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    MAX_SCALAR_CHARS,
    parse_yaml,
)
from cartq.kinds import KINDS


def tiny_text(extra: str = "", definition: str = "A therapy.") -> str:
    """The smallest valid fact base with a record: one source and one glossary term citing it,
    every other section empty. `extra` is appended to the term.
    """
    empty = "\n".join(f"{s.section}: []" for s in KINDS if s.section not in ("sources", "glossary"))
    return (
        f"title: Tiny\nas_of: 2026-01-01\n{empty}\n"
        "sources:\n  - id: s1\n    title: A source\n    kind: news\n    url: https://example.org/a\n"
        "glossary:\n  - id: car-t\n    name: CAR-T\n    category: technology\n"
        f"    definition: {definition}\n    sources:\n      - source: s1\n{extra}"
    )


def write(tmp_path: Path, text: str | bytes, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def refused(path: Path, *needles: str) -> str:
    with pytest.raises(FactBaseError) as caught:
        load_checked(path)
    text = "\n".join([caught.value.message, *caught.value.problems]).replace(str(path), "PATH")
    for needle in needles:
        assert needle in text, text
    return text


def parsed(text: str) -> object:
    return parse_yaml(text.encode("utf-8"), Path("t.yaml"))


def parse_refused(text: str, *needles: str) -> str:
    with pytest.raises(FactBaseError) as caught:
        parsed(text)
    for needle in needles:
        assert needle in caught.value.message, caught.value.message
    return caught.value.message


# Runs `load_checked(argv[1])`: prints the message and exits 3 on FactBaseError, 0 when valid.
LOAD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cartq.errors import FactBaseError
    from cartq.factbase.checks import load_checked
    try:
        load_checked(Path(sys.argv[1]))
    except FactBaseError as e:
        print(e.message); print("\\n".join(e.problems[:3])); sys.exit(3)
    """
)


def limited(
    code: str, *args: str, memory_mb: int = 1024, cpu_s: int = 20, timeout: float = 30
) -> tuple[int, str, str, float]:
    """Run Python `code` in a subprocess bounded in address space and CPU: (exit code, stdout,
    stderr, seconds). A signal shows as a negative exit code."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))

    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], preexec_fn=limits, capture_output=True, text=True, timeout=timeout
    )
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started


def test_the_tiny_fact_base_is_valid(tmp_path: Path) -> None:
    assert load_checked(write(tmp_path, tiny_text())).data["glossary"][0]["id"] == "car-t"


# ---- 1 and 3: deep nesting: a segfault at 30,000 levels, quadratic time at 100,000 ----------


def nested(levels: int) -> str:
    return "title: " + "[" * levels + "]" * levels + "\n"


@pytest.mark.parametrize("levels", [30_000, 100_000])
def test_deep_nesting_with_a_schema_problem_is_refused_quickly_in_a_real_process(tmp_path: Path, levels: int) -> None:
    # 1.0.0: exit -11 (SIGSEGV in the composer that found line numbers) at 30,000 levels; still
    # running after 60 s at 100,000 (the scanner is quadratic in nesting).
    path = write(tmp_path, nested(levels))
    code, out, err, seconds = limited(LOAD, str(path), memory_mb=1024, cpu_s=20)
    assert code == 3, (code, err)
    assert f"invalid YAML at line 1: nesting deeper than {MAX_DEPTH} levels" in out
    assert "Traceback" not in err
    assert seconds < 10


def test_nesting_just_under_and_just_over_the_limit() -> None:
    assert parsed("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    parse_refused("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nesting deeper than {MAX_DEPTH} levels")


def test_nesting_is_measured_with_aliases_expanded() -> None:
    half = MAX_DEPTH // 2
    deep = "[" * half + "]" * half
    assert parsed(f"a: &a {deep}\nb: {'[' * (half - 1)}*a{']' * (half - 1)}\n")
    parse_refused(f"a: &a {deep}\nb: {'[' * (half + 1)}*a{']' * (half + 1)}\n", "once aliases are expanded")


def test_line_numbers_need_no_recursion_at_the_depth_limit(tmp_path: Path) -> None:
    # A schema problem at the deepest allowed level still gets its line, from the event walk.
    deep = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    text = tiny_text().replace("title: Tiny\n", f"title: Tiny\nextra: {deep}\n")
    refused(write(tmp_path, text), "line 2: extra: Extra inputs are not permitted")


def test_line_index_finds_lines_inside_mappings_sequences_and_past_aliases() -> None:
    text = "a:\n  - x\n  - b: &n 1\n    c: 2\nd: *n\ne: {f: [1, 2]}\n"
    locs = [("a", 1, "c"), ("d",), ("e", "f", 1), ("e", "zz"), ("nope",)]
    lines = yaml_reader.line_index(text, locs)
    assert [yaml_reader.line_of(lines, loc) for loc in locs] == [4, 5, 6, 6, None]


# ---- 2: no size limit on non-regular files; a FIFO hangs ---------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(FactBaseError, match="is not a regular file"):
        read_bytes(Path(device))


def test_a_device_in_a_real_process_is_refused_in_bounded_memory() -> None:
    # 1.0.0: /dev/zero reports size 0, so the size cap never applied and memory grew without end.
    code, out, err, _ = limited(LOAD, "/dev/zero", memory_mb=512, cpu_s=10)
    assert code == 3, (code, err)
    assert "is not a regular file" in out


def test_a_fifo_with_no_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    code, out, err, seconds = limited(LOAD, str(fifo), cpu_s=10, timeout=20)
    assert code == 3, (code, err)
    assert "is not a regular file" in out
    assert seconds < 10


def test_a_fifo_swapped_in_after_the_stat_does_not_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Open is non-blocking and fstat decides: a FIFO with a writer that never writes.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    keep = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer that never writes
    regular = os.stat(write(tmp_path, "a: 1\n"))
    real_stat = os.stat
    monkeypatch.setattr(fact_file.os, "stat", lambda p, *a, **k: regular if p == fifo else real_stat(p, *a, **k))
    result: list[BaseException | bytes] = []
    worker = threading.Thread(target=lambda: result.append(_catch(lambda: read_bytes(fifo))), daemon=True)
    worker.start()
    worker.join(5)
    os.close(keep)
    assert not worker.is_alive(), "read_bytes hung on a FIFO"
    assert isinstance(result[0], FactBaseError) and "not a regular file" in result[0].message


def _catch(call: object) -> BaseException | bytes:
    try:
        return call()  # type: ignore[operator]
    except BaseException as exc:
        return exc


def test_a_piped_stdout_as_the_fact_base_is_refused(tmp_path: Path) -> None:
    # `--data /dev/stdout` with stdout a pipe hung for ever in 1.0.0.
    code = "import sys; from pathlib import Path; from cartq.factbase.fact_file import read_bytes\n"
    code += (
        "try:\n    read_bytes(Path('/dev/stdout'))\nexcept Exception as e:\n    sys.stderr.write(str(e)); sys.exit(3)"
    )
    status, _, err, _ = limited(code, cpu_s=10, timeout=20)
    assert status == 3, err
    assert "is not a regular file" in err


def test_file_size_just_under_and_just_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "sparse.yaml"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES)
    assert len(read_bytes(path)) == MAX_FILE_BYTES
    with open(path, "ab") as f:
        f.write(b"\n")
    with pytest.raises(FactBaseError, match=f"the limit is {MAX_FILE_BYTES}"):
        read_bytes(path)


def test_a_file_that_grows_past_its_stat_is_read_only_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file in /proc says 0 bytes; the read itself is bounded, whatever the stat said.
    path = tmp_path / "grows.yaml"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 10)
    small = os.stat(write(tmp_path, "a: 1\n", "small.yaml"))
    real_fstat = os.fstat
    monkeypatch.setattr(fact_file, "_refuse_kind", lambda p, st: None)
    monkeypatch.setattr(fact_file.os, "fstat", lambda fd: small if fd > 2 else real_fstat(fd))
    with pytest.raises(FactBaseError, match=f"is more than {MAX_FILE_BYTES} bytes"):
        read_bytes(path)


# ---- 4: the alias bomb counted by nodes, not bytes ----------------------------------------


def test_expanded_text_just_under_and_just_over_the_limit() -> None:
    size = MAX_SCALAR_CHARS
    copies = MAX_EXPANDED_CHARS // size
    under = f"a: &s {'x' * size}\nb: [{', '.join(['*s'] * (copies - 1))}]\n"
    document = parsed(under)
    assert isinstance(document, dict) and len(document["b"]) == copies - 1
    over = f"a: &s {'x' * size}\nb: [{', '.join(['*s'] * copies)}]\n"
    parse_refused(over, f"line 2: text expands to more than {MAX_EXPANDED_CHARS:,} characters (an alias bomb?)")


def test_the_byte_bomb_of_the_issue_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # 1.0.0: `aliases: [&big <1 MB>, *big x5000]` built a 5 GB string; now a scalar that long is
    # refused outright, and 100,000 characters x 5,000 copies past the expansion limit.
    path = write(tmp_path, f"aliases: [&big {'x' * MAX_SCALAR_CHARS}, {', '.join(['*big'] * 5000)}]\n")
    code, out, err, _ = limited(LOAD, str(path), memory_mb=1024)
    assert code == 3, (code, err)
    assert "(an alias bomb?)" in out


def test_nodes_just_under_and_just_over_the_limit() -> None:
    width = 1000
    copies = MAX_NODES // (width + 1)
    base = f"a: &a [{', '.join(['1'] * width)}]\n"
    # The document's own nodes: the root mapping, two keys, the sequence under b.
    assert parsed(base + f"b: [{', '.join(['*a'] * (copies - 1))}]\n")
    parse_refused(base + f"b: [{', '.join(['*a'] * copies)}]\n", f"more than {MAX_NODES:,} nodes")


# ---- 5: 1e999, inf and nan became null ----------------------------------------------------


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "!!float 1e400", "!!float -2e308"])
def test_a_number_out_of_range_is_refused_with_its_line(literal: str) -> None:
    parse_refused(f"a: 1\nb: {literal}\n", "line 2: the number", "is out of range")


def test_the_largest_finite_double_is_read() -> None:
    assert parsed("a: 1.7e308\nb: -1.7976931348623157e308\n") == {"a": 1.7e308, "b": -1.7976931348623157e308}


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "Infinity", ".inf", "'1e999'"])
def test_non_finite_numbers_fail_the_schema_with_the_line(tmp_path: Path, value: str) -> None:
    # inf and nan are text to YAML's core schema, and pydantic read them as floats that JSON then
    # wrote as null (1.0.0: `validate` passed, `costs` crashed, `high: inf` dropped a range).
    growth = (
        "growth:\n  - id: g\n    market: China CAR-T\n    percent: " + value + "\n"
        "    start_year: 2024\n    end_year: 2030\n    sources:\n      - source: s1\n"
    )
    text = tiny_text().replace("growth: []\n", growth)
    line = text.splitlines().index(f"    percent: {value}") + 1
    refused(write(tmp_path, text), f"line {line}: growth[0] (id 'g').percent: Input should be a")


# ---- 11 and 15: a 5,000-digit integer (a traceback); a 10 MB field ------------------------


def test_number_length_just_under_and_just_over_the_limit() -> None:
    assert parsed(f"a: {'9' * MAX_NUMBER_CHARS}\n") == {"a": int("9" * MAX_NUMBER_CHARS)}
    assert parsed(f"a: 0.{'1' * (MAX_NUMBER_CHARS - 2)}\n")
    parse_refused(f"a: 1\nb: {'9' * (MAX_NUMBER_CHARS + 1)}\n", f"line 2: a number of {MAX_NUMBER_CHARS + 1:,}")
    parse_refused(f"a: !!int {'9' * (MAX_NUMBER_CHARS + 1)}\n", f"the limit is {MAX_NUMBER_CHARS}")


def test_an_integer_past_pythons_digit_limit_is_a_clean_refusal(tmp_path: Path) -> None:
    # 1.0.0: ValueError (Exceeds the limit (4300 digits) for integer string conversion), exit 1.
    refused(write(tmp_path, tiny_text().replace("title: Tiny", f"title: {'7' * 5000}")), "line 1: a number of 5,000")


def test_scalar_length_just_under_and_just_over_the_limit(tmp_path: Path) -> None:
    assert parsed(f"a: {'x' * MAX_SCALAR_CHARS}\n") == {"a": "x" * MAX_SCALAR_CHARS}
    parse_refused(
        f"a: 1\nb: '{'x' * (MAX_SCALAR_CHARS + 1)}'\n",
        f"line 2: a scalar of {MAX_SCALAR_CHARS + 1:,} characters; the limit is {MAX_SCALAR_CHARS:,}",
    )


def test_a_ten_megabyte_field_is_refused_at_the_reader(tmp_path: Path) -> None:
    refused(write(tmp_path, tiny_text(definition="y" * 10_000_000)), "a scalar of 10,000,000 characters")


# ---- minor: a million schema problems cost 1.8 GB -----------------------------------------


def test_problems_just_under_and_just_over_the_cap(tmp_path: Path) -> None:
    def glossary(n: int) -> str:
        # Each bare number in glossary is one schema problem.
        return tiny_text().replace("glossary:\n", "glossary:\n" + "  - 1\n" * n, 1)

    under = refused(write(tmp_path, glossary(MAX_PROBLEMS)), f"{MAX_PROBLEMS} schema problem(s)")
    assert "more" not in under
    with pytest.raises(FactBaseError) as caught:
        load_checked(write(tmp_path, glossary(MAX_PROBLEMS + 1)))
    assert len(caught.value.problems) == MAX_PROBLEMS + 1
    assert caught.value.problems[-1] == "... and 1 more"
    assert caught.value.problems[0].startswith("line ")


def test_many_schema_problems_in_bounded_memory(tmp_path: Path) -> None:
    # 1.0.0: a million problems took 1.8 GB (pydantic held every error, then listed them all);
    # 200,000 took 465 MB of address space. Now one slice at a time: under 50 MB.
    path = write(tmp_path, "title: x\nproducts: [" + ", ".join(["1"] * 200_000) + "]\n")
    code, out, err, _ = limited(LOAD, str(path), memory_mb=256, cpu_s=20)
    assert code == 3, (code, err)
    assert "200017 schema problem(s)" in out


def test_slices_give_the_same_model_and_the_same_problems_as_one_validation(tmp_path: Path) -> None:
    from cartq.factbase.models import FactBase

    records = "".join(
        f"  - id: t{i}\n    name: T{i}\n    category: technology\n    definition: D.\n    sources: [{{source: s1}}]\n"
        for i in range(5)
    )
    document = parsed(tiny_text().replace("glossary:\n", "glossary:\n" + records))
    assert isinstance(document, dict)
    whole = FactBase.model_validate(document)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "SLICE_RECORDS", 2)
        sliced, count, errors = checks._validate_in_slices(document)
        assert sliced.model_dump() == whole.model_dump()
        document["glossary"][4]["category"] = "nope"
        document["glossary"][1]["id"] = "Bad Id"
        _, count, errors = checks._validate_in_slices(document)
    assert count == 2
    assert [tuple(e["loc"]) for e in errors] == [("glossary", 1, "id"), ("glossary", 4, "category")]


def test_capped_keeps_the_first_problems_and_counts_the_rest() -> None:
    assert checks.capped(["a"] * 3, 3) == ["a"] * 3
    assert checks.capped(["p"] * (MAX_PROBLEMS + 5), MAX_PROBLEMS + 5)[-1] == "... and 5 more"
