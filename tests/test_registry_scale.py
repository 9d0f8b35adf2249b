"""The 2026-08-22 snapshot at scale: rebuilt as API v2 objects at test time (never committed), served
from the loopback server, fetched by `update`, and counted against the snapshot's own CSV."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from cartq.registry import client as ctgov
from cartq.registry.importer import import_file
from cartq.registry.query import PHASES, Filters, facet, info, list_studies, status_label
from cartq.registry.update import update
from tests.ctgov_fake import SNAPSHOT, FakeCtgov, snapshot_china_rows, snapshot_studies

pytestmark = pytest.mark.skipif(not (SNAPSHOT / "trials.csv").is_file(), reason="shared snapshot not present")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "registry.sqlite"
    with FakeCtgov(snapshot_studies()) as fake:
        client = ctgov.Client(fake.url, timeout=10, sleep=lambda s: None)
        result = update(path, client=client)
        assert len(fake.requests) == 2  # 1,241 studies in pages of 1,000
    assert result["skipped"] == []
    return path


def _csv_label(phase: str) -> str:
    return PHASES["" if phase == "Unknown" else phase]  # 'Unknown' is the monitor's placeholder


def test_counts_by_status_and_phase_match_the_csv(registry: Path) -> None:
    rows = snapshot_china_rows()
    about = info(registry)
    assert about["studies"] == len(rows) == 1241
    by_status = {c["value"]: c["count"] for c in facet("status", registry)["counts"]}
    assert by_status == {status_label(k): n for k, n in Counter(r["OverallStatus"] for r in rows).items()}
    by_phase = {c["value"]: c["count"] for c in facet("phase", registry)["counts"]}
    assert by_phase == dict(Counter(_csv_label(r["Phase"]) for r in rows))
    recruiting = {c["value"]: c["count"] for c in facet("phase", registry, Filters(status="recruiting"))["counts"]}
    assert recruiting == dict(Counter(_csv_label(r["Phase"]) for r in rows if r["OverallStatus"] == "RECRUITING"))


def test_sites_match_the_csv(registry: Path) -> None:
    china = {r["NCTId"] for r in snapshot_china_rows()}
    with open(SNAPSHOT / "sites.csv", newline="", encoding="utf-8") as handle:
        sites = [r for r in csv.DictReader(handle) if r["NCTId"] in china]
    about = info(registry)
    assert about["sites"] == len(sites)
    assert about["china_sites"] == sum(1 for s in sites if s["Country"] == "China")


def test_the_analysts_question(registry: Path) -> None:
    """'How many BCMA CAR-T trials are recruiting in China, by phase?': a facet equals its listing."""
    filters = Filters(status="recruiting", target="bcma")
    result = facet("phase", registry, filters)
    listed = list_studies(registry, filters)
    assert result["total"] == len(listed) > 0
    assert sum(c["count"] for c in result["counts"]) == len(listed)
    assert all(row["status"] == "RECRUITING" and "BCMA" in row["targets"] for row in listed)


def test_the_rheumatology_snapshot_imported_from_a_file(tmp_path: Path) -> None:
    """The patients' question: 'which hospitals in Shanghai are recruiting for lupus CAR-T?'."""
    folder = SNAPSHOT / "rheumatology"
    file = tmp_path / "rheumatology.jsonl"
    file.write_text("\n".join(json.dumps(study) for study in snapshot_studies(folder)))
    result = import_file(file, tmp_path / "registry.sqlite")
    rows = snapshot_china_rows(folder)
    assert result["stored"] == len(rows) == 198 and result["skipped"] == []
    by_phase = {c["value"]: c["count"] for c in facet("phase", tmp_path / "registry.sqlite")["counts"]}
    assert by_phase == dict(Counter(_csv_label(r["Phase"]) for r in rows))
    wanted = Filters(indication="lupus", city="shanghai", status="recruiting")
    lupus = list_studies(tmp_path / "registry.sqlite", wanted)
    assert lupus and all("Shanghai" in row["cities"] for row in lupus)
