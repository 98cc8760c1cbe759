"""Rewrite a copy of an OpenAPI document so datamodel-code-generator makes correct models from it.

Every fix here is a schema-to-schema rewrite done on a copy; the generator's output is never patched
for these problems. The fixes, in order:

1. Schema names that are not Python identifiers (ElevenLabs' ``ASTNode-Input``) get class names from
   :mod:`autosdk_py.naming`; the component is re-keyed under its class name and every ``$ref`` (and
   every discriminator ``mapping`` value) is rewritten, so the generator sees the final names.
2. ``$recursiveRef: "#"`` (JSON Schema 2019-09, used by OpenAI's ``CompoundFilter``) becomes a ``$ref``
   to the component that declares ``$recursiveAnchor``; the generator does not know the keyword.
3. ``nullable: true`` (OpenAPI 3.0 style; OpenAI uses it 111 times inside a 3.1 document, where the
   generator ignores it) becomes a JSON Schema null alternative, keeping ``$ref``, ``enum``,
   ``description`` and ``default``.
4. ``discriminator`` objects get a complete ``mapping``: one key per ``const``/``enum`` value of each
   member's tag property (members composed with ``allOf`` and members that are themselves plain unions
   are looked through; the latter are flattened into the union). When no correct mapping exists (a tag
   that is optional, nullable or not a ``const``/``enum``, two members claiming one value, an inline
   member) the discriminator is dropped and a smart union is generated instead. Without this the
   generator forces every tag to its schema's own name, so ``CompoundFilter`` rejects ``type: "and"``.
5. An ``allOf`` of one ``$ref`` plus inline properties that redefine a property of the referenced schema
   differently (OpenAI's ``ComputerToolCallOutputResource.status`` adds ``failed`` to the base enum)
   is merged into one object schema: as a subclass with an incompatible override it would break
   ``mypy --strict`` (and Liskov) in the generated code.
6. An object ``default`` of a property typed by a model (ElevenLabs: ``telephony_call_config``) is
   dropped: the generated ``= {...}`` would contradict the annotation, and the server applies it.
7. The document's own examples are evidence: where a schema contradicts them, it is relaxed to admit
   them: a required property an example omits becomes optional, a property an example sets to null
   becomes nullable, a string enum gets the value an example uses (OpenAI's real payloads omit
   ``refusal``, ``logprobs``... that the spec marks required; a paused fine-tuning job has status
   ``paused``). Discriminator tags are left alone. Examples are those of :func:`collect_examples`.
8. A ``pattern`` that pydantic's regex engine cannot compile (look-around, backreferences) is dropped:
   the model would fail to import.
9. ``example``/``examples``/``title`` are removed from schemas (they only bloat ``Field(...)`` and
   import time; the original document keeps them).
"""

from __future__ import annotations

import builtins
import contextlib
import datetime
import functools
import json
import keyword
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from autosdk_py.errors import SpecError, escape_pointer_token, json_pointer
from autosdk_py.naming import pascal_case, unique_class_name
from autosdk_py.schema_keywords import ONE_SCHEMA_KEYWORDS, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS

SCHEMA_PREFIX = "#/components/schemas/"

# Keywords whose value is a map of name -> schema, a schema, or a list of schemas.
_SCHEMA_MAP_KEYS = SCHEMA_MAP_KEYWORDS
_SCHEMA_KEYS = ONE_SCHEMA_KEYWORDS
_SCHEMA_LIST_KEYS = SCHEMA_LIST_KEYWORDS
# Keys of a schema that describe it rather than constrain it; they stay on the outside when a schema
# is wrapped in ``anyOf: [<schema>, {type: null}]``.
_ANNOTATION_KEYS = frozenset(
    {"description", "title", "default", "deprecated", "readOnly", "writeOnly", "externalDocs", "$comment"}
)
_DROPPED_KEYS = frozenset({"example", "examples", "nullable", "title", "$recursiveAnchor"})

# Names a generated module may import or rely on: a schema with one of these names gets another class
# name so that no class shadows an import.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "AnyUrl",
        "AwareDatetime",
        "Base64Str",
        "BaseModel",
        "ConfigDict",
        "Decimal",
        "EmailStr",
        "Enum",
        "Field",
        "IntEnum",
        "Literal",
        "NaiveDatetime",
        "Optional",
        "RootModel",
        "StrEnum",
        "StringConstraints",
        "TYPE_CHECKING",
        "TypeAliasType",
        "UUID",
        "Union",
        "annotations",
        "date",
        "datetime",
        "time",
        "timedelta",
        # Names the generated client and realtime modules import beside the models they use: a model
        # of the same name would shadow them there (a schema named ``Timeout`` or ``Stream``).
        "AsyncAPIClient",
        "AsyncBinaryStream",
        "AsyncConnector",
        "AsyncStream",
        "AuthSpec",
        "BinaryStream",
        "Body",
        "ConnectionSettings",
        "Credential",
        "FileTypes",
        "Headers",
        "Mapping",
        "MessageDecoder",
        "NoneType",
        "NotGiven",
        "Query",
        "ReconnectPolicy",
        "RequestOptions",
        "RestClientLike",
        "Self",
        "Sequence",
        "ServerMessage",
        "Stream",
        "SyncAPIClient",
        "Timeout",
        "TracebackType",
        "TypeAdapter",
        "TypeAlias",
    }
    | {name for name in dir(builtins) if not name.startswith("_")}
)


