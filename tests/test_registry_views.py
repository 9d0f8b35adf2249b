"""Registry views: derived values shown as derived, control characters removed, flat rows."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cartq.registry import views
from cartq.registry.importer import import_file
from cartq.registry.query import Filters, facet, get_study, info, list_studies
from cartq.render import screen
from tests.ctgov_fake import car_t_study
from tests.test_registry_store import fixtures


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("views")
    hostile = car_t_study("NCT10000007", "CD19 CAR-T \x1b[31mred\x1b[0m [on hold]",
                          sites=(("Hospital\x07 A", "Beijing", "RECRUITING"),))
    (folder / "s.json").write_text(json.dumps([*fixtures(), hostile]))
    result = import_file(folder / "s.json", folder / "r.sqlite")
    assert result["stored"] == 5
    return folder / "r.sqlite"


def test_study_doc_labels_derived_values(registry: Path) -> None:
    text = screen.render_plain(views.study_doc(get_study("NCT10000001", registry)))
    assert "Derived by cartq (not registry facts):" in text
    assert "target BCMA (derived: brief title contains 'BCMA')" in text
    assert "https://clinicaltrials.gov/study/NCT10000001" in text
    assert "Sites in China (2 of 2):" in text and "Ruijin Hospital" in text
    assert "2024-03" in text and "ClinicalTrials.gov, U.S. National Library of Medicine" in text
    registry_part = text.split("Derived by cartq")[0]
    assert "BCMA (derived" not in registry_part


def test_control_characters_never_reach_the_screen(registry: Path) -> None:
    for doc in (views.study_doc(get_study("NCT10000007", registry)),
                views.study_list_doc(list_studies(registry), {"city": "beijing"})):
        text = screen.render_plain(doc)
        assert "\x1b" not in text and "\x07" not in text
        assert "\\x1b[31mred" in text  # shown escaped, visibly, as everywhere in cartq
        assert "[on hold]" in text


def test_listing_facet_info_and_update_docs(registry: Path) -> None:
    listing = screen.render_plain(views.study_list_doc(list_studies(registry, Filters(target="bcma")),
                                                       {"target": "bcma"}))
    assert listing.startswith("1 registered study with a site in China (target bcma)")
    assert "target (derived)" in listing
    table = screen.render_plain(views.facet_doc(facet("target", registry)))
    assert "by target (derived)" in table and "unclassified" in table
    chart = screen.render_plain(views.facet_doc(facet("phase", registry), chart=True))
    assert "phase 1/2" in chart
    about = screen.render_plain(views.info_doc(info(registry)))
    assert "imported file" in about and "studies" in about
    empty = screen.render_plain(views.study_list_doc([]))
    assert empty.startswith("0 registered studies")


def test_update_doc_lists_skipped_studies(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps([fixtures()[0], {"protocolSection": {}}]))
    result = import_file(tmp_path / "s.json", tmp_path / "r.sqlite")
    text = screen.render_plain(views.update_doc(result))
    assert "Imported the trial registry: 1 study" in text
    assert "#2: no protocolSection.identificationModule" in text


def test_rows_are_flat(registry: Path) -> None:
    rows = views.study_rows(list_studies(registry))
    assert all(not isinstance(v, (list, dict)) for row in rows for v in row.values())
    assert {r["nct_id"]: r["cities"] for r in rows}["NCT10000001"] == "Shanghai|Wuhan"
    assert views.facet_rows(facet("status", registry))[0] == {"by": "status", "value": "recruiting", "count": 3}
    assert views.site_rows(get_study("NCT10000001", registry))[0]["nct_id"] == "NCT10000001"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    piped = io.StringIO()
    with views.progress_bar(stream=piped) as report:
        report(2, 5)
    assert piped.getvalue() == ""
    terminal = _Tty()
    with views.progress_bar(stream=terminal) as report:
        report(2, 5)
        report(5, 5)
    assert terminal.getvalue()  # Rich drew (and, being transient, cleared) a bar
