"""`cartq mcp`: the server started as a subprocess and driven by the MCP SDK's own stdio client.

One server process serves every call of the module (a session is started once, its answers
collected, and each test checks some of them), so the module stays within a few seconds. Every
await is bounded. Citations are checked against the fact base the server reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the MCP SDK is an optional extra: pip install 'cartq[mcp]'")

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from cartq.domain import views
from cartq.errors import FactBaseError, NotFound
from cartq.factbase.checks import load_validated
from cartq.factbase.store import Store

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "data" / "facts.yaml"
STEP = 20.0  # seconds for any one await (the first call builds the fact-base cache)
GRADES = {"high", "medium", "low", "unconfirmed"}
EXPECTED_TOOLS = {
    "lookup": {"kind", "name"},
    "evidence": {"kind", "name"},
    "search": {"query"},
    "compare": {"products"},
    "costs": {"country"},
    "timeline": {"target", "indication", "all_events"},
    "trials": {"target", "indication", "sponsor", "phase"},
    "market": set(),
    "list_records": {"kind"},
    "registry_search": {"target", "indication", "product", "sponsor", "phase", "status", "city", "since", "until",
                        "text", "limit"},
    "registry_study": {"nct_id"},
    "registry_facets": {"facet", "target", "indication", "product", "sponsor", "phase", "status", "city", "since",
                        "until", "text"},
    "registry_info": set(),
}
# (label, tool, arguments): every call the session makes.
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("lookup", "lookup", {"kind": "product", "name": "fucaso"}),
    ("fuzzy", "lookup", {"kind": "product", "name": "fucsao"}),
    ("search", "search", {"query": "allogeneic"}),
    ("ambiguous", "lookup", {"kind": "product", "name": "car"}),
    ("miss", "lookup", {"kind": "product", "name": "zevorxx"}),
    ("elsewhere", "lookup", {"kind": "product", "name": "innovent"}),
    ("compare", "compare", {"products": ["fucaso", "carvykti"]}),
    ("compare_one", "compare", {"products": ["fucaso"]}),
    ("costs", "costs", {"country": "china"}),
    ("timeline", "timeline", {"target": "bcma"}),
    ("evidence", "evidence", {"kind": "term", "name": "crs"}),
    ("registry_search", "registry_search", {"target": "bcma"}),
    ("registry_study", "registry_study", {"nct_id": "nct10000001"}),
    ("registry_none", "registry_study", {"nct_id": "NCT19999999"}),
]


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working copy of the fact base, or the last committed one while it is being edited."""
    try:
        load_validated(FACTS)
        return FACTS
    except FactBaseError:
        committed = subprocess.run(["git", "show", "HEAD:data/facts.yaml"], cwd=ROOT, capture_output=True,
                                   check=True).stdout
        path = tmp_path_factory.mktemp("facts") / "facts.yaml"
        path.write_bytes(committed)
        return path


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small registry of invented studies (the registry tests' own fixtures)."""
    from cartq.registry.importer import import_file
    from tests.test_registry_store import fixtures

    folder = tmp_path_factory.mktemp("registry")
    (folder / "studies.json").write_text(json.dumps(fixtures()))
    import_file(folder / "studies.json", folder / "registry.sqlite", products={"ct103a": "eque-cel"})
    return folder / "registry.sqlite"


@pytest.fixture(scope="module")
def store(facts: Path) -> Store:
    """The same fact base, read in process (in memory, no cache), to check the answers against."""
    from cartq.cli.handlers import open_store

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARTQ_NO_CACHE", "1")
        return open_store(facts)


async def _session(params: StdioServerParameters, errlog: Any) -> dict[str, Any]:
    got: dict[str, Any] = {}
    with anyio.fail_after(STEP * 3):
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(STEP):
                got["init"] = await session.initialize()
            with anyio.fail_after(STEP):
                got["tools"] = (await session.list_tools()).tools
            for label, tool, arguments in CALLS:
                with anyio.fail_after(STEP):
                    got[label] = await session.call_tool(tool, arguments)
            with anyio.fail_after(STEP):
                got["resource"] = await session.read_resource("cartq://sources")
    return got


@pytest.fixture(scope="module")
def served(facts: Path, registry: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("served")
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from cartq.mcp import main; main()"],
        env={"CARTQ_DATA": str(facts), "CARTQ_REGISTRY": str(registry), "XDG_CACHE_HOME": str(folder / "cache")},
    )
    with (folder / "stderr").open("w+") as errlog:
        got = anyio.run(_session, params, errlog)
        errlog.seek(0)
        got["stderr"] = errlog.read()
    return got


def structured(result: Any) -> dict[str, Any]:
    assert result.structured_content is not None, result.content
    return result.structured_content


def check_citations(store: Store, citations: list[dict[str, Any]]) -> None:
    """Every citation names a source of the fact base, with that source's title, link and grade."""
    assert citations
    for c in citations:
        source = store.get("source", c["source"])
        assert source is not None, c["source"]
        assert c["title"] == source["title"]
        assert (c["url"], c["seed_file"]) == (source.get("url"), source.get("seed_file"))
        assert c["url"] or c["seed_file"]
        assert c["reliability"] == source["reliability"] in GRADES


def test_lists_every_tool_with_its_arguments(served: dict[str, Any]) -> None:
    tools = {tool.name: tool for tool in served["tools"]}
    assert {name: set(tool.input_schema.get("properties", {})) for name, tool in tools.items()} == EXPECTED_TOOLS
    for tool in tools.values():
        assert tool.description and tool.output_schema, tool.name
        assert {"citations", "disputes", "matches", "result"} <= set(tool.output_schema["properties"])
        assert tool.annotations.read_only_hint
    assert tools["lookup"].input_schema["required"] == ["kind", "name"]
    assert "product" in json.dumps(tools["lookup"].input_schema["properties"]["kind"])
    assert served["init"].server_info.name == "cartq"
    assert "cite" in (served["init"].instructions or "")


def test_lookup_cites_every_field_with_its_quote(served: dict[str, Any], store: Store) -> None:
    result = served["lookup"]
    assert not result.is_error
    answer = structured(result)
    assert answer["result"]["record"]["id"] == "eque-cel"
    assert answer["matches"] == [{"argument": "name", "kind": "product", "query": "fucaso", "id": "eque-cel",
                                  "name": answer["matches"][0]["name"], "how": "exact", "score": 100.0}]
    check_citations(store, answer["citations"])
    # The citations are the record's evidence (less its disputes'), quote for quote.
    found = views.evidence(store, "product", "eque-cel")
    own = [e for e in found["evidence"] if not e["field"].startswith("dispute:")]
    expected = [(e["source"], e["quote"], e["note"]) for e in own]
    assert [(c["source"], c["quote"], c["note"]) for c in answer["citations"]] == expected
    assert any(c["quote"] for c in answer["citations"])
    assert answer["as_of"] == store.meta("as_of")


def test_lookup_carries_disputes_with_both_sides_cited(served: dict[str, Any], store: Store) -> None:
    answer = structured(served["lookup"])
    expected = {d["id"]: d for d in views.lookup(store, "product", "eque-cel")["disputes"]}
    assert {d["id"] for d in answer["disputes"]} == set(expected)
    for dispute in answer["disputes"]:
        assert (dispute["claim"], dispute["correction"]) == (expected[dispute["id"]]["claim"],
                                                             expected[dispute["id"]]["correction"])
        check_citations(store, dispute["claimed_by"])
        check_citations(store, dispute["corrected_by"])
        assert {"kind": "product", "id": "eque-cel"} in [{"kind": a["kind"], "id": a["id"]} for a in dispute["about"]]


def test_text_carries_quotes_grades_and_links(served: dict[str, Any], store: Store) -> None:
    text = served["lookup"].content[0].text
    answer = structured(served["lookup"])
    quoted = next(c for c in answer["citations"] if c["quote"])
    assert f'"{quoted["quote"]}"' in text
    assert f"{quoted['source']} [{quoted['reliability']}]" in text
    linked = next(c for c in answer["citations"] if c["url"])
    assert linked["url"] in text
    if answer["disputes"]:
        assert "DISPUTED: " + answer["disputes"][0]["claim"] in text
        assert "CORRECTION: " + answer["disputes"][0]["correction"] in text


def test_a_guessed_name_says_so(served: dict[str, Any]) -> None:
    answer = structured(served["fuzzy"])
    assert answer["result"]["record"]["id"] == "eque-cel"
    assert answer["matches"][0]["how"] == "fuzzy"
    assert "'fucsao' was taken to mean" in served["fuzzy"].content[0].text


def test_search_hits_and_their_sources(served: dict[str, Any], store: Store) -> None:
    answer = structured(served["search"])
    hits = answer["result"]
    assert {"kind": "term", "id": "allogeneic"} in [{"kind": h["kind"], "id": h["id"]} for h in hits]
    check_citations(store, answer["citations"])
    # One row per source, naming the hits it supports.
    assert len({c["source"] for c in answer["citations"]}) == len(answer["citations"])
    hit_refs = {f"{h['kind']}:{h['id']}" for h in hits}
    assert all(set(c["about"].split(", ")) <= hit_refs for c in answer["citations"])


@pytest.mark.parametrize("label", ["ambiguous", "miss"])
def test_a_miss_is_a_tool_error_with_suggestions(served: dict[str, Any], store: Store, label: str) -> None:
    query = next(arguments["name"] for name, _, arguments in CALLS if name == label)
    with pytest.raises(NotFound) as expected:
        views.lookup(store, "product", query)
    result = served[label]
    assert result.is_error
    error = structured(result)
    assert error["error"] == expected.value.message
    assert error["suggestions"] == expected.value.suggestions != []
    assert error["exit_code"] == 1
    assert "did you mean: " + ", ".join(expected.value.suggestions) in result.content[0].text
    assert "Traceback" not in result.content[0].text


def test_a_name_of_another_kind_hints_at_the_tool_call(served: dict[str, Any]) -> None:
    error = structured(served["elsewhere"])
    assert error["hint"] is not None and 'lookup(kind="company", name="' in error["hint"]
    assert "cartq company" not in served["elsewhere"].content[0].text


def test_compare_and_landscape_answers_are_cited(served: dict[str, Any], store: Store) -> None:
    compared = structured(served["compare"])
    assert [p["id"] for p in compared["result"]["products"]] == ["eque-cel", "cilta-cel"]
    assert [m["id"] for m in compared["matches"]] == ["eque-cel", "cilta-cel"]
    assert "views" not in compared["result"]
    for label in ("compare", "costs", "timeline", "evidence"):
        check_citations(store, structured(served[label])["citations"])
    assert structured(served["costs"])["matches"][0]["id"] == "china"
    assert structured(served["timeline"])["matches"][0]["kind"] == "target"
    assert served["compare_one"].is_error  # two products at least, said by the input schema


def test_registry_tools_cite_the_registry_record(served: dict[str, Any]) -> None:
    listed = structured(served["registry_search"])
    assert "NCT10000001" in [s["nct_id"] for s in listed["result"]["studies"]]
    assert listed["result"]["total"] == len(listed["result"]["studies"])
    study = structured(served["registry_study"])
    assert study["result"]["nct_id"] == "NCT10000001"
    assert study["citations"][0]["url"] == "https://clinicaltrials.gov/study/NCT10000001"
    assert study["citations"][0]["reliability"] is None  # sponsor-submitted, not graded
    assert served["registry_none"].is_error
    assert "NCT19999999" in served["registry_none"].content[0].text


def test_sources_resource_and_a_quiet_stderr(served: dict[str, Any], store: Store) -> None:
    rows = json.loads(served["resource"].contents[0].text)
    assert {r["id"] for r in rows} == {s["id"] for s in store.all("source")}
    assert "Traceback" not in served["stderr"]


def test_without_a_registry_the_registry_tools_say_so_in_one_line(facts: Path, tmp_path: Path) -> None:
    from cartq.mcp.server import build

    server = build(str(facts), str(tmp_path / "none.sqlite"))

    async def call() -> Any:
        with anyio.fail_after(STEP):
            return await server.call_tool("registry_search", {"target": "bcma"})

    result = anyio.run(call)
    assert result.is_error
    first, *rest = result.content[0].text.splitlines()
    assert first == f"no trial registry at {tmp_path / 'none.sqlite'}"
    assert all(line.startswith("hint: ") for line in rest)


def test_a_broken_fact_base_fails_at_start_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "facts.yaml"
    bad.write_text("sources: [\n")
    done = subprocess.run([sys.executable, "-c", "from cartq.mcp import main; main()", "--data", str(bad)],
                          capture_output=True, text=True, timeout=STEP, stdin=subprocess.DEVNULL)
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("cartq: ") and "Traceback" not in done.stderr


def test_without_the_sdk_serve_says_how_to_install_it() -> None:
    code = "import sys; sys.modules['mcp'] = None; from cartq.mcp import main; main()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=STEP,
                          stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == "cartq: `cartq mcp` needs the MCP Python SDK, version 2: pip install 'cartq[mcp]'"


def test_the_cli_does_not_import_the_sdk() -> None:
    code = "import sys, cartq.mcp, cartq.entry; assert not any(m == 'mcp' or m.startswith('mcp.') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=STEP)
