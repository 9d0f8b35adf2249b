"""A loopback stand-in for the ClinicalTrials.gov API v2 `GET /api/v2/studies`, and study builders.

The server pages like the real API (pageSize coerced to 1000, nextPageToken absent on the last
page, totalCount on the first page with countTotal=true), applies the two filters cartq sends
(AREA[LocationCountry]China and AREA[LastUpdatePostDate]RANGE[date,MAX]), and can be scripted to
misbehave first: an HTTP status with headers, a stall, garbage, a truncated body.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CTGOV = SHARED / "datasets" / "ctgov"
EXAMPLES = CTGOV / "api-v2-examples"
SNAPSHOT = CTGOV / "car-t-trials-2026-08-22"


@dataclass
class Misbehave:
    """One scripted answer served instead of a page: kind is status|stall|garbage|truncate|bomb."""

    kind: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    body: bytes = b"busy"


_BOMB = gzip.compress(b"0" * 4 * 2**20, 9)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a stalled handler must not hold up the fixture's teardown

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hung up on a stalled answer, as the timeout test intends


class FakeCtgov:
    def __init__(self, studies: list[dict[str, Any]], script: list[Misbehave] | None = None,
                 gzip: bool = False) -> None:
        self.studies = studies
        self.gzip = gzip
        self.script = list(script or [])
        self.requests: list[dict[str, str]] = []
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeCtgov:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    def page(self, params: dict[str, str]) -> dict[str, Any]:
        studies = self.studies
        advanced = params.get("filter.advanced", "")
        if "AREA[LocationCountry]China" in advanced:
            studies = [s for s in studies if "China" in _countries(s)]
        since = re.search(r"AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]", advanced)
        if since:
            studies = [s for s in studies if _last_update(s) >= since.group(1)]
        size = int(params.get("pageSize") or 10) or 10
        size = min(size, 1000)
        offset = int(params.get("pageToken", "tok0").removeprefix("tok"))
        body: dict[str, Any] = {"studies": studies[offset:offset + size]}
        if offset + size < len(studies):
            body["nextPageToken"] = f"tok{offset + size}"
        if offset == 0 and params.get("countTotal") == "true":
            body["totalCount"] = len(studies)
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(parts.query))
                fake.requests.append(params)
                if parts.path != "/api/v2/studies":
                    return self._send(404, b"not found", "text/plain")
                if fake.script:
                    return self._misbehave(fake.script.pop(0), params)
                body = json.dumps(fake.page(params)).encode()
                if fake.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    return self._send(200, gzip.compress(body), headers={"Content-Encoding": "gzip"})
                self._send(200, body)

            def _misbehave(self, act: Misbehave, params: dict[str, str]) -> None:
                if act.kind == "status":
                    self._send(act.status, act.body, "text/plain", act.headers)
                elif act.kind == "stall":
                    time.sleep(act.seconds)
                    self._send(200, json.dumps(fake.page(params)).encode())
                elif act.kind == "garbage":
                    self._send(200, b"<html>Service temporarily unavailable</html>", "text/html")
                elif act.kind == "bomb":  # 4 MB of zeros in 4 kB, against a 1 MB limit in the test
                    self._send(200, _BOMB, headers={"Content-Encoding": "gzip"})
                elif act.kind == "truncate":
                    body = json.dumps(fake.page(params)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True

            def _send(self, status: int, body: bytes, kind: str = "application/json",
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _countries(study: dict[str, Any]) -> set[str]:
    locations = study.get("protocolSection", {}).get("contactsLocationsModule", {}).get("locations", [])
    return {loc.get("country", "") for loc in locations}


def _last_update(study: dict[str, Any]) -> str:
    status = study.get("protocolSection", {}).get("statusModule", {})
    return status.get("lastUpdatePostDateStruct", {}).get("date", "")


@functools.cache
def _example_texts() -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("NCT*.json")))


def examples(small: bool = False) -> list[dict[str, Any]]:
    """The four real API v2 study objects (none is a CAR-T study or has a site in China); with
    small=True without the 1.5 MB one (NCT02513394, 437 locations)."""
    return [json.loads(text) for text in _example_texts() if not (small and len(text) > 200_000)]


def car_t_study(
    nct_id: str,
    title: str,
    *,
    status: str = "RECRUITING",
    phases: tuple[str, ...] = ("PHASE1",),
    start: str | None = "2024-03",
    updated: str = "2025-01-15",
    sponsor: str = "Example Hospital",
    sponsor_class: str = "OTHER",
    conditions: tuple[str, ...] = (),
    interventions: tuple[tuple[str, tuple[str, ...]], ...] = (),
    sites: tuple[tuple[str, ...], ...] = (("Example Hospital", "Shanghai", "RECRUITING"),),
    collaborators: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A small invented CAR-T study object in the API v2 shape (test fixture, not registry data).

    A site is (facility, city, status) in China, or (facility, city, status, country)."""
    status_module: dict[str, Any] = {"overallStatus": status, "lastUpdatePostDateStruct": {"date": updated,
                                                                                           "type": "ACTUAL"}}
    if start:
        status_module["startDateStruct"] = {"date": start, "type": "ACTUAL"}
    design: dict[str, Any] = {"studyType": "INTERVENTIONAL", "enrollmentInfo": {"count": 20, "type": "ESTIMATED"}}
    if phases:
        design["phases"] = list(phases)
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title},
            "statusModule": status_module,
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": sponsor, "class": sponsor_class},
                                           "collaborators": [{"name": c, "class": "OTHER"} for c in collaborators]},
            "conditionsModule": {"conditions": list(conditions)},
            "designModule": design,
            "armsInterventionsModule": {"interventions": [
                {"type": "BIOLOGICAL", "name": name, "otherNames": list(other)} for name, other in interventions]},
            "eligibilityModule": {"minimumAge": "18 Years", "stdAges": ["ADULT", "OLDER_ADULT"]},
            "contactsLocationsModule": {"locations": [
                {"facility": site[0], "city": site[1], "status": site[2],
                 "country": site[3] if len(site) > 3 else "China"} for site in sites]},
        },
        "hasResults": False,
    }


