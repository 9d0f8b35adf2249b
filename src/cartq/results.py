"""The shape of every command's result, declared once: what `--json` prints.

Plain TypedDicts: at run time a result is a dict (no pydantic on a lookup's path); `cartq schema
output` turns these declarations into JSON Schema (cartq.schema_gen), and a test validates every
command's real `--json` output against it. Fact-base records are typed by their models
(`Product`, ...); a row that is a record plus a few names is declared with `@extends("Model")`
and only its added keys. Keys may be added in later versions; none are removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeVar  # noqa: TID253

# The registry's results (ClinicalTrials.gov studies) are declared beside its code; re-exported here
# so that every command's result shape is found in one namespace.
from cartq.registry.results import RegistryFacets as RegistryFacets
from cartq.registry.results import RegistryInfo as RegistryInfo
from cartq.registry.results import RegistryLink as RegistryLink
from cartq.registry.results import RegistryStudy as RegistryStudy
from cartq.registry.results import RegistryStudyRow as RegistryStudyRow
from cartq.registry.results import RegistryUpdate as RegistryUpdate

if TYPE_CHECKING:  # the schema generator resolves these names from cartq.factbase.models
    from cartq.factbase.models import (
        Company,
        DisputedClaim,
        Indication,
        Product,
        RegulatoryEvent,
        Source,
        Target,
        Term,
    )

T = TypeVar("T")


def extends(model: str) -> Any:
    """Mark a TypedDict as the fact-base model `model` plus the keys it declares."""

    def mark(cls: type[T]) -> type[T]:
        cls.__extends__ = model  # type: ignore[attr-defined]
        return cls

    return mark


# ---- pieces shared by several results ------------------------------------------------------


class Ref(TypedDict):
    kind: str
    id: str


class Summary(TypedDict, total=False):
    """A related record in brief: its id and name, plus the fields the view asks for."""

    id: str
    name: str
    kind: str
    status: str
    inn: str | None
    phase: str | None
    institution: str | None
    registry_ids: list[str]
    full_name: str | None
    first_approval: str | None
    first_approval_precision: str | None
    first_approval_announced: str | None  # the day it was announced, where the approval's own is unknown
    first_approval_confidence: str | None
    roles: list[str]
    role_notes: list[str]  # a company's page: the notes of its roles (a licence split, a transfer)
    disputed: bool  # a dispute concerns it; the page shows the dispute with its correction


class _Marked(TypedDict, total=False):
    disputed: bool  # a dispute concerns it; the page shows the dispute with its correction


@extends("PriceClaim")
class MarkedPrice(_Marked):
    pass


@extends("Coverage")
class MarkedCoverage(_Marked):
    pass


@extends("Study")
class MarkedStudy(_Marked):
    pass


@extends("RegulatoryEvent")
class EventRow(_Marked):
    product_name: str
    indication_name: str | None
    targets: list[str]


@extends("CompanyRole")
class CompanyRoleRow(TypedDict):
    company_name: str


@extends("PriceClaim")
class PriceRow(TypedDict):
    product_name: str | None
    disputed: bool


@extends("CountryCost")
class CountryRow(TypedDict):
    disputed: bool


@extends("MarketFigure")
class FigureRow(TypedDict):
    disputed: bool


@extends("GrowthRate")
class GrowthRow(TypedDict):
    disputed: bool


@extends("CountFigure")
class CountRow(TypedDict):
    disputed: bool


@extends("Study")
class StudyRow(TypedDict):
    sponsor_names: list[str]
    target_names: list[str]
    indication_names: list[str]
    product_name: str | None


@extends("Source")
class SourceRow(TypedDict):
    cited_by: list[Ref]


class Match(TypedDict):
    """How a query found its record: silently only when `how` is 'exact'."""

    query: str
    how: Literal["exact", "prefix", "fuzzy"]
    score: float


# ---- lookups: one record with what it links to ---------------------------------------------


class ProductRelated(TypedDict):
    companies: list[CompanyRoleRow]
    targets: list[Summary]
    events: list[EventRow]
    first_approval: RegulatoryEvent | None
    studies: list[MarkedStudy]  # each trial in full: design, patients, results, sources
    prices: list[MarkedPrice]  # settled claims first, disputed ones last
    coverage: list[MarkedCoverage]


class CompanyRelated(TypedDict):
    products: list[Summary]
    studies: list[Summary]
    parents: list[Summary]
    subsidiaries: list[Summary]
    partners: list[Summary]


class TargetRelated(TypedDict):
    products: list[Summary]
    studies: list[Summary]


class IndicationRelated(TypedDict):
    products: list[Summary]
    events: list[EventRow]  # its own and its subtypes'
    covering_events: list[EventRow]  # approvals filed under a broader indication whose label covers it
    studies: list[Summary]
    parent: Summary
    subtypes: list[Summary]


class _Lookup(TypedDict):
    kind: str
    disputes: list[DisputedClaim]
    sources: list[Source]


class _Matched(TypedDict, total=False):
    match: Match
    registry: RegistryLink  # registered studies about it, when a registry exists


class ProductLookup(_Lookup, _Matched):
    record: Product
    related: ProductRelated


class CompanyLookup(_Lookup, _Matched):
    record: Company
    related: CompanyRelated


class TargetLookup(_Lookup, _Matched):
    record: Target
    related: TargetRelated


class IndicationLookup(_Lookup, _Matched):
    record: Indication
    related: IndicationRelated


class TermLookup(_Lookup, _Matched):
    record: Term
    related: dict[str, list[Summary]]  # records of other kinds that link to it, by kind


class RecordLookup(_Lookup, _Matched):
    """Any record by its id (`cartq show ID`): a kind without a richer view of its own."""

    record: dict[str, Any]
    related: dict[str, Any]


# ---- listings: one row per record ------------------------------------------------------------


class ProductListingRow(TypedDict):
    id: str
    name: str
    inn: str | None
    short_names: list[str]
    brand_names: list[str]
    chinese_brand_names: list[str]
    targets: list[str]
    companies: list[str]
    status: str
    confidence: str
    first_approval: str | None
    first_approval_precision: str | None
    first_approval_announced: str | None  # the day it was announced, where the approval's own is unknown
    first_approval_confidence: str | None


class CompanyListingRow(TypedDict):
    id: str
    name: str
    kind: str
    headquarters: str | None
    chinese_names: list[str]
    products: list[str]


class TargetListingRow(TypedDict):
    id: str
    name: str
    full_name: str | None
    aliases: list[str]
    products: list[str]
    studies: int


class IndicationListingRow(TypedDict):
    id: str
    name: str
    abbreviations: list[str]
    category: str
    approved_products: list[str]


class TermListingRow(TypedDict):
    id: str
    name: str
    category: str
    aliases: list[str]
    definition: str


# ---- everything else ---------------------------------------------------------------------------


class EvidenceRow(TypedDict):
    field: str
    source: str
    title: str | None
    where: str | None
    quote: str | None
    note: str | None
    field_name: str  # the field as a person reads it ("company role: Innovent Biologics (co-developer)")
    reliability: str  # the source's grade


class Evidence(TypedDict):
    kind: str
    id: str
    name: str
    evidence: list[EvidenceRow]


class ComparedProduct(TypedDict):
    id: str
    name: str


class ComparisonRow(TypedDict):
    field: str
    values: list[Any]


class Comparison(TypedDict):
    products: list[ComparedProduct]
    rows: list[ComparisonRow]
    views: list[ProductLookup]
    repeated: list[str]  # queries that named a product already compared (shown once)


class SearchHit(TypedDict):
    kind: str
    id: str
    name: str
    match: str  # name, text, or linked record (a product found through its coverage records)
    score: float
    value: str | None  # a price with its currency, a date at its precision, a count, a source's URL
    snippet: str  # the text that matched, cut around the first matched word
    matched: list[str]  # the matched words as they appear in the snippet
    record: dict[str, Any]  # the whole record


@extends("Coverage")
class CoverageRow(TypedDict):
    product_name: str | None


class CoverageList(TypedDict):
    filters: dict[str, str]
    coverage: list[CoverageRow]
    sources: list[Source]


class Trials(TypedDict):
    filters: dict[str, str]
    studies: list[StudyRow]
    counts: list[CountRow]
    disputes: list[DisputedClaim]
    sources: list[Source]


class Timeline(TypedDict):
    filters: dict[str, str]
    all_events: bool
    events: list[EventRow]
    sources: list[Source]


class Costs(TypedDict):
    countries: list[CountryRow]
    prices: list[PriceRow]
    disputes: list[DisputedClaim]
    sources: list[Source]


class Market(TypedDict):
    figures: list[FigureRow]
    growth: list[GrowthRow]
    disputes: list[DisputedClaim]
    sources: list[Source]


class Validation(TypedDict, total=False):
    path: str
    valid: bool
    problems: list[str]
    as_of: str
    counts: dict[str, int]


class ExportReport(TypedDict):
    format: str
    written: list[str]
    tables: dict[str, int]  # rows per table


# Results that are a list at the top level, by the name the schema gives them.
ProductListing = list[ProductListingRow]
CompanyListing = list[CompanyListingRow]
TargetListing = list[TargetListingRow]
IndicationListing = list[IndicationListingRow]
TermListing = list[TermListingRow]
SearchHits = list[SearchHit]
Sources = list[SourceRow]
RegistryStudyList = list[RegistryStudyRow]
