"""Validate first, report all: the document is checked before any model is generated.

* Every real document (OpenAI, ElevenLabs, the corpus, the examples, the golden inputs) passes:
  no false alarm. Validation only, so this stays fast.
* Mutants of the real OpenAI and ElevenLabs specs (a misspelt ``type``, a ``$ref`` to ``#/info``
  or to a parameter where a schema belongs, ``enum: []``, a discriminator naming an absent property,
  a mapping to ``#/nope``...): every mutation is reported, at its JSON pointer, and nothing else.
* Small hand-written fixtures (``tests/specs/invalid/``): the whole error output of the CLI is
  compared with the expected text (``AUTOSDK_UPDATE_GOLDEN=1`` rewrites it); exit 1, nothing written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from autosdk_py.asyncapi.bundle import bundle_document
from autosdk_py.asyncapi.validate import asyncapi_layout, validate_asyncapi
from autosdk_py.errors import SpecError, SpecErrors, escape_pointer_token
from autosdk_py.loader import Document, load_document
from autosdk_py.openapi.validate import openapi_layout, validate_openapi
from autosdk_py.pipeline import GenerateOptions, generate
from autosdk_py.schema_rules import MAX_REPORTED, SCHEMA, check_schemas

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
INVALID = HERE / "specs" / "invalid"
UPDATE = os.environ.get("AUTOSDK_UPDATE_GOLDEN") == "1"

OPENAI = SHARED / "specs" / "openai" / "openapi.yaml"
ELEVENLABS = SHARED / "specs" / "elevenlabs" / "openapi.json"
OPENAI_REALTIME = SHARED / "specs" / "openai" / "asyncapi.json"
ELEVENLABS_REALTIME = SHARED / "specs" / "elevenlabs" / "asyncapi.json"


def _listed(folder: Path, pattern: str, count: int) -> list[Path]:
    found = sorted(folder.glob(pattern))
    assert len(found) == count, f"expected {count} documents matching {folder}/{pattern}, found {len(found)}"
    return found


REAL_OPENAPI = [
    OPENAI,
    ELEVENLABS,
    *_listed(SHARED / "corpus" / "pairs", "*/openapi.json", 2),
    ROOT / "examples" / "plants" / "openapi.yaml",
    HERE / "specs" / "petstore_30.yaml",
    HERE / "specs" / "features_31.yaml",
]
REAL_ASYNCAPI = [
    OPENAI_REALTIME,
    ELEVENLABS_REALTIME,
    *_listed(SHARED / "corpus" / "asyncapi", "*.*", 16),
    *_listed(SHARED / "corpus" / "pairs", "*/asyncapi.json", 2),
    *_listed(ROOT / "examples" / "plants", "asyncapi*.yaml", 2),
    HERE / "asyncapi" / "specs" / "chat_v2.yaml",
    HERE / "asyncapi" / "specs" / "chat_v3.yaml",
]


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@cache
def _load(path: Path) -> Document:
    assert path.exists(), f"{path} is missing: the real specs are expected in ../shared (see README)"
    return load_document(path)


def _problems(run: Callable[[], object]) -> dict[str, SpecError]:
    """The errors ``run`` raises, by JSON pointer (each pointer at most once)."""
    with pytest.raises((SpecError, SpecErrors)) as info:
        run()
    raised = info.value
    errors = raised.errors if isinstance(raised, SpecErrors) else [raised] if isinstance(raised, SpecError) else []
    by_pointer = {e.pointer or "": e for e in errors}
    assert len(by_pointer) == len(errors), "one problem per place"
    return by_pointer


# --- no false alarm on real documents ------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_OPENAPI, ids=_name)
def test_real_openapi_documents_pass(path: Path) -> None:
    doc = _load(path)
    api = validate_openapi(doc)
    assert api.info.title == doc.data["info"]["title"]
    layout = openapi_layout(doc.data)
    assert check_schemas(layout) == []
    assert sum(kind == SCHEMA for kind in layout.kinds.values()) >= len(doc.data["components"]["schemas"])


@pytest.mark.parametrize("path", REAL_ASYNCAPI, ids=_name)
def test_real_asyncapi_documents_pass(path: Path) -> None:
    doc = _load(path)
    bundle = bundle_document(doc)
    validate_asyncapi(doc, bundle)
    layout = asyncapi_layout(bundle.data, doc.version.startswith("3."))
    assert check_schemas(layout) == []
    assert any(kind == SCHEMA for kind in layout.kinds.values()) or not layout.roots


def test_validating_the_openai_spec_takes_well_under_a_second_beyond_parsing() -> None:
    doc = _load(OPENAI)
    validate_openapi(doc)  # warm: the first run also imports and builds openapi-pydantic's validators
    start = time.perf_counter()
    validate_openapi(doc)
    elapsed = time.perf_counter() - start
    # ~0.5 s measured on 2 shared cores; the bound catches a quadratic walk, not scheduling noise.
    assert elapsed < 2.5, f"validating the OpenAI spec took {elapsed:.2f} s"


# --- mutants of the real specs ---------------------------------------------------------------------


class Mutations:
    """In-place changes of a cached document's data, undone afterwards (a deep copy costs ~1 s)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.undo: list[tuple[Any, Any, Any]] = []
        self.expected: dict[str, str] = {}

    def set(self, pointer: str, value: Any) -> None:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
        parent: Any = self.data
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        key: Any = int(tokens[-1]) if isinstance(parent, list) else tokens[-1]
        self.undo.append((parent, key, parent[key] if key in parent or isinstance(parent, list) else _ABSENT))
        parent[key] = value

    def expect(self, pointer: str, message: str) -> None:
        self.expected[pointer] = message

    def restore(self) -> None:
        for parent, key, old in reversed(self.undo):
            if old is _ABSENT:
                del parent[key]
            else:
                parent[key] = old


