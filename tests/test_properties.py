"""Property-based tests: no query and no mutation of the fact base makes cartq crash."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartq.errors import FactBaseError
from cartq.factbase.checks import load_validated, validate
from cartq.factbase.yaml_reader import parse_yaml

from .conftest import FACTS, run

# Real argv cannot hold NUL; everything else may come from a user or a script.
queries = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=60)
COMMANDS = [
    ["product"],
    ["company"],
    ["target"],
    ["indication"],
    ["glossary"],
    ["search"],
    ["costs", "--country"],
    ["trials", "--target"],
    ["trials", "--sponsor"],
    ["timeline", "--indication"],
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), query=queries)
def test_any_query_gives_0_or_1_and_no_traceback(command: list[str], query: str) -> None:
    args = [*command, query] if command[-1].startswith("--") else [*command, "--", query]
    result = run(*args)
    assert result.exit_code in (0, 1), (args, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("cartq: ")


BASE: dict[str, Any] = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
SECTIONS = [k for k, v in BASE.items() if isinstance(v, list)]
junk = st.one_of(
    st.none(),
    st.integers(-10, 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        section = draw(st.sampled_from(SECTIONS))
        records = data[section]
        if not records:
            continue
        index = draw(st.integers(0, len(records) - 1))
        record = records[index]
        action = draw(st.sampled_from(["drop_field", "set_field", "duplicate", "delete", "new_field", "rename_id"]))
        key = draw(st.sampled_from(sorted(record)))
        if action == "drop_field":
            record.pop(key)
        elif action == "set_field":
            record[key] = draw(junk)
        elif action == "duplicate":
            records.append(copy.deepcopy(record))
        elif action == "delete":
            records.pop(index)
        elif action == "new_field":
            record[draw(st.text(min_size=1, max_size=8))] = draw(junk)
        else:
            record["id"] = draw(st.text(max_size=12))
    return data


@settings(max_examples=40, deadline=None)
@given(document=mutated())
def test_any_mutation_is_accepted_or_reported_never_a_crash(document: dict[str, Any]) -> None:
    # The C dumper: the pure-Python one was most of this test's time.
    text = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True)
    path = Path("mutated.yaml")
    try:
        parsed = parse_yaml(text.encode("utf-8"), path)
        validate(parsed, text, path)
    except FactBaseError as error:
        assert error.message
        assert all(isinstance(p, str) and p for p in error.problems)


def test_the_unmutated_base_round_trips() -> None:
    assert load_validated(FACTS)["as_of"] == "2026-08-29"


# ---- the YAML builder against PyYAML's own composer ---------------------------------------
# The reference: PyYAML composes (anchors, aliases, styles, tags), and YAML 1.2's core schema,
# restated here from the spec, resolves and constructs the scalars.


class CoreLoader(yaml.SafeLoader):
    pass


CoreLoader.yaml_implicit_resolvers = {}
_CORE = {
    "null": (r"(?:~|null|Null|NULL|)", [*"~nN", ""]),
    "bool": (r"(?:true|True|TRUE|false|False|FALSE)", list("tTfF")),
    "int": (r"[-+]?[0-9]+", list("-+0123456789")),
    "float": (r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", list("-+.0123456789")),
}
for _name, (_pattern, _first) in _CORE.items():
    CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_name}", re.compile(rf"\A{_pattern}\Z"), _first)


def _core(name: str, convert: Any) -> Any:
    pattern = re.compile(rf"\A{_CORE[name][0]}\Z")

    def construct(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        value = loader.construct_scalar(node)
        if not pattern.match(value):
            raise ValueError(f"not a {name}: {value!r}")
        return convert(value)

    return construct


CoreLoader.add_constructor("tag:yaml.org,2002:null", _core("null", lambda v: None))
CoreLoader.add_constructor("tag:yaml.org,2002:bool", _core("bool", lambda v: v.lower() == "true"))
CoreLoader.add_constructor("tag:yaml.org,2002:int", _core("int", int))
CoreLoader.add_constructor("tag:yaml.org,2002:float", _core("float", float))

TOKENS = ["1", "-2", "+3", "010", "1e5", "1.5", ".5", "1.", "-.5e-3", "yes", "on", "null", "Null", "~", "true"]
TOKENS += ["True", "FALSE", "abc", "1_000", "0x1F", "0o7", "2023-06-30", ".inf", ".nan", "1:20", "a b", "é", "中文"]
KEYS = ["id", "name", "k", "x", "y", "zz", "名"]
TAGS = [None, None, None, "!!str", "!!int", "!!float", "!!bool", "!!null"]


def _typed(value: Any) -> Any:
    """Equality that tells 1, 1.0 and True apart."""
    if isinstance(value, dict):
        return ("map", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_typed(v) for v in value])
    return (type(value).__name__, value)


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    anchors: list[str] = []

    def scalar(key: bool = False) -> str:
        token = draw(st.sampled_from(KEYS if key else TOKENS))
        style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
        text = {"plain": token, "single": f"'{token}'", "double": f'"{token}"'}[style]
        tag = None if key else draw(st.sampled_from(TAGS))
        return f"{tag} {text}" if tag else text

    def node(depth: int) -> str:
        choice = draw(st.sampled_from(["scalar", "scalar", "seq", "map", "alias"] if depth < 3 else ["scalar"]))
        if choice == "alias" and anchors:
            return f"*{draw(st.sampled_from(anchors))}"
        if choice == "seq":
            body = "[" + ", ".join(node(depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
        elif choice == "map":
            keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=3))
            body = "{" + ", ".join(f"{k}: {node(depth + 1)}" for k in keys) + "}"
        else:
            body = scalar()
        if draw(st.booleans()) and draw(st.booleans()):
            name = f"a{len(anchors)}"
            anchors.append(name)  # usable after this node, which is complete once emitted
            return f"&{name} {body}"
        return body

    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, min_size=1, max_size=4))
    return "".join(f"{k}: {node(0)}\n" for k in keys)


@settings(max_examples=300, deadline=None)
@given(text=yaml_documents())
def test_the_builder_matches_pyyaml_composing_with_the_core_schema(text: str) -> None:
    try:
        expected = yaml.load(text, Loader=CoreLoader)
    except (yaml.YAMLError, ValueError):
        with pytest.raises(FactBaseError):
            parse_yaml(text.encode("utf-8"), Path("t.yaml"))
        return
    assert _typed(parse_yaml(text.encode("utf-8"), Path("t.yaml"))) == _typed(expected)
