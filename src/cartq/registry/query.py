"""Reading the registry: listings with filters, one study in full, facet counts, and its metadata.

Plain sqlite3 and no pydantic, so a query costs little more than start-up. Filters resolve
loosely ('II', 'phase 2', '1/2'; 'not yet recruiting'); a phase or status that means nothing
raises UsageError listing the valid values. Names (sponsor, city, free text) match by
cartq.names.normalise and substring, so 'Xi'an' finds 'Xian'.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING  # noqa: TID253

from cartq.errors import NotFound, UsageError
from cartq.names import normalise
from cartq.registry.dates import precision
from cartq.registry.filters import PHASES as PHASES
from cartq.registry.filters import STATUSES as STATUSES
from cartq.registry.filters import Filters as Filters
from cartq.registry.filters import phase_label
from cartq.registry.filters import status_label as status_label
from cartq.registry.store import CHINA, connect, read_meta, resolve_path

if TYPE_CHECKING:  # TypedDicts are plain dicts at run time: no need to pay for typing at start-up
    from cartq.registry.results import (
        RegistryDerivation,
        RegistryFacetCount,
        RegistryFacets,
        RegistryInfo,
        RegistryLink,
        RegistryStudy,
        RegistryStudyRow,
    )

STUDY_URL = "https://clinicaltrials.gov/study/{}"
SOURCE = "ClinicalTrials.gov (U.S. National Library of Medicine)"

FACETS = ("target", "phase", "status", "sponsor", "city", "year")
UNCLASSIFIED = "unclassified"
_NCT = re.compile(r"^NCT\d{8}$")


@contextlib.contextmanager
def _open(registry: str | os.PathLike[str] | None) -> Iterator[sqlite3.Connection]:
    conn = connect(registry)
    try:
        yield conn
    finally:
        conn.close()


def _derived_by_study(conn: sqlite3.Connection, ids: str, args: list[object]) -> dict[str, dict[str, list[str]]]:
    grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"target": [], "indication": [], "product": []})
    for nct, what, value in conn.execute(f"SELECT nct_id, what, value FROM derived WHERE nct_id IN ({ids}) "
                                         f"ORDER BY rowid", args):
        grouped[nct][what].append(value)
    return grouped


def list_studies(registry: str | os.PathLike[str] | None = None, filters: Filters | None = None,
                 limit: int | None = None) -> list[RegistryStudyRow]:
    """Studies matching every filter, latest start first (no start date last)."""
    filters = filters or Filters()
    with _open(registry) as conn:
        where, args = filters.where(conn)
        sql = (f"SELECT s.nct_id, s.brief_title, s.acronym, s.overall_status, s.phase, s.start_date, "
               f"s.lead_sponsor, s.enrollment FROM studies s{where} "
               f"ORDER BY s.start_sort = '', s.start_sort DESC, s.nct_id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        studies = conn.execute(sql, args).fetchall()
        # Sites and derivations of the listed studies only (all of them when nothing is filtered).
        ids = f"SELECT s.nct_id FROM studies s{where}"
        cities: dict[str, list[str]] = defaultdict(list)
        counts: Counter[str] = Counter()
        for nct, city in conn.execute(f"SELECT nct_id, city FROM sites WHERE country = ? AND nct_id IN ({ids}) "
                                      f"ORDER BY nct_id, position", [CHINA, *args]):
            counts[nct] += 1
            if city and city not in cities[nct]:
                cities[nct].append(city)
        derived = _derived_by_study(conn, ids, args)
    empty: dict[str, list[str]] = {"target": [], "indication": [], "product": []}
    rows: list[RegistryStudyRow] = []
    for nct, title, acronym, status, phase, start, sponsor, enrollment in studies:
        links = derived.get(nct, empty)
        rows.append({
            "nct_id": nct, "title": title, "acronym": acronym, "status": status, "phase": phase_label(phase),
            "start_date": start, "lead_sponsor": sponsor, "enrollment": enrollment,
            "china_sites": counts[nct], "cities": cities.get(nct, []),
            "targets": links["target"], "indications": links["indication"], "products": links["product"],
            "url": STUDY_URL.format(nct),
        })
    return rows


def count_studies(registry: str | os.PathLike[str] | None = None, filters: Filters | None = None) -> int:
    """How many studies match: for the fact base's 'N registered studies' links."""
    with _open(registry) as conn:
        where, args = (filters or Filters()).where(conn)
        return conn.execute(f"SELECT count(*) FROM studies s{where}", args).fetchone()[0]


