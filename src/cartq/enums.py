"""Every closed set in the fact base, each value with the label people see, declared once.

Plain `str` enums, importable without pydantic: the schema (factbase.models) types its fields with
them, the domain compares against them instead of bare strings, and the views print `.label`.
A member is declared as `name = "value", "label"`; a member with no label shows its value with
underscores as spaces. A test fails if any label still looks like a code.

Each enum is made on first use (`enums.Phase`, `from cartq.enums import Phase`), not at import:
making all thirty costs 2.7 ms, a quarter of the interpreter's own start-up, and a lookup needs
a handful. A type checker sees each declaration as the Labelled enum it becomes.
"""

from __future__ import annotations

from enum import Enum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    E = TypeVar("E", bound="Labelled")


class Labelled(str, Enum):
    label: str

    def __new__(cls, value: str, label: str | None = None) -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = value.replace("_", " ") if label is None else label
        return member

    def __str__(self) -> str:
        return self.value


if TYPE_CHECKING:
    Declared = Labelled
else:

    class Declared:
        """A closed set as declared: made a Labelled enum, with this body, on first use."""


def label(enum: type[E], value: Any) -> str:
    """The label of a stored value ('phase_1_2' -> 'phase 1/2'); an empty value shows as ''."""
    if value is None or value == "":
        return ""
    return enum(value).label


class SourceKind(Declared):
    seed = "seed", "seed article"
    press_release = "press_release", "press release"
    filing = "filing", "regulatory or exchange filing"
    trade_press = "trade_press", "trade press"
    news = "news", "news"
    journal = "journal", "journal article"
    reference_work = "reference_work", "reference work"
    blog = "blog", "blog"
    industry_report = "industry_report", "industry report"
    mirror = "mirror", "mirror or repost of another publisher's page"
    aggregator = "aggregator", "aggregator or news digest"
    regulator = "regulator", "regulator's own page"


class Confidence(Declared):
    high = "high"
    medium = "medium"
    low = "low"
    unconfirmed = "unconfirmed"


class DatePrecision(Declared):
    day = "day"
    month = "month"
    year = "year"


class CellSource(Declared):
    autologous = "autologous", "autologous (the patient's own cells)"
    allogeneic = "allogeneic", "allogeneic (donor cells)"


class ProductStatus(Declared):
    approved = "approved"
    approval_reported = "approval_reported", "approval reported (single or weak source)"
    nda_accepted = "nda_accepted", "NDA accepted"
    nda_submitted = "nda_submitted", "marketing application submitted"
    in_clinical_trials = "in_clinical_trials", "in clinical trials"


class CompanyKind(Declared):
    domestic = "domestic", "Chinese company"
    joint_venture = "joint_venture", "joint venture"
    foreign = "foreign", "foreign company"
    academic = "academic", "academic or hospital"


class CompanyRoleKind(Declared):
    developer = "developer"
    co_developer = "co_developer", "co-developer"
    marketer = "marketer"
    marketing_authorisation_holder = "marketing_authorisation_holder", "marketing authorisation holder"
    commercial_partner = "commercial_partner", "commercial partner"
    joint_venture_partner = "joint_venture_partner", "joint-venture partner"
    licensor = "licensor"
    manufacturer = "manufacturer"


class IndicationCategory(Declared):
    haematological_malignancy = "haematological_malignancy", "blood cancer"
    solid_tumour = "solid_tumour", "solid tumour"
    autoimmune = "autoimmune", "autoimmune disease"


class Regulator(Declared):
    NMPA = "NMPA", "NMPA (China)"
    FDA = "FDA", "FDA (US)"
    HK_DoH = "HK_DoH", "Department of Health (Hong Kong)"
    HSA = "HSA", "Health Sciences Authority (Singapore)"
    ISAF = "ISAF", "Pharmaceutical Administration Bureau (Macao)"


class EventKind(Declared):
    approved = "approved"
    approval_reported = "approval_reported", "approval reported"
    nda_accepted = "nda_accepted", "NDA accepted"
    priority_review = "priority_review", "priority review"
    breakthrough_designation = "breakthrough_designation", "breakthrough therapy designation"
    ind_approved = "ind_approved", "IND approved"
    under_review = "under_review", "application under review"


