"""The only writer of stdout. JSON straight to stdout; otherwise a list of blocks rendered as
Rich tables on a terminal or as plain lines without borders when piped.

Rich is imported only when a table is drawn on a terminal.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

Record = dict[str, Any]

# ---- blocks ------------------------------------------------------------------------------


class Heading:
    def __init__(self, text: str) -> None:
        self.text = text


class Fields:
    def __init__(self, pairs: list[tuple[str, str]], title: str | None = None) -> None:
        self.pairs, self.title = pairs, title


class Table:
    def __init__(self, columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
        self.columns, self.rows, self.title = columns, rows, title


class Lines:
    def __init__(self, lines: list[str], title: str | None = None, style: str = "") -> None:
        self.lines, self.title, self.style = lines, title, style


class Bars:
    """A horizontal bar chart of one unit. Each item: (label, low, high or None, note, projected)."""

    def __init__(self, title: str, unit: str, items: list[tuple[str, float, float | None, str, bool]]) -> None:
        self.title, self.unit, self.items = title, unit, items


Block = Heading | Fields | Table | Lines | Bars


class Doc:
    """What a command shows, as blocks; rendered as Rich tables or plain lines."""

    def __init__(self, blocks: list[Block] | None = None) -> None:
        self.blocks: list[Block] = blocks or []

    def add(self, block: Block | None) -> None:
        if block is not None and (isinstance(block, Heading) or _has_content(block)):
            self.blocks.append(block)


def _has_content(block: Block) -> bool:
    if isinstance(block, (Table, Bars)):
        return bool(block.rows if isinstance(block, Table) else block.items)
    if isinstance(block, Lines):
        return bool(block.lines)
    if isinstance(block, Fields):
        return any(value for _, value in block.pairs)
    return True


# ---- formatting values ---------------------------------------------------------------------

_QUALIFIER = {
    "exactly": "",
    "about": "about ",
    "more_than": "more than ",
    "at_least": "at least ",
    "up_to": "up to ",
    "under": "under ",
}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def fmt_date(value: str | None, precision: str | None = "day", missing: str = "date unconfirmed") -> str:
    if not value:
        return missing
    if precision == "year":
        return value[:4]
    if precision == "month":
        return value[:7]
    return value


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0").rstrip(".")


def _scale(money: Record) -> str:
    """' million', ' billion', or nothing for plain units."""
    return "" if money.get("scale", "one") == "one" else f" {money['scale']}"


def fmt_money(money: Record) -> str:
    amount = _amount(money["low"])
    if money.get("high") is not None and money["high"] != money["low"]:
        amount += f"–{_amount(money['high'])}"
    return f"{_QUALIFIER.get(money.get('qualifier', 'exactly'), '')}{money['currency']} {amount}{_scale(money)}"


def words(value: str | None) -> str:
    return (value or "").replace("_", " ")


_PHASES = {"phase_1": "phase 1", "phase_1_2": "phase 1/2", "phase_2": "phase 2", "phase_3": "phase 3"}


def fmt_phase(value: str | None) -> str:
    return _PHASES.get(value or "", words(value))


def joined(values: list[str] | None, sep: str = ", ") -> str:
    return sep.join(v for v in (values or []) if v)


def _flag(record: Record) -> str:
    marks = []
    if record.get("disputed"):
        marks.append("DISPUTED")
    if record.get("confidence") in ("low", "unconfirmed"):
        marks.append(f"{record['confidence']} confidence")
    return f" [{'; '.join(marks)}]" if marks else ""


def _source_ids(record: Record) -> str:
    ids = []
    for citation in record.get("sources") or []:
        ids.append(citation["source"])
    return joined(list(dict.fromkeys(ids)))


# ---- documents per view --------------------------------------------------------------------


def _names_block(record: Record, extra: list[tuple[str, str]]) -> Fields:
    pairs = [("id", record["id"]), *extra]
    pairs += [("aliases", joined(record.get("aliases"))), ("Chinese names", joined(record.get("chinese_names")))]
    return Fields(pairs)


def _disputes_block(disputes: list[Record]) -> Lines | None:
    if not disputes:
        return None
    lines = []
    for d in disputes:
        lines.append(f"DISPUTED CLAIM ({joined([c['source'] for c in d['claimed_by']])}): {d['claim']}")
        lines.append(f"  CORRECTION ({joined([c['source'] for c in d['corrected_by']])}): {d['correction']}")
    return Lines(lines, title="Disputed claims", style="yellow")


def _sources_block(sources: list[Record]) -> Table | None:
    rows = [[s["id"], s["title"], s.get("url") or f"seed file {s['seed_file']}"] for s in sources]
    return Table(["source", "title", "where"], rows, title="Sources")


def _notes_block(record: Record) -> Lines | None:
    return Lines(list(record.get("notes") or []), title="Notes")


def _events_table(events: list[Record], with_product: bool) -> Table:
    columns = (
        ["date", "event", "regulator"]
        + (["product"] if with_product else [])
        + ["indication", "line / patients", "type", "pivotal study"]
    )
    rows = []
    for e in events:
        row = [fmt_date(e.get("date"), e.get("date_precision")), words(e["kind"]) + _flag(e), e["regulator"]]
        if with_product:
            row.append(e["product_name"])
        row += [
            e.get("indication_detail") or e.get("indication_name") or "",
            joined([e.get("line_of_therapy") or "", e.get("patient_group") or ""], "; "),
            "" if e.get("approval_type") == "unknown" else words(e.get("approval_type")),
            e.get("pivotal_study") or "",
        ]
        rows.append(row)
    return Table(columns, rows, title="Regulatory events")


def _prices_table(prices: list[Record], with_product: bool = False) -> Table:
    columns = ["price", "what"] + (["product"] if with_product else []) + ["basis", "date", "sources"]
    rows = []
    for p in prices:
        row = [fmt_money(p["price"]), p["subject"] + _flag(p)]
        if with_product:
            row.append(p.get("product_name") or "")
        row += [
            words(p["basis"]),
            fmt_date(p.get("date"), p.get("date_precision"), missing=""),
            _source_ids(p),
        ]
        rows.append(row)
    return Table(columns, rows, title="Price claims (each with its own source; never converted)")


def _coverage_table(coverage: list[Record]) -> Table:
    rows = [
        [
            words(c["scheme"]),
            c["plan"],
            words(c["status"]),
            fmt_date(c.get("date"), c.get("date_precision"), missing=""),
            c["detail"],
        ]
        for c in coverage
    ]
    return Table(["scheme", "plan", "status", "date", "detail"], rows, title="Insurance and reimbursement")


def _studies_table(studies: list[Record]) -> Table:
    return Table(
        ["trial or programme", "kind", "phase", "institution"],
        [[s["name"], words(s["kind"]), fmt_phase(s.get("phase")), s.get("institution") or ""] for s in studies],
        title="Trials and programmes",
    )


def product_doc(view: Record) -> Doc:
    p, rel = view["record"], view["related"]
    doc = Doc([Heading(f"{p['name']}{_flag(p)}")])
    first = rel.get("first_approval")
    construct = p.get("car_construct") or {}
    doc.add(
        _names_block(
            p,
            [
                ("INN", p.get("inn") or ""),
                ("Chinese generic name", p.get("chinese_generic_name") or ""),
                ("brand names", joined(p.get("brand_names"))),
                ("Chinese brand names", joined(p.get("chinese_brand_names"))),
                ("short names", joined(p.get("short_names"))),
                ("code names", joined(p.get("code_names"))),
                (
                    "status",
                    words(p["status"]) + ("" if p["confidence"] == "high" else f" ({p['confidence']} confidence)"),
                ),
                ("first NMPA approval", fmt_date(first["date"], first["date_precision"]) if first else "none recorded"),
                ("targets", joined([t["name"] for t in rel["targets"]])),
                ("cells", words(p["cell_source"])),
            ],
        )
    )
    doc.add(Fields([(words(k), v) for k, v in construct.items() if k != "sources" and v], title="CAR construct"))
    doc.add(
        Table(
            ["company", "role", "since", "until", "note"],
            [
                [
                    c["company_name"],
                    words(c["role"]),
                    fmt_date(c.get("since"), c.get("since_precision"), missing=""),
                    fmt_date(c.get("until"), c.get("until_precision"), missing=""),
                    c.get("note") or "",
                ]
                for c in rel["companies"]
            ],
            title="Companies",
        )
    )
    doc.add(_events_table(rel["events"], with_product=False))
    doc.add(
        Table(
            ["study", "kind", "phase", "registry ids"],
            [
                [s["name"], words(s["kind"]), fmt_phase(s.get("phase")), joined(s.get("registry_ids"))]
                for s in rel["studies"]
            ],
            title="Trials",
        )
    )
    doc.add(_prices_table(rel["prices"]))
    doc.add(_coverage_table(rel["coverage"]))
    doc.add(_notes_block(p))
    doc.add(_disputes_block(view["disputes"]))
    doc.add(_sources_block(view["sources"]))
    return doc


def company_doc(view: Record) -> Doc:
    c, rel = view["record"], view["related"]
    doc = Doc([Heading(c["name"])])
    doc.add(
        _names_block(
            c,
            [
                ("kind", words(c["kind"])),
                ("headquarters", c.get("headquarters") or ""),
                ("focus areas", joined(c.get("focus_areas"))),
            ],
        )
    )
    doc.add(
        Table(
            ["product", "roles", "status"],
            [[p["name"], joined([words(r) for r in p["roles"]]), words(p["status"])] for p in rel["products"]],
            title="Products",
        )
    )
    doc.add(
        Table(
            ["relation", "company", "kind"],
            [
                [rel_name, x["name"], words(x["kind"])]
                for rel_name in ("parents", "subsidiaries", "partners")
                for x in rel[rel_name]
            ],
            title="Related companies",
        )
    )
    doc.add(_studies_table(rel["studies"]))
    doc.add(_notes_block(c))
    doc.add(_disputes_block(view["disputes"]))
    doc.add(_sources_block(view["sources"]))
    return doc


def target_doc(view: Record) -> Doc:
    t, rel = view["record"], view["related"]
    doc = Doc([Heading(t["name"])])
    doc.add(_names_block(t, [("full name", t.get("full_name") or "")]))
    doc.add(
        Table(
            ["product", "status", "first approval"],
            [[p["name"], words(p["status"]), p.get("first_approval") or ""] for p in rel["products"]],
            title="Products",
        )
    )
    doc.add(_studies_table(rel["studies"]))
    doc.add(_notes_block(t))
    doc.add(_disputes_block(view["disputes"]))
    doc.add(_sources_block(view["sources"]))
    return doc


def indication_doc(view: Record) -> Doc:
    i, rel = view["record"], view["related"]
    doc = Doc([Heading(i["name"])])
    doc.add(
        _names_block(
            i,
            [
                ("abbreviations", joined(i.get("abbreviations"))),
                ("category", words(i["category"])),
                ("part of", (rel.get("parent") or {}).get("name", "")),
                ("subtypes", joined([s["name"] for s in rel["subtypes"]])),
            ],
        )
    )
    doc.add(Table(["product", "status"], [[p["name"], words(p["status"])] for p in rel["products"]], title="Products"))
    doc.add(_events_table(rel["events"], with_product=True))
    doc.add(_studies_table(rel["studies"]))
    doc.add(_disputes_block(view["disputes"]))
    doc.add(_sources_block(view["sources"]))
    return doc


def term_doc(view: Record) -> Doc:
    t = view["record"]
    doc = Doc([Heading(t["name"])])
    doc.add(
        Fields(
            [("category", words(t["category"])), ("aliases", joined(t.get("aliases"))), ("definition", t["definition"])]
        )
    )
    doc.add(_sources_block(view["sources"]))
    return doc


DETAIL_DOCS = {
    "product": product_doc,
    "company": company_doc,
    "target": target_doc,
    "indication": indication_doc,
    "term": term_doc,
}


def listing_doc(kind: str, rows: list[Record]) -> Doc:
    if kind == "product":
        table = Table(
            ["product", "INN", "brand", "target", "company", "status", "first approval"],
            [
                [
                    r["name"],
                    r.get("inn") or "",
                    joined(r["brand_names"] + r["chinese_brand_names"]),
                    joined(r["targets"]),
                    joined(r["companies"]),
                    words(r["status"]) + ("" if r["confidence"] == "high" else f" ({r['confidence']} confidence)"),
                    fmt_date(r["first_approval"], r["first_approval_precision"], missing=""),
                ]
                for r in rows
            ],
            title="CAR-T products (by first NMPA approval)",
        )
    elif kind == "company":
        table = Table(
            ["company", "kind", "headquarters", "products"],
            [[r["name"], words(r["kind"]), r.get("headquarters") or "", joined(r["products"])] for r in rows],
            title="Companies and institutions",
        )
    elif kind == "target":
        table = Table(
            ["target", "full name", "products", "trials/programmes"],
            [[r["name"], r.get("full_name") or "", joined(r["products"]), str(r["studies"])] for r in rows],
            title="Targets",
        )
    elif kind == "indication":
        table = Table(
            ["indication", "abbreviations", "category", "approved products"],
            [
                [r["name"], joined(r["abbreviations"]), words(r["category"]), joined(r["approved_products"])]
                for r in rows
            ],
            title="Indications",
        )
    else:
        table = Table(
            ["term", "category", "definition"],
            [[r["name"], words(r["category"]), r["definition"]] for r in rows],
            title="Glossary",
        )
    return Doc([table])


def trials_doc(result: Record) -> Doc:
    doc = Doc()
    if result["filters"]:
        doc.add(Lines([joined([f"{k}={v}" for k, v in result["filters"].items()])], title="Filters"))
    rows = [
        [
            s["name"] + _flag(s),
            words(s["kind"]),
            fmt_phase(s.get("phase")),
            joined(s["sponsor_names"]) or s.get("institution") or "",
            joined(s["target_names"]),
            joined(s["indication_names"]),
            joined([words(a) for a in s["approaches"]]),
        ]
        for s in result["studies"]
    ]
    doc.add(
        Table(
            ["trial or programme", "kind", "phase", "sponsor / institution", "targets", "indications", "approach"],
            rows,
            title=f"Trials and programmes ({len(rows)})",
        )
    )
    if not rows:
        doc.add(Lines(["no trials or programmes match these filters"]))
    doc.add(
        Table(
            ["count", "what", "as of", "sources"],
            [
                [
                    f"{_QUALIFIER[c['qualifier']]}{c['count']:,}",
                    c["what"],
                    fmt_date(c.get("date"), c.get("date_precision")),
                    _source_ids(c),
                ]
                for c in result["counts"]
            ],
            title="Landscape figures (each with its source; sources disagree)",
        )
    )
    doc.add(_disputes_block(result["disputes"]))
    return doc


def timeline_doc(result: Record) -> Doc:
    doc = Doc()
    if result["filters"]:
        doc.add(Lines([joined([f"{k}={v}" for k, v in result["filters"].items()])], title="Filters"))
    doc.add(_events_table(result["events"], with_product=True))
    if not result["events"]:
        doc.add(Lines(["no events match these filters"]))
    return doc


def costs_doc(result: Record) -> Doc:
    doc = Doc()
    doc.add(
        Table(
            [
                "country",
                "therapy cost",
                "hospital stay",
                "local biotech",
                "waiting time",
                "insurance",
                "research & trials",
                "source",
            ],
            [
                [
                    c["name"] + _flag(c),
                    fmt_money(c["therapy_cost"]),
                    c["hospital_stay"],
                    c["local_biotech_availability"],
                    c["average_waiting_time"],
                    c["insurance_coverage"],
                    c["research_and_trials"],
                    _source_ids(c),
                ]
                for c in result["countries"]
            ],
            title="Country cost table (seed 001, as published)",
        )
    )
    doc.add(_prices_table(result["prices"], with_product=True))
    doc.add(_disputes_block(result["disputes"]))
    return doc


def market_doc(result: Record) -> Doc:
    doc = Doc()
    doc.add(
        Table(
            ["market", "year", "value", "status", "projected by", "sources"],
            [
                [
                    f["market"] + _flag(f),
                    str(f["year"]),
                    fmt_money(f["value"]),
                    words(f["status"]),
                    f.get("projected_by") or "",
                    _source_ids(f),
                ]
                for f in result["figures"]
            ],
            title="Market figures",
        )
    )
    doc.add(
        Table(
            ["market", "growth", "period", "projected by", "sources"],
            [
                [
                    g["market"] + _flag(g),
                    f"{g['metric']} {g['percent']:g}%",
                    f"{g['start_year']}-{g['end_year']}",
                    g.get("projected_by") or "",
                    _source_ids(g),
                ]
                for g in result["growth"]
            ],
            title="Growth rates",
        )
    )
    doc.add(_disputes_block(result["disputes"]))
    return doc


def search_doc(query: str, hits: list[Record]) -> Doc:
    doc = Doc()
    doc.add(
        Table(
            ["kind", "name", "id", "match"],
            [[h["kind"], h["name"], h["id"], h["match"]] for h in hits],
            title=f"Search: {query}",
        )
    )
    if not hits:
        doc.add(Lines([f"nothing matches {query!r}"]))
    return doc


def sources_doc(rows: list[Record], as_of: str) -> Doc:
    doc = Doc([Heading(f"Sources ({len(rows)}); fact base current to {as_of}")])
    doc.add(
        Table(
            ["source", "title", "kind", "where", "cited by"],
            [
                [
                    s["id"],
                    s["title"],
                    words(s["kind"]),
                    s.get("url") or f"seed file {s['seed_file']}",
                    str(len(s["cited_by"])),
                ]
                for s in rows
            ],
        )
    )
    return doc


def evidence_doc(result: Record) -> Doc:
    doc = Doc([Heading(f"Evidence for {result['name']}")])
    doc.add(
        Table(
            ["field", "source", "quote / note", "where"],
            [
                [e["field"], e["source"], e.get("quote") or e.get("note") or "", e.get("where") or ""]
                for e in result["evidence"]
            ],
        )
    )
    return doc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "currency" in value:
        return fmt_money(value)
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return words(str(value)) if isinstance(value, str) and "_" in value and " " not in value else str(value)


def compare_doc(result: Record) -> Doc:
    names = [p["name"] for p in result["products"]]
    return Doc(
        [
            Table(
                ["", *names],
                [[row["field"], *(_cell(v) for v in row["values"])] for row in result["rows"]],
                title="Comparison",
            )
        ]
    )


def comparison_rows(result: Record) -> list[Record]:
    ids = [p["id"] for p in result["products"]]
    return [
        {"field": row["field"], **{pid: _cell(v) for pid, v in zip(ids, row["values"], strict=True)}}
        for row in result["rows"]
    ]


def _low_high(money: Record) -> tuple[float, float | None]:
    """A bar's extent, in the money's own unit (its currency and scale, as the chart's unit says)."""
    return money["low"], money.get("high")


def costs_chart_doc(result: Record) -> Doc:
    doc = Doc()
    doc.add(
        Bars(
            "Seed cost table: therapy cost by country",
            "USD",
            [
                (c["name"] + (" (disputed)" if c["disputed"] else ""), *_low_high(c["therapy_cost"]), "", False)
                for c in result["countries"]
            ],
        )
    )
    by_unit: dict[str, list[tuple[str, float, float | None, str, bool]]] = {}
    for claim in result["prices"]:
        price = claim["price"]
        unit = price["currency"] + _scale(price)
        label = claim.get("product_name") or claim["subject"]
        label = label.split(" (")[0] + f" — {words(claim['basis'])}"
        note = _QUALIFIER.get(price.get("qualifier", "exactly"), "").strip()
        if claim["disputed"]:
            note = (note + " disputed").strip()
        by_unit.setdefault(unit, []).append((label, *_low_high(price), note, False))
    for unit, items in by_unit.items():
        doc.add(Bars(f"Price claims in {unit} (each in its own currency; never converted)", unit, items))
    return doc


def market_chart_doc(result: Record) -> Doc:
    doc = Doc()
    groups: dict[tuple[str, str], list[tuple[str, float, float | None, str, bool]]] = {}
    for figure in result["figures"]:
        value = figure["value"]
        unit = value["currency"] + _scale(value)
        note = "projection" if figure["status"] == "projection" else ""
        if figure["disputed"]:
            note = (note + " disputed").strip()
        groups.setdefault((figure["market"], unit), []).append(
            (str(figure["year"]), *_low_high(value), note, figure["status"] == "projection")
        )
    for (market, unit), items in groups.items():
        shaded = "; projections shaded" if any(projected for *_, projected in items) else ""
        doc.add(Bars(f"{market} ({unit}{shaded})", unit, items))
    return doc


def timeline_chart_doc(result: Record) -> Doc:
    per_year: dict[str, int] = {}
    undated = 0
    for event in result["events"]:
        if event["regulator"] != "NMPA":
            continue
        if event.get("date"):
            per_year[event["date"][:4]] = per_year.get(event["date"][:4], 0) + 1
        else:
            undated += 1
    doc = Doc()
    if per_year:
        years = range(int(min(per_year)), int(max(per_year)) + 1)
        doc.add(
            Bars(
                "NMPA events per year",
                "events",
                [(str(y), float(per_year.get(str(y), 0)), None, "", False) for y in years],
            )
        )
    if undated:
        doc.add(Lines([f"{undated} event(s) with no confirmed date are not in the chart"]))
    if not per_year and not undated:
        doc.add(Lines(["no events match these filters"]))
    return doc


# ---- writing ---------------------------------------------------------------------------------


def write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def flatten(row: Record) -> Record:
    """One level of keys for CSV: nested objects become 'a.b', lists are joined with '; '."""
    flat: Record = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for sub, item in flatten(value).items():
                flat[f"{key}.{sub}"] = item
        elif isinstance(value, list):
            flat[key] = "; ".join(
                item["source"]
                if isinstance(item, dict) and "source" in item
                else f"{item['kind']}:{item['id']}"
                if isinstance(item, dict) and {"kind", "id"} <= set(item)
                else json.dumps(item, ensure_ascii=False)
                if isinstance(item, (dict, list))
                else str(item)
                for item in value
            )
        else:
            flat[key] = value
    return flat


def write_csv(rows: list[Record]) -> None:
    """RFC 4180 via the csv module: a header of every key seen, in order of first appearance."""
    import csv

    flat = [flatten(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat)


def write_jsonl(rows: list[Record]) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_text(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


SHORT_COLUMN = 12
MIN_TEXT_COLUMN = 14
LONGEST_WORD = 30


def _use_rich() -> bool:
    if os.environ.get("CARTQ_PLAIN"):
        return False
    return sys.stdout.isatty()


def render(doc: Doc) -> None:
    if _use_rich():
        _render_rich(doc)
    else:
        sys.stdout.write(render_plain(doc))


def render_plain(doc: Doc) -> str:
    out: list[str] = []
    for block in doc.blocks:
        if out:
            out.append("")
        if isinstance(block, Heading):
            out.append(block.text)
            continue
        if getattr(block, "title", None):
            out.append(f"{block.title}:")
        if isinstance(block, Bars):
            out += [line.rstrip() for line in bar_lines(block, _plain_width())]
            continue
        if isinstance(block, Fields):
            width = max(len(k) for k, v in block.pairs if v)
            out += [f"  {k.ljust(width)}  {v}" for k, v in block.pairs if v]
        elif isinstance(block, Lines):
            out += [f"  {line}" for line in block.lines]
        elif isinstance(block, Table):
            out += _plain_table(block)
    return "\n".join(out) + "\n"


def _plain_width() -> int:
    try:
        return max(40, int(os.environ.get("COLUMNS", "100")))
    except ValueError:
        return 100


def _amount_short(value: float) -> str:
    return _amount(value) if value < 10_000 else f"{value:,.0f}"


def bar_lines(block: Bars, width: int) -> list[str]:
    """'label  ████████▒▒▒  value note' lines; a range is solid to its low end, shaded to its high end."""
    labels = [label for label, *_ in block.items]
    values = [
        (f"{_amount_short(low)}–{_amount_short(high)}" if high is not None and high != low else _amount_short(low))
        + (f" {note}" if note else "")
        for _, low, high, note, _ in block.items
    ]
    label_width = min(max(map(len, labels)), 46)
    value_width = max(map(len, values))
    room = max(10, width - label_width - value_width - 6)
    top = max((high if high is not None else low) for _, low, high, _, _ in block.items) or 1.0
    lines = []
    for (label, low, high, _, projected), value in zip(block.items, values, strict=True):
        solid = max(1, round(room * low / top)) if low > 0 else 0
        extra = round(room * (high or low) / top) - solid if high is not None else 0
        bar = ("▒" if projected else "█") * solid + "░" * max(0, extra)
        shown = label if len(label) <= label_width else label[: label_width - 1] + "…"
        lines.append(f"  {shown.ljust(label_width)}  {bar.ljust(room)}  {value}")
    return lines


def _plain_table(table: Table) -> list[str]:
    """Aligned columns, no borders; a cell never holds a tab or newline."""
    cells = [[" ".join(str(c).split()) for c in row] for row in table.rows]
    keep = [i for i in range(len(table.columns)) if any(row[i] for row in cells)]
    header = [table.columns[i] for i in keep]
    body = [[row[i] for i in keep] for row in cells]
    widths = [max(len(h), *(len(r[j]) for r in body)) for j, h in enumerate(header)]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    return lines


def _render_rich(doc: Doc) -> None:
    from rich.console import Console, Group
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    console = Console(highlight=False, emoji=False, markup=False, no_color=bool(os.environ.get("NO_COLOR")) or None)
    parts: list[object] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts.append(Text(block.text, style="bold"))
            continue
        parts.append(Text(""))
        if block.title:
            parts.append(Text(block.title, style="bold"))
        if isinstance(block, Fields):
            grid = RichTable.grid(padding=(0, 2))
            grid.add_column(style="cyan", no_wrap=True)
            grid.add_column(overflow="fold")
            for key, value in block.pairs:
                if value:
                    grid.add_row(key, Text(value))
            parts.append(Padding(grid, (0, 0, 0, 2)))
        elif isinstance(block, Lines):
            parts.extend(Padding(Text(line, style=block.style), (0, 0, 0, 2)) for line in block.lines)
        elif isinstance(block, Bars):
            parts.append(Text(f"{block.unit}", style="dim"))
            parts.extend(Text(line, style="green") for line in bar_lines(block, console.width))
        else:
            parts.append(_rich_table(block, console.width))
    console.print(Group(*parts))  # type: ignore[arg-type]


def _rich_table(block: Table, width: int) -> object:
    """A table that fits `width` without cropping: short columns stay on one line, text columns
    wrap by word; when even that cannot fit, each row becomes a small block of 'column  value' lines.
    """
    from rich import box
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    keep = [i for i in range(len(block.columns)) if any(row[i] for row in block.rows)]
    # Judge columns by their values: a long header may wrap, a short date may not. A text column is
    # never narrower than its longest word (up to LONGEST_WORD), so wrapping does not split words.
    longest = {i: max(len(str(row[i])) for row in block.rows) for i in keep}
    minimum = {
        i: longest[i]
        if longest[i] <= SHORT_COLUMN
        else min(
            max(min(MIN_TEXT_COLUMN, longest[i]), *(len(w) for row in block.rows for w in str(row[i]).split())),
            LONGEST_WORD,
        )
        for i in keep
    }
    needed = sum(minimum.values()) + 3 * len(keep)
    if needed > width:
        grid = RichTable.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column(overflow="fold")
        for number, row in enumerate(block.rows):
            if number:
                grid.add_row("", "")
            for i in keep:
                if row[i]:
                    grid.add_row(block.columns[i], Text(str(row[i])))
        return Padding(grid, (0, 0, 0, 2))
    table = RichTable(box=box.SIMPLE_HEAD, header_style="bold cyan", pad_edge=False)
    for i in keep:
        if longest[i] <= SHORT_COLUMN:
            table.add_column(block.columns[i], no_wrap=True)
        else:
            table.add_column(block.columns[i], overflow="fold", min_width=minimum[i])
    for row in block.rows:
        table.add_row(*(Text(str(row[i])) for i in keep))
    return table
