"""Study objects into the store: from a file (air-gapped users) or from a fetched list (update).

A file may hold a page (`{"studies": [...]}`), a JSON list of study objects, one study object, or
JSON Lines of study objects. A file that cannot be used as a whole (too big, not JSON, nested
too deep) raises FactBaseError with one line (exit 3, as the issue asks); a study that cannot be
used is reported with its position and skipped, and the rest are imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path  # noqa: TID253
from typing import Any  # noqa: TID253

from cartq.errors import FactBaseError
from cartq.registry.results import RegistryProblem, RegistryUpdate

# Every CAR-T study in China with every field is some 50 MB; parsing 256 MB already takes GBs.
MAX_IMPORT_BYTES = 256 * 1024 * 1024
MAX_PROBLEMS_KEPT = 1000  # a file of garbage lines reports the first ones and a count, not all


def _loads(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise FactBaseError(f"{what} is nested too deep to be a file of studies") from None


Read = tuple[list[Any], list[int], list[RegistryProblem]]


def read_studies(path: str | os.PathLike[str], max_bytes: int = MAX_IMPORT_BYTES) -> Read:
    """The raw study objects of a file, their positions (from 1; line numbers for JSON Lines), and
    the lines of a JSON Lines file that are not JSON."""
    file = Path(path)
    name = file.name
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise FactBaseError(f"{name} is {size / 2**20:.0f} MB, over the import limit of "
                                f"{max_bytes / 2**20:.0f} MB")
        data = file.read_bytes()
    except OSError as error:
        raise FactBaseError(f"cannot read {file}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FactBaseError(f"{name} is not JSON (not UTF-8 text)") from None
    del data
    try:
        document = _loads(text, name)
    except ValueError as error:
        # JSON Lines: several documents ('Extra data'), or a first line that is itself broken.
        if "Extra data" in str(error) or text.strip().count("\n"):
            return _read_lines(text, name, error)
        raise FactBaseError(f"{name} is not JSON ({_short(error)})") from None
    if isinstance(document, dict) and "studies" in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            raise FactBaseError(f"{name}: 'studies' is not a list")
        return studies, list(range(1, len(studies) + 1)), []
    if isinstance(document, dict) and "protocolSection" in document:
        return [document], [1], []
    if isinstance(document, list):
        return document, list(range(1, len(document) + 1)), []
    raise FactBaseError(f"{name} is JSON but not studies (expected a page with 'studies', a list, or JSON Lines)")


def _short(error: ValueError) -> str:
    return str(error).split(":")[0] if isinstance(error, json.JSONDecodeError) else str(error)[:80]


def _read_lines(text: str, name: str, whole: ValueError) -> Read:
    studies: list[Any] = []
    positions: list[int] = []
    problems: list[RegistryProblem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            studies.append(_loads(line, f"{name} line {number}"))
            positions.append(number)
        except ValueError as error:
            if len(problems) < MAX_PROBLEMS_KEPT:
                problems.append({"position": number, "nct_id": "", "reason": f"line is not JSON ({_short(error)})"})
    # A broken pretty-printed document is not JSON Lines, though a line or two of it may parse.
    if not any(isinstance(study, dict) for study in studies):
        raise FactBaseError(f"{name} is not JSON ({_short(whole)})")
    return studies, positions, problems


def ingest(
    raws: list[Any],
    positions: list[int] | None = None,
    *,
    registry: str | os.PathLike[str] | None,
    meta: Mapping[str, str],
    merge: bool = False,
    products: Mapping[str, str] | None = None,
    pivotal: Mapping[str, str] | None = None,
    problems: list[RegistryProblem] | None = None,
    total_reported: int | None = None,
) -> RegistryUpdate:
    """Validate study objects, keep those with a site in China, and build the store atomically."""
    from cartq.registry.models import parse_studies
    from cartq.registry.store import build, has_china_site, now_utc

    studies, bad = parse_studies(raws, positions)
    skipped = sorted([*(problems or []), *bad], key=lambda p: p["position"])
    # The last copy of a study wins when a file or the API repeats one.
    unique = {study.nct_id: study for study in studies}
    in_china = [study for study in unique.values() if has_china_site(study)]
    full_meta = {"retrieved": now_utc(), "skipped": str(len(skipped)), "since": "", "origin": "api",
                 "query": "", "api_url": "", **meta}
    path, stored = build(registry, in_china, full_meta, merge=merge, products=products, pivotal=pivotal)
    return {
        "path": str(path),
        "origin": full_meta["origin"],
        "query": full_meta["query"],
        "since": full_meta["since"],
        "fetched": len(raws),
        "stored": stored,
        "added_or_updated": len(in_china),
        "skipped": skipped,
        "not_in_china": len(unique) - len(in_china),
        "total_reported": total_reported,
    }


def import_file(
    path: str | os.PathLike[str],
    registry: str | os.PathLike[str] | None = None,
    *,
    products: Mapping[str, str] | None = None,
    pivotal: Mapping[str, str] | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> RegistryUpdate:
    """Replace the registry with the studies of a file. FactBaseError for an unusable file."""
    raws, positions, problems = read_studies(path, max_bytes)
    meta = {"origin": "import", "query": f"imported from {Path(path).name}", "api_url": ""}
    return ingest(raws, positions, registry=registry, meta=meta, products=products, pivotal=pivotal, problems=problems)
