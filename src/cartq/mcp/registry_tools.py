"""The trial-registry tools: ClinicalTrials.gov studies with a site in China, from the local copy
(`cartq registry update`). Registered whether or not the copy exists, so one made while the
server runs is found; without one, each call answers in one line how to make it.

Registry answers use the same envelope as the fact base's; each study's citation is its
ClinicalTrials.gov record. The registry carries what sponsors submit, unreviewed, so it has no
reliability grade (None); target, indication and product are cartq's derivations from its text.
"""

from collections.abc import Callable
from typing import Annotated, Any  # noqa: TID253

from cartq.errors import CartqError
from cartq.mcp.answers import Answer, Citation

REGISTRY_NOTE = (
    " Reads the local trial registry (ClinicalTrials.gov studies with a site in China), made by "
    "`cartq registry update`; without one the tool says so."
)
HOME = "https://clinicaltrials.gov"


def study_citation(nct_id: str, title: str | None, url: str, retrieved: str) -> Citation:
    from cartq.registry.query import SOURCE

    return {
        "about": f"registry:{nct_id}",
        "source": "clinicaltrials.gov",
        "title": f"{nct_id}: {title}" if title else nct_id,
        "url": url,
        "seed_file": None,
        "publisher": SOURCE,
        "published": None,
        "reliability": None,
        "quote": None,
        "note": "registry record as submitted by the sponsor; local copy retrieved "
        + (retrieved or "at an unknown time"),
    }


def register(server: Any, registry: str | None, tool: Callable[[str], Any], out: Any,
             error_result: Callable[[CartqError], Any]) -> None:
    from mcp.types import CallToolResult, TextContent
    from pydantic import Field

    from cartq.registry import query, views
    from cartq.render.screen import render_plain
    from cartq.safe_text import printable

    def envelope(result: Any, citations: list[Citation]) -> Answer:
        return {"result": result, "matches": [], "citations": citations, "disputes": [], "as_of": ""}

    def respond(make: Callable[[], tuple[Answer, str]]) -> Any:
        try:
            found, text = make()
        except CartqError as error:  # RegistryError without a registry: one line and how to make one
            return error_result(error)
        return CallToolResult(content=[TextContent(type="text", text=printable(text, newline=True))],
                              structured_content=dict(found))

    def retrieved() -> str:
        return query.info(registry)["retrieved"]

    Text = Annotated[str | None, Field(description="Optional.")]

    def filters(target: str | None, indication: str | None, product: str | None, sponsor: str | None,
                phase: str | None, status: str | None, city: str | None, since: str | None, until: str | None,
                text: str | None) -> Any:
        return query.Filters(target=target, indication=indication, product=product, sponsor=sponsor, phase=phase,
                             status=status, city=city, since=since, until=until, text=text)

    filter_help = (
        " Filters (all optional, combined with AND): target (BCMA, CD19, ...), indication (lupus, myeloma, ...), "
        "product (a fact-base product id such as eque-cel), sponsor and city (part of the name), phase "
        "('1', '1/2', 'II', 'early 1'), status ('recruiting', 'completed', ...), since/until (start date: yyyy, "
        "yyyy-mm or yyyy-mm-dd), text (words in titles, conditions and interventions)."
    )

    @tool("Registered CAR-T studies with a site in China, latest start first." + filter_help + REGISTRY_NOTE)
    async def registry_search(target: Text = None, indication: Text = None, product: Text = None,
                              sponsor: Text = None, phase: Text = None, status: Text = None, city: Text = None,
                              since: Text = None, until: Text = None, text: Text = None,
                              limit: Annotated[int, Field(ge=1, le=500, description="At most this many "
                                                          "studies (the total is given).")] = 25) -> out:
        def make() -> tuple[Answer, str]:
            chosen = filters(target, indication, product, sponsor, phase, status, city, since, until, text)
            rows = query.list_studies(registry, chosen, limit)
            total = query.count_studies(registry, chosen)
            suggestions = query.suggest(chosen, registry) if not rows else {}
            when = retrieved()
            result = {"filters": chosen.given(), "total": total, "studies": rows, "suggestions": suggestions}
            found = envelope(result, [study_citation(r["nct_id"], r["title"], r["url"], when) for r in rows])
            lines = [f"Showing {len(rows)} of {total}."] if total > len(rows) else []
            lines += [f"No study matches {option} {chosen.given()[option]!r}; did you mean: {', '.join(names)}"
                      for option, names in suggestions.items()]
            return found, render_plain(views.study_list_doc(rows, chosen.given())) + "\n".join(lines)

        return respond(make)

    @tool("One registered study in full: titles, status, phases, dates, sponsor, conditions, interventions, "
          "sites in China, and what cartq derived from it." + REGISTRY_NOTE)
    async def registry_study(nct_id: Annotated[str, Field(description="The NCT id, e.g. NCT05066646.")]) -> out:
        def make() -> tuple[Answer, str]:
            study = query.get_study(nct_id, registry)
            citation = study_citation(study["nct_id"], study["brief_title"], study["url"], study["retrieved"])
            return envelope(study, [citation]), render_plain(views.study_doc(study))

        return respond(make)

    @tool("Counts of registered studies by target, phase, status, sponsor, city or start year, under the "
          "same optional filters as registry_search." + REGISTRY_NOTE)
    async def registry_facets(facet: Annotated[str, Field(description="target, phase, status, sponsor, city "
                                                          "or year.")],
                              target: Text = None, indication: Text = None, product: Text = None,
                              sponsor: Text = None, phase: Text = None, status: Text = None, city: Text = None,
                              since: Text = None, until: Text = None, text: Text = None) -> out:
        def make() -> tuple[Answer, str]:
            chosen = filters(target, indication, product, sponsor, phase, status, city, since, until, text)
            result = query.facet(facet, registry, chosen)
            citation = study_citation("all", None, HOME, retrieved())
            citation.update(about="registry", title="ClinicalTrials.gov (counts over the local copy)")
            return envelope(result, [citation]), render_plain(views.facet_doc(result))

        return respond(make)

    @tool("Where the local trial registry is, when it was retrieved and what it holds." + REGISTRY_NOTE)
    async def registry_info() -> out:
        def make() -> tuple[Answer, str]:
            about = query.info(registry)
            citation = study_citation("all", None, HOME, about["retrieved"])
            citation.update(about="registry", title="ClinicalTrials.gov")
            return envelope(about, [citation]), render_plain(views.info_doc(about))

        return respond(make)
