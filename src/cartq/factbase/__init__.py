"""The fact base: reading, validating, caching and the read API over it."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from cartq.factbase.store import Store


def open_store(data: str | Path | None = None) -> Store:
    """The fact base named by `--data` (or CARTQ_DATA, or the shipped one), from its cache when fresh."""
    from cartq.factbase.cache import open_store as opened
    from cartq.paths import resolve_data_path

    return opened(resolve_data_path(data))
