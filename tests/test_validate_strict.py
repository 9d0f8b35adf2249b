"""`cartq validate --strict`: the support checks through the CLI, each problem with its line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import FACTS, run


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return yaml.load(FACTS.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_shipped_base_passes_strict() -> None:
    result = run("validate", "--strict")
    assert result.exit_code == 0, result.stdout
    assert "every precise value is quoted" in result.stdout


def test_an_unquoted_headquarters_fails_strict_with_its_line(tmp_path: Path, shipped: dict[str, Any]) -> None:
    company = next(c for c in shipped["companies"] if not c.get("headquarters"))
    company["headquarters"] = "Atlantis City"
    path = write(tmp_path, shipped)
    assert run("validate", str(path)).exit_code == 0  # the schema has nothing against it
    strict = run("validate", "--strict", str(path))
    assert strict.exit_code == 3
    (line,) = [p for p in strict.stdout.splitlines() if company["id"] in p]
    number = int(re.match(r"line (\d+): ", line).group(1))  # type: ignore[union-attr]
    assert "Atlantis City" in path.read_text(encoding="utf-8").splitlines()[number - 1]


def test_an_invented_day_and_an_announcement_stored_as_approval_fail_strict(
    tmp_path: Path, shipped: dict[str, Any]
) -> None:
    event = next(e for e in shipped["events"] if e.get("announced") and not e.get("date"))
    event["date"], event["date_precision"] = event["announced"], "day"
    price = next(p for p in shipped["prices"] if p.get("date_precision") == "month")
    price["date"], price["date_precision"] = str(price["date"])[:8] + "17", "day"
    strict = run("validate", "--strict", str(write(tmp_path, shipped)), "--json")
    assert strict.exit_code == 3
    problems = "\n".join(strict.json()["problems"])  # type: ignore[index]
    assert event["id"] in problems and price["id"] in problems
