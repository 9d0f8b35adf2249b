"""The schema of the fact base: pydantic models, validated once when the fact base is read.

Cross-references are plain id strings here; `check_references` resolves them all and
reports every dangling one by record, field and id.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator

from cartq.enums import (
    Approach,
    ApprovalType,
    CellSource,
    ClaimStatus,
    ClaimTopic,
    CompanyKind,
    CompanyRoleKind,
    Confidence,
    CountKind,
    CoverageStatus,
    Currency,
    DatePrecision,
    EventKind,
    FigureKind,
    FigureStatus,
    GlossaryCategory,
    IndicationCategory,
    Phase,
    PriceBasis,
    ProductStatus,
    Qualifier,
    Regulator,
    Scale,
    Scheme,
    SourceKind,
    StudyKind,
)
from cartq.kinds import KINDS, Kind

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


def empty() -> Any:
    """An empty-list default. A literal `= []` is deep-copied on every record, which cost a
    10,000-product fact base 0.4 s; a factory does not, and the schema still shows the default.
    """
    return Field(default_factory=list, json_schema_extra={"default": []})


class Strict(BaseModel):
    # allow_inf_nan=False: "inf", "nan" (text to YAML) would pass as floats that JSON writes as null.
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=True, allow_inf_nan=False)


# ---- building blocks ---------------------------------------------------------------------


class Citation(Strict):
    source: Slug
    quote: Text | None = None
    note: Text | None = None


Cited = Annotated[list[Citation], Field(min_length=1)]


class Money(Strict):
    """An amount or a range in one explicit currency; never converted."""

    currency: Currency
    low: float = Field(ge=0)
    high: float | None = Field(default=None, ge=0)
    scale: Scale = Scale.one
    qualifier: Qualifier = Qualifier.exactly

    @model_validator(mode="after")
    def _range_ordered(self) -> Money:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"range high {self.high} is below low {self.low}")
        return self


class DatedFact(Strict):
    date: dt.date | None = None
    date_precision: DatePrecision = DatePrecision.day


class Source(Strict):
    id: Slug
    title: Text
    kind: SourceKind
    publisher: str | None = None
    published: dt.date | None = None
    published_precision: DatePrecision = DatePrecision.day
    seed_file: str | None = None
    url: str | None = None
    reliability: Confidence = Confidence.medium
    # A mirror or repost names whose page it copies; a digest copy names the page it summarises.
    original_publisher: str | None = None
    original_url: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_location(self) -> Source:
        if (self.seed_file is None) == (self.url is None):
            raise ValueError("give exactly one of seed_file or url")
        if self.url is not None and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", self.url):
            raise ValueError(f"url is not a well-formed http(s) URL: {self.url!r}")
        if self.seed_file is not None and not re.fullmatch(r"[\w.-]+\.txt", self.seed_file):
            raise ValueError(f"seed_file must be a bare .txt file name: {self.seed_file!r}")
        return self


class Named(Strict):
    """A record people look up by name."""

    id: Slug
    name: Text
    aliases: list[str] = empty()
    chinese_names: list[str] = empty()
    notes: list[Text] = empty()
    sources: Cited


class CompanyRole(Strict):
    company: Slug
    role: CompanyRoleKind
    since: dt.date | None = None
    since_precision: DatePrecision = DatePrecision.day
    until: dt.date | None = None
    until_precision: DatePrecision = DatePrecision.day
    note: Text | None = None
    sources: list[Citation] = empty()


class Construct(Strict):
    binder: str | None = None
    hinge: str | None = None
    transmembrane: str | None = None
    costimulatory_domain: str | None = None
    signalling_domain: str | None = None
    vector: str | None = None
    cells: str | None = None
    sources: Cited


class Product(Named):
    inn: str | None = None
    chinese_generic_name: str | None = None
    brand_names: list[str] = empty()
    chinese_brand_names: list[str] = empty()
    short_names: list[str] = empty()
    code_names: list[str] = empty()
    companies: list[CompanyRole] = Field(min_length=1)
    targets: list[Slug] = empty()
    car_construct: Construct | None = None
    cell_source: CellSource
    status: ProductStatus
    confidence: Confidence = Confidence.high


class Company(Named):
    kind: CompanyKind
    headquarters: str | None = None
    parents: list[Slug] = empty()
    partners: list[Slug] = empty()
    focus_areas: list[str] = empty()


class Target(Named):
    full_name: str | None = None


class Indication(Named):
    abbreviations: list[str] = empty()
    category: IndicationCategory
    parent: Slug | None = None


class RegulatoryEvent(DatedFact):
    id: Slug
    product: Slug
    kind: EventKind
    regulator: Regulator = Regulator.NMPA
    announced: dt.date | None = None
    indication: Slug | None = None
    indication_detail: Text | None = None
    line_of_therapy: str | None = None
    patient_group: str | None = None
    approval_type: ApprovalType = ApprovalType.unknown
    pivotal_study: Slug | None = None
    # The registration certificate: its number and the day the company received it, if a filing says.
    approval_number: str | None = None
    certificate_received: dt.date | None = None
    # Sources disagree on this event (a date, an age range): every version with its source.
    conflict: Text | None = None
    confidence: Confidence = Confidence.high
    notes: list[Text] = empty()
    sources: Cited


class Study(Strict):
    id: Slug
    name: Text
    aliases: list[str] = empty()
    kind: StudyKind
    registry_ids: list[str] = empty()
    sponsors: list[Slug] = empty()
    institution: str | None = None
    location: str | None = None
    product: Slug | None = None
    targets: list[Slug] = empty()
    indications: list[Slug] = empty()
    approaches: list[Approach] = empty()
    phase: Phase | None = None
    patients: int | None = Field(default=None, ge=0)
    description: Text | None = None
    results: Text | None = None
    notes: list[Text] = empty()
    sources: Cited


class CountFigure(DatedFact):
    id: Slug
    kind: CountKind
    count: int = Field(ge=0)
    qualifier: Qualifier = Qualifier.exactly
    what: Text
    scope: str = "China"
    # Counts of the same thing that other sources give differently, and why they differ if known.
    conflicts_with: list[Slug] = empty()
    conflict: Text | None = None
    confidence: Confidence = Confidence.high
    notes: list[Text] = empty()
    sources: Cited


class CountryCost(Strict):
    """One row of the seed's country cost table."""

    id: Slug
    name: Text
    aliases: list[str] = empty()
    therapy_cost: Money
    hospital_stay: str
    local_biotech_availability: str
    average_waiting_time: str
    insurance_coverage: str
    research_and_trials: str
    sources: Cited


