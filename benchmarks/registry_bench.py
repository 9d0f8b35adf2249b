"""Registry benchmark: the 2026-08-22 snapshot (2,274 studies) rebuilt as API v2 objects at run time.

    python benchmarks/registry_bench.py            # 5 rounds
    python benchmarks/registry_bench.py --rounds 9

Cases, each in a fresh process so imports count: `import_file` of the whole snapshot as one page
(budget: <= 3 s), `update` from a loopback server, and a filtered listing and a facet over the
stored registry compared with `python -c pass` (budget: <= 2.5x). Nothing derived from the
snapshot is written outside a temp directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ctgov_fake import FakeCtgov, snapshot_studies  # noqa: E402

PY = sys.executable
IMPORT_BUDGET = 3.0
QUERY_RATIO_BUDGET = 2.5


def timed(code: str, rounds: int, env: dict[str, str]) -> float:
    """Median wall time of `python -c code` in seconds, after one warm-up run (bytecode cached)."""
    times = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        subprocess.run([PY, "-c", code], check=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    studies = snapshot_studies()
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        # Warm, as a user's install is: bytecode cached (in the temp folder, not the repository).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        page = Path(folder) / "snapshot.json"
        page.write_text(json.dumps({"studies": studies}))
        registry = Path(folder) / "registry.sqlite"
        importing = (f"from cartq.registry.importer import import_file; "
                     f"r = import_file({str(page)!r}, {str(registry)!r}); assert r['stored'] == 1241")
        seconds = timed(importing, rounds, env)
        failed |= seconds > IMPORT_BUDGET
        print(f"import_file, {len(studies)} studies ({page.stat().st_size / 2**20:.1f} MB), cold process: "
              f"{seconds:.2f} s median of {rounds} (budget {IMPORT_BUDGET} s)")

        with FakeCtgov(studies) as fake:
            updating = (f"from cartq.registry.update import update; "
                        f"r = update({str(registry)!r}, api_url={fake.url!r}); assert r['stored'] == 1241")
            print(f"update from a loopback server, cold process: {timed(updating, rounds, env):.2f} s median")

        base = timed("pass", rounds * 2, env)
        listing = ("from cartq.registry.query import Filters, list_studies; "
                   f"list_studies({str(registry)!r}, Filters(target='bcma', status='recruiting', city='shanghai'))")
        facet = ("from cartq.registry.query import Filters, facet; "
                 f"facet('phase', {str(registry)!r}, Filters(status='recruiting', target='bcma'))")
        for name, code in (("filtered listing", listing), ("facet phase --status recruiting --target bcma", facet)):
            seconds = timed(code, rounds * 2, env)
            ratio = seconds / base
            failed |= ratio > QUERY_RATIO_BUDGET
            print(f"{name}: {seconds * 1000:.0f} ms = {ratio:.2f}x python -c pass ({base * 1000:.0f} ms; "
                  f"budget {QUERY_RATIO_BUDGET}x; the domain call, without the CLI's own start-up)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
