"""What the registry functions return: TypedDicts, so plain JSON-serialisable dicts at run time.

Every key is always present (total); a missing registry value is '' or None or [], never absent.
Derived values (target, indication, product) are kept in their own keys and `derived` lists, each
with how it was derived, never mixed into the registry's own fields.
"""

from __future__ import annotations

from typing import TypedDict  # noqa: TID253


class RegistryProblem(TypedDict):
    """A study that was skipped: its position in the page, list or file (from 1), and why."""

    position: int
    nct_id: str
    reason: str


class RegistryDerivation(TypedDict):
    what: str  # target | indication | product
    value: str
    how: str


class RegistrySite(TypedDict):
    facility: str
    city: str
    state: str
    country: str
    status: str


class RegistryAgency(TypedDict):
    name: str
    agency_class: str


class RegistryIntervention(TypedDict):
    type: str
    name: str
    other_names: list[str]


class RegistryStudyRow(TypedDict):
    """One line of a listing."""

    nct_id: str
    title: str
    acronym: str
    status: str
    phase: str  # label: 'phase 1/2', 'early phase 1', 'not applicable', 'none given'
    start_date: str  # as registered: yyyy, yyyy-MM or yyyy-MM-dd; '' when none
    lead_sponsor: str
    enrollment: int | None
    china_sites: int
    cities: list[str]  # distinct cities of the Chinese sites
    targets: list[str]  # derived
    indications: list[str]  # derived
    products: list[str]  # derived (fact-base product ids)
    url: str


class RegistryStudy(TypedDict):
    """One study in full: registry fields, its Chinese sites, and (apart) what cartq derived."""

    nct_id: str
    url: str
    brief_title: str
    official_title: str
    acronym: str
    status: str
    last_known_status: str
    study_type: str
    phases: list[str]  # API values, e.g. ['PHASE1', 'PHASE2']
    phase: str  # label
    start_date: str
    start_precision: str  # year | month | day | ''
    start_type: str  # ACTUAL | ESTIMATED | ''
    primary_completion_date: str
    primary_completion_precision: str
    primary_completion_type: str
    completion_date: str
    completion_precision: str
    completion_type: str
    last_update_posted: str  # the API's own last-update post date of the study
    lead_sponsor: str
    lead_sponsor_class: str
    collaborators: list[RegistryAgency]
    conditions: list[str]
    interventions: list[RegistryIntervention]
    enrollment: int | None
    enrollment_type: str
    minimum_age: str
    maximum_age: str
    std_ages: list[str]
    china_sites: list[RegistrySite]
    other_countries: list[str]
    site_count: int
    derived: list[RegistryDerivation]
    retrieved: str  # when this copy of the registry was fetched or imported
    source: str


class RegistryFacetCount(TypedDict):
    value: str
    count: int


class RegistryFacets(TypedDict):
    by: str  # target | phase | status | sponsor | city | year
    filters: dict[str, str]
    total: int  # studies matching the filters (a study may count under several values)
    counts: list[RegistryFacetCount]


class RegistryInfo(TypedDict):
    path: str
    retrieved: str  # ISO timestamp (UTC) of the last update or import
    origin: str  # 'api' or 'import'
    query: str  # the query string sent (or the imported file's name)
    api_url: str
    since: str  # the --since date of the last update, '' for a full one
    api_last_update: str  # the newest last-update post date among the studies
    studies: int
    studies_in_china: int
    sites: int
    china_sites: int
    derived: dict[str, int]  # target/indication/product -> studies with at least one
    skipped: int  # studies skipped as invalid at the last update or import


class RegistryUpdate(TypedDict):
    """What `update` or `import_studies` did."""

    path: str
    origin: str
    query: str
    since: str  # the --since date used ('' for a full update or an import)
    fetched: int  # study objects read
    stored: int  # studies now in the registry
    added_or_updated: int
    skipped: list[RegistryProblem]
    not_in_china: int  # read but without a site in China, so not kept
    total_reported: int | None  # the API's totalCount, when it gave one


class RegistryLink(TypedDict):
    """How many registered studies concern a fact-base record, and the command that lists them."""

    count: int
    command: str