class PriceClaim(DatedFact):
    id: Slug
    country: Slug
    product: Slug | None = None
    subject: Text
    price: Money
    basis: PriceBasis
    confidence: Confidence = Confidence.high
    notes: list[Text] = empty()
    sources: Cited


class MarketFigure(Strict):
    id: Slug
    kind: FigureKind
    market: Text
    year: int = Field(ge=1990, le=2100)
    value: Money
    status: FigureStatus
    projected_by: str | None = None
    notes: list[Text] = empty()
    sources: Cited


class GrowthRate(Strict):
    id: Slug
    market: Text
    metric: str = "CAGR"
    percent: float
    start_year: int = Field(ge=1990, le=2100)
    end_year: int = Field(ge=1990, le=2100)
    projected_by: str | None = None
    notes: list[Text] = empty()
    sources: Cited


class Coverage(DatedFact):
    id: Slug
    scheme: Scheme
    plan: Text
    product: Slug | None = None
    status: CoverageStatus
    detail: Text
    confidence: Confidence = Confidence.high
    sources: Cited


class Claim(Strict):
    """A general or comparative statement (a seed's or a source's) that is no one record's field:
    "China runs the most CAR-T trials", "prices vary by hospital". Its status says how far it is
    supported; an outdated claim says what changed and when.
    """

    id: Slug
    name: Text
    topic: ClaimTopic
    statement: Text
    status: ClaimStatus
    confidence: Confidence = Confidence.low
    what_changed: Text | None = None
    changed_on: dt.date | None = None
    changed_precision: DatePrecision = DatePrecision.day
    related: list[Ref] = empty()
    notes: list[Text] = empty()
    sources: Cited


class AccessStep(Strict):
    """One step of how a patient (an international patient, say) gets CAR-T in China, in order."""

    id: Slug
    name: Text
    step: int = Field(ge=1)
    audience: str = "international patients"
    description: Text
    confidence: Confidence = Confidence.low
    notes: list[Text] = empty()
    sources: Cited


class Ref(Strict):
    kind: Kind
    id: Slug


class DisputedClaim(Strict):
    """A claim a source made that another, named source corrects."""

    id: Slug
    claim: Text
    claimed_by: Cited
    correction: Text
    corrected_by: Cited
    about: list[Ref] = Field(min_length=1)


class Term(Named):
    category: GlossaryCategory
    definition: Text


class _Header(Strict):
    schema_version: int = 1
    title: Text
    as_of: dt.date


# One list per record kind, in the registry's order: a kind added to cartq.kinds is a section here.
FactBase = create_model(  # type: ignore[call-overload]
    "FactBase",
    __base__=_Header,
    **{spec.section: (list[globals()[spec.model]], ...) for spec in KINDS},
)


# ---- JSON Schemas for `cartq schema` ------------------------------------------------------


def fact_base_schema() -> dict[str, object]:
    schema = FactBase.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
