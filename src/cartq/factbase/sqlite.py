"""SQLite for the fact base's read path: `from cartq.factbase.sqlite import sqlite3`."""

try:
    # The C module alone: `sqlite3` is this module plus date adapters, whose `datetime` import costs
    # every lookup 1.8 ms (0.19x `python -c pass`, benchmarks/bench.py). Same classes, same connect.
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - an interpreter without CPython's module name
    import sqlite3

__all__ = ["sqlite3"]
