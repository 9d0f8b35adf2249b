"""Real questions from the seeds' subjects, each with the exact command that answers it.

The same list is the README's section "Questions and the commands that answer them"; a test reads
that section and runs every command in it, so the README cannot promise an answer cartq does not give.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from .conftest import run

# (question, command, words its output must hold)
QUESTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "Which CAR-T products are approved in China?",
        "cartq product --status approved",
        ("Yikaida", "Carteyva", "Fucaso", "Yuanruida", "Saikaize", "Carvykti"),
    ),
    ("When was the first CAR-T approved in China, and which?", "cartq timeline", ("2021-06-22", "Yikaida")),
    ("Which CAR-T approvals came in 2024 or later?", "cartq timeline --since 2024", ("2024-02-23", "Saikaize")),
    (
        "Which CAR-T are on the commercial insurance list?",
        "cartq product --coverage commercial-list",
        ("Yikaida", "Carteyva", "Fucaso", "Yuanruida", "Saikaize"),
    ),
    (
        "Is Carvykti on the commercial insurance list?",
        "cartq coverage commercial-list",
        ("Carvykti", "not listed", "2025-12-07"),
    ),
    ("Does the national reimbursement list (NRDL) pay for CAR-T?", "cartq coverage nrdl", ("not listed",)),
    ("Does city Huiminbao insurance pay for CAR-T?", "cartq coverage huiminbao", ("Huhuibao", "500,000")),
    ("How much does CAR-T cost in China?", "cartq costs --country china", ("CNY 1,200,000", "CNY 999,000")),
    ("What does Carteyva cost?", "cartq costs --product carteyva", ("CNY 1,290,000",)),
    ("How much does CAR-T cost in the US?", "cartq costs --country us", ("USD 373,000", "USD 475,000")),
    ("Which CAR-T products target BCMA?", "cartq product --target bcma", ("Fucaso", "Saikaize", "Carvykti")),
    (
        "Is any CAR-T approved for a solid tumour?",
        "cartq timeline --target claudin18.2",
        ("2026-06-22", "satricabtagene", "Gastric"),
    ),
    ("Which CAR-T is approved for leukaemia (B-ALL)?", "cartq indication b-all", ("Yuanruida", "approved")),
    ("Is CAR-T approved for lupus, and who is trying?", "cartq trials --indication lupus", ("Fudan",)),
    ("How many CAR-T trials run in China?", "cartq trials", ("342",)),
    ("How big is China's CAR-T market?", "cartq market", ("CNY 8 billion", "Frost & Sullivan", "DISPUTED")),
    ("What are the side effects of CAR-T?", "cartq search side effects", ("Cytokine release syndrome", "ICANS")),
    ("What is CRS?", "cartq glossary crs", ("cytokine", "tocilizumab")),
    ("Is there an approved off-the-shelf (allogeneic) CAR-T?", "cartq glossary allogeneic", ("No allogeneic",)),
    ("Who makes Fucaso, and on what trial was it approved?", "cartq product fucaso", ("IASO", "FUMANBA-1")),
    ("How do the BCMA CAR-T compare?", "cartq compare fucaso zevor-cel carvykti", ("BCMA", "Saikaize")),
    ("What did the FUMANBA-1 trial find?", "cartq trials fumanba-1", ("FUMANBA-1", "96")),
    ("Which sources are company or exchange filings?", "cartq sources --kind filing", ("high", "sec.gov")),
    ("What does this seed article say, and what cites it?", "cartq sources seed-000", ("seed-000",)),
]


def argv_of(command: str) -> list[str]:
    words = shlex.split(command)
    assert words[0] == "cartq"
    return words[1:]


@pytest.mark.parametrize(("question", "command", "expected"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_each_question_is_answered_by_its_command(question: str, command: str, expected: tuple[str, ...]) -> None:
    result = run(*argv_of(command))
    assert result.exit_code == 0, result.stderr
    for words in expected:
        assert words in result.stdout, f"{question!r}: {command} does not show {words!r}"


def test_there_are_at_least_15_questions() -> None:
    assert len(QUESTIONS) >= 15
    assert len({command for _, command, _ in QUESTIONS}) == len(QUESTIONS)


# ---- the README's table --------------------------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "Questions and the commands that answer them"


def readme_questions() -> list[tuple[str, str]]:
    """(question, command) for each row of the README's table in its section; [] if there is none."""
    text = README.read_text(encoding="utf-8")
    start = re.search(rf"^#+ {re.escape(SECTION)}\s*$", text, re.MULTILINE)
    if not start:
        return []
    body = text[start.end() :]
    end = re.search(r"^#+ ", body, re.MULTILINE)
    rows = []
    for line in body[: end.start() if end else None].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        command = next((c for c in cells if c.startswith("`cartq ")), None)
        if command:
            rows.append((cells[0], command.strip("`")))
    return rows


def test_every_command_in_the_readme_questions_table_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = readme_questions()
    if not rows:
        pytest.skip(f"the README has no section {SECTION!r} yet")
    assert len(rows) >= 15
    # The registry's questions need a registry: small invented studies, imported as a user would.
    from tests.test_registry_store import fixtures

    (tmp_path / "studies.json").write_text(json.dumps(fixtures()), encoding="utf-8")
    monkeypatch.setenv("CARTQ_REGISTRY", str(tmp_path / "registry.sqlite"))
    assert run("registry", "import", str(tmp_path / "studies.json")).exit_code == 0
    for question, command in rows:
        result = run(*argv_of(command))
        assert result.exit_code == 0, f"{question}: {command}: {result.stderr}"
        assert result.stdout.strip(), f"{question}: {command} printed nothing"
