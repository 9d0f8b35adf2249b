"""`cartq export csv DIR`: one RFC 4180 CSV per table of the relational export (cartq.export.schema),
plus a Frictionless `datapackage.json` describing every file: fields with name, type, description
(enum values with labels), primary key and foreign keys.

Every CSV: Python's csv module, comma-separated, `"`-quoted when needed, CRLF line ends, UTF-8
(`bom=True` adds a UTF-8 byte-order mark, so spreadsheets read Chinese text correctly), one header
row with the column names. An empty cell is a missing value. Booleans are `true`/`false`, money an
exact decimal (scale applied), dates ISO `YYYY-MM-DD`.

Formula injection: a text cell that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or `'`
gets one `'` put in front, so no spreadsheet runs it as a formula; to read the original value back,
drop one leading `'` from a text cell that begins with one (the `'` case makes that reversible).
Numeric columns (integer, number: money and other amounts such as -1.5) are never prefixed.

DIR may be absent, empty or an earlier cartq CSV export (a directory with a cartq datapackage.json and
only the files it lists); it is built as a temporary directory beside DIR and swapped into place.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path  # noqa: TID253
from typing import Any  # noqa: TID253

from cartq.csv_cells import FORMULA_PREFIX, boolean, neutralise, number
from cartq.export.files import FORMAT, FORMAT_VERSION, ExportResult, check_target, is_csv_export, temp_dir
from cartq.export.schema import build_schema, header_fields
from cartq.export.tables import FRICTIONLESS_TYPE, Column, Schema, Table
from cartq.export.walk import enum_label


def cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "boolean":
        return boolean(value)
    if column.type in ("integer", "decimal"):
        return str(value)
    if column.type == "real":
        return number(float(value))
    return neutralise(str(value))


def write_table(table: Table, data: dict[str, Any], path: Path, bom: bool = False) -> int:
    columns = table.all_columns
    count = 0
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([column.name for column in columns])
        for row in table.rows(data):
            writer.writerow([cell(column, value) for column, value in zip(columns, row, strict=True)])
            count += 1
    return count


def field_descriptor(column: Column, table: Table) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "name": column.name,
        "type": FRICTIONLESS_TYPE[column.type],
        "description": column.description,
    }
    if column.type == "boolean":
        descriptor["trueValues"] = ["true"]
        descriptor["falseValues"] = ["false"]
    if column.type == "decimal":
        descriptor["decimalChar"] = "."
    constraints: dict[str, Any] = {}
    if column.name in table.primary_key:
        constraints["required"] = True
    if column.enum is not None:
        constraints["enum"] = [member.value for member in column.enum]
        descriptor["cartq:labels"] = {member.value: enum_label(member) for member in column.enum}
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def resource(table: Table, bom: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [field_descriptor(column, table) for column in table.all_columns],
        "missingValues": [""],
        "primaryKey": table.primary_key,
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": columns, "reference": {"resource": other, "fields": other_columns}}
            for columns, other, other_columns in table.foreign_keys
        ]
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": table.name,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {
            "delimiter": ",",
            "lineTerminator": "\r\n",
            "quoteChar": '"',
            "doubleQuote": True,
            "header": True,
        },
        "schema": schema,
    }


def datapackage(schema: Schema, data: dict[str, Any], bom: bool = False) -> dict[str, Any]:
    from cartq import __version__
    from cartq.export.datasette import describe, package_license

    header = header_fields(data)
    return {
        "profile": "tabular-data-package",
        "name": "cartq-facts",
        "title": str(header.get("title") or "cartq fact base"),
        "description": describe(data)
        + f" Text cells that begin with = + - @ tab CR or ' carry one extra leading {FORMULA_PREFIX} "
        "(formula-injection guard); drop it to read the value back.",
        "version": str(header.get("as_of")),
        "licenses": [{"name": package_license()}],
        "sources": [{"title": f"cartq fact base, as of {header.get('as_of')}"}],
        "cartq_format": FORMAT,
        "cartq_format_version": FORMAT_VERSION,
        "cartq_version": __version__,
        "as_of": str(header.get("as_of")),
        "cartq_formula_prefix": FORMULA_PREFIX,
        "cartq_bom": bom,
        "resources": [resource(table, bom) for table in schema.tables],
    }


def export_csv(
    validated: Any, directory: str | Path, *, bom: bool = False, fact_base: str | Path | None = None
) -> ExportResult:
    """Write one CSV per table and a datapackage.json into `directory` (see the module docstring).

    Raises UsageError when `directory` exists and is neither empty nor an earlier cartq CSV export,
    is a file, or its parent is missing.
    """
    import json

    from cartq.errors import UsageError

    directory = Path(directory)
    base = Path(fact_base) if fact_base is not None else None
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a directory", hint="give a directory for the CSV files")
    if directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()  # empty: replaced by the new one
    check_target(directory, is_csv_export, "CSV", base)
    data = validated.data
    schema = build_schema()
    counts: dict[str, int] = {}
    with temp_dir(directory) as temp:
        for table in schema.tables:
            counts[table.name] = write_table(table, data, temp / f"{table.name}.csv", bom)
        package = datapackage(schema, data, bom)
        buffer = io.StringIO()
        json.dump(package, buffer, ensure_ascii=False, indent=2)
        (temp / "datapackage.json").write_text(buffer.getvalue() + "\n", encoding="utf-8")
    return ExportResult(
        [directory / f"{table.name}.csv" for table in schema.tables] + [directory / "datapackage.json"], counts
    )
