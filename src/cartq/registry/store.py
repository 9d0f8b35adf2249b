"""The registry store: one SQLite file, written only by `build` and `rederive`, read only through
`connect`.

`build` writes a new file beside the old one and swaps it in with os.replace, so a reader sees
either the old store or the new one, and an interrupted or failed update leaves the old one intact
(its temp file removed). Registry facts and cartq's derivations live in separate tables. Nothing
here writes anywhere but the registry file: never the fact base.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path  # noqa: TID253
from typing import TYPE_CHECKING  # noqa: TID253

from cartq.errors import RegistryError
from cartq.names import normalise
from cartq.paths import registry_file
from cartq.registry.dates import pad

if TYPE_CHECKING:
    from cartq.registry.models import Study

SCHEMA_VERSION = "1"
CHINA = "China"  # the registry's own country name; Taiwan and Hong Kong are separate values
_TEMP_PREFIX = ".registry-"
_STALE_TEMP_SECONDS = 24 * 3600

SCHEMA = """
CREATE TABLE studies (
    nct_id TEXT PRIMARY KEY, brief_title TEXT, official_title TEXT, acronym TEXT,
    overall_status TEXT, last_known_status TEXT, study_type TEXT,
    phase TEXT,                       -- the API's phases joined with '|', '' when none
    start_date TEXT, start_type TEXT,
    start_sort TEXT,                  -- start date padded to a day (for --since/--until), '' if none
    primary_completion_date TEXT, primary_completion_type TEXT,
    completion_date TEXT, completion_type TEXT,
    last_update_posted TEXT,
    lead_sponsor TEXT, lead_sponsor_class TEXT,
    enrollment INTEGER, enrollment_type TEXT,
    minimum_age TEXT, maximum_age TEXT, std_ages TEXT,
    site_count INTEGER,
    sponsor_key TEXT,                 -- normalised lead sponsor and collaborators, for matching
    text_key TEXT                     -- normalised titles, conditions and interventions
) WITHOUT ROWID;
CREATE TABLE sites (nct_id TEXT, position INTEGER, facility TEXT, city TEXT, state TEXT, country TEXT,
                    status TEXT, city_key TEXT);
