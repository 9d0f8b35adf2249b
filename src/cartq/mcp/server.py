"""The tools, on the official MCP SDK (mcp 2: `MCPServer`). Imported only by `cartq mcp`.

Each tool opens the fact base (a cached SQLite file: under a millisecond when nothing changed, so
an edited facts.yaml is seen by the next call), calls the domain, and answers with the envelope of
cartq.mcp.answers as structured content plus its text rendering. A cartq error becomes a tool
error (is_error) carrying the message, the suggestions and the hint, never a traceback.

No `from __future__ import annotations` here: the SDK reads the tools' annotations at
registration, and the tools are closures whose annotation names live in `build`.
"""

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal  # noqa: TID253

from cartq.errors import CartqError, NotFound
from cartq.kinds import KINDS, NAMED_KINDS
from cartq.mcp import answers
from cartq.mcp.answers import Answer, Sources

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from cartq.factbase.store import Store

INSTRUCTIONS = """\
Sourced facts about CAR-T cell therapy in China (NMPA approvals, products, companies, targets,
indications, prices, insurance, trials), current to {as_of}. Every answer carries `citations`
(source id, title, URL or seed file, reliability grade high/medium/low/unconfirmed, verbatim quote
where there is one) and `disputes` (claims known to be wrong, with the correction and its source).
When you state a fact, cite its source id and URL, prefer high-reliability sources, and mention
any dispute about it. `matches` says how each name was resolved: when `how` is not "exact", say
which record you took the name to mean. Prices are never converted between currencies.
Start with `search` when unsure of a name or kind; `lookup` for one record in full."""

KINDS_HELP = "Record kind: " + ", ".join(NAMED_KINDS) + " (term = glossary term; study = trial or programme)."
FILTER_HELP = "Optional; a name in any form (brand, INN, code, Chinese, abbreviation), resolved as in lookup."


# The domain's hints name CLI commands ('cartq company innovent', 'cartq glossary'); an assistant
# wants the tool call instead. Commands of other kinds ('cartq registry update') are left as they are.
_COMMAND = re.compile(r"'cartq (\w+)(?: --[\w-]+)?(?: ([^' ]+))?'")
_KIND_OF = {spec.command: spec.kind for spec in KINDS if spec.command}


def tool_hint(hint: str) -> str:
    def call(match: re.Match[str]) -> str:
        kind = _KIND_OF.get(match[1])
        if kind is None:
            return match[0]
        return f'lookup(kind="{kind}", name="{match[2]}")' if match[2] else f'list_records(kind="{kind}")'

    return _COMMAND.sub(call, hint)


def error_result(error: CartqError) -> Any:
    from mcp.types import CallToolResult, TextContent

    from cartq.safe_text import printable

    suggestions = list(getattr(error, "suggestions", []) or [])
    problems = list(getattr(error, "problems", []) or [])[:5]
    lines = [error.message]
    if suggestions:
        lines.append("did you mean: " + ", ".join(suggestions))
    lines += problems
    hint = tool_hint(error.hint) if error.hint else None
    if hint:
        lines.append(f"hint: {hint}")
    structured = {
        "error": error.message,
        "exit_code": int(error.exit_code),  # as the CLI would exit: 1 not found, 2 usage, 3 fact base, 4 registry
        "suggestions": suggestions,
        "hint": hint,
        "problems": problems,
    }
    text = printable("\n".join(lines), newline=True)  # a query may hold control characters
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured,
                          is_error=True)