LINK_FILTERS = {"product": "product", "target": "target", "indication": "indication", "company": "sponsor"}


def link(kind: str, name: str, registry: str | os.PathLike[str] | None = None) -> RegistryLink | None:
    """For a fact-base record's page: how many registered studies concern it, and the command that
    lists them. `kind` is product (pass its id), target, indication or company (a sponsor or
    collaborator name). None when there is no registry yet, so a lookup never fails for want of one."""
    import shlex

    from cartq.errors import RegistryError

    option = LINK_FILTERS.get(kind)
    if option is None:
        raise ValueError(f"no registry link for {kind!r}")
    try:
        count = count_studies(registry, Filters(**{option: name}))
    except (RegistryError, UsageError):
        return None
    return {"count": count, "command": f"cartq registry --{option} {shlex.quote(name)}"}


SUGGEST_CUTOFF = 70.0
_SUGGESTABLE = {
    "sponsor": "SELECT lead_sponsor FROM studies UNION SELECT name FROM collaborators",
    "city": f"SELECT DISTINCT city FROM sites WHERE country = '{CHINA}'",
    "target": "SELECT DISTINCT value FROM derived WHERE what = 'target'",
    "indication": "SELECT DISTINCT value FROM derived WHERE what = 'indication'",
    "product": "SELECT DISTINCT value FROM derived WHERE what = 'product'",
}


def suggest(filters: Filters, registry: str | os.PathLike[str] | None = None,
            limit: int = 3) -> dict[str, list[str]]:
    """For each name filter that on its own matches nothing, the closest names in the registry
    (for 'no study matches --sponsor carsgn; did you mean: ...'). Empty when every filter matches."""
    from rapidfuzz import fuzz, process

    given = filters.given()
    found: dict[str, list[str]] = {}
    with _open(registry) as conn:
        for option, sql in _SUGGESTABLE.items():
            if option not in given:
                continue
            where, args = Filters(**{option: given[option]}).where(conn)
            if conn.execute(f"SELECT 1 FROM studies s{where} LIMIT 1", args).fetchone():
                continue
            names = [row[0] for row in conn.execute(sql) if row[0]]
            keys = [normalise(name) for name in names]
            # partial_ratio: a typed name is usually a part of the registered one ('carsgn' in a company name)
            hits = process.extract(normalise(given[option]), keys, scorer=fuzz.partial_ratio, processor=None,
                                   limit=limit * 4, score_cutoff=SUGGEST_CUTOFF)
            ranked = sorted(hits, key=lambda hit: (-hit[1], len(names[hit[2]])))
            found[option] = list(dict.fromkeys(names[index] for _, _, index in ranked))[:limit]
    return found


def normalise_nct(text: str) -> str:
    """'nct05066646' or ' NCT05066646 ' -> 'NCT05066646'; '' when it is not an NCT id."""
    value = text.strip().upper()
    return value if _NCT.match(value) else ""


