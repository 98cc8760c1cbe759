"""Fern Definition files (``channel:`` WebSocket definitions and their ``types``) -> ``AsyncApiDocument``.

See the package docstring (``autosdk_py/fern/__init__.py``) for what is read and how each Fern
construct maps to JSON Schema. Every problem is a ``SpecError`` naming the file, the JSON pointer into
that file's YAML and the line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..asyncapi.parser import TAG_PREFERENCE
from ..asyncapi.spec import (
    AsyncApiDocument,
    ChannelSpec,
    Direction,
    MessageSpec,
    ParamSpec,
    SecuritySpec,
    ServerSpec,
)
from ..errors import SpecError, json_pointer
from ..loader import Document, line_of, parse_text, read_text
from ..naming import pascal_case, unique_class_name
from ..ref_roots import RefRefused, RefRoots
from .typeref import CONTAINERS, PRIMITIVES, Container, Literal, Named, Primitive, TypeRef, TypeSyntaxError, parse_type

FERN_VERSION = "fern"
SCHEMA_PREFIX = "#/components/schemas/"

# Top-level keys of a definition file (plus the api.yml keys a one-file definition may carry).
DEFINITION_KEYS = frozenset({"imports", "types", "channel", "service", "errors", "webhooks", "docs"})
API_KEYS_IN_DEFINITION = frozenset(
    {"environments", "default-environment", "auth", "auth-schemes", "base-path", "headers", "navigation"}
)
CHANNEL_KEYS = frozenset(
    {
        "path",
        "url",
        "auth",
        "docs",
        "display-name",
        "availability",
        "audiences",
        "connect-method-name",
        "headers",
        "path-parameters",
        "query-parameters",
        "messages",
        "examples",
        "source",
    }
)
MESSAGE_KEYS = frozenset({"origin", "body", "docs", "display-name", "method-name", "availability", "audiences"})
_DECLARATION_KEYS = frozenset({"docs", "availability", "audiences", "source", "inline", "examples", "display-name"})
TYPE_KEYS = {
    "object": _DECLARATION_KEYS | {"properties", "extends", "extra-properties"},
    "enum": _DECLARATION_KEYS | {"enum", "default"},
    "union": _DECLARATION_KEYS | {"union", "discriminant", "base-properties", "discriminated"},
    "undiscriminated": _DECLARATION_KEYS | {"union", "discriminated"},
    "alias": _DECLARATION_KEYS | {"type", "default", "validation"},
}
PROPERTY_KEYS = frozenset({"type", "docs", "availability", "audiences", "name", "default", "validation", "access"})
PARAMETER_KEYS = frozenset(
    {"type", "docs", "availability", "audiences", "name", "default", "allow-multiple", "variable", "env", "validation"}
)
UNION_MEMBER_KEYS = frozenset({"type", "key", "docs", "name", "display-name", "availability"})

_PRIMITIVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "long": {"type": "integer", "format": "int64"},
    "uint": {"type": "integer", "minimum": 0},
    "uint64": {"type": "integer", "format": "int64", "minimum": 0},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "uuid": {"type": "string", "format": "uuid"},
    "base64": {"type": "string", "contentEncoding": "base64"},
    "bigint": {"type": "string", "pattern": "^-?[0-9]+$"},
    "unknown": {},
}
# Fern's definition docs spell the rules in camelCase (string: minLength, maxLength, pattern, format;
# number: min, max, exclusiveMin, exclusiveMax, multipleOf); definitions written for older Fern versions
# (and this parser's first version) use kebab-case. Both spellings are accepted and mean the same keyword.
_VALIDATION_KEYS = {
    "min": "minimum",
    "max": "maximum",
    "multipleOf": "multipleOf",
    "multiple-of": "multipleOf",
    "minLength": "minLength",
    "min-length": "minLength",
    "maxLength": "maxLength",
    "max-length": "maxLength",
    "pattern": "pattern",
    "format": "format",
}
# exclusiveMin/exclusiveMax are booleans that make min/max exclusive (Fern's docs: ``min: 0, exclusiveMin:
# true``); in JSON Schema 2020-12 the bound itself moves to exclusiveMinimum/exclusiveMaximum.
_EXCLUSIVE_KEYS = {
    "exclusiveMin": "minimum",
    "exclusive-min": "minimum",
    "exclusiveMax": "maximum",
    "exclusive-max": "maximum",
}
_DOCUMENTED_VALIDATION = (
    "minLength, maxLength, pattern, format (strings); min, max, exclusiveMin, exclusiveMax, multipleOf (numbers)"
)
_KIND_NAMES = {
    "object": "an object type",
    "enum": "an enum type",
    "union": "a union type",
    "undiscriminated": "an undiscriminated union type",
    "alias": "an alias type",
}
_WS_SCHEME = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}

_Key = tuple[Path, str]  # (file, type name): one type declaration


# --- public API ----------------------------------------------------------------------------------


def is_fern_definition(data: object) -> bool:
    """A Fern definition file: a mapping with ``channel:`` (or ``types:``/``imports:``), not OpenAPI/AsyncAPI."""
    if not isinstance(data, dict) or any(k in data for k in ("openapi", "asyncapi", "swagger")):
        return False
    return "channel" in data or "types" in data or "imports" in data


def parse_fern(path: Path) -> AsyncApiDocument:
    """Read the Fern definition at ``path`` (and its ``imports``) into an ``AsyncApiDocument``."""
    return _Reader(path).read()


def parse_fern_document(doc: Document) -> AsyncApiDocument:
    """``parse_fern`` for a document the loader already read (the file is not read twice)."""
    return _Reader(doc.path, text=doc.text, data=doc.data).read()


def load_fern_as_document(path: Path) -> Document:
    """A ``loader.Document`` for a Fern file: kind ``asyncapi``, version ``fern`` (pass 2 reads it)."""
    text = read_text(path)
    data = parse_text(text, path)
    if not is_fern_definition(data):
        raise SpecError(
            "this is not a Fern definition file (no top-level 'channel', 'types' or 'imports')",
            file=path,
            pointer="",
            line=1,
            hint="a Fern WebSocket definition starts with 'channel:' (path, messages...) and 'types:'",
        )
    return Document(path=path, data=data, kind="asyncapi", version=FERN_VERSION, text=text)


# --- files ---------------------------------------------------------------------------------------


@dataclass
class _File:
    path: Path
    text: str
    data: dict[str, Any]
    imports: dict[str, _File] = field(default_factory=dict)

    def error(self, message: str, pointer: str, hint: str | None = None) -> SpecError:
        return SpecError(message, file=self.path, pointer=pointer, line=line_of(self.text, pointer), hint=hint)

    @property
    def types(self) -> dict[str, Any]:
        types = self.data.get("types")
        return types if isinstance(types, dict) else {}

    @property
    def is_api_config(self) -> bool:
        return self.path.name == "api.yml" or self.path.name == "api.yaml"


@dataclass(frozen=True)
class _Decl:
    file: _File
    name: str
    raw: Any
    pointer: str
    kind: str  # object, enum, union (discriminated), undiscriminated, alias; "refused" (see _Reader.problems)

    @property
    def key(self) -> _Key:
        return (self.file.path, self.name)


@dataclass(frozen=True)
class _Prop:
    name: str
    ref: TypeRef
    file: _File
    pointer: str


def _esc(token: object) -> str:
    return json_pointer(str(token))[1:]


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    names: dict[type, str] = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), "a mapping" if isinstance(value, dict) else type(value).__name__)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else None


# --- the reader ----------------------------------------------------------------------------------

# Files that mark the top of a Fern definition (api.yml) or project; imports may reach anywhere below it.
_DEFINITION_MARKERS = ("api.yml", "api.yaml", "fern.config.json", "generators.yml")


def _definition_root(entry: Path) -> Path:
    """The folder ``imports`` may reach: the nearest of the entry's folder and its three parents holding a
    marker (the folders ``find_api_config`` searches), else the entry's own folder."""
    folder = entry.resolve().parent
    for _ in range(4):
        if any((folder / marker).is_file() for marker in _DEFINITION_MARKERS):
            return folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return entry.parent


