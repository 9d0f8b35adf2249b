"""Each decision is declared once; these tests fail when a copy drifts from its declaration.

The command table against the Typer app and the handlers; the result shapes against every
command's real --json; the kind registry against the models; the enums' labels.
"""

from __future__ import annotations

import inspect
import json
import shutil
import types
from pathlib import Path
from typing import Annotated, Any, ForwardRef, Union, get_args, get_origin

import pytest
import typer.main
from jsonschema import Draft202012Validator

from cartq import enums, kinds, results
from cartq.cli import fast, handlers, runner
from cartq.cli.app import app
from cartq.cli.spec import BY_NAME, COMMANDS, Command, Param, result_shapes
from cartq.factbase import models

from .conftest import run


def click_commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


# ---- the command table, the Typer app, the fast path and the handlers agree ----------------


def test_the_typer_app_has_exactly_the_commands_of_the_table() -> None:
    assert set(click_commands()) == set(BY_NAME)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_typer_parameters_are_the_declared_ones(command: Command) -> None:
    clicked = click_commands()[command.name]
    options = {p.name: p for p in clicked.params if p.param_type_name == "option"}
    arguments = [p for p in clicked.params if p.param_type_name == "argument"]
    declared = {param.dest: param for param in command.all_options()}
    assert set(options) == set(declared)
    for dest, option in options.items():
        param = declared[dest]
        assert tuple(option.opts) == param.flags
        assert option.is_flag == (not param.takes_value)
        assert option.help == param.help
    assert [a.name for a in arguments] == [a.dest for a in command.args]
    for argument, param in zip(arguments, command.args, strict=True):
        assert argument.nargs == (-1 if param.most is None else 1)
        assert argument.required == bool(param.least)
    assert clicked.short_help == command.summary
    assert command.summary in (clicked.help or "")
    for example in command.examples:
        assert example in (clicked.help or "")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_each_command_has_a_handler_taking_its_declared_parameters(command: Command) -> None:
    handler = getattr(handlers, command.name)
    taken = list(inspect.signature(handler).parameters)
    runner_s = {p.dest for p in command.output_options()}
    declared = [p.dest for p in command.args + command.all_options() if p.dest not in runner_s]
    assert sorted(taken) == sorted(declared)


def test_handlers_hold_nothing_but_the_commands() -> None:
    # Every public function handlers holds, its own or re-exported (open_store), and `registry`,
    # which it imports when asked for (cli.registry_handler).
    public = {name for name, value in vars(handlers).items() if inspect.isfunction(value) and not name.startswith("_")}
    assert public - {"open_store"} | {"registry"} == set(BY_NAME)
    assert all(inspect.isfunction(getattr(handlers, name)) for name in BY_NAME)


def _argv_using(command: Command, param: Param) -> list[str]:
    """An argv for the command that gives `param` (and enough arguments to be valid)."""
    argv = [command.name]
    for arg in command.args:
        argv += ["x"] * max(arg.least, 1 if arg is param else 0)
    if param.is_option:
        argv += [param.flags[-1]] + (["v"] if param.takes_value else [])
    return argv


@pytest.mark.parametrize(
    ("command", "param"),
    [(c, p) for c in COMMANDS for p in c.args + c.all_options()],
    ids=lambda x: x.name if isinstance(x, Command) else x.dest,
)
def test_the_fast_path_parses_every_declared_parameter(command: Command, param: Param) -> None:
    parsed = fast.parse(_argv_using(command, param))
    assert parsed is not None
    parsed_command, params = parsed
    assert parsed_command is command
    expected: Any = True if param.is_option and not param.takes_value else "v" if param.is_option else None
    if expected is not None:
        assert params[param.dest] == expected
    assert set(params) == {p.dest for p in command.args + command.all_options()}


def test_an_unknown_command_never_runs_another() -> None:
    assert fast.parse(["no-such-command"]) is None
    result = run("no-such-command")
    assert result.exit_code == 2


# ---- every command's --json against the schema generated from the result types ------------

ARGVS = [
    ["product", "fucaso"],
    ["product"],
    ["product", "fucaso", "--evidence"],
    ["company", "legend"],
    ["company"],
    ["company", "iaso", "--evidence"],
    ["target", "bcma"],
    ["target"],
    ["indication", "rrmm"],
    ["indication", "lbcl"],
    ["indication"],
    ["glossary", "crs"],
    ["glossary"],
    ["compare", "fucaso", "carvykti", "yescarta"],
    ["search", "allogeneic"],
    ["search", "zzzzzz"],
    ["timeline"],
    ["timeline", "--all-events"],
    ["timeline", "--target", "bcma"],
    ["costs"],
    ["costs", "--country", "china"],
    ["market"],
    ["trials"],
    ["trials", "--indication", "lupus"],
    ["sources"],
    ["validate"],
    ["search", "price", "--limit", "5"],
    ["search", "commercial", "insurance", "--kind", "product"],
    ["show", "cn-fucaso-over-1m"],
    ["show", "commercial-list-eque-cel"],
    ["show", "seed-000"],
    ["show", "eque-cel"],
    ["product", "fucasso"],
    ["product", "--coverage", "commercial-list"],
    ["product", "--target", "bcma", "--status", "approved"],
    ["coverage", "commercial-list"],
    ["coverage", "--product", "axi-cel"],
    ["timeline", "--since", "2024"],
    ["costs", "--product", "fucaso"],
    ["sources", "seed-000"],
    ["sources", "--kind", "filing", "--reliability", "high"],
    ["trials", "fumanba-1"],
]


