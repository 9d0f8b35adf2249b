"""`cartq registry update`: fetch from ClinicalTrials.gov, then swap in a new store atomically."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date

from cartq.registry.client import Client, Progress, describe_query
from cartq.registry.importer import ingest
from cartq.registry.results import RegistryUpdate


def last_retrieved(registry: str | os.PathLike[str] | None = None) -> date | None:
    """The day of the last update or import, for `--since last`; None when there is no store."""
    import contextlib

    from cartq.errors import RegistryError
    from cartq.registry.store import connect, read_meta

    try:
        with contextlib.closing(connect(registry)) as conn:
            retrieved = read_meta(conn).get("retrieved", "")
    except RegistryError:
        return None
    return date.fromisoformat(retrieved[:10]) if retrieved else None


def parse_since(value: str, registry: str | os.PathLike[str] | None = None) -> date | None:
    """`--since`: 'last' (the day of the last update or import; None if there is none), or a date
    as yyyy, yyyy-MM or yyyy-MM-dd (its first day). UsageError otherwise."""
    from cartq.registry.dates import pad, parse_option

    if value.strip().lower() == "last":
        return last_retrieved(registry)
    return date.fromisoformat(pad(parse_option(value, "--since")))


def _refuse_empty(registry: str | os.PathLike[str] | None, endpoint: str) -> None:
    """An API that suddenly finds nothing has more likely changed than every trial ended: keep the store."""
    import contextlib

    from cartq.errors import RegistryError
    from cartq.registry.store import connect

    try:
        with contextlib.closing(connect(registry)) as conn:
            held = conn.execute("SELECT count(*) FROM studies").fetchone()[0]
    except RegistryError:
        return
    if held:
        raise RegistryError(f"{endpoint} found no studies for the query; kept the registry of {held} studies",
                            hint="try again later; if it persists, the API may have changed")


def update(
    registry: str | os.PathLike[str] | None = None,
    *,
    api_url: str | None = None,
    since: date | None = None,
    progress: Progress | None = None,
    products: Mapping[str, str] | None = None,
    pivotal: Mapping[str, str] | None = None,
    client: Client | None = None,
) -> RegistryUpdate:
    """Fetch every CAR-T study with a site in China (or, with `since`, those updated since that day,
    merged into the current store; with no store yet, everything) and store them. The result's
    `since` says which was done. Raises RegistryError; the old store is kept."""
    from cartq.registry.store import resolve_path

    client = client or Client(api_url)
    if since is not None and not resolve_path(registry).is_file():
        since = None  # nothing to merge into: a partial registry would look complete, so fetch all
    fetched = client.fetch(since, progress)
    if since is None and not fetched.studies:
        _refuse_empty(registry, client.endpoint)
    meta = {"origin": "api", "query": describe_query(since), "api_url": client.endpoint,
            "since": since.isoformat() if since else "", "first_page": fetched.url}
    return ingest(fetched.studies, registry=registry, meta=meta, merge=since is not None,
                  products=products, pivotal=pivotal, total_reported=fetched.total)
