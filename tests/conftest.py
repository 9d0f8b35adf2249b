"""Shared fixtures: an isolated environment for every test, and helpers to run the CLI."""

from __future__ import annotations

import io
import json
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cartq.cli import fast, runner
from cartq.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "data" / "facts.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"


def shipped_as_of() -> str:
    """The date the shipped fact base says it is current to, read from the file itself."""
    import re

    found = re.search(r"^as_of: (\S+)$", FACTS.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "facts.yaml has no top-level as_of"
    return found.group(1)


ISOLATING = (
    "NO_COLOR",
    "FORCE_COLOR",
    "CARTQ_DATA",
    "CARTQ_NO_CACHE",
    "CARTQ_DEBUG",
    "CARTQ_PLAIN",
    "CARTQ_REGISTRY",
    "CARTQ_CTGOV_URL",
    "CARTQ_PAGER",
    "PAGER",
    "TERM",
)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the whole run: where the fact base is not the subject, a test reads the
    cache the first test built instead of validating the YAML again."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> Path:
    for name in ISOLATING:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    # No test reads or writes the registry of the machine it runs on.
    monkeypatch.setenv("XDG_DATA_HOME", str(shared_cache / "no-data-home"))
    return shared_cache


@pytest.fixture
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache of this test's own, for tests whose subject is the cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def run(*args: str) -> Result:
    """Run through the Typer app, as CliRunner sees it."""
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def run_fast(*args: str) -> Result | None:
    """Run through the start-up fast path; None when it hands the argv to Typer."""
    parsed = fast.parse(list(args))
    if parsed is None:
        return None
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = runner.run(*parsed)
    return Result(code, out.getvalue(), err.getvalue())


def installed_cartq() -> str:
    found = shutil.which("cartq", path=str(Path(sys.executable).parent)) or shutil.which("cartq")
    if not found:
        pytest.skip("cartq is not installed on PATH")
    return found
