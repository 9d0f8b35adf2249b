"""The registry listing's filters: phases and statuses as people type them, and the SQL they
become. A phase or status that means nothing raises UsageError listing the valid values."""

from __future__ import annotations

import re
import sqlite3

from cartq.enums import RegistryPhase, RegistryStatus
from cartq.errors import UsageError
from cartq.names import normalise
from cartq.registry.dates import pad, parse_option
from cartq.registry.derive import fold, indication_values, target_keys
from cartq.registry.store import CHINA

# The API's phase combinations and statuses with the labels people see (from cartq.enums).
PHASES: dict[str, str] = {member.value: member.label for member in RegistryPhase}
STATUSES: dict[str, str] = {member.value: member.label for member in RegistryStatus}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def phase_label(joined: str) -> str:
    return PHASES.get(joined, joined.replace("|", "/").lower())


def status_label(status: str) -> str:
    return STATUSES.get(status, status.replace("_", " ").lower())


def resolve_phase(text: str) -> str:
    """'2', 'II', 'phase 2', 'Phase II' -> 'PHASE2'; '1/2', 'I-II' -> 'PHASE1|PHASE2'; 'early 1' ->
    'EARLY_PHASE1'; 'na' -> 'NA'; 'none' -> '' (no phase given). UsageError otherwise."""
    key = normalise(text)
    if key in ("na", "notapplicable"):
        return "NA"
    if key in ("none", "nonegiven", "nophase"):
        return ""
    folded = re.sub(r"phases?|ph\b", " ", fold(text).replace("_", " "))
    early = "early" in folded or folded.strip() == "0"
    parts = [p for p in re.split(r"[\s/,&+|\-]+|\band\b|\bearly\b", folded) if p]
    numbers = sorted({_ROMAN.get(part, part) for part in parts})
    joined = "EARLY_PHASE1" if early and numbers in (["1"], ["0"], []) else "|".join(f"PHASE{n}" for n in numbers)
    if joined in PHASES and joined:
        return joined
    valid = ", ".join(label.removeprefix("phase ") for label in PHASES.values())
    raise UsageError(f"unknown phase {text!r}; use one of: {valid}")


def resolve_status(text: str) -> str:
    """'recruiting', 'Not yet recruiting', 'ACTIVE_NOT_RECRUITING' -> the API value; UsageError otherwise."""
    key = normalise(text)
    for value, label in STATUSES.items():
        if key in (normalise(value), normalise(label), normalise(label.split(" (")[0])):
            return value
    valid = ", ".join(label.split(" (")[0] for label in STATUSES.values())
    raise UsageError(f"unknown status {text!r}; use one of: {valid}")


class Filters:
    """The listing filters as the user typed them; `where` resolves them (UsageError if invalid).

    since/until bound the start date (yyyy, yyyy-MM or yyyy-MM-dd). A plain class rather than a
    dataclass, which would import inspect at start-up."""

    NAMES = ("target", "indication", "product", "sponsor", "phase", "status", "city", "since", "until", "text")
    __slots__ = NAMES

    def __init__(self, target: str | None = None, indication: str | None = None, product: str | None = None,
                 sponsor: str | None = None, phase: str | None = None, status: str | None = None,
                 city: str | None = None, since: str | None = None, until: str | None = None,
                 text: str | None = None) -> None:
        self.target, self.indication, self.product, self.sponsor = target, indication, product, sponsor
        self.phase, self.status, self.city, self.since, self.until, self.text = (
            phase, status, city, since, until, text)

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{k}={v!r}' for k, v in self.given().items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self.given() == other.given()

    __hash__ = None  # type: ignore[assignment]

    def given(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.NAMES if getattr(self, name) not in (None, "")}

    def where(self, conn: sqlite3.Connection) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        given = self.given()
        if "status" in given:
            clauses.append("s.overall_status = ?")
            args.append(resolve_status(given["status"]))
        if "phase" in given:
            clauses.append("s.phase = ?")
            args.append(resolve_phase(given["phase"]))
        for what in ("target", "indication", "product"):
            if what in given:
                values = sorted(_derived_values(conn, what, given[what]))
                marks = ",".join("?" * len(values)) or "NULL"
                clauses.append(f"s.nct_id IN (SELECT nct_id FROM derived WHERE what = ? AND value IN ({marks}))")
                args += [what, *values]
        if "sponsor" in given:
            clauses.append("instr(s.sponsor_key, ?) > 0")
            args.append(_key(given["sponsor"], "--sponsor"))
        if "city" in given:
            # The city itself when the registry has it ('Xian' is not 'Xianyang'); else a part of a name.
            key = _key(given["city"], "--city")
            exact = conn.execute("SELECT 1 FROM sites WHERE country = ? AND city_key = ? LIMIT 1", (CHINA, key))
            test = "city_key = ?" if exact.fetchone() else "instr(city_key, ?) > 0"
            clauses.append(f"s.nct_id IN (SELECT nct_id FROM sites WHERE country = ? AND {test})")
            args += [CHINA, key]
        if "since" in given:
            clauses.append("s.start_sort <> '' AND s.start_sort >= ?")
            args.append(pad(parse_option(given["since"], "--since")))
        if "until" in given:
            clauses.append("s.start_sort <> '' AND s.start_sort <= ?")
            args.append(pad(parse_option(given["until"], "--until"), end=True))
        if "text" in given:
            clauses.append("instr(s.text_key, ?) > 0")
            args.append(_key(given["text"], "the search text"))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _key(value: str, what: str) -> str:
    key = normalise(value)
    if not key:
        raise UsageError(f"{what} needs letters or digits, not {value!r}")
    return key


def _derived_values(conn: sqlite3.Connection, what: str, typed: str) -> set[str]:
    """The stored derived values a typed name stands for (aliases, then loose name matching)."""
    key = normalise(typed)
    stored = {row[0] for row in conn.execute("SELECT DISTINCT value FROM derived WHERE what = ?", (what,))}
    if what == "target":
        wanted = target_keys(typed) | {v for v in stored if normalise(v) == key}
    elif what == "indication":
        wanted = indication_values(typed) | {v for v in stored if key and key in normalise(v)}
    else:  # product ids as the caller gave them to the importer
        wanted = {v for v in stored if normalise(v) == key}
    return wanted
