"""Resolving a name to one record: exact name, then unique prefix, then a fuzzy score above a
cut-off. A near-tie or a miss raises NotFound with the closest names, so no far-off record is
ever answered silently.
"""

from __future__ import annotations

from cartq.errors import NotFound
from cartq.kinds import BY_KIND, NAMED_KINDS
from cartq.names import normalise
from cartq.records import label_of as label_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.factbase.store import Store
    from cartq.records import Record

MAX_QUERY_CHARS = 200
# Fuzzy matching is only trusted on longer queries: one wrong letter in "cd18" is another antigen.
NO_FUZZY_BELOW = 5
TIE_MARGIN = 3.0
SUGGEST_FLOOR = 60.0  # suggest only names close to the query
SHORT_SUGGEST_FLOOR = 75.0  # a code of four characters or less: 'cd20' is not like 'cd19'
# A Chinese prefix this short is a shared word ('药明' begins several company names), never an answer.
MIN_CJK_PREFIX = 3
ANY_KIND = "record"  # what search asks for: a name of any kind


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


def fuzzy_scores(store: Store, kind: str, norm: str, floor: float = 0.0) -> list[tuple[float, str]]:
    """Best score per record id, best first; a name that cannot score `floor` may be left out."""
    from cartq.domain.fuzzy import best_matches

    # Candidates prefiltered in SQL at scale; a small kind gives all its names, so scores are as before.
    names = store.fuzzy_candidates(kind, norm)
    if not names:
        return []
    best: dict[str, float] = {}
    # Both sides are already normalised, so no processor: rapidfuzz 3 does none by default either.
    for ranked in best_matches(norm, [row[2] for row in names], floor):
        for score, index in ranked:
            rid = names[index][0]
            best[rid] = max(best.get(rid, 0.0), score)
    return sorted(((score, rid) for rid, score in best.items()), key=lambda item: (-item[0], item[1]))


def fuzzy_cutoff(norm: str) -> float:
    if len(norm) < NO_FUZZY_BELOW:
        return 101.0
    return 80.0 if len(norm) < 8 else 72.0


def _labels(store: Store, kind: str, ids: list[str]) -> list[str]:
    return [label_of(record) for record in store.get_many(kind, ids)]


def _elsewhere(store: Store, kind: str, norm: str, query: str = "") -> str | None:
    """Say so when the name belongs to a record of another kind, is the id of any record, or is
    held only in a price claim (a US product such as Kymriah)."""
    for other in NAMED_KINDS:
        if other == kind:
            continue
        ids = {rid for rid, _ in store.exact(other, norm)}
        if len(ids) == 1:
            record = store.get(other, ids.pop())
            if record is not None:
                return f"{label_of(record)!r} is a {kind_label(other)}: try '{command_for(other, record['id'])}'"
    typed = query.strip()
    try:
        typed.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from an undecodable argument: no id has one
        typed = ""
    for spec in BY_KIND.values():
        if spec.kind != kind and typed and store.get(spec.kind, typed) is not None:
            return f"{typed!r} is the id of a {spec.label}: try 'cartq show {typed}'"
    if len(norm) >= 4:
        for price in store.all("price"):
            subject = str(price.get("subject", ""))
            if any(normalise(word) == norm for word in subject.replace("(", " ").replace(")", " ").split()):
                country = store.get("country", price.get("country", "")) or {}
                where = f" ({label_of(country)})" if country else ""
                return (
                    f"{typed or norm!r} is in the fact base only in a price claim{where}, "
                    f"{subject!r}: try 'cartq show {price['id']}'"
                )
    return None


def _cut_number(norm: str, name: str) -> bool:
    """'cd22' is a whole identifier, not the start of 'cd227': a number is never cut."""
    return len(name) > len(norm) and norm[-1:].isdigit() and name[len(norm)].isdigit()


def _is_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" for ch in text)


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

    prefixed = (
        list(dict.fromkeys(rid for rid, _, name in store.prefixed(kind, norm) if not _cut_number(norm, name)))
        if len(norm) >= 2
        else []
    )
    # A query that is a whole name of another kind ('CAR-T', a glossary term) is not the start of a
    # name of this one; a short Chinese prefix is a word several names share.
    elsewhere = _elsewhere(store, kind, norm, query)
    generic = elsewhere is not None or (_is_cjk(norm) and len(norm) < MIN_CJK_PREFIX)
    if len(prefixed) == 1 and not generic:
        return found(prefixed[0], "prefix", 90.0)
    if prefixed:
        raise NotFound(
            f"{query!r} could be any of several {what} records; be more specific"
            if len(prefixed) > 1 or not generic
            else f"{query!r} is a general word, not the name of a {what}",
            suggestions=_labels(store, kind, prefixed[:8]),
            hint=elsewhere,
        )

    floor = SHORT_SUGGEST_FLOOR if len(norm) <= 4 else SUGGEST_FLOOR
    # A name below both the suggestion floor and a rival's margin under the cutoff changes nothing.
    scores = fuzzy_scores(store, kind, norm, min(floor, fuzzy_cutoff(norm) - TIE_MARGIN))
    if scores and scores[0][0] >= fuzzy_cutoff(norm) and not generic:
        top, rid = scores[0]
        rivals = [other for score, other in scores[1:] if score >= top - TIE_MARGIN]
        if not rivals:
            return found(rid, "fuzzy", top)
        raise NotFound(
            f"{query!r} is about as close to several {what} records; be more specific",
            suggestions=_labels(store, kind, [rid, *rivals][:5]),
        )
    suggestions = _labels(store, kind, [rid for score, rid in scores if score >= floor][:5])
    raise NotFound(f"no {what} matches {query!r}", suggestions=suggestions, hint=elsewhere)


def resolve(store: Store, kind: str, query: str) -> Record:
    return resolve_match(store, kind, query)[0]


def completions(store: Store, kind: str, incomplete: str) -> list[str]:
    """Names for shell completion that start with what was typed, in the case it was typed.

    Only names without spaces are offered: shells split completions on whitespace.
    """
    if kind == "id":  # `cartq show ID`: every record's id
        from cartq.kinds import KINDS

        typed = incomplete.casefold()
        return sorted(r["id"] for spec in KINDS for r in store.all(spec.kind) if r["id"].startswith(typed))
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


def match_notice(view: Any) -> list[str]:
    """The stderr line when a query answered with a record it does not name exactly."""
    match = view.get("match") if isinstance(view, dict) else None
    if not match or match.get("how") == "exact":
        return []
    name = label_of(view["record"])
    if match["how"] == "prefix":
        return [f"showing {name}, the only {kind_label(view['kind'])} whose name starts with {match['query']!r}"]
    return [f"showing {name}, the closest match to {match['query']!r}"]
