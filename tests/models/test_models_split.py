"""The split of the generator's module: cycles, imports, inline classes, names, laziness, determinism."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from models_support import write_package
from pydantic import BaseModel, TypeAdapter, ValidationError

from autosdk_py.errors import SpecError
from autosdk_py.models import ModelsOutput, generate_models
from autosdk_py.models.split import one_line, strongly_connected_components

PACKAGE = "autosdk_split_demo.api"
R = "#/components/schemas/"

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Demo", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            # a two-class cycle and a self reference
            "Node": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "The node's name."},
                    "edges": {"type": "array", "items": {"$ref": R + "Edge"}},
                    "parent": {"$ref": R + "Node", "nullable": True},
                },
            },
            "Edge": {"type": "object", "required": ["to"], "properties": {"to": {"$ref": R + "Node"}}},
            # a chain: Order -> Customer -> Address
            "Order": {
                "type": "object",
                "required": ["id", "customer"],
                "properties": {
                    "id": {"type": "integer"},
                    "customer": {"$ref": R + "Customer"},
                    "status": {"$ref": R + "Status"},
                    "x-trace": {"type": "string"},
                    "owner": {"type": "object", "properties": {"login": {"type": "string"}}},
                },
            },
            "Customer": {"type": "object", "properties": {"address": {"$ref": R + "Address"}}},
            "Address": {"type": "object", "properties": {"city": {"type": "string"}}},
            "Status": {"type": "string", "enum": ["new", "paid", "in-progress"], "nullable": True},
            # a component whose name an inline class of Order would take
            "Owner": {"type": "object", "properties": {"id": {"type": "integer"}}},
            # names that are not identifiers
            "Pet-Input": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "pet.output": {"type": "object", "properties": {"kind": {"type": "string"}}},
            # a tagged union with multi-value tags, as OpenAI's filters
            "Comparison": {
                "type": "object",
                "required": ["type", "key"],
                "properties": {"type": {"type": "string", "enum": ["eq", "ne"]}, "key": {"type": "string"}},
            },
            "Compound": {
                "type": "object",
                "required": ["type", "filters"],
                "properties": {
                    "type": {"type": "string", "enum": ["and", "or"]},
                    "filters": {
                        "type": "array",
                        "items": {
                            "oneOf": [{"$ref": R + "Comparison"}, {"$ref": R + "Compound"}],
                            "discriminator": {"propertyName": "type"},
                        },
                    },
                },
            },
            "Filter": {"oneOf": [{"$ref": R + "Comparison"}, {"$ref": R + "Compound"}]},
        }
    },
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModelsOutput, Path]]:
    output = generate_models(json.loads(json.dumps(SPEC)), package=PACKAGE, source=Path("demo.yaml"))
    root = tmp_path_factory.mktemp("split") / "site"
    write_package(root, PACKAGE, output)
    sys.path.insert(0, str(root))
    try:
        yield output, root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith("autosdk_split_demo")]:
            del sys.modules[name]


def test_strongly_connected_components_keep_cycles_together_in_dependency_order() -> None:
    edges = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": set(), "e": {"e", "d"}}
    assert strongly_connected_components(["a", "b", "c", "d", "e"], edges) == [
        ["d"],
        ["c"],
        ["a", "b"],
        ["e"],
    ]


def test_a_reference_cycle_stays_in_one_module_with_a_rebuild(demo: tuple[ModelsOutput, Path]) -> None:
    output, _ = demo
    assert output.classes["Node"].module == output.classes["Edge"].module
    text = output.files[output.classes["Node"].module.replace(".", "/") + ".py"]
    assert "model_rebuild()" in text
    assert output.classes["Order"].module != output.classes["Customer"].module != output.classes["Address"].module


def test_modules_import_exactly_what_they_use(demo: tuple[ModelsOutput, Path]) -> None:
    output, _ = demo
    for path, text in output.files.items():
        if not path.startswith("models/_"):
            continue
        tree = ast.parse(text)
        imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
        imported.discard("annotations")
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert imported <= used, (path, imported - used)
    order = output.files[output.classes["Order"].module.replace(".", "/") + ".py"]
    assert "from ._customer import Customer" in order
    assert "Address" not in order  # only its direct dependencies


def test_generated_modules_pass_ruff_with_default_rules(demo: tuple[ModelsOutput, Path]) -> None:
    _, root = demo
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--isolated", "--no-cache", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_inline_class_joins_its_only_user_and_components_keep_their_names(
    demo: tuple[ModelsOutput, Path],
) -> None:
    output, _ = demo
    owner = output.classes["Owner"]
    assert owner.spec_name == "Owner"
    inline = [c for c in output.classes.values() if c.spec_name is None and c.module == output.classes["Order"].module]
    assert inline, "the inline class of Order.owner should live in Order's module"
    assert all(c.class_name != "Owner" for c in inline)
    assert output.class_for_schema["Pet-Input"] == "PetInput"
    assert output.class_for_schema["pet.output"] == "PetOutput"
    assert output.classes["PetInput"].module == "models._pet_input"


def test_fields_describe_names_aliases_requiredness_and_docs(demo: tuple[ModelsOutput, Path]) -> None:
    output, _ = demo
    fields = {f.name: f for f in output.classes["Order"].fields}
    assert fields["id"].required and fields["id"].annotation == "int"
    assert fields["customer"].annotation == "Customer" and fields["customer"].names == {"Customer"}
    assert fields["x_trace"].alias == "x-trace" and not fields["x_trace"].required
    assert fields["status"].annotation == "Status | None"
    node = {f.name: f for f in output.classes["Node"].fields}
    assert node["name"].description == "The node's name."
    status = output.classes["Status"]
    assert status.kind == "alias"
    assert status.fields[0].annotation == 'Literal["new", "paid", "in-progress"] | None'
    assert output.name_imports["Literal"] == "from typing import Literal"


def test_models_validate_tagged_unions_with_multi_value_tags(demo: tuple[ModelsOutput, Path]) -> None:
    from autosdk_split_demo.api.models import Compound, Filter  # type: ignore[import-not-found]

    value = Compound.model_validate(
        {"type": "or", "filters": [{"type": "ne", "key": "k"}, {"type": "and", "filters": []}]}
    )
    assert type(value.filters[1]).__name__ == "Compound"
    assert TypeAdapter(Filter).validate_python({"type": "eq", "key": "k"}).key == "k"
    with pytest.raises(ValidationError):
        Compound.model_validate({"type": "xor", "filters": []})


def test_models_accept_python_names_and_keep_unknown_fields(demo: tuple[ModelsOutput, Path]) -> None:
    from autosdk_split_demo.api.models import Order

    order = Order(id=1, customer={"address": {"city": "X"}}, x_trace="t")  # type: ignore[arg-type]
    assert order.model_dump(by_alias=True, exclude_unset=True)["x-trace"] == "t"
    parsed = Order.model_validate({"id": 2, "customer": {}, "new_field": [1]})
    assert isinstance(parsed, BaseModel) and parsed.model_extra == {"new_field": [1]}


LAZY_CHECK = """
import sys
import autosdk_split_demo.api.models as m
loaded = sorted(k for k in sys.modules if k.startswith("autosdk_split_demo.api.models."))
assert loaded == [], loaded
from autosdk_split_demo.api.models import Order
loaded = sorted(k.rsplit(".", 1)[1] for k in sys.modules if k.startswith("autosdk_split_demo.api.models."))
print(loaded)
assert "Order" in dir(m) and "Node" in dir(m)
assert m.__all__ == sorted(m.__all__)
try:
    m.Missing
