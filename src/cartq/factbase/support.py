"""The support checks: every precise value in the fact base is backed by the words of a source.

`support_problems(data)` takes the validated data dict (as `checks.load_validated` returns it) and
returns one line per problem, naming the record (section, index, id) and the field. It prints
nothing; `cartq validate --strict` and the tests report what it returns.

What must be supported, by a quote on at least one of the record's citations that contains the
value in some common spelling (2023-06-30, 30 June 2023, June 30, 2023, 2023年6月30日;
1,200,000, 1.2 million, 120万; 8, eight, 8款):

- a day-precision date (an event's date and announcement, a price's, a coverage record's, a
  count's, a claim's change), and a company role's start or end at whatever precision it has;
- an exact price (qualifier "exactly"), both ends of a range;
- a count;
- a study's location and a company's headquarters (each place named, by its first part:
  "Seattle, United States" needs "Seattle").

A citation note may stand in for a quote when it names how the value was reached: it contains the
value and one of the words in `CALCULATION_WORDS` ("calculated: ...", "dated: the release is dated
2024-08-27", "counted: Table 1 lists five products").

A record marked `confidence: unconfirmed` is exempt from the value checks: it says itself that no
source could be re-read for it, and every view marks it so.

Besides: an approval whose date is its announcement date, or whose date is backed only by words
about an announcement, is rejected; approved-product counts that contradict each other (a later
count lower than an earlier one, or two different counts at the same time) each carry a conflict
marker (`conflicts_with` or `conflict`); a source's kind fits its host (mirror, aggregator and
blog hosts are never graded high, and a mirror names its original publisher).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any  # noqa: TID253
from urllib.parse import urlparse

from cartq.factbase.spellings import (
    CALCULATION_WORDS,
    contains_number,
    date_spellings,
    number_spellings,
    place_spellings,
    short_number,
    squash,
)

MIRROR_HOSTS = (
    "jjjnews.top",
    "xyyzfzs.cn",
    "dingtaide.cn",
    "tojoyun.com",
    "miaodayang.com",
    "reportify.ai",
    "saludcastillayleon.es",
    "bohrium.dp.tech",
    "ablesci.com",
    "financetom.com",
    "daily8.com",
)
AGGREGATOR_HOSTS = ("helm.news",)
BLOG_HOSTS = (
    "immunotherapychina.com",
    "medicalcarechina.com",
    "sqcnmz.top",
    "placidway.com",
    "medbridgenz.com",
    "vape-manufactory.com",
    "chinamedwaypoint.com",
    "qinbx.com",
    "lanpeimed.com",
)
WEAK_KINDS = ("mirror", "aggregator", "blog")


# ---- the citations that can support a field --------------------------------------------------


def _texts(citations: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(kind, text) for each citation: ("quote", ...) or ("note", ...) when the note names a calculation."""
    for citation in citations:
        if citation.get("quote"):
            yield "quote", squash(citation["quote"])
        note = citation.get("note")
        if note and any(word in note.lower() for word in CALCULATION_WORDS):
            yield "note", squash(note)


def _supported(citations: list[dict[str, Any]], spellings: set[str], *, number: bool = False) -> list[str]:
    """The texts (quotes or calculation notes) that contain one of the spellings."""
    found = []
    for _, text in _texts(citations):
        hit = contains_number(text, spellings) if number else any(s in text for s in spellings)
        if hit:
            found.append(text)
    return found


def _where(section: str, index: int, record: dict[str, Any]) -> str:
    return f"{section}[{index}] (id {record.get('id')!r})"


# ---- the checks ------------------------------------------------------------------------------


def _check_date(
    problems: list[str], where: str, field: str, value: Any, precision: str, citations: list[dict[str, Any]]
) -> list[str]:
    if value is None:
        return []
    found = _supported(citations, date_spellings(value, precision))
    if not found:
        problems.append(
            f"{where}: {field} {str(value)[:10]} ({precision} precision) is in no quote or calculation note"
            " of its citations; give a quote with the date, or lower its precision, or leave it empty"
        )
    return found


def _event_problems(data: dict[str, Any]) -> Iterator[str]:
    for index, event in enumerate(data.get("events") or []):
        where = _where("events", index, event)
        cites = event.get("sources") or []
        problems: list[str] = []
        found: list[str] = []
        if event.get("confidence") == "unconfirmed":
            pass
        elif event.get("date_precision", "day") == "day":
            found = _check_date(problems, where, "date", event.get("date"), "day", cites)
        if event.get("confidence") != "unconfirmed":
            _check_date(problems, where, "announced", event.get("announced"), "day", cites)
            _check_date(problems, where, "certificate_received", event.get("certificate_received"), "day", cites)
        yield from problems
        if event.get("kind") == "approved" and event.get("date"):
            if event.get("announced") and str(event["date"])[:10] == str(event["announced"])[:10]:
                yield (
                    f"{where}: date {str(event['date'])[:10]} is the announcement date; an approval's date is the"
                    " regulator's, so leave date empty and keep announced"
                )
            elif found and all("announc" in text and "approv" not in text for text in found):
                yield f"{where}: date {str(event['date'])[:10]} is backed only by words about an announcement"


