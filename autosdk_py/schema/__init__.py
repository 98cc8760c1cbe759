"""THE place for schema helpers: JSON pointers, ``$ref`` resolution, line lookup, schema -> Python type, examples.

Every other module imports these instead of keeping its own copy:

* ``pointer``: JSON pointer escape/split/join, ``#/...`` fragments, lenient key lookup;
* ``refs``: local ``$ref`` chains over one document (cycles, dangling targets, the final pointer);
* ``pytypes``: a parameter's JSON schema -> ``TypeExpr``, agreeing with the generated models;
* ``examples``: example values made up from schemas (the mock's payloads, the docs' examples);
* ``line_of``: the line of a pointer in a JSON/YAML text (``autosdk_py.line_index`` holds the index).
"""

from __future__ import annotations

from .examples import DOCS, VARIANTS, Synthesizer, Unviable, Variant, candidates, declared_schema
from .pointer import (
    decoded_fragment,
    escape_pointer_token,
    fragment_tokens,
    json_pointer,
    key_under,
    lookup,
    loose_tokens,
    split_pointer,
)
from .pytypes import MODEL_FORMATS, PARAMETER_FORMATS, format_imports, json_annotation, schema_annotation
from .refs import (
    DanglingRef,
    RefCycle,
    RefError,
    Resolved,
    follow,
    is_local,
    ref_tokens,
    resolve_lenient,
    target,
    walk,
)

__all__ = [
    "DOCS",
    "MODEL_FORMATS",
    "PARAMETER_FORMATS",
    "VARIANTS",
    "DanglingRef",
    "RefCycle",
    "RefError",
    "Resolved",
    "Synthesizer",
    "Unviable",
    "Variant",
    "candidates",
    "declared_schema",
    "decoded_fragment",
    "escape_pointer_token",
    "follow",
    "format_imports",
    "fragment_tokens",
    "is_local",
    "json_annotation",
    "json_pointer",
    "key_under",
    "line_of",
    "lookup",
    "loose_tokens",
    "ref_tokens",
    "resolve_lenient",
    "schema_annotation",
    "split_pointer",
    "target",
    "walk",
]


def line_of(text: str, pointer: str) -> int | None:
    """The 1-based line where the value at ``pointer`` starts in ``text`` (see ``autosdk_py.loader.line_of``)."""
    from ..loader import line_of as _line_of  # lazy: the loader imports this package (through errors)

    return _line_of(text, pointer)
