"""The models of the real OpenAI and ElevenLabs specs: they generate, import, type-check, lint, and
validate the examples the specs embed."""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from models_support import ELEVENLABS_SPEC, Generated
from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypeAliasType

from autosdk_py.openapi.normalize import collect_examples

BIN = Path(sys.executable).parent


def test_models_generate_for_every_schema(real_models: Generated) -> None:
    out = real_models.output
    schemas = real_models.spec["components"]["schemas"]
    modules = [p for p in out.files if p.startswith("models/_")]
    print(
        f"\n{real_models.name}: {len(schemas)} schemas -> {len(out.classes)} classes in {len(modules)} modules, "
        f"{real_models.seconds:.1f} s ({', '.join(f'{k} {v:.2f}' for k, v in out.timings.items())})"
    )
    assert real_models.spec_unchanged, "generate_models mutated the spec"
    assert set(out.class_for_schema) == set(schemas)
    for name, class_name in out.class_for_schema.items():
        assert out.classes[class_name].spec_name == name
    assert len(set(out.class_for_schema.values())) == len(schemas)
    assert {"models/__init__.py", "_manifest.json"} <= set(out.files)
    assert all(c.kind in ("model", "alias") for c in out.classes.values())


def test_every_class_imports_and_matches_its_description(real_models: Generated) -> None:
    out = real_models.output
    models = real_models.models()
    assert sorted(models.__all__) == sorted(out.classes)
    for name, cls in out.classes.items():
        obj = getattr(models, name)
        assert obj.__module__ == f"{real_models.package}.{cls.module}"
        if cls.kind == "alias":
            assert isinstance(obj, TypeAliasType) and [f.name for f in cls.fields] == ["root"]
            continue
        assert isinstance(obj, type) and issubclass(obj, BaseModel), name
        runtime = obj.model_fields
        assert [f.name for f in cls.fields] == list(runtime), name
        for f in cls.fields:
            assert (runtime[f.name].alias or f.name) == f.alias, (name, f.name)
            assert runtime[f.name].is_required() == f.required, (name, f.name)


def test_annotations_are_valid_with_the_name_imports(real_models: Generated) -> None:
    out = real_models.output
    models = real_models.models()
    namespace: dict[str, Any] = {}
    for line in set(out.name_imports.values()):
        exec(line, namespace)
    namespace.update({name: getattr(models, name) for name in out.classes})
    checked = 0
    for cls in out.classes.values():
        for f in cls.fields:
            assert f.names <= set(out.classes) | set(out.name_imports), (cls.class_name, f.name, f.names)
            assert not (f.names & set(dir(builtins)))
            eval(f.annotation, namespace)
            checked += 1
    assert checked > 1000


def test_manifest_records_class_module_and_shape_of_every_schema(real_models: Generated) -> None:
    out = real_models.output
    text = out.files["_manifest.json"]
    manifest = json.loads(text)
    assert text == json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert manifest["package"] == real_models.package and manifest["format"] == 1
    assert set(manifest["schemas"]) == set(out.class_for_schema)
    for name, entry in manifest["schemas"].items():
        cls = out.classes[entry["class_name"]]
        assert cls.spec_name == name and cls.module == entry["module"]
    object_shapes = [e["shape"] for e in manifest["schemas"].values() if e["shape"].get("types") == ["object"]]
    assert len(object_shapes) > 500 and all(
        "properties" in s or "additionalProperties" in s for s in object_shapes[:50]
    )


def _validate(models: Any, class_name: str, value: Any) -> None:
    obj = getattr(models, class_name)
    data = json.dumps(value)
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        obj.model_validate_json(data)
    else:
        TypeAdapter(obj).validate_json(data)


def test_spec_examples_validate(real_models: Generated) -> None:
    out = real_models.output
    models = real_models.models()
    rates: dict[str, tuple[int, int]] = {}
    failures: dict[str, list[str]] = {"standard": [], "x-oaiMeta": []}
    for example in collect_examples(real_models.spec):
        kind = "x-oaiMeta" if example.origin == "x-oaiMeta" else "standard"
        ok, total = rates.get(kind, (0, 0))
        try:
            _validate(models, out.class_for_schema[example.schema], example.value)
            ok += 1
        except ValidationError as exc:
            first = exc.errors()[0]
            failures[kind].append(
                f"{example.pointer}: {exc.error_count()} error(s), first at {first['loc']}: {first['msg']}"
            )
        rates[kind] = (ok, total + 1)
    print()
    for kind, (ok, total) in sorted(rates.items()):
        print(f"{real_models.name} {kind} examples: {ok}/{total} = {ok / total:.1%} validate")
        for line in failures[kind]:
            print("  FAIL", line)
    ok, total = rates["standard"]
    assert total >= 10 and ok / total >= 0.99
    if "x-oaiMeta" in rates:  # OpenAI's documentation payloads (some are older than the spec)
        ok, total = rates["x-oaiMeta"]
        assert total > 500 and ok / total >= 0.97


def test_openai_compound_filter_accepts_and_or_payloads(openai_models: Generated) -> None:
    schema = openai_models.spec["components"]["schemas"]["CompoundFilter"]
    assert sorted(schema["required"]) == ["filters", "type"]
    assert schema["properties"]["type"]["enum"] == ["and", "or"]
    models = openai_models.models()
    flt = models.CompoundFilter.model_validate({"type": "and", "filters": []})
    assert flt.type == "and"
    nested = models.CompoundFilter.model_validate(
        {
            "type": "or",
            "filters": [
                {"type": "eq", "key": "region", "value": "eu"},
                {"type": "and", "filters": [{"type": "gte", "key": "year", "value": 2020}]},
            ],
        }
    )
    assert type(nested.filters[0]).__name__ == "ComparisonFilter"
    assert type(nested.filters[1]).__name__ == "CompoundFilter"
    with pytest.raises(ValidationError):
        models.CompoundFilter.model_validate({"type": "xor", "filters": []})


