"""JSON schemas as Markdown: readable type strings, field tables and made-up examples.

Type strings: ``string``, ``string (date-time)``, ``integer``, ``array of X``, ``map of string to X``,
``"a" | "b"`` for enums, ``const "session.update"``, ``A | B | null`` for unions, and a link
``[`Name`](#name)`` for a named object type (a ``components/schemas`` entry that becomes a pydantic
model: an object with properties). Other named schemas (enums, aliases, unions) are written out
where they are used. Inline objects are expanded in the same table (``audio.format``,
``tools[].name``), a few levels deep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..schema.examples import DOCS, Synthesizer, Unviable
from ..schema.pointer import key_under
from ..schema.refs import DanglingRef, target
from .markdown import cell, code, json_text

SCHEMA_PREFIX = "#/components/schemas/"
MAX_EXPAND = 4  # levels of inline objects expanded into dotted rows

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
        self._synth: Synthesizer | None = None

    # --- plumbing ------------------------------------------------------------------------------

    def schema_name(self, schema: Any) -> str | None:
        """The ``components/schemas`` key a ``{"$ref": ...}`` points at, if it is one."""
        if not isinstance(schema, Mapping):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            name = key_under(ref, SCHEMA_PREFIX)
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
            try:
                schema = target(self.data, ref)[1]
            except DanglingRef:  # remote references too
                return {}
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

    def example(self, schema: Any, name: str | None = None) -> Any:
        """A plausible value, made up as ``autosdk_py.schema.examples`` does with its ``DOCS`` variant:
        the schema's own default or example, const or enum, else made up by type; objects get their
        required and fixed (tag) properties, arrays one item. None when nothing can be built.
        """
        if self._synth is None:
            self._synth = Synthesizer(self.data, self.schemas)
        try:
            return self._synth.value(schema, DOCS, name=name)
        except Unviable:
            return None