def _price_problems(data: dict[str, Any]) -> Iterator[str]:
    scale = {"one": 1, "thousand": 1e3, "million": 1e6, "billion": 1e9}
    for index, price in enumerate(data.get("prices") or []):
        if price.get("confidence") == "unconfirmed":
            continue
        where = _where("prices", index, price)
        cites = price.get("sources") or []
        if price.get("date_precision", "day") == "day":
            problems: list[str] = []
            _check_date(problems, where, "date", price.get("date"), "day", cites)
            yield from problems
        money = price.get("price") or {}
        if money.get("qualifier", "exactly") != "exactly":
            continue
        for end in ("low", "high"):
            amount = money.get(end)
            if amount is None:
                continue
            value = amount * scale.get(money.get("scale", "one"), 1)
            if not _supported(cites, number_spellings(value), number=True):
                yield (
                    f"{where}: price.{end} {short_number(value)} {money.get('currency', '')} is in no quote or"
                    " calculation note of its citations"
                )


def _count_problems(data: dict[str, Any]) -> Iterator[str]:
    counts = data.get("counts") or []
    for index, count in enumerate(counts):
        if count.get("confidence") == "unconfirmed":
            continue
        where = _where("counts", index, count)
        cites = count.get("sources") or []
        if not _supported(cites, number_spellings(count["count"]), number=True):
            yield f"{where}: count {count['count']} is in no quote or calculation note of its citations"
        if count.get("date_precision", "day") == "day":
            problems: list[str] = []
            _check_date(problems, where, "date", count.get("date"), "day", cites)
            yield from problems
    # Approved products only grow: a later count below an earlier one, or two counts of one
    # month that differ, contradict each other, and both must say so.
    approved = [(i, c) for i, c in enumerate(counts) if c.get("kind") == "approved_products" and c.get("date")]
    contradicted: set[int] = set()
    for i, a in approved:
        for j, b in approved:
            da, db = str(a["date"])[:7], str(b["date"])[:7]
            if (
                i != j
                and a.get("scope") == b.get("scope")
                and ((da == db and a["count"] != b["count"]) or (da < db and a["count"] > b["count"]))
            ):
                contradicted |= {i, j}
    for i in sorted(contradicted):
        count = counts[i]
        if not (count.get("conflicts_with") or count.get("conflict")):
            yield (
                f"{_where('counts', i, count)}: count {count['count']} contradicts another approved-product count"
                " and carries no conflict marker (conflicts_with or conflict)"
            )


def _role_problems(data: dict[str, Any]) -> Iterator[str]:
    for index, product in enumerate(data.get("products") or []):
        for r, role in enumerate(product.get("companies") or []):
            cites = (role.get("sources") or []) + (product.get("sources") or [])
            where = f"{_where('products', index, product)} companies[{r}] ({role.get('company')}, {role.get('role')})"
            problems: list[str] = []
            for field in ("since", "until"):
                _check_date(problems, where, field, role.get(field), role.get(f"{field}_precision", "day"), cites)
            yield from problems


def _place_problems(data: dict[str, Any]) -> Iterator[str]:
    for section, field in (("studies", "location"), ("companies", "headquarters")):
        for index, record in enumerate(data.get(section) or []):
            value = record.get(field)
            if not value:
                continue
            texts = [text for _, text in _texts(record.get("sources") or [])]
            missing = [sorted(p)[0] for p in place_spellings(value) if not any(s in t for s in p for t in texts)]
            if missing:
                yield (
                    f"{_where(section, index, record)}: {field} {value!r} is in no quote or calculation note of its"
                    f" citations (not found: {', '.join(missing)}); cite a source that gives it, or leave it empty"
                )


def _dated_record_problems(data: dict[str, Any]) -> Iterator[str]:
    for section, field, precision_field in (
        ("coverage", "date", "date_precision"),
        ("claims", "changed_on", "changed_precision"),
    ):
        for index, record in enumerate(data.get(section) or []):
            if record.get(precision_field, "day") != "day" or record.get("confidence") == "unconfirmed":
                continue
            problems: list[str] = []
            _check_date(
                problems, _where(section, index, record), field, record.get(field), "day", record.get("sources") or []
            )
            yield from problems


def _host(url: str | None) -> str:
    return (urlparse(url).hostname or "").lower() if url else ""


def _at(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


def _source_problems(data: dict[str, Any]) -> Iterator[str]:
    for index, source in enumerate(data.get("sources") or []):
        where = _where("sources", index, source)
        kind, host = source.get("kind"), _host(source.get("url"))
        for hosts, expected in ((MIRROR_HOSTS, "mirror"), (AGGREGATOR_HOSTS, "aggregator"), (BLOG_HOSTS, "blog")):
            if _at(host, hosts) and kind != expected:
                yield f"{where}: kind {kind!r} but {host} is a {expected} host; set kind: {expected}"
        if (kind in WEAK_KINDS or _at(host, MIRROR_HOSTS + AGGREGATOR_HOSTS + BLOG_HOSTS)) and source.get(
            "reliability"
        ) == "high":
            yield f"{where}: a {kind} source is graded high; a copy, digest or blog is at most medium"
        if kind == "mirror" and not source.get("original_publisher"):
            yield f"{where}: a mirror names no original_publisher"


def support_problems(data: dict[str, Any]) -> list[str]:
    """Every unsupported value in a validated fact base, one line each, by record and field."""
    problems: list[str] = []
    for check in (
        _event_problems,
        _price_problems,
        _count_problems,
        _role_problems,
        _place_problems,
        _dated_record_problems,
        _source_problems,
    ):
        problems.extend(check(data))
    return problems