def build(data: str | None = None, registry: str | None = None) -> "MCPServer":
    """The server with every tool registered; `data` and `registry` as the CLI's --data and the
    registry path (None: CARTQ_DATA / CARTQ_REGISTRY, else the defaults)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.types import CallToolResult, TextContent, ToolAnnotations
    from pydantic import Field

    from cartq import __version__
    from cartq.domain import landscape, listings, views
    from cartq.domain.compare import compare as compared
    from cartq.domain.related import disputes_about, disputes_marking, summary
    from cartq.domain.search import search as searched
    from cartq.factbase import open_store
    from cartq.render import landscape_docs, listing_docs, record_docs, search_docs

    def as_of() -> str:
        try:
            store = open_store(data)
        except CartqError:
            return "(fact base unreadable)"
        try:
            return store.meta("as_of")
        finally:
            store.connection.close()

    server = MCPServer(
        "cartq",
        title="cartq: CAR-T cell therapy in China, with sources",
        instructions=INSTRUCTIONS.format(as_of=as_of()).replace("\n", " "),
        version=__version__,
        log_level="WARNING",  # stderr stays quiet; stdout is the protocol
    )
    Out = Annotated[CallToolResult, Answer]  # the structured content is checked against Answer
    Kind = Literal[NAMED_KINDS]  # type: ignore[valid-type]
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                open_world_hint=False)

    def respond(make: Callable[["Store"], tuple[Answer, str]]) -> CallToolResult:
        try:
            store = open_store(data)
            try:
                found, text = make(store)
            finally:
                store.connection.close()
        except CartqError as error:
            return error_result(error)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=dict(found))

    def tool(description: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return server.tool(description=description, annotations=read_only)

    def looked_up(store: "Store", kind: str, name: str, with_disputes: bool) -> tuple[dict, Sources, list, list]:
        view = views.lookup(store, kind, name)
        found = views.evidence(store, kind, view["record"]["id"])  # by id: the record just resolved
        sources = Sources(store)
        match: answers.Match = {"argument": "name", "kind": kind, "id": view["record"]["id"],
                                "name": found["name"], **view["match"]}
        return view, sources, answers.cite_evidence(sources, found, with_disputes), [match]

    @tool("One record in full (product, company, target, indication, glossary term, trial, ...) with "
          "everything linked to it, every field's citation with its quote, and its disputed claims.")
    async def lookup(kind: Annotated[Kind, Field(description=KINDS_HELP)],
                     name: Annotated[str, Field(description="Any name: brand, INN, Chinese, code, short or "
                                                "abbreviation; case, spaces and hyphens do not matter.")]) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            view, sources, citations, matches = looked_up(store, kind, name, with_disputes=False)
            found = answers.answer(store, view, citations, answers.dispute_rows(sources, view["disputes"]), matches)
            return found, answers.text(found, record_docs.detail_doc(view))

        return respond(make)

    @tool("Only the evidence for one record: every field's source, reliability grade and verbatim quote "
          "(including the sources of its disputed claims), without the record itself.")
    async def evidence(kind: Annotated[Kind, Field(description=KINDS_HELP)],
                       name: Annotated[str, Field(description="Any name of the record, as for lookup.")]) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            view, sources, citations, matches = looked_up(store, kind, name, with_disputes=True)
            result = {"kind": kind, "id": view["record"]["id"], "name": matches[0]["name"]}
            found = answers.answer(store, result, citations, answers.dispute_rows(sources, view["disputes"]), matches)
            return found, answers.text(found, heading=f"Evidence for {result['name']} ({kind} {result['id']})")

        return respond(make)

    @tool("Search every kind of record by name or text (e.g. 'allogeneic', 'BCMA', 'lupus', '驯鹿'). Each hit "
          "says its kind and id; look it up for detail. Citations here are one per source (no quotes).")
    async def search(query: Annotated[str, Field(description="Words or a name to look for.")]) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            hits = searched(store, query)
            records = [(h["kind"], [r for r in [store.get(h["kind"], h["id"])] if r]) for h in hits]
            sources = Sources(store)
            disputes = {d["id"]: d for h in hits for d in disputes_about(store, h["kind"], h["id"])}
            found = answers.answer(store, hits, answers.cite_by_source(sources, records),
                                   answers.dispute_rows(sources, disputes.values()))
            doc = search_docs.search_doc(query, hits) if hits else f"Nothing matches {query!r}."
            return found, answers.text(found, doc)

        return respond(make)

    @tool("Products side by side (at least two): target, companies, construct, approvals, list prices, "
          "insurance, disputed claims; with every product's citations.")
    async def compare(products: Annotated[list[str], Field(min_length=2, description="Two or more product "
                                                           "names, e.g. ['fucaso', 'carvykti', 'zevor-cel'].")]) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            result = compared(store, products)
            matches = [answers.match_row(store, f"products[{i}]", "product", q) for i, q in enumerate(products)]
            sources = Sources(store)
            citations = [c for p in result["products"]
                         for c in answers.cite_evidence(sources, views.evidence(store, "product", p["id"]))]
            disputes = {d["id"]: d for v in result["views"] for d in v["disputes"]}
            # The full views are what `lookup` gives; here the side-by-side rows are the answer.
            shown = {k: v for k, v in result.items() if k != "views"}
            found = answers.answer(store, shown, citations, answers.dispute_rows(sources, disputes.values()), matches)
            return found, answers.text(found, landscape_docs.compare_doc(result))

        return respond(make)

    @tool("What CAR-T therapy costs: the cost-table row per country and every price claim (each in its own "
          "currency, never converted, each with its source), with disputed figures.")
    async def costs(country: Annotated[str | None, Field(description="Optional country: China, CN, 中国, US, "
                                                            "UK, Germany, ...; omit for all.")] = None) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            result = landscape.costs(store, country)
            matches = [answers.match_row(store, "country", "country", country)] if country else []
            sources = Sources(store)
            citations = answers.cite_rows(sources, [("country", result["countries"]), ("price", result["prices"])])
            found = answers.answer(store, result, citations, answers.dispute_rows(sources, result["disputes"]),
                                   matches)
            return found, answers.text(found, landscape_docs.costs_doc(result))

        return respond(make)

    @tool("Regulatory timeline in date order: NMPA and other approvals; with all_events also NDA "
          "acceptances, designations and INDs. Filter by target and/or indication (subtypes included).")
    async def timeline(target: Annotated[str | None, Field(description=FILTER_HELP)] = None,
                       indication: Annotated[str | None, Field(description=FILTER_HELP)] = None,
                       all_events: Annotated[bool, Field(description="Include non-approval events.")] = False) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            result = landscape.timeline(store, target, indication, all_events)
            matches = [answers.match_row(store, arg, arg, value)
                       for arg, value in (("target", target), ("indication", indication)) if value]
            sources = Sources(store)
            disputes = disputes_marking(store, [("event", result["events"])])
            found = answers.answer(store, result, answers.cite_rows(sources, [("event", result["events"])]),
                                   answers.dispute_rows(sources, disputes), matches)
            return found, answers.text(found, landscape_docs.timeline_doc(result))

        return respond(make)

    @tool("Pivotal trials and research programmes from the fact base, with trial-count figures (which "
          "disagree between sources; each has its own). For registry studies use registry_search.")
    async def trials(target: Annotated[str | None, Field(description=FILTER_HELP)] = None,
                     indication: Annotated[str | None, Field(description=FILTER_HELP)] = None,
                     sponsor: Annotated[str | None, Field(description="Optional company or institution "
                                                             "(part of its name).")] = None,
                     phase: Annotated[str | None, Field(description="Optional phase: 1, 1/2, 2, 3, early, "
                                                           "preclinical, registrational.")] = None) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            result = landscape.trials(store, target, indication, sponsor, phase)
            matches = [answers.match_row(store, arg, arg, value)
                       for arg, value in (("target", target), ("indication", indication)) if value]
            if sponsor:
                try:
                    matches.append(answers.match_row(store, "sponsor", "company", sponsor))
                except NotFound:
                    pass  # matched as part of an institution's name instead
            sources = Sources(store)
            citations = answers.cite_rows(sources, [("study", result["studies"]), ("count", result["counts"])])
            found = answers.answer(store, result, citations, answers.dispute_rows(sources, result["disputes"]),
                                   matches)
            return found, answers.text(found, landscape_docs.trials_doc(result))

        return respond(make)

    @tool("Market sizes, projections (marked as such) and growth rates, each with its source; sources disagree.")
    async def market() -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            result = landscape.market(store)
            sources = Sources(store)
            citations = answers.cite_rows(sources, [("market", result["figures"]), ("growth", result["growth"])])
            found = answers.answer(store, result, citations, answers.dispute_rows(sources, result["disputes"]))
            return found, answers.text(found, landscape_docs.market_doc(result))

        return respond(make)

    @tool("Every record of one kind, in brief (products sorted by first NMPA approval). Citations here are "
          "one per source (no quotes); look a record up for its quotes.")
    async def list_records(kind: Annotated[Kind, Field(description=KINDS_HELP)]) -> Out:
        def make(store: "Store") -> tuple[Answer, str]:
            records = store.all(kind)
            listed = kind in listings.LISTINGS
            rows = listings.LISTINGS[kind](store) if listed else [summary(r) for r in records]
            sources = Sources(store)
            disputes = [d for d in store.all("dispute") if any(a["kind"] == kind for a in d.get("about", []))]
            found = answers.answer(store, rows, answers.cite_by_source(sources, [(kind, records)]),
                                   answers.dispute_rows(sources, disputes))
            doc = listing_docs.listing_doc(kind, rows) if listed else "\n".join(f"{r['id']}  {r['name']}" for r in rows)
            return found, answers.text(found, doc)

        return respond(make)

    @server.resource("cartq://sources", name="sources", mime_type="application/json",
                     description="Every source in the fact base with its reliability grade and what cites it.")
    def all_sources() -> str:
        store = open_store(data)
        try:
            return json.dumps(landscape.sources(store), ensure_ascii=False)
        finally:
            store.connection.close()

    from cartq.mcp import registry_tools

    registry_tools.register(server, registry, tool, Out, error_result)
    return server

