"""JSON schemas as Markdown: readable type strings, field tables and made-up examples.

Type strings: ``string``, ``string (date-time)``, ``integer``, ``array of X``, ``map of string to X``,
``"a" | "b"`` for enums, ``const "session.update"``, ``A | B | null`` for unions, and a link
``[`Name`](#name)`` for a named object type (a ``components/schemas`` entry that becomes a pydantic
model: an object with properties). Other named schemas (enums, aliases, unions) are written out
where they are used. Inline objects are expanded in the same table (``audio.format``,
``tools[].name``), a few levels deep.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..loader import split_pointer
from .markdown import cell, code, json_text

SCHEMA_PREFIX = "#/components/schemas/"
MAX_EXPAND = 4  # levels of inline objects expanded into dotted rows
MAX_EXAMPLE_DEPTH = 12

_STRING_FORMATS: dict[str, str] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "byte": "AAAAAA==",
    "base64": "AAAAAA==",
}
_CONSTRAINTS = (
    ("minimum", "Minimum"),
    ("exclusiveMinimum", "Greater than"),
    ("maximum", "Maximum"),
    ("exclusiveMaximum", "Less than"),
    ("minLength", "Minimum length"),
    ("maxLength", "Maximum length"),
    ("minItems", "Minimum items"),
    ("maxItems", "Maximum items"),
    ("pattern", "Pattern"),
)


@dataclass(frozen=True)
class FieldRow:
    """One row of a fields table; every cell is final Markdown."""

    name: str
    type: str
    required: str
    description: str


Linker = Callable[[str], str]  # schema name -> Markdown link to its section


class SchemaText:
    """Describes the schemas of one (bundled) document; ``$ref`` s are local pointers into ``data``."""

    def __init__(self, data: Mapping[str, Any], schemas: Mapping[str, Any], class_names: Mapping[str, str]) -> None:
        self.data = data
        self.schemas = schemas
        self.class_names = class_names
        self.anchors: dict[str, str] = {}  # schema name -> anchor, filled in once the page is laid out
        self.referenced: dict[str, None] = {}  # schema names linked to, in first-use order

    # --- plumbing ------------------------------------------------------------------------------

    def schema_name(self, schema: Any) -> str | None:
        """The ``components/schemas`` key a ``{"$ref": ...}`` points at, if it is one."""
        if not isinstance(schema, Mapping):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            name = unquote(ref[len(SCHEMA_PREFIX) :]).replace("~1", "/").replace("~0", "~")
            if name in self.schemas:
                return name
        return None

    def class_name(self, name: str) -> str:
        return self.class_names.get(name, name)

    def resolve(self, schema: Any) -> Any:
        """Follow a chain of local ``$ref`` s (at most 32 hops; a cycle gives ``{}``)."""
        for _ in range(32):
            if not isinstance(schema, Mapping) or not isinstance(schema.get("$ref"), str):
                return schema
            ref: str = schema["$ref"]
            name = self.schema_name(schema)
            if name is not None:  # lifted inline payloads are only in ``schemas``
                schema = self.schemas[name]
                continue
            if not ref.startswith("#"):
                return {}
            node: Any = self.data
            try:
                for token in split_pointer(unquote(ref[1:])):
                    node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                return {}
            schema = node
        return {}

    def object_view(self, schema: Any, depth: int = 0) -> tuple[dict[str, Any], list[str]] | None:
        """The properties and required names of an object schema (``allOf`` merged), else None."""
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping) or depth > 16:
            return None
        props: dict[str, Any] = {}
        required: list[str] = []
        found = False
        for part in schema.get("allOf") or []:
            view = self.object_view(part, depth + 1)
            if view is not None:
                found = True
                props.update(view[0])  # a later part refines a property (a const tag, say)
                required += view[1]
        own = schema.get("properties")
        if isinstance(own, Mapping) and own:
            found = True
            props.update(own)
        required += [r for r in schema.get("required") or [] if isinstance(r, str)]
        if not found:
            return None
        return props, list(dict.fromkeys(required))

    def is_model(self, name: str) -> bool:
        """Whether the schema becomes a pydantic model (an object with properties) in the models stage."""
        return self.object_view({"$ref": SCHEMA_PREFIX + name}) is not None

    def link(self, name: str) -> str:
        self.referenced.setdefault(name, None)
        return f"[{code(self.class_name(name))}](#{self.anchors.get(name, '')})"

    # --- type strings --------------------------------------------------------------------------

    def type_text(self, schema: Any, stack: tuple[str, ...] = ()) -> str:
        if schema is True or schema is None:
            return "any"
        if schema is False:
            return "never"
        if not isinstance(schema, Mapping):
            return "any"
        name = self.schema_name(schema)
        if name is not None:
            if self.is_model(name):
                return self.link(name)
            if name in stack or len(stack) > 8:
                return code(self.class_name(name))
            return self.type_text(self.schemas[name], (*stack, name))
        if "$ref" in schema:
            target = self.resolve(schema)
            return "any" if target is schema or len(stack) > 8 else self.type_text(target, (*stack, "$ref"))
        text = self._bare_type(schema, stack)
        if schema.get("nullable") is True and text not in ("any", "null") and not text.endswith("| null"):
            text += " | null"
        return text

    def _bare_type(self, schema: Mapping[str, Any], stack: tuple[str, ...]) -> str:
        if "const" in schema:
            return "const " + code(json_text(schema["const"]))
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return " | ".join(code(json_text(v)) if v is not None else "null" for v in enum)
        parts = schema.get("allOf")
        if isinstance(parts, list) and parts:
            if len(parts) == 1 and not schema.get("properties"):
                return self.type_text(parts[0], stack)
            if all(self.schema_name(p) is not None for p in parts) and not schema.get("properties"):
                return " & ".join(self.type_text(p, stack) for p in parts)
            return "object"
        members = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(members, list) and members and not schema.get("properties"):
            return self._union([self.type_text(m, stack) for m in members])
        kind = schema.get("type")
        if isinstance(kind, list):
            return self._union([self._typed(schema, str(k), stack) for k in kind])
        if isinstance(kind, str):
            return self._typed(schema, kind, stack)
        if schema.get("properties"):
            return "object"
        if "items" in schema:
            return self._typed(schema, "array", stack)
        return "any"

    @staticmethod
    def _union(texts: list[str]) -> str:
        unique = list(dict.fromkeys(texts))
        if "any" in unique:
            return "any"
        if "null" in unique:  # null last: "X | null" reads as "an X or nothing"
            unique = [t for t in unique if t != "null"] + ["null"]
        if len(unique) > 1:  # "(array of X) | null", not "array of X | null"
            unique = [f"({t})" if t.startswith(("array of ", "map of ")) else t for t in unique]
        return " | ".join(unique)

    def _typed(self, schema: Mapping[str, Any], kind: str, stack: tuple[str, ...]) -> str:
        if kind == "array":
            items = schema.get("items")
            if items is None or items is True or items == {}:
                return "array"
            inner = self.type_text(items, stack)
            return f"array of ({inner})" if " | " in inner or " & " in inner else f"array of {inner}"
        if kind == "object":
            if schema.get("properties"):
                return "object"
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                inner = self.type_text(extra, stack)
                return f"map of string to ({inner})" if " | " in inner else f"map of string to {inner}"
            return "object"
        if kind == "string":
            fmt = schema.get("format")
            if isinstance(fmt, str) and fmt:
                return f"string ({fmt})"
            encoding = schema.get("contentEncoding")
            return f"string ({encoding})" if isinstance(encoding, str) and encoding else "string"
        return kind

    # --- tables --------------------------------------------------------------------------------

    def rows(self, schema: Any, prefix: str = "", depth: int = 0) -> list[FieldRow]:
        """The fields table of an object schema (empty when it is not an object with properties)."""
        view = self.object_view(schema)
        if view is None:
            return []
        props, required = view
        rows: list[FieldRow] = []
        for prop, sub in props.items():
            full = prefix + prop
            rows.append(
                FieldRow(
                    name=code(full),
                    type=cell(self.type_text(sub)),
                    required="yes" if prop in required else "no",
                    description=cell(self.description(sub)),
                )
            )
            inline = self._inline_object(sub)
            if inline is not None and depth + 1 < MAX_EXPAND:
                nested, suffix = inline
                rows += self.rows(nested, f"{full}{suffix}.", depth + 1)
        return rows

    def _inline_object(self, schema: Any) -> tuple[Any, str] | None:
        """An object written in place (not a named type) worth expanding, and ``""``/``"[]"``."""
        if not isinstance(schema, Mapping) or "$ref" in schema:
            return None
        if self.schema_name(schema) is None and self.object_view(schema) is not None:
            if schema.get("oneOf") or schema.get("anyOf"):
                return None
            return schema, ""
        members = [m for m in schema.get("anyOf") or schema.get("oneOf") or [] if self._not_null(m)]
        if len(members) == 1:
            return self._inline_object(members[0])
        items = schema.get("items")
        if schema.get("type") == "array" and isinstance(items, Mapping):
            inner = self._inline_object(items)
            if inner is not None:
                return inner[0], "[]" + inner[1]
        return None

    def _not_null(self, schema: Any) -> bool:
        return not (isinstance(schema, Mapping) and schema.get("type") == "null")

    def description(self, schema: Any) -> str:
        """A property's description, default, constraints and deprecation, as one line."""
        if not isinstance(schema, Mapping):
            return ""
        text = schema.get("description")
        name = self.schema_name(schema)
        target = self.schemas[name] if name is not None else schema
        if not isinstance(text, str) and name is not None and not self.is_model(name) and isinstance(target, Mapping):
            text = target.get("description")  # an enum or alias: its description is not shown elsewhere
        parts = [str(text).strip()] if isinstance(text, str) and text.strip() else []
        if isinstance(target, Mapping):
            if schema.get("default", target.get("default")) is not None:
                parts.append(f"Default: {code(json_text(schema.get('default', target.get('default'))))}.")
            for key, label in _CONSTRAINTS:
                value = schema.get(key, target.get(key))
                if value is not None and not isinstance(value, bool):
                    parts.append(f"{label}: {code(json_text(value))}.")
            if schema.get("deprecated") or target.get("deprecated"):
                parts.append("Deprecated.")
        return " ".join(parts)

    # --- examples ------------------------------------------------------------------------------

    def example(self, schema: Any, name: str | None = None, depth: int = 0, stack: tuple[str, ...] = ()) -> Any:
        """A plausible value: the schema's own example, default, const or enum, else made up by type.

        Objects get their required properties only, arrays one item; recursion stops at ``None``.
        """
        if depth > MAX_EXAMPLE_DEPTH:
            return None
        ref = self.schema_name(schema)
        if ref is not None:
            if ref in stack:
                return None
            stack = (*stack, ref)
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping):
            return None
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        examples = schema.get("examples")
        if isinstance(examples, list) and examples and examples[0] is not None:
            return copy.deepcopy(examples[0])
        if schema.get("example") is not None:
            return copy.deepcopy(schema["example"])
        enum = [v for v in schema.get("enum") or [] if v is not None]
        if enum:
            return copy.deepcopy(enum[0])
        if schema.get("default") is not None:
            return copy.deepcopy(schema["default"])
        view = self.object_view(schema)
        if view is not None:
            props, required = view
            # The required properties, and the constant ones (tags such as "type": "tool_call").
            keys = [k for k in props if k in required or self._constant(props[k])]
            keys += [k for k in required if k not in props]
            return {key: self.example(props.get(key, {"type": "string"}), key, depth + 1, stack) for key in keys}
        members = [m for m in schema.get("oneOf") or schema.get("anyOf") or [] if self._not_null(self.resolve(m))]
        if members:
            return self.example(members[0], name, depth + 1, stack)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "array" or (kind is None and "items" in schema):
            item = self.example(schema.get("items", {}), name, depth + 1, stack)
            return [] if item is None else [item]
        if kind == "object":
            return {}
        if kind == "string":
            fmt = schema.get("format")
            return _STRING_FORMATS.get(fmt, "string") if isinstance(fmt, str) else "string"
        if kind == "integer":
            return _number(schema, 0)
        if kind == "number":
            return _number(schema, 0.0)
        if kind == "boolean":
            return False
        return None

    def _constant(self, schema: Any) -> bool:
        """A ``const`` (or one-value ``enum``), possibly spelled as a union with null."""
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping):
            return False
        members = [m for m in schema.get("anyOf") or schema.get("oneOf") or [] if self._not_null(self.resolve(m))]
        if len(members) == 1:
            return self._constant(members[0])
        enum = schema.get("enum")
        return "const" in schema or (isinstance(enum, list) and len(enum) == 1)


def _number(schema: Mapping[str, Any], zero: float) -> Any:
    low = schema.get("minimum")
    if isinstance(low, int | float) and not isinstance(low, bool) and low > zero:
        return low
    high = schema.get("maximum")
    if isinstance(high, int | float) and not isinstance(high, bool) and high < zero:
        return high
    return zero
