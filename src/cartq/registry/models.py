"""Pydantic models of the ClinicalTrials.gov API v2 study fields cartq keeps, and nothing more.

Field paths follow the API's OpenAPI description (ctg-oas-v2.yaml, version 2.0.5). Every module
and field is optional in practice (absent values are left out, not null), so everything but the
NCT id defaults to empty; unknown fields are ignored. A study that fails validation is reported
with its position and skipped by `parse_studies`; the rest are still imported.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cartq.registry.dates import check_partial_date
from cartq.registry.results import RegistryProblem

_NCT_ID = re.compile(r"^NCT\d{8}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class DateStruct(_Model):
    date: str | None = None
    type: str | None = None  # ACTUAL or ESTIMATED; often missing on old records

    @field_validator("date")
    @classmethod
    def _partial(cls, value: str | None) -> str | None:
        return check_partial_date(value) if value else None


class Identification(_Model):
    nctId: str
    briefTitle: str = ""
    officialTitle: str = ""
    acronym: str = ""

    @field_validator("nctId")
    @classmethod
    def _nct(cls, value: str) -> str:
        value = value.strip().upper()
        if not _NCT_ID.match(value):
            raise ValueError(f"malformed NCT id {value!r}")
        return value


class Status(_Model):
    overallStatus: str = ""  # never defaulted to UNKNOWN, which is a registry value of its own
    lastKnownStatus: str | None = None
    startDateStruct: DateStruct = DateStruct()
    primaryCompletionDateStruct: DateStruct = DateStruct()
    completionDateStruct: DateStruct = DateStruct()
    lastUpdatePostDateStruct: DateStruct = DateStruct()


class Agency(_Model):
    name: str = ""
    class_: str = Field("", alias="class")


class Sponsors(_Model):
    leadSponsor: Agency = Agency()
    collaborators: list[Agency] = []


class Conditions(_Model):
    conditions: list[str] = []


class Enrollment(_Model):
    count: int | None = None
    type: str | None = None


class Design(_Model):
    studyType: str | None = None
    phases: list[str] = []
    enrollmentInfo: Enrollment = Enrollment()


class Intervention(_Model):
    type: str = ""
    name: str = ""
    otherNames: list[str] = []


class ArmsInterventions(_Model):
    interventions: list[Intervention] = []


class Eligibility(_Model):
    minimumAge: str = ""
    maximumAge: str = ""
    stdAges: list[str] = []


class Location(_Model):
    facility: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    status: str = ""


class ContactsLocations(_Model):
    locations: list[Location] = []


class Protocol(_Model):
    identificationModule: Identification
    statusModule: Status = Status()
    sponsorCollaboratorsModule: Sponsors = Sponsors()
    conditionsModule: Conditions = Conditions()
    designModule: Design = Design()
    armsInterventionsModule: ArmsInterventions = ArmsInterventions()
    eligibilityModule: Eligibility = Eligibility()
    contactsLocationsModule: ContactsLocations = ContactsLocations()


class Study(_Model):
    protocolSection: Protocol

    @property
    def nct_id(self) -> str:
        return self.protocolSection.identificationModule.nctId


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return f"no {where}"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _nct_of(raw: Any) -> str:
    """The NCT id of a raw study object, if it has a readable one (for the problem report)."""
    try:
        value = raw["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return ""
    return value if isinstance(value, str) else ""


def parse_studies(raws: list[Any], positions: list[int] | None = None) -> tuple[list[Study], list[RegistryProblem]]:
    """Validate study objects; the bad ones come back as problems (position, from 1, and reason)."""
    studies: list[Study] = []
    problems: list[RegistryProblem] = []
    for position, raw in zip(positions or range(1, len(raws) + 1), raws, strict=True):
        if not isinstance(raw, dict):
            problems.append({"position": position, "nct_id": "", "reason": "not a study object"})
            continue
        try:
            studies.append(Study.model_validate(raw))
        except ValidationError as error:
            problems.append({"position": position, "nct_id": _nct_of(raw), "reason": _first_error(error)})
    return studies, problems