class _Reader:
    def __init__(self, path: Path, *, text: str | None = None, data: Any = None) -> None:
        self.files: dict[Path, _File] = {}
        self.order: list[_File] = []
        self.warnings: list[str] = []
        self.roots = RefRoots.around(_definition_root(path))
        self.entry = self.load(path, text=text, data=data)
        self.decls: dict[_Key, _Decl] = {}
        self.names: dict[_Key, str] = {}
        self.taken: set[str] = set()
        self.schemas: dict[str, Any] = {}
        self.queue: list[_Key] = []
        self.queued: set[_Key] = set()
        self.members: dict[_Key, dict[str, str]] = {}  # discriminated union -> value -> lifted schema name
        # A declaration the parser refuses (unknown key, bad shape...) is an error only when the channel uses
        # it: real definition files share one __package__.yml between HTTP endpoints and channels, and a
        # feature of an HTTP-only type must not block the channel. The error waits here until the type is
        # reached (resolve) and becomes a note otherwise (check_unused).
        self.problems: dict[_Key, SpecError] = {}
        # Who first used each queued type (another type, or a message/parameter of the channel): the path
        # shown when a refused type turns out to be used.
        self.context: _Key | str = ""
        self.trail: dict[_Key, _Key | str] = {}
        self.checking_unused = False
        self.api = self.find_api_config()

    # --- loading -------------------------------------------------------------------------------

    def load(self, path: Path, *, text: str | None = None, data: Any = None) -> _File:
        resolved = path.resolve()
        cached = self.files.get(resolved)
        if cached is not None:
            return cached
        if text is None:
            text = read_text(path)
            data = parse_text(text, path)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise SpecError(
                f"the top level of a Fern definition file must be a mapping, not {_type_name(data)}",
                file=path,
                pointer="",
                line=1,
                hint="a Fern definition file has top-level keys such as 'imports', 'types' and 'channel'",
            )
        file = _File(path, text, data)
        self.files[resolved] = file
        self.order.append(file)
        self.check_top_level(file)
        imports = data.get("imports")
        if imports is not None:
            if not isinstance(imports, dict):
                raise file.error(
                    f"'imports' must be a mapping of alias -> file, not {_type_name(imports)}",
                    "/imports",
                    "e.g. imports: {root: __package__.yml}",
                )
            for alias, target in imports.items():
                pointer = f"/imports/{_esc(alias)}"
                if not isinstance(target, str) or not target:
                    raise file.error(
                        f"import '{alias}' must be a relative file path, not {_type_name(target)}",
                        pointer,
                        "e.g. root: __package__.yml",
                    )
                try:
                    self.roots.resolve(target, path.parent.resolve())
                except RefRefused as refused:
                    raise file.error(
                        f"import '{alias}' ({target!r}) is refused: {refused}", pointer, self.roots.hint()
                    ) from None
                target_path = path.parent / target
                if not target_path.is_file():
                    raise file.error(
                        f"import '{alias}': file {target!r} not found (looked for {target_path})",
                        pointer,
                        "import paths are relative to the importing file's folder",
                    )
                file.imports[str(alias)] = self.load(target_path)
        types = data.get("types")
        if types is not None and not isinstance(types, dict):
            raise file.error(
                f"'types' must be a mapping, not {_type_name(types)}", "/types", "write types: {Name: ...}"
            )
        return file

    def check_top_level(self, file: _File) -> None:
        if file.is_api_config:
            return
        allowed = DEFINITION_KEYS | API_KEYS_IN_DEFINITION
        for key in file.data:
            if key not in allowed:
                raise file.error(
                    f"unsupported Fern definition feature: top-level key {key!r}",
                    f"/{_esc(key)}",
                    _did_you_mean(str(key), allowed)
                    or "pass 2 reads 'imports', 'types' and 'channel' (services, errors and webhooks are ignored)",
                )

    def find_api_config(self) -> list[_File]:
        """Files that may hold api.yml settings (auth, environments...), most specific first."""
        found: list[_File] = [self.entry]
        found += [f for f in self.entry.imports.values() if f.path.name in ("api.yml", "api.yaml", "__package__.yml")]
        folder = self.entry.path.resolve().parent
        for _ in range(4):
            for name in ("api.yml", "api.yaml"):
                candidate = folder / name
                if candidate.is_file() and candidate.resolve() != self.entry.path.resolve():
                    found.append(self.load(candidate))
                    break
            else:
                if (folder / "fern.config.json").is_file() or (folder / "generators.yml").is_file():
                    break
                if folder.parent == folder:
                    break
                folder = folder.parent
                continue
            break
        unique: list[_File] = []
        for f in found:
            if all(f is not u for u in unique):
                unique.append(f)
        return unique

    def api_setting(self, key: str) -> tuple[Any, _File] | None:
        for file in self.api:
            if key in file.data and file.data[key] is not None:
                return file.data[key], file
        return None

    # --- type declarations ---------------------------------------------------------------------

    def declare_all(self) -> None:
        """Every type of every loaded file, with its schema name (collision-safe across files)."""
        by_name: dict[str, list[_File]] = {}
        for file in self.order:
            for name in file.types:
                by_name.setdefault(str(name), []).append(file)
        for file in self.order:
            for raw_name, raw in file.types.items():
                name = str(raw_name)
                pointer = f"/types/{_esc(name)}"
                try:
                    if "<" in name or ">" in name:
                        raise file.error(
                            f"unsupported Fern feature: generic type declaration {name!r}",
                            pointer,
                            "declare a concrete object type instead of a generic one",
                        )
                    kind = self.kind_of(file, name, raw, pointer)
                except SpecError as problem:
                    kind = "refused"
                    self.problems[(file.path, name)] = problem
                decl = _Decl(file, name, raw, pointer, kind)
                self.decls[decl.key] = decl
                base = name if by_name[name][0] is file else pascal_case(file.path.stem) + name
                self.names[decl.key] = unique_class_name(base, self.taken)

    def kind_of(self, file: _File, name: str, raw: Any, pointer: str) -> str:
        if isinstance(raw, str):
            return "alias"
        if raw is None:
            return "object"
        if not isinstance(raw, dict):
            raise file.error(
                f"type '{name}' must be a type expression or a mapping, not {_type_name(raw)}",
                pointer,
                "e.g. 'Name: string' or 'Name: {properties: ...}'",
            )
        if "union" in raw:
            if raw.get("discriminated") is False:
                kind = "undiscriminated"
                if not isinstance(raw["union"], list):
                    raise file.error(
                        f"type '{name}': an undiscriminated union lists its members ('union: [A, B]')",
                        f"{pointer}/union",
                        "write the members as a YAML list",
                    )
            else:
                kind = "union"
                if isinstance(raw["union"], list):
                    raise file.error(
                        f"type '{name}': a union written as a list needs 'discriminated: false'",
                        f"{pointer}/union",
                        "add 'discriminated: false', or map each discriminant value to a type",
                    )
                if not isinstance(raw["union"], dict):
                    raise file.error(
                        f"type '{name}': 'union' must map discriminant values to types, not {_type_name(raw['union'])}",
                        f"{pointer}/union",
                        "e.g. union: {dog: Dog, cat: Cat}",
                    )
        elif "enum" in raw:
            kind = "enum"
        elif "properties" in raw or "extends" in raw or "extra-properties" in raw:
            kind = "object"
        elif "type" in raw:
            kind = "alias"
        else:
            kind = "object"
        for key in raw:
            if key not in TYPE_KEYS[kind]:
                raise file.error(
                    f"unsupported Fern feature: '{key}' in type '{name}' ({_KIND_NAMES[kind]})",
                    f"{pointer}/{_esc(key)}",
                    _did_you_mean(str(key), TYPE_KEYS[kind]) or "remove it, or describe the type another way",
                )
        return kind

    # --- references ----------------------------------------------------------------------------

    def parse(self, file: _File, text: Any, pointer: str) -> TypeRef:
        if not isinstance(text, str):
            raise file.error(
                f"a type must be written as a string such as 'optional<string>', not {_type_name(text)}",
                pointer,
                "write the type as a string",
            )
        try:
            return parse_type(text)
        except TypeSyntaxError as exc:
            raise file.error(
                f"invalid type {text!r}: {exc.message} (column {exc.column + 1})",
                pointer,
                "types are primitives (string, integer, ...), optional<T>, list<T>, set<T>, map<K, V>, "
                'literal<"x">, a type name, or import.TypeName',
            ) from None

    def resolve(self, file: _File, named: Named, pointer: str) -> _Decl:
        if named.namespace is None:
            target = file
        else:
            imported = file.imports.get(named.namespace)
            if imported is None:
                alias_hint = _did_you_mean(named.namespace, file.imports) or (
                    f"add it under 'imports:' (e.g. {named.namespace}: __package__.yml)"
                    if not file.imports
                    else "the imports of this file are: " + ", ".join(sorted(file.imports))
                )
                raise file.error(f"unknown import {named.namespace!r} in type reference '{named}'", pointer, alias_hint)
            target = imported
        decl = self.decls.get((target.path, named.name))
        if decl is not None:
            return self.usable(decl)
        if named.namespace is None and named.name == "file":
            raise file.error(
                "unsupported Fern feature: the 'file' type (file uploads of HTTP endpoints)",
                pointer,
                "WebSocket messages are JSON: send the bytes as base64 (type: base64)",
            )
        hint: str | None = None
        if named.namespace is None:
            prefixed = [f"{alias}.{named.name}" for alias, f in file.imports.items() if named.name in f.types]
            if prefixed:
                hint = "did you mean " + " or ".join(repr(p) for p in prefixed) + "? (imported types need the prefix)"
            else:
                hint = _did_you_mean(
                    named.name, [*map(str, file.types), *sorted(PRIMITIVES), *CONTAINERS, "literal"]
                ) or _did_you_mean(named.name, [f"{alias}.{n}" for alias, f in file.imports.items() for n in f.types])
        else:
            close = difflib.get_close_matches(named.name, [str(n) for n in target.types], n=3)
            if close:
                hint = "did you mean " + " or ".join(repr(f"{named.namespace}.{c}") for c in close) + "?"
        where = f" in {target.path.name}" if target is not file else ""
        raise file.error(f"unknown type '{named}'{where}", pointer, hint or "declare it under 'types:'")

    def usable(self, decl: _Decl) -> _Decl:
        """``decl``, unless the parser refused it: then its error, with the path by which the channel uses it."""
        problem = self.problems.get(decl.key)
        if problem is None:
            return decl
        if self.checking_unused:
            raise problem  # an unused type that uses a refused one: the note quotes the refused type's error
        path = " -> ".join([*self.path_to(self.context), decl.name])
        if self.entry.data.get("channel") is None:
            used = f"{self.entry.path.name} has no channel, so all of its types are used ({path})"
        else:
            used = f"the channel uses type '{decl.name}' ({path}), so it cannot be skipped"
        raise replace(problem, hint=f"{problem.hint}; {used}" if problem.hint else used)

    def path_to(self, where: _Key | str) -> list[str]:
        """How the channel reaches ``where``: ``["message 'publish'", "PublishEvent", ...]``."""
        names: list[str] = []
        seen: set[_Key] = set()
        while not isinstance(where, str) and where not in seen:
            seen.add(where)
            names.insert(0, where[1])
            where = self.trail.get(where, "")
        return [where, *names] if isinstance(where, str) and where else names

    @contextmanager
    def using(self, context: _Key | str) -> Iterator[None]:
        """Types referenced inside the block are used by ``context`` (a type, or a message/parameter)."""
        outer, self.context = self.context, context
        try:
            yield
        finally:
            self.context = outer

    def ref(self, decl: _Decl) -> dict[str, Any]:
        if decl.key not in self.queued:
            self.queued.add(decl.key)
            self.queue.append(decl.key)
            self.trail.setdefault(decl.key, self.context)
        return {"$ref": SCHEMA_PREFIX + self.names[decl.key]}

    def target(self, decl: _Decl) -> _Decl:
        """Follow aliases (``A: B``) to the declaration that is not an alias of a named type."""
        seen: list[str] = []
        while decl.kind == "alias":
            text = decl.raw if isinstance(decl.raw, str) else decl.raw.get("type")
            pointer = decl.pointer if isinstance(decl.raw, str) else f"{decl.pointer}/type"
            ref = self.parse(decl.file, text, pointer)
            if not isinstance(ref, Named):
                return decl
            if decl.name in seen:
                raise decl.file.error(
                    f"alias cycle: {' -> '.join([*seen, decl.name])}", decl.pointer, "an alias must end at a type"
                )
            seen.append(decl.name)
            decl = self.resolve(decl.file, ref, pointer)
        return decl

    # --- JSON schemas --------------------------------------------------------------------------

    def schema(self, file: _File, ref: TypeRef, pointer: str) -> dict[str, Any]:
        if isinstance(ref, Primitive):
            return dict(_PRIMITIVE_SCHEMAS[ref.name])
        if isinstance(ref, Literal):
            return {"type": "boolean" if isinstance(ref.value, bool) else "string", "const": ref.value}
        if isinstance(ref, Named):
            return self.ref(self.resolve(file, ref, pointer))
        inner = [self.schema(file, arg, pointer) for arg in ref.args]
        if ref.kind in ("optional", "nullable"):
            return _nullable(inner[0])
        if ref.kind == "list":
            return {"type": "array", "items": inner[0]}
        if ref.kind == "set":
            return {"type": "array", "items": inner[0], "uniqueItems": True}
        result: dict[str, Any] = {"type": "object", "additionalProperties": inner[1]}
        if isinstance(ref.args[0], (Named, Literal)):
            result["propertyNames"] = inner[0]
        return result

    def annotate(self, schema: dict[str, Any], raw: Mapping[str, Any], file: _File, pointer: str) -> dict[str, Any]:
        """docs, default, availability and validation of a declaration/property onto its schema."""
        docs = raw.get("docs")
        if isinstance(docs, str) and docs.strip():
            schema["description"] = docs.strip()
        if raw.get("default") is not None:
            schema["default"] = raw["default"]
        availability = raw.get("availability")
        status = availability.get("status") if isinstance(availability, dict) else availability
        if status == "deprecated":
            schema["deprecated"] = True
        if raw.get("validation") is not None:
            target = schema["anyOf"][0] if "anyOf" in schema and len(schema) <= 3 else schema
            self.validate(target, raw["validation"], file, f"{pointer}/validation")
        return schema

    def validate(self, target: dict[str, Any], validation: Any, file: _File, pointer: str) -> None:
        """A ``validation:`` mapping onto ``target`` as JSON Schema keywords (either spelling of each rule)."""
        if not isinstance(validation, dict):
            raise file.error(
                f"'validation' must be a mapping, not {_type_name(validation)}", pointer, "e.g. validation: {min: 0}"
            )
        spelled: dict[str, str] = {}  # keyword -> the key that set it (minLength and min-length must agree)
        exclusive: dict[str, str] = {}  # bound (minimum/maximum) -> the exclusive key that is true
        for key, value in validation.items():
            where = f"{pointer}/{_esc(key)}"
            bound = _EXCLUSIVE_KEYS.get(str(key))
            if bound is not None:
                if not isinstance(value, bool):
                    raise file.error(
                        f"validation rule {key!r} must be true or false, not {_type_name(value)}",
                        where,
                        f"it makes '{'min' if bound == 'minimum' else 'max'}' exclusive: e.g. min: 0, {key}: true",
                    )
                if value:
                    exclusive[bound] = str(key)
                continue
            name = _VALIDATION_KEYS.get(str(key))
            if name is None:
                raise file.error(
                    f"unsupported Fern feature: validation rule {key!r}",
                    where,
                    _did_you_mean(str(key), [*_VALIDATION_KEYS, *_EXCLUSIVE_KEYS])
                    or "supported: " + _DOCUMENTED_VALIDATION,
                )
            self.check_rule(file, str(key), name, value, where)
            if name in spelled and target.get(name) != value:
                raise file.error(
                    f"validation rules {spelled[name]!r} and {key!r} are the same rule with different values",
                    where,
                    f"keep one of them ({spelled[name]!r} and {key!r} are two spellings of one rule)",
                )
            spelled[name] = str(key)
            target[name] = value
        # Applied after every rule is read, so 'exclusiveMin: true' may come before 'min:' in the YAML.
        for bound, key in exclusive.items():
            if bound in target:
                target["exclusive" + bound.capitalize()] = target.pop(bound)
            else:
                self.warnings.append(
                    f"{file.path.name}: {pointer}: '{key}: true' has no effect without "
                    f"'{'min' if bound == 'minimum' else 'max'}'"
                )

    @staticmethod
    def check_rule(file: _File, key: str, name: str, value: Any, pointer: str) -> None:
        """The value of one validation rule has the type its JSON Schema keyword needs."""
        if name in ("pattern", "format"):
            if not isinstance(value, str):
                raise file.error(
                    f"validation rule {key!r} must be a string, not {_type_name(value)}",
                    pointer,
                    "e.g. pattern: '^[a-z]+$' or format: email",
                )
            return
        if name in ("minLength", "maxLength"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise file.error(
                    f"validation rule {key!r} must be a whole number >= 0, not {value!r}",
                    pointer,
                    f"e.g. {key}: 1",
                )
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise file.error(
                f"validation rule {key!r} must be a number, not {_type_name(value)}", pointer, f"e.g. {key}: 0"
            )
        if name == "multipleOf" and value <= 0:
            raise file.error(
                f"validation rule {key!r} must be greater than 0, not {value!r}", pointer, f"e.g. {key}: 0.01"
            )

    def property(self, file: _File, name: str, raw: Any, pointer: str) -> tuple[dict[str, Any], bool]:
        """The schema of an object property and whether it is required (not ``optional<...>``)."""
        if isinstance(raw, dict):
            for key in raw:
                if key not in PROPERTY_KEYS:
                    raise file.error(
                        f"unsupported Fern feature: '{key}' in property '{name}'",
                        f"{pointer}/{_esc(key)}",
                        _did_you_mean(str(key), PROPERTY_KEYS) or "supported: " + ", ".join(sorted(PROPERTY_KEYS)),
                    )
            if "type" not in raw:
                raise file.error(f"property '{name}' has no 'type'", pointer, "add e.g. 'type: string'")
            ref = self.parse(file, raw["type"], f"{pointer}/type")
            schema = self.annotate(self.schema(file, ref, f"{pointer}/type"), raw, file, pointer)
        else:
            ref = self.parse(file, raw, pointer)
            schema = self.schema(file, ref, pointer)
        return schema, not _is_optional(ref)

    def object_body(
        self, file: _File, raw: Mapping[str, Any], pointer: str, what: str
    ) -> tuple[dict[str, Any], list[str]]:
        properties = raw.get("properties")
        if properties is None:
            return {}, []
        if not isinstance(properties, dict):
            raise file.error(
                f"the properties of {what} must be a mapping, not {_type_name(properties)}",
                f"{pointer}/properties",
                "write properties: {name: type}",
            )
        result: dict[str, Any] = {}
        required: list[str] = []
        for prop_name, prop in properties.items():
            schema, is_required = self.property(file, str(prop_name), prop, f"{pointer}/properties/{_esc(prop_name)}")
            result[str(prop_name)] = schema
            if is_required:
                required.append(str(prop_name))
        return result, required

    def object_schema(self, file: _File, raw: Mapping[str, Any], pointer: str, what: str) -> dict[str, Any]:
        properties, required = self.object_body(file, raw, pointer, what)
        own: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            own["required"] = required
        if raw.get("extra-properties") is True:
            own["additionalProperties"] = True
        bases = [self.ref(base) for base in self.bases(file, raw, pointer, what)]
        if not bases:
            return own
        return {"allOf": [*bases, own] if properties or "additionalProperties" in own else bases}

    def bases(self, file: _File, raw: Mapping[str, Any], pointer: str, what: str) -> list[_Decl]:
        extends = raw.get("extends")
        if extends is None:
            return []
        entries = extends if isinstance(extends, list) else [extends]
        result: list[_Decl] = []
        for index, entry in enumerate(entries):
            where = f"{pointer}/extends/{index}" if isinstance(extends, list) else f"{pointer}/extends"
            ref = self.parse(file, entry, where)
            if not isinstance(ref, Named):
                raise file.error(f"{what} can only extend object types, not '{entry}'", where, "extend a named object")
            base = self.resolve(file, ref, where)
            if self.target(base).kind != "object":
                raise file.error(
                    f"{what} extends '{entry}', which is not an object type", where, "extend a type with 'properties'"
                )
            result.append(self.target(base))
        return result

    def flat_properties(self, decl: _Decl, seen: tuple[_Key, ...] = ()) -> list[_Prop]:
        """An object's properties, inherited ones (``extends``) first."""
        if decl.key in seen:
            raise decl.file.error(
                f"type '{decl.name}' extends itself", f"{decl.pointer}/extends", "remove the cycle from 'extends'"
            )
        raw = decl.raw if isinstance(decl.raw, dict) else {}
        result: list[_Prop] = []
        for base in self.bases(decl.file, raw, decl.pointer, f"type '{decl.name}'"):
            result += self.flat_properties(base, (*seen, decl.key))
        properties = raw.get("properties")
        for name, prop in (properties if isinstance(properties, dict) else {}).items():
            pointer = f"{decl.pointer}/properties/{_esc(name)}"
            text = prop.get("type") if isinstance(prop, dict) else prop
            where = f"{pointer}/type" if isinstance(prop, dict) else pointer
            result = [p for p in result if p.name != str(name)]
            result.append(_Prop(str(name), self.parse(decl.file, text, where), decl.file, where))
        return result

    def literal_tag(self, decl: _Decl) -> tuple[str, Any] | None:
        """(property, value) of a required ``literal<...>`` property of an object type (its message tag)."""
        target = self.target(decl)
        if target.kind != "object":
            return None
        found = {p.name: p.ref.value for p in self.flat_properties(target) if isinstance(p.ref, Literal)}
        for name in TAG_PREFERENCE:
            if name in found:
                return name, found[name]
        return next(iter(found.items()), None)

    # --- declarations -> schemas ---------------------------------------------------------------

    def build_queued(self) -> None:
        while self.queue:
            key = self.queue.pop(0)
            decl = self.usable(self.decls[key])
            name = self.names[key]
            self.schemas[name] = {}  # its place: a union's member schemas come right after it
            with self.using(key):
                self.schemas[name] = self.declaration_schema(decl)

    def check_unused(self, user: str) -> None:
        """A note for every type nobody uses that the parser would refuse (``user``: "channel 'chat'").

        Each unused declaration is built once on scratch state, so everything the parser checks in a used
        type is checked here too, and the schemas, names and notes of the used types stay as they are.
        """
        unused = [decl for key, decl in self.decls.items() if key not in self.queued]
        refused = {id(problem): key for key, problem in self.problems.items()}
        saved = (self.schemas, self.queue, self.queued, self.members, self.taken, self.warnings, self.trail)
        notes: list[str] = []
        self.checking_unused = True
        try:
            for decl in unused:
                self.schemas, self.queue, self.queued, self.warnings, self.trail = {}, [], set(), [], {}
                self.members, self.taken = dict(saved[3]), set(saved[4])
                problem = self.problems.get(decl.key)
                if problem is None:
                    try:
                        self.declaration_schema(decl)
                    except SpecError as error:
                        problem = error
                if problem is not None:
                    other = refused.get(id(problem), decl.key)
                    if other != decl.key:  # its own declaration is fine: it uses a skipped type
                        notes.append(
                            f"{decl.file.path.name}: type '{decl.name}' is not used by {user}, so it was skipped: "
                            f"it uses type '{other[1]}' ({other[0].name}), which is skipped too"
                        )
                    else:
                        notes.append(self.skipped_note(decl, user, problem))
        finally:
            self.checking_unused = False
            self.schemas, self.queue, self.queued, self.members, self.taken, self.warnings, self.trail = saved
        self.warnings += notes

    @staticmethod
    def skipped_note(decl: _Decl, user: str, problem: SpecError) -> str:
        where = Path(problem.file).name if problem.file is not None else decl.file.path.name
        if problem.line is not None:
            where += f":{problem.line}"
        if problem.pointer:
            where += f" at {problem.pointer}"
        return (
            f"{decl.file.path.name}: type '{decl.name}' is not used by {user}, so it was skipped: "
            f"{problem.message} ({where})"
        )

    def declaration_schema(self, decl: _Decl) -> dict[str, Any]:
        file, raw, pointer = decl.file, decl.raw, decl.pointer
        what = f"type '{decl.name}'"
        if decl.kind == "alias":
            if isinstance(raw, str):
                return self.schema(file, self.parse(file, raw, pointer), pointer)
            ref = self.parse(file, raw["type"], f"{pointer}/type")
            return self.annotate(self.schema(file, ref, f"{pointer}/type"), raw, file, pointer)
        body: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        if decl.kind == "object":
            self.flat_properties(decl)  # reports extends cycles
            return self.annotate(self.object_schema(file, body, pointer, what), body, file, pointer)
        if decl.kind == "enum":
            return self.annotate(self.enum_schema(decl), body, file, pointer)
        if decl.kind == "undiscriminated":
            members: list[dict[str, Any]] = []
            for index, member in enumerate(body["union"]):
                where = f"{pointer}/union/{index}"
                if isinstance(member, dict):
                    if "type" not in member:
                        raise file.error(f"member {index} of {what} has no 'type'", where, "add e.g. 'type: Foo'")
                    schema = self.schema(file, self.parse(file, member["type"], f"{where}/type"), f"{where}/type")
                    members.append(self.annotate(schema, {"docs": member.get("docs")}, file, where))
                else:
                    members.append(self.schema(file, self.parse(file, member, where), where))
            return self.annotate({"oneOf": members}, body, file, pointer)
        return self.annotate(self.union_schema(decl), body, file, pointer)

    def enum_schema(self, decl: _Decl) -> dict[str, Any]:
        values = decl.raw["enum"]
        if not isinstance(values, list) or not values:
            raise decl.file.error(
                f"the enum of type '{decl.name}' must be a non-empty list", f"{decl.pointer}/enum", "list the values"
            )
        result: list[Any] = []
        for index, value in enumerate(values):
            if isinstance(value, dict):
                if "value" not in value:
                    raise decl.file.error(
                        f"enum value {index} of type '{decl.name}' has no 'value'",
                        f"{decl.pointer}/enum/{index}",
                        "write it as {value: wire-value, name: PythonName}",
                    )
                value = value["value"]
            result.append(str(value))
        return {"type": "string", "enum": result}

    def discriminant(self, decl: _Decl) -> str:
        raw = decl.raw.get("discriminant")
        if raw is None:
            return "type"
        if isinstance(raw, dict) and isinstance(raw.get("value"), str):
            return str(raw["value"])
        if isinstance(raw, str) and raw:
            return raw
        raise decl.file.error(
            f"the discriminant of type '{decl.name}' must be a property name",
            f"{decl.pointer}/discriminant",
            "e.g. discriminant: kind (or {value: kind, name: Kind})",
        )

    def member_names(self, decl: _Decl) -> dict[str, str]:
        """Discriminant value -> the schema name of that union member (``<Union><Value>``)."""
        names = self.members.get(decl.key)
        if names is None:
            names = {}
            for value in decl.raw["union"]:
                base = self.names[decl.key] + pascal_case(str(value))
                names[str(value)] = unique_class_name(base, self.taken)
            self.members[decl.key] = names
        return names

    def union_schema(self, decl: _Decl) -> dict[str, Any]:
        """A discriminated union: every member becomes a named schema carrying the discriminant as a const."""
        file, raw, pointer = decl.file, decl.raw, decl.pointer
        disc = self.discriminant(decl)
        base_properties, base_required = self.object_body(
            file, {"properties": raw.get("base-properties")}, pointer, f"the base-properties of '{decl.name}'"
        )
        names = self.member_names(decl)
        refs: list[dict[str, Any]] = []
        mapping: dict[str, str] = {}
        for value, member in raw["union"].items():
            value = str(value)
            where = f"{pointer}/union/{_esc(value)}"
            schema = self.member_schema(decl, disc, value, member, where, base_properties, base_required)
            name = names[value]
            self.schemas[name] = schema
            refs.append({"$ref": SCHEMA_PREFIX + name})
            mapping[value] = SCHEMA_PREFIX + name
        return {"oneOf": refs, "discriminator": {"propertyName": disc, "mapping": mapping}}

    def member_schema(
        self,
        union: _Decl,
        disc: str,
        value: str,
        member: Any,
        pointer: str,
        base_properties: dict[str, Any],
        base_required: list[str],
    ) -> dict[str, Any]:
        file = union.file
        if isinstance(member, dict):
            for key in member:
                if key not in UNION_MEMBER_KEYS:
                    raise file.error(
                        f"unsupported Fern feature: '{key}' in member '{value}' of union '{union.name}'",
                        f"{pointer}/{_esc(key)}",
                        _did_you_mean(str(key), UNION_MEMBER_KEYS) or "supported: type, key, docs, name",
                    )
            text, key_name, docs = member.get("type"), member.get("key"), member.get("docs")
            type_pointer = f"{pointer}/type"
        elif member is None:
            text, key_name, docs, type_pointer = None, None, None, pointer
        else:
            text, key_name, docs, type_pointer = member, None, None, pointer
        tag = {"type": "string", "const": value}
        properties: dict[str, Any] = {disc: tag, **base_properties}
        required = [disc, *base_required]
        if text is None:
            schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
        else:
            ref = self.parse(file, text, type_pointer)
            target = self.target(self.resolve(file, ref, type_pointer)) if isinstance(ref, Named) else None
            if target is not None and target.kind == "object" and key_name is None:
                clash = [p.name for p in self.flat_properties(target) if p.name == disc or p.name in base_properties]
                if clash:
                    raise file.error(
                        f"member '{value}' of union '{union.name}': type '{text}' already has a property "
                        f"'{clash[0]}' (the union's discriminant or a base property)",
                        type_pointer,
                        "set 'discriminant:' to another property name, or use 'discriminated: false'",
                    )
                extra: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
                schema = {"allOf": [self.ref(target), extra]}
            else:
                key = str(key_name) if key_name is not None else "value"
                properties[key] = self.schema(file, ref, type_pointer)
                if not _is_optional(ref):
                    required.append(key)
                schema = {"type": "object", "properties": properties, "required": required}
        if isinstance(docs, str) and docs.strip():
            schema["description"] = docs.strip()
        return schema

    # --- the channel ---------------------------------------------------------------------------

    def read(self) -> AsyncApiDocument:
        self.declare_all()
        entry = self.entry
        key = entry.path.stem
        channel_raw = entry.data.get("channel")
        for section in ("service", "webhooks"):
            if entry.data.get(section):
                self.warnings.append(
                    f"{entry.path.name}: the '{section}' section (HTTP) is ignored; pass 2 reads only the WebSocket "
                    "channel and the types it uses (generate the HTTP client from the OpenAPI document with pass 1)"
                )
        channels: list[ChannelSpec] = []
        security: list[SecuritySpec] = []
        servers: list[ServerSpec] = []
        title = key
        description: str | None = None
        data_channels: dict[str, Any] = {}
        if channel_raw is None:
            user = f"the types of {entry.path.name}"
            for name in entry.types:
                self.ref(self.usable(self.decls[(entry.path, str(name))]))
        else:
            user = f"channel '{key}'"
            if not isinstance(channel_raw, dict):
                raise entry.error(
                    f"'channel' must be a mapping, not {_type_name(channel_raw)}",
                    "/channel",
                    "see Fern's WebSockets docs",
                )
            for feature in channel_raw:
                if feature not in CHANNEL_KEYS:
                    raise entry.error(
                        f"unsupported Fern channel feature {feature!r}",
                        f"/channel/{_esc(feature)}",
                        _did_you_mean(str(feature), CHANNEL_KEYS) or "supported: " + ", ".join(sorted(CHANNEL_KEYS)),
                    )
            display = channel_raw.get("display-name")
            title = str(display) if isinstance(display, str) and display.strip() else key
            docs = channel_raw.get("docs")
            description = docs.strip() if isinstance(docs, str) and docs.strip() else None
            security = self.channel_security(channel_raw, key)
            servers = self.channel_servers(channel_raw, key, tuple(s.key for s in security))
            channel, data_channel = self.channel(channel_raw, key, servers, description)
            channels.append(channel)
            data_channels[key] = data_channel
        self.build_queued()
        self.check_unused(user)
        schemas = self.schemas
        data = {
            "fern": FERN_VERSION,
            "info": {"title": title, "version": "", **({"description": description} if description else {})},
            "channels": data_channels,
            "components": {"schemas": schemas},
        }
        return AsyncApiDocument(
            version=FERN_VERSION,
            title=title,
            api_version="",
            description=description,
            data=data,
            schemas=schemas,
            servers=tuple(servers),
            channels=tuple(channels),
            security=tuple(security),
            warnings=tuple(dict.fromkeys(self.warnings)),
        )

    def channel(
        self, raw: dict[str, Any], key: str, servers: list[ServerSpec], description: str | None
    ) -> tuple[ChannelSpec, dict[str, Any]]:
        entry = self.entry
        path = raw.get("path")
        if not isinstance(path, str):
            raise entry.error(
                "the channel has no 'path'" if path is None else f"'path' must be a string, not {_type_name(path)}",
                "/channel/path" if path is not None else "/channel",
                "add e.g. 'path: /chat'",
            )
        base_path = self.api_setting("base-path")
        address = (str(base_path[0]).rstrip("/") if base_path else "") + path
        path_params = self.path_parameters(raw, address)
        query_params = self.parameters(raw, "query-parameters", key, "query parameter")
        headers = self.global_headers(key) + self.parameters(raw, "headers", key, "header")
        messages = self.messages(raw, key)
        protocols = tuple(dict.fromkeys(s.protocol for s in servers))
        channel_pointer = json_pointer("channels", key)
        data_messages = {
            m.key: {
                "name": m.name,
                "direction": m.direction,
                "payload": m.payload,
                **({"description": m.description} if m.description else {}),
            }
            for m in messages
        }
        spec = ChannelSpec(
            key=key,
            address=address,
            address_pointer="/channel/path",
            pointer=channel_pointer,
            protocol_ok=not servers or any(p in ("ws", "wss") for p in protocols),
            protocols=protocols,
            path_params=path_params,
            query_params=query_params,
            header_params=headers,
            messages=tuple(messages),
            servers=tuple(s.key for s in servers),
            description=description,
        )
        return spec, {"address": address, "messages": data_messages}

    # --- parameters ----------------------------------------------------------------------------

    def param(self, file: _File, name: str, raw: Any, pointer: str, channel: str, where: str) -> ParamSpec:
        """A path/query parameter or header: ``name: type`` or ``name: {type, docs, ...}``."""
        with self.using(f"{where} '{name}'"):
            return self.param_spec(file, name, raw, pointer, channel, where)

    def param_spec(self, file: _File, name: str, raw: Any, pointer: str, channel: str, where: str) -> ParamSpec:
        if isinstance(raw, dict):
            for key in raw:
                if key not in PARAMETER_KEYS:
                    raise file.error(
                        f"unsupported Fern feature: '{key}' in {where} '{name}'",
                        f"{pointer}/{_esc(key)}",
                        _did_you_mean(str(key), PARAMETER_KEYS) or "supported: " + ", ".join(sorted(PARAMETER_KEYS)),
                    )
            if "type" not in raw:
                raise file.error(f"{where} '{name}' has no 'type'", pointer, "add e.g. 'type: string'")
            text, type_pointer, props = raw["type"], f"{pointer}/type", raw
        else:
            text, type_pointer, props = raw, pointer, {}
        ref = self.parse(file, text, type_pointer)
        required = not _is_optional(ref)
        while isinstance(ref, Container) and ref.kind in ("optional", "nullable"):
            ref = ref.args[0]
        schema = self.param_schema(file, ref, type_pointer)
        if props.get("validation") is not None:  # checked like a property's: a typo is not silently dropped
            self.validate(schema, props["validation"], file, f"{pointer}/validation")
        if props.get("allow-multiple") is True:
            schema = {"type": "array", "items": schema}
        docs = props.get("docs")
        description = docs.strip() if isinstance(docs, str) and docs.strip() else None
        if props.get("default") is not None:
            schema["default"] = props["default"]  # the server's default: documented, never sent
        resolved = schema
        kind = "array" if schema.get("type") == "array" else None
        if "$ref" in schema or schema.get("type") == "object":
            kind = "object"
        if where == "query parameter" and kind is not None:
            type_name = self.names[self.resolve(file, ref, type_pointer).key] if isinstance(ref, Named) else str(text)
            if kind == "object" and "$ref" in schema:
                schema["x-fern-query-encoding"] = "json"
                note = f"JSON-encoded {type_name}"
                description = f"{description} ({note})" if description else note[:1].upper() + note[1:]
                self.warnings.append(
                    f"channel '{channel}': query parameter '{name}' is a {type_name} object: connect() takes it as "
                    f"JSON text (str), sent as one percent-encoded value ({name}=%7B...%7D); for the deepObject "
                    f"style ({name}[field]=...) pass the keys in extra_query instead"
                )
            else:
                shape = "a list (allow-multiple)" if props.get("allow-multiple") is True else f"{text}, not a scalar"
                self.warnings.append(
                    f"channel '{channel}': query parameter '{name}' is {shape}: the realtime runtime "
                    "writes each query value with str(), so repeated keys (?a=1&a=2) cannot be sent; encode the "
                    "value yourself"
                )
        enum = resolved.get("enum") if isinstance(resolved.get("enum"), list) else []
        return ParamSpec(
            name=name,
            schema=schema,
            required=required,
            description=description,
            default=None,
            enum=tuple(enum or ()),
            pointer=pointer,
            file=None if file is self.entry else file.path,
        )

    def param_schema(self, file: _File, ref: TypeRef, pointer: str) -> dict[str, Any]:
        """Parameters are inlined down to their scalar (an enum/alias stays typed); objects stay ``$ref``s."""
        if not isinstance(ref, Named):
            return self.schema(file, ref, pointer)
        decl = self.resolve(file, ref, pointer)
        reference = self.ref(decl)  # the type is used by the channel: it is in the schemas either way
        target = self.target(decl)
        if target.kind == "enum":
            return self.enum_schema(target)
        if target.kind == "alias":
            raw = target.raw
            text = raw if isinstance(raw, str) else raw.get("type")
            where = target.pointer if isinstance(raw, str) else f"{target.pointer}/type"
            inner = self.parse(target.file, text, where)
            while isinstance(inner, Container) and inner.kind in ("optional", "nullable"):
                inner = inner.args[0]
            return self.schema(target.file, inner, where)
        return reference

    def parameters(self, raw: dict[str, Any], section: str, channel: str, where: str) -> tuple[ParamSpec, ...]:
        entries = raw.get(section)
        if entries is None:
            return ()
        pointer = f"/channel/{section}"
        if not isinstance(entries, dict):
            raise self.entry.error(
                f"'{section}' must be a mapping of name -> type, not {_type_name(entries)}",
                pointer,
                f"write {section}: {{name: type}}",
            )
        return tuple(
            self.param(self.entry, str(name), value, f"{pointer}/{_esc(name)}", channel, where)
            for name, value in entries.items()
        )

    def global_headers(self, channel: str) -> tuple[ParamSpec, ...]:
        found = self.api_setting("headers")
        if found is None:
            return ()
        headers, file = found
        if not isinstance(headers, dict):
            raise file.error(
                "'headers' must be a mapping of header -> type", "/headers", "write headers: {X-Foo: string}"
            )
        return tuple(
            self.param(file, str(name), value, f"/headers/{_esc(name)}", channel, "header")
            for name, value in headers.items()
        )

    def path_parameters(self, raw: dict[str, Any], address: str) -> tuple[ParamSpec, ...]:
        declared = {p.name: p for p in self.parameters(raw, "path-parameters", "", "path parameter")}
        placeholders = re.findall(r"{([^{}]+)}", address)
        for name in declared:
            if name not in placeholders:
                raise self.entry.error(
                    f"path parameter '{name}' does not appear in the path {address!r}",
                    f"/channel/path-parameters/{_esc(name)}",
                    f"add {{{name}}} to the path, or remove the parameter",
                )
        result: list[ParamSpec] = []
        for name in placeholders:
            spec = declared.get(name) or ParamSpec(name=name, schema={"type": "string"}, required=True)
            result.append(
                ParamSpec(spec.name, spec.schema, True, spec.description, None, spec.enum, spec.pointer, spec.file)
            )
        return tuple(result)

    # --- messages ------------------------------------------------------------------------------

    def messages(self, raw: dict[str, Any], channel: str) -> list[MessageSpec]:
        entry = self.entry
        entries = raw.get("messages")
        if entries is None:
            return []
        if not isinstance(entries, dict):
            raise entry.error(
                f"'messages' must be a mapping of message id -> message, not {_type_name(entries)}",
                "/channel/messages",
                "e.g. messages: {publish: {origin: client, body: PublishEvent}}",
            )
        examples = self.examples(raw, entries)
        result: list[MessageSpec] = []
        for message_id, message in entries.items():
            with self.using(f"message '{message_id}'"):
                result += self.message(str(message_id), message, channel, examples.get(str(message_id), []))
        return result

    def examples(self, raw: dict[str, Any], messages: dict[str, Any]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        sessions = raw.get("examples")
        if sessions is None:
            return found
        if not isinstance(sessions, list):
            raise self.entry.error("'examples' must be a list of example sessions", "/channel/examples", "use a list")
        for index, session in enumerate(sessions):
            entries = session.get("messages") if isinstance(session, dict) else None
            for position, item in enumerate(entries if isinstance(entries, list) else []):
                pointer = f"/channel/examples/{index}/messages/{position}"
                if not isinstance(item, dict) or "type" not in item:
                    raise self.entry.error(
                        "an example message needs 'type' (a message id) and 'body'", pointer, "e.g. {type: publish}"
                    )
                message_id = str(item["type"])
                if message_id not in messages:
                    raise self.entry.error(
                        f"example message type {message_id!r} is not a message of the channel",
                        f"{pointer}/type",
                        _did_you_mean(message_id, map(str, messages)) or "use one of: " + ", ".join(map(str, messages)),
                    )
                if "body" in item:
                    found.setdefault(message_id, []).append(item["body"])
        return found

    def message(self, message_id: str, raw: Any, channel: str, examples: list[Any]) -> list[MessageSpec]:
        entry = self.entry
        pointer = f"/channel/messages/{_esc(message_id)}"
        if not isinstance(raw, dict):
            raise entry.error(
                f"message '{message_id}' must be a mapping, not {_type_name(raw)}",
                pointer,
                "write {origin: client|server, body: Type}",
            )
        for key in raw:
            if key not in MESSAGE_KEYS:
                raise entry.error(
                    f"unsupported Fern feature: '{key}' in message '{message_id}'",
                    f"{pointer}/{_esc(key)}",
                    _did_you_mean(str(key), MESSAGE_KEYS) or "supported: " + ", ".join(sorted(MESSAGE_KEYS)),
                )
        origin = raw.get("origin")
        if origin not in ("client", "server"):
            raise entry.error(
                f"message '{message_id}': origin must be 'client' or 'server', not {origin!r}",
                f"{pointer}/origin" if "origin" in raw else pointer,
                "client: the client sends it (a send_* method); server: the server sends it (recv())",
            )
        direction: Direction = "send" if origin == "client" else "receive"
        if "body" not in raw:
            raise entry.error(f"message '{message_id}' has no 'body'", pointer, "add e.g. 'body: MyMessage'")
        docs = raw.get("docs")
        description = docs.strip() if isinstance(docs, str) and docs.strip() else None
        display = raw.get("display-name")
        summary = display if isinstance(display, str) and display.strip() else None
        method = raw.get("method-name")
        name = str(method) if isinstance(method, str) and method else message_id
        spec_pointer = json_pointer("channels", channel, "messages", message_id)
        base = MessageSpec(
            key=message_id,
            name=name,
            direction=direction,
            pointer=spec_pointer,
            payload=None,
            payload_schema=None,
            content_type="application/json",
            summary=summary,
            description=description,
            examples=tuple(examples),
        )
        body = raw["body"]
        body_pointer = f"{pointer}/body"
        if isinstance(body, dict) and "type" not in body:
            for key in body:
                if key not in ("properties", "extends", "extra-properties", "name", "docs"):
                    raise entry.error(
                        f"unsupported Fern feature: '{key}' in the inline body of message '{message_id}'",
                        f"{body_pointer}/{_esc(key)}",
                        "an inline body has properties, extends and extra-properties",
                    )
            schema = self.object_schema(entry, body, body_pointer, f"the body of message '{message_id}'")
            tag = next(((n, s["const"]) for n, s in (schema.get("properties") or {}).items() if "const" in s), None)
            return [_replace(base, payload=schema, tag=tag)]
        if isinstance(body, dict):
            text, type_pointer = body["type"], f"{body_pointer}/type"
            if description is None and isinstance(body.get("docs"), str):
                base = _replace(base, description=body["docs"].strip())
        else:
            text, type_pointer = body, body_pointer
        ref = self.parse(entry, text, type_pointer)
        if not isinstance(ref, Named):
            return [_replace(base, payload=self.schema(entry, ref, type_pointer))]
        decl = self.resolve(entry, ref, type_pointer)
        self.ref(decl)
        target = self.target(decl)
        if target.kind == "union":
            return self.expand_discriminated(base, target, examples)
        if target.kind == "undiscriminated":
            expanded = self.expand_undiscriminated(base, target, examples)
            if expanded:
                return expanded
        named = target if target.kind == "object" else decl  # an alias of an object: the object's model
        return [
            _replace(base, payload=self.ref(named), payload_schema=self.names[named.key], tag=self.literal_tag(decl))
        ]

    def expand_discriminated(self, base: MessageSpec, union: _Decl, examples: list[Any]) -> list[MessageSpec]:
        """A message whose body is a discriminated union: one message per member, tagged with its value."""
        disc = self.discriminant(union)
        names = self.member_names(union)
        result: list[MessageSpec] = []
        for value, member in union.raw["union"].items():
            value = str(value)
            docs = member.get("docs") if isinstance(member, dict) else None
            mine = tuple(e for e in examples if isinstance(e, dict) and e.get(disc) == value)
            result.append(
                _replace(
                    base,
                    key=f"{base.key}.{value}",
                    name=value,
                    pointer=base.pointer + _esc("." + value),
                    payload={"$ref": SCHEMA_PREFIX + names[value]},
                    payload_schema=names[value],
                    tag=(disc, value),
                    description=(docs.strip() if isinstance(docs, str) and docs.strip() else base.description),
                    examples=mine,
                )
            )
        return result

    def expand_undiscriminated(self, base: MessageSpec, union: _Decl, examples: list[Any]) -> list[MessageSpec]:
        """A message whose body is an undiscriminated union of named types: one message per member."""
        members: list[tuple[_Decl, str | None]] = []
        for index, member in enumerate(union.raw["union"]):
            where = f"{union.pointer}/union/{index}"
            text = member.get("type") if isinstance(member, dict) else member
            ref = self.parse(union.file, text, f"{where}/type" if isinstance(member, dict) else where)
            if not isinstance(ref, Named):
                return []  # members that are not named types stay one message with the union as its payload
            decl = self.resolve(union.file, ref, where)
            docs = member.get("docs") if isinstance(member, dict) else None
            if all(decl.key != d.key for d, _ in members):
                members.append((decl, docs.strip() if isinstance(docs, str) and docs.strip() else None))
        result: list[MessageSpec] = []
        for decl, docs in members:
            self.ref(decl)
            tag = self.literal_tag(decl)
            mine = tuple(e for e in examples if tag is not None and isinstance(e, dict) and e.get(tag[0]) == tag[1])
            target = self.target(decl)
            name = self.names[(target if target.kind == "object" else decl).key]
            self.ref(target if target.kind == "object" else decl)
            type_docs = target.raw.get("docs") if isinstance(target.raw, dict) else None
            result.append(
                _replace(
                    base,
                    key=f"{base.key}.{name}",
                    name=name,
                    pointer=base.pointer + _esc("." + name),
                    payload={"$ref": SCHEMA_PREFIX + name},
                    payload_schema=name,
                    tag=tag,
                    description=docs
                    or (type_docs.strip() if isinstance(type_docs, str) and type_docs.strip() else base.description),
                    examples=mine,
                )
            )
        return result

    # --- auth and servers ----------------------------------------------------------------------

    def channel_security(self, raw: dict[str, Any], channel: str) -> list[SecuritySpec]:
        auth = raw.get("auth", False)
        if auth is False or auth is None:
            return []
        if isinstance(auth, str):
            return self.scheme_specs(auth, self.entry, "/channel/auth", channel)
        if auth is not True:
            raise self.entry.error(
                f"the channel's 'auth' must be true, false or a scheme name, not {_type_name(auth)}",
                "/channel/auth",
                "auth: true uses the API's default auth (api.yml 'auth')",
            )
        found = self.api_setting("auth")
        if found is None:
            self.warnings.append(
                f"channel '{channel}' has 'auth: true' (the API's default auth), but no api.yml with 'auth' was "
                "found next to the definition, so the scheme is unknown: the client sends no credentials itself "
                "(pass them with additional_headers or extra_query)"
            )
            return [SecuritySpec("default", "unsupported", description="auth: true, api.yml not found")]
        value, file = found
        return self.scheme_specs(value, file, "/auth", channel)

    def scheme_specs(self, value: Any, file: _File, pointer: str, channel: str) -> list[SecuritySpec]:
        if isinstance(value, dict) and isinstance(value.get("any"), list):
            result: list[SecuritySpec] = []
            for index, item in enumerate(value["any"]):
                result += self.scheme_specs(item, file, f"{pointer}/any/{index}", channel)
            return result
        if not isinstance(value, str):
            raise file.error(
                f"'auth' must be a scheme name or {{any: [...]}}, not {_type_name(value)}",
                pointer,
                "e.g. auth: bearer, or auth: ApiKeyAuth (defined under auth-schemes)",
            )
        schemes_found = self.api_setting("auth-schemes")
        schemes = schemes_found[0] if schemes_found and isinstance(schemes_found[0], dict) else {}
        scheme = schemes.get(value)
        if scheme is None:
            if value == "bearer":
                return [SecuritySpec("bearer", "bearer")]
            if value in ("basic", "oauth"):
                return [self.unsupported(value, f"{value} auth", channel)]
            raise file.error(
                f"unknown auth scheme {value!r}",
                pointer,
                _did_you_mean(value, [*schemes, "bearer", "basic"]) or "define it under 'auth-schemes' in api.yml",
            )
        where = f"/auth-schemes/{_esc(value)}"
        scheme_file = schemes_found[1] if schemes_found else file
        if not isinstance(scheme, dict):
            raise scheme_file.error(f"auth scheme '{value}' must be a mapping", where, "e.g. {header: X-API-Key}")
        docs = scheme.get("docs") if isinstance(scheme.get("docs"), str) else None
        kind = scheme.get("scheme")
        if kind == "bearer":
            return [SecuritySpec(value, "bearer", description=docs)]
        header = scheme.get("header")
        if isinstance(header, str):
            prefix = str(scheme.get("prefix") or "").strip()
            if prefix.lower() == "bearer" and header.lower() == "authorization":
                return [SecuritySpec(value, "bearer", description=docs)]
            if prefix:
                return [self.unsupported(value, f"header {header} with prefix {prefix!r}", channel)]
            return [
                SecuritySpec(
                    value,
                    "header",
                    name=header,
                    description=docs,
                    name_pointer=f"{where}/header",
                    file=None if scheme_file is self.entry else scheme_file.path,
                )
            ]
        return [self.unsupported(value, f"{kind or 'this kind of'} auth", channel)]

    def unsupported(self, key: str, what: str, channel: str) -> SecuritySpec:
        self.warnings.append(
            f"channel '{channel}': auth scheme '{key}' ({what}) is not supported by the realtime client; it sends "
            "no credentials itself (pass them with additional_headers or extra_query)"
        )
        return SecuritySpec(key, "unsupported")

    def channel_servers(self, raw: dict[str, Any], channel: str, security: tuple[str, ...]) -> list[ServerSpec]:
        found = self.api_setting("environments")
        if found is None:
            return []
        environments, file = found
        if not isinstance(environments, dict):
            raise file.error(
                "'environments' must be a mapping", "/environments", "e.g. environments: {Production: url}"
            )
        url_key = raw.get("url")
        default = self.api_setting("default-environment")
        order = sorted(environments, key=lambda k: k != (default[0] if default else None))
        servers: list[ServerSpec] = []
        for name in order:
            env = environments[name]
            pointer = f"/environments/{_esc(name)}"
            docs = env.get("docs") if isinstance(env, dict) else None
            if isinstance(env, str):
                url = env
            elif isinstance(env, dict) and isinstance(env.get("url"), str):
                url = env["url"]
            elif isinstance(env, dict) and isinstance(env.get("urls"), dict):
                urls = env["urls"]
                if not isinstance(url_key, str):
                    raise self.entry.error(
                        f"environment '{name}' has several URLs, so the channel needs 'url:' to pick one",
                        "/channel",
                        "add url: one of " + ", ".join(map(str, urls)),
                    )
                if url_key not in urls:
                    raise self.entry.error(
                        f"the channel's url {url_key!r} is not a URL of environment '{name}'",
                        "/channel/url",
                        _did_you_mean(url_key, map(str, urls)) or "use one of: " + ", ".join(map(str, urls)),
                    )
                url = str(urls[url_key])
            else:
                raise file.error(
                    f"environment '{name}' must be a URL, {{url: ...}} or {{urls: {{...}}}}",
                    pointer,
                    "e.g. Production: wss://api.example.com",
                )
            scheme, sep, rest = url.partition("://")
            ws_scheme = _WS_SCHEME.get(scheme.lower()) if sep else None
            if ws_scheme is None:
                raise file.error(
                    f"environment '{name}': URL {url!r} has no http(s):// or ws(s):// scheme",
                    pointer,
                    "write the full URL, e.g. wss://api.example.com",
                )
            if ws_scheme != scheme.lower():
                self.warnings.append(
                    f"channel '{channel}': environment '{name}' URL {url} is used as {ws_scheme}://{rest} "
                    "(a WebSocket channel)"
                )
            servers.append(
                ServerSpec(
                    key=str(name),
                    url=f"{ws_scheme}://{rest}".rstrip("/"),
                    protocol=ws_scheme,
                    security=security,
                    description=docs if isinstance(docs, str) else None,
                )
            )
        return servers


# --- helpers ---------------------------------------------------------------------------------------


def _is_optional(ref: TypeRef) -> bool:
    return isinstance(ref, Container) and ref.kind == "optional"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return schema  # unknown: already admits null
    if "anyOf" in schema and {"type": "null"} in schema["anyOf"]:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _replace(spec: MessageSpec, **changes: Any) -> MessageSpec:
    from dataclasses import replace

    return replace(spec, **changes)
