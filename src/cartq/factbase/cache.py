"""The SQLite cache of a validated fact base: a private, verified artefact.

- Where: $XDG_CACHE_HOME/cartq when XDG_CACHE_HOME is absolute (the XDG spec says to ignore a
  relative one), else .cache/cartq under an absolute HOME or the passwd entry's home; with none of
  them there is no cache (the index is built in memory), never one in the current directory.
- Whose: the directory must be a real directory of ours; it is created 0700 and an existing one of
  ours loses any permission bits of others. A symlink, another user's directory, or one we cannot enter is not
  used (the index is built in memory). A file in it is used only if it is a regular file of ours
  that no one else can write, looked at without following symlinks.
- Which: one file per fact-base path. Its `meta` holds its identity: the cache format, cartq's
  version and the source of the modules that shape a record (`code`), the content hash of the fact
  base it was built from (`digest`) and that file's stat (`stat`: size, mtime, ctime, inode,
  device). As git's index does, an unchanged stat skips reading and re-hashing the fact base; a
  changed one re-hashes it and the content hash decides. A stat taken within RACY_NS of the read
  is not recorded (the file might change again within one timestamp tick) until a later run.
- Damage: checked cheaply at open (SQLite's header, the file's size against its page count, the
  meta table), and as rows are read (each record's checksum, each column's type, in temporary
  views that shadow the tables): a damaged file found at open or later is rebuilt, never answered
  with a traceback.
- Tidiness: on each build, temp files of writers that died (or older than STALE_TMP_SECONDS) are
  removed, and so are caches of fact bases that no longer exist; at most MAX_CACHE_FILES are kept.
"""

from __future__ import annotations

import json  # the Store's own reader: no cost here
import os
import stat
import time

from cartq import __version__
from cartq.errors import FactBaseError
from cartq.factbase.fact_file import read_fact_base, stat_fact_base
from cartq.factbase.guard import CheckedStore, _guard, blake2b
from cartq.factbase.sqlite import sqlite3
from cartq.factbase.store import Store
from cartq.paths import cache_dir

# The checks and the index builder are imported only where a cache is built or
# damage is answered; `typing` only for the type checker: a lookup from a sound cache needs none.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from os import PathLike
    from typing import Any

    Where = str | PathLike[str]  # paths are strings here: `pathlib` costs a lookup more than it does

# Bump when the cache's tables change. 5: one file per path, stat and code in meta, record checksums;
# 6: no search text column (search folds each record itself); 7: built a slice at a time as the
# YAML is read: records written with their checksums, links with their order (`ord`) in the registry's
# order of kinds whatever the file's order of sections, names with an `owner` (names_by_norm is
# unique) and no `length` (length(norm) is as quick), records indexed in order, and a `listings`
# table: each listing's rows, precomputed, in pages.
CACHE_FORMAT = "7"
# The modules that shape a stored record: the schema, its closed sets, the kind registry, the
# index builders and the listing rows they store. Their source is part of the cache key, so a
# changed model (a new defaulted field, say) is never served from a cache built by the old one.
SHAPING_MODULES = (
    "factbase/models.py",
    "enums.py",
    "kinds.py",
    "records.py",
    "factbase/index.py",
    "factbase/stream.py",
    "names.py",
    "listing_rows.py",
)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

# A fact base changed within this long before it was read may change again with the same stat
# (timestamps tick coarsely: FAT keeps 2 s), so its stat is not trusted until a later run.
RACY_NS = 2_000_000_000
# A temp file whose writer still runs after this long belongs to a reused pid (a first build of
# the 10,000-product benchmark takes seconds); one whose writer is gone is removed at once.
STALE_TMP_SECONDS = 600
# Cache files kept, one per fact-base path, the oldest removed first: each may be tens of MB.
MAX_CACHE_FILES = 8

_SQLITE_MAGIC = b"SQLite format 3\x00"
# Never through a symlink; never blocking (a FIFO planted under a cache's name).
_NO_FOLLOW = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def models_fingerprint() -> bytes:
    h = blake2b(digest_size=16)
    for name in SHAPING_MODULES:
        with open(os.path.join(_PACKAGE, name), "rb") as source:
            h.update(name.encode() + b"\0" + source.read())
    return h.digest()


