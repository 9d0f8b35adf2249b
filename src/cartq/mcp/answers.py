"""Tool answers for the MCP server, built from the domain's results: no MCP SDK here.

Every answer is one envelope, so an assistant reads each tool the same way:
`result` (the domain result, as `--json` prints it, less what the envelope carries), `matches`
(how each name given was resolved: exact, prefix or fuzzy), `citations` (one per citation: the
source's id, title, URL or seed file, reliability grade, and the verbatim quote where the fact
base has one), `disputes` (the claim, who claimed it, the correction, who corrects it) and
`as_of`. Alongside it a plain-text rendering, the one the CLI prints when piped, with the quotes
and grades added: some assistants read only the text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal  # noqa: TID253

# pydantic (which the SDK checks structured output with) takes only these TypedDicts below Python 3.12.
from typing_extensions import TypedDict

from cartq.domain.resolve import label_of, resolve_match
from cartq.records import citations_of
from cartq.safe_text import printable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cartq.factbase.store import Store
    from cartq.records import Record
    from cartq.render.blocks import Doc


class Citation(TypedDict):
    about: str  # what the citation supports: "product:eque-cel", "product:eque-cel.companies[2]", "price:x"
    source: str
    title: str | None
    url: str | None
    seed_file: str | None  # a seed document, cited by file name where it has no URL
    publisher: str | None
    published: str | None
    reliability: str | None  # high / medium / low / unconfirmed; None for the trial registry
    quote: str | None  # verbatim from the source, where the fact base has one
    note: str | None


class Dispute(TypedDict):
    id: str
    claim: str
    claimed_by: list[Citation]
    correction: str
    corrected_by: list[Citation]
    about: list[dict[str, str]]  # {kind, id, name}


class Match(TypedDict):
    argument: str  # the tool argument that named it
    kind: str
    query: str
    id: str
    name: str
    how: Literal["exact", "prefix", "fuzzy"]  # anything but exact is a guess worth saying so
    score: float


class Answer(TypedDict):
    result: Any  # the domain result (see `cartq schema output` for its shape), less sources and disputes
    matches: list[Match]
    citations: list[Citation]
    disputes: list[Dispute]
    as_of: str  # the date the fact base is current to


class Sources:
    """The sources of one answer, each read once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, Record] = {}

    def get(self, sid: str) -> Record:
        if sid not in self.seen:
            self.seen[sid] = self.store.get("source", sid) or {"id": sid}
        return self.seen[sid]

    def cite(self, about: str, citation: Record) -> Citation:
        source = self.get(citation["source"])
        return {
            "about": about,
            "source": citation["source"],
            "title": source.get("title"),
            "url": source.get("url"),
            "seed_file": source.get("seed_file"),
            "publisher": source.get("publisher"),
            "published": source.get("published"),
            "reliability": source.get("reliability"),
            "quote": citation.get("quote"),
            "note": citation.get("note"),
        }


def _about(kind: str, rid: str, where: str) -> str:
    return f"{kind}:{rid}" + (f".{where}" if where else "")


def cite_rows(sources: Sources, groups: Iterable[tuple[str, Iterable[Record]]]) -> list[Citation]:
    """Every citation of every record in the groups (kind, records), in order."""
    return [
        sources.cite(_about(kind, record["id"], where), citation)
        for kind, records in groups
        for record in records
        for where, citation in citations_of(kind, record)
    ]


def cite_evidence(sources: Sources, found: Record, with_disputes: bool = False) -> list[Citation]:
    """A record's field-by-field citations (cartq.domain.views.evidence), with grades added.
    Disputes' own citations are left to the disputes unless asked for."""
    rows = []
    for row in found["evidence"]:
        field = row["field"]
        if field.startswith("dispute:") and not with_disputes:
            continue
        about = _about(found["kind"], found["id"], "" if field == "record" else field) if ":" not in field else field
        rows.append(sources.cite(about, row))
    return rows


def cite_by_source(sources: Sources, groups: Iterable[tuple[str, Iterable[Record]]]) -> list[Citation]:
    """One row per source, naming every record it supports: for listings and search hits, where a
    quote per citation would swamp the answer (a lookup has them)."""
    by_source: dict[str, list[str]] = {}
    for kind, records in groups:
        for record in records:
            for _, citation in citations_of(kind, record):
                abouts = by_source.setdefault(citation["source"], [])
                if f"{kind}:{record['id']}" not in abouts:
                    abouts.append(f"{kind}:{record['id']}")
    return [sources.cite(", ".join(abouts), {"source": sid}) for sid, abouts in by_source.items()]