except AttributeError as exc:
    print("AttributeError", exc)
"""


def test_models_package_is_lazy(demo: tuple[ModelsOutput, Path]) -> None:
    _, root = demo
    done = subprocess.run([sys.executable, "-c", LAZY_CHECK], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    loaded, error = done.stdout.splitlines()
    assert loaded == "['_address', '_customer', '_order', '_status']"
    assert "has no attribute 'Missing'" in error


def test_init_has_explicit_reexports_for_type_checkers(demo: tuple[ModelsOutput, Path]) -> None:
    output, _ = demo
    init = output.files["models/__init__.py"]
    assert "if TYPE_CHECKING:" in init
    for name, cls in output.classes.items():
        assert f"from .{cls.module.split('.')[-1]} import {name} as {name}" in init


GENERATE = """
import hashlib, json, sys
from pathlib import Path
from autosdk_py.models import generate_models
out = generate_models(json.loads(sys.stdin.read()), package="autosdk_split_demo.api", source=Path("demo.yaml"))
print(hashlib.sha256(json.dumps(dict(out.files), sort_keys=True).encode()).hexdigest())
"""


def test_generation_is_deterministic_across_runs_and_hash_seeds(demo: tuple[ModelsOutput, Path]) -> None:
    output, _ = demo
    digest = hashlib.sha256(json.dumps(dict(output.files), sort_keys=True).encode()).hexdigest()
    again = generate_models(json.loads(json.dumps(SPEC)), package=PACKAGE, source=Path("demo.yaml"))
    assert dict(again.files) == dict(output.files)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", GENERATE],
        input=json.dumps(SPEC),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == digest
    for path, text in output.files.items():
        assert text.endswith("\n") and "\r" not in text, path


def test_one_line_joins_a_wrapped_annotation_as_ruff_spaces_it() -> None:
    wrapped = 'Annotated[\n    list[Foo | Bar],\n    Field(discriminator="type", ge=-1),\n] | None'
    assert one_line(wrapped) == 'Annotated[list[Foo | Bar], Field(discriminator="type", ge=-1)] | None'
    assert one_line('Literal["a, b", "c"]') == 'Literal["a, b", "c"]'


def _tiny(schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def test_a_spec_without_schemas_gives_an_empty_lazy_package() -> None:
    output = generate_models(_tiny({}), package="empty", source=Path("e.yaml"))
    assert sorted(output.files) == ["_manifest.json", "models/__init__.py"]
    assert output.classes == {} and json.loads(output.files["_manifest.json"])["schemas"] == {}
    assert "__all__: list[str] = []" in output.files["models/__init__.py"]


def test_a_generator_failure_is_a_located_spec_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    spec = _tiny({"Fine": {"type": "string"}, "Broken-One": {"allOf": [False]}})
    source.write_text(json.dumps(spec, indent=2))
    with pytest.raises(SpecError) as caught:
        generate_models(spec, package="bad", source=source)
    err = caught.value
    assert err.pointer == "/components/schemas/Broken-One"
    assert err.line == 13 and err.file == str(source)  # the line of the schema's key
    assert "unsatisfiable" in str(err)


def test_a_pattern_pydantic_cannot_compile_is_dropped_and_the_model_imports(tmp_path: Path) -> None:
    spec = _tiny(
        {
            "A": {
                "type": "object",
                "properties": {
                    "a": {"type": "string", "pattern": "(?<=x)y"},
                    "b": {"type": "string", "pattern": "^b+$"},
                },
            }
        }
    )
    output = generate_models(spec, package="autosdk_patterns", source=Path("p.yaml"))
    fields = {f.name: f.annotation for f in output.classes["A"].fields}
    assert fields == {"a": "str | None", "b": 'Annotated[str | None, Field(pattern="^b+$")]'}
    write_package(tmp_path, "autosdk_patterns", output)
    sys.path.insert(0, str(tmp_path))
    try:
        from autosdk_patterns.models import A  # type: ignore[import-not-found]

        assert A(a="zy", b="bb").b == "bb"
        with pytest.raises(ValidationError):
            A(b="x")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("autosdk_patterns")]:
            del sys.modules[name]