def _code_key() -> str:
    return blake2b(f"{CACHE_FORMAT}\0{__version__}\0".encode() + models_fingerprint(), digest_size=16).hexdigest()


def build_index(connection: sqlite3.Connection, path: Where, raw: bytes, key: dict[str, str]) -> None:
    """Validate the fact base and fill the index from it as it is read, or raise FactBaseError
    (cartq.factbase.stream, imported only for a build)."""
    from cartq.factbase.stream import build_checked

    build_checked(connection, path, raw, key)


def _euid() -> int:
    geteuid = getattr(os, "geteuid", None)  # not on Windows, where st_uid is always 0
    return geteuid() if geteuid else 0


def private_dir(directory: str | None) -> str | None:
    """`directory`, created 0700 if need be, when it is a directory of ours that only we can use
    (others' permission bits are removed from an existing one) and can enter; None otherwise."""
    if directory is None:
        return None
    try:
        os.makedirs(os.path.dirname(directory), mode=0o700, exist_ok=True)  # as the XDG spec asks
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass
        st = os.lstat(directory)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != _euid():
            return None  # a symlink, a file, or another user's directory: a planted cache
        if st.st_mode & 0o077:  # others' bits only: a mode the owner chose for himself (000) stays
            os.chmod(directory, stat.S_IMODE(st.st_mode) & 0o700)
        if not os.access(directory, os.X_OK):
            return None
    except (OSError, NotImplementedError):
        return None
    return directory


def _path_key(path: Where) -> str:
    return blake2b(os.fsencode(os.path.realpath(path)), digest_size=8).hexdigest()


def _digest(raw: bytes) -> str:
    return blake2b(raw, digest_size=16).hexdigest()


def _stat_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def _trusted_stat(st: os.stat_result, read_at_ns: int) -> str:
    """The stat to record, or "" when the file changed too shortly before it was read."""
    if read_at_ns - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
        return ""
    return _stat_key(st)


def _display(path: Where) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_URI_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def _uri(file: Where, mode: str) -> str:
    # Quoted as urllib.parse.quote does (which imports ipaddress and more): a '#', '?' or '%' in
    # the path would otherwise end or change the URI.
    quoted = "".join(chr(byte) if byte in _URI_SAFE else f"%{byte:02X}" for byte in os.fsencode(file))
    return f"file:{quoted}?mode={mode}"


def _our_file(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode) and st.st_uid == _euid() and not st.st_mode & 0o022


def _sound_file(file: Where) -> bool:
    """A regular file of ours, not a symlink, whose SQLite header agrees with its size: catches a
    truncated, extended, foreign or planted file without reading more than 100 bytes.
    """
    try:
        fd = os.open(file, _NO_FOLLOW)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not _our_file(st):
            return False
        header = os.read(fd, 100)
    except OSError:
        return False
    finally:
        os.close(fd)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid when its version matches the change counter (SQLite >= 3.7.0).
    if header[92:96] != header[24:28]:
        return False
    return pages > 0 and st.st_size == page_size * pages


def _open_cached(file: Where, code: str) -> tuple[sqlite3.Connection, dict[str, str]] | None:
    """A read-only connection to a sound cache file built by this code, and its meta; else None."""
    if not _sound_file(file):
        return None
    connection = None
    try:
        connection = sqlite3.connect(_uri(file, "ro"), uri=True)
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        if meta.get("code") != code or not meta.get("digest"):
            connection.close()
            return None
        _guard(connection)
        return connection, meta
    except (sqlite3.Error, ValueError, TypeError):
        if connection is not None:
            connection.close()
        return None  # damaged, truncated or foreign: rebuild


def _refresh_stat(directory: Where, file: Where, source: sqlite3.Connection, stat_key: str) -> None:
    """Record the fact base's stat in a cache whose content hash matched (it was built from a file
    changed just before, or the file was touched since), so the next run skips hashing. A copy is
    changed and renamed into place, as a build is: the file in use is never written. Best effort.
    """

    def fill(copy: sqlite3.Connection) -> None:
        source.backup(copy)
        copy.execute("UPDATE meta SET value = ? WHERE key = 'stat'", (stat_key,))
        copy.commit()

    _write_atomically(directory, file, fill)


