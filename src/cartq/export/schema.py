"""The relational shape of the fact base, derived from the pydantic models and the kind registry.

Nothing here names a kind or a field: every table and column comes from walking each kind's model
(`model_fields` and their annotations), so a field or kind added to the models appears in every
export with no edit here. The rules, one for every table:

- A record kind is a table named after its section in the fact base (`products`, `glossary`), with
  the record's `id` as primary key.
- A column is named by its field path with `.` as `_`: a nested object (a product's `car_construct`,
  a price's `price`) becomes prefixed columns (`car_construct_binder`, `price_currency`).
- A list becomes a child table `<kind>_<field path>` (`product_brand_names`, `product_companies`)
  keyed by its owner (`<kind>_id`, then `<field>_position` for each list above it) and `position`
  (0-based, the order in the fact base). A list of scalars holds them in `value`; a list of objects
  holds their fields as columns.
- A reference (the kind registry's `references`) is a foreign key to the referenced kind's `id`:
  the column keeps its field's name (`events.product`, `product_targets.value`). An item that names
  its own kind (a dispute's `about`) is a foreign key (`kind`, `id`) to the `records` table.
- Citations (the registry's `citations`: every list of `Citation`) go to one `citations` table:
  (`record_kind`, `record_id`) of the citing record, `path` of the list within it (`sources` for its
  own, `car_construct.sources`, `companies[2].sources`, `claimed_by`), `position`, `source` (FK to `sources.id`),
  `quote`, `note`.
- `records` lists every record of every kind (`kind`, `id`, `name`), the target of polymorphic
  references and of the full-text index `search`.

Encodings (the same in SQLite and CSV):

- Money (`Money`): `<field>_low` and `<field>_high` are exact decimal strings (TEXT), derived from
  the shortest repr of the stored float (so 1.2 stays "1.2", never 1.19999...), **with the scale
  applied**: an amount stated as 1.2 million is "1200000", in whole units of `<field>_currency`.
  `<field>_scale` is kept and says how the source stated it (never multiply again).
- Dates: ISO `YYYY-MM-DD` text; each date has a `<field>_precision` column (`day`, `month`, `year`):
  the model's own one (`date_precision`, `since_precision`, `changed_precision` for `changed_on`),
  else a derived one, `day` when the date is given (the model holds a whole date) and empty when not.
- Booleans: INTEGER 0/1 in SQLite, `true`/`false` in CSV. Enums: their value as TEXT (labels in the
  datasette metadata and the data package). Other numbers: INTEGER or REAL.
"""

from collections.abc import Iterator
from typing import Any  # noqa: TID253

from cartq.export.tables import Column, Schema, Table
from cartq.export.walk import _Walker
from cartq.kinds import KINDS, Kind, KindSpec
from cartq.records import citations_of, names_of


