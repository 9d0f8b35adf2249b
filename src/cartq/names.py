"""Name normalising, shared by the index builder and every matcher (so neither imports the other).

Two spellings of one name normalise alike: NFKC folds full-width letters, case-folding ignores
case, and spaces, hyphens and punctuation are dropped ('Eque-Cel' == 'equecel' == 'ＥＱＵＥ cel').
"""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\W_]+", re.UNICODE)
_SEP = "\x1f"
_DROP_BUT_SEP = re.compile(r"[^\w\x1f]+", re.UNICODE)


def normalise(text: str) -> str:
    """NFKC, case-fold, and drop spaces, hyphens and punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


def normalise_joined(texts: list[str]) -> str:
    """'|'.join(normalise(t) for t in texts), in one pass over one string rather than one per text.

    Safe because NFKC never composes across a control character and case-folding is per character.
    """
    joined = _SEP.join(texts)
    if joined.count(_SEP) != max(len(texts) - 1, 0):  # a text holds the separator itself
        return "|".join(normalise(text) for text in texts)
    folded = unicodedata.normalize("NFKC", joined).casefold()
    return _DROP_BUT_SEP.sub("", folded).replace("_", "").replace(_SEP, "|")
