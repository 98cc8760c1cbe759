"""Order-independent shapes of JSON schemas, computed from a spec, and their differences.

A shape says what a schema accepts, not how it is written: property names and their shapes,
required names (sorted), type names (sorted, ``null`` folded into ``nullable``), enum values (sorted,
``const`` is a one-value enum), format, array items, map values, and the member shapes of
``oneOf``/``anyOf``/``allOf`` (sorted). A ``$ref`` to a named schema is the schema's NAME, not its
pointer, so the shapes of one schema in an OpenAPI and an AsyncAPI document compare equal.
Descriptions, titles, examples, defaults and ``x-`` extensions are ignored.

The same functions serve both documents: pass 2 compares the AsyncAPI side with the ``shape`` that
``_manifest.json`` records for the OpenAPI side (:func:`diff_shapes`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

Shape = dict[str, Any]
Resolver = Callable[[str], Mapping[str, Any]]

_NAMED_REF = re.compile(r"^#/components/schemas/([^/]+)$")
_UNIONS = ("oneOf", "anyOf", "allOf")


def ref_name(ref: str) -> str | None:
    """``#/components/schemas/Foo`` -> ``Foo``; other pointers -> None."""
    match = _NAMED_REF.match(ref)
    if match is None:
        return None
    return match.group(1).replace("~1", "/").replace("~0", "~")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


_IGNORED = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "externalDocs",
        "$comment",
        "discriminator",
        "nullable",
    }
)


def _structural_keys(schema: Mapping[str, Any]) -> set[str]:
    return {k for k in schema if k not in _IGNORED and not str(k).startswith("x-")}


def schema_shape(schema: Mapping[str, Any] | bool, resolve: Resolver) -> Shape:
    """The shape of ``schema``; ``resolve`` turns a ``$ref`` that does not name a component schema
    (``#/components/schemas/X/properties/y``, ``#/$defs/z``...) into the schema it points at."""
    return _shape(schema, resolve, frozenset())


def _shape(schema: Any, resolve: Resolver, seen: frozenset[str]) -> Shape:
    if schema is True or schema is None:
        return {}
    if schema is False:
        return {"never": True}
    if not isinstance(schema, Mapping):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref_name(ref)
        if name is not None:
            base: Shape = {"ref": name}
        elif ref in seen:
            base = {"ref": ref}
        else:
            base = _shape(resolve(ref), resolve, seen | {ref})
        if schema.get("nullable") is True:
            base["nullable"] = True
        return base

    shape: Shape = {}
    nullable = schema.get("nullable") is True

    raw_type = schema.get("type")
    types = [raw_type] if isinstance(raw_type, str) else list(raw_type) if isinstance(raw_type, list) else []
    if "null" in types:
        nullable = True
    types = sorted({t for t in types if t != "null"})
    if not types:
        if any(k in schema for k in ("properties", "additionalProperties", "required")):
            types = ["object"]
        elif "items" in schema or "prefixItems" in schema:
            types = ["array"]

    values: list[Any] | None = None
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = list(schema["enum"])
    if values is not None:
        if None in values:
            nullable = True
        values = [v for v in values if v is not None]
        shape["enum"] = sorted({_canonical(v): v for v in values}.values(), key=_canonical)
        if not values:
            shape.pop("enum")
            types = ["null"] if not types else types

    if types:
        shape["types"] = types
    if isinstance(schema.get("format"), str):
        shape["format"] = schema["format"]

    props = schema.get("properties")
    if isinstance(props, Mapping):
        shape["properties"] = {str(k): _shape(v, resolve, seen) for k, v in sorted(props.items())}
    required = schema.get("required")
    if isinstance(required, list) and required:
        shape["required"] = sorted({str(r) for r in required})
    extra = schema.get("additionalProperties")
    if isinstance(extra, bool):
        shape["additionalProperties"] = extra
    elif isinstance(extra, Mapping):
        shape["additionalProperties"] = _shape(extra, resolve, seen)
    items = schema.get("items")
    if isinstance(items, (Mapping, bool)):
        shape["items"] = _shape(items, resolve, seen)
    elif isinstance(items, list):
        shape["prefixItems"] = [_shape(i, resolve, seen) for i in items]
    if isinstance(schema.get("prefixItems"), list):
        shape["prefixItems"] = [_shape(i, resolve, seen) for i in schema["prefixItems"]]

    for key in _UNIONS:
        members = schema.get(key)
        if not isinstance(members, list):
            continue
        member_shapes = [_shape(m, resolve, seen) for m in members]
        non_null = [m for m in member_shapes if m not in ({"types": ["null"]}, {"nullable": True})]
        if len(non_null) != len(member_shapes):
            nullable = True
        if key != "allOf" and len(non_null) == 1 and _structural_keys(schema) == {key}:
            # anyOf: [X, null] is X, nullable
            inner = dict(non_null[0])
            if nullable:
                inner["nullable"] = True
            return inner
        shape[key] = sorted(non_null, key=_canonical)
    if nullable:
        shape["nullable"] = True
    return shape


