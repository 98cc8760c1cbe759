"""Rules every JSON schema of a spec must follow, shared by the OpenAPI and AsyncAPI checks.

The generator reads schemas in ways no structural validator checks: openapi-pydantic accepts
``type: strnig`` beside a ``$ref`` and takes any object with a ``$ref`` for a schema, whatever it
points at; AsyncAPI documents have no structural validation here at all. Before any model is
generated, every schema is checked:

* ``type`` is one of the seven JSON Schema types (with a did-you-mean hint);
* a ``$ref`` where a schema is expected points at a schema (not ``#/info``, not a parameter...);
  the same holds for the other kinds a caller expects somewhere (an AsyncAPI message, an OpenAPI
  response...);
* ``enum`` is a non-empty list;
* a discriminator names a property that every member has (through ``allOf`` and ``$ref``), and its
  ``mapping`` targets resolve to schemas.

A caller describes its document with a ``Layout``: what each structural object it knows is
(``the info object``, ``a parameter``, ``a message``...), where schemas start and which ``$ref``s
must point at which kind. A target the layout does not know (an extension, an unusual place) is
given the benefit of the doubt when it is an object: no false alarm on a real document matters more
than catching every mistake. Problems come back as ``Problem``s; callers turn them into
``SpecError``s with the file and line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

from .errors import SpecError, SpecErrors
from .schema.pointer import escape_pointer_token, json_pointer, split_pointer
from .schema.refs import is_local, walk
from .schema_keywords import ONE_SCHEMA_KEYWORDS, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS

SCHEMA = "a schema"
# Every problem of a real document is shown (line lookups come from one index per file); only a
# pathological flood (a wrong document type, a generated file) is cut short, with the count of the rest.
MAX_REPORTED = 1000
JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
_TYPE_HINTS = {
    "int": "integer",
    "long": "integer",
    "bool": "boolean",
    "str": "string",
    "text": "string",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "dict": "object",
    "map": "object",
    "list": "array",
}
_FORMATS = frozenset({"int32", "int64", "date", "date-time", "byte", "binary", "uuid", "email", "uri", "password"})
_ONE_SCHEMA = ONE_SCHEMA_KEYWORDS
# Draft-04 forms too: ``items`` as a list of schemas (tuple validation), ``dependencies`` with schemas.
_SCHEMA_LISTS = SCHEMA_LIST_KEYWORDS | {"items"}
_SCHEMA_MAPS = SCHEMA_MAP_KEYWORDS | {"dependencies"}
_KEYWORDS = _ONE_SCHEMA | _SCHEMA_LISTS | _SCHEMA_MAPS
_MAX_REF_HOPS = 64


@dataclass(frozen=True)
class Problem:
    message: str
    pointer: str
    hint: str


@dataclass
class Layout:
    """What a document's structural objects are, as far as its reader knows.

    ``kinds`` maps a pointer to a phrase naming what is there ("the info object", "a message");
    ``roots`` are the places where a schema starts; ``expected`` the objects whose ``$ref`` must
    point at a given kind. ``schemas`` is the pointer of the named-schemas map (bare discriminator
    mapping names refer to it).
    """

    data: dict[str, Any]
    schemas: str = "/components/schemas"
    kinds: dict[str, str] = field(default_factory=dict)
    roots: list[tuple[str, Any]] = field(default_factory=list)
    expected: list[tuple[str, Any, str]] = field(default_factory=list)  # pointer, node, kind
    _seen: set[int] = field(default_factory=set)

    def add(self, kind: str, pointer: str, node: Any, *, checked: bool = True, container: type = dict) -> bool:
        """Record ``node`` as ``kind``; whether the caller should read inside it (it is a ``container``).

        A node met twice (a YAML alias, possibly a cycle) is read once.
        """
        if node is None:
            return False
        if isinstance(node, (dict, list)):
            if id(node) in self._seen:
                return False
            self._seen.add(id(node))
        self.kinds[pointer] = kind
        if checked and isinstance(node, dict) and isinstance(node.get("$ref"), str):
            self.expected.append((pointer, node, kind))
        return isinstance(node, container)

    def schema(self, pointer: str, node: Any) -> None:
        """A place where a schema is expected."""
        if node is not None:
            self.roots.append((pointer, node))


def check_schemas(layout: Layout) -> list[Problem]:
    """Every problem of the schemas in ``layout`` (and of its other expected ``$ref``s), in document order."""
    problems = _Checker(layout).run()
    order = DocumentOrder(layout.data)
    return sorted(problems, key=lambda p: order.key(p.pointer))


def raise_all(shown: list[SpecError], total: int, file: Path) -> NoReturn:
    """Raise the first ``MAX_REPORTED`` of ``total`` problems, one ``SpecError`` alone, several as ``SpecErrors``."""
    if total > len(shown):
        shown = [
            *shown,
            SpecError(
                f"{total - len(shown)} more problem(s) not shown",
                file=file,
                hint="fix the problems above and run again",
            ),
        ]
    if len(shown) == 1:
        raise shown[0]
    raise SpecErrors(shown)


def did_you_mean(word: str, candidates: list[str], show: str = "{}") -> str | None:
    close = difflib.get_close_matches(word, candidates, n=3)
    return ("did you mean " + " or ".join(repr(show.format(c)) for c in close) + "?") if close else None


def type_name(value: object) -> str:
    if value is None:
        return "null"
    names: dict[type, str] = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), "an object" if isinstance(value, dict) else type(value).__name__)


def _esc(token: str | int) -> str:
    return escape_pointer_token(token)


class _Checker:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.data = layout.data
        self.kinds = layout.kinds
        self.problems: list[Problem] = []
        named = self.resolve("#" + layout.schemas)
        self.schema_names: list[str] = list(named[1]) if named and isinstance(named[1], dict) else []

    def run(self) -> list[Problem]:
        schemas = list(self.expand())
        for pointer, node in schemas:
            if "$ref" in node and not isinstance(node["$ref"], str):
                self.problem(
                    f"'$ref' must be a reference string, not {type_name(node['$ref'])}",
                    f"{pointer}/$ref",
                    f"write e.g. $ref: '#{self.layout.schemas}/<Name>'",
                )
            self.check_type(node, pointer)
            self.check_enum(node, pointer)
            self.check_discriminator(node, pointer)
        for pointer, node, kind in self.layout.expected:
            self.check_ref(node["$ref"], pointer + "/$ref", kind)
        return self.problems

    def problem(self, message: str, pointer: str, hint: str) -> None:
        self.problems.append(Problem(message, pointer, hint))

    # --- walking ---------------------------------------------------------------------------------

    def expand(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every schema object under the layout's roots (booleans are schemas too, with nothing to check)."""
        stack = list(reversed(self.layout.roots))
        while stack:
            pointer, node = stack.pop()
            if not self.layout.add(SCHEMA, pointer, node) or not isinstance(node, dict):
                continue
            yield pointer, node
            children: list[tuple[str, Any]] = []
            for key, value in node.items():  # most schemas have a few keys: cheaper than looking up each keyword
                if key not in _KEYWORDS:
                    continue
                if key in _SCHEMA_MAPS:
                    if isinstance(value, dict):
                        children.extend(
                            (f"{pointer}/{key}/{_esc(name)}", v) for name, v in value.items() if isinstance(v, dict)
                        )
                elif isinstance(value, list):
                    if key in _SCHEMA_LISTS:
                        children.extend((f"{pointer}/{key}/{i}", v) for i, v in enumerate(value) if isinstance(v, dict))
                elif isinstance(value, (dict, bool)) and key in _ONE_SCHEMA:
                    children.append((f"{pointer}/{key}", value))
            stack.extend(reversed(children))

    def resolve(self, ref: str) -> tuple[str, Any] | None:
        """The canonical pointer and value a local ``$ref`` leads to (following ``$ref``s on the way).

        ``None`` when it dangles, leaves the document or goes round in circles. The fragment is read as
        written first, then percent-decoded.
        """
        if not is_local(ref):
            return None
        fragment = ref[1:]
        for candidate in dict.fromkeys((fragment, unquote(fragment))):
            try:
                tokens, node = walk(self.data, split_pointer(candidate), max_hops=_MAX_REF_HOPS)
            except (KeyError, ValueError):
                continue
            return json_pointer(*tokens), node
        return None

    # --- rules -----------------------------------------------------------------------------------

    def check_type(self, node: dict[str, Any], pointer: str) -> None:
        if "type" not in node or node["type"] is None:
            return
        value = node["type"]
        if isinstance(value, str):
            self._known_type(value, f"{pointer}/type")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    self._known_type(item, f"{pointer}/type/{index}")
                else:
                    self.problem(
                        f"a schema type must be a string, not {type_name(item)}",
                        f"{pointer}/type/{index}",
                        "use the JSON Schema types: " + ", ".join(JSON_TYPES),
                    )
        else:
            self.problem(
                f"schema 'type' must be a type name or a list of them, not {type_name(value)}",
                f"{pointer}/type",
                "use one of: " + ", ".join(JSON_TYPES),
            )

    def _known_type(self, value: str, pointer: str) -> None:
        if value in JSON_TYPES:
            return
        known = "(JSON Schema types: " + ", ".join(JSON_TYPES) + ")"
        lowered = value.strip().lower()
        if lowered in JSON_TYPES:
            hint = f"write {lowered!r} (type names are lower case)"
        elif lowered in _TYPE_HINTS:
            hint = f"write {_TYPE_HINTS[lowered]!r} {known}"
        elif lowered in _FORMATS:
            hint = f"{value!r} is a format: write type: {'integer' if lowered.startswith('int') else 'string'} and format: {value}"
        elif lowered == "file":
            hint = "Swagger 2.0's 'file' type is written type: string, format: binary in OpenAPI 3"
        elif lowered == "any":
            hint = "leave 'type' out to allow any value"
        else:
            close = did_you_mean(lowered, list(JSON_TYPES))
            hint = f"{close} {known}" if close else "use one of the " + known[1:-1]
        self.problem(f"unknown schema type {value!r}", pointer, hint)

    def check_enum(self, node: dict[str, Any], pointer: str) -> None:
        if "enum" not in node or node["enum"] is None:
            return
        value = node["enum"]
        if not isinstance(value, list):
            self.problem(
                f"'enum' must be a list of the allowed values, not {type_name(value)}",
                f"{pointer}/enum",
                "write the allowed values as a YAML/JSON list",
            )
        elif not value:
            self.problem(
                "'enum' is empty: no value would be valid",
                f"{pointer}/enum",
                "list the allowed values, or remove 'enum' to allow any value",
            )

    def check_discriminator(self, node: dict[str, Any], pointer: str) -> None:
        if node.get("discriminator") is None:
            return
        value = node["discriminator"]
        where = f"{pointer}/discriminator"
        mapping: Any = None
        if isinstance(value, str):  # AsyncAPI's (and JSON Schema dialects') form: the property name alone
            name = value
        elif isinstance(value, dict) and isinstance(value.get("propertyName"), str):
            name, mapping = value["propertyName"], value.get("mapping")
            where += "/propertyName"
        else:
            self.problem(
                "the discriminator has no property name",
                where,
                "write discriminator: {propertyName: <property>} naming the property that tells the members apart",
            )
            return
        self._discriminator_property(node, pointer, name, where)
        if mapping is not None:
            self._discriminator_mapping(mapping, f"{pointer}/discriminator/mapping")

    def _discriminator_property(self, node: dict[str, Any], pointer: str, name: str, where: str) -> None:
        own = self.properties(node, set(), alternatives=False)
        if own is None or name in own:
            return
        members = [
            (f"{pointer}/{key}/{i}", member)
            for key in ("oneOf", "anyOf")
            if isinstance(node.get(key), list)
            for i, member in enumerate(node[key])
        ]
        if not members:
            if "properties" not in node and "allOf" not in node:
                return  # a discriminator with nothing to tell apart (OpenAI puts some on arrays): inert
            self.problem(
                f"discriminator property {name!r} is not a property of this schema",
                where,
                did_you_mean(name, sorted(own)) or f"add {name!r} to the schema's 'properties'",
            )
            return
        lacking: list[str] = []
        common: set[str] | None = None
        for member_pointer, member in members:
            found = self.properties(member, set())
            if found is None:
                continue
            common = found if common is None else common & found
            if name not in found:
                lacking.append(self.label(member, member_pointer))
        if not lacking:
            return
        shown = ", ".join(lacking[:5]) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
        hint = did_you_mean(name, sorted(common or ())) if len(lacking) == len(members) else None
        self.problem(
            f"discriminator property {name!r} is missing from {len(lacking)} of {len(members)} members: {shown}",
            where,
            hint or f"every member must define the property {name!r} (in 'properties', directly or through allOf)",
        )

    def properties(self, node: Any, seen: set[str], alternatives: bool = True) -> set[str] | None:
        """The property names a schema defines through ``$ref``/``allOf`` (and, when asked, that all its
        ``oneOf``/``anyOf`` alternatives define); ``None`` when it cannot be known."""
        names: set[str] = set()
        for _ in range(_MAX_REF_HOPS):
            if not isinstance(node, dict):
                return None if node is not False else names
            if "$recursiveRef" in node or "$dynamicRef" in node:
                return None  # resolved at validation time: cannot be known here
            own = node.get("properties")
            if isinstance(own, dict):
                names.update(own)
            required = node.get("required")
            if isinstance(required, list):
                names.update(r for r in required if isinstance(r, str))
            parts = node.get("allOf")
            for part in parts if isinstance(parts, list) else ():
                found = self.properties(part, seen)
                if found is None:
                    return None
                names |= found
            if alternatives:
                options = [o for key in ("oneOf", "anyOf") if isinstance(node.get(key), list) for o in node[key]]
                shared: set[str] | None = None
                for option in options:
                    found = self.properties(option, seen)
                    if found is None:
                        return None
                    shared = found if shared is None else shared & found
                names |= shared or set()
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return names
            target = self.resolve(ref)
            if target is None:
                return None
            if target[0] in seen:
                return names
            seen.add(target[0])
            node = target[1]
        return None

    def label(self, member: Any, pointer: str) -> str:
        if isinstance(member, dict) and isinstance(member.get("$ref"), str):
            return str(member["$ref"]).rsplit("/", 1)[-1]
        return pointer.rsplit("/", 2)[-2] + "/" + pointer.rsplit("/", 1)[-1]

    def _discriminator_mapping(self, mapping: Any, pointer: str) -> None:
        if not isinstance(mapping, dict):
            self.problem(
                f"the discriminator's 'mapping' must be an object, not {type_name(mapping)}",
                pointer,
                "map each tag value to a schema: {cat: '#/components/schemas/Cat'}",
            )
            return
        for key, target in mapping.items():
            where = f"{pointer}/{_esc(key)}"
            if not isinstance(target, str):
                self.problem(
                    f"mapping {key!r} must be a schema reference, not {type_name(target)}",
                    where,
                    "write '#/components/schemas/<Name>' or the schema's name",
                )
            elif target.startswith("#"):
                if self.resolve(target) is None:
                    self.problem(
                        f"mapping {key!r} points to nothing in this document: {target!r}",
                        where,
                        self.schema_hint(target),
                    )
                else:
                    self.check_ref(target, where, SCHEMA, what=f"mapping {key!r}")
            elif not any(c in target for c in "/.:") and target not in self.schema_names:
                self.problem(
                    f"mapping {key!r} names the schema {target!r}, which {self.layout.schemas[1:].replace('/', '.')} "
                    "does not define",
                    where,
                    did_you_mean(target, self.schema_names)
                    or "name a schema of the document or write a '#/...' reference",
                )

    def check_ref(self, ref: str, pointer: str, kind: str, what: str | None = None) -> None:
        """A ``$ref`` (or mapping value) where ``kind`` is expected must lead to one."""
        target = self.resolve(ref)
        if target is None:
            return  # dangling or not local: reported where $refs are resolved
        at, value = target
        found = self.kinds.get(at)
        what = what or "$ref"
        if found is None:
            if isinstance(value, dict) or (kind == SCHEMA and isinstance(value, bool)):
                return  # a place the layout does not know: not ours to judge
            found = type_name(value)
        if found == kind:
            return
        self.problem(
            f"{what} {ref!r} points at {found}, not {kind}",
            pointer,
            self.schema_hint(ref) if kind == SCHEMA else self.kind_hint(ref, kind, pointer.removesuffix("/$ref")),
        )

    def schema_hint(self, ref: str) -> str:
        last = ref.rstrip("/").rsplit("/", 1)[-1]
        close = did_you_mean(last, self.schema_names, "#" + self.layout.schemas + "/{}")
        return close or f"point it at a schema, e.g. '#{self.layout.schemas}/<Name>'"

    def kind_hint(self, ref: str, kind: str, holder: str) -> str:
        ends: dict[str, str] = {}
        for place, found in sorted(self.kinds.items(), key=lambda item: not item[0].startswith("/components/")):
            if found == kind and place != holder:
                ends.setdefault(place.rsplit("/", 1)[-1], place)
        matches = difflib.get_close_matches(ref.rstrip("/").rsplit("/", 1)[-1], list(ends), n=3)
        if matches:
            return "did you mean " + " or ".join(repr("#" + ends[m]) for m in matches) + "?"
        example = next(iter(ends.values()), None)
        return f"point it at {kind}" + (f", e.g. '#{example}'" if example else "")


class DocumentOrder:
    """Sort keys that put pointers in the order their places appear in the document."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.indexes: dict[int, dict[str, int]] = {}

    def key(self, pointer: str) -> tuple[int, ...]:
        node = self.data
        key: list[int] = []
        for token in split_pointer(pointer) if pointer.startswith("/") else ():
            if isinstance(node, dict):
                index = self.indexes.get(id(node))
                if index is None:
                    index = self.indexes[id(node)] = {k: i for i, k in enumerate(node)}
                position = index.get(token)
                if position is None:
                    key.append(len(index))
                    break
                key.append(position)
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                key.append(int(token))
                node = node[int(token)]
            else:
                break
        return tuple(key)
