"""`cartq export sqlite PATH`: the fact base as a normalised SQLite database, with a datasette
metadata.json beside it. Tables, columns and encodings: see cartq.export.schema.

Besides the tables derived from the models, the database holds:

- `search`: an FTS5 index (trigram tokenizer: substring matches in any script, Chinese included,
  for queries of three characters or more) over each record's names and all its text, rowid =
  `records.rowid`. `SELECT r.* FROM search JOIN records r ON r.rowid = search.rowid WHERE search MATCH 'bcma'`.
- Views: `approved_products` (each product with an NMPA approval, and its first one),
  `price_claims` (every price with each source that gives it), `disputed_claims` (every disputed
  claim with who claimed it, the correction and who corrects it).
- `export_info`: key/value rows (format, cartq version, the fact base's title, as_of, ...).
- With a registry, its tables copied in as `registry_<table>`.

The file is built under a temporary name beside PATH and renamed into place. PATH may be absent,
empty or an earlier cartq export (recognised by `PRAGMA application_id`); anything else is refused.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path  # noqa: TID253
from typing import Any  # noqa: TID253

from cartq.enums import EventKind, Regulator
from cartq.errors import FactBaseError, RegistryError, UsageError
from cartq.export.files import (
    APPLICATION_ID,
    ExportResult,
    check_target,
    is_datasette_metadata,
    is_sqlite_export,
    temp_file,
)
from cartq.export.schema import build_schema, header_fields
from cartq.export.tables import SQL_TYPE, Schema, Table
from cartq.kinds import KINDS
from cartq.records import names_of


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(table: Table) -> str:
    lines = [f"{_quote(c.name)} {SQL_TYPE[c.type]}" for c in table.all_columns]
    lines.append(f"PRIMARY KEY ({', '.join(map(_quote, table.primary_key))})")
    for columns, other, other_columns in table.foreign_keys:
        lines.append(
            f"FOREIGN KEY ({', '.join(map(_quote, columns))}) "
            f"REFERENCES {_quote(other)} ({', '.join(map(_quote, other_columns))})"
        )
    return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


# ---- views ----------------------------------------------------------------------------------

_APPROVALS = f"'{EventKind.approved.value}', '{EventKind.approval_reported.value}'"

VIEWS: dict[str, tuple[str, str]] = {
    "approved_products": (
        "Every product with an NMPA approval (or one a weak source reports), with its first such "
        "event: date, precision, indication; and its companies",
        f"""
SELECT p.id AS product, p.name, p.inn, p.status, p.cell_source,
       e.date AS first_approval, e.date_precision AS first_approval_precision,
       e.kind AS first_approval_kind, e.indication AS first_indication,
       e.indication_detail AS first_indication_detail, e.id AS first_approval_event,
       (SELECT count(*) FROM events a WHERE a.product = p.id AND a.regulator = '{Regulator.NMPA.value}'
          AND a.kind IN ({_APPROVALS})) AS nmpa_approvals,
       (SELECT group_concat(c.name || ' (' || pc.role || ')', '; ') FROM product_companies pc
          JOIN companies c ON c.id = pc.company WHERE pc.product_id = p.id) AS companies
FROM products p
JOIN events e ON e.id = (
    SELECT f.id FROM events f
    WHERE f.product = p.id AND f.regulator = '{Regulator.NMPA.value}' AND f.kind IN ({_APPROVALS})
    ORDER BY f.date IS NULL, f.date, f.kind <> '{EventKind.approved.value}', f.id LIMIT 1)
ORDER BY e.date IS NULL, e.date, p.name""",
    ),
    "price_claims": (
        "Every price claim with each source that gives it (one row per claim and citation): amounts "
        "are exact decimals in whole units of price_currency, scale already applied",
        """
SELECT pr.id AS price, pr.subject, pr.product, pr.country, pr.basis,
       pr.price_currency AS currency, pr.price_low AS low, pr.price_high AS high,
       pr.price_qualifier AS qualifier, pr.price_scale AS stated_scale,
       pr.date, pr.date_precision, pr.confidence,
       ci.source, s.title AS source_title, s.url AS source_url, s.reliability AS source_reliability,
       ci.quote, ci.note AS citation_note
FROM prices pr
JOIN citations ci ON ci.record_kind = 'price' AND ci.record_id = pr.id
JOIN sources s ON s.id = ci.source
ORDER BY pr.price_currency, pr.id, ci.path, ci.position""",
    ),
    "disputed_claims": (
        "Every disputed claim: what was claimed and by which sources, the correction and the sources "
        "for it, and the records it is about",
        """
