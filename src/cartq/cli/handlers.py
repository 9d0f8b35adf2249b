"""What each command does, one function per command in the table (cli.spec), named after it:
open the fact base, call the domain, and say how to show the result. No printing here.
"""

from __future__ import annotations

from cartq.errors import UsageError
from cartq.factbase import open_store as open_store
from cartq.kinds import BY_KIND
from cartq.render.formats import Output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from cartq.render.blocks import Doc


def __getattr__(name: str) -> Callable[..., Output]:
    """`registry`: its handler lives in cli.registry_handler, imported only when it runs."""
    if name != "registry":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from cartq.cli.registry_handler import registry

    return registry


def _show(
    kind: str, query: str | None, evidence: bool, data: str | None, filters: dict[str, str | None] | None = None
) -> Output:
    """A lookup with a query, else a listing of every record of the kind (cut by the filters)."""
    from cartq.domain import views
    from cartq.domain.resolve import match_notice

    store = open_store(data)
    shape = BY_KIND[kind].model
    asked = {key: value for key, value in (filters or {}).items() if value}
    if query is None:
        from cartq.domain import listings
        from cartq.domain.show import filter_notices, product_filter
        from cartq.render import listing_docs

        keep = None
        notices: list[str] = []
        if asked:
            keep = product_filter(store, asked.get("target"), asked.get("status"), asked.get("coverage"))
            notices = filter_notices(store, {"target": asked.get("target")})
        # Streamed: --json and --jsonl write each row as it is read; the table and CSV take them all.
        rows = listings.listing(store, kind, keep)
        return Output(
            None,
            f"{shape}Listing",
            lambda wide=False: listing_docs.listing_doc(kind, list(rows()), wide),
            lambda: list(rows()),
            notices=notices,
            stream=rows,
        )
    if asked:
        raise UsageError(f"{', '.join('--' + key for key in asked)} filter the listing: give no {kind} name with them")
    if evidence:
        from cartq.domain.show import with_grades

        found = with_grades(store, views.evidence(store, kind, query))
        notices = match_notice(views.lookup(store, kind, query))
        return Output(
            found, "Evidence", lambda: _evidence_doc(found), lambda: found["evidence"], notices=notices
        )
    view = views.lookup(store, kind, query)
    return Output(
        view,
        f"{shape}Lookup",
        lambda: _record_doc(view),
        lambda: [view["record"]],
        notices=match_notice(view),
    )


# The documents a person sees, imported only when one is shown: `--json` needs neither.
def _record_doc(view: dict[str, object]) -> Doc:
    from cartq.render.record_docs import detail_doc

    return detail_doc(view)


def _evidence_doc(found: dict[str, object]) -> Doc:
    from cartq.render.search_docs import evidence_doc

    return evidence_doc(found)


def product(
    query: str | None,
    evidence: bool,
    target: str | None,
    status: str | None,
    coverage: str | None,
    data: str | None,
) -> Output:
    return _show("product", query, evidence, data, {"target": target, "status": status, "coverage": coverage})


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
    notices = [f"{query!r} names a product already compared; shown once" for query in result["repeated"]]
    return Output(
        result,
        "Comparison",
        lambda: landscape_docs.compare_doc(result),
        lambda: landscape_docs.comparison_rows(result),
        notices=notices,
    )


def search(query: list[str], limit: str | None, kind: str | None, data: str | None) -> Output:
    from cartq.domain.search import DEFAULT_LIMIT, answering_command, kind_of
    from cartq.domain.search import search as searched
    from cartq.errors import ExitCode
    from cartq.render import search_docs

    words = " ".join(query)
    wanted = None
    if kind:
        wanted = kind_of(kind)
        if wanted is None:
            raise UsageError(f"unknown kind {kind!r}: choose {', '.join(BY_KIND)}")
    try:
        most = DEFAULT_LIMIT if limit is None else int(limit)
    except ValueError:
        raise UsageError(f"--limit takes a number, not {limit!r}") from None
    if most < 0:
        raise UsageError("--limit takes a number of 0 or more (0 for all)")
    hits = searched(open_store(data), words, wanted, limit=None)
    notices = []
    shown = hits[:most] if most else hits
    if len(shown) < len(hits):
        notices.append(f"showing {len(shown)} of {len(hits)} hits; --limit {len(hits)} shows all")
    command = answering_command(words)
    if command:
        notices.append(f"'{command}' answers questions about this")
    if not hits:
        # A miss: stdout carries data only (nothing, or [] for --json), the message goes to stderr.
        return Output(
            shown,
            "SearchHits",
            lambda: "",
            exit_code=int(ExitCode.NOT_FOUND),
            notices=[f"nothing matches {words!r}", *notices[-1:]],
        )
    return Output(
        shown,
        "SearchHits",
        lambda: search_docs.search_doc(words, shown),
        lambda: [{k: v for k, v in hit.items() if k != "record"} for hit in shown],
        notices=notices,
    )


def show(record_id: str, data: str | None) -> Output:
    from cartq.domain.show import show as shown

    view = shown(open_store(data), record_id)
    shape = f"{BY_KIND[view['kind']].model}Lookup" if view["kind"] in _RICH_VIEWS else "RecordLookup"
    return Output(view, shape, lambda: _record_doc(view), lambda: [view["record"]])


_RICH_VIEWS = ("product", "company", "target", "indication", "term")


