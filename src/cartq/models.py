"""The schema of the fact base: pydantic models, validated once when the fact base is read.

Cross-references are plain id strings here; `check_references` resolves them all and
reports every dangling one by record, field and id.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


def empty() -> Any:
    """An empty-list default. A literal `= []` is deep-copied on every record, which cost a
    10,000-product fact base 0.4 s; a factory does not, and the schema still shows the default.
    """
    return Field(default_factory=list, json_schema_extra={"default": []})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=True)


# ---- closed sets -------------------------------------------------------------------------


class SourceKind(str, Enum):
    seed = "seed"
    press_release = "press_release"
    filing = "filing"
    trade_press = "trade_press"
    news = "news"
    journal = "journal"
    reference_work = "reference_work"
    blog = "blog"
    industry_report = "industry_report"


class Confidence(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"
    unconfirmed = "unconfirmed"


class DatePrecision(str, Enum):
    day = "day"
    month = "month"
    year = "year"


class CellSource(str, Enum):
    autologous = "autologous"
    allogeneic = "allogeneic"


class ProductStatus(str, Enum):
    approved = "approved"
    approval_reported = "approval_reported"  # reported by a single or weak source only
    nda_accepted = "nda_accepted"
    in_clinical_trials = "in_clinical_trials"


class CompanyKind(str, Enum):
    domestic = "domestic"
    joint_venture = "joint_venture"
    foreign = "foreign"
    academic = "academic"


class CompanyRoleKind(str, Enum):
    developer = "developer"
    co_developer = "co_developer"
    marketer = "marketer"
    marketing_authorisation_holder = "marketing_authorisation_holder"
    commercial_partner = "commercial_partner"
    joint_venture_partner = "joint_venture_partner"
    licensor = "licensor"
    manufacturer = "manufacturer"


class IndicationCategory(str, Enum):
    haematological_malignancy = "haematological_malignancy"
    solid_tumour = "solid_tumour"
    autoimmune = "autoimmune"


class Regulator(str, Enum):
    NMPA = "NMPA"
    FDA = "FDA"
    HK_DoH = "HK_DoH"


class EventKind(str, Enum):
    approved = "approved"
    approval_reported = "approval_reported"
    nda_accepted = "nda_accepted"
    priority_review = "priority_review"
    breakthrough_designation = "breakthrough_designation"
    ind_approved = "ind_approved"


class ApprovalType(str, Enum):
    conditional = "conditional"
    full = "full"
    unknown = "unknown"


class Phase(str, Enum):
    preclinical = "preclinical"
    early = "early"
    phase_1 = "phase_1"
    phase_1_2 = "phase_1_2"
    phase_2 = "phase_2"
    phase_3 = "phase_3"
    registrational = "registrational"


class StudyKind(str, Enum):
    pivotal_trial = "pivotal_trial"
    trial = "trial"
    research_program = "research_program"


class Approach(str, Enum):
    dual_targeting = "dual_targeting"
    chemokine_receptor = "chemokine_receptor"
    cytokine_secreting = "cytokine_secreting"
    crispr_edited = "crispr_edited"
    tgf_beta_resistant = "tgf_beta_resistant"
    checkpoint_combination = "checkpoint_combination"
    stem_cell_combination = "stem_cell_combination"
    b_cell_depletion = "b_cell_depletion"
    t_cell_depletion = "t_cell_depletion"
    beta_cell_protection = "beta_cell_protection"
    allogeneic = "allogeneic"
    single_target = "single_target"


class Currency(str, Enum):
    USD = "USD"
    CNY = "CNY"
    GBP = "GBP"
    EUR = "EUR"
    HKD = "HKD"


class Scale(str, Enum):
    one = "one"
    thousand = "thousand"
    million = "million"
    billion = "billion"


class Qualifier(str, Enum):
    exactly = "exactly"
    about = "about"
    more_than = "more_than"
    at_least = "at_least"
    up_to = "up_to"
    under = "under"


class PriceBasis(str, Enum):
    list_price = "list_price"
    launch_list_price = "launch_list_price"
    typical_cost = "typical_cost"
    total_treatment_cost = "total_treatment_cost"
    currency_conversion = "currency_conversion"
    pricing_guidance = "pricing_guidance"
    price_range_of_products = "price_range_of_products"


class FigureKind(str, Enum):
    market_size = "market_size"
    funding = "funding"
    product_sales = "product_sales"


class FigureStatus(str, Enum):
    actual = "actual"
    projection = "projection"


class CountKind(str, Enum):
    clinical_trials = "clinical_trials"
    approved_products = "approved_products"
    patients_treated = "patients_treated"
    eligible_patients = "eligible_patients"


class Scheme(str, Enum):
    nrdl = "nrdl"
    commercial_innovative_drug_list = "commercial_innovative_drug_list"
    huiminbao = "huiminbao"


class CoverageStatus(str, Enum):
    listed = "listed"
    not_listed = "not_listed"
    under_review = "under_review"
    covered = "covered"
    claim_paid = "claim_paid"


class GlossaryCategory(str, Enum):
    side_effect = "side_effect"
    treatment_step = "treatment_step"
    technology = "technology"
    regulation = "regulation"
    insurance = "insurance"
    biology = "biology"


class Kind(str, Enum):
    """Every kind of record that can be looked up or referred to."""

    product = "product"
    company = "company"
    target = "target"
    indication = "indication"
    event = "event"
    study = "study"
    count = "count"
    country = "country"
    price = "price"
    market = "market"
    growth = "growth"
    coverage = "coverage"
    dispute = "dispute"
    term = "term"
    source = "source"


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


class FactBase(Strict):
    schema_version: int = 1
    title: Text
    as_of: dt.date
    sources: list[Source]
    companies: list[Company]
    targets: list[Target]
    indications: list[Indication]
    products: list[Product]
    events: list[RegulatoryEvent]
    studies: list[Study]
    counts: list[CountFigure]
    countries: list[CountryCost]
    prices: list[PriceClaim]
    market: list[MarketFigure]
    growth: list[GrowthRate]
    coverage: list[Coverage]
    disputes: list[DisputedClaim]
    glossary: list[Term]


# The top-level list that holds each kind, and back.
SECTION_OF_KIND: dict[str, str] = {
    "product": "products",
    "company": "companies",
    "target": "targets",
    "indication": "indications",
    "event": "events",
    "study": "studies",
    "count": "counts",
    "country": "countries",
    "price": "prices",
    "market": "market",
    "growth": "growth",
    "coverage": "coverage",
    "dispute": "disputes",
    "term": "glossary",
    "source": "sources",
}
KIND_OF_SECTION = {section: kind for kind, section in SECTION_OF_KIND.items()}

# Where citations sit in each kind of record (every record has `sources`, except as listed).
CITATION_FIELDS: dict[str, tuple[str, ...]] = {
    "products": ("sources.*", "car_construct.sources.*", "companies.*.sources.*"),
    "disputes": ("claimed_by.*", "corrected_by.*"),
    "sources": (),
}

# Which fields hold references, and to which kind. "*" marks a list.
REFERENCE_FIELDS: dict[str, dict[str, str]] = {
    "products": {"companies.*.company": "company", "targets.*": "target"},
    "companies": {"parents.*": "company", "partners.*": "company"},
    "indications": {"parent": "indication"},
    "events": {"product": "product", "indication": "indication", "pivotal_study": "study"},
    "studies": {
        "sponsors.*": "company",
        "product": "product",
        "targets.*": "target",
        "indications.*": "indication",
    },
    "prices": {"country": "country", "product": "product"},
    "coverage": {"product": "product"},
}


# ---- JSON Schemas for `cartq schema` ------------------------------------------------------


def fact_base_schema() -> dict[str, object]:
    schema = FactBase.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def output_schema() -> dict[str, object]:
    """The shapes `--json` prints, one $defs entry per command; records reuse the fact-base definitions."""
    base = FactBase.model_json_schema()
    defs: dict[str, object] = dict(base.get("$defs", {}))

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/$defs/{name}"}

    def array(item: object) -> dict[str, object]:
        return {"type": "array", "items": item}

    def obj(required: dict[str, object]) -> dict[str, object]:
        return {"type": "object", "required": list(required), "properties": required}

    for kind, model in (
        ("Product", "Product"),
        ("Company", "Company"),
        ("Target", "Target"),
        ("Indication", "Indication"),
        ("Term", "Term"),
    ):
        defs[f"{kind}Lookup"] = obj(
            {
                "kind": {"type": "string"},
                "record": ref(model),
                "related": {"type": "object"},
                "disputes": array(ref("DisputedClaim")),
                "sources": array(ref("Source")),
            }
        )
    defs["Listing"] = array({"type": "object", "required": ["id", "name"]})
    defs["Trials"] = obj(
        {
            "filters": {"type": "object"},
            "studies": array(ref("Study")),
            "counts": array(ref("CountFigure")),
            "disputes": array(ref("DisputedClaim")),
            "sources": array(ref("Source")),
        }
    )
    defs["Timeline"] = obj(
        {"filters": {"type": "object"}, "events": array(ref("RegulatoryEvent")), "sources": array(ref("Source"))}
    )
    defs["Costs"] = obj(
        {
            "countries": array(ref("CountryCost")),
            "prices": array(ref("PriceClaim")),
            "disputes": array(ref("DisputedClaim")),
            "sources": array(ref("Source")),
        }
    )
    defs["Market"] = obj(
        {
            "figures": array(ref("MarketFigure")),
            "growth": array(ref("GrowthRate")),
            "disputes": array(ref("DisputedClaim")),
            "sources": array(ref("Source")),
        }
    )
    defs["SearchHits"] = array(
        obj(
            {
                "kind": {"type": "string"},
                "id": {"type": "string"},
                "name": {"type": "string"},
                "match": {"type": "string"},
                "score": {"type": "number"},
            }
        )
    )
    defs["Sources"] = array(ref("Source"))
    defs["Validation"] = obj(
        {"path": {"type": "string"}, "valid": {"type": "boolean"}, "problems": array({"type": "string"})}
    )
    names = [n for n in defs if n.endswith("Lookup")] + [
        "Listing",
        "Trials",
        "Timeline",
        "Costs",
        "Market",
        "SearchHits",
        "Sources",
        "Validation",
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cartq --json output",
        "description": (
            "Lookups print an object, listings an array ([] when empty). Keys may be added in later versions; "
            "none are removed."
        ),
        "anyOf": [ref(n) for n in names],
        "$defs": defs,
    }
