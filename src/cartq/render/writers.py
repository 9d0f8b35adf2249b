"""Writing to stdout: JSON, JSON Lines, CSV and text. JSON goes straight to stdout, never
through Rich (which wraps and reads markup).
"""

from __future__ import annotations

import json
import sys
from typing import Any

Record = dict[str, Any]


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
