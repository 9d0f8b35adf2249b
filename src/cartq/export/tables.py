"""The relational shapes an export writes: columns, tables and the schema of them all (see
export/schema.py for the rules that derive them from the models).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field  # noqa: TID253
from typing import Any  # noqa: TID253

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
