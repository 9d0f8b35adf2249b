"""The JSON Schema of --json output (temporary home while results become typed)."""

from __future__ import annotations

from cartq.factbase.models import FactBase


def output_schema() -> dict[str, object]:
    """The shapes `--json` prints, one $defs entry per command; records reuse the fact-base definitions."""
    base = FactBase.model_json_schema()
    defs: dict[str, object] = dict(base.get("$defs", {}))

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/$defs/{name}"}

    def array(item: object) -> dict[str, object]:
        return {"type": "array", "items": item}

    def obj(required: dict[str, object]) -> dict[str, object]:
        return {"type": "object", "required": list(required), "properties": required}

    for kind, model in (
        ("Product", "Product"),
        ("Company", "Company"),
        ("Target", "Target"),
        ("Indication", "Indication"),
        ("Term", "Term"),
    ):
        defs[f"{kind}Lookup"] = obj(
            {
                "kind": {"type": "string"},
                "record": ref(model),
                "related": {"type": "object"},
                "disputes": array(ref("DisputedClaim")),
                "sources": array(ref("Source")),
            }
        )
    defs["Listing"] = array({"type": "object", "required": ["id", "name"]})
    defs["Trials"] = obj(
        {
            "filters": {"type": "object"},
            "studies": array(ref("Study")),
            "counts": array(ref("CountFigure")),
            "disputes": array(ref("DisputedClaim")),
            "sources": array(ref("Source")),
        }
    )
    defs["Timeline"] = obj(
        {"filters": {"type": "object"}, "events": array(ref("RegulatoryEvent")), "sources": array(ref("Source"))}
    )
    defs["Costs"] = obj(
        {
            "countries": array(ref("CountryCost")),
            "prices": array(ref("PriceClaim")),
            "disputes": array(ref("DisputedClaim")),
            "sources": array(ref("Source")),
        }
    )
    defs["Market"] = obj(
        {
            "figures": array(ref("MarketFigure")),
            "growth": array(ref("GrowthRate")),
            "disputes": array(ref("DisputedClaim")),
            "sources": array(ref("Source")),
        }
    )
    defs["SearchHits"] = array(
        obj(
            {
                "kind": {"type": "string"},
                "id": {"type": "string"},
                "name": {"type": "string"},
                "match": {"type": "string"},
                "score": {"type": "number"},
            }
        )
    )
    defs["Sources"] = array(ref("Source"))
    defs["Validation"] = obj(
        {"path": {"type": "string"}, "valid": {"type": "boolean"}, "problems": array({"type": "string"})}
    )
    names = [n for n in defs if n.endswith("Lookup")] + [
        "Listing",
        "Trials",
        "Timeline",
        "Costs",
        "Market",
        "SearchHits",
        "Sources",
        "Validation",
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cartq --json output",
        "description": (
            "Lookups print an object, listings an array ([] when empty). Keys may be added in later versions; "
            "none are removed."
        ),
        "anyOf": [ref(n) for n in names],
        "$defs": defs,
    }
