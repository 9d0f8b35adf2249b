"""Search every kind of record at once: names first (exact, prefix, fuzzy), then text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartq.domain.resolve import ANY_KIND, NO_FUZZY_BELOW, check_query, fuzzy_cutoff, fuzzy_scores, label_of
from cartq.kinds import SEARCH_KINDS

if TYPE_CHECKING:
    from cartq.factbase.store import Store
    from cartq.records import Record


def search(store: Store, query: str, limit: int = 25) -> list[Record]:
    norm = check_query(query, ANY_KIND)
    hits: dict[tuple[str, str], tuple[float, str]] = {}

    def add(kind: str, rid: str, score: float, how: str) -> None:
        if score > hits.get((kind, rid), (0.0, ""))[0]:
            hits[(kind, rid)] = (score, how)

    for kind in SEARCH_KINDS:
        for rid, _ in store.exact(kind, norm):
            add(kind, rid, 100.0, "name")
        if len(norm) >= 2:
            for rid, _, _ in store.prefixed(kind, norm):
                add(kind, rid, 90.0, "name prefix")
    for kind, rid in store.text_matches(norm):
        add(kind, rid, 60.0, "text")
    if not hits and len(norm) >= NO_FUZZY_BELOW:
        for kind in SEARCH_KINDS:
            for score, rid in fuzzy_scores(store, kind, norm)[:5]:
                if score >= fuzzy_cutoff(norm):
                    add(kind, rid, score * 0.8, "similar name")
    ranked = sorted(hits.items(), key=lambda item: (-item[1][0], item[0][0], item[0][1]))[:limit]
    rows = []
    for (kind, rid), (score, how) in ranked:
        record = store.get(kind, rid) or {"id": rid}
        rows.append({"kind": kind, "id": rid, "name": label_of(record), "match": how, "score": round(score, 1)})
    return rows
