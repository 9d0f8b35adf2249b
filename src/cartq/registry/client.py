"""Fetching CAR-T studies with a site in China from the ClinicalTrials.gov API v2, with the stdlib.

Parameters as defined by the API's OpenAPI description (ctg-oas-v2.yaml, version 2.0.5):
`GET {base}/api/v2/studies` with `query.term` (Essie syntax), `filter.advanced`, `fields`,
`pageSize` (coerced down to 1000 by the API), `pageToken` = the previous page's `nextPageToken`
(absent on the last page) and `countTotal=true` (`totalCount` on the first page only).

urllib is enough: one GET at a time, JSON bodies, no cookies or sessions, so no HTTP dependency.
The client never prints; it reports progress through a callback and raises RegistryError with one
line for anything that goes wrong.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field  # noqa: TID253
from datetime import date, datetime, timezone
from typing import Any  # noqa: TID253

from cartq import __version__
from cartq.errors import RegistryError

DEFAULT_BASE = "https://clinicaltrials.gov"
STUDIES_PATH = "/api/v2/studies"

# CAR-T terms searched in the API's "Other terms" area (query.term: titles, acronym, conditions,
# keywords, intervention names and summaries), as quoted phrases so that 'CAR T' is not any study
# mentioning a 'car'. The same area and near the same terms as the public CAR-T trial monitors
# whose 2026-08-22 snapshot the tests use; 'chimeric antigen receptor' also finds studies that
# never say 'CAR-T'. Restricted to studies with a location in China by filter.advanced.
CAR_T_TERMS = '"CAR-T" OR "CAR T" OR "CART cell" OR "chimeric antigen receptor" OR "CAR-engineered T"'
CHINA_FILTER = "AREA[LocationCountry]China"

# Only what cartq stores, by the API's piece names: five small modules whole (piece names as in
# the spec's own example, 'ConditionsModule'), and single fields of the three modules that carry
# long text or contact details (arm descriptions, eligibility criteria, site contacts).
FIELDS = (
    "IdentificationModule", "StatusModule", "SponsorCollaboratorsModule", "ConditionsModule", "DesignModule",
    "InterventionType", "InterventionName", "InterventionOtherName",
    "MinimumAge", "MaximumAge", "StdAge",
    "LocationFacility", "LocationCity", "LocationState", "LocationCountry", "LocationStatus",
)

PAGE_SIZE = 1000  # the API's maximum
MAX_PAGES = 200  # 200,000 studies: far beyond any CAR-T query; a server that never stops paging is refused
MAX_PAGE_BYTES = 64 * 1024 * 1024  # a 1000-study page of these fields is a few MB
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is a reason to stop, not to wait

Progress = Callable[[int, "int | None"], None]  # (studies fetched so far, total reported or None)


def base_url(base: str | None = None) -> str:
    """The API base: the argument, else $CARTQ_CTGOV_URL, else https://clinicaltrials.gov."""
    value = (base or os.environ.get("CARTQ_CTGOV_URL") or DEFAULT_BASE).strip().rstrip("/")
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise RegistryError(f"not an http(s) URL for the ClinicalTrials.gov API: {value!r}")
    return value


def query_params(since: date | None = None, page_size: int = PAGE_SIZE) -> dict[str, str]:
    """The first page's parameters; later pages add pageToken and keep everything else."""
    advanced = CHINA_FILTER
    if since is not None:
        advanced += f" AND AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
    return {
        "format": "json",
        "query.term": CAR_T_TERMS,
        "filter.advanced": advanced,
        "fields": ",".join(FIELDS),
        "pageSize": str(page_size),
        "countTotal": "true",
    }


def describe_query(since: date | None = None) -> str:
    """The query in words for the store's metadata and `--info`."""
    params = query_params(since)
    return f"query.term={params['query.term']}; filter.advanced={params['filter.advanced']}"


@dataclass
class FetchResult:
    studies: list[Any]
    total: int | None  # the API's totalCount
    pages: int
    url: str  # the first page's URL


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


