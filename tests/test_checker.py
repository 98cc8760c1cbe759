"""Pass 2's name-matching checker on real spec pairs, the plants example and hand-made edge cases."""

from __future__ import annotations

import copy
import functools
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from autosdk_py.checker import (
    CheckReport,
    SchemaMismatch,
    check_against,
    find_manifest,
    manifest_from_openapi,
)
from autosdk_py.errors import SpecError
from autosdk_py.loader import load_document
from autosdk_py.openapi.normalize import normalize_spec
from autosdk_py.pipeline import GenerateOptions, generate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PLANTS = ROOT / "examples" / "plants"
OPENAI = SHARED / "specs" / "openai"
ELEVENLABS = SHARED / "specs" / "elevenlabs"
DISCORD = SHARED / "corpus" / "pairs" / "discord"


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    assert path.exists(), f"{path} is missing (the real specs are expected in ../shared)"
    return load_document(path).data


def data(path: Path) -> dict[str, Any]:
    """A private copy of a (cached) parsed document."""
    return copy.deepcopy(_load(path))


@functools.cache
def _manifest(openapi: Path, package: str) -> dict[str, Any]:
    return manifest_from_openapi(_load(openapi), package)


def check(openapi: Path, asyncapi: Path, package: str) -> CheckReport:
    return check_against(_load(asyncapi), _manifest(openapi, package))


def schema_names(path: Path) -> set[str]:
    return set(_load(path)["components"]["schemas"])


# ---------------------------------------------------------------------------------------------------
# Real pairs


def test_openai_realtime_schemas_all_match_the_rest_api() -> None:
    asyncapi = OPENAI / "asyncapi.json"
    report = check(OPENAI / "openapi.yaml", asyncapi, "openai")
    assert report.ok, report.format(asyncapi, "openapi.yaml")
    assert len(report.matched) == 111
    assert set(report.matched) == schema_names(asyncapi)
    assert report.mismatches == ()
    text = report.format(asyncapi, "openapi.yaml (computed)")
    assert "111 of 111 schemas match." in text
    assert "Problems" not in text


def test_elevenlabs_realtime_schemas_do_not_exist_in_the_rest_api() -> None:
    asyncapi = ELEVENLABS / "asyncapi.json"
    report = check(ELEVENLABS / "openapi.json", asyncapi, "elevenlabs")
    assert not report.ok
    assert report.matched == ()
    assert [m.kind for m in report.mismatches] == ["missing"] * 8
    names = [m.name for m in report.mismatches]
    assert names == sorted(schema_names(asyncapi))
    assert all(m.pointer == f"/components/schemas/{m.name}" for m in report.mismatches)
    text = report.format(asyncapi, "openapi.json (computed)")
    assert "0 of 8 schemas exist in elevenlabs." in text
    assert "  - SessionConfig (/components/schemas/SessionConfig): no schema of this name in elevenlabs" in text
    assert "--namespace y without --types-namespace" in text


def test_discord_shared_names_match_in_shape_even_where_the_text_differs() -> None:
    """The corpus README counts 23 shared names, 17 identical and 6 written differently; all 6 differ
    only in how null is allowed (``nullable: true`` vs ``oneOf: [null, X]``), which accepts the same
    values, so the checker matches all 23 and rejects the 4 names the REST document lacks."""
    openapi, asyncapi = DISCORD / "openapi.json", DISCORD / "asyncapi.json"
    shared = schema_names(openapi) & schema_names(asyncapi)
    a_schemas, o_schemas = _load(asyncapi)["components"]["schemas"], _load(openapi)["components"]["schemas"]
    textually_different = {n for n in shared if a_schemas[n] != o_schemas[n]}
    assert len(shared) == 23
    assert textually_different == {
        "GuildChannel",
        "GuildEmojiObject",
        "RoleObject",
        "StickerObject",
        "WelcomeScreenChannelObject",
        "WelcomeScreenGuildObject",
    }

    report = check(openapi, asyncapi, "discord")
    assert set(report.matched) == shared
    assert {m.name for m in report.mismatches} == schema_names(asyncapi) - shared
    assert {m.kind for m in report.mismatches} == {"missing"}
    assert len(report.mismatches) == 4
    assert "23 of 27 schemas exist in discord; those 23 match." in report.format(asyncapi, "openapi.json")


def test_discord_a_real_difference_is_caught() -> None:
    """Dropping the null alternative of one property makes the otherwise equal schema mismatch."""
    asyncapi = data(DISCORD / "asyncapi.json")
    prop = asyncapi["components"]["schemas"]["GuildChannel"]["properties"]["last_message_id"]
    assert prop["oneOf"][0] == {"type": "null"}
    asyncapi["components"]["schemas"]["GuildChannel"]["properties"]["last_message_id"] = prop["oneOf"][1]
    report = check_against(asyncapi, _manifest(DISCORD / "openapi.json", "discord"))
    shape = [m for m in report.mismatches if m.kind == "shape"]
    assert shape == [
        SchemaMismatch(
            "GuildChannel",
            "/components/schemas/GuildChannel",
            "shape",
            differences=("property 'last_message_id': nullable False != True",),
        )
    ]
    assert "GuildChannel" not in report.matched


