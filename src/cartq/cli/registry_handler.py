"""`cartq registry`: update or import the trial registry, or query it, with names resolved through
the fact base first (so 'fucaso', '卡卫荻' or 'bcma' mean what they mean everywhere else).
"""

from __future__ import annotations

from cartq.errors import NotFound, UsageError
from cartq.render.formats import Output

TYPE_CHECKING = False
if TYPE_CHECKING:  # cli.handlers imports this module on every run: no `typing` at start-up
    from typing import Any

NAMED_FILTERS = {"target": "target", "indication": "indication", "product": "product"}


def _fact_base_names(store: Any) -> tuple[dict[str, str], dict[str, str]]:
    """{normalised product name or code: product id} and {NCT id: product id of its pivotal trial}."""
    products = {norm: rid for rid, _, norm in store.names("product")}
    pivotal = {
        registry_id.upper(): study["product"]
        for study in store.all("study")
        if study.get("product") and study["kind"] == "pivotal_trial"
        for registry_id in study.get("registry_ids", [])
        if registry_id.upper().startswith("NCT")
    }
    return products, pivotal


def _resolved(store: Any, filters: dict[str, str | None]) -> dict[str, str | None]:
    """A target, indication or product named as in the fact base, as the registry knows it: a
    product by its id, a target or indication by its fact-base name. A name the fact base does
    not know is passed on as typed, for the registry's own matching."""
    from cartq.domain.resolve import resolve

    out = dict(filters)
    for option, kind in NAMED_FILTERS.items():
        typed = filters.get(option)
        if typed is None:
            continue
        try:
            record = resolve(store, kind, typed)
        except NotFound:
            if kind == "product":
                raise
            continue
        out[option] = record["id"] if kind == "product" else record["name"]
    return out


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
    """The `registry` command's handler (cli.handlers re-exports it under the command's name)."""
    from cartq.factbase import open_store
    from cartq.registry import query, views

    words = words or []
    filters: dict[str, str | None] = {
        "target": target,
        "indication": indication,
        "product": product,
        "sponsor": sponsor,
        "phase": phase,
        "status": status,
        "city": city,
        "since": since,
        "until": until,
    }

    if words[:1] == ["update"]:
        return _update(words, filters, registry, api_url, data)
    if words[:1] == ["import"]:
        if len(words) != 2:
            raise UsageError("registry import takes one FILE", hint="cartq registry import studies.json")
        from cartq.registry.importer import import_file

        products, pivotal = _fact_base_names(open_store(data))
        done = import_file(words[1], registry, products=products, pivotal=pivotal)
        return Output(done, "RegistryUpdate", lambda: views.update_doc(done), lambda: views.problem_rows(done))
    if info:
        about = query.info(registry)
        return Output(about, "RegistryInfo", lambda: views.info_doc(about))
    if len(words) == 1 and query.normalise_nct(words[0]):
        study = query.get_study(query.normalise_nct(words[0]), registry)
        return Output(study, "RegistryStudy", lambda: views.study_doc(study), lambda: views.site_rows(study))
    resolved = _resolved(open_store(data), filters)
    wanted = query.Filters(**resolved, text=" ".join(words) or None)
    if facet is not None:
        counts = query.facet(facet, registry, wanted)
        return Output(
            counts, "RegistryFacets", lambda: views.facet_doc(counts, chart), lambda: views.facet_rows(counts)
        )
    rows = query.list_studies(registry, wanted)
    notices = []
    if not rows:
        for option, names in query.suggest(wanted, registry).items():
            notices.append(f"no study matches --{option} {resolved[option]!r}; did you mean: {'; '.join(names)}")
    return Output(
        rows,
        "RegistryStudyList",
        lambda: views.study_list_doc(rows, wanted.given()),
        lambda: views.study_rows(rows),
        notices=notices,
    )


def _update(
    words: list[str], filters: dict[str, str | None], registry: str | None, api_url: str | None, data: str | None
) -> Output:
    from cartq.factbase import open_store
    from cartq.registry import update, views

    extra = [name for name, value in filters.items() if value is not None and name != "since"]
    if len(words) > 1 or extra:
        raise UsageError("registry update takes only --since, --api-url and --registry")
    since = update.parse_since(filters["since"], registry) if filters.get("since") else None
    products, pivotal = _fact_base_names(open_store(data))
    with views.progress_bar() as progress:
        done = update.update(
            registry, api_url=api_url, since=since, progress=progress, products=products, pivotal=pivotal
        )
    return Output(done, "RegistryUpdate", lambda: views.update_doc(done), lambda: views.problem_rows(done))
