"""Name normalising, shared by the index builder and every matcher (so neither imports the other).

Two spellings of one name normalise alike: NFKC folds full-width letters, case-folding ignores
case, and spaces, hyphens and punctuation are dropped ('Eque-Cel' == 'equecel' == 'ＥＱＵＥ cel').
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_SEP = "\x1f"
# The patterns, each compiled on first use: a Tab or --help normalises nothing, a lookup one query.
_PATTERNS = (r"[\W_]+", r"[^\w\x1f]+")
_compiled: dict[int, Any] = {}


def _pattern(which: int) -> Any:
    import re

    compiled = _compiled[which] = re.compile(_PATTERNS[which], re.UNICODE)
    return compiled


def folded(text: str) -> str:
    """NFKC, then case-folded. ASCII is its own NFKC form and folds as it lowers, so most queries
    need no `unicodedata` (whose import is a tenth of an exact lookup's own work)."""
    if text.isascii():
        return text.lower()
    import unicodedata

    return unicodedata.normalize("NFKC", text).casefold()


def normalise(text: str) -> str:
    """NFKC, case-fold, and drop spaces, hyphens and punctuation."""
    return (_compiled.get(0) or _pattern(0)).sub("", folded(text))


def normalise_joined(texts: list[str]) -> str:
    """'|'.join(normalise(t) for t in texts), in one pass over one string rather than one per text.

    Safe because NFKC never composes across a control character and case-folding is per character.
    """
    joined = _SEP.join(texts)
    if joined.count(_SEP) != max(len(texts) - 1, 0):  # a text holds the separator itself
        return "|".join(normalise(text) for text in texts)
    return (_compiled.get(1) or _pattern(1)).sub("", folded(joined)).replace("_", "").replace(_SEP, "|")


def completion_candidates(names: Iterable[str], incomplete: str) -> list[str]:
    """Names offered on a Tab for what was typed, in the case it was typed ("fuc" completes to
    "fucaso", not "Fucaso"), once each, sorted. `names` are the names without whitespace whose
    case-folded form starts with the case-folded `incomplete` (Store.completion_names)."""
    found: dict[str, str] = {}
    for name in names:
        if name.startswith(incomplete):
            candidate = name
        elif incomplete == incomplete.lower():
            candidate = name.lower()
        else:
            candidate = incomplete + name[len(incomplete) :]
        found.setdefault(candidate.casefold(), candidate)
    return sorted(found.values())
