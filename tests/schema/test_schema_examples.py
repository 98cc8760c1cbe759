"""autosdk_py.schema.examples: one synthesizer for the mock's payloads and the docs' examples."""

from __future__ import annotations

from typing import Any

import pytest

from autosdk_py.docs.schemas import SchemaText
from autosdk_py.mock import synth as mock_synth
from autosdk_py.schema import examples
from autosdk_py.schema.examples import DOCS, VARIANTS, Synthesizer, Unviable, Variant, candidates, declared_schema

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Event": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "type": {"const": "event.created"},
                    "at": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                    "audio": {"type": "string", "description": "Base64-encoded audio bytes"},
                    "count": {"type": "integer", "minimum": 3, "default": 5},
                },
                "required": ["tags", "id", "at"],
            },
            "Tag": {"type": "string", "enum": ["red", "blue"]},
            "Node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/components/schemas/Node"}},
                "required": ["child"],
            },
            "a/b": {"type": "integer", "example": 7},
        }
    }
}
EVENT = {"$ref": "#/components/schemas/Event"}


def test_the_mock_imports_the_one_synthesizer() -> None:
    assert mock_synth.Synthesizer is Synthesizer
    assert mock_synth.candidates is candidates
    assert mock_synth.VARIANTS is VARIANTS
    assert VARIANTS[0] == Variant()


def test_mock_payloads() -> None:
    synth = Synthesizer(DOC)
    assert synth.value(EVENT) == {
        "tags": [],
        "id": "mock_id",
        "at": "2024-01-01T00:00:00Z",
        "type": "event.created",
    }
    assert synth.value(EVENT, Variant(all_properties=True, hints=False)) == {
        "tags": ["red"],
        "id": "mock_id",
        "at": "2024-01-01T00:00:00Z",
        "type": "event.created",
        "audio": "AAAAAA==",
        "count": 3,
    }
    with pytest.raises(Unviable):
        synth.value({"$ref": "#/components/schemas/Node"})
    assert synth.value({"$ref": "#/components/schemas/a~1b"}) == 7
    assert synth.value({"$ref": "#/components/schemas/a%2Fb"}) == 7


def test_docs_variant() -> None:
    value = Synthesizer(DOC).value(EVENT, DOCS)
    assert value == {"id": "string", "type": "event.created", "at": "2024-01-01T00:00:00Z", "tags": ["red"]}
    assert list(value) == ["id", "type", "at", "tags"]  # the order the schema declares


def test_schemas_overlay_the_document() -> None:
    lifted = {"Lifted": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}
    synth = Synthesizer(DOC, lifted)
    assert synth.value({"$ref": "#/components/schemas/Lifted"}) == {"n": 0}
    assert synth.value({"$ref": "#/components/schemas/Tag"}) == "red"  # the document still answers
    with pytest.raises(Unviable):
        Synthesizer(DOC).value({"$ref": "#/components/schemas/Lifted"})


def test_candidates_and_declared_schema() -> None:
    synth = Synthesizer(DOC)
    values = list(candidates(synth, EVENT, examples=({"id": "x"},), tag=("type", "event.created")))
    assert values[0] == {"type": "event.created", "id": "x"}
    assert len(values) == len({repr(sorted(v.items())) for v in values})  # no duplicates
    assert declared_schema(synth, EVENT, ("count",)) == {"type": "integer", "minimum": 3, "default": 5}
    assert declared_schema(synth, EVENT, ("nothing",)) is None


def test_docs_examples_come_from_the_same_synthesizer() -> None:
    text = SchemaText(DOC, DOC["components"]["schemas"], {})
    assert text.example(EVENT) == Synthesizer(DOC).value(EVENT, DOCS)
    assert text.example({"$ref": "#/components/schemas/Node"}) == {"child": None}  # recursion stops at null
    assert text.example(False) is None
    assert text.example({"type": "string", "description": "base64 audio"}) == "AAAAAA=="
    assert examples.__doc__ is not None