USER_OK = """
from {pkg}.models import ChatCompletionRequestUserMessage, CompoundFilter, ComparisonFilter, CreateChatCompletionRequest

request = CreateChatCompletionRequest(
    model="gpt-4o",
    messages=[ChatCompletionRequestUserMessage(role="user", content="hi")],
    reasoning_effort="low",
)
flt = CompoundFilter(type="and", filters=[ComparisonFilter(type="eq", key="k", value=1)])
effort: str | None = request.reasoning_effort
"""
USER_BAD = """
from {pkg}.models import ChatCompletionRequestUserMessage, CreateChatCompletionRequest

CreateChatCompletionRequest(model="gpt-4o", messages=[], reasoning_effort="extreme")
CreateChatCompletionRequest(model="gpt-4o")
ChatCompletionRequestUserMessage(role="assistant", content="x")
"""


def test_generated_models_pass_ruff_and_mypy_strict(
    openai_models: Generated, elevenlabs_models: Generated, tmp_path: Path
) -> None:
    roots = [openai_models.root, elevenlabs_models.root]
    start = time.perf_counter()
    ruff = subprocess.run(
        [str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--statistics", *map(str, roots)],
        capture_output=True,
        text=True,
        check=False,
    )
    ruff_seconds = time.perf_counter() - start
    assert ruff.returncode == 0, ruff.stdout[-3000:]

    (openai_models.root / "user_ok.py").write_text(USER_OK.format(pkg=openai_models.package))
    (openai_models.root / "user_bad.py").write_text(USER_BAD.format(pkg=openai_models.package))
    env = {**os.environ, "MYPYPATH": os.pathsep.join(map(str, roots))}
    start = time.perf_counter()
    mypy = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "mypy"),
         "-p", openai_models.package, "-p", elevenlabs_models.package, "-m", "user_ok"],
        capture_output=True, text=True, check=False, env=env, cwd=openai_models.root,
    )  # fmt: skip
    mypy_seconds = time.perf_counter() - start
    print(f"\nruff check: {ruff_seconds:.1f} s; mypy --strict on both packages: {mypy_seconds:.1f} s")
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    assert "Success: no issues found" in mypy.stdout

    bad = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--cache-dir", str(tmp_path / "mypy"), "-m", "user_bad"],
        capture_output=True, text=True, check=False, env=env, cwd=openai_models.root,
    )  # fmt: skip
    errors = [line for line in bad.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 3, bad.stdout
    assert "reasoning_effort" in errors[0] and 'Missing named argument "messages"' in errors[1]
    assert "role" in errors[2]


IMPORT_ONE = "from {pkg}.models import {name}"
IMPORT_ALL = "import {pkg}.models as m\nfor n in m.__all__: getattr(m, n)"


def _seconds(code: str, cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_import_cost_is_paid_per_model(openai_models: Generated) -> None:
    root, pkg = openai_models.root, openai_models.package
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root)], check=True)  # as an installed package
    bare = _seconds("pass", root, 5)
    init = _seconds(f"import {pkg}.models", root, 5) - bare
    deep = _seconds(IMPORT_ONE.format(pkg=pkg, name="CreateChatCompletionRequest"), root, 5) - bare
    everything = _seconds(IMPORT_ALL.format(pkg=pkg), root, 3) - bare
    print(
        f"\nimport cost over `python -c pass` ({bare:.3f} s): {pkg}.models {init:.3f} s, "
        f"CreateChatCompletionRequest {deep:.3f} s, all {len(openai_models.output.classes)} classes {everything:.3f} s"
    )
    assert init < 0.05
    assert deep < everything / 3


def test_generation_is_deterministic_in_a_fresh_process(elevenlabs_models: Generated) -> None:
    script = (
        "import hashlib, json, sys\n"
        "from pathlib import Path\n"
        "from autosdk_py.models import generate_models\n"
        f"spec = json.loads(Path({str(ELEVENLABS_SPEC)!r}).read_text())\n"
        f"out = generate_models(spec, package={elevenlabs_models.package!r}, source=Path({str(ELEVENLABS_SPEC)!r}))\n"
        "print(hashlib.sha256(json.dumps(dict(out.files), sort_keys=True).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    expected = hashlib.sha256(json.dumps(dict(elevenlabs_models.output.files), sort_keys=True).encode()).hexdigest()
    assert done.stdout.strip() == expected


def test_elevenlabs_reference_cycle_is_one_module_and_validates_recursive_payloads(
    elevenlabs_models: Generated,
) -> None:
    out = elevenlabs_models.output
    module = out.classes["ASTNodeInput"].module
    members = sorted(c.spec_name or "" for c in out.classes.values() if c.module == module)
    assert len(members) == 14 and "ASTAndOperatorNode-Input" in members
    assert ".model_rebuild()" in out.files[module.replace(".", "/") + ".py"]
    models = elevenlabs_models.models()
    tree = models.ASTAndOperatorNodeInput.model_validate(
        {
            "type": "and_operator",
            "children": [
                {"type": "eq_operator", "left": {"type": "dynamic_variable", "name": "x"},
                 "right": {"type": "string_literal", "value": "a"}},
                {"type": "boolean_literal", "value": True},
            ],
        }
    )  # fmt: skip
    assert type(tree.children[0]).__name__ == "ASTEqualsOperatorNodeInput"
    assert type(tree.children[0].right).__name__ == "ASTStringNodeInput"
