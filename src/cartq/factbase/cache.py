"""The SQLite cache of a validated fact base: keyed by everything that shapes a stored record,
built under a temporary name and renamed into place, rebuilt when anything in its key changes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from cartq import __version__
from cartq.factbase.checks import Validated, load_checked
from cartq.factbase.index import build_index
from cartq.factbase.store import Store
from cartq.factbase.yaml_reader import read_bytes

# Bump when the cache's tables change.
CACHE_FORMAT = "4"
# The modules that shape a stored record: the schema, its closed sets, the kind registry and the
# index builder. Their source is part of the cache key, so a changed model (a new defaulted field,
# say) is never served from a cache built by the old one.
SHAPING_MODULES = ("factbase/models.py", "enums.py", "kinds.py", "records.py", "factbase/index.py", "names.py")
_PACKAGE = Path(__file__).resolve().parent.parent


def models_fingerprint() -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for name in SHAPING_MODULES:
        h.update(name.encode() + b"\0" + (_PACKAGE / name).read_bytes())
    return h.digest()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cartq"


def _digest(path: Path, raw: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{CACHE_FORMAT}\0{__version__}\0".encode())
    h.update(models_fingerprint())
    h.update(raw)
    return h.hexdigest()


def _key(path: Path, digest: str) -> dict[str, str]:
    return {"format": CACHE_FORMAT, "version": __version__, "digest": digest, "path": str(path)}


def _path_key(path: Path) -> str:
    return hashlib.blake2b(str(path.resolve()).encode(), digest_size=8).hexdigest()


def _open_cached(file: Path, digest: str) -> sqlite3.Connection | None:
    if not file.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        row = connection.execute("SELECT value FROM meta WHERE key = 'digest'").fetchone()
        fmt = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row and fmt and row[0] == digest and fmt[0] == CACHE_FORMAT:
            return connection
        connection.close()
    except sqlite3.Error:
        pass  # corrupt, truncated or foreign: rebuild
    return None


def _write_cache(directory: Path, file: Path, facts: Validated, path: Path, digest: str) -> bool:
    """Build the cache in a temp file and rename it into place, so no reader sees half a file."""
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=file.name + ".", suffix=".tmp", dir=directory)
    except OSError:
        return False
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        connection = sqlite3.connect(tmp)
        try:
            build_index(connection, facts, _key(path, digest))
        finally:
            connection.close()
        os.replace(tmp, file)
    except (OSError, sqlite3.Error):
        tmp.unlink(missing_ok=True)
        return False
    for stale in directory.glob(file.name.split("-")[0] + "-*.sqlite"):
        if stale != file:
            stale.unlink(missing_ok=True)
    return True


def open_store(path: Path) -> Store:
    """Open the fact base at `path`, from the cache when it is fresh, else by reading and validating."""
    raw = read_bytes(path)
    digest = _digest(path, raw)
    use_cache = os.environ.get("CARTQ_NO_CACHE", "") in ("", "0")
    directory = cache_dir()
    file = directory / f"{_path_key(path)}-{digest}.sqlite"
    if use_cache:
        connection = _open_cached(file, digest)
        if connection is not None:
            return Store(connection, path)
    facts = load_checked(path, raw)
    if use_cache and _write_cache(directory, file, facts, path, digest):
        connection = _open_cached(file, digest)
        if connection is not None:
            return Store(connection, path)
    connection = sqlite3.connect(":memory:")
    build_index(connection, facts, _key(path, digest))
    return Store(connection, path)