SELECT d.id AS dispute, d.claim,
       (SELECT group_concat(ci.source, '; ') FROM citations ci
          WHERE ci.record_kind = 'dispute' AND ci.record_id = d.id AND ci.path = 'claimed_by') AS claimed_by,
       d.correction,
       (SELECT group_concat(ci.source, '; ') FROM citations ci
          WHERE ci.record_kind = 'dispute' AND ci.record_id = d.id AND ci.path = 'corrected_by') AS corrected_by,
       (SELECT group_concat(ci.quote, ' | ') FROM citations ci
          WHERE ci.record_kind = 'dispute' AND ci.record_id = d.id AND ci.path = 'corrected_by') AS correction_quotes,
       (SELECT group_concat(a.kind || ':' || a.id, '; ') FROM dispute_about a WHERE a.dispute_id = d.id) AS about
FROM disputes d
ORDER BY d.id""",
    ),
}


# ---- full text ------------------------------------------------------------------------------


def _strings(value: Any, skip: frozenset[str] = frozenset({"source", "id"})) -> list[str]:
    if type(value) is str:
        return [value]
    if type(value) is list:
        return [s for item in value for s in _strings(item, skip)]
    if type(value) is dict:
        return [s for key, item in value.items() if key not in skip for s in _strings(item, skip)]
    return []


def _search_rows(data: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for spec in KINDS:
        for record in data.get(spec.section) or ():
            names = names_of(spec.kind, record)
            text = [s for s in _strings(record) if s not in names]
            rows.append((spec.kind, record["id"], "\n".join(names), "\n".join(text)))
    return rows


# ---- building -------------------------------------------------------------------------------


def _fill(connection: sqlite3.Connection, schema: Schema, data: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in schema.tables:
        connection.execute(create_table_sql(table))
        marks = ", ".join("?" * len(table.all_columns))
        rows = list(table.rows(data))
        connection.executemany(f"INSERT INTO {_quote(table.name)} VALUES ({marks})", rows)
        counts[table.name] = len(rows)
    for table in schema.tables:  # the child tables' owner keys, for joins
        if table.parent is not None:
            owner = [c.name for c in table.key[:-1]]
            owner_sql = ", ".join(map(_quote, owner))
            connection.execute(f"CREATE INDEX {_quote(table.name + '_owner')} ON {_quote(table.name)} ({owner_sql})")
        for columns, _other, _cols in table.foreign_keys:
            if table.parent is not None and columns == [c.name for c in table.key[:-1]]:
                continue
            connection.execute(
                f"CREATE INDEX {_quote(table.name + '_' + '_'.join(columns))} "
                f"ON {_quote(table.name)} ({', '.join(map(_quote, columns))})"
            )
    connection.execute(
        "CREATE VIRTUAL TABLE search USING fts5(kind UNINDEXED, id UNINDEXED, names, text, tokenize='trigram')"
    )
    connection.executemany(
        "INSERT INTO search (rowid, kind, id, names, text) "
        "SELECT r.rowid, ?, ?, ?, ? FROM records r WHERE r.kind = ? AND r.id = ?",
        [(*row, row[0], row[1]) for row in _search_rows(data)],
    )
    for name, (_description, sql) in VIEWS.items():
        connection.execute(f"CREATE VIEW {_quote(name)} AS {sql.strip()}")
    return counts


def _export_info(data: dict[str, Any], extra: dict[str, str]) -> list[tuple[str, str]]:
    from cartq import __version__
    from cartq.export.files import FORMAT, FORMAT_VERSION

    info = {"format": FORMAT, "format_version": str(FORMAT_VERSION), "cartq_version": __version__}
    info.update({key: str(value) for key, value in header_fields(data).items()})
    info.update(extra)
    return sorted(info.items())


_REFERENCES = re.compile(r'REFERENCES\s+("(?:[^"]|"")+"|[\w$]+)', re.IGNORECASE)
_CREATE_TABLE = re.compile(r'^\s*CREATE\s+TABLE\s+(?:"(?:[^"]|"")+"|\[[^\]]+\]|`[^`]+`|[\w$]+)', re.IGNORECASE)


def _copy_registry(connection: sqlite3.Connection, registry: Path) -> dict[str, int]:
    """Copy every ordinary table of the registry database in as registry_<name>, keeping its declared
    columns and keys (indexes, triggers and virtual tables are left behind).
    """
    if not is_sqlite(registry):
        raise UsageError(f"registry {registry} is not a SQLite database")
    uri = "file:" + str(registry.resolve()).replace("?", "%3f").replace("#", "%23") + "?mode=ro"
    connection.execute("ATTACH DATABASE ? AS registry", (uri,))
    try:
        return _copy_attached(connection)
    except sqlite3.Error as exc:
        raise RegistryError(f"cannot copy the registry {registry}: {exc}", hint="rebuild the registry") from None
    finally:
        connection.commit()
        connection.execute("DETACH DATABASE registry")


def _copy_attached(connection: sqlite3.Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    tables = connection.execute(
        "SELECT name, sql FROM registry.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
    ).fetchall()
    shadow = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM registry.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
    }
    for name, sql in tables:
        if any(name.startswith(f"{v}_") for v in shadow):
            continue  # an FTS shadow table
        new = f"registry_{name}"
        # Keys among registry tables point at the prefixed copies.
        body = _CREATE_TABLE.sub(f"CREATE TABLE {_quote(new)}", sql, count=1)
        body = _REFERENCES.sub(lambda m: "REFERENCES " + _quote("registry_" + m.group(1).strip('"')), body)
        connection.execute(body)
        connection.execute(f"INSERT INTO {_quote(new)} SELECT * FROM registry.{_quote(name)}")
        counts[new] = connection.execute(f"SELECT count(*) FROM {_quote(new)}").fetchone()[0]
    return counts


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def export_sqlite(
    validated: Any,
    path: str | Path,
    registry_path: str | Path | None = None,
    *,
    metadata_path: str | Path | None = None,
    fact_base: str | Path | None = None,
    source_url: str | None = None,
    license: str | None = None,
    license_url: str | None = None,
) -> ExportResult:
    """Write the validated fact base (`load_checked(...)`) to a new SQLite database at `path`, and a
    datasette metadata.json at `metadata_path` (default `<path>.metadata.json`).

    Raises UsageError when `path` or the metadata path exists and is not an earlier cartq export,
    is the fact base (`fact_base`), or its directory is missing; FactBaseError if the data breaks a
    foreign key (a fact base that passed its checks never does).
    """
    from cartq.export.datasette import datasette_metadata
    from cartq.export.files import write_json

    path = Path(path)
    meta_path = Path(metadata_path) if metadata_path is not None else path.with_name(path.name + ".metadata.json")
    base = Path(fact_base) if fact_base is not None else None
    check_target(path, is_sqlite_export, "SQLite", base)
    check_target(meta_path, is_datasette_metadata, "datasette metadata", base)
    if meta_path.resolve() == path.resolve():
        raise UsageError("the metadata path is the database path")
    registry = Path(registry_path) if registry_path is not None else None
    if registry is not None and not registry.is_file():
        raise UsageError(f"registry {registry} not found")

    data = validated.data
    schema = build_schema()
    with temp_file(path) as temp:
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute("BEGIN")
            counts = _fill(connection, schema, data)
            registry_counts: dict[str, int] = {}
            connection.execute("CREATE TABLE export_info (key TEXT PRIMARY KEY, value TEXT)")
            info = _export_info(data, {"registry": "yes" if registry else "no"})
            connection.executemany("INSERT INTO export_info VALUES (?, ?)", info)
            connection.execute("COMMIT")
            if registry is not None:
                registry_counts = _copy_registry(connection, registry)
            problems = connection.execute("PRAGMA foreign_key_check").fetchall()
            if any(table.startswith("registry_") for table, *_ in problems):
                raise RegistryError(
                    f"the registry {registry} breaks its own foreign keys",
                    hint="rebuild the registry",
                )
            if problems:
                raise FactBaseError(
                    f"the export breaks {len(problems)} foreign key(s)",
                    problems=[f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in problems[:20]],
                )
            connection.execute("PRAGMA optimize")
        finally:
            connection.close()
    counts.update(registry_counts)
    metadata = datasette_metadata(
        schema,
        data,
        path.stem,
        views=VIEWS,
        registry_tables=sorted(registry_counts),
        source_url=source_url,
        license=license,
        license_url=license_url,
    )
    write_json(meta_path, metadata)
    return ExportResult([path, meta_path], counts)
