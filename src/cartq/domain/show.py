"""Opening any record by its id, and the filters that answer list questions ("which products are
on the commercial insurance list?") on the commands that own them. Plain data; never prints.
"""

from __future__ import annotations

from cartq.domain.resolve import command_for, kind_label, label_of, match_notice, resolve
from cartq.errors import NotFound, UsageError
from cartq.kinds import KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from cartq.factbase.store import Store
    from cartq.records import Record

# Coverage statuses that mean a product is on a list or paid for by a plan.
COVERED = ("listed", "covered", "claim_paid")
# What people call a scheme, besides its code: `--coverage commercial-list`.
SCHEME_WORDS = {
    "commercial_innovative_drug_list": ("commercial", "commercial-list", "commercial-insurance", "商保"),
    "nrdl": ("nrdl", "basic", "national", "医保"),
    "huiminbao": ("huiminbao", "惠民保", "city"),
}


def kind_of_id(store: Store, rid: str) -> str | None:
    """The kind of the record with this id (ids are unique across the fact base)."""
    for spec in KINDS:
        if store.get(spec.kind, rid) is not None:
            return spec.kind
    return None


def show(store: Store, rid: str) -> Record:
    """The view of any record by its id, as its own kind's lookup shows it."""
    from cartq.domain import views

    typed = rid.strip()
    if kind_of_id(store, typed) is None:
        typed = typed.casefold()
    kind = kind_of_id(store, typed)
    if kind is None:
        from cartq.domain.search import search

        try:
            near = [f"{h['id']} ({kind_label(h['kind'])})" for h in search(store, typed, limit=5)]
        except NotFound:
            near = []
        raise NotFound(
            f"no record has the id {typed!r}",
            suggestions=near,
            hint="ids are in 'cartq search WORDS' and every --json; names work in 'cartq product NAME' and the like",
        )
    record = store.get(kind, typed) or {"id": typed}
    found = views.view(store, kind, record)
    return {**found, "match": {"query": rid, "how": "exact", "score": 100.0}}


def scheme_of(word: str) -> str:
    from cartq.enums import Scheme

    folded = word.strip().casefold().replace(" ", "-").replace("_", "-")
    for scheme in Scheme:
        if folded in (scheme.value.replace("_", "-"), *SCHEME_WORDS.get(scheme.value, ())):
            return scheme.value
    choices = ", ".join(words[1] if len(words) > 1 else words[0] for words in SCHEME_WORDS.values())
    raise UsageError(f"unknown coverage scheme {word!r}: choose {choices}")


def covered_products(store: Store, scheme: str) -> set[str]:
    return {
        c["product"]
        for c in store.all("coverage")
        if c["scheme"] == scheme and c["status"] in COVERED and c.get("product")
    }


def product_filter(
    store: Store, target: str | None, status: str | None, coverage: str | None
) -> Callable[[Record], bool] | None:
    """Whether a product listing row is kept by a target, a status and a coverage scheme (None
    when none is given). Each is resolved here, so a bad one fails before any row is read."""
    from cartq.enums import ProductStatus

    tests: list[Callable[[Record], bool]] = []
    if target:
        found = resolve(store, "target", target)
        # The products whose `targets` name it: the links the index keeps for that field.
        targeted = {
            rid
            for field, kind, rid in store.linked_to("target", found["id"])
            if (kind, field) == ("product", "targets")
        }
        tests.append(lambda row: row["id"] in targeted)
    if status:
        wanted = status.strip().casefold().replace(" ", "_").replace("-", "_")
        values = [s.value for s in ProductStatus]
        if wanted not in values:
            raise UsageError(f"unknown status {status!r}: choose {', '.join(values)}")
        tests.append(lambda row: row["status"] == wanted)
    if coverage:
        covered = covered_products(store, scheme_of(coverage))
        tests.append(lambda row: row["id"] in covered)
    if not tests:
        return None
    return lambda row: all(test(row) for test in tests)


def since_date(since: str) -> str:
    import re

    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", since.strip()):
        raise UsageError(f"--since takes a date as yyyy, yyyy-mm or yyyy-mm-dd, not {since!r}")
    return since.strip()