def _kind_table(spec: KindSpec, model: Any) -> Table:
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    if doc.startswith(("Usage docs", "A base class")):
        doc = ""
    description = f"{spec.plural.capitalize()} (section '{spec.section}' of the fact base, model {model.__name__})"
    if doc:
        description += f": {doc}"

    def items(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        for record in data.get(spec.section) or ():
            yield (record["id"],), record

    return Table(spec.section, description, spec.kind, [], [], ["id"], [], items)


def _record_name(spec: KindSpec, record: dict[str, Any]) -> str:
    names = names_of(spec.kind, record)
    if len(names) > 1:
        return names[1]
    for key in ("name", "title", "subject", "claim", "plan", "market"):
        if type(record.get(key)) is str:
            return record[key]
    return record["id"]


def _records_table() -> Table:
    def items(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        for spec in KINDS:
            for record in data.get(spec.section) or ():
                yield (spec.kind, record["id"]), (spec, record)

    columns = [
        Column("kind", "text", "the record's kind", lambda pair: pair[0].kind, Kind),
        Column("id", "text", "the record's id in its kind's table", lambda pair: pair[1]["id"]),
        Column("table_name", "text", "the table that holds the record", lambda pair: pair[0].section),
        Column("name", "text", "the record's main name or title", lambda pair: _record_name(*pair)),
    ]
    kinds = "; ".join(f"{spec.kind} ({spec.label}, table {spec.section})" for spec in KINDS)
    columns[0].description += f": one of {kinds}"
    return Table(
        "records",
        "Every record of every kind: the target of references that name their own kind, and of the "
        "full-text index `search` (whose rowid is this table's rowid)",
        "",
        [],
        columns,
        ["kind", "id"],
        [],
        items,
    )


def _citation_path(spec: KindSpec, label: str) -> str:
    """The full path of a list of citations from `citations_of`'s label, which leaves out a trailing
    `sources`: '' -> 'sources', 'companies[2]' -> 'companies[2].sources', 'claimed_by' stays.
    """
    lists = {path.rsplit(".", 1)[-1] for path in spec.citations if not path.endswith("sources")}
    if label.rsplit(".", 1)[-1] in lists:
        return label
    return f"{label}.sources".lstrip(".")


def _citations_table() -> Table:
    def items(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        for spec in KINDS:
            for record in data.get(spec.section) or ():
                positions: dict[str, int] = {}
                for label, citation in citations_of(spec.kind, record):
                    where = _citation_path(spec, label)
                    position = positions.get(where, 0)
                    positions[where] = position + 1
                    yield (), (spec.kind, record["id"], where, position, citation)

    columns = [
        Column("record_kind", "text", "the kind of the citing record", lambda c: c[0], Kind),
        Column("record_id", "text", "the id of the citing record", lambda c: c[1]),
        Column(
            "path",
            "text",
            "where in the record: the path of the list of citations ('sources' for the record's own, "
            "'car_construct.sources', 'companies[2].sources', 'claimed_by', 'corrected_by')",
            lambda c: c[2],
        ),
        Column("position", "integer", "0-based order within that list of citations", lambda c: c[3]),
        Column(
            "source",
            "text",
            "Citation.source: references sources.id",
            lambda c: c[4].get("source"),
            None,
            "Citation.source",
            "source",
        ),
        Column(
            "quote",
            "text",
            "Citation.quote: the source's words, verbatim",
            lambda c: c[4].get("quote"),
            None,
            "Citation.quote",
        ),
        Column("note", "text", "Citation.note", lambda c: c[4].get("note"), None, "Citation.note"),
    ]
    return Table(
        "citations",
        "Every citation of every record: which source supports which record (and which part of it), "
        "with the verbatim quote",
        "",
        [],
        columns,
        ["record_kind", "record_id", "path", "position"],
        [(["record_kind", "record_id"], "records", ["kind", "id"])],
        items,
    )


def build_schema() -> Schema:
    """Every table of the export, in an order where a referenced table comes first."""
    from cartq.factbase import models

    schema = Schema([], [])
    schema.tables.append(_records_table())
    for spec in KINDS:
        model = getattr(models, spec.model)
        table = _kind_table(spec, model)
        schema.tables.append(table)
        _Walker(spec, schema).walk(model, table, (), "")
        table.columns.sort(key=lambda column: column.name != "id")  # the key first (DatedFact puts date first)
    schema.tables.append(_citations_table())
    sections = {spec.kind: spec.section for spec in KINDS}
    for table in schema.tables:
        for column in table.all_columns:
            if column.references:
                table.foreign_keys.append(([column.name], sections[column.references], ["id"]))
    names = [t.name for t in schema.tables]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"export tables share a name: {sorted(duplicates)}")
    for table in schema.tables:
        columns = [c.name for c in table.all_columns]
        if len(set(columns)) != len(columns):  # a field named like a derived column (`<kind>_id`, `position`)
            raise ValueError(f"export table {table.name} has two columns of one name: {columns}")
    return schema


def header_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fact base's own header (title, as_of, schema_version): every top-level non-section value."""
    sections = {spec.section for spec in KINDS}
    return {key: value for key, value in data.items() if key not in sections}
