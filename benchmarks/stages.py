"""Where a first run's time and memory go: each stage of reading a fact base and building its
cache, timed in one process, as the cache builds it (the cyclic GC off, as load_checked does).

python benchmarks/generate.py 10000 > /tmp/facts-10k.yaml
python benchmarks/stages.py /tmp/facts-10k.yaml
"""

from __future__ import annotations

import resource
import sqlite3
import sys
import time
from pathlib import Path

from cartq.factbase import cache, checks, fact_file, index, store, yaml_reader


def main(path: Path) -> None:
    started = time.perf_counter()
    last = started

    def lap(stage: str) -> None:
        nonlocal last
        now = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {stage:<34} {now - last:6.3f} s   peak {peak:6.0f} MiB")
        last = now

    with checks.no_cyclic_gc():
        raw = fact_file.read_bytes(path)
        lap("read")
        document = yaml_reader.parse_yaml(raw, path)
        lap("YAML to data (import included)")
        __import__("cartq.factbase.models")

        lap("import the models")
        base, count, _ = checks._validate_in_slices(document, consume=True)
        del document
        lap(f"pydantic: validate ({count} errors)")
        data, texts = checks._dump(base)
        lap("dump: each record's JSON, and its data")
        rows = index.index_rows(data)
        lap("names and links")
        problems = checks.check_links(data, rows)
        lap("link checks")
        connection = sqlite3.connect(":memory:")
        index.build_index(connection, index.Validated(data, rows, base, texts), {"digest": "bench"})
        lap("index (in memory)")
        cache._add_checksums(connection)
        lap("record checksums")
    print(f"  {'total':<34} {time.perf_counter() - started:6.3f} s   ({len(problems)} link problems)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else store.default_data_path())
