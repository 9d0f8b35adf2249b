"""`cartq export json PATH`: the whole validated fact base as one JSON document (UTF-8, not
ASCII-escaped), with the JSON Schema it validates against embedded:

    {"format": "cartq-export", "format_version": 1, "cartq_version": ..., "title": ..., "as_of": ...,
     "schema": <FactBase JSON Schema>, "data": <the fact base, one list per section>}

`data` is exactly what `cartq schema` describes (`FactBase.model_validate(document["data"])` accepts
it); money stays as the fact base holds it (a number and its scale), unlike the tabular exports.
PATH may be absent, empty or an earlier cartq JSON export; anything else is refused.
"""

from __future__ import annotations

from pathlib import Path  # noqa: TID253
from typing import Any  # noqa: TID253

from cartq.export.files import FORMAT, FORMAT_VERSION, ExportResult, check_target, is_json_export, write_json
from cartq.export.schema import header_fields


def json_document(validated: Any) -> dict[str, Any]:
    from cartq import __version__
    from cartq.factbase.models import fact_base_schema

    header = header_fields(validated.data)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "cartq_version": __version__,
        "title": header.get("title"),
        "as_of": header.get("as_of"),
        "schema": fact_base_schema(),
        "data": validated.data,
    }


def export_json(validated: Any, path: str | Path, *, fact_base: str | Path | None = None) -> ExportResult:
    """Write the document above to `path` (temp file, then rename). Raises UsageError when `path`
    exists and is not an earlier cartq JSON export, is the fact base, or its directory is missing.
    """
    path = Path(path)
    check_target(path, is_json_export, "JSON", Path(fact_base) if fact_base is not None else None)
    document = json_document(validated)
    write_json(path, document)
    return ExportResult(
        [path], {section: len(value) for section, value in validated.data.items() if isinstance(value, list)}
    )