@pytest.fixture(scope="module")
def output_schema() -> dict[str, Any]:
    schema = json.loads(run("schema", "output").stdout)
    Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_every_json_output_matches_its_declared_shape(argv: list[str], output_schema: dict[str, Any]) -> None:
    parsed = fast.parse([*argv, "--json"])
    assert parsed is not None
    command, params = parsed
    shape = runner.produce(command, params)[0].shape
    assert shape in command.results, "a command returns only the shapes its table entry declares"
    printed = json.loads(run(*argv, "--json").stdout)
    validator = Draft202012Validator({"$defs": output_schema["$defs"], "$ref": f"#/$defs/{shape}"})
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(printed)]
    assert problems == []


def test_the_output_schema_names_every_declared_result_and_rejects_a_stray_key(output_schema: dict[str, Any]) -> None:
    assert set(result_shapes()) <= set(output_schema["$defs"])
    lookup = json.loads(run("product", "fucaso", "--json").stdout)
    lookup["record"]["colour"] = "blue"
    validator = Draft202012Validator({"$defs": output_schema["$defs"], "$ref": "#/$defs/ProductLookup"})
    assert any("colour" in error.message for error in validator.iter_errors(lookup))


def test_every_declared_result_shape_exists() -> None:
    for shape in result_shapes():
        assert hasattr(results, shape), shape


# ---- the kind registry and the models -------------------------------------------------------


SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _slug_paths(model: Any, prefix: str = "") -> list[str]:
    """Field paths of a model that hold ids (Slug, optional or in lists), "*" stepping into lists."""
    return [
        path
        for name, field in model.model_fields.items()
        for path in _paths(field.annotation, field.metadata, prefix + name)
    ]


def _paths(annotation: Any, metadata: Any, path: str) -> list[str]:
    if isinstance(annotation, ForwardRef):  # a model named before it is defined
        annotation = eval(annotation.__forward_arg__, vars(models))  # our own annotation, from our own models
    if any(getattr(m, "pattern", None) == SLUG for m in metadata):
        return [path]
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return _paths(base, extra, path)
    if origin is list:
        return _paths(get_args(annotation)[0], (), f"{path}.*")
    if origin in (Union, types.UnionType):
        return [p for arg in get_args(annotation) if arg is not type(None) for p in _paths(arg, (), path)]
    if isinstance(annotation, type) and issubclass(annotation, models.Strict):
        return _slug_paths(annotation, f"{path}.")
    return []


@pytest.mark.parametrize("spec", kinds.KINDS, ids=lambda s: s.kind)
def test_every_reference_field_of_a_model_is_declared_in_the_registry(spec: kinds.KindSpec) -> None:
    model = getattr(models, spec.model)
    assert spec.section in models.FactBase.model_fields
    # A reference to "*" is a list of items that name their own kind: its id sits at PATH.id.
    declared = {f"{path}.id" if other == "*" else path for path, other in spec.references.items()}
    citations = {f"{path}.*.source" for path in spec.citations}
    found = {path for path in _slug_paths(model) if path != "id" and path not in citations}
    assert found == declared


@pytest.mark.parametrize("spec", kinds.KINDS, ids=lambda s: s.kind)
def test_name_and_citation_fields_exist_on_the_model(spec: kinds.KindSpec) -> None:
    model = getattr(models, spec.model)
    for name in spec.names:
        assert name in model.model_fields, name
    for path in spec.citations:
        assert path.split(".")[0] in model.model_fields, path


def test_the_fact_base_has_one_section_per_kind_and_nothing_else() -> None:
    sections = set(models.FactBase.model_fields) - {"schema_version", "title", "as_of"}
    assert sections == {spec.section for spec in kinds.KINDS}


# ---- enums: one place, with labels people can read ------------------------------------------


@pytest.mark.parametrize("enum", enums.ALL, ids=lambda e: e.__name__)
def test_every_enum_value_has_a_readable_label(enum: type[enums.Labelled]) -> None:
    for member in enum:
        assert "_" not in member.label, (member, member.label)
        assert member.label == "" or member.label[0] != " "


def test_every_enum_in_the_schema_is_declared_in_enums() -> None:
    declared = {enum.__name__ for enum in enums.ALL} | {"Kind"}
    used = {
        name
        for name, schema in models.FactBase.model_json_schema()["$defs"].items()
        if "enum" in schema and schema.get("type") == "string"
    }
    assert used <= declared


def test_human_output_shows_labels_not_codes() -> None:
    out = run("product", "fucaso").stdout + run("trials").stdout + run("timeline", "--all-events").stdout
    for code in ("phase_1_2", "HK_DoH", "co_developer", "marketing_authorisation_holder", "nda_accepted"):
        assert code not in out, code


# ---- the cache key covers what shapes a stored record ---------------------------------------


def test_a_changed_model_is_never_served_from_the_old_cache(
    private_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cartq.factbase import cache

    def code_keys() -> set[str]:
        import sqlite3

        keys = set()
        for file in private_cache.rglob("*.sqlite"):
            with sqlite3.connect(file) as connection:
                keys |= {row[0] for row in connection.execute("SELECT value FROM meta WHERE key = 'code'")}
        return keys

    assert run("product", "fucaso", "--json").exit_code == 0
    before = code_keys()
    package = tmp_path / "cartq"
    shutil.copytree(Path(cache.__file__).resolve().parent.parent, package)
    models_file = package / "factbase" / "models.py"
    models_file.write_text(models_file.read_text(encoding="utf-8") + "\n# a new defaulted field\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_PACKAGE", package)
    assert run("product", "fucaso", "--json").exit_code == 0
    after = code_keys()
    assert before and after and after != before
