"""Update and import into the store: atomic swaps, --since merges, and hostile import files."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from cartq.errors import FactBaseError, RegistryError, UsageError
from cartq.registry import client as ctgov
from cartq.registry import store
from cartq.registry.importer import MAX_IMPORT_BYTES, import_file, read_studies
from cartq.registry.query import get_study, info, list_studies
from cartq.registry.update import last_retrieved, parse_since, update
from tests.ctgov_fake import FakeCtgov, Misbehave, car_t_study, examples


def fixtures() -> list[dict]:
    """Small invented CAR-T studies (not registry data) covering targets, indications and statuses."""
    return [
        car_t_study("NCT10000001", "Anti-BCMA CAR-T Cells in Relapsed Multiple Myeloma", phases=("PHASE1", "PHASE2"),
                    conditions=("Multiple Myeloma",), interventions=(("CT103A", ("Equecabtagene Autoleucel",)),),
                    sponsor="Nanjing IASO Biotherapeutics Co., Ltd", sponsor_class="INDUSTRY",
                    sites=(("Ruijin Hospital", "Shanghai", "RECRUITING"), ("Tongji Hospital", "Wuhan", ""))),
        car_t_study("NCT10000002", "CD19 CAR-T for Refractory Systemic Lupus Erythematosus", phases=("EARLY_PHASE1",),
                    conditions=("Systemic Lupus Erythematosus", "Lupus Nephritis"),
                    interventions=(("CD19 CAR-T cells", ()),), start="2025-02-10",
                    sites=(("Renji Hospital", "Shanghai", "RECRUITING"),)),
        car_t_study("NCT10000003", "Claudin18.2 CAR-T in Advanced Gastric Cancer", status="COMPLETED",
                    phases=("PHASE1",), conditions=("Gastric Adenocarcinoma",), start="2019",
                    interventions=(("CT041", ("satri-cel",)),), sponsor="CARsgen Therapeutics Co., Ltd.",
                    sites=(("Peking University Cancer Hospital", "Beijing", "COMPLETED"),)),
        car_t_study("NCT10000004", "A Study of T Cell Therapy in Solid Tumours", status="NOT_YET_RECRUITING",
                    phases=(), start=None, conditions=("Neoplasms",),
                    sites=(("Xijing Hospital", "Xi'an", ""), ("Site B", "Xian", ""),
                           ("Site C", "Taipei", "", "Taiwan")),
                    collaborators=("Fourth Military Medical University",)),
    ]


def _update(fake: FakeCtgov, path: Path, **kwargs: object) -> dict:
    client = ctgov.Client(fake.url, backoff=0, attempts=2, sleep=lambda s: None, timeout=2)
    return update(path, client=client, **kwargs)  # type: ignore[arg-type]


def test_update_stores_studies_with_a_site_in_china(tmp_path: Path) -> None:
    path = tmp_path / "reg" / "registry.sqlite"
    with FakeCtgov(fixtures() + examples(small=True)) as fake:
        result = _update(fake, path)
    assert result["stored"] == 4 and result["skipped"] == [] and result["total_reported"] == 4
    about = info(path)
    assert about["studies"] == 4 and about["origin"] == "api"
    assert about["api_url"].endswith("/api/v2/studies") and "AREA[LocationCountry]China" in about["query"]
    assert about["china_sites"] == 6 and about["sites"] == 7
    assert about["api_last_update"] == "2025-01-15"
    assert last_retrieved(path) == date.today()
    assert list(tmp_path.joinpath("reg").iterdir()) == [path]  # no temp file left


def test_interrupted_update_leaves_the_old_store(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(fixtures()) as fake:
        _update(fake, path)
    before = path.read_bytes()

    def interrupt(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with FakeCtgov(fixtures()[:1]) as fake, pytest.raises(KeyboardInterrupt):
        _update(fake, path, progress=interrupt)
    with FakeCtgov(fixtures()[:1], [Misbehave("status", 500)] * 2) as fake, pytest.raises(RegistryError):
        _update(fake, path)
    assert path.read_bytes() == before and info(path)["studies"] == 4
    assert [p.name for p in tmp_path.iterdir()] == ["registry.sqlite"]


def test_failure_while_writing_removes_the_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(fixtures()) as fake:
        _update(fake, path)
    before = path.read_bytes()

    def broken(*args: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing rows

    monkeypatch.setattr(store, "_insert", broken)
    with FakeCtgov(fixtures()) as fake, pytest.raises(KeyboardInterrupt):
        _update(fake, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["registry.sqlite"]


def test_since_merges_updated_studies_into_the_store(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(fixtures()) as fake:
        _update(fake, path)
    changed = car_t_study("NCT10000003", "Claudin18.2 CAR-T in Advanced Gastric Cancer", status="TERMINATED",
                          updated="2026-03-01", sites=(("Peking University Cancer Hospital", "Beijing", ""),))
    added = car_t_study("NCT10000005", "GPRC5D CAR-T in Myeloma", updated="2026-04-01")
    now = [*fixtures()[:2], changed, fixtures()[3], added]  # the API now holds the changed copy
    with FakeCtgov(now) as fake:
        result = _update(fake, path, since=date(2026, 1, 1))
        assert "RANGE[2026-01-01,MAX]" in fake.requests[0]["filter.advanced"]
    assert result["added_or_updated"] == 2 and result["stored"] == 5
    assert get_study("NCT10000003", path)["status"] == "TERMINATED"
    assert get_study("nct10000001", path)["brief_title"].startswith("Anti-BCMA")
    assert info(path)["since"] == "2026-01-01"
    assert "NCT10000005" in {r["nct_id"] for r in list_studies(path)}


def test_the_store_is_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(fixtures()) as fake:
        _update(fake, path)
    conn = store.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM studies")
    conn.close()


def test_missing_or_foreign_store(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no trial registry") as error:
        info(tmp_path / "none.sqlite")
    assert "update" in (error.value.hint or "")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    with pytest.raises(RegistryError, match="not a readable trial registry"):
        info(junk)


def test_default_path_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CARTQ_REGISTRY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert store.default_path() == tmp_path / "cartq" / "registry.sqlite"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store.default_path() == tmp_path / "home" / ".local" / "share" / "cartq" / "registry.sqlite"
    monkeypatch.setenv("CARTQ_REGISTRY", str(tmp_path / "x.sqlite"))
    assert store.default_path() == tmp_path / "x.sqlite"


def test_a_path_with_uri_characters(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    file.write_text(json.dumps(fixtures()))
    path = tmp_path / "my reg #1?x=%20" / "registry.sqlite"
    import_file(file, path)
    assert info(path)["studies"] == 4


# ---- import ------------------------------------------------------------------------------


def _china(study: dict) -> dict:
    """A real example object with its first location moved to China, so it is kept."""
    study = json.loads(json.dumps(study))
    locations = study["protocolSection"]["contactsLocationsModule"]["locations"]
    locations[0]["country"] = "China"
    return study


@pytest.mark.parametrize("shape", ["page", "list", "jsonl", "bom"])
def test_import_shapes(tmp_path: Path, shape: str) -> None:
    studies = fixtures() + [_china(s) for s in examples(small=True)]
    file = tmp_path / "studies.json"
    if shape == "page":
        file.write_text(json.dumps({"studies": studies}))
    elif shape == "list":
        file.write_text(json.dumps(studies))
    elif shape == "bom":  # as some Windows editors save it
        file.write_text("\ufeff" + json.dumps({"studies": studies}), encoding="utf-8")
    else:
        file.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
    result = import_file(file, tmp_path / "r.sqlite")
    assert result["stored"] == 7 and result["origin"] == "import" and result["skipped"] == []
    about = info(tmp_path / "r.sqlite")
    assert about["query"] == "imported from studies.json"


def test_real_objects_keep_their_registry_fields(tmp_path: Path) -> None:
    file = tmp_path / "real.json"
    file.write_text(json.dumps([_china(s) for s in examples()]))
    import_file(file, tmp_path / "r.sqlite")
    withdrawn = get_study("NCT00973089", tmp_path / "r.sqlite")
    assert (withdrawn["start_date"], withdrawn["start_precision"], withdrawn["start_type"]) == ("2010-05", "month", "")
    assert withdrawn["phase"] == "not applicable" and withdrawn["enrollment"] == 0
    assert withdrawn["interventions"][0]["other_names"]
    registry = get_study("NCT03475563", tmp_path / "r.sqlite")
    assert registry["status"] == "UNKNOWN" and registry["last_known_status"] == "RECRUITING"
    assert registry["phases"] == [] and registry["phase"] == "none given" and registry["acronym"]
    device = get_study("NCT04207047", tmp_path / "r.sqlite")
    assert device["lead_sponsor_class"] == "INDUSTRY" and device["maximum_age"] == ""
    assert device["start_precision"] == "day" and device["completion_type"] in ("ACTUAL", "ESTIMATED")
    pallas = get_study("NCT02513394", tmp_path / "r.sqlite")
    assert len(pallas["collaborators"]) == 5 and pallas["site_count"] == 437
    assert len(pallas["china_sites"]) == 1 and "Korea, Republic of" in pallas["other_countries"]


def test_bad_studies_are_reported_and_the_rest_imported(tmp_path: Path) -> None:
    good = fixtures()
    no_id = json.loads(json.dumps(good[1]))
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    bad_date = car_t_study("NCT10000009", "CD19 CAR-T", start="2021-13")
    file = tmp_path / "s.jsonl"
    lines = [json.dumps(good[0]), "{not json", json.dumps(no_id), "", json.dumps(bad_date), "42",
             json.dumps(good[2])]
    broken_first = tmp_path / "first.jsonl"
    broken_first.write_text("\n".join(["{oops", json.dumps(good[0])]))
    assert import_file(broken_first, tmp_path / "r1.sqlite")["stored"] == 1
    file.write_text("\n".join(lines))
    result = import_file(file, tmp_path / "r.sqlite")
    assert result["stored"] == 2
    assert [(p["position"], p["nct_id"]) for p in result["skipped"]] == [
        (2, ""), (3, ""), (5, "NCT10000009"), (6, "")]
    reasons = [p["reason"] for p in result["skipped"]]
    assert "not JSON" in reasons[0] and "nctId" in reasons[1] and "2021-13" in reasons[2]
    assert reasons[3] == "not a study object"
    assert info(tmp_path / "r.sqlite")["skipped"] == 4


@pytest.mark.parametrize(("content", "message"), [
    (b"<html>nope</html>", "is not JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[" * 200_000 + b"]" * 200_000, "nested too deep"),
    (b'{"hello": "world"}', "not studies"),
    (b'{"studies": 3}', "not a list"),
    (b'{\n  "studies": [\n    1,\n    {"a": \n  ]\n}\n', "is not JSON"),  # broken pretty-printed JSON
    (b"[" + b"9" * 5000 + b"]", "is not JSON"),  # a number too long to convert
])
def test_unusable_files_are_one_line_exit_3(tmp_path: Path, content: bytes, message: str) -> None:
    file = tmp_path / "bad.json"
    file.write_bytes(content)
    with pytest.raises(FactBaseError, match=message) as error:
        import_file(file, tmp_path / "r.sqlite")
    assert error.value.exit_code == 3 and "\n" not in error.value.message
    assert not (tmp_path / "r.sqlite").exists()


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    file = tmp_path / "big.json"
    with open(file, "wb") as handle:
        handle.truncate(2048)
    with pytest.raises(FactBaseError, match="over the import limit"):
        read_studies(file, max_bytes=1024)
    assert MAX_IMPORT_BYTES >= 100 * 2**20
    with pytest.raises(FactBaseError, match="cannot read"):
        read_studies(tmp_path / "missing.json")


def test_import_never_touches_anything_but_the_registry(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    file.write_text(json.dumps(fixtures()))
    before = sorted(os.listdir(tmp_path))
    import_file(file, tmp_path / "r.sqlite")
    assert sorted(os.listdir(tmp_path)) == sorted([*before, "r.sqlite"])


def test_since_without_a_store_fetches_everything(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(fixtures()) as fake:
        result = _update(fake, path, since=date(2026, 1, 1))
        assert "LastUpdatePostDate" not in fake.requests[0]["filter.advanced"]
    assert result["since"] == "" and result["stored"] == 4


def test_parse_since(tmp_path: Path) -> None:
    assert parse_since("2026-03") == date(2026, 3, 1) and parse_since("2025") == date(2025, 1, 1)
    assert parse_since("last", tmp_path / "none.sqlite") is None
    with pytest.raises(UsageError, match="--since takes a date"):
        parse_since("yesterday")


def test_an_api_that_suddenly_finds_nothing_does_not_wipe_the_store(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite"
    with FakeCtgov(fixtures()) as fake:
        _update(fake, path)
    with FakeCtgov([]) as fake, pytest.raises(RegistryError, match=r"found no studies .* kept the registry of 4"):
        _update(fake, path)
    assert info(path)["studies"] == 4
    with FakeCtgov([]) as fake:  # with no store yet, an empty registry is what there is
        assert _update(fake, tmp_path / "new.sqlite")["stored"] == 0