@dataclass
class NormalizeStats:
    """What the normalization changed (for logs and tests)."""

    renamed_schemas: int = 0
    recursive_refs: int = 0
    nullable: int = 0
    discriminators_completed: int = 0
    discriminators_dropped: dict[str, str] = field(default_factory=dict)  # pointer -> reason
    flattened_union_members: int = 0
    merged_all_of: list[str] = field(default_factory=list)  # pointers
    object_defaults_dropped: int = 0
    relaxed_required: int = 0
    patterns_dropped: list[str] = field(default_factory=list)
    widened_enums: int = 0
    simplified_all_of: int = 0
    relaxed_nullable: int = 0
    discriminators_inferred: int = 0


@dataclass(frozen=True)
class NormalizedSpec:
    """The generator's input and how its schema names relate to the original document."""

    document: dict[str, Any]  # a new document: openapi, info, components (schemas re-keyed by class name)
    class_names: dict[str, str]  # original components/schemas key -> class name (== key in ``document``)
    stats: NormalizeStats

    def original_name(self, class_name: str) -> str | None:
        for original, name in self.class_names.items():
            if name == class_name:
                return original
        return None


def is_class_name(name: str) -> bool:
    """A name kept as written: an identifier that starts with a capital letter.

    Lower-case schema names (``labels``, ``reqid`` in AsyncAPI examples) are PascalCased: as written
    they collide with same-named fields (``labels: labels | None``), which breaks the class at import.
    """
    return (
        name.isidentifier() and name[:1].isupper() and not keyword.iskeyword(name) and not keyword.issoftkeyword(name)
    )


