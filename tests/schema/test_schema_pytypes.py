"""autosdk_py.schema.pytypes: a schema's Python annotation, agreeing with the generated models."""

from __future__ import annotations

import ast
from datetime import UTC
from typing import Any

import pytest

from autosdk_py.asyncapi import client_ir
from autosdk_py.models.codegen import run_generator
from autosdk_py.schema.pytypes import (
    MODEL_FORMATS,
    PARAMETER_FORMATS,
    format_imports,
    json_annotation,
    schema_annotation,
)

SCALARS: dict[str, dict[str, Any]] = {
    "plain": {"type": "string"},
    "date_time": {"type": "string", "format": "date-time"},
    "day": {"type": "string", "format": "date"},
    "clock": {"type": "string", "format": "time"},
    "ident": {"type": "string", "format": "uuid"},
    "blob": {"type": "string", "format": "binary"},
    "mail": {"type": "string", "format": "email"},
    "link": {"type": "string", "format": "uri"},
    "count": {"type": "integer", "format": "int64"},
    "ratio": {"type": "number", "format": "float"},
    "flag": {"type": "boolean"},
    "kind": {"type": "string", "enum": ["a", "b"]},
    "tags": {"type": "array", "items": {"type": "string", "format": "date"}},
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "str"),
        ({"type": "integer"}, "int"),
        ({"type": "number"}, "float"),
        ({"type": "boolean"}, "bool"),
        ({}, "str"),
        ({"type": "object"}, "Any"),
        ({"type": ["string", "null"]}, "str | None"),
        ({"type": "integer", "nullable": True}, "int | None"),
        ({"enum": ["pcm16", "g711_ulaw", None]}, "Literal['pcm16', 'g711_ulaw']"),
        ({"const": 3}, "Literal[3]"),
        ({"enum": [None]}, "None"),
        ({"type": "array", "items": {"type": "integer"}}, "list[int]"),
        ({"type": "array"}, "list[str]"),
    ],
)
def test_json_types(schema: dict[str, Any], expected: str) -> None:
    assert json_annotation(schema).code == expected
    assert schema_annotation(schema).code == expected


def test_formats_as_the_models_type_them() -> None:
    assert schema_annotation({"type": "string", "format": "date-time"}).code == "datetime"
    assert schema_annotation({"type": "string", "format": "date"}).code == "date"
    assert schema_annotation({"type": "string", "format": "binary"}).code == "bytes"
    assert schema_annotation({"type": ["string", "null"], "format": "date-time"}).code == "datetime | None"
    expr = schema_annotation({"type": "array", "items": {"type": "string", "format": "date-time"}})
    assert expr.code == "list[datetime]"
    assert format_imports(expr) == {"datetime": ["datetime"]}
    assert format_imports(schema_annotation({"type": "string", "format": "binary"})) == {}


def test_parameters_take_the_models_format_classes_except_bytes() -> None:
    assert PARAMETER_FORMATS == {"date-time": ("datetime", "datetime"), "date": ("datetime", "date")}
    assert json_annotation({"type": "string", "format": "date-time"}).code == "datetime"
    assert json_annotation({"type": "string", "format": "date"}).code == "date"
    assert json_annotation({"type": "string", "format": "uuid"}).code == "str"
    assert json_annotation({"type": "string", "format": "binary"}).code == "str"  # bytes have no URL text


def test_client_ir_names_the_same_function() -> None:
    for schema in SCALARS.values():
        assert client_ir.json_annotation(schema) == json_annotation(schema)


def test_model_formats_agree_with_the_generated_models() -> None:
    """Each property's annotation in the models (datamodel-code-generator, our options) is ours."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Thing": {"type": "object", "properties": SCALARS, "required": list(SCALARS)}}},
    }
    module = ast.parse(run_generator(document, source="test.yaml", original_name={}).code)
    fields: dict[str, str] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.ClassDef) and node.name == "Thing":
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    fields[item.target.id] = ast.unparse(item.annotation)
    assert set(fields) == set(SCALARS)
    for name, schema in SCALARS.items():
        ours = schema_annotation(schema, MODEL_FORMATS).code
        assert fields[name] == ours, name


def test_the_runtime_writes_format_values_as_their_wire_text() -> None:
    """What a parameter typed by a format class looks like in the URL or a header: ISO 8601, UUID text."""
    import uuid
    from datetime import date, datetime, time

    from autosdk_py.realtime_runtime._urls import build_url, param_text

    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert param_text(moment) == "2024-01-02T03:04:05+00:00"
    assert param_text(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05"
    assert param_text(date(2024, 1, 2)) == "2024-01-02"
    assert param_text(time(3, 4, 5)) == "03:04:05"
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert param_text(ident) == "12345678-1234-5678-1234-567812345678"
    assert param_text(True) == "true"
    url = build_url("wss://h/v1", "/live/{day}", {"day": date(2024, 1, 2)}, {"since": moment, "ids": [ident]})
    assert url == (
        "wss://h/v1/live/2024-01-02?since=2024-01-02T03%3A04%3A05%2B00%3A00&ids=12345678-1234-5678-1234-567812345678"
    )
