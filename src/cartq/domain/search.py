"""Search every kind of record at once, ranked for people.

Words, not strings: the query and every text value of a record are split into words, folded
(width, case, accents), spelled one way (British and American spellings alike), and plurals folded
to their singular. Every word of the query is required. A closed-set code counts by its label too
(a coverage record's scheme `commercial_innovative_drug_list` is found by "commercial insurance"),
so synonyms kept in the fact base as facts (a glossary term's aliases and category) are searched
like any other text. A product is also found through the coverage records about it.

Ranking: exact name hits first, then products, companies, targets, indications, then the rest; by
score within.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cartq.domain.resolve import ANY_KIND, check_query, label_of
from cartq.kinds import BY_KIND, KINDS
from cartq.names import normalise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cartq.factbase.store import Store
    from cartq.records import Record

DEFAULT_LIMIT = 20  # hits that fit a screen; "showing N of M" says when more matched
MAIN_KINDS = ("product", "company", "target", "indication")
_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# British -> American spellings, as word stems: "tumour" and "tumor" are one word.
_SPELLINGS = (
    ("tumour", "tumor"),
    ("leukaem", "leukem"),
    ("anaem", "anem"),
    ("aemia", "emia"),
    ("haem", "hem"),
    ("paediatr", "pediatr"),
    ("oesophag", "esophag"),
    ("programme", "program"),
    ("centre", "center"),
    ("licence", "license"),
    ("randomis", "randomiz"),
    ("humanis", "humaniz"),
    ("authoris", "authoriz"),
    ("organis", "organiz"),
    ("commercialis", "commercializ"),
    ("favour", "favor"),
    ("colour", "color"),
)
# Values that are references or addresses, not words about the record (a citation's source id).
_NOT_TEXT = frozenset({"source", "url", "original_url", "seed_file"})
# Words of a question that say nothing about what is asked for.
STOP_WORDS = frozenset(
    "a an and any are be by can do doe does for from how in is it much of on or the there to was what when "
    "where which who why with".split()
)
# A question that names a command's subject: the command that answers it.
SUBJECT_COMMANDS = (
    (("cost", "price", "pay", "afford", "expensive", "cheap"), "cartq costs --country china"),
    (("huiminbao", "惠民保"), "cartq coverage huiminbao"),
    (("commercial insurance", "商保"), "cartq coverage commercial-list"),
    (("insurance", "insur", "reimburs", "nrdl", "医保"), "cartq coverage"),
    (("trial", "study", "studies", "programme", "program"), "cartq trials"),
    (("market", "sales", "revenue", "growth", "cagr"), "cartq market"),
    (("approved", "approval", "timeline", "when"), "cartq timeline"),
)


def fold(text: str) -> str:
    """Width (NFKC), case and accents folded."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


@lru_cache(maxsize=8192)
def canon(word: str) -> str:
    """One spelling and the singular: 'tumours' -> 'tumor', 'therapies' -> 'therapy'."""
    for british, american in _SPELLINGS:
        if british in word:
            word = word.replace(british, american)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and not word[-2].isdigit():
        return word[:-1]
    return word


def words_of(text: str) -> set[str]:
    """Each word of a text, and each whitespace-separated piece joined ('CAR-T' is 'car', 't', 'cart')."""
    out: set[str] = set()
    for piece in fold(text).split():
        parts = _WORD.findall(piece)
        out.update(canon(part) for part in parts)
        if len(parts) > 1:
            out.add(canon("".join(parts)))
    return out


@lru_cache(maxsize=1)
def _code_labels() -> dict[str, str]:
    """Every closed-set code with its label, so a code is found by the words people use."""
    from cartq import enums

    labels: dict[str, str] = {}
    for value in vars(enums).values():
        if isinstance(value, type) and issubclass(value, enums.Labelled) and value is not enums.Labelled:
            for member in value:
                labels.setdefault(member.value, member.label)
    return labels


def _texts(record: Any) -> list[str]:
    """Every text value of a record (not its keys), with a code's label beside the code."""
    out: list[str] = []
    labels = _code_labels()
    stack = [record]
    while stack:
        item = stack.pop()
        values = [v for k, v in item.items() if k not in _NOT_TEXT] if isinstance(item, dict) else item
        for value in values:
            if isinstance(value, str):
                out.append(value)
                shown = labels.get(value)
                if shown and shown != value:
                    out.append(shown)
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return out


