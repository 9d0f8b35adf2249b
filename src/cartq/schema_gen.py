"""JSON Schema for `cartq schema` (the fact base) and `cartq schema output` (every `--json`),
generated from the declarations: the pydantic models and the result TypedDicts in cartq.results.

Each result TypedDict becomes a pydantic model here (closed: no keys beyond those declared), a
row declared with `@extends("Model")` subclasses that fact-base model, and pydantic writes the
schema in serialization mode, as `--json` prints it.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

from pydantic import ConfigDict, create_model

from cartq import results
from cartq.factbase import models

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def fact_base_schema() -> dict[str, Any]:
    schema = models.FactBase.model_json_schema()
    schema["$schema"] = DRAFT
    return schema


class _Converter:
    def __init__(self) -> None:
        self.namespace = {**vars(models), **vars(results)}
        self.made: dict[type, type] = {}

    def model(self, typed: Any) -> Any:
        if typed in self.made:
            return self.made[typed]
        base_name = getattr(typed, "__extends__", None)
        base = getattr(models, base_name) if base_name else models.Strict
        hints = get_type_hints(typed, globalns=self.namespace, localns=self.namespace, include_extras=True)
        required = typed.__required_keys__
        fields: dict[str, Any] = {}
        for key, hint in hints.items():
            converted = self.convert(hint)
            fields[key] = (converted, ...) if key in required else (converted | None, None)
        made = create_model(typed.__name__, __base__=base, __config__=None, **fields)
        if base is models.Strict:
            made.model_config = ConfigDict(extra="forbid")
        self.made[typed] = made
        return made

    def convert(self, hint: Any) -> Any:
        if is_typeddict(hint):
            return self.model(hint)
        origin = get_origin(hint)
        if origin is list:
            return list[self.convert(get_args(hint)[0])]  # type: ignore[misc]
        if origin is dict:
            key, value = get_args(hint)
            return dict[key, self.convert(value)]  # type: ignore[valid-type]
        if origin in (Union, types.UnionType):
            args = tuple(self.convert(arg) for arg in get_args(hint))
            return typing.Union[args]  # noqa: UP007
        return hint


def output_schema(names: list[str]) -> dict[str, Any]:
    """One `$defs` entry per result shape named (as in cartq.results); `anyOf` all of them at the top."""
    converter = _Converter()
    shapes = {name: converter.convert(getattr(results, name)) for name in names}
    # One model with a field per shape gathers every nested definition into one `$defs`.
    holder = create_model("AllResults", **{name: (shape, None) for name, shape in shapes.items()})
    schema = holder.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs: dict[str, Any] = schema.get("$defs", {})
    for name in shapes:
        entry = dict(schema["properties"][name])
        entry.pop("default", None)
        entry.pop("title", None)
        # `(shape, None)` made each field optional; the shape itself is not.
        options = entry.pop("anyOf", None)
        if options is not None:
            entry.update(next(option for option in options if option != {"type": "null"}))
        if entry.get("$ref") == f"#/$defs/{name}":
            continue  # the model's own definition already carries the name
        defs[name] = entry
    return {
        "$schema": DRAFT,
        "title": "cartq --json output",
        "description": (
            "Each command prints one of these shapes: lookups print an object, listings an array ([] when "
            "empty). Keys may be added in later versions; none are removed."
        ),
        "anyOf": [{"$ref": f"#/$defs/{name}"} for name in shapes],
        "$defs": dict(sorted(defs.items())),
    }
