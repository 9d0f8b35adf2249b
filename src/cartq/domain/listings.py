"""Every record of a kind with a listing command as listing rows, in the order listed: streamed
from the rows the index stores (cartq.listing_rows says what a row holds), never built whole."""

from __future__ import annotations

from cartq.listing_rows import LISTED

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cartq.factbase.store import Store
    from cartq.records import Record


def listing(store: Store, kind: str, keep: Callable[[Record], bool] | None = None) -> Callable[[], Iterator[Record]]:
    """A function that streams the kind's listing rows afresh each time it is called, only those
    `keep` keeps if given (domain.show.product_filter)."""

    def rows() -> Iterator[Record]:
        listed = store.listing(kind)
        return listed if keep is None else filter(keep, listed)

    return rows


def _whole(kind: str) -> Callable[[Store], list[Record]]:
    def listed(store: Store) -> list[Record]:
        return list(store.listing(kind))

    listed.__name__ = f"list_{kind}"
    return listed


# Each listing as a list, for the table and for the MCP server.
LISTINGS: dict[str, Callable[[Store], list[Record]]] = {kind: _whole(kind) for kind in LISTED}
