"""What each command does, one function per command in the table (cli.spec), named after it:
open the fact base, call the domain, and say how to show the result. No printing here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from cartq.errors import UsageError
from cartq.kinds import BY_KIND
from cartq.render.formats import Output

if TYPE_CHECKING:
    from cartq.factbase.store import Store


def open_store(data: str | Path | None) -> Store:
    from cartq.factbase.cache import open_store as opened
    from cartq.factbase.store import resolve_data_path

    return opened(resolve_data_path(data))


def _show(kind: str, query: str | None, evidence: bool, data: str | None) -> Output:
    """A lookup with a query, else a listing of every record of the kind."""
    from cartq.domain import listings, views
    from cartq.render import record_docs, search_docs

    store = open_store(data)
    shape = BY_KIND[kind].model
    if query is None:
        rows = listings.LISTINGS[kind](store)
        return Output(rows, f"{shape}Listing", lambda: record_docs.listing_doc(kind, rows))
    if evidence:
        found = views.evidence(store, kind, query)
        return Output(found, "Evidence", lambda: search_docs.evidence_doc(found), lambda: found["evidence"])
    view = views.lookup(store, kind, query)
    return Output(view, f"{shape}Lookup", lambda: record_docs.detail_doc(view), lambda: [view["record"]])


def product(query: str | None, evidence: bool, data: str | None) -> Output:
    return _show("product", query, evidence, data)


def company(query: str | None, evidence: bool, data: str | None) -> Output:
    return _show("company", query, evidence, data)


def target(query: str | None, evidence: bool, data: str | None) -> Output:
    return _show("target", query, evidence, data)


def indication(query: str | None, evidence: bool, data: str | None) -> Output:
    return _show("indication", query, evidence, data)


def glossary(query: str | None, data: str | None) -> Output:
    return _show("term", query, False, data)


def compare(queries: list[str], data: str | None) -> Output:
    from cartq.domain.compare import compare as compared
    from cartq.render import landscape_docs

    result = compared(open_store(data), queries)
    return Output(
        result, "Comparison", lambda: landscape_docs.compare_doc(result), lambda: landscape_docs.comparison_rows(result)
    )


def search(query: str, data: str | None) -> Output:
    from cartq.domain.search import search as searched
    from cartq.errors import ExitCode
    from cartq.render import search_docs

    hits = searched(open_store(data), query)
    if hits:
        return Output(hits, "SearchHits", lambda: search_docs.search_doc(query, hits))
    # A miss: stdout carries data only ([] for --json), the message goes to stderr.
    return Output(
        hits,
        "SearchHits",
        lambda: search_docs.search_doc(query, hits),
        exit_code=int(ExitCode.NOT_FOUND),
        notices=[f"nothing matches {query!r}"],
    )


def trials(
    target: str | None, indication: str | None, sponsor: str | None, phase: str | None, data: str | None
) -> Output:
    from cartq.domain import landscape
    from cartq.render import landscape_docs

    result = landscape.trials(open_store(data), target, indication, sponsor, phase)
    return Output(result, "Trials", lambda: landscape_docs.trials_doc(result), lambda: result["studies"])


def timeline(target: str | None, indication: str | None, all_events: bool, chart: bool, data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.render import charts, landscape_docs

    result = landscape.timeline(open_store(data), target, indication, all_events)
    doc = charts.timeline_chart_doc if chart else landscape_docs.timeline_doc
    return Output(result, "Timeline", lambda: doc(result), lambda: result["events"])


def costs(country: str | None, chart: bool, data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.render import charts, landscape_docs

    result = landscape.costs(open_store(data), country)
    doc = charts.costs_chart_doc if chart else landscape_docs.costs_doc
    return Output(result, "Costs", lambda: doc(result), lambda: landscape.cost_rows(result))


def market(chart: bool, data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.render import charts, landscape_docs

    result = landscape.market(open_store(data))
    doc = charts.market_chart_doc if chart else landscape_docs.market_doc
    return Output(result, "Market", lambda: doc(result), lambda: result["figures"])


def sources(data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.render import search_docs

    store = open_store(data)
    rows = landscape.sources(store)
    return Output(rows, "Sources", lambda: search_docs.sources_doc(rows, store.meta("as_of")))


def validate(path: str | None, strict: bool, data: str | None) -> Output:
    from cartq.errors import ExitCode, FactBaseError
    from cartq.factbase.checks import load_validated
    from cartq.factbase.store import resolve_data_path

    target = resolve_data_path(path or data)
    try:
        facts = load_validated(target)
        problems = _unsupported(target, facts) if strict else []
    except FactBaseError as error:
        problems = error.problems or [error.message]
    if problems:
        failed = {"path": str(target), "valid": False, "problems": problems}
        return Output(
            failed,
            "Validation",
            lambda: "\n".join(problems),
            exit_code=int(ExitCode.BAD_FACT_BASE),
            notices=[f"{target}: {len(problems)} problem(s)"],
        )
    counts = {key: len(value) for key, value in facts.items() if isinstance(value, list)}
    result = {"path": str(target), "valid": True, "problems": [], "as_of": facts["as_of"], "counts": counts}
    summary = ", ".join(f"{n} {key}" for key, n in counts.items())
    checked = " and every precise value is quoted" if strict else ""
    return Output(result, "Validation", lambda: f"{target}: valid{checked} (current to {facts['as_of']}): {summary}")


def _unsupported(target: Path, facts: dict[str, object]) -> list[str]:
    """The support checks (factbase.support), each problem with the line of its record and field."""
    import re

    from cartq.factbase.support import support_problems
    from cartq.factbase.yaml_reader import line_index, line_of

    problems = support_problems(facts)
    # "companies[3] (id 'gilead'): headquarters ..." names the record, then the field.
    where = re.compile(r"(\w+)\[(\d+)\](?: \(id '[^']*'\))?(?:\.([\w.]+)|: (\w+))?")
    locs = []
    for problem in problems:
        found = where.match(problem)
        field = (found.group(3) or found.group(4) or "").split(".") if found else []
        field = [part for part in field if part]
        locs.append((found.group(1), int(found.group(2)), *field) if found else ())
    lines = line_index(target.read_text(encoding="utf-8"), [loc for loc in locs if loc])
    return [
        f"line {line}: {problem}" if (line := line_of(lines, loc)) else problem
        for problem, loc in zip(problems, locs, strict=True)
    ]


def schema(part: str) -> Output:
    from cartq import schema_gen
    from cartq.cli.spec import SCHEMA_PARTS, result_shapes

    if part not in SCHEMA_PARTS:
        raise UsageError(f"unknown schema {part!r}: choose {' or '.join(SCHEMA_PARTS)}")
    document = schema_gen.fact_base_schema() if part == "facts" else schema_gen.output_schema(result_shapes())
    # Always JSON, whichever format was asked for.
    return Output(document, "", lambda: json.dumps(document, ensure_ascii=False, indent=2))


def registry(
    words: list[str] | None,
    target: str | None,
    indication: str | None,
    product: str | None,
    sponsor: str | None,
    phase: str | None,
    status: str | None,
    city: str | None,
    since: str | None,
    until: str | None,
    facet: str | None,
    chart: bool,
    info: bool,
    registry: str | None,
    api_url: str | None,
    data: str | None,
) -> Output:
    from cartq.cli import registry_handler

    return registry_handler.handle(
        words or [],
        {
            "target": target,
            "indication": indication,
            "product": product,
            "sponsor": sponsor,
            "phase": phase,
            "status": status,
            "city": city,
            "since": since,
            "until": until,
        },
        facet=facet,
        chart=chart,
        info=info,
        registry=registry,
        api_url=api_url,
        data=data,
    )


def export(format: str, path: str, bom: bool, registry: str | None, data: str | None) -> Output:
    from cartq.export import EXPORTERS
    from cartq.factbase.checks import load_checked
    from cartq.factbase.store import resolve_data_path
    from cartq.registry.store import resolve_path

    if format not in EXPORTERS:
        raise UsageError(f"unknown export format {format!r}: choose {', '.join(EXPORTERS)}")
    fact_base = resolve_data_path(data)
    validated = load_checked(fact_base)
    if format == "sqlite":
        found = resolve_path(registry)
        if registry is not None and not found.is_file():
            raise UsageError(f"no registry at {registry}")
        done = EXPORTERS["sqlite"](validated, path, found if found.is_file() else None, fact_base=fact_base)
    elif format == "csv":
        done = EXPORTERS["csv"](validated, path, bom=bom, fact_base=fact_base)
    else:
        done = EXPORTERS["json"](validated, path, fact_base=fact_base)
    report = {
        "format": format,
        "written": [str(file) for file in done.written],
        "tables": dict(done.tables),
    }
    rows = sum(report["tables"].values())
    return Output(
        report,
        "ExportReport",
        lambda: (
            "\n".join(f"wrote {file}" for file in report["written"])
            + f"\n{len(report['tables'])} tables, {rows:,} rows"
        ),
    )


def mcp(data: str | None) -> Output:
    # Serves until the client closes the connection; says itself when the SDK (an extra) is missing.
    from cartq.mcp import serve

    return Output(None, "", lambda: "", exit_code=serve(data))