_ABSENT = object()


@contextmanager
def mutated(doc: Document) -> Iterator[Mutations]:
    changes = Mutations(doc.data)
    try:
        yield changes
    finally:
        changes.restore()


def _schemas_where(data: dict[str, Any], keep: Callable[[dict[str, Any]], bool]) -> list[str]:
    """Pointers of the component schemas' properties (and the schemas themselves) that ``keep`` accepts."""
    found: list[str] = []
    for name, schema in data["components"]["schemas"].items():
        if not isinstance(schema, dict):
            continue
        base = f"/components/schemas/{escape_pointer_token(name)}"
        if keep(schema):
            found.append(base)
        for prop, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and keep(sub):
                found.append(f"{base}/properties/{escape_pointer_token(prop)}")
    return found


def _spread(items: list[str], count: int = 3) -> list[str]:
    """A few places from the start, the middle and the end of the document."""
    assert len(items) >= count, items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def _get(data: Any, pointer: str) -> Any:
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


def _first_operation_with(data: dict[str, Any], part: str) -> str:
    for path, item in data["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get(part):
                return f"/paths/{escape_pointer_token(path)}/{method}/{part}"
    raise AssertionError(f"no operation with {part}")


def _discriminators(data: dict[str, Any]) -> list[str]:
    def tagged(schema: dict[str, Any]) -> bool:
        disc = schema.get("discriminator")
        return isinstance(disc, dict) and isinstance(disc.get("propertyName"), str) and "oneOf" in schema

    return _schemas_where(data, tagged)


def _mutate_openapi(doc: Document, changes: Mutations) -> None:
    data = doc.data
    strings = _schemas_where(data, lambda s: s.get("type") == "string" and "enum" not in s and "$ref" not in s)
    for pointer in _spread(strings):
        changes.set(pointer + "/type", "strnig")
        changes.expect(pointer + "/type", "unknown schema type 'strnig'")
    refs = _schemas_where(data, lambda s: list(s) == ["$ref"])
    info, parameter, response, enum_ref = _spread(refs, 4)
    changes.set(info, {"$ref": "#/info"})
    changes.expect(info + "/$ref", "$ref '#/info' points at the info object, not a schema")
    param = _first_operation_with(data, "parameters") + "/0"
    changes.set(parameter, {"$ref": "#" + param})
    changes.expect(parameter + "/$ref", f"$ref '#{param}' points at a parameter, not a schema")
    answer = (
        _first_operation_with(data, "responses")
        + "/"
        + escape_pointer_token(next(iter(_get(data, _first_operation_with(data, "responses")))))
    )
    changes.set(response, {"$ref": "#" + answer})
    changes.expect(response + "/$ref", f"$ref '#{answer}' points at a response, not a schema")
    changes.set(enum_ref, {"$ref": "#/components"})
    changes.expect(enum_ref + "/$ref", "$ref '#/components' points at the components object, not a schema")
    enums = _schemas_where(data, lambda s: isinstance(s.get("enum"), list) and len(s["enum"]) > 1)
    for pointer in _spread(enums):
        changes.set(pointer + "/enum", [])
        changes.expect(pointer + "/enum", "'enum' is empty: no value would be valid")
    unions = _discriminators(data)
    absent, mapped = _spread(unions, 4)[:2], _spread(unions, 4)[2:]
    for pointer in absent:
        members = len(_get(data, pointer)["oneOf"])
        changes.set(pointer + "/discriminator", {"propertyName": "no_such_tag"})
        where = pointer + "/discriminator/propertyName"
        changes.expect(where, f"discriminator property 'no_such_tag' is missing from {members} of {members} members")
    for pointer in mapped:
        mapping = dict(_get(data, pointer)["discriminator"].get("mapping") or {})
        mapping["mutant"] = "#/nope"
        changes.set(pointer + "/discriminator/mapping", mapping)
        where = pointer + "/discriminator/mapping/mutant"
        changes.expect(where, "mapping 'mutant' points to nothing in this document: '#/nope'")


@pytest.mark.parametrize("path", [OPENAI, ELEVENLABS], ids=_name)
def test_every_mutation_of_a_real_openapi_spec_is_reported_at_its_pointer(path: Path) -> None:
    doc = _load(path)
    with mutated(doc) as changes:
        _mutate_openapi(doc, changes)
        assert len(changes.expected) == 3 + 4 + 3 + 4
        found = _problems(lambda: validate_openapi(doc))
    assert sorted(found) == sorted(changes.expected)
    for pointer, message in changes.expected.items():
        assert found[pointer].message.startswith(message), (pointer, found[pointer].message)
        assert found[pointer].file == path
        assert isinstance(found[pointer].line, int)
        assert found[pointer].hint
    typo = next(e for e in found.values() if "strnig" in e.message)
    assert typo.hint is not None and typo.hint.startswith("did you mean 'string'?")
    validate_openapi(doc)  # restored: the real document passes again


def _mutate_asyncapi(doc: Document, changes: Mutations) -> None:
    data = doc.data
    channel = next(iter(data["channels"]))
    slots = list(data["channels"][channel]["messages"])
    slot = f"/channels/{escape_pointer_token(channel)}/messages/{escape_pointer_token(slots[-1])}"
    changes.set(slot, {"$ref": "#/info"})
    changes.expect(slot + "/$ref", "$ref '#/info' points at the info object, not a message")
    schema_name = next(iter(data["components"]["schemas"]))
    operation = next(iter(data["operations"]))
    entry = f"/operations/{escape_pointer_token(operation)}/messages/0"
    target = f"#/components/schemas/{escape_pointer_token(schema_name)}"
    changes.set(entry, {"$ref": target})
    changes.expect(entry + "/$ref", f"$ref '{target}' points at a schema, not a message")
    messages = list(data["components"]["messages"])
    payload = f"/components/messages/{escape_pointer_token(messages[0])}/payload"
    changes.set(payload, {"$ref": f"#/components/messages/{escape_pointer_token(messages[1])}"})
    changes.expect(
        payload + "/$ref",
        f"$ref '#/components/messages/{escape_pointer_token(messages[1])}' points at a message, not a schema",
    )
    strings = _schemas_where(data, lambda s: s.get("type") == "string" and "enum" not in s and "$ref" not in s)
    for pointer in _spread(strings, 2):
        changes.set(pointer + "/type", "strnig")
        changes.expect(pointer + "/type", "unknown schema type 'strnig'")
    enums = _schemas_where(data, lambda s: isinstance(s.get("enum"), list) and len(s["enum"]) > 1)
    changes.set(enums[0] + "/enum", [])
    changes.expect(enums[0] + "/enum", "'enum' is empty: no value would be valid")


@pytest.mark.parametrize("path", [OPENAI_REALTIME, ELEVENLABS_REALTIME], ids=_name)
def test_every_mutation_of_a_real_asyncapi_spec_is_reported_at_its_pointer(path: Path) -> None:
    doc = _load(path)
    with mutated(doc) as changes:
        _mutate_asyncapi(doc, changes)
        found = _problems(lambda: validate_asyncapi(doc, bundle_document(doc)))
    assert sorted(found) == sorted(changes.expected)
    for pointer, message in changes.expected.items():
        assert found[pointer].message == message, pointer
        assert found[pointer].line is not None
    validate_asyncapi(doc, bundle_document(doc))


# --- hand-written fixtures: the whole output -------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", *args],
        capture_output=True,
        text=True,
        cwd=INVALID,
        env=env,
        timeout=120,
    )


