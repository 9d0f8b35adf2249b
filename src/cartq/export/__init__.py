"""Exports of the whole validated fact base: SQLite (with datasette metadata), CSV (with a
Frictionless data package) and JSON (with its JSON Schema). The relational shape and the
encodings are described in cartq.export.schema.
"""

from __future__ import annotations

from cartq.export.csv_export import export_csv
from cartq.export.files import ExportResult
from cartq.export.json_export import export_json
from cartq.export.sqlite import export_sqlite

# `cartq export FORMAT TARGET`: each takes (validated, target, ...) and returns an ExportResult.
EXPORTERS = {"sqlite": export_sqlite, "csv": export_csv, "json": export_json}

__all__ = ["EXPORTERS", "ExportResult", "export_csv", "export_json", "export_sqlite"]