def _approval_events() -> tuple[Labelled, ...]:
    """An approval, or one reported by a weak source: what `timeline` shows without --all-events."""
    kind = __getattr__("EventKind")
    return (kind.approved, kind.approval_reported)


class ApprovalType(Declared):
    conditional = "conditional"
    full = "full"
    unknown = "unknown", ""


class Phase(Declared):
    preclinical = "preclinical"
    early = "early", "early phase 1"
    phase_1 = "phase_1", "phase 1"
    phase_1_2 = "phase_1_2", "phase 1/2"
    phase_2 = "phase_2", "phase 2"
    phase_3 = "phase_3", "phase 3"
    registrational = "registrational"


class StudyKind(Declared):
    pivotal_trial = "pivotal_trial", "pivotal trial"
    trial = "trial"
    research_program = "research_program", "research programme"


class Approach(Declared):
    dual_targeting = "dual_targeting", "dual targeting"
    chemokine_receptor = "chemokine_receptor", "chemokine receptor"
    cytokine_secreting = "cytokine_secreting", "cytokine-secreting"
    crispr_edited = "crispr_edited", "CRISPR-edited"
    tgf_beta_resistant = "tgf_beta_resistant", "TGF-β resistant"
    checkpoint_combination = "checkpoint_combination", "checkpoint-inhibitor combination"
    stem_cell_combination = "stem_cell_combination", "stem-cell combination"
    b_cell_depletion = "b_cell_depletion", "B-cell depletion"
    t_cell_depletion = "t_cell_depletion", "T-cell depletion"
    beta_cell_protection = "beta_cell_protection", "beta-cell protection"
    allogeneic = "allogeneic"
    single_target = "single_target", "single target"


class Currency(Declared):
    USD = "USD"
    CNY = "CNY"
    GBP = "GBP"
    EUR = "EUR"
    HKD = "HKD"


class Scale(Declared):
    one = "one", ""
    thousand = "thousand"
    million = "million"
    billion = "billion"


class Qualifier(Declared):
    exactly = "exactly", ""
    about = "about"
    more_than = "more_than", "more than"
    at_least = "at_least", "at least"
    up_to = "up_to", "up to"
    under = "under"


class PriceBasis(Declared):
    list_price = "list_price", "list price"
    launch_list_price = "launch_list_price", "launch list price"
    typical_cost = "typical_cost", "typical cost"
    total_treatment_cost = "total_treatment_cost", "total treatment cost"
    currency_conversion = "currency_conversion", "a source's own currency conversion"
    pricing_guidance = "pricing_guidance", "pricing guidance"
    price_range_of_products = "price_range_of_products", "price range across products"


# The bases that are a product's own list price (what `compare` shows as its price).
def _list_prices() -> tuple[Labelled, ...]:
    basis = __getattr__("PriceBasis")
    return (basis.list_price, basis.launch_list_price)


class FigureKind(Declared):
    market_size = "market_size", "market size"
    funding = "funding"
    product_sales = "product_sales", "product sales"


class FigureStatus(Declared):
    actual = "actual"
    projection = "projection"


class CountKind(Declared):
    clinical_trials = "clinical_trials", "clinical trials"
    approved_products = "approved_products", "approved products"
    patients_treated = "patients_treated", "patients treated"
    eligible_patients = "eligible_patients", "eligible patients"


class Scheme(Declared):
    nrdl = "nrdl", "National Reimbursement Drug List (NRDL)"
    commercial_innovative_drug_list = "commercial_innovative_drug_list", "commercial insurance innovative drug list"
    huiminbao = "huiminbao", "Huiminbao (city health insurance)"


class CoverageStatus(Declared):
    listed = "listed"
    not_listed = "not_listed", "not listed"
    under_review = "under_review", "under review"
    covered = "covered"
    claim_paid = "claim_paid", "claim paid"