# ---------------------------------------------------------------------------------------------------
# The plants example


def test_plants_example_matches() -> None:
    report = check(PLANTS / "openapi.yaml", PLANTS / "asyncapi.yaml", "plant_monitor")
    assert report.ok
    assert report.matched == ("ErrorEvent", "PlantStatus", "SensorReading", "WateringCommand")
    assert "4 of 4 schemas match." in report.format(PLANTS / "asyncapi.yaml", "x")


def test_plants_mismatched_example_lists_every_problem() -> None:
    asyncapi = PLANTS / "asyncapi_mismatched.yaml"
    report = check(PLANTS / "openapi.yaml", asyncapi, "plant_monitor")
    assert not report.ok
    assert report.matched == ("ErrorEvent",)
    assert report.mismatches == (
        SchemaMismatch(
            "PlantStatus",
            "/components/schemas/PlantStatus",
            "shape",
            differences=("required: +'health'", "property 'health': added"),
        ),
        SchemaMismatch("SensorReadng", "/components/schemas/SensorReadng", "missing", suggestions=("SensorReading",)),
        SchemaMismatch(
            "WateringCommand",
            "/components/schemas/WateringCommand",
            "shape",
            differences=("property 'duration_s': type string != integer",),
        ),
    )

    lines = report.format(asyncapi, "Generated/plant_monitor/_manifest.json").splitlines()
    assert lines[0].startswith(f"Checked the schemas of {asyncapi} ")
    assert "plant_monitor" in lines[0]
    assert "(manifest: Generated/plant_monitor/_manifest.json)." in lines
    assert "1 of 4 schemas match: 1 does not exist in plant_monitor, 2 exist with a different shape." in lines
    assert (
        "  - SensorReadng (/components/schemas/SensorReadng): no schema of this name in plant_monitor; "
        "did you mean 'SensorReading'?"
    ) in lines
    # The differences are indented under their schema's line.
    head = next(i for i, line in enumerate(lines) if line.startswith("  - WateringCommand "))
    assert lines[head + 1] == "      property 'duration_s': type string != integer"
    head = next(i for i, line in enumerate(lines) if line.startswith("  - PlantStatus "))
    assert lines[head + 1 : head + 3] == ["      required: +'health'", "      property 'health': added"]
    assert lines[-1].startswith("To fix: rename or align the AsyncAPI schemas")
    assert "--namespace y without --types-namespace" in lines[-1]


def test_inline_payloads_cannot_be_matched() -> None:
    report = check_against(
        _load(PLANTS / "asyncapi.yaml"),
        _manifest(PLANTS / "openapi.yaml", "plant_monitor"),
        inline_payloads=[("Ping", "/components/messages/Ping/payload")],
    )
    assert not report.ok
    assert len(report.matched) == 4
    assert report.mismatches == (SchemaMismatch("Ping", "/components/messages/Ping/payload", "inline"),)
    text = report.format(PLANTS / "asyncapi.yaml", "x")
    assert "4 of 4 schemas match; 1 message payload is written inline and cannot be matched." in text
    assert "  - Ping (/components/messages/Ping/payload): the payload of message 'Ping' is written inline" in text
    assert "move the payload into components/schemas under the name of the OpenAPI schema" in text
    assert "$ref" in text


def test_suggestions_are_case_insensitive_and_mismatches_sorted() -> None:
    asyncapi = data(PLANTS / "asyncapi.yaml")
    schemas = asyncapi["components"]["schemas"]
    schemas["sensorreading"] = schemas.pop("SensorReading")
    schemas["AAA_unrelated_name"] = {"type": "string"}
    report = check_against(asyncapi, _manifest(PLANTS / "openapi.yaml", "plant_monitor"))
    assert [(m.name, m.kind) for m in report.mismatches] == [
        ("AAA_unrelated_name", "missing"),
        ("sensorreading", "missing"),
    ]
    assert report.mismatches[0].suggestions == ()
    assert report.mismatches[1].suggestions[0] == "SensorReading"


def test_multi_format_schemas() -> None:
    """AsyncAPI 3.0 multi-format schema objects: JSON Schema is compared, other formats cannot be."""
    asyncapi = data(PLANTS / "asyncapi.yaml")
    schemas = asyncapi["components"]["schemas"]
    schemas["ErrorEvent"] = {
        "schemaFormat": "application/schema+json;version=draft-07",
        "schema": schemas["ErrorEvent"],
    }
    schemas["PlantStatus"] = {"schemaFormat": "application/vnd.apache.avro;version=1.9.0", "schema": {"type": "record"}}
    report = check_against(asyncapi, _manifest(PLANTS / "openapi.yaml", "plant_monitor"))
    assert "ErrorEvent" in report.matched
    assert [(m.name, m.kind) for m in report.mismatches] == [("PlantStatus", "shape")]
    assert "only JSON Schema payloads can be compared" in report.mismatches[0].differences[0]


# ---------------------------------------------------------------------------------------------------
# Manifests