def dispute_rows(sources: Sources, disputes: Iterable[Record]) -> list[Dispute]:
    rows: list[Dispute] = []
    for dispute in disputes:
        about = []
        for ref in dispute.get("about", []):
            other = sources.store.get(ref["kind"], ref["id"])
            about.append({"kind": ref["kind"], "id": ref["id"], "name": label_of(other) if other else ref["id"]})
        rows.append(
            {
                "id": dispute["id"],
                "claim": dispute["claim"],
                "claimed_by": [sources.cite(f"dispute:{dispute['id']}.claimed_by", c) for c in dispute["claimed_by"]],
                "correction": dispute["correction"],
                "corrected_by": [
                    sources.cite(f"dispute:{dispute['id']}.corrected_by", c) for c in dispute["corrected_by"]
                ],
                "about": about,
            }
        )
    return rows


def match_row(store: Store, argument: str, kind: str, query: str) -> Match:
    """How a name resolves (NotFound with suggestions when it does not)."""
    record, how = resolve_match(store, kind, query)
    return {
        "argument": argument,
        "kind": kind,
        "query": query,
        "id": record["id"],
        "name": label_of(record),
        "how": how["how"],
        "score": how["score"],
    }


def answer(
    store: Store,
    result: Any,
    citations: list[Citation],
    disputes: list[Dispute],
    matches: list[Match] | None = None,
) -> Answer:
    if isinstance(result, dict):  # the envelope carries these, with more detail
        result = {k: v for k, v in result.items() if k not in ("sources", "disputes", "match")}
    return {
        "result": result,
        "matches": matches or [],
        "citations": citations,
        "disputes": disputes,
        "as_of": store.meta("as_of"),
    }


# ---- the text rendering ---------------------------------------------------------------------------

# Blocks the envelope's own sections replace (with grades, titles and links added).
_REPLACED = ("Sources", "Disputed claims")


def _where(c: Citation) -> str:
    return c["url"] or (f"seed file {c['seed_file']}" if c["seed_file"] else "")


def _grade(c: Citation) -> str:
    return f"[{c['reliability']}]" if c["reliability"] else ""


def text(found: Answer, doc: Doc | str | None = None, heading: str | None = None) -> str:
    """The CLI's plain rendering of the result, then how names were matched, the disputes, and
    every citation with its grade and quote. Data is made printable: no control characters."""
    from cartq.render.blocks import Doc
    from cartq.render.screen import render_plain

    parts: list[str] = []
    if heading:
        parts.append(heading)
    guesses = [m for m in found["matches"] if m["how"] != "exact"]
    for m in guesses:
        parts.append(
            f"Note: {m['argument']} {m['query']!r} was taken to mean {m['name']} ({m['kind']} {m['id']}), "
            f"a {m['how']} match (score {m['score']}), not an exact name."
        )
    if isinstance(doc, Doc):
        parts.append(render_plain(Doc([b for b in doc.blocks if getattr(b, "title", None) not in _REPLACED])))
    elif doc:
        parts.append(doc)
    if found["disputes"]:
        lines = ["Disputed claims (each claim is wrong; the correction holds):"]
        for d in found["disputes"]:
            lines.append(f"  DISPUTED: {d['claim']}")
            lines.append(f"    claimed by: {'; '.join(_short(c) for c in d['claimed_by'])}")
            lines.append(f"    CORRECTION: {d['correction']}")
            lines.append(f"    corrected by: {'; '.join(_short(c) for c in d['corrected_by'])}")
        parts.append("\n".join(lines))
    if found["citations"]:
        lines = ["Citations (source [reliability] what it supports: quote or note):"]
        for c in found["citations"]:
            said = f' "{c["quote"]}"' if c["quote"] else (f" ({c['note']})" if c["note"] else "")
            lines.append(f"  {c['source']} {_grade(c)} {c['about']}:{said}".rstrip(":"))
        lines.append("Sources:")
        seen: dict[str, Citation] = {}
        for c in found["citations"] + [c for d in found["disputes"] for c in d["claimed_by"] + d["corrected_by"]]:
            seen.setdefault(c["source"], c)
        lines += [f"  {sid} {_grade(c)} {c['title'] or ''} {_where(c)}".rstrip() for sid, c in seen.items()]
        parts.append("\n".join(lines))
    if found["as_of"]:
        parts.append(f"(cartq fact base current to {found['as_of']})")
    return printable("\n\n".join(p.rstrip("\n") for p in parts if p), newline=True)


def _short(c: Citation) -> str:
    return f"{c['source']} {_grade(c)} {_where(c)}".strip()