class GlossaryCategory(Declared):
    side_effect = "side_effect", "side effect"
    treatment_step = "treatment_step", "treatment step"
    technology = "technology"
    regulation = "regulation"
    insurance = "insurance"
    biology = "biology"
    patient_access = "patient_access", "patient access"


class ClaimTopic(Declared):
    trials = "trials", "clinical-trial landscape"
    growth_drivers = "growth_drivers", "growth drivers and policy"
    solid_tumours = "solid_tumours", "solid-tumour challenges"
    manufacturing = "manufacturing", "manufacturing and cost"
    benefits = "benefits", "benefits and limits"
    clinical_trial_participation = "clinical_trial_participation", "taking part in a trial"
    international_patients = "international_patients", "international patients"
    cost_drivers = "cost_drivers", "what drives the cost"
    approvals = "approvals", "approvals and their scope"


class ClaimStatus(Declared):
    supported = "supported", "supported by a named source"
    seed_only = "seed_only", "the seed's claim only (no better source found)"
    outdated = "outdated", "outdated (was true, no longer)"
    disputed = "disputed", "contradicted by a named source"
    conflict = "conflict", "sources disagree"


# ---- the trial registry (ClinicalTrials.gov API v2 values, ctg-oas-v2.yaml 2.0.5) -------------


class RegistryPhase(Declared):
    """A study's phases as the registry joins them ('PHASE1|PHASE2'), in order."""

    EARLY_PHASE1 = "EARLY_PHASE1", "early phase 1"
    PHASE1 = "PHASE1", "phase 1"
    PHASE1_PHASE2 = "PHASE1|PHASE2", "phase 1/2"
    PHASE2 = "PHASE2", "phase 2"
    PHASE2_PHASE3 = "PHASE2|PHASE3", "phase 2/3"
    PHASE3 = "PHASE3", "phase 3"
    PHASE4 = "PHASE4", "phase 4"
    NA = "NA", "not applicable"
    none = "", "none given"


class RegistryStatus(Declared):
    """A study's overall status (enum Status of the API)."""

    RECRUITING = "RECRUITING", "recruiting"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "not yet recruiting"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "enrolling by invitation"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "active, not recruiting"
    SUSPENDED = "SUSPENDED", "suspended"
    TERMINATED = "TERMINATED", "terminated"
    COMPLETED = "COMPLETED", "completed"
    WITHDRAWN = "WITHDRAWN", "withdrawn"
    UNKNOWN = "UNKNOWN", "unknown (not verified for 2 years)"
    AVAILABLE = "AVAILABLE", "available (expanded access)"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", "no longer available"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", "temporarily not available"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", "approved for marketing"
    WITHHELD = "WITHHELD", "withheld"


_DECLARED: dict[str, type] = {declared.__name__: declared for declared in Declared.__subclasses__()}
for _name in _DECLARED:
    del globals()[_name]  # so that the first use comes to __getattr__


def _made(declared: type) -> type[Labelled]:
    """The enum a declaration becomes, made as a class statement would make it."""
    metaclass = type(Labelled)
    body = metaclass.__prepare__(declared.__name__, (Labelled,))
    for key, value in vars(declared).items():
        if key not in ("__dict__", "__weakref__"):
            body[key] = value
    return metaclass(declared.__name__, (Labelled,), body)


def _all() -> tuple[type[Labelled], ...]:
    """Every closed set, for the tests and the schema docs."""
    return tuple(__getattr__(name) for name in _DECLARED)


_DERIVED: dict[str, Callable[[], Any]] = {
    "APPROVAL_EVENTS": _approval_events,
    "LIST_PRICES": _list_prices,
    "ALL": _all,
}


if TYPE_CHECKING:
    APPROVAL_EVENTS: tuple[Labelled, ...]
    LIST_PRICES: tuple[Labelled, ...]
    ALL: tuple[type[Labelled], ...]


def __getattr__(name: str) -> Any:
    if name in _DECLARED:
        made: Any = _made(_DECLARED[name])
    elif name in _DERIVED:
        made = _DERIVED[name]()
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = made
    return made