@pytest.fixture(scope="module")
def plants_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("checker_plants")
    generate(GenerateOptions(spec=PLANTS / "openapi.yaml", output=output, namespace="plant_monitor"))
    return output


def test_find_manifest_in_the_output_folder(plants_output: Path) -> None:
    manifest, source = find_manifest("plant_monitor", plants_output)
    assert source == str(plants_output / "plant_monitor" / "_manifest.json")
    assert manifest["package"] == "plant_monitor"
    assert manifest["schemas"]["SensorReading"]["module"] == "models._sensor_reading"

    # The manifest computed without generating models is the written one, modules aside.
    computed = manifest_from_openapi(_load(PLANTS / "openapi.yaml"), "plant_monitor")
    assert computed["package"] == manifest["package"]
    assert computed["format"] == manifest["format"]
    assert computed["schemas"].keys() == manifest["schemas"].keys()
    for name, entry in manifest["schemas"].items():
        assert computed["schemas"][name]["class_name"] == entry["class_name"], name
        assert computed["schemas"][name]["shape"] == entry["shape"], name
        assert computed["schemas"][name]["module"] == ""
    # ... including the schemas pass 1 names for inline request/response bodies.
    assert "UploadPlantPhotoRequest" not in _load(PLANTS / "openapi.yaml")["components"]["schemas"]
    assert "UploadPlantPhotoRequest" in computed["schemas"]

    # Checking against the written manifest gives the same answer as against the computed one.
    asyncapi = PLANTS / "asyncapi_mismatched.yaml"
    assert check_against(_load(asyncapi), manifest) == check(PLANTS / "openapi.yaml", asyncapi, "plant_monitor")


def test_find_manifest_of_an_importable_package_without_importing_it(
    plants_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    package = site / "chk_acme" / "plants"
    package.mkdir(parents=True)
    for init in (site / "chk_acme" / "__init__.py", package / "__init__.py"):
        init.write_text("raise RuntimeError('the checker must not import the package')\n")
    shutil.copy(plants_output / "plant_monitor" / "_manifest.json", package / "_manifest.json")
    monkeypatch.syspath_prepend(str(site))

    manifest, source = find_manifest("chk_acme.plants", tmp_path / "not_here")
    assert source == f"{package / '_manifest.json'} (importable package chk_acme.plants)"
    assert "SensorReading" in manifest["schemas"]
    assert "chk_acme" not in sys.modules
    assert "chk_acme.plants" not in sys.modules


def test_importable_package_without_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "chk_no_manifest").mkdir()
    (tmp_path / "chk_no_manifest" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SpecError) as info:
        find_manifest("chk_no_manifest", tmp_path / "out")
    assert "has no _manifest.json" in info.value.message
    assert info.value.hint is not None
    assert f"autosdk generate openapi.yaml --namespace chk_no_manifest --output {tmp_path / 'out'}" in info.value.hint


def test_missing_manifest_says_to_run_pass_1(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        find_manifest("chk_absent_types", tmp_path)
    err = info.value
    assert str(tmp_path / "chk_absent_types" / "_manifest.json") in err.message
    assert "'chk_absent_types' is not an importable package" in err.message
    assert err.hint is not None
    assert "run pass 1 first" in err.hint
    assert f"autosdk generate openapi.yaml --namespace chk_absent_types --output {tmp_path}" in err.hint
    assert "hint: run pass 1 first" in str(err)


def test_unreadable_manifest_and_invalid_namespace(tmp_path: Path) -> None:
    (tmp_path / "chk_broken").mkdir()
    (tmp_path / "chk_broken" / "_manifest.json").write_text(json.dumps({"format": 999}))
    with pytest.raises(SpecError) as info:
        find_manifest("chk_broken", tmp_path)
    assert "cannot read the models manifest" in info.value.message
    assert info.value.file == tmp_path / "chk_broken" / "_manifest.json"

    with pytest.raises(SpecError) as info:
        find_manifest("acme..api", tmp_path)
    assert "invalid --types-namespace" in info.value.message


def test_manifest_class_names_follow_pass_1() -> None:
    """Names that are not identifiers, or that would shadow an import, get pass 1's class names."""
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "ASTNode-Input": {
                    "type": "object",
                    "properties": {"child": {"$ref": "#/components/schemas/Annotated"}},
                },
                "Annotated": {"type": "string", "enum": ["b", "a"]},
                "Plain": {"type": ["string", "null"]},
            }
        },
    }
    manifest = manifest_from_openapi(spec, "acme.api")
    expected = normalize_spec(spec).class_names
    assert {n: e["class_name"] for n, e in manifest["schemas"].items()} == expected
    assert expected["ASTNode-Input"] != "ASTNode-Input"
    assert expected["Annotated"] != "Annotated"
    assert manifest["package"] == "acme.api"
    assert manifest["schemas"]["ASTNode-Input"]["shape"] == {
        "types": ["object"],
        "properties": {"child": {"ref": "Annotated"}},
    }
    assert manifest["schemas"]["Plain"]["shape"] == {"types": ["string"], "nullable": True}