@dataclass
class Client:
    """A bounded ClinicalTrials.gov client. `sleep` and `backoff` are injectable so tests never wait."""

    base: str | None = None
    timeout: float = 30.0
    attempts: int = 5  # per page, including the first
    backoff: float = 1.0  # seconds; doubled after each failed attempt
    max_pages: int = MAX_PAGES
    max_page_bytes: int = MAX_PAGE_BYTES
    page_size: int = PAGE_SIZE
    sleep: Callable[[float], None] = time.sleep
    opener: urllib.request.OpenerDirector = field(default_factory=urllib.request.build_opener)

    def __post_init__(self) -> None:
        self.base = base_url(self.base)

    @property
    def endpoint(self) -> str:
        return f"{self.base}{STUDIES_PATH}"

    def fetch(self, since: date | None = None, progress: Progress | None = None) -> FetchResult:
        """Every page of the query; raises RegistryError (one line) when the API cannot be used."""
        params = query_params(since, self.page_size)
        first_url = f"{self.endpoint}?{urllib.parse.urlencode(params)}"
        studies: list[Any] = []
        total: int | None = None
        token: str | None = None
        seen_tokens: set[str] = set()
        for page in range(1, self.max_pages + 1):
            url = first_url if token is None else f"{first_url}&{urllib.parse.urlencode({'pageToken': token})}"
            body = self._get_page(url, page)
            batch = body.get("studies")
            if not isinstance(batch, list):
                raise RegistryError(f"ClinicalTrials.gov page {page} has no list of studies",
                                    hint="the API may have changed; try again later or import a file")
            if page == 1 and isinstance(body.get("totalCount"), int):
                total = body["totalCount"]
            studies.extend(batch)
            if progress:
                progress(len(studies), total)
            token = body.get("nextPageToken")
            if not token:
                return FetchResult(studies, total, page, first_url)
            if not isinstance(token, str) or token in seen_tokens:
                raise RegistryError(f"ClinicalTrials.gov page {page} repeats an earlier page token")
            seen_tokens.add(token)
        raise RegistryError(f"ClinicalTrials.gov kept paging past {self.max_pages} pages; stopped",
                            hint="the query may have changed meaning; report it")

    def _get_page(self, url: str, page: int) -> dict[str, Any]:
        last = ""
        for attempt in range(self.attempts):
            try:
                return self._try_get(url, page)
            except _Retry as retry:
                last = retry.reason
                if attempt + 1 == self.attempts:
                    break
                wait = retry.wait if retry.wait is not None else self.backoff * 2**attempt
                if wait > MAX_RETRY_AFTER:
                    raise RegistryError(f"{last}; it asks to wait {wait:.0f} s", hint="try again later") from None
                self.sleep(wait)
        raise RegistryError(f"{last} (gave up after {self.attempts} attempts)", hint="try again later")

    def _try_get(self, url: str, page: int) -> dict[str, Any]:
        request = urllib.request.Request(url, headers={
            "Accept": "application/json", "Accept-Encoding": "gzip",
            "User-Agent": f"cartq/{__version__} (registry update)"})
        where = f"ClinicalTrials.gov ({self.base})"
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                raw = response.read(self.max_page_bytes + 1)
                missing = response.length  # bytes the Content-Length promised but never came
                encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
        except urllib.error.HTTPError as error:
            status = error.code
            try:  # the API explains a 400 in a short text/plain body
                said = error.read(300).decode("utf-8", "replace").strip().splitlines()
            except (OSError, http.client.HTTPException):
                said = []
            error.close()
            if status == 429 or status >= 500:
                raise _Retry(f"{where} answered HTTP {status} on page {page}",
                             _retry_after(error.headers.get("Retry-After"))) from None
            detail = f": {said[0][:160]}" if said and status == 400 else ""
            raise RegistryError(f"{where} answered HTTP {status} {error.reason} on page {page}{detail}",
                                hint="check --api-url / CARTQ_CTGOV_URL") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise _Retry(f"{where} did not answer within {self.timeout:g} s") from None
            if isinstance(reason, socket.gaierror):
                raise RegistryError(f"cannot reach {where}: the host name does not resolve (offline?)",
                                    hint="check your connection, or use `cartq registry import FILE`") from None
            if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)):
                raise _Retry(f"{where} dropped the connection on page {page}") from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise RegistryError(f"cannot reach {where}: {text}",
                                hint="check your connection, or use `cartq registry import FILE`") from None
        except TimeoutError:
            raise _Retry(f"{where} did not answer within {self.timeout:g} s") from None
        except http.client.IncompleteRead:
            raise _Retry(f"{where} sent a truncated page {page}") from None
        except (http.client.HTTPException, ConnectionError) as error:
            raise _Retry(f"{where} broke off page {page} ({type(error).__name__})") from None
        if len(raw) > self.max_page_bytes:
            raise RegistryError(f"{where} sent a page over {self.max_page_bytes / 2**20:g} MB; refused")
        if missing:
            raise _Retry(f"{where} sent a truncated page {page}")
        if encoding == "gzip":
            raw = self._gunzip(raw, where, page)
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            snippet = raw[:60].decode("utf-8", "replace").replace("\n", " ")
            raise RegistryError(f"{where} answered page {page} with something that is not JSON: {snippet!r}",
                                hint="check --api-url / CARTQ_CTGOV_URL, or try again later") from None
        if not isinstance(body, dict):
            raise RegistryError(f"{where} answered page {page} with JSON that is not a page of studies")
        return body

    def _gunzip(self, raw: bytes, where: str, page: int) -> bytes:
        """Decompressed with the same bound as a plain page, so a gzip bomb stops at the limit."""
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(raw, self.max_page_bytes + 1)
        except zlib.error:
            raise _Retry(f"{where} sent a damaged compressed page {page}") from None
        if len(data) > self.max_page_bytes:
            raise RegistryError(f"{where} sent a page over {self.max_page_bytes / 2**20:g} MB "
                                f"uncompressed; refused")
        if not inflater.eof:
            raise _Retry(f"{where} sent a truncated page {page}")
        return data
