"""Fuzzy scores of a normalised query against names: rapidfuzz's two measures, `fuzz.ratio` and
`OSA.normalized_similarity` (as 0-100), the best `limit` names for each.

Written by hand for the few names a typo is scored against: importing rapidfuzz costs 9 ms (0.9x
`python -c pass`, farm-bench against the lookup's other imports), more than a typo's whole
budget over an exact lookup (issue 16: fuzzy <= 3.2x pass, exact <= 2.6x). A name whose shared
characters cannot lift either score to `floor` is set aside first (no score can exceed that
bound); the rest, when there are at most HAND_SCORED_MAX, are scored here with the same float
arithmetic as rapidfuzz, and tests/test_fuzzy.py checks every score and order against rapidfuzz.
More go to rapidfuzz itself, as every name did before.
"""

from __future__ import annotations

from collections import Counter  # already loaded by `enum` and `re`: no cost here

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Ranked = list[tuple[float, int]]  # (score, index into the names), best first

# Above this many names worth scoring, rapidfuzz's import pays for itself.
HAND_SCORED_MAX = 40
LIMIT = 25
_SLACK = 1e-6  # the bounds are exact in arithmetic; a name within float noise of the floor is scored


def shared(query: str | Counter[str], name: str) -> int:
    """How many characters two strings share, counted with repeats: a bound on any alignment.
    `query` may be given as its Counter, counted once for many names."""
    counts = query if isinstance(query, Counter) else Counter(query)
    return sum(min(count, name.count(ch)) for ch, count in counts.items())


def lcs_length(a: str, b: str) -> int:
    """The longest common subsequence, bit-parallel (Allison and Dix, Hyyro): one pass over `b`."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current[j] = best
        before, previous = previous, current
    return previous[-1]


def ratio(a: str, b: str) -> float:
    """rapidfuzz's fuzz.ratio: the normalised Indel similarity, times 100."""
    total = len(a) + len(b)
    if not total:
        return 100.0
    return (1.0 - (total - 2 * lcs_length(a, b)) / total) * 100


def osa_similarity(a: str, b: str) -> float:
    """rapidfuzz's OSA.normalized_similarity, times 100."""
    longest = max(len(a), len(b))
    if not longest:
        return 100.0
    return (1.0 - osa_distance(a, b) / longest) * 100.0


def _ranked(query: str, names: list[str], indexes: list[int], score: Callable[[str, str], float]) -> Ranked:
    scored = [(score(query, names[index]), index) for index in indexes]
    return sorted(scored, key=lambda pair: (-pair[0], pair[1]))[:LIMIT]


def best_matches(query: str, names: list[str], floor: float) -> tuple[Ranked, Ranked]:
    """The best LIMIT names by each measure, ties in the names' order, as rapidfuzz's
    process.extract gives them; names that cannot score `floor` by either may be left out."""
    hopeful = []
    counts = Counter(query)
    for index, name in enumerate(names):
        common = shared(counts, name)
        by_ratio = 200.0 * common / (len(query) + len(name))
        by_osa = 100.0 * common / max(len(query), len(name))
        if max(by_ratio, by_osa) >= floor - _SLACK:
            hopeful.append(index)
    if len(hopeful) <= HAND_SCORED_MAX:
        return _ranked(query, names, hopeful, ratio), _ranked(query, names, hopeful, osa_similarity)
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    by_ratio_all = process.extract(query, names, scorer=fuzz.ratio, processor=None, limit=LIMIT)
    by_osa_all = process.extract(query, names, scorer=OSA.normalized_similarity, processor=None, limit=LIMIT)
    return (
        [(score, index) for _, score, index in by_ratio_all],
        [(score * 100.0, index) for _, score, index in by_osa_all],
    )
