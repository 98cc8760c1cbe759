"""Unit tests of autosdk_py.openapi.normalize: each fix on a small document."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from autosdk_py.openapi.normalize import (
    SCHEMA_PREFIX,
    assign_class_names,
    collect_examples,
    normalize_spec,
)


def doc(schemas: dict[str, Any], version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        **extra,
        "components": {"schemas": schemas},
    }


def ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMA_PREFIX + name}


# --- nullable -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_nullable_scalar_becomes_a_type_list_in_both_versions(version: str) -> None:
    spec = doc({"A": {"type": "object", "properties": {"x": {"type": "string", "nullable": True}}}}, version)
    out = normalize_spec(spec, relax=False).document["components"]["schemas"]["A"]["properties"]["x"]
    assert out == {"type": ["string", "null"]}


def test_nullable_enum_gets_a_null_value() -> None:
    spec = doc({"E": {"type": "string", "enum": ["a", "b"], "nullable": True, "description": "d"}})
    out = normalize_spec(spec, relax=False).document["components"]["schemas"]["E"]
    assert out == {"type": ["string", "null"], "enum": ["a", "b", None], "description": "d"}


def test_nullable_ref_keeps_ref_description_and_default() -> None:
    prop = {"$ref": SCHEMA_PREFIX + "B", "nullable": True, "description": "the b", "default": None}
    spec = doc({"A": {"type": "object", "properties": {"b": prop}}, "B": {"type": "string", "enum": ["x"]}})
    out = normalize_spec(spec, relax=False).document["components"]["schemas"]["A"]["properties"]["b"]
    assert out == {"description": "the b", "default": None, "anyOf": [ref("B"), {"type": "null"}]}


def test_nullable_one_of_gets_a_null_member_and_keeps_its_discriminator() -> None:
    spec = doc(
        {
            "U": {"oneOf": [ref("X"), ref("Y")], "discriminator": {"propertyName": "t"}, "nullable": True},
            "X": {
                "type": "object",
                "required": ["t"],
                "properties": {"t": {"type": "string", "enum": ["x"]}},
            },
            "Y": {"type": "object", "required": ["t"], "properties": {"t": {"type": "string", "const": "y"}}},
        }
    )
    out = normalize_spec(spec, relax=False).document["components"]["schemas"]["U"]
    assert out["oneOf"] == [ref("X"), ref("Y"), {"type": "null"}]
    assert out["discriminator"]["mapping"] == {"x": SCHEMA_PREFIX + "X", "y": SCHEMA_PREFIX + "Y"}


def test_all_of_with_a_nullable_member_is_a_nullable_reference() -> None:
    prop = {"allOf": [ref("B"), {"nullable": True}], "description": "d"}
    spec = doc({"A": {"type": "object", "properties": {"b": prop}}, "B": {"type": "object"}})
    out = normalize_spec(spec, relax=False).document["components"]["schemas"]["A"]["properties"]["b"]
    assert out == {"description": "d", "anyOf": [ref("B"), {"type": "null"}]}


# --- discriminators ---------------------------------------------------------------------------------


def _filters_spec() -> dict[str, Any]:
    return doc(
        {
            "Comparison": {
                "type": "object",
                "required": ["type", "key"],
                "properties": {
                    "type": {"type": "string", "enum": ["eq", "ne", "gt"]},
                    "key": {"type": "string"},
                },
            },
            "Compound": {
                "$recursiveAnchor": True,
                "type": "object",
                "required": ["type", "filters"],
                "properties": {
                    "type": {"type": "string", "enum": ["and", "or"]},
                    "filters": {
                        "type": "array",
                        "items": {
                            "oneOf": [ref("Comparison"), {"$recursiveRef": "#"}],
                            "discriminator": {"propertyName": "type"},
                        },
                    },
                },
            },
        }
    )


def test_discriminator_mapping_has_one_key_per_enum_value_and_recursive_ref_is_resolved() -> None:
    normalized = normalize_spec(_filters_spec(), relax=False)
    items = normalized.document["components"]["schemas"]["Compound"]["properties"]["filters"]["items"]
    assert items["oneOf"] == [ref("Comparison"), ref("Compound")]
    assert items["discriminator"]["mapping"] == {
        "eq": SCHEMA_PREFIX + "Comparison",
        "ne": SCHEMA_PREFIX + "Comparison",
        "gt": SCHEMA_PREFIX + "Comparison",
        "and": SCHEMA_PREFIX + "Compound",
        "or": SCHEMA_PREFIX + "Compound",
    }
    assert normalized.stats.recursive_refs == 1
    assert "$recursiveAnchor" not in normalized.document["components"]["schemas"]["Compound"]


def test_discriminator_looks_through_all_of_members_and_completes_a_partial_mapping() -> None:
    spec = doc(
        {
            "U": {
                "oneOf": [ref("Base"), ref("Derived")],
                "discriminator": {"propertyName": "kind", "mapping": {"base": "Base"}},
            },
            "Base": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "base"}}},
            "Tagged": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"enum": ["d1", "d2"]}},
            },
            "Derived": {"allOf": [ref("Tagged"), {"type": "object", "properties": {"id": {"type": "string"}}}]},
        }
    )
    mapping = normalize_spec(spec, relax=False).document["components"]["schemas"]["U"]["discriminator"]["mapping"]
    assert mapping == {
        "base": SCHEMA_PREFIX + "Base",
        "d1": SCHEMA_PREFIX + "Derived",
        "d2": SCHEMA_PREFIX + "Derived",
    }


def test_member_that_is_a_plain_union_is_flattened() -> None:
    spec = doc(
        {
            "Outer": {"oneOf": [ref("A"), ref("Inner")], "discriminator": {"propertyName": "t"}},
            "Inner": {"oneOf": [ref("B"), ref("C")]},
            "A": {"type": "object", "required": ["t"], "properties": {"t": {"const": "a"}}},
            "B": {"type": "object", "required": ["t"], "properties": {"t": {"const": "b"}}},
            "C": {"type": "object", "required": ["t"], "properties": {"t": {"const": "c"}}},
        }
    )
    outer = normalize_spec(spec, relax=False).document["components"]["schemas"]["Outer"]
    assert outer["oneOf"] == [ref("A"), ref("B"), ref("C")]
    assert sorted(outer["discriminator"]["mapping"]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("tag", "required", "reason"),
    [
        ({"type": "string"}, True, "neither a const nor an enum"),
        ({"const": "b"}, False, "optional"),
        ({"const": "a"}, True, "claimed by"),
    ],
)
def test_discriminator_is_dropped_when_no_correct_mapping_exists(
    tag: dict[str, Any], required: bool, reason: str
) -> None:
    spec = doc(
        {
            "U": {"oneOf": [ref("A"), ref("B")], "discriminator": {"propertyName": "t"}},
            "A": {"type": "object", "required": ["t"], "properties": {"t": {"const": "a"}}},
            "B": {"type": "object", "required": ["t"] if required else [], "properties": {"t": tag}},
        }
    )
    normalized = normalize_spec(spec, relax=False)
    assert "discriminator" not in normalized.document["components"]["schemas"]["U"]
    assert reason in normalized.stats.discriminators_dropped["/components/schemas/U"]


def test_optional_tag_that_defaults_to_its_only_value_still_discriminates() -> None:
    spec = doc(
        {
            "U": {"oneOf": [ref("A"), ref("B")], "discriminator": {"propertyName": "t"}},
            "A": {"type": "object", "properties": {"t": {"const": "a", "default": "a"}}},
            "B": {"type": "object", "properties": {"t": {"type": "string", "enum": ["b"], "default": "b"}}},
        }
    )
    disc = normalize_spec(spec, relax=False).document["components"]["schemas"]["U"]["discriminator"]
    assert disc["mapping"] == {"a": SCHEMA_PREFIX + "A", "b": SCHEMA_PREFIX + "B"}


# --- names ----------------------------------------------------------------------------------------


def test_class_names_keep_identifiers_and_sanitize_the_rest_without_collisions() -> None:
    names = assign_class_names(
        ["ASTNode-Input", "ASTNodeInput", "Body_x", "class", "Field", "9lives", "AST Node Input"]
    )
    assert names == {
        "ASTNode-Input": "ASTNodeInput3",  # sanitized names are allocated in sorted order
        "ASTNodeInput": "ASTNodeInput",
        "Body_x": "Body_x",
        "class": "Class",
        "Field": "FieldModel",
        "9lives": "_9lives",
        "AST Node Input": "ASTNodeInput2",
    }


def test_refs_and_mapping_values_are_rewritten_to_the_new_names() -> None:
    spec = doc(
        {
            "Pet-Input": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "pet"}}},
            "Owner": {
                "type": "object",
                "properties": {
                    "pets": {"type": "array", "items": ref("Pet-Input")},
                    "best": {
                        "oneOf": [ref("Pet-Input")],
                        "discriminator": {
                            "propertyName": "kind",
                            "mapping": {"pet": SCHEMA_PREFIX + "Pet-Input"},
                        },
                    },
                },
            },
        }
    )
    normalized = normalize_spec(spec, relax=False)
    schemas = normalized.document["components"]["schemas"]
    assert normalized.class_names == {"Pet-Input": "PetInput", "Owner": "Owner"}
    assert list(schemas) == ["PetInput", "Owner"]
    assert schemas["Owner"]["properties"]["pets"]["items"] == ref("PetInput")
    assert schemas["Owner"]["properties"]["best"]["discriminator"]["mapping"] == {"pet": SCHEMA_PREFIX + "PetInput"}


def test_the_input_document_is_not_mutated() -> None:
    spec = _filters_spec()
    spec["components"]["schemas"]["N"] = {"type": "string", "nullable": True, "example": "x"}
    before = copy.deepcopy(spec)
    normalize_spec(spec)
    assert spec == before


# --- conflicting allOf, defaults --------------------------------------------------------------------


def test_all_of_that_redefines_a_base_property_is_merged_into_one_object() -> None:
    spec = doc(
        {
            "Base": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "enum": ["a", "b"]}, "id": {"type": "string"}},
            },
            "Derived": {"allOf": [ref("Base"), {"type": "object", "properties": {"status": {"enum": ["b", "c"]}}}]},
            "Plain": {"allOf": [ref("Base"), {"type": "object", "properties": {"extra": {"type": "string"}}}]},
        }
    )
    schemas = normalize_spec(spec, relax=False).document["components"]["schemas"]
    assert "allOf" not in schemas["Derived"]
    assert schemas["Derived"]["properties"]["status"] == {"enum": ["b", "c"]}
    assert schemas["Derived"]["required"] == ["status"]
    assert "allOf" in schemas["Plain"]  # no conflict: stays a subclass


def test_object_default_of_a_model_typed_property_is_dropped() -> None:
    spec = doc(
        {
            "A": {
                "type": "object",
                "properties": {
                    "b": {"anyOf": [ref("B"), {"type": "null"}], "default": {"x": 1}},
                    "m": {"type": "object", "additionalProperties": {"type": "integer"}, "default": {"x": 1}},
                },
            },
            "B": {"type": "object", "properties": {"x": {"type": "integer"}}},
        }
    )
    props = normalize_spec(spec, relax=False).document["components"]["schemas"]["A"]["properties"]
    assert "default" not in props["b"]
    assert props["m"]["default"] == {"x": 1}  # a plain map keeps it


# --- examples -------------------------------------------------------------------------------------


def _example_spec() -> dict[str, Any]:
    return doc(
        {
            "Msg": {
                "type": "object",
                "required": ["role", "refusal", "kind"],
                "properties": {
                    "role": {"type": "string", "enum": ["user", "assistant"]},
                    "refusal": {"type": "string"},
                    "kind": {"type": "string", "enum": ["text"]},
                    "note": {"type": "string"},
                },
                "example": {"role": "system", "kind": "text", "note": None},
            },
            "U": {"oneOf": [ref("Msg")], "discriminator": {"propertyName": "kind"}},
        },
        paths={
            "/m": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": ref("Msg"),
                                    "examples": {"one": {"value": {"role": "user", "refusal": "no", "kind": "text"}}},
                                }
                            }
                        }
                    }
                }
            }
        },
    )


def test_examples_are_collected_from_schemas_and_media_types() -> None:
    found = collect_examples(_example_spec())
    assert [(e.pointer, e.schema, e.origin) for e in found] == [
        ("/components/schemas/Msg/example", "Msg", "schema"),
        ("/paths/~1m/get/responses/200/content/application~1json/examples/one", "Msg", "media"),
    ]


def test_schemas_are_relaxed_to_admit_their_own_examples_but_tags_stay() -> None:
    normalized = normalize_spec(_example_spec())
    msg = normalized.document["components"]["schemas"]["Msg"]
    assert msg["required"] == ["role", "kind"]  # refusal omitted by an example; kind is a tag
    assert msg["properties"]["note"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert msg["properties"]["role"]["enum"] == ["user", "assistant", "system"]
    assert (
        normalized.stats.relaxed_required,
        normalized.stats.relaxed_nullable,
        normalized.stats.widened_enums,
    ) == (1, 1, 1)
    assert "example" not in msg