def get_study(nct_id: str, registry: str | os.PathLike[str] | None = None) -> RegistryStudy:
    """One study in full; NotFound when it is not in the registry."""
    nct = normalise_nct(nct_id)
    if not nct:
        raise UsageError(f"{nct_id!r} is not an NCT id (NCT and eight digits)")
    with _open(registry) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM studies WHERE nct_id = ?", (nct,)).fetchone()
        if row is None:
            raise NotFound(f"no study {nct} in the trial registry",
                           hint="it may have no site in China, or the registry may be older than it: "
                                "`cartq registry update`")
        sites = conn.execute("SELECT facility, city, state, country, status FROM sites WHERE nct_id = ? "
                             "ORDER BY position", (nct,)).fetchall()
        collaborators = conn.execute("SELECT name, class FROM collaborators WHERE nct_id = ? ORDER BY position",
                                     (nct,)).fetchall()
        conditions = [r[0] for r in conn.execute("SELECT condition FROM conditions WHERE nct_id = ? "
                                                 "ORDER BY position", (nct,))]
        interventions = conn.execute("SELECT type, name, other_names FROM interventions WHERE nct_id = ? "
                                     "ORDER BY position", (nct,)).fetchall()
        derived: list[RegistryDerivation] = [
            {"what": what, "value": value, "how": how}
            for what, value, how in conn.execute("SELECT what, value, how FROM derived WHERE nct_id = ? "
                                                 "ORDER BY rowid", (nct,))]
        retrieved = read_meta(conn).get("retrieved", "")
    other_countries = sorted({site["country"] for site in sites if site["country"] and site["country"] != CHINA})

    def date_parts(prefix: str) -> tuple[str, str, str]:
        value = row[f"{prefix}_date"]
        return value, precision(value), row[f"{prefix}_type"]

    start, primary, completion = date_parts("start"), date_parts("primary_completion"), date_parts("completion")
    return {
        "nct_id": nct,
        "url": STUDY_URL.format(nct),
        "brief_title": row["brief_title"],
        "official_title": row["official_title"],
        "acronym": row["acronym"],
        "status": row["overall_status"],
        "last_known_status": row["last_known_status"],
        "study_type": row["study_type"],
        "phases": row["phase"].split("|") if row["phase"] else [],
        "phase": phase_label(row["phase"]),
        "start_date": start[0], "start_precision": start[1], "start_type": start[2],
        "primary_completion_date": primary[0], "primary_completion_precision": primary[1],
        "primary_completion_type": primary[2],
        "completion_date": completion[0], "completion_precision": completion[1], "completion_type": completion[2],
        "last_update_posted": row["last_update_posted"],
        "lead_sponsor": row["lead_sponsor"],
        "lead_sponsor_class": row["lead_sponsor_class"],
        "collaborators": [{"name": name, "agency_class": cls} for name, cls in collaborators],
        "conditions": conditions,
        "interventions": [{"type": kind, "name": name, "other_names": _json_list(other)}
                          for kind, name, other in interventions],
        "enrollment": row["enrollment"],
        "enrollment_type": row["enrollment_type"],
        "minimum_age": row["minimum_age"],
        "maximum_age": row["maximum_age"],
        "std_ages": row["std_ages"].split("|") if row["std_ages"] else [],
        "china_sites": [{"facility": s["facility"], "city": s["city"], "state": s["state"],
                         "country": s["country"], "status": s["status"]} for s in sites if s["country"] == CHINA],
        "other_countries": other_countries,
        "site_count": len(sites),
        "derived": derived,
        "retrieved": retrieved,
        "source": SOURCE,
    }


def _json_list(text: str) -> list[str]:
    import json  # only one study in full needs it

    return json.loads(text)