def assign_class_names(schema_names: list[str]) -> dict[str, str]:
    """Class name of each schema: the name itself when it is a usable identifier, else a PascalCase one.

    Valid names are placed first so that a sanitized name never takes a name the spec uses itself;
    sanitized names are allocated in sorted order so the result does not depend on document order.
    """
    taken: set[str] = set(RESERVED_CLASS_NAMES)
    result: dict[str, str] = {}
    for name in schema_names:
        if is_class_name(name) and name not in RESERVED_CLASS_NAMES:
            taken.add(name)
            result[name] = name
    for name in sorted(n for n in schema_names if n not in result):
        base: str = pascal_case(name)
        if base in RESERVED_CLASS_NAMES:
            base += "Model"
        result[name] = unique_class_name(base, taken)
    return {name: result[name] for name in schema_names}


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class _Copier:
    """One pass over a schema tree that copies it and applies fixes 1, 2, 3 and 5 to every schema."""

    def __init__(self, class_names: Mapping[str, str], stats: NormalizeStats) -> None:
        self.class_names = class_names
        self.stats = stats

    def ref(self, ref: str) -> str:
        if ref.startswith(SCHEMA_PREFIX):
            rest = ref[len(SCHEMA_PREFIX) :]
            name, sep, tail = rest.partition("/")
            original = _unescape(name)
            if original in self.class_names:
                return SCHEMA_PREFIX + escape_pointer_token(self.class_names[original]) + sep + tail
        return ref

    def schema(self, node: Any, component: str, anchor: str | None) -> Any:
        if not isinstance(node, dict):
            return _deep_copy(node)
        if node.get("$recursiveAnchor") is True and anchor is None:
            anchor = component
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED_KEYS:
                continue
            if key == "$ref" and isinstance(value, str):
                out[key] = self.ref(value)
            elif key == "pattern" and isinstance(value, str) and not _pattern_supported(value):
                self.stats.patterns_dropped.append(value)
            elif key == "$recursiveRef" and value == "#":
                out["$ref"] = SCHEMA_PREFIX + escape_pointer_token(anchor or component)
                self.stats.recursive_refs += 1
            elif key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
                out[key] = {k: self.schema(v, component, anchor) for k, v in value.items()}
            elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
                out[key] = [self.schema(v, component, anchor) for v in value]
            elif key in _SCHEMA_KEYS:
                if isinstance(value, list):
                    out[key] = [self.schema(v, component, anchor) for v in value]
                else:
                    out[key] = self.schema(value, component, anchor)
            elif key == "discriminator" and isinstance(value, dict):
                disc = _deep_copy(value)
                mapping = disc.get("mapping")
                if isinstance(mapping, dict):
                    disc["mapping"] = {k: self._mapping_ref(v) for k, v in mapping.items()}
                out[key] = disc
            else:
                out[key] = _deep_copy(value)
        nullable = node.get("nullable") is True
        if isinstance(node.get("allOf"), list) and isinstance(out.get("allOf"), list):
            out, nullable = self.simplify_all_of(node["allOf"], out, nullable)
        if nullable:
            out = self.nullable(out)
        if isinstance(out.get("default"), dict) and any(
            k in out for k in ("$ref", "properties", "allOf", "anyOf", "oneOf")
        ):
            # An object default of a model-typed field would be a dict where the annotation says
            # model (mypy rejects it); the server applies its defaults anyway.
            del out["default"]
            self.stats.object_defaults_dropped += 1
        elif "default" in out and not _default_fits(out):
            # ``type: boolean, default: 'false'`` (seen in AsyncAPI's own examples): coerce the
            # obvious cases, drop the rest, or the generated ``= 'false'`` breaks the annotation.
            coerced = _coerce_default(out)
            if coerced is _NO_DEFAULT:
                del out["default"]
            else:
                out["default"] = coerced
        return out

    def simplify_all_of(self, original: list[Any], out: dict[str, Any], nullable: bool) -> tuple[dict[str, Any], bool]:
        """``allOf: [{$ref: X}, {nullable: true}]`` (the OpenAPI 3.0 way to write a nullable reference)
        becomes ``X`` that is nullable; members that say nothing (only annotations) are dropped."""
        kept: list[Any] = []
        for before, after in zip(original, out["allOf"], strict=True):
            empty = isinstance(before, dict) and not _structural(before)
            if empty and before.get("nullable") is True:
                nullable = True
            if not empty:
                kept.append(after)
        if len(kept) == len(out["allOf"]):
            return out, nullable
        self.stats.simplified_all_of += 1
        rest = {k: v for k, v in out.items() if k != "allOf"}
        if len(kept) == 1 and isinstance(kept[0], dict) and not _structural(rest):
            return {**rest, **kept[0]}, nullable
        if kept:
            rest["allOf"] = kept
        return rest, nullable

    def _mapping_ref(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.startswith("#"):
            return self.ref(value)
        # A bare schema name is allowed in a mapping.
        if value in self.class_names:
            return SCHEMA_PREFIX + escape_pointer_token(self.class_names[value])
        return value

    def nullable(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``schema`` (already without ``nullable``) that also accepts null."""
        self.stats.nullable += 1
        kind = schema.get("type")
        if isinstance(kind, str):
            if kind != "null":
                schema["type"] = [kind, "null"]
            _add_null_to_enum(schema)
            return schema
        if isinstance(kind, list):
            if "null" not in kind:
                schema["type"] = [*kind, "null"]
            _add_null_to_enum(schema)
            return schema
        structural = [k for k in schema if k not in _ANNOTATION_KEYS and not k.startswith("x-")]
        if not structural:
            return schema  # untyped: already accepts null
        if structural == ["enum"]:
            _add_null_to_enum(schema)
            return schema
        for union in ("anyOf", "oneOf"):
            if set(structural) <= {union, "discriminator"} and isinstance(schema.get(union), list):
                if not any(_is_null_schema(m) for m in schema[union]):
                    schema[union] = [*schema[union], {"type": "null"}]
                return schema
        inner = {k: v for k, v in schema.items() if k not in _ANNOTATION_KEYS}
        outer = {k: v for k, v in schema.items() if k in _ANNOTATION_KEYS}
        outer["anyOf"] = [inner, {"type": "null"}]
        return outer


_NO_DEFAULT = object()
_SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
}


def _default_fits(schema: Mapping[str, Any]) -> bool:
    kind, value = schema.get("type"), schema.get("default")
    if not isinstance(kind, str) or kind not in _SCALAR_TYPES or value is None:
        return True
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _SCALAR_TYPES[kind])


def _coerce_default(schema: Mapping[str, Any]) -> Any:
    kind, value = schema.get("type"), schema.get("default")
    text = str(value).strip().lower()
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    with contextlib.suppress(ValueError):
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _NO_DEFAULT


def _structural(schema: Mapping[str, Any]) -> list[str]:
    """Keys of a schema that constrain values (not annotations, not extensions, not ``nullable``)."""
    return [k for k in schema if k not in _ANNOTATION_KEYS and k not in _DROPPED_KEYS and not k.startswith("x-")]


@functools.lru_cache(maxsize=4096)
def _pattern_supported(pattern: str) -> bool:
    """Whether pydantic can compile ``pattern`` (its Rust engine has no look-around, no backreferences):
    a pattern it cannot compile would make the generated module fail at import."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


def _add_null_to_enum(schema: dict[str, Any]) -> None:
    enum = schema.get("enum")
    if isinstance(enum, list) and None not in enum:
        schema["enum"] = [*enum, None]
    if "const" in schema:
        schema["enum"] = [schema.pop("const"), None]


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("enum") == [None])


# ---------------------------------------------------------------------------------------------------
# Discriminators


class _NoMapping(Exception):
    """Why no correct mapping can be derived for a discriminator."""


class _Resolver:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def __call__(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _NoMapping(f"external reference {ref!r}")
        node: Any = self.document
        for token in ref[1:].split("/")[1:] if ref != "#" else []:
            key = _unescape(token)
            if isinstance(node, list):
                node = node[int(key)]
            elif isinstance(node, dict) and key in node:
                node = node[key]
            else:
                raise _NoMapping(f"unresolvable reference {ref!r}")
        return node

    def deref(self, schema: Any, seen: frozenset[str] = frozenset()) -> Any:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen:
                raise _NoMapping(f"reference cycle through {ref!r}")
            seen = seen | {ref}
            schema = self(ref)
        return schema


def _is_plain_union(schema: Any) -> bool:
    """A schema that is only a oneOf/anyOf of alternatives (it generates no class with fields)."""
    if not isinstance(schema, dict):
        return False
    unions = [k for k in ("oneOf", "anyOf") if isinstance(schema.get(k), list)]
    if len(unions) != 1:
        return False
    structural = {
        k for k in schema if k not in _ANNOTATION_KEYS and not k.startswith("x-") and k not in {"discriminator", "$ref"}
    }
    if "$ref" in schema:
        return False
    return structural <= {unions[0], "type"} and schema.get("type", "object") == "object"


def _object_view(schema: Any, resolve: _Resolver, depth: int = 0) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names of an object schema, looking through ``$ref`` and ``allOf``."""
    if depth > 50:
        raise _NoMapping("allOf nesting too deep")
    schema = resolve.deref(schema)
    if not isinstance(schema, dict):
        return {}, set()
    props: dict[str, Any] = {}
    required: set[str] = set()
    for part in schema.get("allOf") or []:
        p, r = _object_view(part, resolve, depth + 1)
        props.update(p)
        required |= r
    own = schema.get("properties")
    if isinstance(own, dict):
        props.update(own)
    req = schema.get("required")
    if isinstance(req, list):
        required |= {r for r in req if isinstance(r, str)}
    return props, required


def _tag_values(member_ref: str, prop: str, resolve: _Resolver) -> list[Any]:
    props, required = _object_view({"$ref": member_ref}, resolve)
    if prop not in props:
        raise _NoMapping(f"member {member_ref!r} has no property {prop!r}")
    tag = resolve.deref(props[prop])
    if not isinstance(tag, dict):
        raise _NoMapping(f"property {prop!r} of member {member_ref!r} is not a schema")
    if "const" in tag:
        values = [tag["const"]]
    elif isinstance(tag.get("enum"), list) and tag["enum"]:
        values = list(tag["enum"])
    else:
        raise _NoMapping(f"property {prop!r} of member {member_ref!r} is neither a const nor an enum")
    # An optional tag is still a tag when it defaults to its only value (FastAPI/pydantic specs write
    # ``type: Literal["x"] = "x"`` so); any other optional tag leaves untagged payloads ambiguous.
    if prop not in required and not (len(values) == 1 and tag.get("default") == values[0]):
        raise _NoMapping(f"property {prop!r} of member {member_ref!r} is optional")
    if any(not isinstance(v, str) for v in values):
        raise _NoMapping(f"property {prop!r} of member {member_ref!r} has a non-string value")
    return values


def _union_members(schema: Any) -> list[Any] | None:
    for key in ("oneOf", "anyOf"):
        if isinstance(schema, dict) and isinstance(schema.get(key), list):
            return list(schema[key])
    return None


def _flatten_members(
    members: list[Any], prop: str, resolve: _Resolver, stats: NormalizeStats, depth: int = 0
) -> list[Any]:
    """Replace members that are references to plain unions by their own members (recursively)."""
    out: list[Any] = []
    for member in members:
        target = None
        if isinstance(member, dict) and isinstance(member.get("$ref"), str):
            target = resolve.deref(member)
        inner = _union_members(target) if depth < 10 and _is_plain_union(target) else None
        if (
            isinstance(target, dict)
            and inner is not None
            and all(_is_null_schema(m) or (isinstance(m, dict) and isinstance(m.get("$ref"), str)) for m in inner)
        ):
            inner_disc = target.get("discriminator")
            if isinstance(inner_disc, dict) and inner_disc.get("propertyName") not in (None, prop):
                raise _NoMapping(f"member {member['$ref']!r} is a union on another property")
            stats.flattened_union_members += 1
            out.extend(_flatten_members(inner, prop, resolve, stats, depth + 1))
        else:
            out.append(member)
    unique: list[Any] = []
    seen: set[str] = set()
    for member in out:
        key = member.get("$ref") if isinstance(member, dict) else None
        if isinstance(key, str):
            if key in seen:
                continue
            seen.add(key)
        unique.append(member)
    return unique


def _complete_discriminator(schema: dict[str, Any], resolve: _Resolver, stats: NormalizeStats) -> None:
    disc = schema["discriminator"]
    prop = disc.get("propertyName")
    union_key = next((k for k in ("oneOf", "anyOf") if isinstance(schema.get(k), list)), None)
    if not isinstance(prop, str):
        raise _NoMapping("discriminator without propertyName")
    if union_key is None:
        raise _NoMapping("discriminator beside no oneOf/anyOf")
    members = _flatten_members(schema[union_key], prop, resolve, stats)
    given = disc.get("mapping") if isinstance(disc.get("mapping"), dict) else {}
    mapping: dict[str, str] = {}
    owner: dict[str, str] = {}
    for value, ref in given.items():
        if isinstance(value, str) and isinstance(ref, str):
            mapping[value] = ref
            owner[value] = ref
    for member in members:
        if _is_null_schema(member):
            continue
        if not (isinstance(member, dict) and isinstance(member.get("$ref"), str)):
            raise _NoMapping("an inline member cannot be named in a mapping")
        ref = member["$ref"]
        values = _tag_values(ref, prop, resolve)
        for value in values:
            if value in owner and owner[value] != ref:
                # An explicit mapping may point at the member through another reference chain.
                if resolve.deref({"$ref": owner[value]}) is resolve.deref(member):
                    continue
                raise _NoMapping(f"tag value {value!r} is claimed by {owner[value]!r} and {ref!r}")
            owner[value] = ref
            mapping.setdefault(value, ref)
    member_refs = {m["$ref"] for m in members if isinstance(m, dict) and "$ref" in m}
    for value, ref in list(mapping.items()):
        if ref not in member_refs:
            target = resolve.deref({"$ref": ref})
            if not any(resolve.deref({"$ref": m}) is target for m in member_refs):
                raise _NoMapping(f"mapping value {value!r} names {ref!r}, which is not a member")
    schema[union_key] = members
    disc["mapping"] = mapping
    stats.discriminators_completed += 1


_IGNORED_IN_COMPARISON = frozenset({"description", "title", "default", "deprecated", "readOnly", "writeOnly"})


def _comparable(schema: Any, resolve: _Resolver, depth: int = 0) -> Any:
    if depth > 20:
        return None
    schema = resolve.deref(schema)
    if isinstance(schema, dict):
        return {
            k: _comparable(v, resolve, depth + 1)
            for k, v in sorted(schema.items())
            if k not in _IGNORED_IN_COMPARISON and not k.startswith("x-")
        }
    if isinstance(schema, list):
        return [_comparable(v, resolve, depth + 1) for v in schema]
    return schema


def _merge_conflicting_all_of(schema: dict[str, Any], resolve: _Resolver) -> bool:
    """Merge ``allOf: [{$ref: Base}, {properties: ...}]`` into one object schema when an inline part
    redefines a property of ``Base`` differently. Returns whether it did."""
    parts = schema.get("allOf")
    if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
        return False
    refs = [p for p in parts if "$ref" in p]
    inline = [p for p in parts if "$ref" not in p]
    if len(refs) != 1 or not inline:
        return False
    try:
        base_props, _ = _object_view(refs[0], resolve)
    except _NoMapping:
        return False
    conflict = any(
        name in base_props and _comparable(sub, resolve) != _comparable(base_props[name], resolve)
        for part in inline
        for name, sub in (part.get("properties") or {}).items()
    )
    if not conflict:
        return False
    properties: dict[str, Any] = {}
    required: list[str] = []
    extra: Any = None
    for part in parts:
        props, req = _object_view(part, resolve)
        properties.update(_deep_copy(props))
        required += [r for r in sorted(req) if r not in required]
        target = resolve.deref(part)
        if isinstance(target, dict) and "additionalProperties" in target:
            extra = _deep_copy(target["additionalProperties"])
    del schema["allOf"]
    schema.setdefault("type", "object")
    schema["properties"] = properties
    if required:
        schema["required"] = required
    if extra is not None and "additionalProperties" not in schema:
        schema["additionalProperties"] = extra
    return True


def _merge_all_ofs(document: dict[str, Any], stats: NormalizeStats) -> None:
    resolve = _Resolver(document)
    for name, schema in document["components"]["schemas"].items():
        for node, pointer in list(_walk_schemas(schema, json_pointer("components", "schemas", name))):
            if "allOf" in node and _merge_conflicting_all_of(node, resolve):
                stats.merged_all_of.append(pointer)


def _walk_schemas(node: Any, pointer: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every schema object (pre-order) under ``node``, with its JSON pointer."""
    if not isinstance(node, dict):
        return
    yield node, pointer
    for key, value in node.items():
        if key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _walk_schemas(sub, f"{pointer}/{key}/{escape_pointer_token(name)}")
        elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _walk_schemas(sub, f"{pointer}/{key}/{i}")
        elif key in _SCHEMA_KEYS:
            if isinstance(value, list):
                for i, sub in enumerate(value):
                    yield from _walk_schemas(sub, f"{pointer}/{key}/{i}")
            else:
                yield from _walk_schemas(value, f"{pointer}/{key}")


_PREFERRED_TAGS = ("type", "object", "event", "kind", "message_type", "op")


def _infer_discriminator(node: dict[str, Any], resolve: _Resolver) -> bool:
    """Give a union of named objects that all carry a distinct one-value tag a ``discriminator``.

    The spec does not say so, but such a union IS tagged (OpenAI's realtime session and item
    unions): pydantic then validates one member instead of trying each in turn, which is several
    times faster and reports errors against the right member.
    """
    for union in ("oneOf", "anyOf"):
        members = node.get(union)
        if isinstance(members, list) and len(members) >= 2:
            break
    else:
        return False
    refs = [m["$ref"] for m in members if isinstance(m, dict) and isinstance(m.get("$ref"), str)]
    if len(refs) != len(members):
        return False
    try:
        first, _ = _object_view({"$ref": refs[0]}, resolve)
    except _NoMapping:
        return False
    candidates = [p for p in _PREFERRED_TAGS if p in first] + sorted(p for p in first if p not in _PREFERRED_TAGS)
    for prop in candidates:
        seen: set[Any] = set()
        try:
            for ref in refs:
                # Required in every member: a payload without the tag would fail a tagged union
                # where the spec's plain union accepted it.
                if prop not in _object_view({"$ref": ref}, resolve)[1]:
                    raise _NoMapping("optional tag")
                values = _tag_values(ref, prop, resolve)
                if len(values) != 1 or values[0] in seen:
                    raise _NoMapping("not one distinct value per member")
                seen.add(values[0])
        except _NoMapping:
            continue
        node["discriminator"] = {"propertyName": prop}
        return True
    return False


def _fix_discriminators(document: dict[str, Any], stats: NormalizeStats) -> None:
    resolve = _Resolver(document)
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        for node, pointer in _walk_schemas(schema, json_pointer("components", "schemas", name)):
            if not isinstance(node.get("discriminator"), dict):
                if not _infer_discriminator(node, resolve):
                    continue
                stats.discriminators_inferred += 1
            try:
                _complete_discriminator(node, resolve, stats)
            except _NoMapping as exc:
                del node["discriminator"]
                stats.discriminators_dropped[pointer] = str(exc)


# ---------------------------------------------------------------------------------------------------
# Examples: collected from the document, used as evidence where schemas contradict them


@dataclass(frozen=True)
class Example:
    """One example payload the document embeds, and the component schema it illustrates."""

    pointer: str  # JSON pointer of the example in the document
    schema: str  # components/schemas key (as in the document)
    value: Any  # the JSON value (YAML dates turned back into strings)
    origin: Literal["schema", "media", "x-oaiMeta"]


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _json_value(value: Any) -> Any:
    """Undo YAML's typing of unquoted dates (``2024-10-01``) so the value is what the JSON would be."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def _deref_object(spec: Mapping[str, Any], node: Any) -> Any:
    resolve = _Resolver(spec)
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        try:
            node = resolve(node["$ref"])
        except _NoMapping:
            return None
        seen += 1
    return node


def collect_examples(spec: Mapping[str, Any], *, vendor: bool = True) -> list[Example]:
    """Every example of a component schema the document embeds.

    Standard: a component schema's ``example``/``examples``; a media type's ``example``/``examples``
    (request bodies and responses, in paths and components) whose schema is a ``$ref`` to a component.
    With ``vendor``: OpenAI's ``x-oaiMeta`` JSON snippets (a component's ``example``, an operation's
    ``examples.response`` for its 200/201 JSON response), which are real payloads.
    """
    found: list[Example] = []
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for name, schema in schemas.items():
        if not isinstance(schema, dict):
            continue
        base = json_pointer("components", "schemas", name)
        if "example" in schema:
            found.append(Example(base + "/example", name, _json_value(schema["example"]), "schema"))
        if isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                found.append(Example(f"{base}/examples/{i}", name, _json_value(value), "schema"))
        meta = schema.get("x-oaiMeta")
        if vendor and isinstance(meta, dict) and isinstance(meta.get("example"), str):
            with contextlib.suppress(ValueError):
                found.append(Example(f"{base}/x-oaiMeta/example", name, json.loads(meta["example"]), "x-oaiMeta"))

    def media(pointer: str, holder: Any) -> None:
        holder = _deref_object(spec, holder)
        content = holder.get("content") if isinstance(holder, dict) else None
        if not isinstance(content, dict):
            return
        for media_type, obj in content.items():
            if not isinstance(obj, dict):
                continue
            ref = (obj.get("schema") or {}).get("$ref") if isinstance(obj.get("schema"), dict) else None
            name = _component_name(ref)
            if name is None or name not in schemas:
                continue
            where = f"{pointer}/content/{escape_pointer_token(media_type)}"
            if "example" in obj:
                found.append(Example(where + "/example", name, _json_value(obj["example"]), "media"))
            for key, example in (obj.get("examples") or {}).items():
                example = _deref_object(spec, example)
                if isinstance(example, dict) and "value" in example:
                    found.append(
                        Example(
                            f"{where}/examples/{escape_pointer_token(key)}",
                            name,
                            _json_value(example["value"]),
                            "media",
                        )
                    )

    components = spec.get("components") or {}
    for key, body in (components.get("requestBodies") or {}).items():
        media(json_pointer("components", "requestBodies", key), body)
    for key, response in (components.get("responses") or {}).items():
        media(json_pointer("components", "responses", key), response)
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            base = json_pointer("paths", path, method)
            if isinstance(op.get("requestBody"), dict) and "$ref" not in op["requestBody"]:
                media(base + "/requestBody", op["requestBody"])
            for code, response in (op.get("responses") or {}).items():
                if isinstance(response, dict) and "$ref" not in response:
                    media(f"{base}/responses/{escape_pointer_token(str(code))}", response)
            meta = op.get("x-oaiMeta")
            if vendor and isinstance(meta, dict):
                found.extend(_operation_meta_examples(spec, op, meta, base))
    return found


def _component_name(ref: Any) -> str | None:
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX) and "/" not in ref[len(SCHEMA_PREFIX) :]:
        return _unescape(ref[len(SCHEMA_PREFIX) :])
    return None


def _operation_meta_examples(
    spec: Mapping[str, Any], op: Mapping[str, Any], meta: Mapping[str, Any], base: str
) -> list[Example]:
    found: list[Example] = []
    responses = op.get("responses") or {}
    target = None
    for code in ("200", "201"):
        response = _deref_object(spec, responses.get(code) or responses.get(int(code)))
        content = response.get("content") if isinstance(response, dict) else None
        schema = ((content or {}).get("application/json") or {}).get("schema") if isinstance(content, dict) else None
        target = _component_name(schema.get("$ref")) if isinstance(schema, dict) else None
        if target:
            break
    if target is None:
        return found
    entries = meta.get("examples")
    for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        if isinstance(entry, dict) and isinstance(entry.get("response"), str):
            with contextlib.suppress(ValueError):
                value = json.loads(entry["response"])
                found.append(Example(f"{base}/x-oaiMeta/examples/{i}/response", target, value, "x-oaiMeta"))
    return found


def _admits_null(schema: Any, resolve: _Resolver, depth: int = 0) -> bool:
    if depth > 30:
        return True
    try:
        schema = resolve.deref(schema)
    except _NoMapping:
        return True
    if not isinstance(schema, dict):
        return schema is not False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if isinstance(schema.get("enum"), list):
        return None in schema["enum"]
    if "const" in schema:
        return schema["const"] is None
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return any(_admits_null(m, resolve, depth + 1) for m in schema[key])
    if isinstance(schema.get("allOf"), list):
        return all(_admits_null(m, resolve, depth + 1) for m in schema["allOf"])
    structural = [k for k in schema if k not in _ANNOTATION_KEYS and not k.startswith("x-")]
    return kind is None and not structural


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def _type_fits(schema: dict[str, Any], value: Any) -> bool:
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    if not kinds:
        if "properties" in schema or "additionalProperties" in schema:
            kinds = ["object"]
        elif "items" in schema:
            kinds = ["array"]
        else:
            return True
    for k in kinds:
        types = _JSON_TYPES.get(k)
        if types and isinstance(value, types) and not (k in ("integer", "number") and isinstance(value, bool)):
            return True
    return False


class _Relaxer:
    """Make schemas admit the document's own examples: a required property an example omits becomes
    optional, a property an example sets to null becomes nullable, a string enum gets the value an
    example uses. Tags of discriminated unions are never relaxed (that would turn the union into a slow
    untagged one or make two members claim one tag)."""

    def __init__(self, document: dict[str, Any], stats: NormalizeStats, protected: set[tuple[int, str]]) -> None:
        self.resolve = _Resolver(document)
        self.schemas: dict[str, Any] = document["components"]["schemas"]
        self.stats = stats
        self.protected = protected  # (id of an object schema, property name) that must stay required

    def example(self, class_key: str, value: Any) -> None:
        self.visit(self.schemas, class_key, value, 0)

    def visit(self, container: Any, key: Any, value: Any, depth: int, tag: bool = False) -> None:
        if depth > 60:
            return
        schema = container[key]
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if value is None and not _admits_null(schema, self.resolve):
                self.make_nullable(container, key)
                return
            name = _component_name(ref)
            if name is not None and name in self.schemas:
                self.visit(self.schemas, name, value, depth + 1)
            return
        if value is None:
            if not _admits_null(schema, self.resolve):
                self.make_nullable(container, key)
            return
        enum = schema.get("enum")
        if (
            isinstance(value, str)
            and not tag
            and isinstance(enum, list)
            and len([v for v in enum if v is not None]) > 1  # a one-value enum is a tag, not a list
            and value not in enum
            and all(isinstance(v, str) or v is None for v in enum)
        ):
            schema["enum"] = [*enum, value]
            self.stats.widened_enums += 1
        for union in ("oneOf", "anyOf"):
            members = schema.get(union)
            if isinstance(members, list) and members:
                index = self.pick_member(schema, members, value)
                if index is not None:
                    self.visit(members, index, value, depth + 1)
        parts = schema.get("allOf")
        if isinstance(parts, list):
            for i in range(len(parts)):
                self.visit(parts, i, value, depth + 1)
        if isinstance(value, dict):
            self.object(schema, value, depth)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for item in value:
                self.visit(schema, "items", item, depth + 1)

    def object(self, schema: dict[str, Any], value: dict[str, Any], depth: int) -> None:
        required = schema.get("required")
        if isinstance(required, list):
            missing = [r for r in required if r not in value and (id(schema), r) not in self.protected]
            if missing:
                schema["required"] = [r for r in required if r not in missing]
                if not schema["required"]:
                    del schema["required"]
                self.stats.relaxed_required += len(missing)
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if isinstance(props, dict) and name in props:
                self.visit(props, name, item, depth + 1, tag=(id(schema), name) in self.protected)
            elif isinstance(extra, dict):
                self.visit(schema, "additionalProperties", item, depth + 1)

    def pick_member(self, schema: dict[str, Any], members: list[Any], value: Any) -> int | None:
        disc = schema.get("discriminator")
        if isinstance(disc, dict) and isinstance(value, dict) and isinstance(disc.get("mapping"), dict):
            target = disc["mapping"].get(value.get(disc.get("propertyName")))
            for i, member in enumerate(members):
                if isinstance(member, dict) and member.get("$ref") == target:
                    return i
        best, best_score = None, -(10**9)
        for i, member in enumerate(members):
            try:
                target = self.resolve.deref(member)
            except _NoMapping:
                continue
            if not isinstance(target, dict) or _is_null_schema(target) or not _type_fits(target, value):
                continue
            score = 0
            if isinstance(value, dict):
                try:
                    props, required = _object_view(target, self.resolve)
                except _NoMapping:
                    continue
                for name, sub in props.items():
                    sub = self.resolve.deref(sub) if isinstance(sub, dict) else sub
                    fixed = _fixed_values(sub)
                    if name in value and fixed is not None:
                        score += 10 if value[name] in fixed else -100
                    elif name in value:
                        score += 1
                score -= sum(1 for r in required if r not in value)
                score -= 3 * sum(1 for k in value if k not in props)
            if score > best_score:
                best, best_score = i, score
        return best

    def make_nullable(self, container: Any, key: Any) -> None:
        if container is self.schemas:
            return  # a component itself stays what it is; its uses decide whether null is allowed
        schema = container[key]
        self.stats.relaxed_nullable += 1
        annotations = {k: v for k, v in schema.items() if k in _ANNOTATION_KEYS}
        core = {k: v for k, v in schema.items() if k not in _ANNOTATION_KEYS}
        container[key] = {**annotations, "anyOf": [core, {"type": "null"}]}


def _fixed_values(schema: Any) -> list[Any] | None:
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    if isinstance(enum, list) and 0 < len(enum) <= 3:
        return list(enum)
    return None


def _discriminator_tags(document: dict[str, Any]) -> set[tuple[int, str]]:
    """(id of the object schema declaring the tag, tag property) of every discriminated union member."""
    resolve = _Resolver(document)
    tags: set[tuple[int, str]] = set()
    for name, schema in document["components"]["schemas"].items():
        for node, _ in _walk_schemas(schema, name):
            disc = node.get("discriminator")
            if not isinstance(disc, dict) or not isinstance(disc.get("mapping"), dict):
                continue
            prop = disc.get("propertyName")
            for ref in disc["mapping"].values():
                with contextlib.suppress(_NoMapping):
                    for part in _declaring_schemas(resolve.deref({"$ref": ref}), str(prop), resolve):
                        tags.add((id(part), str(prop)))
    return tags


def _declaring_schemas(schema: Any, prop: str, resolve: _Resolver, depth: int = 0) -> list[dict[str, Any]]:
    if not isinstance(schema, dict) or depth > 20:
        return []
    found = [schema] if prop in (schema.get("required") or []) else []
    for part in schema.get("allOf") or []:
        found += _declaring_schemas(resolve.deref(part), prop, resolve, depth + 1)
    return found


def relax_to_examples(
    document: dict[str, Any], examples: list[Example], class_names: Mapping[str, str], stats: NormalizeStats
) -> None:
    relaxer = _Relaxer(document, stats, _discriminator_tags(document))
    for example in examples:
        key = class_names.get(example.schema)
        if key is not None:
            relaxer.example(key, example.value)


# ---------------------------------------------------------------------------------------------------


def normalize_spec(spec: Mapping[str, Any], *, source: object = None, relax: bool = True) -> NormalizedSpec:
    """Build the generator's input document from ``spec`` (which is left untouched)."""
    components = spec.get("components")
    schemas = components.get("schemas") if isinstance(components, Mapping) else None
    if schemas is None:
        schemas = {}
    if not isinstance(schemas, Mapping):
        raise SpecError(
            "components/schemas must be a map of schema name to schema",
            file=str(source) if source is not None else None,
            pointer="/components/schemas",
        )
    class_names = assign_class_names(list(schemas))
    stats = NormalizeStats(renamed_schemas=sum(1 for k, v in class_names.items() if k != v))
    copier = _Copier(class_names, stats)
    new_schemas: dict[str, Any] = {}
    for original, schema in schemas.items():
        name = class_names[original]
        new_schemas[name] = copier.schema(schema, name, None)
    new_components: dict[str, Any] = {"schemas": new_schemas}
    # Other component sections are carried over only when a schema refers into them.
    referenced: set[str] = set()
    for schema in new_schemas.values():
        for node, _ in _walk_schemas(schema, ""):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/") and ref.count("/") >= 3:
                referenced.add(_unescape(ref.split("/")[2]))
    referenced.discard("schemas")
    if isinstance(components, Mapping):
        for section in sorted(referenced):
            if section in components:
                new_components[section] = _deep_copy(components[section])
    document: dict[str, Any] = {
        "openapi": str(spec.get("openapi", "3.1.0")),
        "info": _deep_copy(spec.get("info") or {"title": "API", "version": "0"}),
        "paths": {},
        "components": new_components,
    }
    _merge_all_ofs(document, stats)
    _fix_discriminators(document, stats)
    if relax:
        relax_to_examples(document, collect_examples(spec), class_names, stats)
    return NormalizedSpec(document=document, class_names=class_names, stats=stats)


def schema_resolver(spec: Mapping[str, Any]) -> Callable[[str], Mapping[str, Any]]:
    """A ``$ref`` resolver over ``spec`` (local JSON pointers only)."""
    resolver = _Resolver(spec)

    def resolve(ref: str) -> Mapping[str, Any]:
        try:
            node = resolver(ref)
        except _NoMapping as exc:
            raise KeyError(str(exc)) from None
        if not isinstance(node, Mapping):
            raise KeyError(f"{ref!r} is not a schema")
        return node

    return resolve