def _write_atomically(directory: Where, file: Where, fill: Callable[[sqlite3.Connection], None]) -> bool:
    """Fill a new SQLite file under a temp name (mode 0600, named with our pid for `tidy`) and
    rename it over `file`, so no reader ever sees half a file. False if anything fails; the temp
    file is removed then, and on Ctrl-C too (which goes on up). Only SIGKILL leaves one, for `tidy`.
    """
    import tempfile

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f"{os.path.basename(file)}.{os.getpid()}.", suffix=".tmp", dir=directory)
    except OSError:
        return False
    os.close(fd)
    done = False
    try:
        connection = sqlite3.connect(tmp_name)
        try:
            fill(connection)
        finally:
            connection.close()
        os.replace(tmp_name, file)
        done = True
    except (OSError, sqlite3.Error, ValueError):
        pass
    finally:
        if not done:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    return done


def _writer_gone(name: str) -> bool:
    """Whether the pid in a temp file's name (`<cache>.<pid>.<random>.tmp`) is no longer running."""
    parts = name.split(".")
    if len(parts) < 4 or not parts[-3].isdigit():
        return False
    try:
        os.kill(int(parts[-3]), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def _built_for(file: Where) -> str | None:
    """The fact-base path a cache file was built for, or None if it cannot be read."""
    try:
        connection = sqlite3.connect(_uri(file, "ro"), uri=True)
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = 'path'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) else None


def tidy(directory: Where, keep: str) -> None:
    """Remove temp files left by killed builds, caches of fact bases that are gone or unreadable,
    and the oldest caches past MAX_CACHE_FILES; `keep` is the file being built. Never raises.
    """
    now = time.time()
    caches: list[tuple[float, str]] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        try:
            st = entry.stat(follow_symlinks=False)
            if name.endswith(".tmp"):
                if stat.S_ISDIR(st.st_mode):
                    continue
                if _writer_gone(name) or now - st.st_mtime > STALE_TMP_SECONDS:
                    os.unlink(entry.path)
            elif name.endswith(".sqlite") and name != keep:
                if stat.S_ISDIR(st.st_mode):
                    continue  # not ours to empty; the build goes on without it
                built_for = _built_for(entry.path) if _our_file(st) else None
                if built_for is None or not os.path.exists(built_for) or name.startswith(keep[:16] + "-"):
                    os.unlink(entry.path)
                else:
                    caches.append((st.st_mtime, entry.path))
        except OSError:
            continue
    caches.sort()
    for _, old in caches[: max(0, len(caches) + 1 - MAX_CACHE_FILES)]:
        try:
            os.unlink(old)
        except OSError:
            pass


def _write_cache(directory: Where, file: Where, path: Where, raw: bytes, key: dict[str, str]) -> bool:
    """Tidy the directory, then build the cache beside `file` and rename it into place. False if
    it could not be written; the FactBaseError of a fact base that is not sound goes on up (and
    the temp file goes, as on Ctrl-C)."""

    def fill(connection: sqlite3.Connection) -> None:
        build_index(connection, path, raw, key)

    tidy(directory, os.path.basename(file))
    return _write_atomically(directory, file, fill)


def _in_memory(path: Where, raw: bytes, key: dict[str, str]) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    build_index(connection, path, raw, key)
    return connection


def _proven(path: Where) -> tuple[sqlite3.Connection, dict[str, str]] | None:
    """The cache of `path` and its meta when it proves the fact base valid: built by this same
    code from these same bytes (a cache is only ever built from a fact base that passed every
    check). The content is always hashed here (no stat shortcut); nothing is written."""
    if os.environ.get("CARTQ_NO_CACHE", "") not in ("", "0"):
        return None
    directory = private_dir(cache_dir())
    if directory is None:
        return None
    opened = _open_cached(os.path.join(directory, f"{_path_key(path)}.sqlite"), _code_key())
    if opened is None:
        return None
    connection, meta = opened
    try:
        raw, _ = read_fact_base(path)
    except (OSError, ValueError, FactBaseError):
        raw = None
    if raw is None or meta.get("digest") != _digest(raw):
        connection.close()
        return None
    return connection, meta