def facet(by: str, registry: str | os.PathLike[str] | None = None, filters: Filters | None = None) -> RegistryFacets:
    """Counts of matching studies by target, phase, status, lead sponsor, Chinese city or start year.

    A study counts once per value it has (several targets, several cities); studies with no value
    count as 'unclassified' (target), 'none given' (phase) or 'no start date' (year).
    """
    if by not in FACETS:
        raise UsageError(f"cannot count by {by!r}; use one of: {', '.join(FACETS)}")
    filters = filters or Filters()
    with _open(registry) as conn:
        where, args = filters.where(conn)
        ids = f"SELECT s.nct_id FROM studies s{where}"
        total = conn.execute(f"SELECT count(*) FROM ({ids})", args).fetchone()[0]
        counts: Counter[str] = Counter()
        if by == "target":
            rows = conn.execute(f"SELECT value, count(DISTINCT nct_id) FROM derived WHERE what = 'target' "
                                f"AND nct_id IN ({ids}) GROUP BY value", args).fetchall()
            counts.update(dict(rows))
            none = conn.execute(f"SELECT count(*) FROM ({ids}) WHERE nct_id NOT IN "
                                f"(SELECT nct_id FROM derived WHERE what = 'target')", args).fetchone()[0]
            if none:
                counts[UNCLASSIFIED] = none
        elif by == "city":
            # One count per city however it is spelled ('Xi'an', 'Xian'), shown as most sites spell it.
            spelled: dict[str, Counter[str]] = defaultdict(Counter)
            for key, city, n in conn.execute(
                    f"SELECT city_key, city, count(*) FROM sites WHERE country = ? AND city_key <> '' "
                    f"AND nct_id IN ({ids}) GROUP BY city_key, city", [CHINA, *args]):
                spelled[key][city] += n
            for key, n in conn.execute(
                    f"SELECT city_key, count(DISTINCT nct_id) FROM sites WHERE country = ? AND city_key <> '' "
                    f"AND nct_id IN ({ids}) GROUP BY city_key", [CHINA, *args]):
                counts[spelled[key].most_common(1)[0][0]] = n
        else:
            column = {"phase": "s.phase", "status": "s.overall_status", "sponsor": "s.lead_sponsor",
                      "year": "substr(s.start_date, 1, 4)"}[by]
            for value, n in conn.execute(f"SELECT {column}, count(*) FROM studies s{where} GROUP BY 1", args):
                counts[_facet_label(by, value)] += n
    return {"by": by, "filters": filters.given(), "total": total, "counts": _ordered(by, counts)}


def _facet_label(by: str, value: str | None) -> str:
    if by == "phase":
        return phase_label(value or "")
    if by == "status":
        return status_label(value) if value else "none given"
    if by == "year":
        return value or "no start date"
    return value or "none given"


def _ordered(by: str, counts: Counter[str]) -> list[RegistryFacetCount]:
    if by == "phase":
        order = list(PHASES.values())
        items = sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0]))
    elif by == "year":
        items = sorted(counts.items(), key=lambda kv: (not kv[0].isdigit(), kv[0]))
    else:
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == UNCLASSIFIED, kv[0].casefold()))
    return [{"value": value, "count": n} for value, n in items]


def info(registry: str | os.PathLike[str] | None = None) -> RegistryInfo:
    """Where the registry is, when and how it was fetched, and what it holds."""
    path = resolve_path(registry)
    with _open(path) as conn:
        meta = read_meta(conn)
        one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa: E731
        derived = {what: one("SELECT count(DISTINCT nct_id) FROM derived WHERE what = ?", what)
                   for what in ("target", "indication", "product")}
        return {
            "path": str(path),
            "retrieved": meta.get("retrieved", ""),
            "origin": meta.get("origin", ""),
            "query": meta.get("query", ""),
            "api_url": meta.get("api_url", ""),
            "since": meta.get("since", ""),
            "api_last_update": one("SELECT coalesce(max(last_update_posted), '') FROM studies"),
            "studies": one("SELECT count(*) FROM studies"),
            "studies_in_china": one("SELECT count(DISTINCT nct_id) FROM sites WHERE country = ?", CHINA),
            "sites": one("SELECT count(*) FROM sites"),
            "china_sites": one("SELECT count(*) FROM sites WHERE country = ?", CHINA),
            "derived": derived,
            "skipped": int(meta.get("skipped", "0") or 0),
        }