def query_terms(query: str) -> list[str]:
    """The words every hit must hold; a word of Chinese (or other unspaced script) is matched inside text."""
    terms: list[str] = []
    for piece in fold(query).split():
        if _CJK.search(piece):
            terms.append(normalise(piece))
            continue
        parts = _WORD.findall(piece)
        if len(parts) > 1 and len("".join(parts)) <= 6:  # 'CAR-T', 'CD-19': one identifier
            terms.append(canon("".join(parts)))
        else:
            terms.extend(canon(part) for part in parts)
    kept = [term for term in terms if term and term not in STOP_WORDS]
    return list(dict.fromkeys(kept or terms))


def _term_weight(term: str, words: set[str], joined: str) -> float:
    """1 for a whole word, 0.6 for a word it begins (not for codes with digits: CD22 is not CD227)."""
    if _CJK.search(term):
        return 1.0 if term in joined else 0.0
    if term in words:
        return 1.0
    if len(term) >= 5 and not any(ch.isdigit() for ch in term) and any(w.startswith(term) for w in words):
        return 0.6
    return 0.0


def title_of(store: Store, kind: str, record: Record) -> str:
    """What a person calls a record, also for kinds without a name (a price, an event, a count)."""

    def product_name(rid: str | None) -> str:
        found = store.get("product", rid) if rid else None
        return label_of(found) if found else ""

    if kind == "price":
        return record.get("subject") or product_name(record.get("product")) or record["id"]
    if kind == "event":
        from cartq.enums import EventKind, label

        return f"{product_name(record.get('product'))}: {label(EventKind, record['kind'])}"
    if kind == "coverage":
        name = product_name(record.get("product"))
        return f"{name}: {record['plan']}" if name else record["plan"]
    if kind == "dispute":
        return _cut(record["claim"], 80)
    if kind == "count":
        return _cut(record["what"], 80)
    if kind in ("market", "growth"):
        return f"{record['market']}" + (f" {record['year']}" if "year" in record else "")
    return label_of(record)


def value_of(kind: str, record: Record) -> str | None:
    """The value a hit stands for: a price with its currency, a date at its precision, a count."""
    from cartq.dates import shown_date
    from cartq.render.fmt import fmt_money

    if kind == "price":
        return f"{fmt_money(record['price'])} ({shown_date(record.get('date'), record.get('date_precision'))})"
    if kind == "market":
        return f"{fmt_money(record['value'])} ({record['year']})"
    if kind == "growth":
        return f"{record['percent']}% {record.get('metric', 'CAGR')} {record['start_year']}-{record['end_year']}"
    if kind == "count":
        return f"{record['count']:,} ({shown_date(record.get('date'), record.get('date_precision'))})"
    if kind in ("event", "coverage"):
        return shown_date(record.get("date"), record.get("date_precision"))
    if kind == "source":
        return record.get("url") or f"seed file {record.get('seed_file')}"
    return None


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def snippet(record: Record, terms: list[str], width: int = 110) -> tuple[str, list[str]]:
    """The text value holding most of the query's words, cut around the first of them; and the
    words as they appear there (for highlighting)."""
    best, best_hits = "", 0
    for text in _texts(record):
        words = words_of(text)
        hits = sum(1 for term in terms if _term_weight(term, words, normalise(text)))
        if hits > best_hits or (hits == best_hits and best and len(text) > len(best) and hits):
            best, best_hits = text, hits
    if not best:
        return "", []
    shown: list[str] = []
    first = len(best)
    for match in re.finditer(r"\S+", best):
        token = match.group()
        token_words = words_of(token)
        if any(_term_weight(term, token_words, normalise(token)) for term in terms):
            shown.append(token.strip(".,;:()[]\"'"))
            first = min(first, match.start())
    if first == len(best):  # a Chinese term, matched inside a word
        for term in terms:
            at = fold(best).find(term)
            if at >= 0:
                first = min(first, at)
                shown.append(best[at : at + len(term)])
    start = max(0, min(first - 30, len(best) - width))
    if start > 0:
        start = best.rfind(" ", 0, start) + 1
    text = best[start:]
    text = ("…" if start > 0 else "") + _cut(text, width)
    return text, list(dict.fromkeys(shown))


