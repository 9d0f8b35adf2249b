"""Walking a pydantic model into columns and child tables: values, annotations, one walker."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing  # noqa: TID253
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any  # noqa: TID253

from cartq.export.tables import SCALE_EXPONENT, Column, Schema, Table
from cartq.kinds import BY_KIND, KindSpec

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
