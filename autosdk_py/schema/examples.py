"""Example values made up from JSON schemas: the mock's payloads and the docs' examples.

The rules, per schema (after following ``$ref`` and merging ``allOf``):

* ``const`` -> it; ``enum`` -> its first non-null value;
* with ``hints`` on: ``default``, else the first of ``examples`` / ``example``;
* ``oneOf`` / ``anyOf`` -> the first member that can be built (``choice`` rotates the start, so
  another candidate tries another member); members that only allow ``null`` are skipped;
* ``type`` lists and ``nullable`` -> the first non-null type (a value is more useful than null);
* strings: by ``format`` (date-time, date, time, uuid, email, uri, byte, ...), base64 when the
  description says so, else ``mock_<property name>`` (``string`` with ``named_strings`` off);
  padded/cut to ``minLength``/``maxLength``;
* numbers: 0 moved into ``minimum``/``maximum``/``exclusive*`` and onto ``multipleOf``;
* arrays: ``minItems`` items (at least one when ``all_properties`` or ``one_item`` is on);
* objects: the required properties (all properties with ``all_properties``, a few levels deep),
  and the optional ones fixed to one value (``const``, a one-value ``enum``; with ``null`` allowed
  or not), which receivers dispatch on;
  a ``$ref`` that recurs on the current path cannot be built, so an optional property skips it and
  a union tries its next member.

None of this guarantees validity (patterns, ``not``, ``if``/``then``...), so the server checks each
candidate with the payload's pydantic model and takes the first valid one (see ``candidates``).
The docs show one value per schema, made with ``DOCS``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .pointer import key_under
from .refs import DanglingRef, is_local, target

__all__ = ["DOCS", "VARIANTS", "Synthesizer", "Unviable", "Variant", "candidates", "declared_schema"]

MAX_DEPTH = 24  # deeper than any real payload; a guard against pathological schemas
ALL_PROPERTIES_DEPTH = 3  # optional properties are filled this many object levels deep, no more

_FORMATS: dict[str, Any] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "duration": "PT1S",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "iri": "https://example.com",
    "uri-reference": "https://example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "byte": "AAAAAA==",
    "base64": "AAAAAA==",
    "binary": "",
    "regex": ".*",
    "json-pointer": "/",
}
_BASE64_HINT = re.compile(r"base-?64", re.IGNORECASE)


_NOT_FIXED: Any = object()


def _only_null(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("const", 0) is None)


class Unviable(Exception):
    """This schema (branch) cannot be built: a recursion, ``false``, or nothing to choose from."""


@dataclass(frozen=True)
class Variant:
    """One way of filling a schema; the server tries these in order (see ``VARIANTS``)."""

    hints: bool = True  # use default / examples written in the schema
    all_properties: bool = False  # optional properties too, not only the required ones
    choice: int = 0  # index of the oneOf/anyOf member tried first
    one_item: bool = False  # arrays get at least one item (all_properties implies it)
    named_strings: bool = True  # a plain string is ``mock_<property name>``, else ``string``
    declared_order: bool = False  # object keys in the order the schema declares them (else required first)
    unviable_as_null: bool = False  # a part that cannot be built (a recursion, false) is null, the rest stays


# Examples and defaults first (most realistic), then plain type-driven values, then fuller
# objects, then other union members: a later one is only sent if every earlier one is invalid.
VARIANTS: tuple[Variant, ...] = (
    Variant(),
    Variant(hints=False),
    Variant(all_properties=True),
    Variant(all_properties=True, hints=False),
    Variant(choice=1),
    Variant(choice=1, hints=False),
    Variant(choice=2),
    Variant(choice=2, hints=False),
    Variant(choice=3, hints=False),
)

# The docs' example of a schema: its own example or default, the required and fixed properties (in the
# schema's order), one item per array, ``string`` for a plain string, null where recursion stops.
DOCS = Variant(one_item=True, named_strings=False, declared_order=True, unviable_as_null=True)


_SCHEMA_PREFIX = "#/components/schemas/"


class Synthesizer:
    """Builds values for schemas of one (bundled) document; ``$ref`` s are local pointers into it.

    ``schemas``, when given, is looked up first for ``#/components/schemas/<name>`` (the docs' schemas
    include the inline payloads lifted out of messages, which the document does not hold).
    """

    def __init__(self, document: Mapping[str, Any], schemas: Mapping[str, Any] | None = None) -> None:
        self.document = document
        self.schemas = schemas

    # --- schema plumbing -----------------------------------------------------------------------

    def resolve(self, schema: Any, seen: frozenset[str]) -> tuple[Any, frozenset[str]]:
        """Follow ``$ref`` chains; sibling keywords of a ``$ref`` refine the target (3.1 style)."""
        hops = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if not is_local(ref) or hops > 32:
                raise Unviable(f"cannot follow $ref {ref!r}")
            if ref in seen:
                raise Unviable(f"recursive $ref {ref!r}")
            seen = seen | {ref}
            found = self._pointer(ref)
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**found, **siblings} if siblings and isinstance(found, dict) else found
            hops += 1
        return schema, seen

    def _pointer(self, ref: str) -> Any:
        if self.schemas is not None:
            name = key_under(ref, _SCHEMA_PREFIX)
            if name is not None and name in self.schemas:
                return self.schemas[name]
        try:
            return target(self.document, ref)[1]
        except DanglingRef:
            raise Unviable(f"dangling $ref {ref!r}") from None

    def merged(self, schema: Any, seen: frozenset[str]) -> tuple[Any, frozenset[str]]:
        """``allOf`` folded into one schema: properties and required lists unite."""
        schema, seen = self.resolve(schema, seen)
        if not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
            return schema, seen
        out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part, seen = self.merged(part, seen)
            if part is False:
                raise Unviable("allOf holds false")
            if not isinstance(part, dict):
                continue
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    props = dict(out.get("properties") or {})
                    for name, sub in value.items():
                        # Both sides constrain the property: keep both.
                        props[name] = {"allOf": [props[name], sub]} if name in props else sub
                    out["properties"] = props
                elif key == "required" and isinstance(value, list):
                    out["required"] = list(dict.fromkeys([*(out.get("required") or []), *value]))
                else:
                    out.setdefault(key, value)
        return out, seen

    # --- values --------------------------------------------------------------------------------

    def value(
        self,
        schema: Any,
        variant: Variant = Variant(),
        *,
        depth: int = 0,
        seen: frozenset[str] = frozenset(),
        name: str | None = None,
    ) -> Any:
        """A value for ``schema``; raises ``Unviable`` when none can be built (``None`` with ``unviable_as_null``)."""
        if variant.unviable_as_null:
            try:
                return self._value(schema, variant, depth, seen, name)
            except Unviable:
                return None
        return self._value(schema, variant, depth, seen, name)

    def _value(self, schema: Any, variant: Variant, depth: int, seen: frozenset[str], name: str | None) -> Any:
        if depth > MAX_DEPTH:
            raise Unviable("too deep")
        schema, seen = self.merged(schema, seen)
        if schema is True or schema is None:
            return None
        if schema is False:
            raise Unviable("the schema is false")
        if not isinstance(schema, dict):
            return None
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            values = [v for v in enum if v is not None]
            return copy.deepcopy(values[0]) if values else None
        if variant.hints:
            hinted = _hint(schema)
            if hinted is not _NO_HINT:
                return hinted
        members = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(members, list) and members:
            return self._union(schema, members, variant, depth, seen, name)
        kind = _type_of(schema)
        if kind == "null":
            return None
        if kind == "object":
            return self._object(schema, variant, depth, seen)
        if kind == "array":
            return self._array(schema, variant, depth, seen, name)
        if kind == "string":
            return _string(schema, name if variant.named_strings else None)
        if kind in ("integer", "number"):
            return _number(schema, integer=kind == "integer")
        if kind == "boolean":
            return False
        return None  # no type at all: anything goes, and null is the plainest "anything"

    def _union(
        self,
        schema: dict[str, Any],
        members: list[Any],
        variant: Variant,
        depth: int,
        seen: frozenset[str],
        name: str | None,
    ) -> Any:
        base = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "discriminator")}
        shared = bool(set(base) & {"properties", "required", "type"})
        start = variant.choice % len(members)
        order = members[start:] + members[:start]
        for member in order:
            try:
                resolved, member_seen = self.merged(member, seen)
                if isinstance(resolved, dict) and _type_of(resolved) == "null" and len(members) > 1:
                    continue  # "nullable" spelled as a union: prefer a real value
                target = {"allOf": [base, resolved]} if shared and isinstance(resolved, dict) else resolved
                return self.value(target, variant, depth=depth + 1, seen=member_seen, name=name)
            except Unviable:
                continue
        raise Unviable("no member of the union can be built")

    def _object(self, schema: dict[str, Any], variant: Variant, depth: int, seen: frozenset[str]) -> dict[str, Any]:
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        assert isinstance(props, dict)
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        result: dict[str, Any] = {}
        for key in required:
            sub = props.get(key, schema.get("additionalProperties", {"type": "string"}))
            if sub is True or not isinstance(sub, dict | bool):
                sub = {"type": "string"}
            result[key] = self.value(sub, variant, depth=depth + 1, seen=seen, name=key)
        # An optional property fixed to one value (Hume's ``type: optional<literal<"tool_call">>``) is
        # how receivers tell messages apart: always written, it costs nothing and makes the payload
        # recognizable.
        for key, sub in props.items():
            if key not in result:
                fixed = self._fixed(sub, seen)
                if fixed is not _NOT_FIXED:
                    result[key] = fixed
        # depth counts every nested value (a union member adds one), so halve it for object levels.
        if variant.all_properties and depth // 2 < ALL_PROPERTIES_DEPTH:
            for key, sub in props.items():
                if key in result:
                    continue
                try:
                    result[key] = self.value(sub, variant, depth=depth + 1, seen=seen, name=key)
                except Unviable:
                    continue  # optional: leave it out
        minimum = schema.get("minProperties")
        extra = schema.get("additionalProperties", True)
        index = 1
        while isinstance(minimum, int) and len(result) < minimum and extra is not False and index < 100:
            sub = extra if isinstance(extra, dict) else {"type": "string"}
            result.setdefault(f"key{index}", self.value(sub, variant, depth=depth + 1, seen=seen))
            index += 1
        if variant.declared_order:
            result = {**{k: result[k] for k in props if k in result}, **result}
        return result

    def _fixed(self, schema: Any, seen: frozenset[str]) -> Any:
        """The one non-null value ``schema`` allows (``const``, a one-value ``enum``, either or null)."""
        try:
            node, _ = self.merged(schema, seen)
        except Unviable:
            return _NOT_FIXED
        if not isinstance(node, dict):
            return _NOT_FIXED
        if "const" in node and node["const"] is not None:
            return copy.deepcopy(node["const"])
        enum = [v for v in node.get("enum") or [] if v is not None] if isinstance(node.get("enum"), list) else []
        if len(enum) == 1:
            return copy.deepcopy(enum[0])
        for keyword in ("anyOf", "oneOf"):
            members = node.get(keyword)
            if isinstance(members, list):
                values = [self._fixed(m, seen) for m in members if not _only_null(m)]
                if len(values) == 1 and len(members) == 2:
                    return values[0]
        return _NOT_FIXED

    def _array(
        self, schema: dict[str, Any], variant: Variant, depth: int, seen: frozenset[str], name: str | None
    ) -> list[Any]:
        prefix = schema.get("prefixItems")
        items: list[Any] = []
        if isinstance(prefix, list):
            items = [self.value(p, variant, depth=depth + 1, seen=seen) for p in prefix]
        low = schema.get("minItems") if isinstance(schema.get("minItems"), int) else 0
        assert isinstance(low, int)
        count = max(low, 1 if variant.all_properties or variant.one_item else 0)
        high = schema.get("maxItems")
        if isinstance(high, int):
            count = min(count, high)
        item_schema = schema.get("items", {})
        if len(items) < count:
            item_resolved, _ = self.merged(item_schema, seen)
            enum = item_resolved.get("enum") if isinstance(item_resolved, dict) else None
            for index in range(len(items), count):
                if schema.get("uniqueItems") and isinstance(enum, list) and enum:
                    items.append(copy.deepcopy(enum[index % len(enum)]))  # distinct values
                    continue
                try:
                    items.append(self.value(item_schema, variant, depth=depth + 1, seen=seen, name=name))
                except Unviable:
                    if index < low:
                        raise
                    break
        return items


_NO_HINT: Any = object()


def _hint(schema: Mapping[str, Any]) -> Any:
    if schema.get("default") is not None:
        return copy.deepcopy(schema["default"])
    examples = schema.get("examples")
    if isinstance(examples, list) and examples and examples[0] is not None:
        return copy.deepcopy(examples[0])
    if schema.get("example") is not None:
        return copy.deepcopy(schema["example"])
    return _NO_HINT


def _type_of(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        real = [k for k in kind if k != "null"]
        return str(real[0]) if real else "null" if kind else None
    if isinstance(kind, str):
        return kind
    if any(k in schema for k in ("properties", "required", "additionalProperties", "minProperties")):
        return "object"
    if any(k in schema for k in ("items", "prefixItems", "minItems")):
        return "array"
    if any(k in schema for k in ("format", "minLength", "maxLength", "pattern")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
        return "number"
    return None


def _string(schema: Mapping[str, Any], name: str | None) -> str:
    # A property's name makes a recognizable value ("mock_item_id"), more telling than "string".
    plain = f"mock_{name}" if name else "string"
    fmt = schema.get("format")
    text = _FORMATS.get(fmt, plain) if isinstance(fmt, str) else plain
    if fmt is None and _BASE64_HINT.search(str(schema.get("description") or "")):
        text = _FORMATS["base64"]  # audio chunks and the like: a client may decode them
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = (text * (low // max(len(text), 1) + 1))[: max(low, 1)] if text else "x" * low
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5
    # OpenAPI 3.0 spells exclusive bounds as booleans next to minimum/maximum.
    if ex_low is True and isinstance(low, int | float):
        ex_low, low = low, None
    if ex_high is True and isinstance(high, int | float):
        ex_high, high = high, None
    value: float = 0
    if isinstance(low, int | float) and not isinstance(low, bool):
        value = max(value, low)
    if isinstance(ex_low, int | float) and not isinstance(ex_low, bool) and value <= ex_low:
        value = ex_low + step
    if isinstance(high, int | float) and not isinstance(high, bool) and value > high:
        value = high
    if isinstance(ex_high, int | float) and not isinstance(ex_high, bool) and value >= ex_high:
        value = ex_high - step
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and not isinstance(multiple, bool) and multiple > 0:
        value = math.ceil(value / multiple) * multiple
    if integer:
        return math.ceil(value)
    return float(value)


def candidates(
    synth: Synthesizer, schema: Any, examples: tuple[Any, ...] = (), tag: tuple[str, Any] | None = None
) -> Iterator[Any]:
    """The document's examples, then one payload per variant (duplicates left out).

    The message's tag (``type: session.created``) is always written, even when the schema leaves
    it optional: a client that is not generated dispatches on it.
    """
    seen: set[str] = set()
    for example in (*examples, *_variant_values(synth, schema)):
        value = copy.deepcopy(example)
        if tag is not None and isinstance(value, dict) and tag[0] not in value:
            value = {tag[0]: tag[1], **value}
        key = json.dumps(value, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        yield value


def _variant_values(synth: Synthesizer, schema: Any) -> Iterator[Any]:
    for variant in VARIANTS:
        try:
            yield synth.value(schema, variant)
        except Unviable:
            continue


def declared_schema(synth: Synthesizer, schema: Any, path: Sequence[str]) -> Any | None:
    """The schema of the property at ``path`` (e.g. ``("error", "message")``), None if undeclared."""
    node: Any = schema
    for key in path:
        try:
            node, _ = synth.merged(node, frozenset())
        except Unviable:
            return None
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or key not in props:
            return None
        node = props[key]
    return node
