"""The listings of every kind with a listing command: compact at 80 columns, more with --wide."""

from __future__ import annotations

from cartq import enums
from cartq.dates import first_approval_date
from cartq.enums import label
from cartq.render.blocks import Doc, Table
from cartq.render.fmt import (
    joined,
)
from cartq.render.parts import short_product, status_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cartq.records import Record


def listing_doc(kind: str, rows: list[Record], wide: bool = False) -> Doc:
    """A table of every record of a kind that fits 80 columns: the name once (a product's INN and
    brands are in its name), and the columns people scan; `wide` adds the rest."""
    if kind == "product":
        columns = ["product", "target", "company", "status", "first approval"]
        if wide:
            columns[1:1] = ["INN", "brand"]
        table = Table(
            columns,
            [
                [
                    r["name"],
                    *([r.get("inn") or "", joined(r["brand_names"] + r["chinese_brand_names"])] if wide else []),
                    joined(r["targets"]),
                    joined(r["companies"]),
                    status_text(r),
                    first_approval_date(r),
                ]
                for r in rows
            ],
            title="CAR-T products (by first NMPA approval)",
        )
    elif kind == "company":
        table = Table(
            ["company", "kind", "headquarters", "products"],
            [
                [
                    r["name"],
                    label(enums.CompanyKind, r["kind"]),
                    r.get("headquarters") or "",
                    joined(r["products"] if wide else [short_product(p) for p in r["products"]]),
                ]
                for r in rows
            ],
            title="Companies and institutions",
        )
    elif kind == "target":
        table = Table(
            ["target", "full name", "products", "trials/programmes"],
            [
                [
                    r["name"],
                    r.get("full_name") or "",
                    joined(r["products"] if wide else [short_product(p) for p in r["products"]]),
                    str(r["studies"]),
                ]
                for r in rows
            ],
            title="Targets",
        )
    elif kind == "indication":
        table = Table(
            ["indication", "abbreviations", "category", "approved products"],
            [
                [
                    r["name"],
                    joined(r["abbreviations"]),
                    label(enums.IndicationCategory, r["category"]),
                    joined(r["approved_products"] if wide else [short_product(p) for p in r["approved_products"]]),
                ]
                for r in rows
            ],
            title="Indications",
        )
    else:
        table = Table(
            ["term", "category", "definition"],
            [[r["name"], label(enums.GlossaryCategory, r["category"]), r["definition"]] for r in rows],
            title="Glossary",
        )
    return Doc([table])