def snapshot_studies(folder: Path = SNAPSHOT) -> list[dict[str, Any]]:
    """API v2 study objects rebuilt from a snapshot's trials.csv and sites.csv, at run time only.

    Registry columns only (the monitors' classifications are left out). StartDate is dropped when
    the CSV has none; Phase 'Unknown' (the monitor's placeholder) becomes no phases.
    """
    locations: dict[str, list[dict[str, str]]] = {}
    with open(folder / "sites.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            locations.setdefault(row["NCTId"], []).append({
                "facility": row["Facility"], "city": row["City"], "state": row["State"],
                "country": row["Country"], "status": row["SiteStatus"]})
    studies = []
    with open(folder / "trials.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            status: dict[str, Any] = {"overallStatus": row["OverallStatus"],
                                      "lastUpdatePostDateStruct": {"date": row["LastUpdatePostDate"]}}
            if row["StartDate"]:
                status["startDateStruct"] = {"date": row["StartDate"]}
            design: dict[str, Any] = {}
            if row["Phase"] and row["Phase"] != "Unknown":
                design["phases"] = row["Phase"].split("|")
            if row["EnrollmentCount"]:
                design["enrollmentInfo"] = {"count": int(float(row["EnrollmentCount"]))}
            names = [n for n in row["Interventions"].split("|") if n]
            studies.append({"protocolSection": {
                "identificationModule": {"nctId": row["NCTId"], "briefTitle": row["BriefTitle"]},
                "statusModule": status,
                "sponsorCollaboratorsModule": {"leadSponsor": {"name": row["LeadSponsor"],
                                                               "class": row["LeadSponsorClass"]}},
                "conditionsModule": {"conditions": [c for c in row["Conditions"].split("|") if c]},
                "designModule": design,
                "armsInterventionsModule": {"interventions": [{"name": n} for n in names]},
                "eligibilityModule": {"minimumAge": row["MinAge"], "maximumAge": row["MaxAge"],
                                      "stdAges": [a for a in row["StdAges"].split("|") if a]},
                "contactsLocationsModule": {"locations": [
                    {k: v for k, v in loc.items() if v} for loc in locations.get(row["NCTId"], [])]},
            }})
    return studies


def snapshot_china_rows(folder: Path = SNAPSHOT) -> list[dict[str, str]]:
    """The snapshot's trials.csv rows whose Countries include China."""
    with open(folder / "trials.csv", newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if "China" in row["Countries"].split("|")]
