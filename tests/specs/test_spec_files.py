"""The hand-written spec fixtures say what tests/specs/README.md says they say.

These tests only read the files (PyYAML and json, no generator code), so a broken fixture is reported
here rather than as a puzzling failure in a golden or error test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

SPECS = Path(__file__).resolve().parent
BAD = SPECS / "bad"
PLANTS = SPECS.parents[1] / "examples" / "plants"
SHARED = ("SensorReading", "WateringCommand", "PlantStatus", "ErrorEvent")

GOOD = [
    (SPECS / "petstore_30.yaml", "openapi", "3.0.3"),
    (SPECS / "features_31.yaml", "openapi", "3.1.0"),
    (PLANTS / "openapi.yaml", "openapi", "3.1.0"),
    (PLANTS / "asyncapi.yaml", "asyncapi", "3.0.0"),
    (PLANTS / "asyncapi_mismatched.yaml", "asyncapi", "3.0.0"),
]


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def resolve(doc: Any, ref: str) -> Any:
    node = doc
    for token in ref.removeprefix("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def schema_block(text: str, name: str) -> str:
    """The exact text of ``components.schemas.<name>`` (4-space indented key) in a YAML file."""
    start = text.index("\n  schemas:\n")
    match = re.compile(rf"^    {re.escape(name)}:\n(?:(?: {{6,}}.*)?\n)*", re.MULTILINE).search(text, start)
    assert match, f"no schema block {name}"
    return match.group(0)


@pytest.mark.parametrize(("path", "key", "version"), GOOD, ids=lambda v: getattr(v, "name", v))
def test_good_specs_parse_with_expected_version_and_resolving_refs(path: Path, key: str, version: str) -> None:
    doc = load(path)
    assert isinstance(doc, dict)
    assert str(doc[key]) == version
    found = refs(doc)
    assert found, "every fixture uses $ref"
    for ref in found:
        assert ref.startswith("#/")
        resolve(doc, ref)  # KeyError if dangling


@pytest.mark.parametrize("path", [SPECS / "petstore_30.yaml", SPECS / "features_31.yaml"], ids=lambda p: p.name)
def test_test_specs_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 400


def test_plants_shared_schemas_are_byte_for_byte_identical() -> None:
    openapi_text = (PLANTS / "openapi.yaml").read_text(encoding="utf-8")
    asyncapi_text = (PLANTS / "asyncapi.yaml").read_text(encoding="utf-8")
    openapi, asyncapi = load(PLANTS / "openapi.yaml"), load(PLANTS / "asyncapi.yaml")
    for name in SHARED:
        assert schema_block(openapi_text, name) == schema_block(asyncapi_text, name)
        schema = openapi["components"]["schemas"][name]
        assert schema == asyncapi["components"]["schemas"][name]
        assert refs(schema) == [], "shared schemas are self-contained"
        assert schema["properties"]["type"]["const"] == schema["examples"][0]["type"]
        assert set(schema["required"]) <= set(schema["properties"])


def test_plants_asyncapi_payloads_are_the_shared_schemas() -> None:
    doc = load(PLANTS / "asyncapi.yaml")
    payloads = {m["payload"]["$ref"].rsplit("/", 1)[1] for m in doc["components"]["messages"].values()}
    assert payloads == set(SHARED)
    assert set(doc["components"]["schemas"]) == set(SHARED)
    channel = doc["channels"]["plantUpdates"]
    assert channel["address"] == "/v1/plants/{plant_id}/live"
    assert set(channel["parameters"]) == {"plant_id"}
    assert channel["bindings"]["ws"]["query"]["properties"]["units"]["enum"] == ["metric", "imperial"]
    actions = {name: op["action"] for name, op in doc["operations"].items()}
    assert actions == {
        "sendWateringCommand": "send",
        "receiveSensorReading": "receive",
        "receivePlantStatus": "receive",
        "receiveError": "receive",
    }
    for op in doc["operations"].values():
        assert op["channel"] == {"$ref": "#/channels/plantUpdates"}
        for message in op["messages"]:
            assert message["$ref"].startswith("#/channels/plantUpdates/messages/")
            resolve(doc, message["$ref"])
    assert doc["servers"]["local"] == {
        "host": "127.0.0.1:8081",
        "protocol": "ws",
        "description": "Local demo server.",
        "security": [{"$ref": "#/components/securitySchemes/BearerAuth"}],
    }


def test_mismatched_asyncapi_differs_exactly_as_documented() -> None:
    good = load(PLANTS / "openapi.yaml")["components"]["schemas"]
    bad = load(PLANTS / "asyncapi_mismatched.yaml")["components"]["schemas"]
    assert set(bad) == {"SensorReadng", "WateringCommand", "PlantStatus", "ErrorEvent"}
    assert bad["SensorReadng"] == good["SensorReading"]  # only the name changed
    assert bad["ErrorEvent"] == good["ErrorEvent"]
    assert good["WateringCommand"]["properties"]["duration_s"]["type"] == "integer"
    assert bad["WateringCommand"]["properties"]["duration_s"]["type"] == "string"
    assert bad["WateringCommand"]["required"] == good["WateringCommand"]["required"]
    assert "health" in good["PlantStatus"]["required"]
    assert "health" not in bad["PlantStatus"]["required"]
    assert "health" not in bad["PlantStatus"]["properties"]
    rest = {k: v for k, v in good["PlantStatus"]["properties"].items() if k != "health"}
    assert bad["PlantStatus"]["properties"] == rest


@pytest.mark.parametrize(
    ("path", "union"),
    [(PLANTS / "openapi.yaml", "Alert"), (SPECS / "features_31.yaml", "Event")],
    ids=lambda v: getattr(v, "name", v),
)
def test_discriminated_unions_have_no_mapping_and_const_tags(path: Path, union: str) -> None:
    doc = load(path)
    schema = doc["components"]["schemas"][union]
    assert schema["discriminator"] == {"propertyName": "type"}
    tags = [resolve(doc, member["$ref"])["properties"]["type"]["const"] for member in schema["oneOf"]]
    assert len(tags) == len(set(tags)) >= 2


def test_plants_openapi_covers_the_brief() -> None:
    doc = load(PLANTS / "openapi.yaml")
    assert doc["info"]["title"] == "Plant Monitor API"
    assert doc["servers"] == [{"url": "http://127.0.0.1:8080/v1", "description": doc["servers"][0]["description"]}]
    assert doc["components"]["securitySchemes"]["BearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert doc["security"] == [{"BearerAuth": []}]
    assert {t["name"] for t in doc["tags"]} == {"plants", "readings", "alerts", "media"}
    ops = {op["operationId"]: op for item in doc["paths"].values() for m, op in item.items() if m != "parameters"}
    assert set(ops) >= {
        "listPlants", "createPlant", "getPlant", "updatePlant", "deletePlant", "listSensorReadings",
        "streamSensorReadings", "acknowledgeAlert", "uploadPlantPhoto", "downloadPlantPhoto",
    }  # fmt: skip
    assert "text/event-stream" in ops["streamSensorReadings"]["responses"]["200"]["content"]
    assert "image/jpeg" in ops["downloadPlantPhoto"]["responses"]["200"]["content"]
    assert "multipart/form-data" in ops["uploadPlantPhoto"]["requestBody"]["content"]
    assert "204" in ops["deletePlant"]["responses"]
    headers = [p for p in ops["acknowledgeAlert"]["parameters"] if p["in"] == "header"]
    assert [h["name"] for h in headers] == ["Idempotency-Key"]
    schemas = doc["components"]["schemas"]
    assert "full-sun" in schemas["LightLevel"]["enum"]
    assert schemas["Location"]["properties"]["shelf"]["nullable"] is True
    assert schemas["Plant"]["properties"]["notes"]["type"] == ["string", "null"]


def test_bad_malformed_yaml_fails_on_line_9() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        load(BAD / "malformed.yaml")
    assert info.value.problem_mark is not None
    assert info.value.problem_mark.line + 1 == 9


def test_bad_malformed_json_fails_on_line_7() -> None:
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads((BAD / "malformed.json").read_text(encoding="utf-8"))
    assert info.value.lineno == 7


def test_bad_swagger2_is_valid_swagger_not_openapi() -> None:
    text = (BAD / "swagger2.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["swagger"] == "2.0" and "openapi" not in doc and doc["paths"]
    assert text.splitlines()[1].strip().startswith('"swagger"')


def test_bad_unknown_kind_has_no_kind_key() -> None:
    doc = load(BAD / "unknown_kind.yaml")
    assert isinstance(doc, dict) and "paths" in doc
    assert not {"openapi", "asyncapi", "swagger"} & set(doc)


def test_bad_openapi_4_declares_4_on_line_2() -> None:
    text = (BAD / "openapi_4.yaml").read_text(encoding="utf-8")
    assert load(BAD / "openapi_4.yaml")["openapi"] == "4.0.0"
    assert text.splitlines()[1] == "openapi: 4.0.0"


def test_bad_dangling_ref_is_on_line_16_and_dangles() -> None:
    path = BAD / "dangling_ref.yaml"
    doc = load(path)
    assert refs(doc) == ["#/components/schemas/Missing"]
    assert "Missing" not in doc["components"]["schemas"]
    assert path.read_text(encoding="utf-8").splitlines()[15].strip() == "$ref: '#/components/schemas/Missing'"


def test_bad_not_a_mapping_is_a_list() -> None:
    assert isinstance(load(BAD / "not_a_mapping.yaml"), list)


def test_readme_lists_every_fixture() -> None:
    readme = (SPECS / "README.md").read_text(encoding="utf-8")
    files = [p.relative_to(SPECS).as_posix() for p in SPECS.rglob("*") if p.is_file() and p.suffix != ".pyc"]
    for name in files:
        if not name.endswith("README.md"):
            assert f"`{name}`" in readme, f"{name} is not described in tests/specs/README.md"
