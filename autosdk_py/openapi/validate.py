"""Check an OpenAPI document before anything is generated, and report every problem at once.

Three sources of problems, merged into one ``SpecErrors`` in document order:

* dangling and external ``$ref``s (``loader.check_local_refs``);
* the structure, by openapi-pydantic's ``v3_0``/``v3_1`` models: every error of the
  ``ValidationError``, each at the deepest JSON pointer that exists in the document. A union such as
  ``Reference | Schema`` fails on every branch; only the branch the object was meant for is kept
  (the ``Reference`` one exactly when the object has a ``$ref``);
* the generator's own schema rules (``autosdk_py.schema_rules``): known ``type`` names, ``$ref``s
  leading to the kind of object their place needs, non-empty enums, discriminators. The layout
  below tells those rules what every structural object of an OpenAPI 3.0/3.1 document is;
* wire values that cannot be sent as written (``autosdk_py.wire``): header names that are not
  HTTP tokens, paths with control characters, media types that are not plain ASCII.

When a rule and openapi-pydantic report the same place, the rule's message (it has a better hint)
is kept. At most ``MAX_REPORTED`` problems are shown: each one costs a line lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from openapi_pydantic.v3 import v3_0, v3_1
from pydantic import ValidationError

from ..errors import SpecError, SpecErrors, escape_pointer_token
from ..loader import Document, check_local_refs
from ..schema_rules import MAX_REPORTED, DocumentOrder, Layout, Problem, check_schemas, raise_all, type_name
from ..wire import openapi_wire_problems

OpenAPIModel = v3_0.OpenAPI | v3_1.OpenAPI

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_STRUCTURE_HINT = "compare this object with the OpenAPI {version} specification (its fields and their types)"
_EXPECTED = {
    "model_type": "an object",
    "dict_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "a list",
    "string_type": "a string",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
}


def validate_openapi(doc: Document) -> OpenAPIModel:
    """The typed document once every check passed; else ``SpecError``/``SpecErrors`` listing every problem."""
    found: list[SpecError] = []
    try:
        check_local_refs(doc)
    except SpecError as err:
        found.append(err)
    except SpecErrors as errs:
        found.extend(errs.errors)
    api, structure = structure_problems(doc.version, doc.data)
    rules = check_schemas(openapi_layout(doc.data)) + openapi_wire_problems(doc.data)
    taken = {p.pointer for p in rules} | {e.pointer for e in found}
    problems = rules + [p for p in structure if p.pointer not in taken and not _explained(p.pointer, rules)]
    if problems or found or api is None:
        _report(doc, doc.data, found, problems)
    return api


def typed_openapi(doc: Document, spec: dict[str, Any]) -> OpenAPIModel:
    """openapi-pydantic's model of ``spec`` (``doc.data`` or a normalized copy of it), problems reported in ``doc``.

    For a reader that needs the typed form of a spec ``validate_openapi`` already passed: only the
    structure is checked (every problem at once, like ``validate_openapi``).
    """
    api, structure = structure_problems(doc.version, spec)
    if api is None:
        _report(doc, spec, [], structure)
    return api


def _explained(pointer: str, rules: list[Problem]) -> bool:
    """Whether a rule already reported inside this keyword (``type: [strnig]``: pydantic also blames ``type``)."""
    if pointer.rsplit("/", 1)[-1] not in ("type", "enum", "discriminator", "mapping"):
        return False
    return any(p.pointer.startswith(pointer + "/") for p in rules)


def _report(doc: Document, data: dict[str, Any], found: list[SpecError], problems: list[Problem]) -> NoReturn:
    order = DocumentOrder(data)
    ranked: list[tuple[tuple[int, ...], int, SpecError | Problem]] = [
        (order.key(e.pointer or ""), i, e) for i, e in enumerate(found)
    ]
    ranked += [(order.key(p.pointer), len(found) + i, p) for i, p in enumerate(problems)]
    ranked.sort(key=lambda r: (r[0], r[1]))
    shown = [
        e if isinstance(e, SpecError) else doc.error(e.message, e.pointer, e.hint) for _, _, e in ranked[:MAX_REPORTED]
    ]
    raise_all(shown, len(ranked), doc.path)


# --- structure: openapi-pydantic -------------------------------------------------------------------


def structure_problems(version: str, data: dict[str, Any]) -> tuple[OpenAPIModel | None, list[Problem]]:
    """The typed document, or every structural problem openapi-pydantic finds (one per place)."""
    model = v3_1.OpenAPI if version.startswith("3.1") else v3_0.OpenAPI
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors()
    hint = _STRUCTURE_HINT.format(version=version)
    by_pointer: dict[str, list[tuple[str, Any]]] = {}
    kept = [e for e in errors if not _other_branch(data, e["loc"])] or errors
    for error in kept:
        pointer, missing = _locate(data, error["loc"])
        if missing is not None:
            key = pointer + "\0" + missing  # several fields missing from one object: one problem each
            by_pointer.setdefault(key, []).append(("missing", missing))
        else:
            by_pointer.setdefault(pointer, []).append((error["type"], error))
    problems: list[Problem] = []
    for key, items in by_pointer.items():
        pointer = key.split("\0", 1)[0]
        problems.append(Problem(_structure_message(version, items), pointer, _structure_hint(version, items) or hint))
    return None, problems


def _locate(data: Any, loc: Iterable[int | str]) -> tuple[str, str | None]:
    """The pointer of an error and, for a missing field, its name.

    ``loc`` mixes document keys with pydantic's union tags (``Reference``, ``Schema``,
    ``str-enum[DataType]``...): a token that is not a key of the current object is a tag.
    """
    tokens: list[str] = []
    node = data
    items = [str(t) for t in loc]
    for index, token in enumerate(items):
        if isinstance(node, dict) and token in node:
            node = node[token]
            tokens.append(escape_pointer_token(token))
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            tokens.append(token)
        elif index == len(items) - 1 and isinstance(node, dict) and not _is_tag(token):
            return "".join("/" + t for t in tokens), token
    return "".join("/" + t for t in tokens), None


def _other_branch(data: Any, loc: Iterable[int | str]) -> bool:
    """Whether an error belongs to a union branch meant for another kind of object than the one there.

    ``Reference | Parameter`` fails on both branches; the ``Reference`` one is the object's exactly
    when it has a ``$ref``.
    """
    node = data
    for token in (str(t) for t in loc):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif _is_model_tag(token) and isinstance(node, dict) and (token == "Reference") != ("$ref" in node):
            return True
    return False


def _is_model_tag(token: str) -> bool:
    return token[:1].isupper() and "[" not in token


def _is_tag(token: str) -> bool:
    return token[:1].isupper() or "[" in token or token.startswith(("function-", "union"))


def _structure_message(version: str, items: list[tuple[str, Any]]) -> str:
    prefix = f"invalid OpenAPI {version} document: "
    kind, first = items[0]
    if kind == "missing":
        return f"{prefix}required field {first!r} is missing"
    field = _field_name(first["loc"])
    subject = f"{field!r} " if field else ""
    expected: list[str] = []
    for kind, error in items:
        if kind in _EXPECTED:
            expected.append(_EXPECTED[kind])
        elif kind in ("enum", "literal_error") and "expected" in (error.get("ctx") or {}):
            expected.append("one of " + str(error["ctx"]["expected"]))
        else:
            return f"{prefix}{subject}{error['msg'][:1].lower()}{error['msg'][1:]}"
    shown = " or ".join(dict.fromkeys(expected))
    return f"{prefix}{subject}must be {shown}, not {_describe(first['input'])}"


def _structure_hint(version: str, items: list[tuple[str, Any]]) -> str | None:
    kind, error = items[0]
    if kind != "missing" and _field_name(error["loc"]) == "type" and isinstance(error["input"], list):
        return (
            f"OpenAPI {version} takes one type name: write e.g. type: string with nullable: true "
            "(lists of types are OpenAPI 3.1's)"
        )
    return None


def _field_name(loc: Iterable[int | str]) -> str | None:
    names = [str(t) for t in loc if not (isinstance(t, str) and _is_tag(t))]
    return names[-1] if names and not names[-1].isdigit() else None


def _describe(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r}"
    return type_name(value)


# --- the schema rules' view of an OpenAPI document --------------------------------------------------


def openapi_layout(data: dict[str, Any]) -> Layout:
    """What every structural object of an OpenAPI 3.0/3.1 document is, and where its schemas are."""
    layout = Layout(data)
    _OpenAPIWalker(layout).document(data)
    return layout


class _OpenAPIWalker:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def each(self, node: Any, pointer: str, visit: Callable[[Any, str], object]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not str(key).startswith("x-"):
                    visit(value, f"{pointer}/{escape_pointer_token(key)}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{pointer}/{index}")

    def plain_list(self, kind: str, node: Any, pointer: str) -> bool:
        return self.layout.add(kind, pointer, node, checked=False, container=list)

    def plain(self, kind: str, node: Any, pointer: str) -> bool:
        """An object that no ``$ref`` may replace (info, a server...)."""
        return self.layout.add(kind, pointer, node, checked=False)

    def document(self, data: dict[str, Any]) -> None:
        self.plain("the whole document", data, "")
        info: Any = data.get("info")
        if self.plain("the info object", info, "/info"):
            self.plain("the info object's contact", info.get("contact"), "/info/contact")
            self.plain("the info object's license", info.get("license"), "/info/license")
        self.servers(data.get("servers"), "/servers")
        paths = data.get("paths")
        if self.plain("the paths object", paths, "/paths"):
            self.each(paths, "/paths", self.path_item)
        webhooks = data.get("webhooks")
        if self.plain("the webhooks object", webhooks, "/webhooks"):
            self.each(webhooks, "/webhooks", self.path_item)
        tags = data.get("tags")
        if self.plain_list("the tags list", tags, "/tags"):
            self.each(tags, "/tags", lambda n, p: self.plain("a tag", n, p))
        self.plain("the external docs", data.get("externalDocs"), "/externalDocs")
        self.plain("a security requirement list", data.get("security"), "/security")
        self.components(data.get("components"))

    def components(self, components: Any) -> None:
        if not self.plain("the components object", components, "/components"):
            return
        sections: dict[str, tuple[str, Callable[[Any, str], object]]] = {
            "schemas": ("the schemas map", lambda n, p: self.layout.schema(p, n)),
            "responses": ("the responses map", self.response),
            "parameters": ("the parameters map", self.parameter),
            "examples": ("the examples map", lambda n, p: self.layout.add("an example", p, n)),
            "requestBodies": ("the request bodies map", self.request_body),
            "headers": ("the headers map", self.header),
            "securitySchemes": ("the security schemes map", lambda n, p: self.layout.add("a security scheme", p, n)),
            "links": ("the links map", lambda n, p: self.layout.add("a link", p, n)),
            "callbacks": ("the callbacks map", self.callback),
            "pathItems": ("the path items map", self.path_item),
        }
        for key, (kind, visit) in sections.items():
            value = components.get(key)
            if self.plain(kind, value, f"/components/{key}"):
                self.each(value, f"/components/{key}", visit)

    def servers(self, servers: Any, pointer: str) -> None:
        if not self.plain_list("a servers list", servers, pointer):
            return
        for index, server in enumerate(servers if isinstance(servers, list) else ()):
            where = f"{pointer}/{index}"
            if self.plain("a server", server, where):
                variables = server.get("variables")
                if self.plain("a server's variables", variables, where + "/variables"):
                    self.each(variables, where + "/variables", lambda n, p: self.plain("a server variable", n, p))

    def path_item(self, item: Any, pointer: str) -> None:
        if not self.layout.add("a path item", pointer, item):
            return
        self.servers(item.get("servers"), pointer + "/servers")
        self.parameters(item.get("parameters"), pointer + "/parameters")
        for method in HTTP_METHODS:
            self.operation(item.get(method), f"{pointer}/{method}")

    def operation(self, op: Any, pointer: str) -> None:
        if not self.plain("an operation", op, pointer):
            return
        self.parameters(op.get("parameters"), pointer + "/parameters")
        self.request_body(op.get("requestBody"), pointer + "/requestBody")
        responses = op.get("responses")
        if self.plain("a responses object", responses, pointer + "/responses"):
            self.each(responses, pointer + "/responses", self.response)
        callbacks = op.get("callbacks")
        if self.plain("a callbacks map", callbacks, pointer + "/callbacks"):
            self.each(callbacks, pointer + "/callbacks", self.callback)
        self.servers(op.get("servers"), pointer + "/servers")
        self.plain("the external docs", op.get("externalDocs"), pointer + "/externalDocs")
        self.plain("a security requirement list", op.get("security"), pointer + "/security")

    def parameters(self, params: Any, pointer: str) -> None:
        if self.plain_list("a parameters list", params, pointer):
            self.each(params, pointer, self.parameter)

    def parameter(self, param: Any, pointer: str) -> None:
        if self.layout.add("a parameter", pointer, param):
            self.schema_and_content(param, pointer)

    def header(self, header: Any, pointer: str) -> None:
        if self.layout.add("a header", pointer, header):
            self.schema_and_content(header, pointer)

    def schema_and_content(self, obj: dict[str, Any], pointer: str) -> None:
        self.layout.schema(pointer + "/schema", obj.get("schema"))
        self.content(obj.get("content"), pointer + "/content")
        self.examples(obj.get("examples"), pointer + "/examples")

    def request_body(self, body: Any, pointer: str) -> None:
        if self.layout.add("a request body", pointer, body):
            self.content(body.get("content"), pointer + "/content")

    def response(self, response: Any, pointer: str) -> None:
        if not self.layout.add("a response", pointer, response):
            return
        headers = response.get("headers")
        if self.plain("a headers map", headers, pointer + "/headers"):
            self.each(headers, pointer + "/headers", self.header)
        self.content(response.get("content"), pointer + "/content")
        links = response.get("links")
        if self.plain("a links map", links, pointer + "/links"):
            self.each(links, pointer + "/links", lambda n, p: self.layout.add("a link", p, n))

    def callback(self, callback: Any, pointer: str) -> None:
        if self.layout.add("a callback", pointer, callback):
            self.each(callback, pointer, self.path_item)

    def content(self, content: Any, pointer: str) -> None:
        if self.plain("a content map", content, pointer):
            self.each(content, pointer, self.media_type)

    def media_type(self, media: Any, pointer: str) -> None:
        if not self.plain("a media type object", media, pointer):
            return
        self.layout.schema(pointer + "/schema", media.get("schema"))
        self.examples(media.get("examples"), pointer + "/examples")
        encoding = media.get("encoding")
        if self.plain("an encoding map", encoding, pointer + "/encoding"):
            for name, value in encoding.items():
                where = f"{pointer}/encoding/{escape_pointer_token(name)}"
                if self.plain("an encoding object", value, where):
                    headers = value.get("headers")
                    if self.plain("a headers map", headers, where + "/headers"):
                        self.each(headers, where + "/headers", self.header)

    def examples(self, examples: Any, pointer: str) -> None:
        if self.plain("an examples map", examples, pointer):
            self.each(examples, pointer, lambda n, p: self.layout.add("an example", p, n))
