"""The one registry of record kinds: where each lives in the fact base, what it is called, which of
its fields are names, references and citations. Importable without pydantic.

Listing, lookup, search, completion, the cache's name and link tables, link checks, `--evidence`
and the schema's sections are all derived from this table. To add a kind: its model in
factbase/models.py, its entry here, and, if it needs more than the generic
view, its view in render/. A test fails if a model and this table disagree.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import Enum


class KindSpec:
    """One kind of record. A plain class, not a dataclass: `dataclasses` imports `inspect` and
    `ast`, a fifth of a lookup's start-up (measured with benchmarks/bench.py)."""

    __slots__ = (
        "citations",
        "command",
        "kind",
        "label",
        "model",
        "names",
        "option",
        "plural",
        "references",
        "search_rank",
        "section",
    )

    def __init__(
        self,
        kind: str,
        section: str,  # the top-level list in facts.yaml
        label: str,  # what a person calls one record ("glossary term")
        plural: str,
        model: str,  # the pydantic model's class name in factbase.models
        # Fields whose values are names a person might type (the id always is one).
        names: tuple[str, ...] = (),
        # Field path -> kind it refers to; "*" steps into a list.
        references: dict[str, str] | None = None,
        # Where citations sit; every record has `sources` unless told otherwise.
        citations: tuple[str, ...] = ("sources",),
        # The command that shows one record of the kind, if one does, and the option that names it
        # there (`cartq costs --country china`); without an option the name is the argument.
        command: str | None = None,
        option: str | None = None,
        # Search ranks kinds people look up first; 0 = not a search result of its own.
        search_rank: int = 0,
    ) -> None:
        self.kind, self.section, self.label, self.plural, self.model = kind, section, label, plural, model
        self.names, self.references, self.citations = names, references or {}, citations
        self.command, self.option, self.search_rank = command, option, search_rank

    def __repr__(self) -> str:
        return f"KindSpec({self.kind!r})"


KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "product",
        "products",
        "product",
        "products",
        "Product",
        names=(
            "name",
            "inn",
            "chinese_generic_name",
            "brand_names",
            "chinese_brand_names",
            "short_names",
            "code_names",
            "aliases",
            "chinese_names",
        ),
        references={"companies.*.company": "company", "targets.*": "target"},
        citations=("sources", "companies.*.sources", "car_construct.sources"),
        command="product",
        search_rank=1,
    ),
    KindSpec(
        "company",
        "companies",
        "company",
        "companies",
        "Company",
        names=("name", "aliases", "chinese_names"),
        references={"parents.*": "company", "partners.*": "company"},
        command="company",
        search_rank=2,
    ),
    KindSpec(
        "target",
        "targets",
        "target",
        "targets",
        "Target",
        names=("name", "full_name", "aliases", "chinese_names"),
        command="target",
        search_rank=3,
    ),
    KindSpec(
        "indication",
        "indications",
        "indication",
        "indications",
        "Indication",
        names=("name", "abbreviations", "aliases", "chinese_names"),
        references={"parent": "indication"},
        command="indication",
        search_rank=4,
    ),
    KindSpec(
        "event",
        "events",
        "regulatory event",
        "regulatory events",
        "RegulatoryEvent",
        references={"product": "product", "indication": "indication", "pivotal_study": "study"},
    ),
    KindSpec(
        "study",
        "studies",
        "trial or programme",
        "trials and programmes",
        "Study",
        names=("name", "aliases", "registry_ids"),
        references={
            "sponsors.*": "company",
            "product": "product",
            "targets.*": "target",
            "indications.*": "indication",
        },
        search_rank=6,
    ),
    KindSpec("count", "counts", "count", "counts", "CountFigure", references={"conflicts_with.*": "count"}),
    KindSpec(
        "country",
        "countries",
        "country",
        "countries",
        "CountryCost",
        names=("name", "aliases"),
        command="costs",
        option="--country",
        search_rank=7,
    ),
    KindSpec(
        "price",
        "prices",
        "price claim",
        "price claims",
        "PriceClaim",
        references={"country": "country", "product": "product"},
    ),
    KindSpec("market", "market", "market figure", "market figures", "MarketFigure"),
    KindSpec("growth", "growth", "growth rate", "growth rates", "GrowthRate"),
    KindSpec(
        "coverage", "coverage", "coverage record", "coverage records", "Coverage", references={"product": "product"}
    ),
    KindSpec(
        "dispute",
        "disputes",
        "disputed claim",
        "disputed claims",
        "DisputedClaim",
        references={"about.*": "*"},  # each item names its own kind
        citations=("claimed_by", "corrected_by"),
    ),
    KindSpec(
        "term",
        "glossary",
        "glossary term",
        "glossary terms",
        "Term",
        names=("name", "aliases", "chinese_names"),
        command="glossary",
        search_rank=5,
    ),
    KindSpec(
        "claim",
        "claims",
        "claim",
        "claims",
        "Claim",
        names=("name",),
        references={"related.*": "*"},  # each item names its own kind
        search_rank=8,
    ),
    KindSpec(
        "access_step",
        "access_steps",
        "patient-access step",
        "patient-access steps",
        "AccessStep",
        names=("name",),
        search_rank=9,
    ),
    KindSpec("source", "sources", "source", "sources", "Source", names=("title",), citations=()),
)

BY_KIND: dict[str, KindSpec] = {spec.kind: spec for spec in KINDS}
BY_SECTION: dict[str, KindSpec] = {spec.section: spec for spec in KINDS}


def __getattr__(name: str) -> type[Enum]:
    """`Kind`: every kind as a closed set, for the schema (a dispute's `about` names one), made
    when first asked for: creating an enum costs a lookup time it never needs."""
    if name != "Kind":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from enum import Enum

    kind = Enum("Kind", {spec.kind: spec.kind for spec in KINDS}, type=str)  # type: ignore[misc]
    globals()["Kind"] = kind
    return kind


# The kinds a person looks up by name, in the order a miss checks them for "is a ... instead".
NAMED_KINDS: tuple[str, ...] = tuple(spec.kind for spec in KINDS if spec.names and spec.kind != "source")
SEARCH_KINDS: tuple[str, ...] = tuple(
    spec.kind for spec in sorted(KINDS, key=lambda s: s.search_rank) if spec.search_rank
)
