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

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cartq.kinds import BY_KIND, KINDS, Kind, KindSpec
from cartq.records import citations_of, names_of

# Powers of ten for each Scale value; a test fails if a Scale member is missing here.
SCALE_EXPONENT = {"one": 0, "thousand": 3, "million": 6, "billion": 9}

# Column types: the SQLite type and the Frictionless type of each.
SQL_TYPE = {
    "text": "TEXT",
    "integer": "INTEGER",
    "real": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
    "decimal": "TEXT",
}
FRICTIONLESS_TYPE = {
    "text": "string",
    "integer": "integer",
    "real": "number",
    "boolean": "boolean",
    "date": "date",
    "decimal": "number",
}


@dataclass
class Column:
    name: str
    type: str  # a key of SQL_TYPE
    description: str
    get: Callable[[Any], Any]  # the value from the item the table's rows are made of
    enum: type[enum.Enum] | None = None
    model_field: str | None = None  # "Product.inn": the model field it holds, if any
    references: str | None = None  # the kind a single-column foreign key points at


@dataclass
class Table:
    name: str
    description: str
    kind: str  # the record kind it belongs to ('' for citations, records)
    key: list[Column]  # columns taken from the owner's key (child tables), then position
    columns: list[Column]
    primary_key: list[str]
    # (columns, table, referenced columns)
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)
    # yields (own key, item): own key identifies the item for child tables below it
    items: Callable[[dict[str, Any]], Iterator[tuple[tuple[Any, ...], Any]]] = lambda data: iter(())
    parent: str | None = None
    model_list_field: str | None = None  # "Product.brand_names": the list field it holds

    @property
    def all_columns(self) -> list[Column]:
        return self.key + self.columns

    def rows(self, data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        nkey = len(self.key)
        for own, item in self.items(data):
            yield own[:nkey] + tuple(column.get(item) for column in self.columns)


@dataclass
class Schema:
    tables: list[Table]
    # Model fields that are lists of citations ("Product.sources"): held by the citations table.
    citation_fields: list[str]
    # Model fields that are nested objects ("Product.car_construct"): flattened into prefixed columns.
    nested_fields: list[str] = field(default_factory=list)

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


# ---- values ---------------------------------------------------------------------------------


def decimal_text(value: float | int | None, scale: str | None = "one") -> str | None:
    """An exact decimal string for a stored amount, with its scale multiplied out: no float
    artefacts (the shortest repr is what the fact base said), no exponent, no trailing zeros.
    """
    if value is None:
        return None
    amount = Decimal(repr(float(value))).scaleb(SCALE_EXPONENT[scale or "one"])
    text = format(amount.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _at(path: tuple[str, ...]) -> Callable[[Any], Any]:
    def get(item: Any) -> Any:
        for step in path:
            if type(item) is not dict:
                return None
            item = item.get(step)
        return item

    return get


def _scalar(get: Callable[[Any], Any], kind: str) -> Callable[[Any], Any]:
    if kind == "boolean":
        return lambda item: None if (v := get(item)) is None else int(bool(v))
    return get


# ---- annotations ----------------------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional: `Annotated[str, ...] | None` -> str."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return str  # a true union: kept as text
            annotation = args[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _scalar_type(annotation: Any) -> tuple[str, type[enum.Enum] | None]:
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return "text", annotation
        if issubclass(annotation, bool):
            return "boolean", None
        if issubclass(annotation, int):
            return "integer", None
        if issubclass(annotation, float):
            return "real", None
        if issubclass(annotation, dt.date):
            return "date", None
    return "text", None


def _list_item(annotation: Any) -> Any | None:
    if typing.get_origin(annotation) in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return _unwrap(args[0]) if args else str
    return None


def enum_label(member: enum.Enum) -> str:
    label = getattr(member, "label", None)
    if label is None and str(member.value) in BY_KIND:
        label = BY_KIND[str(member.value)].label
    return label or str(member.value)


def enum_text(enum_type: type[enum.Enum]) -> str:
    return "; ".join(f"{m.value} ({enum_label(m)})" if enum_label(m) != m.value else str(m.value) for m in enum_type)


# ---- the walk -------------------------------------------------------------------------------


def _describe(model_name: str, path: str, kind: str, enum_type: Any, note: str = "") -> str:
    text = {
        "text": "text",
        "integer": "integer",
        "real": "number",
        "boolean": "boolean (1/0 in SQLite, true/false in CSV)",
        "date": "ISO date (YYYY-MM-DD)",
        "decimal": "exact decimal",
    }[kind]
    parts = [f"{model_name}.{path}: {text}"]
    if enum_type is not None:
        parts.append(f"one of: {enum_text(enum_type)}")
    if note:
        parts.append(note)
    return "; ".join(parts)


def _precision_field(name: str, fields: dict[str, Any]) -> str | None:
    for candidate in (f"{name}_precision", f"{name.rsplit('_', 1)[0]}_precision" if "_" in name else ""):
        if candidate and candidate in fields:
            return candidate
    return None


class _Walker:
    def __init__(self, spec: KindSpec, schema: Schema) -> None:
        self.spec = spec
        self.schema = schema

    def walk(self, model: Any, table: Table, path: tuple[str, ...], ref_path: str) -> None:
        """Add the model's fields to `table` as columns (at dict path `path` inside the table's item),
        nested objects as prefixed columns and lists as child tables. `ref_path` is the field path in
        the registry's notation ("companies.*.") of the item the table's rows are made of.
        """
        from cartq.factbase.models import Citation, Money

        if not model.__pydantic_complete__:  # a forward reference not yet resolved (a model defined later)
            model.model_rebuild()
        fields = model.model_fields
        for name, info in fields.items():
            annotation = _unwrap(info.annotation)
            col_name = "_".join((*path, name))
            model_field = f"{model.__name__}.{name}"
            item = _list_item(annotation)
            if item is not None:
                if item is Citation:
                    self.schema.citation_fields.append(model_field)
                    continue
                self.child(model, table, path, name, ref_path, item)
                continue
            if _is_model(annotation):
                self.schema.nested_fields.append(model_field)
                self.walk(annotation, table, (*path, name), f"{ref_path}{name}.")
                continue
            kind, enum_type = _scalar_type(annotation)
            get = _at((*path, name))
            note = ""
            if model is Money and kind == "real":
                prefix = path
                kind = "decimal"
                get = _money(get, _at((*prefix, "scale")))
                scale_col = "_".join((*prefix, "scale"))
                currency_col = "_".join((*prefix, "currency"))
                note = f"in whole units of {currency_col}, {scale_col} already applied (text, never a float)"
            if model is Money and name == "scale":
                note = "how the source stated the amount; the low/high columns are already multiplied out"
            references = self.spec.references.get(f"{ref_path}{name}")
            if references and references != "*":
                note = f"{note}; " if note else ""
                note += f"references {BY_KIND[references].section}.id"
            column = Column(
                col_name,
                kind,
                _describe(model.__name__, name, kind, enum_type, note),
                _scalar(get, kind),
                enum_type,
                model_field,
                references if references != "*" else None,
            )
            table.columns.append(column)
            if kind == "date":
                precision = _precision_field(name, fields)
                if precision is None:
                    precision_name = f"{col_name}_precision"
                    table.columns.append(
                        Column(
                            precision_name,
                            "text",
                            f"how precise {col_name} is: day when given (the fact base holds a whole date), "
                            "empty when there is no date",
                            lambda item, get=get: None if get(item) is None else "day",
                        )
                    )
                else:
                    column.description += f"; as precise as {'_'.join((*path, precision))}"

    def child(self, model: Any, table: Table, path: tuple[str, ...], name: str, ref_path: str, item: Any) -> None:
        owner_kind = self.spec.kind
        child_name = "_".join((owner_kind if table.parent is None else table.name, *path, name))
        # The owner's key, renamed: the record's id becomes <kind>_id, positions keep their names.
        if table.parent is None:
            key = [Column(f"{owner_kind}_id", "text", f"the {self.spec.label}: references {table.name}.id", _none)]
        else:
            key = [Column(c.name, c.type, c.description, _none) for c in table.key[:-1]]
            key.append(
                Column(
                    f"{table.name.removeprefix(owner_kind + '_')}_position",
                    "integer",
                    f"the position in {table.name}",
                    _none,
                )
            )
        key.append(Column("position", "integer", f"0-based order in the record's {name} list", _none))
        list_get = _at((*path, name))

        def items(data: dict[str, Any], parent_items: Any = table.items) -> Iterator[tuple[tuple[Any, ...], Any]]:
            for own, parent_item in parent_items(data):
                for position, value in enumerate(list_get(parent_item) or ()):
                    yield (*own, position), value

        description = f"{model.__name__}.{name}: one row per item of a {self.spec.label}'s list, in order"
        child = Table(
            child_name,
            description,
            owner_kind,
            key,
            [],
            [c.name for c in key],
            [([c.name for c in key[:-1]], table.name, table.primary_key)],
            items,
            parent=table.name,
            model_list_field=f"{model.__name__}.{name}",
        )
        self.schema.tables.append(child)
        item_path = f"{ref_path}{name}.*"
        if _is_model(item):
            self.walk(item, child, (), f"{item_path}.")
            if self.spec.references.get(item_path) == "*":
                columns = {c.name for c in child.columns}
                if {"kind", "id"} <= columns:
                    child.foreign_keys.append((["kind", "id"], "records", ["kind", "id"]))
                    child.description += "; (kind, id) references records"
            return
        kind, enum_type = _scalar_type(item)
        references = self.spec.references.get(item_path)
        note = f"references {BY_KIND[references].section}.id" if references and references != "*" else ""
        child.columns.append(
            Column(
                "value",
                kind,
                _describe(model.__name__, f"{name}[]", kind, enum_type, note),
                _scalar(lambda value: value, kind),
                enum_type,
                None,
                references if references != "*" else None,
            )
        )


def _none(_item: Any) -> None:
    return None


def _money(get: Callable[[Any], Any], scale: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda item: decimal_text(get(item), scale(item))


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