def known_data(path: Where) -> dict[str, Any] | None:
    """The validated data of a fact base whose cache proves it valid (_proven), key for key and
    value for value what validating it again gives (checks.load_validated): each record from its
    checked JSON, the rest from the cache's meta. None otherwise, or if anything in the cache
    does not read back, and then the caller validates."""
    proven = _proven(path)
    if proven is None:
        return None
    connection, meta = proven
    try:
        from cartq.kinds import BY_SECTION

        layout = json.loads(meta.get("layout", ""))
        data: dict[str, Any] = {}
        for key, value in layout:
            if key in BY_SECTION:
                rows = connection.execute(
                    "SELECT data FROM records WHERE kind = ? ORDER BY seq", (BY_SECTION[key].kind,)
                )
                data[key] = [json.loads(text) for (text,) in rows]
            else:
                data[key] = value
        return data
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        connection.close()


def open_store(path: Where) -> Store:
    """Open the fact base at `path`: from its cache when the cache is sound and built from the same
    bytes by the same code, else by reading and validating it (and caching the result).
    """
    st = stat_fact_base(path)
    use_cache = os.environ.get("CARTQ_NO_CACHE", "") in ("", "0")
    directory = private_dir(cache_dir()) if use_cache else None
    if directory is None:
        raw, st = read_fact_base(path)
        key = _key(path, _digest(raw), "", "")
        from cartq.factbase.checks import no_cyclic_gc

        with no_cyclic_gc():
            return Store(_in_memory(path, raw, key), path)
    file = os.path.join(directory, f"{_path_key(path)}.sqlite")
    code = _code_key()
    opened = _open_cached(file, code)
    if opened is not None and opened[1].get("stat") == _stat_key(st):
        return CheckedStore(opened[0], path, lambda: _rebuild(path, directory, file, code))
    return _build(path, directory, file, code, opened)


def _key(path: Where, digest: str, code: str, stat_key: str) -> dict[str, str]:
    return {
        "format": CACHE_FORMAT,
        "version": __version__,
        "code": code,
        "digest": digest,
        "path": _display(path),
        "stat": stat_key,
    }


def _build(
    path: Where,
    directory: Where,
    file: Where,
    code: str,
    opened: tuple[sqlite3.Connection, dict[str, str]] | None,
) -> Store:
    read_at = time.time_ns()
    raw, st = read_fact_base(path)
    digest = _digest(raw)
    stat_key = _trusted_stat(st, read_at)
    if opened is not None:
        connection, meta = opened
        if meta.get("digest") == digest:
            if stat_key and meta.get("stat") != stat_key:
                _refresh_stat(directory, file, connection, stat_key)
            return CheckedStore(connection, path, lambda: _rebuild(path, directory, file, code))
        connection.close()
    from cartq.factbase.checks import no_cyclic_gc

    with no_cyclic_gc():
        key = _key(path, digest, code, stat_key)
        if _write_cache(directory, file, path, raw, key):
            fresh = _open_cached(file, code)
            if fresh is not None and fresh[1].get("digest") == digest:
                return CheckedStore(fresh[0], path, lambda: _rebuild(path, directory, file, code))
            if fresh is not None:
                fresh[0].close()
        return Store(_in_memory(path, raw, key), path)  # hardly ever: no cache could be written


def _rebuild(path: Where, directory: Where, file: Where, code: str) -> sqlite3.Connection:
    """A fresh index after damage was found in the cache file: the damaged file is replaced."""
    try:
        os.unlink(file)
    except OSError:
        pass
    return _build(path, directory, file, code, None).connection


def validated_data(path: Where) -> dict[str, Any]:
    """The validated data of a fact base. One whose cache was built by this same code from these
    same bytes passed these same checks then, so its data comes back from the cache (no YAML, no
    pydantic: `cartq validate` in a fifth of the time); any other is read and validated."""
    from cartq.factbase.checks import load_validated

    data = known_data(path)
    return data if data is not None else load_validated(path)
