"""Resolving a name to one record: exact name, then unique prefix, then a fuzzy score above a
cut-off. A near-tie or a miss raises NotFound with the closest names, so no far-off record is
ever answered silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cartq.errors import NotFound
from cartq.kinds import BY_KIND, NAMED_KINDS
from cartq.names import normalise

if TYPE_CHECKING:
    from cartq.factbase.store import Store
    from cartq.records import Record

MAX_QUERY_CHARS = 200
# Fuzzy matching is only trusted on longer queries: one wrong letter in "cd18" is another antigen.
NO_FUZZY_BELOW = 5
TIE_MARGIN = 3.0
SUGGEST_FLOOR = 50.0
ANY_KIND = "record"  # what search asks for: a name of any kind


def label_of(record: Record) -> str:
    return str(record.get("name") or record.get("title") or record["id"])


def kind_label(kind: str) -> str:
    return BY_KIND[kind].label if kind in BY_KIND else kind


def command_for(kind: str, rid: str | None = None) -> str:
    """The command that shows a record of the kind (or lists them, without an id)."""
    spec = BY_KIND.get(kind)
    command = spec.command if spec and spec.command else "search"
    if rid is None:
        return f"cartq {command}"
    option = f" {spec.option}" if spec and spec.option else ""
    return f"cartq {command}{option} {rid}"


def fuzzy_scores(store: Store, kind: str, norm: str) -> list[tuple[float, str]]:
    """Best score per record id, best first."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    names = store.names(kind)
    if not names:
        return []
    choices = [row[2] for row in names]
    best: dict[str, float] = {}
    # Both sides are already normalised, so no processor: rapidfuzz 3 does none by default either.
    for scorer, scale in ((fuzz.ratio, 1.0), (OSA.normalized_similarity, 100.0)):
        for _, score, index in process.extract(norm, choices, scorer=scorer, processor=None, limit=25):
            rid = names[index][0]
            best[rid] = max(best.get(rid, 0.0), score * scale)
    return sorted(((score, rid) for rid, score in best.items()), key=lambda item: (-item[0], item[1]))


def fuzzy_cutoff(norm: str) -> float:
    if len(norm) < NO_FUZZY_BELOW:
        return 101.0
    return 80.0 if len(norm) < 8 else 72.0


def _labels(store: Store, kind: str, ids: list[str]) -> list[str]:
    return [label_of(record) for record in store.get_many(kind, ids)]


def _elsewhere(store: Store, kind: str, norm: str) -> str | None:
    """Say so when the name belongs to a record of another kind."""
    for other in NAMED_KINDS:
        if other == kind:
            continue
        ids = {rid for rid, _ in store.exact(other, norm)}
        if len(ids) == 1:
            record = store.get(other, ids.pop())
            if record is not None:
                return f"{label_of(record)!r} is a {kind_label(other)}: try '{command_for(other, record['id'])}'"
    return None


def check_query(query: str, kind: str) -> str:
    what = kind_label(kind)
    if len(query) > MAX_QUERY_CHARS:
        raise NotFound(
            f"no {what} matches: the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    norm = normalise(query)
    if not norm:
        shown = "an empty query" if not query.strip() else f"{query!r} (no letters or digits)"
        raise NotFound(f"no {what} matches {shown}", hint=f"run '{command_for(kind)}' to list them")
    return norm


def resolve_match(store: Store, kind: str, query: str) -> tuple[Record, dict[str, Any]]:
    """The one record a query names, and how it was matched: {query, how, score}."""
    norm = check_query(query, kind)
    what = kind_label(kind)

    def found(rid: str, how: str, score: float) -> tuple[Record, dict[str, Any]]:
        return store.get(kind, rid), {"query": query, "how": how, "score": round(score, 1)}  # type: ignore[return-value]

    exact = list(dict.fromkeys(rid for rid, _ in store.exact(kind, norm)))
    if len(exact) == 1:
        return found(exact[0], "exact", 100.0)
    if len(exact) > 1:
        raise NotFound(f"{query!r} names several {what} records", suggestions=_labels(store, kind, exact))

    prefixed = list(dict.fromkeys(rid for rid, _, _ in store.prefixed(kind, norm))) if len(norm) >= 2 else []
    if len(prefixed) == 1:
        return found(prefixed[0], "prefix", 90.0)
    if len(prefixed) > 1:
        raise NotFound(
            f"{query!r} could be any of several {what} records; be more specific",
            suggestions=_labels(store, kind, prefixed[:8]),
        )

    scores = fuzzy_scores(store, kind, norm)
    if scores and scores[0][0] >= fuzzy_cutoff(norm):
        top, rid = scores[0]
        rivals = [other for score, other in scores[1:] if score >= top - TIE_MARGIN]
        if not rivals:
            return found(rid, "fuzzy", top)
        raise NotFound(
            f"{query!r} is about as close to several {what} records; be more specific",
            suggestions=_labels(store, kind, [rid, *rivals][:5]),
        )
    suggestions = _labels(store, kind, [rid for score, rid in scores if score >= SUGGEST_FLOOR][:5])
    raise NotFound(f"no {what} matches {query!r}", suggestions=suggestions, hint=_elsewhere(store, kind, norm))


def resolve(store: Store, kind: str, query: str) -> Record:
    return resolve_match(store, kind, query)[0]


def completions(store: Store, kind: str, incomplete: str) -> list[str]:
    """Names for shell completion that start with what was typed, in the case it was typed.

    Only names without spaces are offered: shells split completions on whitespace.
    """
    typed = incomplete.casefold()
    found: dict[str, str] = {}
    for _, name, _ in store.names(kind):
        if any(ch.isspace() for ch in name) or not name.casefold().startswith(typed):
            continue
        if name.startswith(incomplete):
            candidate = name
        elif incomplete == incomplete.lower():
            candidate = name.lower()  # "fuc" completes to "fucaso", not "Fucaso"
        else:
            candidate = incomplete + name[len(incomplete) :]
        found.setdefault(candidate.casefold(), candidate)
    return sorted(found.values())