def _compare(output: str, expected: Path) -> None:
    if UPDATE:
        expected.write_text(output, encoding="utf-8")
    assert output == expected.read_text(encoding="utf-8")


FIXTURES = sorted(p.name for p in INVALID.glob("*.yaml"))


def test_the_fixtures_are_all_here() -> None:
    assert FIXTURES == [
        "asyncapi_schema_rules.yaml",
        "asyncapi_v2_rules.yaml",
        "openapi_schema_rules.yaml",
        "openapi_structure.yaml",
    ]


@pytest.mark.parametrize("name", FIXTURES)
def test_generate_reports_every_problem_of_an_invalid_spec(name: str, tmp_path: Path) -> None:
    output = tmp_path / "out"
    proc = run_cli("generate", name, "--namespace", "x", "--output", str(output))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    _compare(proc.stderr, INVALID / (Path(name).stem + ".txt"))
    assert not output.exists()


def test_check_validates_the_openapi_document_first(tmp_path: Path) -> None:
    plants = ROOT / "examples" / "plants" / "asyncapi.yaml"
    proc = run_cli("check", "openapi_schema_rules.yaml", str(plants))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (INVALID / "openapi_schema_rules.txt").read_text(encoding="utf-8")


def test_check_validates_the_asyncapi_document() -> None:
    plants = ROOT / "examples" / "plants" / "openapi.yaml"
    proc = run_cli("check", str(plants), "asyncapi_schema_rules.yaml")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (INVALID / "asyncapi_schema_rules.txt").read_text(encoding="utf-8")


