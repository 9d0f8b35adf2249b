"""Start-up and scale benchmark for cartq: every case of issue 16's target table, each a fresh
process, run interleaved (A B C ... A B C ...), CPU time (user + system, the kernel's accounting
of the finished child) as medians, against `python -c pass` and the bare import of cartq's
libraries; then one line per target with its figure and ok / OVER.

    python benchmarks/bench.py                 # start-up cases, 25 rounds
    python benchmarks/bench.py --scale         # and the 100,000-product cases (generates the base once)
    python benchmarks/bench.py --rounds 9 --scale --products 100000 --base /tmp/facts-100k.yaml

Run it on a normal install (`pip install .`, which byte-compiles), not an editable one. Benchmarks
are not tests: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
CARTQ = shutil.which("cartq", path=str(Path(PY).parent)) or shutil.which("cartq") or "cartq"
BARE_IMPORT = "import typer, rich.table, pydantic, yaml, rapidfuzz.process"
SCREENFUL = 50  # lines: what a Tab may print


class Case:
    def __init__(self, cmd: list[str], env: dict[str, str] | None = None, tty: bool = False, codes=(0,)) -> None:
        self.cmd, self.env, self.tty, self.codes = cmd, env, tty, codes


class Run:
    def __init__(self, cpu: float, wall: float, peak_mib: float, lines: int) -> None:
        self.cpu, self.wall, self.peak_mib, self.lines = cpu, wall, peak_mib, lines


def run(case: Case, base_env: dict[str, str]) -> Run:
    """One fresh process: its CPU seconds, wall seconds, peak RSS and lines of output."""
    env = {**base_env, **(case.env or {})}
    if case.tty:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 80, 0, 0))
        out: int = slave
        env.pop("COLUMNS", None)
    else:
        master, out = -1, subprocess.PIPE
    started = time.perf_counter()
    proc = subprocess.Popen(case.cmd, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    lines = 0
    if case.tty:
        os.close(slave)
        while True:  # drain the terminal, or a long table would block the child
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            lines += chunk.count(b"\n")
    else:
        assert proc.stdout is not None
        for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
            lines += chunk.count(b"\n")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if case.tty:
        os.close(master)
    code = os.waitstatus_to_exitcode(status)
    if code not in case.codes:
        raise SystemExit(f"exit {code}, expected {case.codes}: {' '.join(case.cmd)}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, lines)


def interleave(cases: dict[str, Case], rounds: int, env: dict[str, str]) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {name: [] for name in cases}
    for case in cases.values():  # warm-up: page cache, bytecode, cartq's own cache
        run(case, env)
    for _ in range(rounds):
        for name, case in cases.items():
            runs[name].append(run(case, env))
    return runs


def median_cpu(runs: list[Run]) -> float:
    return statistics.median(r.cpu for r in runs)


def tab(words: str) -> dict[str, str]:
    return {"_CARTQ_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}


Row = tuple[str, float, float, str, str]  # label, figure, limit, unit, reproduce


def startup(rounds: int, env: dict[str, str]) -> tuple[list[Row], dict[str, float]]:
    cases = {
        "python -c pass": Case([PY, "-c", "pass"]),
        "bare import": Case([PY, "-c", BARE_IMPORT]),
        "product fucaso --json": Case([CARTQ, "product", "fucaso", "--json"]),
        "product fucaso (pty, 80 columns)": Case([CARTQ, "product", "fucaso"], tty=True),
        "fuzzy: product fucasso --json": Case([CARTQ, "product", "fucasso", "--json"]),
        "miss: product zzzz --json": Case([CARTQ, "product", "zzzz", "--json"], codes=(1,)),
        "Tab: cartq pro": Case([CARTQ], tab("cartq pro")),
        "Tab: cartq product --": Case([CARTQ], tab("cartq product --")),
        "Tab: cartq product fu": Case([CARTQ], tab("cartq product fu")),
        "--help": Case([CARTQ, "--help"]),
        "product --help": Case([CARTQ, "product", "--help"]),
        "validate (shipped base)": Case([CARTQ, "validate"]),
    }
    runs = interleave(cases, rounds, env)
    med = {name: median_cpu(values) for name, values in runs.items()}
    print(f"CPU time, median of {rounds} interleaved rounds:")
    for name, value in med.items():
        print(f"  {name:36} {value * 1000:8.1f} ms")
    floor, bare = med["python -c pass"], med["bare import"]
    rows: list[Row] = []
    for name, limit, ref, ref_name in (
        ("product fucaso --json", 2.6, floor, "pass"),
        ("product fucaso (pty, 80 columns)", 6.0, floor, "pass"),
        ("fuzzy: product fucasso --json", 3.2, floor, "pass"),
        ("miss: product zzzz --json", 3.2, floor, "pass"),
        ("Tab: cartq pro", 3.0, floor, "pass"),
        ("Tab: cartq product --", 3.0, floor, "pass"),
        ("Tab: cartq product fu", 3.0, floor, "pass"),
        ("--help", 3.0, floor, "pass"),
        ("product --help", 3.0, floor, "pass"),
        ("validate (shipped base)", 1.0, bare, "bare import"),
    ):
        rows.append((f"{name} / {ref_name}", med[name] / ref, limit, "x", " ".join(cases[name].cmd[1:])))
    return rows, med


def scale(rounds: int, env: dict[str, str], products: int, base: Path | None, shipped_lookup: float) -> list[Row]:
    big = base or Path(tempfile.gettempdir()) / f"cartq-facts-{products}.yaml"
    if not big.exists():
        print(f"\ngenerating {products:,} products into {big} ...")
        with big.open("w") as handle:
            subprocess.run([PY, str(HERE / "generate.py"), str(products)], stdout=handle, check=True)
    data = ["--data", str(big)]
    last = f"synth-cel-{products - 1}"
    rows: list[Row] = []

    firsts = []
    for attempt in range(3):
        cold = {**env, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix=f"cartq-cold-{attempt}-")}
        firsts.append(run(Case([CARTQ, "product", last, "--json", *data]), cold))
        shutil.rmtree(cold["XDG_CACHE_HOME"], ignore_errors=True)
    first_cpu = statistics.median(r.cpu for r in firsts)
    first_peak = max(r.peak_mib for r in firsts)
    print(f"\nfirst run at {products:,} products (3 runs): CPU {first_cpu:.1f} s, peak {first_peak:.0f} MiB")
    rows.append((f"first run, {products:,} products (CPU)", first_cpu, 12.0, "s", f"product {last} --json --data BIG"))
    rows.append((f"first run, {products:,} products (peak)", first_peak, 600.0, "MiB", "(the same runs)"))

    cases = {
        "shipped lookup": Case([CARTQ, "product", "fucaso", "--json"]),
        "big exact": Case([CARTQ, "product", last, "--json", *data]),
        "big fuzzy": Case([CARTQ, "product", "synth-cel-9999x", "--json", *data], codes=(0, 1)),
        "big miss": Case([CARTQ, "product", "zzzz", "--json", *data], codes=(1,)),
        "big Tab": Case([CARTQ], {**tab("cartq product synth"), "CARTQ_DATA": str(big)}),
    }
    runs = interleave(cases, rounds, env)
    med = {name: median_cpu(values) for name, values in runs.items()}
    for name, value in med.items():
        print(f"  {name:36} {value * 1000:8.1f} ms")
    rows.append((f"warm exact lookup, {products:,} / shipped", med["big exact"] / med["shipped lookup"], 1.3, "x", ""))
    for name in ("big fuzzy", "big miss", "big Tab"):
        rows.append((f"{name}, {products:,} products", med[name] * 1000, 150.0, "ms", " ".join(cases[name].cmd[1:])))
    tab_lines = max(r.lines for r in runs["big Tab"])
    rows.append((f"big Tab: lines printed, {products:,} products", tab_lines, SCREENFUL, "lines", ""))

    listings = {
        "listing --json": Case([CARTQ, "product", "--json", *data]),
        "listing --jsonl": Case([CARTQ, "product", "--jsonl", *data]),
    }
    listing_runs = interleave(listings, max(1, min(rounds, 3)), env)
    for name, values in listing_runs.items():
        cpu = median_cpu(values)
        peak = max(r.peak_mib for r in values)
        print(f"  {name:36} {cpu:8.2f} s  peak {peak:.0f} MiB")
        rows.append((f"full {name}, {products:,} products (CPU)", cpu, 4.0, "s", " ".join(listings[name].cmd[1:])))
        rows.append((f"full {name}, {products:,} products (peak)", peak, 100.0, "MiB", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--scale", action="store_true", help="also the 100,000-product cases (slow)")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--base", type=Path, help="a generated fact base to use instead of generating one")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cartq-bench-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "COLUMNS": "80"}
    for name in ("NO_COLOR", "FORCE_COLOR", "CARTQ_DATA", "CARTQ_NO_CACHE", "CARTQ_DEBUG"):
        env.pop(name, None)
    print(f"cartq: {CARTQ}\npython: {PY}\n")
    rows, med = startup(args.rounds, env)
    if args.scale:
        rows += scale(max(3, args.rounds // 3), env, args.products, args.base, med["product fucaso --json"])
    print()
    failed = 0
    for label, value, limit, unit, _ in rows:
        verdict = "ok" if value <= limit else "OVER"
        failed += verdict == "OVER"
        print(f"  {label:58} {value:9.2f} {unit:5} (target <= {limit:g} {unit})  {verdict}")
    print(f"\n{len(rows) - failed} of {len(rows)} targets met")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
