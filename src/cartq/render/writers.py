"""Writing to stdout: JSON, JSON Lines, CSV and text. JSON goes straight to stdout, never
through Rich (which wraps and reads markup).
"""

from __future__ import annotations

import json
import sys

from cartq.csv_cells import cell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    Record = dict[str, Any]


def write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_json_array(rows: Iterable[Any]) -> None:
    """A JSON array written item by item as the rows come, byte for byte what write_json writes
    for the same list: a listing of 100,000 records never exists whole as one string."""
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    write = sys.stdout.write
    first = True
    for row in rows:
        write(("[\n  " if first else ",\n  ") + encode(row).replace("\n", "\n  "))
        first = False
    write("[]\n" if first else "\n]\n")


def flatten(row: Record, prefix: str = "") -> Record:
    """One level of keys for CSV, by one rule: a nested field is `parent_field` (as in `cartq
    export`); a list is joined with '; ' (citations as their source ids, references as kind:id)."""
    flat: Record = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}_"))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(_listed(item)) for item in value)
        else:
            flat[name] = cell(value)
    return flat


def _listed(item: Any) -> Any:
    if isinstance(item, dict) and "source" in item:
        return item["source"]
    if isinstance(item, dict) and {"kind", "id"} <= set(item):
        return f"{item['kind']}:{item['id']}"
    if isinstance(item, (dict, list)):
        return json.dumps(item, ensure_ascii=False)
    return cell(item)


def write_csv(rows: list[Record], bom: bool = False) -> None:
    """RFC 4180 via the csv module: a header of every key seen, in order of first appearance."""
    import csv

    flat = [flatten(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    if bom:
        sys.stdout.write("\ufeff")
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat)


def write_jsonl(rows: Iterable[Record]) -> None:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    write = sys.stdout.write
    for row in rows:
        write(encode(row) + "\n")


def write_text(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