def test_validation_runs_before_the_models_step(tmp_path: Path) -> None:
    steps: list[str] = []

    def progress(step: str, elapsed: float | None) -> None:
        if elapsed is None:
            steps.append(step)

    spec = INVALID / "openapi_schema_rules.yaml"
    with pytest.raises(SpecErrors) as info:
        generate(GenerateOptions(spec=spec, output=tmp_path / "out", namespace="x"), progress)
    assert steps == ["Validating the document"]
    assert len(info.value.errors) == 11
    assert not (tmp_path / "out").exists()


# --- bounds ---------------------------------------------------------------------------------------


def test_a_flood_of_problems_is_cut_short(tmp_path: Path) -> None:
    count = MAX_REPORTED + 20
    props = "\n".join(f"        p{i}:\n          type: strnig" for i in range(count))
    spec = tmp_path / "flood.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: Flood, version: '1'}\npaths: {}\n"
        f"components:\n  schemas:\n    Many:\n      type: object\n      properties:\n{props}\n",
        encoding="utf-8",
    )
    errors = list(_problems(lambda: validate_openapi(load_document(spec))).values())
    assert len(errors) == MAX_REPORTED + 1
    assert errors[0].pointer == "/components/schemas/Many/properties/p0/type"
    assert errors[0].line == 10  # the line of p0's type
    assert errors[-1].message == "20 more problem(s) not shown"
    assert errors[-1].hint == "fix the problems above and run again"


def test_a_flood_of_asyncapi_problems_is_cut_short_too(tmp_path: Path) -> None:
    count = MAX_REPORTED + 5
    props = "\n".join(f"        p{i}: {{type: strnig}}" for i in range(count))
    spec = tmp_path / "flood.yaml"
    spec.write_text(
        "asyncapi: 3.0.0\ninfo: {title: Flood, version: '1'}\nchannels: {}\n"
        f"components:\n  schemas:\n    Many:\n      type: object\n      properties:\n{props}\n",
        encoding="utf-8",
    )
    doc = load_document(spec)
    errors = list(_problems(lambda: validate_asyncapi(doc, bundle_document(doc))).values())
    assert len(errors) == MAX_REPORTED + 1
    assert errors[MAX_REPORTED - 1].pointer == f"/components/schemas/Many/properties/p{MAX_REPORTED - 1}/type"
    assert errors[-1].message == "5 more problem(s) not shown"


def test_a_schema_that_contains_itself_ends() -> None:
    looped: dict[str, Any] = {"type": "object", "properties": {}}
    looped["properties"]["again"] = looped
    looped["properties"]["typo"] = {"type": "strnig"}
    data: dict[str, Any] = {"openapi": "3.1.0", "components": {"schemas": {"Loop": looped}}}
    start = time.perf_counter()
    problems = check_schemas(openapi_layout(data))
    assert time.perf_counter() - start < 1
    assert [p.pointer for p in problems] == ["/components/schemas/Loop/properties/typo/type"]


def test_a_ref_that_leads_through_itself_ends() -> None:
    data: dict[str, Any] = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {"A": {"$ref": "#/components/schemas/A/x"}, "B": {"$ref": "#/components/schemas/A/y"}}
        },
    }
    start = time.perf_counter()
    assert check_schemas(openapi_layout(data)) == []  # dangling: reported by check_local_refs, not here
    assert time.perf_counter() - start < 1
