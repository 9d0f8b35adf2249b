"""What cartq derives from a study's registry text: its target, indication and fact-base product.

Kept apart from the registry facts and never guessed: a value is derived only when a listed term
appears as a whole word in a named field, and each derivation records how ("intervention name
contains 'BCMA'"). A study whose text names none stays unclassified. The term lists are cartq's
own, written down here; they are not ClinicalTrials.gov classifications.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING  # noqa: TID253

from cartq.names import normalise

if TYPE_CHECKING:
    from cartq.registry.results import RegistryDerivation


class Term:
    """A derived value (shown as is), the patterns that mark it, and names people type for it.

    A plain class, not a dataclass: queries import this module, and start-up counts there."""

    __slots__ = ("aliases", "keys", "patterns", "value")

    def __init__(self, value: str, patterns: tuple[str, ...], aliases: tuple[str, ...] = ()) -> None:
        self.value, self.patterns, self.aliases = value, patterns, aliases
        self.keys = frozenset(normalise(name) for name in (value, *aliases))


# Patterns are matched on NFKC case-folded text; whole words only (see _compile).
TARGETS: tuple[Term, ...] = (
    Term("BCMA", ("bcma", "b cell maturation antigen", "b-cell maturation antigen"),
         ("b cell maturation antigen", "tnfrsf17", "cd269")),
    Term("CD19", ("cd19",)),
    Term("CD20", ("cd20",), ("ms4a1",)),
    Term("CD22", ("cd22",)),
    Term("CD7", ("cd7",)),
    Term("CD5", ("cd5",)),
    Term("CD30", ("cd30",)),
    Term("CD33", ("cd33",)),
    Term("CD38", ("cd38",)),
    Term("CD70", ("cd70",)),
    Term("CD123", ("cd123",), ("il3ra",)),
    Term("CLL1", ("cll1", "cll-1", "clec12a"), ("clec12a",)),
    Term("GPRC5D", ("gprc5d",)),
    Term("CLDN18.2", ("cldn18.2", "cldn 18.2", "claudin18.2", "claudin 18.2", "claudin-18.2"), ("claudin 18.2",)),
    Term("GPC3", ("gpc3", "glypican 3", "glypican-3"), ("glypican 3",)),
    Term("HER2", ("her2", "her-2", "erbb2"), ("erbb2",)),
    Term("EGFR", ("egfr",)),
    Term("EGFRvIII", ("egfrviii", "egfr viii", "egfr-viii"), ("egfr viii",)),
    Term("MUC1", ("muc1", "muc-1")),
    Term("PD-L1", ("pd-l1", "pdl1", "pd l1"), ("cd274",)),
    Term("mesothelin", ("mesothelin", "msln"), ("msln",)),
    Term("GD2", ("gd2",)),
    Term("B7-H3", ("b7-h3", "b7h3", "cd276"), ("cd276",)),
    Term("NKG2D", ("nkg2d",)),
    Term("CEA", ("cea",)),
    Term("PSMA", ("psma",)),
    Term("ROR1", ("ror1",)),
)

INDICATIONS: tuple[Term, ...] = (
    Term("systemic lupus erythematosus", ("systemic lupus", "lupus erythematosus", "sle"), ("sle", "lupus")),
    Term("lupus nephritis", ("lupus nephritis",)),
    Term("myasthenia gravis", ("myasthenia",)),
    Term("neuromyelitis optica", ("neuromyelitis optica", "nmosd")),
    Term("multiple sclerosis", ("multiple sclerosis",)),
    Term("systemic sclerosis", ("systemic sclerosis", "scleroderma")),
    Term("myositis", ("myositis", "dermatomyositis", "polymyositis")),
    Term("vasculitis", ("vasculitis",)),
    Term("rheumatoid arthritis", ("rheumatoid arthritis",)),
    Term("multiple myeloma", ("multiple myeloma", "myeloma"), ("mm", "myeloma")),
    Term("B-cell acute lymphoblastic leukemia", ("b-cell acute lymphoblastic", "b cell acute lymphoblastic",
                                                 "b-all", "b-cell all", "precursor b-cell lymphoblastic"),
         ("b-all", "ball")),
    Term("acute lymphoblastic leukemia", ("acute lymphoblastic leuk", "acute lymphocytic leuk"), ("all",)),
    Term("acute myeloid leukemia", ("acute myeloid leuk", "acute myelogenous leuk", "aml"), ("aml",)),
    Term("chronic lymphocytic leukemia", ("chronic lymphocytic leuk", "cll"), ("cll",)),
    Term("T-cell leukemia or lymphoma", ("t-cell lymphoma", "t cell lymphoma", "t-cell leuk", "t cell leuk",
                                         "t-all", "t-lymphoblastic")),
    Term("leukemia", ("leukemia", "leukaemia")),
    Term("large B-cell lymphoma", ("large b-cell lymphoma", "large b cell lymphoma", "dlbcl", "lbcl"),
         ("dlbcl", "lbcl")),
    Term("follicular lymphoma", ("follicular lymphoma",)),
    Term("mantle cell lymphoma", ("mantle cell lymphoma", "mantle-cell lymphoma")),
    Term("non-Hodgkin lymphoma", ("non-hodgkin", "non hodgkin", "nhl"), ("nhl",)),
    Term("Hodgkin lymphoma", ("hodgkin lymphoma", "hodgkin's lymphoma", "hodgkin disease")),
    Term("lymphoma", ("lymphoma",)),
    Term("gastric cancer", ("gastric", "stomach cancer", "stomach neoplasm", "gastroesophageal"), ("stomach",)),
    Term("pancreatic cancer", ("pancreatic",)),
    Term("hepatocellular carcinoma", ("hepatocellular", "hcc", "liver cancer"), ("hcc", "liver cancer")),
    Term("colorectal cancer", ("colorectal", "colon cancer", "rectal cancer")),
    Term("lung cancer", ("lung cancer", "nsclc", "small cell lung", "lung carcinoma"), ("nsclc",)),
    Term("breast cancer", ("breast cancer", "breast carcinoma")),
    Term("ovarian cancer", ("ovarian",)),
    Term("glioblastoma", ("glioblastoma", "gbm"), ("gbm",)),
    Term("glioma", ("glioma",)),
    Term("solid tumor", ("solid tumor", "solid tumour", "solid cancer"), ("solid tumour",)),
)

_CHAR_FIXES = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-", "’": "'", "　": " "})


def fold(text: str) -> str:
    """NFKC and case-fold, with look-alike dashes and quotes made plain (so patterns stay simple)."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_FIXES)


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    # A whole word: no letter or digit just before; after, no letter or digit ('cd19' is not
    # 'cd190') but a plural 's', except that a pattern ending in a digit may run into letters
    # ('cd19car').
    alternatives = []
    for pattern in patterns:
        after = r"(?![0-9]|\.[0-9])" if pattern[-1].isdigit() else r"s?(?![a-z0-9])"
        alternatives.append(r"(?<![a-z0-9])" + re.escape(pattern) + after)
    return re.compile("|".join(alternatives))


