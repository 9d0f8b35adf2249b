"""The benchmark tools keep working as the schema changes: generated fact bases validate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, run


def test_a_generated_fact_base_validates_and_answers(tmp_path: Path) -> None:
    generated = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "40"], capture_output=True, text=True, check=True
    )
    path = tmp_path / "facts-40.yaml"
    path.write_text(generated.stdout, encoding="utf-8")
    assert run("validate", str(path)).exit_code == 0
    assert run("product", "synth-cel-39", "--json", "--data", str(path)).json()["record"]["id"] == "synth-39"

    stages = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "stages.py"), str(path)], capture_output=True, text=True, check=True
    )
    assert "(sound)" in stages.stdout