# ---------------------------------------------------------------------------------------------------


def _describe(shape: Shape) -> str:
    if "ref" in shape:
        return str(shape["ref"])
    if "types" in shape:
        return "|".join(shape["types"])
    if "enum" in shape:
        return "enum"
    for key in _UNIONS:
        if key in shape:
            return f"{key}({len(shape[key])})"
    return "any"


def _values(values: list[Any]) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else _canonical(v) for v in values)


def diff_shapes(a: Shape, b: Shape) -> list[str]:
    """Differences from shape ``a`` (expected) to shape ``b``, one readable line each, e.g.
    ``property 'voice': type string != integer``, ``required: +'model'``, ``enum values: missing 'alloy'``.
    An empty list means the shapes are equal."""
    out: list[str] = []
    _diff(a, b, "", out)
    return out


def _diff(a: Shape, b: Shape, path: str, out: list[str]) -> None:
    where = f"property '{path}': " if path else ""
    if "ref" in a or "ref" in b:
        if a.get("ref") != b.get("ref"):
            out.append(f"{where}type {_describe(a)} != {_describe(b)}")
        elif a.get("nullable", False) != b.get("nullable", False):
            out.append(f"{where}nullable {a.get('nullable', False)} != {b.get('nullable', False)}")
        return
    if a.get("types", []) != b.get("types", []):
        out.append(f"{where}type {_describe(a)} != {_describe(b)}")
    if a.get("nullable", False) != b.get("nullable", False):
        out.append(f"{where}nullable {a.get('nullable', False)} != {b.get('nullable', False)}")
    if a.get("format") != b.get("format"):
        out.append(f"{where}format {a.get('format')} != {b.get('format')}")

    if "enum" in a or "enum" in b:
        av = {_canonical(v): v for v in a.get("enum", [])}
        bv = {_canonical(v): v for v in b.get("enum", [])}
        if "enum" not in b:
            out.append(f"{where}enum values: not restricted (expected {_values(list(av.values()))})")
        elif "enum" not in a:
            out.append(f"{where}enum values: restricted to {_values(list(bv.values()))}")
        else:
            missing = [av[k] for k in sorted(av.keys() - bv.keys())]
            extra = [bv[k] for k in sorted(bv.keys() - av.keys())]
            if missing:
                out.append(f"{where}enum values: missing {_values(missing)}")
            if extra:
                out.append(f"{where}enum values: extra {_values(extra)}")

    ar, br = set(a.get("required", [])), set(b.get("required", []))
    for name in sorted(br - ar):
        out.append(f"{where}required: +{name!r}")
    for name in sorted(ar - br):
        out.append(f"{where}required: -{name!r}")

    ap, bp = a.get("properties", {}), b.get("properties", {})
    for name in sorted(ap.keys() | bp.keys()):
        sub = f"{path}.{name}" if path else name
        if name not in bp:
            out.append(f"property '{sub}': missing")
        elif name not in ap:
            out.append(f"property '{sub}': added")
        else:
            _diff(ap[name], bp[name], sub, out)

    for key, suffix in (("items", "[]"), ("additionalProperties", "{}")):
        x, y = a.get(key), b.get(key)
        if x is None and y is None:
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            _diff(x, y, f"{path}{suffix}" if path else suffix, out)
        elif x != y:
            out.append(f"{where}{key} {_canonical(x)} != {_canonical(y)}")

    for key in _UNIONS:
        am = {_canonical(m): m for m in a.get(key, [])}
        bm = {_canonical(m): m for m in b.get(key, [])}
        for k in sorted(am.keys() - bm.keys()):
            out.append(f"{where}{key}: missing member {_describe(am[k])}")
        for k in sorted(bm.keys() - am.keys()):
            out.append(f"{where}{key}: extra member {_describe(bm[k])}")