def coverage(scheme: str | None, product: str | None, data: str | None) -> Output:
    from cartq.domain.related import sources_for
    from cartq.domain.resolve import label_of, resolve
    from cartq.domain.show import filter_notices, scheme_of
    from cartq.render import search_docs

    store = open_store(data)
    filters: dict[str, str] = {}
    records = store.all("coverage")
    if scheme:
        filters["scheme"] = scheme_of(scheme)
        records = [c for c in records if c["scheme"] == filters["scheme"]]
    if product:
        found = resolve(store, "product", product)
        filters["product"] = label_of(found)
        records = [c for c in records if c.get("product") == found["id"]]
    names = {p["id"]: label_of(p) for p in store.all("product")}
    rows = [{**c, "product_name": names.get(c.get("product") or "")} for c in records]
    result = {"filters": filters, "coverage": rows, "sources": sources_for(store, [("coverage", records)])}
    return Output(
        result,
        "CoverageList",
        lambda: search_docs.coverage_doc(result),
        lambda: result["coverage"],
        notices=filter_notices(store, {"product": product}),
    )


def trials(
    study: str | None,
    target: str | None,
    indication: str | None,
    sponsor: str | None,
    phase: str | None,
    data: str | None,
) -> Output:
    from cartq.domain import landscape
    from cartq.render import landscape_docs

    if study is not None:
        return _one("study", study, data)
    from cartq.domain.show import filter_notices

    store = open_store(data)
    result = landscape.trials(store, target, indication, sponsor, phase)
    notices = filter_notices(store, {"target": target, "indication": indication, "company": sponsor})
    return Output(
        result,
        "Trials",
        lambda wide=False: landscape_docs.trials_doc(result, wide),
        lambda: result["studies"],
        notices=notices,
    )


def _one(kind: str, rid: str, data: str | None) -> Output:
    """One record of a listing's kind, by id or name: `cartq sources seed-000`, `cartq trials fumanba-1`."""
    from cartq.domain.resolve import match_notice
    from cartq.domain.show import one_of_kind

    view = one_of_kind(open_store(data), kind, rid)
    return Output(
        view, "RecordLookup", lambda: _record_doc(view), lambda: [view["record"]], notices=match_notice(view)
    )


def timeline(
    target: str | None,
    indication: str | None,
    all_events: bool,
    since: str | None,
    chart: bool,
    data: str | None,
) -> Output:
    from cartq.domain import landscape
    from cartq.domain.show import filter_notices
    from cartq.render import charts, landscape_docs

    store = open_store(data)
    result = landscape.timeline(store, target, indication, all_events, since)
    notices = filter_notices(store, {"target": target, "indication": indication})
    return Output(
        result,
        "Timeline",
        lambda wide=False: charts.timeline_chart_doc(result) if chart else landscape_docs.timeline_doc(result, wide),
        lambda: result["events"],
        notices=notices,
    )


def costs(country: str | None, product: str | None, chart: bool, data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.domain.show import filter_notices
    from cartq.render import charts, landscape_docs

    store = open_store(data)
    result = landscape.costs(store, country, product)
    notices = filter_notices(store, {"country": country, "product": product})
    return Output(
        result,
        "Costs",
        lambda wide=False: charts.costs_chart_doc(result) if chart else landscape_docs.costs_doc(result, wide),
        lambda: landscape.cost_rows(result),
        notices=notices,
    )


def market(chart: bool, data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.render import charts, landscape_docs

    result = landscape.market(open_store(data))
    doc = charts.market_chart_doc if chart else landscape_docs.market_doc
    return Output(result, "Market", lambda: doc(result), lambda: result["figures"])


def sources(source: str | None, kind: str | None, reliability: str | None, data: str | None) -> Output:
    from cartq.domain import landscape
    from cartq.domain.show import filter_sources
    from cartq.render import search_docs

    if source is not None:
        return _one("source", source, data)
    store = open_store(data)
    rows = filter_sources(landscape.sources(store), kind, reliability)
    return Output(rows, "Sources", lambda: search_docs.sources_doc(rows, store.meta("as_of")))


def validate(path: str | None, strict: bool, data: str | None) -> Output:
    from cartq.errors import ExitCode, FactBaseError
    from cartq.factbase.cache import validated_data
    from cartq.paths import resolve_data_path

    target = resolve_data_path(path or data)
    try:
        facts = validated_data(target)
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


def _unsupported(target: str, facts: dict[str, object]) -> list[str]:
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
    lines = line_index(_read_text(target), [loc for loc in locs if loc])
    return [
        f"line {line}: {problem}" if (line := line_of(lines, loc)) else problem
        for problem, loc in zip(problems, locs, strict=True)
    ]


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as text:
        return text.read()


def schema(part: str) -> Output:
    from cartq import schema_gen
    from cartq.cli.spec import SCHEMA_PARTS, result_shapes

    if part not in SCHEMA_PARTS:
        raise UsageError(f"unknown schema {part!r}: choose {' or '.join(SCHEMA_PARTS)}")
    document = schema_gen.fact_base_schema() if part == "facts" else schema_gen.output_schema(result_shapes())
    import json

    # Always JSON, whichever format was asked for.
    return Output(document, "", lambda: json.dumps(document, ensure_ascii=False, indent=2))


def export(format: str, path: str, bom: bool, registry: str | None, data: str | None) -> Output:
    from cartq.export import EXPORTERS
    from cartq.factbase.checks import load_checked
    from cartq.paths import resolve_data_path
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