def synonyms(store: Store, terms: list[str]) -> dict[str, set[str]]:
    """Each query word with the one-word names of the glossary term it names: synonyms kept in the
    fact base as facts ('惠民保' is the Chinese name of the glossary term Huiminbao)."""
    from cartq.records import names_of

    out: dict[str, set[str]] = {}
    for term in terms:
        alts = {term}
        for rid, _ in store.exact("term", normalise(term)):
            record = store.get("term", rid) or {}
            alts |= {canon(fold(name)) for name in names_of("term", record) if _WORD.fullmatch(fold(name))}
        out[term] = alts
    return out


def _group(kind: str, exact: bool) -> int:
    if exact:
        return 0
    return MAIN_KINDS.index(kind) + 1 if kind in MAIN_KINDS else len(MAIN_KINDS) + 1


def search(store: Store, query: str, kind: str | None = None, limit: int | None = 25) -> list[Record]:
    """The records holding all the query's words, best first: the first `limit` (None: all)."""
    norm = check_query(query, ANY_KIND)
    terms = query_terms(query) or [norm]
    scored: dict[tuple[str, str], float] = {}
    exact: set[tuple[str, str]] = set()
    records: dict[tuple[str, str], Record] = {}
    name_words: dict[tuple[str, str], set[str]] = {}
    from cartq.records import names_of

    alternatives = synonyms(store, terms)
    for spec in KINDS:
        for record in store.all(spec.kind):
            key = (spec.kind, record["id"])
            records[key] = record
            names = [record["id"], *names_of(spec.kind, record)]
            normed = [normalise(name) for name in names]
            if any(n == norm for n in normed):
                exact.add(key)
            elif len(norm) >= 5 and any(n.startswith(norm) and not n[len(norm)].isalpha() for n in normed):
                exact.add(key)  # 'FUMANBA' names the trial FUMANBA-1
            texts = _texts(record)
            words: set[str] = set()
            for text in texts:
                words |= words_of(text)
            words.add(canon(normalise(record["id"])))
            joined = normalise(" ".join(texts))
            weights = [max(_term_weight(alt, words, joined) for alt in alternatives[term]) for term in terms]
            if key in exact or all(weights):
                in_name: set[str] = set()
                for name in names:
                    in_name |= words_of(name)
                name_words[key] = in_name
                bonus = sum(1.0 for term in terms if term in in_name)
                scored[key] = 10.0 * (key in exact) + sum(weights) + 2 * bonus
    # A product is found through the coverage records about it ("commercial insurance").
    via: dict[tuple[str, str], Record] = {}
    for (kind_, rid), score in list(scored.items()):
        if kind_ == "coverage":
            coverage = records[(kind_, rid)]
            product = coverage.get("product")
            listed = coverage.get("status") in ("listed", "covered", "claim_paid")
            if product and listed and ("product", product) not in scored:
                scored[("product", product)] = score + 0.5  # the coverage record says it is on the list
                via[("product", product)] = coverage
    rows = []
    for key, score in scored.items():
        if kind and key[0] != kind:
            continue
        record = records[key]
        text, matched = snippet(record, [alt for term in terms for alt in sorted(alternatives[term])])
        if key in via:
            from cartq.enums import CoverageStatus, label

            text = f"{label(CoverageStatus, via[key]['status'])}: {via[key]['plan']} ({via[key]['id']})"
        rows.append(
            {
                "kind": key[0],
                "id": key[1],
                "name": title_of(store, key[0], record),
                "match": "name" if key in exact else ("linked record" if key in via else "text"),
                "score": round(score, 1),
                "value": value_of(key[0], record),
                "snippet": text,
                "matched": matched,
                "record": record,
            }
        )
    rows.sort(key=lambda r: (_group(r["kind"], r["match"] == "name"), -r["score"], r["name"].casefold()))
    return rows if limit is None else rows[:limit]


def answering_command(query: str) -> str | None:
    """The command that answers a question naming its subject ('how much does CAR-T cost')."""
    words = words_of(query)
    folded = fold(query)
    for stems, command in SUBJECT_COMMANDS:
        if any(any(w.startswith(s) for w in words) or ((_CJK.search(s) or " " in s) and s in folded) for s in stems):
            return command
    return None


def kind_of(name: str) -> str | None:
    """A kind by its name, its plural or its section ('products', 'glossary' -> term)."""
    folded = name.strip().casefold()
    for spec in KINDS:
        if folded in (spec.kind, spec.section, spec.plural, spec.label):
            return spec.kind
    return None


__all__ = ["BY_KIND", "DEFAULT_LIMIT", "answering_command", "search"]
