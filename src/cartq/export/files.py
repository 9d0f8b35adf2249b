"""Where exports may write: never over the fact base, never over a file cartq did not write, always
through a temporary file (or directory) renamed into place, so a reader never sees half an export.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile  # noqa: TID253
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field  # noqa: TID253
from pathlib import Path  # noqa: TID253

from cartq.errors import UsageError

SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA application_id of every cartq export: b"cart" as a big-endian integer (header bytes 68-71).
APPLICATION_ID = int.from_bytes(b"cart", "big")
FORMAT = "cartq-export"  # the marker in JSON exports, datasette metadata and data packages
FORMAT_VERSION = 1


@dataclass
class ExportResult:
    """What an export wrote: the files, and the rows per table."""

    written: list[Path]
    tables: dict[str, int] = field(default_factory=dict)


def _same_file(a: Path, b: Path | None) -> bool:
    if b is None:
        return False
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_target(path: Path, is_ours: Callable[[Path], bool], what: str, fact_base: Path | None) -> None:
    """Raise UsageError unless `path` is absent, empty, or an earlier cartq export of this kind."""
    if _same_file(path, fact_base):
        raise UsageError(f"{path} is the fact base; cartq never writes to it", hint="choose another path")
    if not path.exists() and not path.is_symlink():
        parent = path.parent
        if not parent.is_dir():
            raise UsageError(f"directory {parent} does not exist", hint=f"create it first: mkdir -p {parent}")
        return
    if path.is_file() and path.stat().st_size == 0:
        return
    if not is_ours(path):
        raise UsageError(
            f"{path} exists and is not an earlier cartq {what} export; refusing to overwrite it",
            hint="remove it or choose another path",
        )


def is_sqlite_export(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if not header.startswith(SQLITE_HEADER) or len(header) < 72:
        return False
    return int.from_bytes(header[68:72], "big") == APPLICATION_ID


def is_json_export(path: Path, key: str = "format") -> bool:
    try:
        with path.open("rb") as handle:
            document = json.loads(handle.read())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get(key) == FORMAT


def is_datasette_metadata(path: Path) -> bool:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    marker = document.get("cartq") if isinstance(document, dict) else None
    return isinstance(marker, dict) and marker.get("format") == FORMAT


def is_csv_export(path: Path) -> bool:
    """A directory holding a cartq data package and nothing but the files it lists."""
    if not path.is_dir():
        return False
    package = path / "datapackage.json"
    if not is_json_export(package, "cartq_format"):
        return False
    listed = {"datapackage.json"}
    with contextlib.suppress(ValueError, OSError):
        listed |= {resource["path"] for resource in json.loads(package.read_bytes()).get("resources", [])}
    return all(entry.name in listed for entry in path.iterdir())


@contextlib.contextmanager
def temp_file(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside `path`, renamed onto it when the block ends without error."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write in {path.parent}: {exc.strerror}") from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


@contextlib.contextmanager
def temp_dir(path: Path) -> Iterator[Path]:
    """A temporary directory beside `path` that replaces it when the block ends without error."""
    try:
        temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise UsageError(f"cannot write in {path.parent}: {exc.strerror}") from None
    old: Path | None = None
    try:
        yield temp
        os.chmod(temp, 0o755)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / "previous")
        os.replace(temp, path)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_json(path: Path, document: object) -> None:
    with temp_file(path) as temp:
        temp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