CREATE TABLE conditions (nct_id TEXT, position INTEGER, condition TEXT);
CREATE TABLE interventions (nct_id TEXT, position INTEGER, type TEXT, name TEXT, other_names TEXT);
CREATE TABLE phases (nct_id TEXT, phase TEXT);
CREATE TABLE collaborators (nct_id TEXT, position INTEGER, name TEXT, class TEXT);
CREATE TABLE derived (nct_id TEXT, what TEXT, value TEXT, how TEXT);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX sites_nct ON sites (nct_id);
CREATE INDEX conditions_nct ON conditions (nct_id);
CREATE INDEX interventions_nct ON interventions (nct_id);
CREATE INDEX phases_nct ON phases (nct_id);
CREATE INDEX collaborators_nct ON collaborators (nct_id);
CREATE INDEX derived_nct ON derived (nct_id);
CREATE INDEX derived_value ON derived (what, value);
"""
_TABLES = ("sites", "conditions", "interventions", "phases", "collaborators", "derived")


def default_path() -> Path:
    return Path(registry_file())


def resolve_path(path: str | os.PathLike[str] | None) -> Path:
    return Path(path).expanduser() if path else default_path()


def now_utc() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def has_china_site(study: Study) -> bool:
    return any(loc.country == CHINA for loc in study.protocolSection.contactsLocationsModule.locations)


def connect(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """The store opened read-only; RegistryError when there is none or it is not a cartq registry."""
    file = resolve_path(path)
    if not file.is_file():
        raise RegistryError(
            f"no trial registry at {file}", hint="run `cartq registry update` (or `cartq registry import FILE` offline)"
        )
    try:
        conn = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError as error:
        raise RegistryError(
            f"{file} is not a readable trial registry ({error})", hint="run `cartq registry update` to rebuild it"
        ) from None
    if row is None or row[0] != SCHEMA_VERSION:
        conn.close()
        raise RegistryError(
            f"{file} was built by another version of cartq", hint="run `cartq registry update` to rebuild it"
        )
    return conn


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _study_rows(study: Study, products: Mapping[str, str] | None, pivotal: Mapping[str, str] | None) -> dict:
    import json

    from cartq.registry.derive import derive

    p = study.protocolSection
    ident, status, design = p.identificationModule, p.statusModule, p.designModule
    sponsors, interventions = p.sponsorCollaboratorsModule, p.armsInterventionsModule.interventions
    conditions, locations = p.conditionsModule.conditions, p.contactsLocationsModule.locations
    nct = ident.nctId
    names = [i.name for i in interventions if i.name]
    other = [name for i in interventions for name in i.otherNames]
    agencies = [sponsors.leadSponsor.name, *(c.name for c in sponsors.collaborators)]
    text = [nct, ident.briefTitle, ident.officialTitle, ident.acronym, *conditions, *names, *other]
    start = status.startDateStruct.date
    study_row = (
        nct,
        ident.briefTitle,
        ident.officialTitle,
        ident.acronym,
        status.overallStatus,
        status.lastKnownStatus or "",
        design.studyType or "",
        "|".join(design.phases),
        start or "",
        status.startDateStruct.type or "",
        pad(start),
        status.primaryCompletionDateStruct.date or "",
        status.primaryCompletionDateStruct.type or "",
        status.completionDateStruct.date or "",
        status.completionDateStruct.type or "",
        status.lastUpdatePostDateStruct.date or "",
        sponsors.leadSponsor.name,
        sponsors.leadSponsor.class_,
        design.enrollmentInfo.count,
        design.enrollmentInfo.type or "",
        p.eligibilityModule.minimumAge,
        p.eligibilityModule.maximumAge,
        "|".join(p.eligibilityModule.stdAges),
        len(locations),
        "|".join(normalise(a) for a in agencies if a),
        "|".join(normalise(t) for t in text if t),
    )
    return {
        "studies": [study_row],
        "sites": [
            (nct, i, loc.facility, loc.city, loc.state, loc.country, loc.status, normalise(loc.city))
            for i, loc in enumerate(locations)
        ],
        "conditions": [(nct, i, c) for i, c in enumerate(conditions)],
        "interventions": [
            (nct, i, iv.type, iv.name, json.dumps(iv.otherNames, ensure_ascii=False))
            for i, iv in enumerate(interventions)
        ],
        "phases": [(nct, phase) for phase in design.phases],
        "collaborators": [(nct, i, c.name, c.class_) for i, c in enumerate(sponsors.collaborators)],
        "derived": [
            (nct, d["what"], d["value"], d["how"])
            for d in derive(nct, names, other, ident.briefTitle, ident.officialTitle, conditions, products, pivotal)
        ],
    }


def _insert(
    conn: sqlite3.Connection,
    studies: Iterable[Study],
    products: Mapping[str, str] | None,
    pivotal: Mapping[str, str] | None,
) -> None:
    batches: dict[str, list[tuple]] = {"studies": [], **{table: [] for table in _TABLES}}
    for study in studies:
        for table, rows in _study_rows(study, products, pivotal).items():
            batches[table].extend(rows)
    for table, rows in batches.items():
        if rows:
            marks = ",".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _clean_stale_temps(directory: Path) -> None:
    """Remove temp files left by a killed update (a day old, so a running one is never touched)."""
    import time

    cutoff = time.time() - _STALE_TEMP_SECONDS
    for temp in directory.glob(_TEMP_PREFIX + "*.tmp"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()


def _swap_in(path: str | os.PathLike[str] | None, write: Callable[[sqlite3.Connection, Path], int]) -> tuple[Path, int]:
    """Run `write` on a new file beside the store, then swap it in with os.replace.

    On any failure or interruption the temp file is removed and the old store is left as it was.
    """
    import tempfile  # writing only: queries never pay for it

    target = resolve_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale_temps(target.parent)
        fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise RegistryError(f"cannot write the trial registry in {target.parent}: {error.strerror}") from None
    os.close(fd)
    temp = Path(temp_name)
    try:
        conn = sqlite3.connect(temp)
        try:
            conn.execute("PRAGMA synchronous = OFF")  # a fresh private file: fsync once at the end
            count = write(conn, target)
        finally:
            conn.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except sqlite3.Error as error:
        raise RegistryError(f"cannot write the trial registry {target}: {error}") from None
    except OSError as error:
        raise RegistryError(f"cannot write the trial registry {target}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return target, count


def build(
    path: str | os.PathLike[str] | None,
    studies: list[Study],
    meta: Mapping[str, str],
    *,
    merge: bool = False,
    products: Mapping[str, str] | None = None,
    pivotal: Mapping[str, str] | None = None,
) -> tuple[Path, int]:
    """Write the registry atomically; with merge=True start from the current store (for --since).

    Returns the path and the number of studies now stored. Studies without a site in China must
    already have been dropped by the caller. Raises RegistryError if the directory is not writable.
    """

    def write(conn: sqlite3.Connection, target: Path) -> int:
        merging = merge and target.is_file()
        if merging:
            with contextlib.closing(connect(target)) as old:
                old.backup(conn)
            ids = [(study.nct_id,) for study in studies]
            for table in ("studies", *_TABLES):
                conn.executemany(f"DELETE FROM {table} WHERE nct_id = ?", ids)
        else:
            conn.executescript(SCHEMA)
        with conn:
            _insert(conn, studies, products, pivotal)
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION), *meta.items()])
        if not merging:
            conn.executescript(INDEXES)  # after the rows: faster than keeping them up to date
        return conn.execute("SELECT count(*) FROM studies").fetchone()[0]

    return _swap_in(path, write)


def rederive(
    path: str | os.PathLike[str] | None = None,
    products: Mapping[str, str] | None = None,
    pivotal: Mapping[str, str] | None = None,
) -> int:
    """Derive targets, indications and products again from the stored registry text (after the
    fact base changed, or cartq's term lists did), swapped in atomically. Returns the derivations."""
    import json

    from cartq.registry.derive import derive

    def write(conn: sqlite3.Connection, target: Path) -> int:
        with contextlib.closing(connect(target)) as old:
            old.backup(conn)
        names: dict[str, list[str]] = {}
        other: dict[str, list[str]] = {}
        for nct, name, others in conn.execute(
            "SELECT nct_id, name, other_names FROM interventions ORDER BY nct_id, position"
        ):
            if name:
                names.setdefault(nct, []).append(name)
            other.setdefault(nct, []).extend(json.loads(others))
        conditions: dict[str, list[str]] = {}
        for nct, condition in conn.execute("SELECT nct_id, condition FROM conditions ORDER BY nct_id, position"):
            conditions.setdefault(nct, []).append(condition)
        rows = [
            (nct, d["what"], d["value"], d["how"])
            for nct, brief, official in conn.execute("SELECT nct_id, brief_title, official_title FROM studies")
            for d in derive(
                nct, names.get(nct, []), other.get(nct, []), brief, official, conditions.get(nct, []), products, pivotal
            )
        ]
        with conn:
            conn.execute("DELETE FROM derived")
            conn.executemany("INSERT INTO derived VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    connect(path).close()  # a clear error when there is no store to derive from
    return _swap_in(path, write)[1]