def filter_sources(rows: list[Record], kind: str | None, reliability: str | None) -> list[Record]:
    from cartq.enums import Confidence, SourceKind

    if kind:
        wanted = kind.strip().casefold().replace(" ", "_").replace("-", "_")
        values = [k.value for k in SourceKind]
        if wanted not in values:
            raise UsageError(f"unknown source kind {kind!r}: choose {', '.join(values)}")
        rows = [r for r in rows if r["kind"] == wanted]
    if reliability:
        wanted = reliability.strip().casefold()
        values = [c.value for c in Confidence]
        if wanted not in values:
            raise UsageError(f"unknown reliability {reliability!r}: choose {', '.join(values)}")
        rows = [r for r in rows if r.get("reliability", "medium") == wanted]
    return rows


def one_of_kind(store: Store, kind: str, rid: str) -> Record:
    """A record of the kind by its id or name (`cartq sources seed-000`, `cartq trials fumanba-1`)."""
    from cartq.domain import views

    record = store.get(kind, rid.strip()) or store.get(kind, rid.strip().casefold())
    if record is None:
        try:
            return views.lookup(store, kind, rid)
        except NotFound as error:
            other = kind_of_id(store, rid.strip())
            if other:
                error.hint = f"{rid!r} is a {kind_label(other)}: try '{command_for(other, rid)}' or 'cartq show {rid}'"
            raise
    return {**views.view(store, kind, record), "match": {"query": rid, "how": "exact", "score": 100.0}}


def evidence_field(store: Store, kind: str, record: Record, field: str) -> str:
    """A citation's place as a person reads it: 'company role: Innovent Biologics (co-developer)' for
    'companies[2]', 'approval in Hong Kong ...' for 'event:eque-cel-hk-approval'."""
    import re

    from cartq.domain.search import title_of

    if field == "record":
        return f"the {kind_label(kind)} itself"
    if field == "car_construct":
        return "CAR construct"
    role = re.fullmatch(r"companies\[(\d+)\]", field)
    if role and kind == "product":
        index = int(role.group(1))
        roles = record.get("companies", [])
        if index < len(roles):
            from cartq.enums import CompanyRoleKind, label

            company = store.get("company", roles[index]["company"])
            name = label_of(company) if company else roles[index]["company"]
            return f"company role: {name} ({label(CompanyRoleKind, roles[index]['role'])})"
    linked = re.fullmatch(r"(\w+):([\w.-]+?)(?:\.(\w+))?", field)
    if linked:
        other_kind, other_id, part = linked.groups()
        other = store.get(other_kind, other_id)
        name = title_of(store, other_kind, other) if other else other_id
        what = {"claimed_by": "the claim", "corrected_by": "the correction"}.get(part or "", "")
        return f"{kind_label(other_kind)}: {name}" + (f" ({what})" if what else "")
    return field.replace("_", " ")


def with_grades(store: Store, found: Record) -> Record:
    """Evidence rows with each source's grade and a human field name."""
    record = store.get(found["kind"], found["id"]) or {}
    grades = {
        s["id"]: s.get("reliability", "medium")
        for s in store.get_many("source", [e["source"] for e in found["evidence"]])
    }
    rows = [
        {
            **e,
            "field_name": evidence_field(store, found["kind"], record, e["field"]),
            "reliability": grades.get(e["source"], "medium"),
        }
        for e in found["evidence"]
    ]
    return {**found, "evidence": rows}


def filter_notices(store: Store, asked: dict[str, str | None]) -> list[str]:
    """A filter's name resolved like a lookup (`--target bcm`): the same stderr line when it was not
    an exact name. `asked` maps a kind to the query given for it."""
    from cartq.domain.resolve import resolve_match

    notices = []
    for kind, query in asked.items():
        if not query:
            continue
        record, match = resolve_match(store, kind, query)
        if match["how"] != "exact":
            notices.extend(match_notice({"kind": kind, "record": record, "match": match}))
    return notices
