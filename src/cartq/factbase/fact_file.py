"""The fact base file itself: its stat and its bytes, bounded, before anything parses them.

A lookup imports only this (to compare the file's stat with the cache's), not the YAML reader.
"""

from __future__ import annotations

import os
import stat

from cartq.errors import FactBaseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike

    Path = str | PathLike[str]

# Limits: each refuses a hostile or broken file with one line, long before time or memory run out.
# 64 MiB: above the largest fact base benchmarked (38 MB), and small enough to read whole into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _refuse_kind(path: Path, st: os.stat_result) -> None:
    """Refuse what is not a regular file of at most MAX_FILE_BYTES; a device or a pipe has no size
    to check in advance and may never end (/dev/zero, a FIFO with no writer, a terminal).
    """
    if stat.S_ISDIR(st.st_mode):
        raise FactBaseError(f"fact base {path} is a directory, not a file", hint="pass a .yaml file to --data")
    if not stat.S_ISREG(st.st_mode):
        raise FactBaseError(
            f"fact base {path} is not a regular file (a device, pipe or socket)",
            hint="save the data to a file and pass that to --data",
        )
    if st.st_size > MAX_FILE_BYTES:
        raise FactBaseError(f"fact base {path} is {st.st_size} bytes; the limit is {MAX_FILE_BYTES}")


def _os_error(path: Path, exc: OSError | ValueError) -> FactBaseError:
    if isinstance(exc, FileNotFoundError):
        return FactBaseError(f"fact base not found: {path}", hint="check --data or CARTQ_DATA, or reinstall cartq")
    if isinstance(exc, PermissionError):
        return FactBaseError(f"cannot read fact base {path}: permission denied")
    return FactBaseError(f"cannot read fact base {path}: {getattr(exc, 'strerror', None) or exc}")


def stat_fact_base(path: Path) -> os.stat_result:
    """The fact base's stat, without opening it: FactBaseError unless it is a readable regular file
    within MAX_FILE_BYTES. The cache compares it with the stat it was built from.
    """
    try:
        st = os.stat(path)
        _refuse_kind(path, st)
        if not os.access(path, os.R_OK):
            raise PermissionError(13, "Permission denied")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _os_error(path, exc) from None
    return st


def _open_nonblocking(path: Path) -> int:
    # O_NONBLOCK: a FIFO swapped in after the stat opens at once (and is refused) instead of hanging.
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0)
    return os.open(path, flags)


def read_fact_base(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and the stat of what was read. Only a regular file is read, and never more
    than MAX_FILE_BYTES of it, whatever its stat said (a file in /proc says 0 and may grow).
    """
    try:
        _refuse_kind(path, os.stat(path))
        fd = _open_nonblocking(path)
        try:
            st = os.fstat(fd)
            _refuse_kind(path, st)
            chunks: list[bytes] = []
            total = 0
            while total <= MAX_FILE_BYTES:
                # The stated size and one byte more (to see the end) in one read; a growing file in chunks.
                want = min(max(st.st_size - total + 1, 1 << 16), MAX_FILE_BYTES + 1 - total)
                chunk = os.read(fd, want)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(fd)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _os_error(path, exc) from None
    if total > MAX_FILE_BYTES:
        raise FactBaseError(f"fact base {path} is more than {MAX_FILE_BYTES} bytes; the limit is {MAX_FILE_BYTES}")
    return b"".join(chunks), st


def read_bytes(path: Path) -> bytes:
    return read_fact_base(path)[0]
