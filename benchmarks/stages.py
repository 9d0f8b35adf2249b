"""Where a first run's time goes: each stage of reading a fact base, timed in one process.

python benchmarks/generate.py 10000 > /tmp/facts-10k.yaml
python benchmarks/stages.py /tmp/facts-10k.yaml
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from cartq.factbase import checks, index, store, yaml_reader


def main(path: Path) -> None:
    started = time.perf_counter()
    last = started

    def lap(stage: str) -> None:
        nonlocal last
        now = time.perf_counter()
        print(f"  {stage:<34} {now - last:6.3f} s")
        last = now

    raw = yaml_reader.read_bytes(path)
    lap("read")
    document = yaml_reader.parse_yaml(raw, path)
    lap("YAML to data (import included)")
    from cartq.factbase.models import FactBase

    lap("import the models")
    base = FactBase.model_validate(document)
    lap("pydantic: validate")
    data = base.model_dump(mode="json")
    lap("pydantic: dump")
    rows = index.index_rows(data)
    lap("names and links")
    problems = checks.check_links(data, rows)
    lap("link checks")
    index.build_index(sqlite3.connect(":memory:"), checks.Validated(data, rows, base), {"digest": "bench"})
    lap("index (in memory)")
    print(f"  {'total':<34} {time.perf_counter() - started:6.3f} s   ({len(problems)} link problems)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else store.default_data_path())
