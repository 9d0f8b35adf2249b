"""Where a first run's time and memory go: the stages of building a fact base's cache, timed in
one process as the cache builds it (the cyclic GC off, each kind's records validated and written
a slice at a time as the YAML is read; cartq.factbase.stream), into a temporary file as the cache
is (an index in memory would count the whole database in the peak).

python benchmarks/generate.py 10000 > /tmp/facts-10k.yaml
python benchmarks/stages.py /tmp/facts-10k.yaml
"""

from __future__ import annotations

import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from cartq import paths
from cartq.factbase import checks, fact_file, index, stream


class Clock:
    """Seconds spent inside a function, summed over its calls (wrapped in place)."""

    def __init__(self, owner: object, name: str) -> None:
        self.total = 0.0
        real = getattr(owner, name)

        def timed(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - started

        setattr(owner, name, timed)


def main(path: Path) -> None:
    started = time.perf_counter()
    last = started
    last_cpu = time.process_time()

    def lap(stage: str) -> None:
        nonlocal last, last_cpu
        now, cpu = time.perf_counter(), time.process_time()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {stage:<44} {now - last:6.3f} s  (CPU {cpu - last_cpu:6.3f} s)   peak {peak:6.0f} MiB")
        last, last_cpu = now, cpu

    flush = Clock(stream._Section, "flush")
    from cartq.factbase.models import FactBase

    validate = Clock(FactBase, "model_validate")
    add = Clock(index.IndexWriter, "add")
    with checks.no_cyclic_gc():
        raw = fact_file.read_bytes(path)
        lap("read")
        folder = tempfile.TemporaryDirectory(prefix="cartq-stages-")
        connection = sqlite3.connect(os.path.join(folder.name, "index.sqlite"))
        writer = index.IndexWriter(connection)
        head = stream.read_into(writer, path, raw)
        total = time.perf_counter() - last
        lap("YAML, validated and written, streamed")
        print(f"    {'of which YAML to data':<42} {total - flush.total:6.3f} s")
        print(f"    {'of which validating and serialising':<42} {flush.total - add.total:6.3f} s")
        print(f"      {'of which pydantic':<40} {validate.total:6.3f} s")
        print(f"    {'of which names, links and rows written':<42} {add.total:6.3f} s")
        named = writer.index()
        lap("indexes (and the shared-name check)")
        sound = head is not None and named and writer.sound()
        lap("link checks")
        if sound:
            stream.finish(writer, {"digest": "bench"}, head)
        lap("meta and listings")
        connection.close()
        folder.cleanup()
    seconds, cpu = time.perf_counter() - started, time.process_time()
    print(f"  {'total':<44} {seconds:6.3f} s  (CPU {cpu:6.3f} s)   ({'sound' if sound else 'NOT sound'})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else paths.default_data_path())