@cache
def _rules(what: str) -> list[tuple[Term, re.Pattern[str]]]:
    # Compiled on first use: an import or an update needs them, a query does not.
    return [(term, _compile(term.patterns)) for term in (TARGETS if what == "target" else INDICATIONS)]


def _match(rules: list[tuple[Term, re.Pattern[str]]], what: str,
           fields: list[tuple[str, list[str]]]) -> list[RegistryDerivation]:
    # Each field's texts folded once and joined by a newline (a word boundary for the patterns).
    prepared = []
    for field, texts in fields:
        original = "\n".join(texts)
        folded = fold(original)
        prepared.append((field, original, folded, len(folded) == len(original)))
    found: list[RegistryDerivation] = []
    for term, rx in rules:
        for field, original, folded, same_length in prepared:
            hit = rx.search(folded)
            if hit:
                # The words as written in the registry, unless folding changed the text's length.
                shown = original[hit.start():hit.end()] if same_length else hit.group(0)
                found.append({"what": what, "value": term.value, "how": f"{field} contains '{shown}'"})
                break
    return found


def _parts(name: str) -> list[str]:
    """A name and, for 'Equecabtagene Autoleucel (CT103A)', also its outer and bracketed parts."""
    parts = [name]
    inner = re.findall(r"[(\[（]([^)\]）]+)[)\]）]", name)
    if inner:
        parts.append(re.sub(r"\s*[(\[（][^)\]）]*[)\]）]", "", name))
        parts.extend(inner)
    return [part.strip() for part in parts if part.strip()]


def derive(
    nct_id: str,
    intervention_names: list[str],
    other_names: list[str],
    brief_title: str,
    official_title: str,
    conditions: list[str],
    products: Mapping[str, str] | None = None,
    pivotal: Mapping[str, str] | None = None,
) -> list[RegistryDerivation]:
    """Targets, indications and fact-base products of one study, each with how it was derived.

    `products` maps a normalised product name or code (cartq.names.normalise) to a product id;
    `pivotal` maps an NCT id to the id of the product whose pivotal trial it is in the fact base.
    """
    titles = [("brief title", [brief_title]), ("official title", [official_title])]
    derived = _match(_rules("target"), "target", [("intervention name", intervention_names),
                                            ("intervention other name", other_names), *titles])
    derived += _match(_rules("indication"), "indication", [("condition", conditions), *titles])
    seen: set[str] = set()
    if pivotal and nct_id in pivotal:
        product = pivotal[nct_id]
        seen.add(product)
        derived.append({"what": "product", "value": product,
                        "how": f"NCT id listed as the pivotal trial of {product} in the fact base"})
    for field, names in (("intervention name", intervention_names), ("intervention other name", other_names)):
        for name in names:
            for part in _parts(name):
                product = (products or {}).get(normalise(part))
                if product and product not in seen:
                    seen.add(product)
                    derived.append({"what": "product", "value": product,
                                    "how": f"{field} '{part}' is a name of {product} in the fact base"})
    return derived


def target_keys(value: str) -> set[str]:
    """Derived target values a typed name stands for: 'Claudin 18.2' -> {'CLDN18.2'}; '' if none."""
    key = normalise(value)
    return {term.value for term in TARGETS if key in term.keys}


def indication_values(value: str) -> set[str]:
    """Derived indication values a typed name covers: 'lupus' -> SLE and lupus nephritis."""
    key = normalise(value)
    if not key:
        return set()
    return {term.value for term in INDICATIONS if key in term.keys or key in normalise(term.value)}
