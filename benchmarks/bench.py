"""Start-up benchmark for cartq: whole-process wall time, interleaved runs, medians and ratios.

    python benchmarks/bench.py            # 15 rounds
    python benchmarks/bench.py --rounds 30

References: `python -c pass` and the bare import of cartq's libraries. Cases: a JSON lookup (stdout
to a pipe), a table lookup on a pseudo-terminal (as a person runs it), peak memory (ru_maxrss of
the child), and the 10,000-product scale case (first run with an empty cache, then warm lookups
interleaved with the same lookup on the shipped base). Every case runs in a fresh process.
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


def run(cmd: list[str], env: dict[str, str], tty: bool = False) -> tuple[float, int]:
    """Wall time in seconds and peak RSS in KiB of one run."""
    if tty:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
        out = slave
    else:
        master, out = -1, subprocess.PIPE
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    if tty:
        os.close(slave)
        while True:  # drain the terminal, or a long table would block the child
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
    else:
        assert proc.stdout is not None
        proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if tty:
        os.close(master)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss


def interleave(cases: dict[str, tuple[list[str], dict[str, str], bool]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    for cmd, env, tty in cases.values():  # warm-up: page cache, bytecode, cartq's own cache
        run(cmd, env, tty)
    for _ in range(rounds):
        for name, (cmd, env, tty) in cases.items():
            times[name].append(run(cmd, env, tty)[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cartq-bench-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    for name in ("NO_COLOR", "CARTQ_DATA", "CARTQ_NO_CACHE"):
        env.pop(name, None)

    print(f"cartq: {CARTQ}\npython: {PY}\nrounds: {args.rounds} (interleaved; medians)\n")
    startup = interleave(
        {
            "python -c pass": ([PY, "-c", "pass"], env, False),
            "bare import": ([PY, "-c", BARE_IMPORT], env, False),
            "cartq product fucaso --json": ([CARTQ, "product", "fucaso", "--json"], env, False),
            "cartq product fucaso (tty)": ([CARTQ, "product", "fucaso"], env, True),
        },
        args.rounds,
    )
    med = {name: statistics.median(values) for name, values in startup.items()}
    for name, value in med.items():
        print(f"  {name:32} {value * 1000:7.1f} ms")
    bare = med["bare import"]
    memory = max(run([CARTQ, "product", "fucaso", "--json"], env)[1] for _ in range(3)) / 1024

    big = work / f"facts-{args.products}.yaml"
    with big.open("w") as handle:
        subprocess.run([PY, str(HERE / "generate.py"), str(args.products)], stdout=handle, check=True)
    lookup = ["product", f"synth-cel-{args.products - 1}", "--json"]
    firsts = []
    for attempt in range(3):
        cold = {**env, "XDG_CACHE_HOME": str(work / f"cold-{attempt}")}
        firsts.append(run([CARTQ, *lookup, "--data", str(big)], cold)[0])
    scale = interleave(
        {
            "shipped": ([CARTQ, "product", "fucaso", "--json"], env, False),
            "big warm": ([CARTQ, *lookup, "--data", str(big)], env, False),
        },
        args.rounds,
    )
    scale_ratio = statistics.median(scale["big warm"]) / statistics.median(scale["shipped"])

    rows = [
        ("json lookup / bare import", med["cartq product fucaso --json"] / bare, 0.60, "x"),
        ("table lookup (tty) / bare import", med["cartq product fucaso (tty)"] / bare, 0.85, "x"),
        ("peak memory, json lookup", memory, 60.0, "MiB"),
        (f"warm lookup, {args.products:,} products / shipped", scale_ratio, 1.5, "x"),
        (f"first run, {args.products:,} products (median of 3)", statistics.median(firsts), 3.0, "s"),
    ]
    print()
    for label, value, limit, unit in rows:
        verdict = "ok" if value <= limit else "OVER"
        print(f"  {label:48} {value:8.2f} {unit:4} (target <= {limit:g} {unit})  {verdict}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
