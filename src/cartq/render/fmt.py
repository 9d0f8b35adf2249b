"""Values as people read them: dates at their stored precision, money in its own currency, closed
sets by their labels, flags for disputed or weakly sourced records.
"""

from __future__ import annotations

from cartq import enums
from cartq.enums import Confidence, Qualifier, Scale, label

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.records import Record


def amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0").rstrip(".")


def scale_suffix(money: Record) -> str:
    """' million', ' billion', or nothing for plain units."""
    scale = label(Scale, money.get("scale", Scale.one))
    return f" {scale}" if scale else ""


def qualifier_prefix(qualifier: str | None) -> str:
    text = label(Qualifier, qualifier or Qualifier.exactly)
    return f"{text} " if text else ""


def fmt_money(money: Record) -> str:
    shown = amount(money["low"])
    if money.get("high") is not None and money["high"] != money["low"]:
        shown += f"–{amount(money['high'])}"
    return f"{qualifier_prefix(money.get('qualifier'))}{money['currency']} {shown}{scale_suffix(money)}"


def joined(values: list[str] | None, sep: str = ", ") -> str:
    return sep.join(v for v in (values or []) if v)


def labels(enum: Any, values: list[str] | None) -> str:
    return joined([label(enum, value) for value in values or []])


def weak(confidence: str | None) -> bool:
    return confidence in (Confidence.low, Confidence.unconfirmed)


def flag(record: Record) -> str:
    marks = []
    if record.get("disputed"):
        marks.append("DISPUTED")
    if weak(record.get("confidence")):
        marks.append(f"{record['confidence']} confidence")
    return f" [{'; '.join(marks)}]" if marks else ""


def source_ids(record: Record) -> str:
    return joined(list(dict.fromkeys(citation["source"] for citation in record.get("sources") or [])))


def corrections(kind: str, record: Record, disputes: list[Record]) -> list[Record]:
    """The disputes whose `about` names this record."""
    return [d for d in disputes if any(a["kind"] == kind and a["id"] == record["id"] for a in d.get("about") or [])]


def correction_text(dispute: Record) -> str:
    return f"CORRECTION ({joined([c['source'] for c in dispute['corrected_by']])}): {dispute['correction']}"


def host_of(url: str | None) -> str:
    """The host of a URL, without 'www.': what a reader judges a page by."""
    if not url:
        return ""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def source_line(source: Record) -> str:
    """One line a reader can judge a source by: its grade, kind, host, and for a
    mirror or digest the publisher it copies. For every Sources block:
    'high · press release · prnewswire.com' / 'low · mirror of Caixin · news.miaodayang.com'."""
    grade = source.get("reliability") or "medium"
    kind = label(enums.SourceKind, source.get("kind")) if source.get("kind") else ""
    if source.get("original_publisher") and source.get("kind") in ("mirror", "aggregator"):
        kind = ("mirror" if source["kind"] == "mirror" else "digest") + f" of {source['original_publisher']}"
    elif source.get("original_publisher"):
        kind += f", after {source['original_publisher']}"
    # A seed file is named on the line below; a URL's host is what a reader judges a page by.
    return " · ".join(part for part in (grade, kind, host_of(source.get("url"))) if part)
