"""autosdk_py.shapes: order-independent schema shapes and readable differences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from autosdk_py.shapes import diff_shapes, ref_name, schema_shape

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Voice": {
                "type": "object",
                "properties": {"inner": {"type": "object", "properties": {"x": {"type": "integer"}}}},
            }
        }
    }
}


def resolve(ref: str) -> Mapping[str, Any]:
    node: Any = DOC
    for token in ref[2:].split("/"):
        node = node[token]
    assert isinstance(node, Mapping)
    return node


def shape(schema: Mapping[str, Any] | bool) -> dict[str, Any]:
    return schema_shape(schema, resolve)


SESSION = {
    "type": "object",
    "description": "ignored",
    "required": ["model", "voice"],
    "properties": {
        "model": {"type": "string", "title": "ignored", "example": "x"},
        "voice": {"type": "string", "enum": ["alloy", "echo"]},
        "format": {"$ref": "#/components/schemas/Voice"},
        "tools": {
            "type": "array",
            "items": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]},
        },
    },
}
SESSION_REORDERED = {
    "properties": {
        "tools": {
            "items": {"oneOf": [{"$ref": "#/components/schemas/B"}, {"$ref": "#/components/schemas/A"}]},
            "type": "array",
        },
        "format": {"$ref": "#/components/schemas/Voice", "description": "other words"},
        "voice": {"enum": ["echo", "alloy"], "type": "string"},
        "model": {"type": "string"},
    },
    "required": ["voice", "model"],
    "type": "object",
}


def test_shape_ignores_order_descriptions_and_examples() -> None:
    assert shape(SESSION) == shape(SESSION_REORDERED)
    assert diff_shapes(shape(SESSION), shape(SESSION_REORDERED)) == []


def test_refs_are_named_by_schema_name_and_other_pointers_are_inlined() -> None:
    assert shape({"$ref": "#/components/schemas/Voice"}) == {"ref": "Voice"}
    inner = shape({"$ref": "#/components/schemas/Voice/properties/inner"})
    assert inner == {"types": ["object"], "properties": {"x": {"types": ["integer"]}}}
    assert ref_name("#/components/schemas/a~1b") == "a/b"
    assert ref_name("#/components/messages/x") is None


@pytest.mark.parametrize(
    "variant",
    [
        {"type": "string", "nullable": True},
        {"type": ["null", "string"]},
        {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "x"},
        {"oneOf": [{"type": "null"}, {"type": "string"}]},
    ],
)
def test_null_is_folded_into_nullable(variant: dict[str, Any]) -> None:
    assert shape(variant) == {"types": ["string"], "nullable": True}


def test_const_is_a_one_value_enum_and_enum_null_is_nullable() -> None:
    assert shape({"const": "x"}) == shape({"enum": ["x"]})
    assert shape({"type": "string", "enum": ["b", None, "a"]}) == {
        "types": ["string"],
        "enum": ["a", "b"],
        "nullable": True,
    }


def test_diff_reports_field_level_differences() -> None:
    realtime = {
        "type": "object",
        "required": ["voice", "model"],
        "properties": {
            "voice": {"type": "integer"},
            "model": {"type": "string", "enum": ["gpt"]},
            "extra": {"type": "boolean"},
        },
    }
    rest = {
        "type": "object",
        "required": ["voice"],
        "properties": {
            "voice": {"type": "string"},
            "model": {"type": "string", "enum": ["gpt", "alloy"]},
            "gone": {"type": "string"},
        },
    }
    assert diff_shapes(shape(rest), shape(realtime)) == [
        "required: +'model'",
        "property 'extra': added",
        "property 'gone': missing",
        "property 'model': enum values: missing 'alloy'",
        "property 'voice': type string != integer",
    ]


def test_diff_reports_nested_refs_items_and_union_members() -> None:
    a = shape(SESSION)
    b = shape(
        {
            **SESSION,
            "properties": {
                **SESSION["properties"],  # type: ignore[dict-item]
                "format": {"$ref": "#/components/schemas/Other"},
                "tools": {
                    "type": "array",
                    "items": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/C"}]},
                },
            },
        }
    )
    assert diff_shapes(a, b) == [
        "property 'format': type Voice != Other",
        "property 'tools[]': oneOf: missing member B",
        "property 'tools[]': oneOf: extra member C",
    ]
    # a one-member union is its member
    assert shape({"oneOf": [{"$ref": "#/components/schemas/A"}]}) == {"ref": "A"}


def test_shapes_of_boolean_and_empty_schemas() -> None:
    assert shape(True) == {} and shape({}) == {}
    assert shape(False) == {"never": True}
    assert diff_shapes(shape({"type": "string"}), shape({})) == ["type string != any"]
