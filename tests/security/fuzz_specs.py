"""Fuzz documents, built in code: small valid OpenAPI 3.0/3.1, AsyncAPI 2.6/3.0 and Fern documents, and
every string-valued place of them that the generator reads (a *site*).

A site writes one string into a document builder and says where it went (:class:`Placement`): the JSON
pointer, the pointers a refusal may name, and for wire values the generated file that must hold the
exact string. Each case gets its own *carrier* (an operation, a channel, a message...) named after the
case id, so many cases share one document without colliding; sites that exist once per document
(``info.title``) belong to a *group*, and a document holds at most one case of each group.

The shapes follow the repository's valid examples (``examples/plants``, ``tests/specs``,
``tests/asyncapi/specs``, ``tests/fern/specs``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from . import rfc
from .rfc import Rule

FORMATS = ("openapi-3.0", "openapi-3.1", "asyncapi-2.6", "asyncapi-3.0", "fern")
CLOSED_HOST = "127.0.0.1:9"  # servers in the documents; the checks always pass their own closed port


def dump(doc: dict[str, Any], stem: str, yaml_suffix: str = ".yaml") -> tuple[str, str]:
    """``doc`` as JSON text, or as YAML when it holds YAML-only values (dates), with a matching file name."""
    try:
        return stem + (".json" if yaml_suffix == ".yaml" else yaml_suffix), json.dumps(
            doc, ensure_ascii=False, indent=1
        )
    except TypeError:
        return stem + yaml_suffix, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)


def jp(*tokens: object) -> str:
    """A JSON pointer (RFC 6901) from unescaped tokens."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def ref(*tokens: object) -> str:
    return "#" + jp(*tokens)


@dataclass
class Placement:
    pointer: str  # where the string is in the document
    value: Any  # the exact string (or value) written there; for wire values what the generated constant must equal
    accept: tuple[str, ...] = ()  # further pointers a refusal may name (the object holding the string...)
    scope: str | None = None  # package-relative file or folder holding the wire constant; None: anywhere

    @property
    def pointers(self) -> tuple[str, ...]:
        return (self.pointer, *self.accept)


class Builder(Protocol):
    kind: str  # "openapi" or "realtime": which checks the generated package gets

    def text(self) -> tuple[str, str]:
        """The file name and JSON text of the document."""
        ...


@dataclass(frozen=True)
class Site:
    name: str
    rule: Rule
    place: Callable[[Any, str, str], Placement]  # (builder, case id, value) -> where it went
    wrap: Callable[[str], str] = lambda payload: payload  # payload -> the string written at the site
    wire: bool = False  # the exact string must appear as a constant in the generated package
    json_key: bool = False  # ... or as a model field name (a JSON property named like a Python identifier)
    group: str | None = None  # one case of a group per document
    formats: tuple[str, ...] = FORMATS  # which of the formats' versions have this site
    values: bool = False  # the spec allows any value here (defaults, examples): non-string payloads too


# --- OpenAPI ---------------------------------------------------------------------------------------------


def _json_response(schema: str) -> dict[str, Any]:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": ref("components", "schemas", schema)}}},
    }


def _string_object(*names: str) -> dict[str, Any]:
    return {"type": "object", "properties": {n: {"type": "string"} for n in names}}


class OpenApiBuilder:
    kind = "openapi"

    def __init__(self, version: str, name: str) -> None:
        self.version = version
        self.v31 = version.startswith("3.1")
        self.name = name
        self.doc: dict[str, Any] = {
            "openapi": version,
            "info": {"title": "Fuzz API", "version": "1.0.0", "description": "The injection fuzz test's REST API."},
            "servers": [],
            "tags": [
                {"name": "base", "description": "Present in every fuzz document."},
                {"name": "shared", "description": "The operations of the fuzz cases."},
            ],
            "paths": {
                "/base": {
                    "get": {
                        "operationId": "getBase",
                        "tags": ["base"],
                        "summary": "The base operation.",
                        "responses": {"200": _json_response("Base")},
                    }
                }
            },
            "components": {"schemas": {"Base": _string_object("id")}, "securitySchemes": {}},
        }
        # servers[0] is composed from several sites (each its own group), see text()
        self.server_url: str | None = None
        self.server_variable_name: str | None = None
        self.server_variable_default: str | None = None
        self.server_description: str | None = None

    @property
    def schemas(self) -> dict[str, Any]:
        return self.doc["components"]["schemas"]  # type: ignore[no-any-return]

    @property
    def schemes(self) -> dict[str, Any]:
        return self.doc["components"]["securitySchemes"]  # type: ignore[no-any-return]

    def operation(self, cid: str, path: str | None = None, *, own_tag: bool = False) -> tuple[dict[str, Any], str]:
        """The case's operation ``POST /<cid>``, in the resource ``shared`` (``resources/shared.py``), or with
        a tag ``t_<cid>`` of its own; the operation and its pointer."""
        path = f"/{cid}" if path is None else path
        op: dict[str, Any] = {
            "operationId": f"op_{cid}",
            "tags": [f"t_{cid}" if own_tag else "shared"],
            "responses": {"200": _json_response("Base")},
        }
        self.doc["paths"][path] = {"post": op}
        if own_tag:
            self.doc["tags"].append({"name": f"t_{cid}", "description": "A fuzz case."})
        return op, jp("paths", path, "post")

    def text(self) -> tuple[str, str]:
        url = self.server_url or f"http://{CLOSED_HOST}"
        server: dict[str, Any] = {"url": url}
        variables: dict[str, Any] = {}
        if self.server_variable_name is not None:
            server["url"] += "/{" + self.server_variable_name + "}"
            variables[self.server_variable_name] = {"default": "x"}
        if self.server_variable_default is not None:
            server["url"] += "/{ver}"
            variables["ver"] = {"default": self.server_variable_default}
        if variables:
            server["variables"] = variables
        if self.server_description is not None:
            server["description"] = self.server_description
        self.doc["servers"] = [server]
        return dump(self.doc, self.name)


def _res(_cid: str) -> str:
    return "resources/shared.py"


def _oa_info(key: str) -> Callable[[OpenApiBuilder, str, str], Placement]:
    def place(b: OpenApiBuilder, _cid: str, value: str) -> Placement:
        b.doc["info"][key] = value
        return Placement(jp("info", key), value, ("/info",))

    return place


def _oa_server_url(b: OpenApiBuilder, _cid: str, value: str) -> Placement:
    b.server_url = value
    return Placement("/servers/0/url", value, ("/servers/0",))


def _oa_server_variable_name(b: OpenApiBuilder, _cid: str, value: str) -> Placement:
    b.server_variable_name = value
    return Placement(jp("servers", 0, "variables", value), value, ("/servers/0/url", "/servers/0/variables"))


def _oa_server_variable_default(b: OpenApiBuilder, _cid: str, value: str) -> Placement:
    b.server_variable_default = value
    return Placement("/servers/0/variables/ver/default", value, ("/servers/0/variables/ver",))


def _oa_server_description(b: OpenApiBuilder, _cid: str, value: str) -> Placement:
    b.server_description = value
    return Placement("/servers/0/description", value, ("/servers/0",))


def _oa_tag_name(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid, own_tag=True)
    op["tags"] = [value]
    b.doc["tags"][-1]["name"] = value
    return Placement(p + "/tags/0", value, (jp("tags", len(b.doc["tags"]) - 1, "name"),))


def _oa_tag_description(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    b.operation(cid, own_tag=True)
    b.doc["tags"][-1]["description"] = value
    index = len(b.doc["tags"]) - 1
    return Placement(jp("tags", index, "description"), value, (jp("tags", index),))


def _oa_operation_field(key: str) -> Callable[[OpenApiBuilder, str, str], Placement]:
    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        op, p = b.operation(cid)
        op[key] = value
        return Placement(f"{p}/{key}", value, (p,), _res(cid))

    return place


def _oa_path_key(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    b.operation(cid, path=value)
    return Placement(jp("paths", value), value, (), _res(cid))


def _oa_path_parameter_name(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    path = f"/{cid}/{{{value}}}"
    op, p = b.operation(cid, path=path)
    op["parameters"] = [{"name": value, "in": "path", "required": True, "schema": {"type": "string"}}]
    return Placement(p + "/parameters/0/name", value, (p + "/parameters/0", jp("paths", path)), _res(cid))


def _oa_parameter_name(location: str) -> Callable[[OpenApiBuilder, str, str], Placement]:
    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        op, p = b.operation(cid)
        op["parameters"] = [{"name": value, "in": location, "schema": {"type": "string"}}]
        return Placement(p + "/parameters/0/name", value, (p + "/parameters/0",), _res(cid))

    return place


def _oa_parameter(edit: Callable[[dict[str, Any], str], str]) -> Callable[[OpenApiBuilder, str, str], Placement]:
    """A query parameter ``q`` whose field ``edit`` sets (it returns the field's pointer below the parameter)."""

    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        op, p = b.operation(cid)
        param: dict[str, Any] = {"name": "q", "in": "query", "schema": {"type": "string"}}
        op["parameters"] = [param]
        below = edit(param, value)
        return Placement(p + "/parameters/0" + below, value, (p + "/parameters/0",), _res(cid))

    return place


def _set_description(param: dict[str, Any], value: str) -> str:
    param["description"] = value
    return "/description"


def _set_param_default(param: dict[str, Any], value: str) -> str:
    param["schema"]["default"] = value
    return "/schema/default"


def _set_param_enum(param: dict[str, Any], value: str) -> str:
    param["schema"]["enum"] = [value]
    return "/schema/enum/0"


def _set_param_example(param: dict[str, Any], value: str) -> str:
    param["example"] = value
    return "/example"


def _oa_request_content_type(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid)
    op["requestBody"] = {"required": True, "content": {value: {"schema": {"type": "string", "format": "binary"}}}}
    pointer = f"{p}/requestBody/content{jp(value)}"
    return Placement(pointer, value, (f"{p}/requestBody/content",), _res(cid))


def _oa_response_content_type(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid)
    if value.startswith("application/json"):
        media: dict[str, Any] = {"schema": {"$ref": ref("components", "schemas", "Base")}}
    else:
        media = {"schema": {"type": "string", "format": "binary"}}
    op["responses"] = {"200": {"description": "OK", "content": {value: media}}}
    pointer = f"{p}/responses/200/content{jp(value)}"
    return Placement(pointer, value, (f"{p}/responses/200/content",), _res(cid))


def _oa_request_description(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid)
    op["requestBody"] = {
        "description": value,
        "content": {"application/json": {"schema": {"$ref": ref("components", "schemas", "Base")}}},
    }
    return Placement(p + "/requestBody/description", value, (p + "/requestBody",))


def _oa_response_description(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid)
    op["responses"]["200"]["description"] = value
    return Placement(p + "/responses/200/description", value, (p + "/responses/200",))


def _oa_response_header(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid)
    op["responses"]["200"]["headers"] = {value: {"schema": {"type": "string"}}}
    return Placement(f"{p}/responses/200/headers{jp(value)}", value, (p + "/responses/200/headers",))


def _oa_response_schema(b: OpenApiBuilder, cid: str, name: str, schema: dict[str, Any]) -> str:
    op, _ = b.operation(cid)
    b.schemas[name] = schema
    op["responses"] = {"200": _json_response(name)}
    return jp("components", "schemas", name)


def _oa_schema_name(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    pointer = _oa_response_schema(b, cid, value, _string_object("id"))
    return Placement(pointer, value)


def _oa_schema_field(key: str) -> Callable[[OpenApiBuilder, str, str], Placement]:
    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        schema = _string_object("id")
        schema[key] = value
        pointer = _oa_response_schema(b, cid, f"S_{cid}", schema)
        return Placement(f"{pointer}/{key}", value, (pointer,))

    return place


def _oa_schema_example(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    schema = _string_object("id")
    if b.v31:
        schema["examples"] = [{"id": value}]
        below = "/examples/0/id"
    else:
        schema["example"] = {"id": value}
        below = "/example/id"
    pointer = _oa_response_schema(b, cid, f"S_{cid}", schema)
    return Placement(pointer + below, value, (pointer,))


def _oa_schema_enum(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    b.schemas[f"E_{cid}"] = {"type": "string", "enum": [value]}
    _oa_response_schema(
        b, cid, f"S_{cid}", {"type": "object", "properties": {"e": {"$ref": ref("components", "schemas", f"E_{cid}")}}}
    )
    pointer = jp("components", "schemas", f"E_{cid}")
    return Placement(pointer + "/enum/0", value, (pointer,), "models")


def _oa_request_model(b: OpenApiBuilder, cid: str, schema: dict[str, Any]) -> str:
    op, _ = b.operation(cid)
    b.schemas[f"B_{cid}"] = schema
    op["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": ref("components", "schemas", f"B_{cid}")}}},
    }
    return jp("components", "schemas", f"B_{cid}")


def _oa_property_name(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    pointer = _oa_request_model(b, cid, {"type": "object", "properties": {value: {"type": "string"}}})
    return Placement(f"{pointer}/properties{jp(value)}", value, (pointer + "/properties",), "models")


def _oa_property(edit: Callable[[dict[str, Any], str, bool], str], scope: str | None = None) -> Any:
    """Property ``f`` of the case's request model, whose schema ``edit`` changes (returns the pointer below it)."""

    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        prop: dict[str, Any] = {"type": "string"}
        pointer = _oa_request_model(b, cid, {"type": "object", "properties": {"f": prop}})
        below = edit(prop, value, b.v31)
        return Placement(f"{pointer}/properties/f{below}", value, (f"{pointer}/properties/f",), scope)

    return place


def _prop_description(prop: dict[str, Any], value: str, _v31: bool) -> str:
    prop["description"] = value
    return "/description"


def _prop_default(prop: dict[str, Any], value: str, _v31: bool) -> str:
    prop["default"] = value
    return "/default"


def _prop_enum(prop: dict[str, Any], value: str, _v31: bool) -> str:
    prop["enum"] = [value, "other"] if value != "other" else [value]
    return "/enum/0"


def _prop_const(prop: dict[str, Any], value: str, v31: bool) -> str:
    if v31:
        prop["const"] = value
        return "/const"
    prop["enum"] = [value]  # OpenAPI 3.0 has no const: a one-value enum is its spelling
    return "/enum/0"


def _prop_pattern(prop: dict[str, Any], value: str, _v31: bool) -> str:
    prop["pattern"] = value
    return "/pattern"


def _prop_format(prop: dict[str, Any], value: str, _v31: bool) -> str:
    prop["format"] = value
    return "/format"


def _prop_example(prop: dict[str, Any], value: str, _v31: bool) -> str:
    prop["example"] = value
    return "/example"


def _oa_media_example(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    op, p = b.operation(cid)
    op["requestBody"] = {
        "content": {
            "application/json": {"schema": {"$ref": ref("components", "schemas", "Base")}, "example": {"id": value}}
        }
    }
    return Placement(p + "/requestBody/content/application~1json/example/id", value, (p + "/requestBody",))


def _oa_tagged_union(b: OpenApiBuilder, cid: str, prop: str, values: tuple[str, str]) -> str:
    names = (f"A_{cid}", f"B_{cid}")
    for name, tag in zip(names, values, strict=True):
        b.schemas[name] = {
            "type": "object",
            "required": [prop],
            "properties": {prop: {"type": "string", "enum": [tag]}, "x": {"type": "string"}},
        }
    refs = [ref("components", "schemas", n) for n in names]
    schema = {
        "oneOf": [{"$ref": r} for r in refs],
        "discriminator": {"propertyName": prop, "mapping": dict(zip(values, refs, strict=True))},
    }
    return _oa_response_schema(b, cid, f"U_{cid}", schema)


def _oa_discriminator_property(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    pointer = _oa_tagged_union(b, cid, value, ("a", "b"))
    return Placement(pointer + "/discriminator/propertyName", value, (pointer + "/discriminator", pointer), "models")


def _oa_discriminator_value(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    _oa_tagged_union(b, cid, "kind", (value, f"b_{cid}"))
    pointer = jp("components", "schemas", f"A_{cid}", "properties", "kind")
    return Placement(pointer + "/enum/0", value, (pointer,), "models")


def _oa_scheme(b: OpenApiBuilder, cid: str, key: str, scheme: dict[str, Any]) -> str:
    op, _ = b.operation(cid)
    b.schemes[key] = scheme
    op["security"] = [{key: []}]
    return jp("components", "securitySchemes", key)


def _oa_scheme_key(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    return Placement(_oa_scheme(b, cid, value, {"type": "http", "scheme": "bearer"}), value)


def _oa_api_key(location: str) -> Callable[[OpenApiBuilder, str, str], Placement]:
    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        pointer = _oa_scheme(b, cid, f"K_{cid}", {"type": "apiKey", "in": location, "name": value})
        return Placement(pointer + "/name", value, (pointer,), "_client.py")

    return place


def _oa_scheme_description(b: OpenApiBuilder, cid: str, value: str) -> Placement:
    pointer = _oa_scheme(b, cid, f"K_{cid}", {"type": "http", "scheme": "bearer", "description": value})
    return Placement(pointer + "/description", value, (pointer,))


def _oa_multipart(file_field: bool) -> Callable[[OpenApiBuilder, str, str], Placement]:
    def place(b: OpenApiBuilder, cid: str, value: str) -> Placement:
        op, _ = b.operation(cid)
        binary = {"type": "string", "format": "binary"}
        props = (
            {value: binary, "note": {"type": "string"}} if file_field else {value: {"type": "string"}, "upload": binary}
        )
        b.schemas[f"F_{cid}"] = {"type": "object", "properties": props}
        op["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"$ref": ref("components", "schemas", f"F_{cid}")}}},
        }
        pointer = jp("components", "schemas", f"F_{cid}", "properties")
        return Placement(pointer + jp(value), value, (pointer,), _res(cid))

    return place


def _after(prefix: str) -> Callable[[str], str]:
    return lambda payload: prefix + payload


def _quoted_parameter(media: str) -> Callable[[str], str]:
    return lambda payload: f"{media}; p={rfc.quoted_string(payload)}"


OA = ("openapi-3.0", "openapi-3.1")

OPENAPI_SITES: tuple[Site, ...] = (
    Site("info.title", rfc.text, _oa_info("title"), group="info.title", formats=OA),
    Site("info.version", rfc.text, _oa_info("version"), group="info.version", formats=OA),
    Site("info.description", rfc.text, _oa_info("description"), group="info.description", formats=OA),
    Site("servers.url", rfc.text, _oa_server_url, _after(f"http://{CLOSED_HOST}/"), group="server.url", formats=OA),
    Site("servers.variables.<name>", rfc.text, _oa_server_variable_name, group="server.var.name", formats=OA),
    Site(
        "servers.variables.default",
        rfc.text,
        _oa_server_variable_default,
        group="server.var.default",
        formats=OA,
    ),
    Site("servers.description", rfc.text, _oa_server_description, group="server.description", formats=OA),
    Site("tags.name", rfc.text, _oa_tag_name, formats=OA),
    Site("tags.description", rfc.text, _oa_tag_description, formats=OA),
    Site("operation.operationId", rfc.text, _oa_operation_field("operationId"), formats=OA),
    Site("operation.summary", rfc.text, _oa_operation_field("summary"), formats=OA),
    Site("operation.description", rfc.text, _oa_operation_field("description"), formats=OA),
    Site("paths.<key>", rfc.openapi_path(), _oa_path_key, lambda p: "/k/" + p, wire=True, formats=OA),
    Site("parameter(path).name", rfc.template_name, _oa_path_parameter_name, wire=True, formats=OA),
    Site("parameter(query).name", rfc.any_name, _oa_parameter_name("query"), wire=True, formats=OA),
    Site("parameter(header).name", rfc.token, _oa_parameter_name("header"), wire=True, formats=OA),
    Site("parameter(cookie).name", rfc.unused_token, _oa_parameter_name("cookie"), formats=OA),
    Site("parameter.description", rfc.text, _oa_parameter(_set_description), formats=OA),
    Site("parameter.schema.default", rfc.text, _oa_parameter(_set_param_default), formats=OA, values=True),
    Site("parameter.schema.enum", rfc.any_value, _oa_parameter(_set_param_enum), wire=True, formats=OA, values=True),
    Site("parameter.example", rfc.text, _oa_parameter(_set_param_example), formats=OA, values=True),
    Site(
        "requestBody.content.<type>",
        rfc.media_type,
        _oa_request_content_type,
        _after("application/"),
        wire=True,
        formats=OA,
    ),
    Site(
        "requestBody.content.<type;p=quoted>",
        rfc.media_type,
        _oa_request_content_type,
        _quoted_parameter("application/octet-stream"),
        wire=True,
        formats=OA,
    ),
    Site(
        "responses.content.<type>",
        rfc.media_type,
        _oa_response_content_type,
        _after("application/"),
        wire=True,
        formats=OA,
    ),
    Site(
        "responses.content.<type;p=quoted>",
        rfc.media_type,
        _oa_response_content_type,
        _quoted_parameter("application/json"),
        wire=True,
        formats=OA,
    ),
    Site("requestBody.description", rfc.text, _oa_request_description, formats=OA),
    Site("responses.description", rfc.text, _oa_response_description, formats=OA),
    Site("responses.headers.<name>", rfc.unused_token, _oa_response_header, formats=OA),
    Site("schemas.<name>", rfc.text, _oa_schema_name, formats=OA),
    Site("schema.title", rfc.text, _oa_schema_field("title"), formats=OA),
    Site("schema.description", rfc.text, _oa_schema_field("description"), formats=OA),
    Site("schema.example(s)", rfc.text, _oa_schema_example, formats=OA, values=True),
    Site("schema.enum", rfc.any_value, _oa_schema_enum, wire=True, formats=OA, values=True),
    Site("schema.properties.<name>", rfc.json_name, _oa_property_name, wire=True, json_key=True, formats=OA),
    Site("property.description", rfc.text, _oa_property(_prop_description), formats=OA),
    Site("property.default", rfc.text, _oa_property(_prop_default), formats=OA, values=True),
    Site("property.enum", rfc.any_value, _oa_property(_prop_enum, "models"), wire=True, formats=OA, values=True),
    Site("property.const", rfc.any_value, _oa_property(_prop_const, "models"), wire=True, formats=OA, values=True),
    Site("property.pattern", rfc.regex, _oa_property(_prop_pattern), formats=OA),
    Site("property.format", rfc.text, _oa_property(_prop_format), formats=OA),
    Site("property.example", rfc.text, _oa_property(_prop_example), formats=OA, values=True),
    Site("mediaType.example", rfc.text, _oa_media_example, formats=OA, values=True),
    Site("discriminator.propertyName", rfc.json_name, _oa_discriminator_property, wire=True, json_key=True, formats=OA),
    Site("discriminator tag value", rfc.any_value, _oa_discriminator_value, wire=True, formats=OA),
    Site("securitySchemes.<key>", rfc.text, _oa_scheme_key, formats=OA),
    Site("securityScheme(apiKey header).name", rfc.token, _oa_api_key("header"), wire=True, formats=OA),
    Site("securityScheme(apiKey query).name", rfc.any_name, _oa_api_key("query"), wire=True, formats=OA),
    Site("securityScheme(apiKey cookie).name", rfc.token, _oa_api_key("cookie"), wire=True, formats=OA),
    Site("securityScheme.description", rfc.text, _oa_scheme_description, formats=OA),
    Site("multipart property (field) name", rfc.any_name, _oa_multipart(False), wire=True, formats=OA),
    Site("multipart property (file) name", rfc.any_name, _oa_multipart(True), wire=True, formats=OA),
)


# --- AsyncAPI ---------------------------------------------------------------------------------------------


@dataclass
class Carrier:
    """The parts of one case's channel, with their pointers."""

    channel: dict[str, Any]
    channel_pointer: str
    message: dict[str, Any]
    message_pointer: str
    schema: dict[str, Any]
    schema_pointer: str
    operation: dict[str, Any]
    operation_pointer: str
    module: str | None  # the generated module of the channel


@dataclass
class AsyncApiBuilder:
    version: str
    name: str
    kind: str = "realtime"
    doc: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.v3 = self.version.startswith("3.")
        self.doc = {
            "asyncapi": self.version,
            "info": {"title": "Fuzz Realtime API", "version": "1.0.0", "description": "The fuzz test's channels."},
            "servers": {"base": self.server_object(CLOSED_HOST, "")},
            "channels": {},
            "components": {"schemas": {}, "messages": {}, "securitySchemes": {}},
        }
        if self.v3:
            self.doc["operations"] = {}
        # Cases of message-level sites share the channel "base"; "aux" makes two channels at least, so every
        # channel has a module named after it.
        self.misc_carrier: Carrier | None = None
        self.base = self.carrier("base")
        if not self.v3:
            self.base.operation["message"] = {"oneOf": [self.base.operation["message"]]}
        self.carrier("aux")

    def server_object(self, host: str, pathname: str) -> dict[str, Any]:
        if self.v3:
            server: dict[str, Any] = {"host": host, "protocol": "ws"}
            if pathname:
                server["pathname"] = pathname
            return server
        return {"url": f"ws://{host}{pathname}", "protocol": "ws"}

    @property
    def schemas(self) -> dict[str, Any]:
        return self.doc["components"]["schemas"]  # type: ignore[no-any-return]

    def carrier(
        self,
        cid: str,
        *,
        channel_key: str | None = None,
        address: str | None = None,
        message_key: str | None = None,
        schema_name: str | None = None,
        operation_key: str | None = None,
        server: str | None = None,
    ) -> Carrier:
        """A channel ``/<cid>`` whose client sends one message ``S_<cid>`` (payload schema ``S_<cid>``)."""
        schema_name = schema_name if schema_name is not None else f"S_{cid}"
        schema: dict[str, Any] = {"type": "object", "properties": {"text": {"type": "string"}}}
        self.schemas[schema_name] = schema
        message: dict[str, Any] = {"name": f"S_{cid}", "payload": {"$ref": ref("components", "schemas", schema_name)}}
        address = address if address is not None else f"/{cid}"
        if self.v3:
            key = channel_key if channel_key is not None else f"ch_{cid}"
            mkey = message_key if message_key is not None else f"s_{cid}"
            channel: dict[str, Any] = {"address": address, "messages": {mkey: message}}
            if server is not None:
                channel["servers"] = [{"$ref": ref("servers", server)}]
            okey = operation_key if operation_key is not None else f"send_{cid}"
            operation = {
                "action": "send",
                "channel": {"$ref": ref("channels", key)},
                "messages": [{"$ref": ref("channels", key, "messages", mkey)}],
            }
            self.doc["channels"][key] = channel
            self.doc["operations"][okey] = operation
            module = f"ch_{cid}.py" if channel_key is None else None
            return Carrier(
                channel,
                jp("channels", key),
                message,
                jp("channels", key, "messages", mkey),
                schema,
                jp("components", "schemas", schema_name),
                operation,
                jp("operations", okey),
                module,
            )
        mkey = message_key if message_key is not None else f"S_{cid}"
        self.doc["components"]["messages"][mkey] = message
        operation = {"operationId": f"send_{cid}", "message": {"$ref": ref("components", "messages", mkey)}}
        channel = {"publish": operation}
        if server is not None:
            channel["servers"] = [server]
        self.doc["channels"][address] = channel
        return Carrier(
            channel,
            jp("channels", address),
            message,
            jp("components", "messages", mkey),
            schema,
            jp("components", "schemas", schema_name),
            operation,
            jp("channels", address, "publish"),
            f"{cid}.py" if address == f"/{cid}" else None,
        )

    def misc(self) -> Carrier:
        """The channel "misc" (module ``ch_misc.py`` / ``misc.py``) shared by the cases of channel-level sites
        that only add a field or a ``bindings.ws`` property: fewer channels make the documents cheaper."""
        if self.misc_carrier is None:
            self.misc_carrier = self.carrier("misc")
        return self.misc_carrier

    def shared(
        self,
        cid: str,
        *,
        message_key: str | None = None,
        schema_name: str | None = None,
        operation_key: str | None = None,
    ) -> Carrier:
        """A message ``S_<cid>`` the client sends on the shared channel "base" (module ``base.py``)."""
        schema_name = schema_name if schema_name is not None else f"S_{cid}"
        schema: dict[str, Any] = {"type": "object", "properties": {"text": {"type": "string"}}}
        self.schemas[schema_name] = schema
        message: dict[str, Any] = {"name": f"S_{cid}", "payload": {"$ref": ref("components", "schemas", schema_name)}}
        if self.v3:
            mkey = message_key if message_key is not None else f"s_{cid}"
            self.base.channel["messages"][mkey] = message
            okey = operation_key if operation_key is not None else f"send_{cid}"
            operation: dict[str, Any] = {
                "action": "send",
                "channel": {"$ref": ref("channels", "ch_base")},
                "messages": [{"$ref": ref("channels", "ch_base", "messages", mkey)}],
            }
            self.doc["operations"][okey] = operation
            message_pointer = jp("channels", "ch_base", "messages", mkey)
            operation_pointer = jp("operations", okey)
        else:
            mkey = message_key if message_key is not None else f"S_{cid}"
            self.doc["components"]["messages"][mkey] = message
            operation = self.base.operation
            operation["message"]["oneOf"].append({"$ref": ref("components", "messages", mkey)})
            message_pointer = jp("components", "messages", mkey)
            operation_pointer = self.base.operation_pointer
        return Carrier(
            self.base.channel,
            self.base.channel_pointer,
            message,
            message_pointer,
            schema,
            jp("components", "schemas", schema_name),
            operation,
            operation_pointer,
            self.base.module,
        )

    def receives(self, cid: str, carrier: Carrier, prop: str, values: tuple[str, str]) -> tuple[str, str]:
        """Two server messages tagged ``prop`` = each value; the pointers of their schemas."""
        pointers = []
        messages = []
        for suffix, value in zip(("A", "B"), values, strict=True):
            name = f"{suffix}_{cid}"
            self.schemas[name] = {
                "type": "object",
                "required": [prop],
                "properties": {prop: {"type": "string", "const": value}, "n": {"type": "integer"}},
            }
            pointers.append(jp("components", "schemas", name))
            messages.append((name, {"name": name, "payload": {"$ref": ref("components", "schemas", name)}}))
        if self.v3:
            channel_key = carrier.channel_pointer.split("/")[-1]
            refs = []
            for name, message in messages:
                carrier.channel["messages"][name] = message
                refs.append({"$ref": ref("channels", channel_key, "messages", name)})
            self.doc["operations"][f"recv_{cid}"] = {
                "action": "receive",
                "channel": {"$ref": ref("channels", channel_key)},
                "messages": refs,
            }
        else:
            for name, message in messages:
                self.doc["components"]["messages"][name] = message
            carrier.channel["subscribe"] = {
                "operationId": f"recv_{cid}",
                "message": {"oneOf": [{"$ref": ref("components", "messages", n)} for n, _ in messages]},
            }
        return pointers[0], pointers[1]

    def case_server(self, cid: str, key: str | None = None, **fields: Any) -> tuple[dict[str, Any], str, str]:
        key = key if key is not None else f"srv_{cid}"
        server = self.server_object(fields.pop("host", CLOSED_HOST), fields.pop("pathname", ""))
        server.update(fields)
        self.doc["servers"][key] = server
        return server, jp("servers", key), key

    def secure(self, server: dict[str, Any], key: str, scheme: dict[str, Any]) -> str:
        self.doc["components"]["securitySchemes"][key] = scheme
        if self.v3:
            server["security"] = [{"$ref": ref("components", "securitySchemes", key)}]
        else:
            server["security"] = [{key: []}]
        return jp("components", "securitySchemes", key)

    def text(self) -> tuple[str, str]:
        return dump(self.doc, self.name)


def _aa_info(key: str) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, _cid: str, value: str) -> Placement:
        b.doc["info"][key] = value
        return Placement(jp("info", key), value, ("/info",))

    return place


def _aa_default_content_type(b: AsyncApiBuilder, _cid: str, value: str) -> Placement:
    b.doc["defaultContentType"] = value
    return Placement("/defaultContentType", value)


def _aa_server_key(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    _, pointer, key = b.case_server(cid, value)
    carrier = b.carrier(cid, server=key)
    return Placement(pointer, value, (carrier.channel_pointer + "/servers/0",))


def _aa_server_host(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    if b.v3:
        _, pointer, key = b.case_server(cid, host=value)
        b.carrier(cid, server=key)
        return Placement(pointer + "/host", value, (pointer,))
    server, pointer, key = b.case_server(cid)
    server["url"] = value
    b.carrier(cid, server=key)
    return Placement(pointer + "/url", value, (pointer,))


def _aa_server_path(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    server, pointer, key = b.case_server(cid)
    if b.v3:
        server["pathname"] = "/" + value
        below = "/pathname"
    else:
        server["url"] = f"ws://{CLOSED_HOST}/{value}"
        below = "/url"
    b.carrier(cid, server=key)
    return Placement(pointer + below, server["pathname" if b.v3 else "url"], (pointer,))


def _aa_server_field(key: str) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        server, pointer, skey = b.case_server(cid)
        server[key] = value
        b.carrier(cid, server=skey)
        return Placement(f"{pointer}/{key}", value, (pointer,))

    return place


def _aa_server_variable(
    name: str | None, variable: Callable[[str], dict[str, Any]], below: str
) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    """A server variable (named ``name``, else the payload) in the server's path; ``below`` is the field's pointer."""

    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        var = name if name is not None else value
        server, pointer, key = b.case_server(cid)
        if b.v3:
            server["pathname"] = "/{" + var + "}"
            path_pointer = pointer + "/pathname"
        else:
            server["url"] = f"ws://{CLOSED_HOST}/{{{var}}}"
            path_pointer = pointer + "/url"
        server["variables"] = {var: variable(value)}
        carrier = b.carrier(cid, server=key)
        var_pointer = pointer + jp("variables", var)
        return Placement(var_pointer + below, value, (var_pointer, path_pointer), carrier.module)

    return place


def _aa_security(
    scheme: Callable[[str], dict[str, Any]], below: str, key: str | None = None
) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        server, _, skey = b.case_server(cid)
        scheme_key = value if key == "<payload>" else f"K_{cid}"
        pointer = b.secure(server, scheme_key, scheme(value))
        carrier = b.carrier(cid, server=skey)
        return Placement(pointer + below, value, (pointer,), carrier.module)

    return place


def _aa_channel_key(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.carrier(cid, channel_key=value)
    return Placement(carrier.channel_pointer, value)


def _aa_address(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.carrier(cid, address=value)
    pointer = carrier.channel_pointer + "/address" if b.v3 else carrier.channel_pointer
    return Placement(pointer, value, (carrier.channel_pointer,), carrier.module)


def _aa_channel_field(key: str) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        carrier = b.misc()
        carrier.channel[key] = value
        return Placement(f"{carrier.channel_pointer}/{key}", value, (carrier.channel_pointer,))

    return place


def _aa_channel_parameter(
    name: str | None, edit: Callable[[dict[str, Any], str, bool], str]
) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    """A channel parameter (named ``name``, else the payload); ``edit`` fills it and returns the pointer below it."""

    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        param = name if name is not None else value
        carrier = b.carrier(cid, address=f"/{cid}/{{{param}}}")
        obj: dict[str, Any] = {} if b.v3 else {"schema": {"type": "string"}}
        below = edit(obj, value, b.v3)
        carrier.channel["parameters"] = {param: obj}
        param_pointer = carrier.channel_pointer + jp("parameters", param)
        address_pointer = carrier.channel_pointer + "/address" if b.v3 else carrier.channel_pointer
        module = f"ch_{cid}.py" if b.v3 else None
        return Placement(param_pointer + below, value, (param_pointer, address_pointer), module)

    return place


def _param_nothing(obj: dict[str, Any], _value: str, _v3: bool) -> str:
    obj["description"] = "A fuzz parameter."
    return ""


def _param_description(obj: dict[str, Any], value: str, _v3: bool) -> str:
    obj["description"] = value
    return "/description"


def _param_default(obj: dict[str, Any], value: str, v3: bool) -> str:
    if v3:
        obj["default"] = value
        return "/default"
    obj["schema"]["default"] = value
    return "/schema/default"


def _param_enum(obj: dict[str, Any], value: str, v3: bool) -> str:
    if v3:
        obj["enum"] = [value]
        return "/enum/0"
    obj["schema"]["enum"] = [value]
    return "/schema/enum/0"


def _aa_ws_binding(
    part: str, name: str | None, schema: Callable[[str], dict[str, Any]], below: str
) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        prop = name.replace("<cid>", cid) if name is not None else value
        carrier = b.misc()
        ws = carrier.channel.setdefault("bindings", {"ws": {"bindingVersion": "0.1.0"}})["ws"]
        ws.setdefault(part, {"type": "object", "properties": {}})["properties"][prop] = schema(value)
        prop_pointer = carrier.channel_pointer + jp("bindings", "ws", part, "properties", prop)
        return Placement(prop_pointer + below, value, (prop_pointer,), carrier.module)

    return place


def _aa_message_key(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.shared(cid, message_key=value)
    return Placement(carrier.message_pointer, value)


def _aa_message_field(key: str) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        carrier = b.shared(cid)
        carrier.message[key] = value
        return Placement(f"{carrier.message_pointer}/{key}", value, (carrier.message_pointer,))

    return place


def _aa_message_example(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.shared(cid)
    carrier.message["examples"] = [{"payload": {"text": value}}]
    return Placement(carrier.message_pointer + "/examples/0/payload/text", value, (carrier.message_pointer,))


def _aa_payload_property_name(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.shared(cid)
    carrier.schema["properties"] = {value: {"type": "string"}}
    pointer = carrier.schema_pointer + "/properties"
    return Placement(pointer + jp(value), value, (pointer,), "models")


def _aa_payload_property(
    edit: Callable[[dict[str, Any], str, bool], str], scope: str | None = None
) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        carrier = b.shared(cid)
        prop: dict[str, Any] = {"type": "string"}
        carrier.schema["properties"]["text"] = prop
        below = edit(prop, value, True)
        pointer = carrier.schema_pointer + "/properties/text"
        return Placement(pointer + below, value, (pointer,), scope)

    return place


def _aa_schema_name(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.shared(cid, schema_name=value)
    return Placement(carrier.schema_pointer, value, (carrier.message_pointer + "/payload",))


def _aa_schema_field(key: str) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        carrier = b.shared(cid)
        carrier.schema[key] = value
        return Placement(f"{carrier.schema_pointer}/{key}", value, (carrier.schema_pointer,))

    return place


def _aa_tag_value(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.carrier(cid)
    first, _ = b.receives(cid, carrier, "type", (value, f"b_{cid}"))
    return Placement(first + "/properties/type/const", value, (first + "/properties/type",), carrier.module)


def _aa_tag_property(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.carrier(cid)
    first, _ = b.receives(cid, carrier, value, ("a", "b"))
    pointer = first + "/properties"
    return Placement(pointer + jp(value), value, (pointer, first), carrier.module)


def _aa_operation_key(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
    carrier = b.shared(cid, operation_key=value)
    return Placement(carrier.operation_pointer, value)


def _aa_operation_field(key: str) -> Callable[[AsyncApiBuilder, str, str], Placement]:
    def place(b: AsyncApiBuilder, cid: str, value: str) -> Placement:
        # 2.x has one publish operation per channel: an operation of its own needs a channel of its own
        carrier = b.shared(cid) if b.v3 else b.carrier(cid)
        carrier.operation[key] = value
        return Placement(f"{carrier.operation_pointer}/{key}", value, (carrier.operation_pointer,))

    return place


AA = ("asyncapi-2.6", "asyncapi-3.0")
AA3 = ("asyncapi-3.0",)
AA2 = ("asyncapi-2.6",)

ASYNCAPI_SITES: tuple[Site, ...] = (
    Site("info.title", rfc.text, _aa_info("title"), group="info.title", formats=AA),
    Site("info.version", rfc.text, _aa_info("version"), group="info.version", formats=AA),
    Site("info.description", rfc.text, _aa_info("description"), group="info.description", formats=AA),
    Site("defaultContentType", rfc.text, _aa_default_content_type, group="defaultContentType", formats=AA),
    Site("servers.<key>", rfc.text, _aa_server_key, formats=AA),
    Site("server.host / url", rfc.required_text, _aa_server_host, formats=AA),
    Site("server.pathname / url path", rfc.text, _aa_server_path, formats=AA),
    Site("server.description", rfc.text, _aa_server_field("description"), formats=AA),
    Site(
        "server.variables.<name>",
        rfc.template_name,
        _aa_server_variable(None, lambda _v: {"default": "x"}, ""),
        wire=True,
        formats=AA,
    ),
    Site(
        "server.variable.default",
        rfc.text,
        _aa_server_variable("ver", lambda v: {"default": v}, "/default"),
        formats=AA,
    ),
    Site(
        "server.variable.enum",
        rfc.any_value,
        _aa_server_variable("ver", lambda v: {"enum": [v]}, "/enum/0"),
        wire=True,
        formats=AA,
    ),
    Site(
        "server.variable.description",
        rfc.text,
        _aa_server_variable("ver", lambda v: {"default": "x", "description": v}, "/description"),
        formats=AA,
    ),
    Site(
        "securitySchemes.<key>",
        rfc.text,
        _aa_security(lambda _v: {"type": "httpApiKey", "in": "header", "name": "X-Key"}, "", key="<payload>"),
        formats=AA,
    ),
    Site(
        "securityScheme(httpApiKey header).name",
        rfc.token,
        _aa_security(lambda v: {"type": "httpApiKey", "in": "header", "name": v}, "/name"),
        wire=True,
        formats=AA,
    ),
    Site(
        "securityScheme(httpApiKey query).name",
        rfc.any_name,
        _aa_security(lambda v: {"type": "httpApiKey", "in": "query", "name": v}, "/name"),
        wire=True,
        formats=AA,
    ),
    Site(
        "securityScheme.description",
        rfc.text,
        _aa_security(lambda v: {"type": "http", "scheme": "bearer", "description": v}, "/description"),
        formats=AA,
    ),
    Site(
        "securityScheme.x-subprotocol-auth",
        rfc.subprotocol,
        _aa_security(
            lambda v: {"type": "httpApiKey", "in": "header", "name": "X-Unused", "x-subprotocol-auth": [v]},
            "/x-subprotocol-auth/0",
        ),
        lambda p: p + ".{apiKey}",
        wire=True,
        formats=AA,
    ),
    Site("channels.<key>", rfc.text, _aa_channel_key, formats=AA3),
    Site("channel address", rfc.address, _aa_address, lambda p: "/k/" + p, wire=True, formats=AA),
    Site("channel.title", rfc.text, _aa_channel_field("title"), formats=AA3),
    Site("channel.summary", rfc.text, _aa_channel_field("summary"), formats=AA3),
    Site("channel.description", rfc.text, _aa_channel_field("description"), formats=AA),
    Site(
        "channel.parameters.<name>",
        rfc.template_name,
        _aa_channel_parameter(None, _param_nothing),
        wire=True,
        formats=AA,
    ),
    Site("channel.parameter.description", rfc.text, _aa_channel_parameter("room", _param_description), formats=AA),
    Site("channel.parameter.default", rfc.text, _aa_channel_parameter("room", _param_default), formats=AA),
    Site(
        "channel.parameter.enum",
        rfc.any_value,
        _aa_channel_parameter("room", _param_enum),
        wire=True,
        formats=AA,
    ),
    Site(
        "bindings.ws.query.<name>",
        rfc.any_name,
        _aa_ws_binding("query", None, lambda _v: {"type": "string"}, ""),
        wire=True,
        formats=AA,
    ),
    Site(
        "bindings.ws.query property description",
        rfc.text,
        _aa_ws_binding("query", "q_<cid>", lambda v: {"type": "string", "description": v}, "/description"),
        formats=AA,
    ),
    Site(
        "bindings.ws.query property default",
        rfc.text,
        _aa_ws_binding("query", "q_<cid>", lambda v: {"type": "string", "default": v}, "/default"),
        formats=AA,
        values=True,
    ),
    Site(
        "bindings.ws.query property enum",
        rfc.any_value,
        _aa_ws_binding("query", "q_<cid>", lambda v: {"type": "string", "enum": [v]}, "/enum/0"),
        wire=True,
        formats=AA,
        values=True,
    ),
    Site(
        "bindings.ws.headers.<name>",
        rfc.token,
        _aa_ws_binding("headers", None, lambda _v: {"type": "string"}, ""),
        wire=True,
        formats=AA,
    ),
    Site("messages.<key>", rfc.text, _aa_message_key, formats=AA),
    Site("message.name", rfc.text, _aa_message_field("name"), formats=AA),
    Site("message.title", rfc.text, _aa_message_field("title"), formats=AA),
    Site("message.summary", rfc.text, _aa_message_field("summary"), formats=AA),
    Site("message.description", rfc.text, _aa_message_field("description"), formats=AA),
    Site("message.contentType", rfc.text, _aa_message_field("contentType"), formats=AA),
    Site("message.examples.payload", rfc.text, _aa_message_example, formats=AA, values=True),
    Site("payload.properties.<name>", rfc.json_name, _aa_payload_property_name, wire=True, json_key=True, formats=AA),
    Site("payload property description", rfc.text, _aa_payload_property(_prop_description), formats=AA),
    Site("payload property default", rfc.text, _aa_payload_property(_prop_default), formats=AA, values=True),
    Site(
        "payload property enum",
        rfc.any_value,
        _aa_payload_property(_prop_enum, "models"),
        wire=True,
        formats=AA,
        values=True,
    ),
    Site(
        "payload property const",
        rfc.any_value,
        _aa_payload_property(_prop_const, "models"),
        wire=True,
        formats=AA,
        values=True,
    ),
    Site("payload property pattern", rfc.regex, _aa_payload_property(_prop_pattern), formats=AA),
    Site("payload property examples", rfc.text, _aa_payload_property(_prop_example), formats=AA, values=True),
    Site("schemas.<name>", rfc.text, _aa_schema_name, formats=AA),
    Site("schema.title", rfc.text, _aa_schema_field("title"), formats=AA),
    Site("schema.description", rfc.text, _aa_schema_field("description"), formats=AA),
    Site("message tag value (const)", rfc.any_value, _aa_tag_value, wire=True, formats=AA),
    Site("message tag property", rfc.json_name, _aa_tag_property, wire=True, formats=AA),
    Site("operations.<key>", rfc.text, _aa_operation_key, formats=AA3),
    Site("operation.summary", rfc.text, _aa_operation_field("summary"), formats=AA),
    Site("operation.description", rfc.text, _aa_operation_field("description"), formats=AA),
    Site("operation.operationId", rfc.text, _aa_operation_field("operationId"), formats=AA2),
)


# --- Fern ---------------------------------------------------------------------------------------------------


@dataclass
class FernBuilder:
    name: str
    kind: str = "realtime"
    doc: dict[str, Any] = field(default_factory=dict)
    path: str = "/fuzz"
    path_placement: Placement | None = None
    path_parameters: list[str] = field(default_factory=list)
    scheme_key: str = "Key"
    scheme: dict[str, Any] = field(default_factory=lambda: {"header": "X-Key", "type": "string"})
    environment: tuple[str, str] = ("Local", f"ws://{CLOSED_HOST}/v1")

    def __post_init__(self) -> None:
        self.doc = {
            "channel": {
                "auth": True,
                "display-name": "Fuzz Live",
                "docs": "The fuzz test's channel.",
                "path-parameters": {},
                "query-parameters": {},
                "headers": {},
                "messages": {
                    "hello": {"origin": "client", "body": "Hello"},
                    "event": {"origin": "server", "body": "Event"},
                },
                "examples": [],
            },
            "types": {
                "Hello": {"properties": {"type": 'literal<"hello">', "text": "string"}},
                "Event": {"properties": {"type": 'literal<"event">', "n": "integer"}},
            },
        }

    @property
    def channel(self) -> dict[str, Any]:
        return self.doc["channel"]  # type: ignore[no-any-return]

    @property
    def types(self) -> dict[str, Any]:
        return self.doc["types"]  # type: ignore[no-any-return]

    def send(
        self, cid: str, *, message_id: str | None = None, type_name: str | None = None
    ) -> tuple[dict[str, Any], str]:
        """A client message ``s_<cid>`` with body type ``S_<cid>``; the message and its pointer."""
        message_id = message_id if message_id is not None else f"s_{cid}"
        type_name = type_name if type_name is not None else f"S_{cid}"
        self.types[type_name] = {"properties": {"text": "string"}}
        message = {"origin": "client", "body": type_name}
        self.channel["messages"][message_id] = message
        return message, jp("channel", "messages", message_id)

    def text(self) -> tuple[str, str]:
        path = self.path + "".join("/{" + p + "}" for p in self.path_parameters)
        self.channel["path"] = path
        if self.path_placement is not None:
            self.path_placement.value = path
        self.doc["auth"] = self.scheme_key
        self.doc["auth-schemes"] = {self.scheme_key: self.scheme}
        self.doc["environments"] = {self.environment[0]: self.environment[1]}
        # JSON is YAML: the Fern reader takes either (the file stem is the channel's key)
        return dump(self.doc, self.name, ".yml")


def _fern_channel_field(key: str) -> Callable[[FernBuilder, str, str], Placement]:
    def place(b: FernBuilder, _cid: str, value: str) -> Placement:
        b.channel[key] = value
        return Placement(jp("channel", key), value, ("/channel",))

    return place


def _fern_path(b: FernBuilder, _cid: str, value: str) -> Placement:
    b.path = value
    b.path_placement = Placement("/channel/path", value, ("/channel",), "_client.py")
    return b.path_placement


def _fern_auth_header(b: FernBuilder, _cid: str, value: str) -> Placement:
    b.scheme["header"] = value
    return Placement(
        jp("auth-schemes", b.scheme_key, "header"), value, (jp("auth-schemes", b.scheme_key),), "_client.py"
    )


def _fern_auth_key(b: FernBuilder, _cid: str, value: str) -> Placement:
    b.scheme_key = value
    return Placement(jp("auth-schemes", value), value, ("/auth", "/channel/auth"))


def _fern_auth_docs(b: FernBuilder, _cid: str, value: str) -> Placement:
    b.scheme["docs"] = value
    return Placement(jp("auth-schemes", b.scheme_key, "docs"), value, (jp("auth-schemes", b.scheme_key),))


def _fern_environment_name(b: FernBuilder, _cid: str, value: str) -> Placement:
    b.environment = (value, b.environment[1])
    return Placement(jp("environments", value), value, ("/environments",))


def _fern_environment_url(b: FernBuilder, _cid: str, value: str) -> Placement:
    b.environment = (b.environment[0], value)
    return Placement(jp("environments", b.environment[0]), value, ("/environments",))


def _fern_parameter(
    section: str, name: str | None, make: Callable[[str], Any], below: str, scope: str | None = None
) -> Callable[[FernBuilder, str, str], Placement]:
    def place(b: FernBuilder, cid: str, value: str) -> Placement:
        param = name.replace("<cid>", cid) if name is not None else value
        b.channel[section][param] = make(value)
        if section == "path-parameters":
            b.path_parameters.append(param)
        pointer = jp("channel", section, param)
        return Placement(pointer + below, value, (pointer, "/channel/path"), scope)

    return place


def _fern_message_id(b: FernBuilder, cid: str, value: str) -> Placement:
    _, pointer = b.send(cid, message_id=value)
    return Placement(pointer, value, ("/channel/messages",))


def _fern_message_field(key: str) -> Callable[[FernBuilder, str, str], Placement]:
    def place(b: FernBuilder, cid: str, value: str) -> Placement:
        message, pointer = b.send(cid)
        message[key] = value
        return Placement(f"{pointer}/{key}", value, (pointer,))

    return place


def _fern_type_name(b: FernBuilder, cid: str, value: str) -> Placement:
    _, pointer = b.send(cid, type_name=value)
    return Placement(jp("types", value), value, (pointer + "/body", pointer))


def _fern_type_docs(b: FernBuilder, cid: str, value: str) -> Placement:
    b.send(cid)
    b.types[f"S_{cid}"]["docs"] = value
    pointer = jp("types", f"S_{cid}")
    return Placement(pointer + "/docs", value, (pointer,))


def _fern_property_name(b: FernBuilder, cid: str, value: str) -> Placement:
    b.send(cid)
    b.types[f"S_{cid}"]["properties"] = {value: "string"}
    pointer = jp("types", f"S_{cid}", "properties")
    return Placement(pointer + jp(value), value, (pointer,), "models")


def _fern_property(make: Callable[[str], Any], below: str) -> Callable[[FernBuilder, str, str], Placement]:
    def place(b: FernBuilder, cid: str, value: str) -> Placement:
        b.send(cid)
        b.types[f"S_{cid}"]["properties"]["text"] = make(value)
        pointer = jp("types", f"S_{cid}", "properties", "text")
        return Placement(pointer + below, value, (pointer,))

    return place


def _fern_enum(member: Callable[[str], dict[str, str]], below: str, scope: str | None) -> Any:
    def place(b: FernBuilder, cid: str, value: str) -> Placement:
        b.send(cid)
        b.types[f"E_{cid}"] = {"enum": [member(value)]}
        b.types[f"S_{cid}"]["properties"]["e"] = f"E_{cid}"
        pointer = jp("types", f"E_{cid}", "enum", 0)
        return Placement(pointer + below, value, (pointer, jp("types", f"E_{cid}")), scope)

    return place


def _fern_literal(b: FernBuilder, cid: str, value: str) -> Placement:
    b.send(cid)
    b.types[f"S_{cid}"]["properties"]["kind"] = rfc.fern_literal_type(value)
    pointer = jp("types", f"S_{cid}", "properties", "kind")
    return Placement(pointer, value, (jp("types", f"S_{cid}", "properties"),), "models")


def _fern_union(b: FernBuilder, cid: str, discriminant: str, members: dict[str, Any]) -> str:
    b.types[f"A_{cid}"] = {"properties": {"x": "string"}}
    b.types[f"B_{cid}"] = {"properties": {"y": "string"}}
    b.types[f"U_{cid}"] = {"discriminant": discriminant, "union": members}
    b.channel["messages"][f"r_{cid}"] = {"origin": "server", "body": f"U_{cid}"}
    return jp("types", f"U_{cid}")


def _fern_discriminant(b: FernBuilder, cid: str, value: str) -> Placement:
    pointer = _fern_union(b, cid, value, {"a": f"A_{cid}", "b": f"B_{cid}"})
    return Placement(pointer + "/discriminant", value, (pointer,), "models")


def _fern_member_key(b: FernBuilder, cid: str, value: str) -> Placement:
    pointer = _fern_union(b, cid, "kind", {value: f"A_{cid}", f"b_{cid}": f"B_{cid}"})
    return Placement(pointer + jp("union", value), value, (pointer + "/union", pointer), "models")


def _fern_member_docs(b: FernBuilder, cid: str, value: str) -> Placement:
    pointer = _fern_union(b, cid, "kind", {"a": {"type": f"A_{cid}", "docs": value}, "b": f"B_{cid}"})
    return Placement(pointer + "/union/a/docs", value, (pointer + "/union/a",))


def _fern_example(b: FernBuilder, cid: str, value: str) -> Placement:
    b.send(cid)
    index = len(b.channel["examples"])
    b.channel["examples"].append({"messages": [{"type": f"s_{cid}", "body": {"text": value}}]})
    pointer = jp("channel", "examples", index, "messages", 0)
    return Placement(pointer + "/body/text", value, (pointer,))


FE = ("fern",)

FERN_SITES: tuple[Site, ...] = (
    Site("channel.display-name", rfc.text, _fern_channel_field("display-name"), group="display-name", formats=FE),
    Site("channel.docs", rfc.text, _fern_channel_field("docs"), group="docs", formats=FE),
    Site("channel.path", rfc.address, _fern_path, lambda p: "/fuzz/" + p, wire=True, group="path", formats=FE),
    Site("auth-schemes.<key>", rfc.text, _fern_auth_key, group="auth.key", formats=FE),
    Site("auth-scheme.header", rfc.token, _fern_auth_header, wire=True, group="auth.header", formats=FE),
    Site("auth-scheme.docs", rfc.text, _fern_auth_docs, group="auth.docs", formats=FE),
    Site("environments.<name>", rfc.text, _fern_environment_name, group="env.name", formats=FE),
    Site(
        "environment url",
        rfc.text,
        _fern_environment_url,
        _after(f"ws://{CLOSED_HOST}/"),
        group="env.url",
        formats=FE,
    ),
    Site(
        "query-parameters.<name>",
        rfc.any_name,
        _fern_parameter("query-parameters", None, lambda _v: "optional<string>", "", "_client.py"),
        wire=True,
        formats=FE,
    ),
    Site(
        "query-parameter.docs",
        rfc.text,
        _fern_parameter("query-parameters", "q_<cid>", lambda v: {"type": "optional<string>", "docs": v}, "/docs"),
        formats=FE,
    ),
    Site(
        "query-parameter.default",
        rfc.text,
        _fern_parameter(
            "query-parameters", "q_<cid>", lambda v: {"type": "optional<string>", "default": v}, "/default"
        ),
        formats=FE,
    ),
    Site(
        "headers.<name>",
        rfc.token,
        _fern_parameter("headers", None, lambda _v: "optional<string>", "", "_client.py"),
        wire=True,
        formats=FE,
    ),
    Site(
        "header.docs",
        rfc.text,
        _fern_parameter("headers", "X-H-<cid>", lambda v: {"type": "optional<string>", "docs": v}, "/docs"),
        formats=FE,
    ),
    Site(
        "path-parameters.<name>",
        rfc.template_name,
        _fern_parameter("path-parameters", None, lambda _v: "string", "", "_client.py"),
        wire=True,
        formats=FE,
    ),
    Site(
        "path-parameter.docs",
        rfc.text,
        _fern_parameter("path-parameters", "p_<cid>", lambda v: {"type": "string", "docs": v}, "/docs"),
        formats=FE,
    ),
    Site("messages.<id>", rfc.text, _fern_message_id, formats=FE),
    Site("message.docs", rfc.text, _fern_message_field("docs"), formats=FE),
    Site("message.display-name", rfc.text, _fern_message_field("display-name"), formats=FE),
    Site("message.method-name", rfc.text, _fern_message_field("method-name"), formats=FE),
    Site("types.<name>", rfc.fern_identifier, _fern_type_name, formats=FE),
    Site("type.docs", rfc.text, _fern_type_docs, formats=FE),
    Site("properties.<name>", rfc.json_name, _fern_property_name, wire=True, json_key=True, formats=FE),
    Site("property.docs", rfc.text, _fern_property(lambda v: {"type": "string", "docs": v}, "/docs"), formats=FE),
    Site(
        "property.default",
        rfc.text,
        _fern_property(lambda v: {"type": "optional<string>", "default": v}, "/default"),
        formats=FE,
    ),
    Site(
        "property.validation.pattern",
        rfc.regex,
        _fern_property(lambda v: {"type": "string", "validation": {"pattern": v}}, "/validation/pattern"),
        formats=FE,
    ),
    Site(
        "enum value",
        rfc.any_value,
        _fern_enum(lambda v: {"value": v, "name": "Member"}, "/value", "models"),
        wire=True,
        formats=FE,
    ),
    Site("enum value name", rfc.text, _fern_enum(lambda v: {"value": "x", "name": v}, "/name", None), formats=FE),
    Site("literal<...> value", rfc.fern_literal, _fern_literal, wire=True, formats=FE),
    Site("union.discriminant", rfc.json_name, _fern_discriminant, wire=True, json_key=True, formats=FE),
    Site("union member key", rfc.any_value, _fern_member_key, wire=True, formats=FE),
    Site("union member docs", rfc.text, _fern_member_docs, formats=FE),
    Site("channel.examples body", rfc.text, _fern_example, formats=FE, values=True),
)

ALL_SITES: tuple[Site, ...] = OPENAPI_SITES + ASYNCAPI_SITES + FERN_SITES


def sites_for(fmt: str) -> tuple[Site, ...]:
    return tuple(s for s in ALL_SITES if fmt in s.formats)


def new_builder(fmt: str, name: str) -> Any:
    if fmt == "openapi-3.0":
        return OpenApiBuilder("3.0.3", name)
    if fmt == "openapi-3.1":
        return OpenApiBuilder("3.1.0", name)
    if fmt == "asyncapi-2.6":
        return AsyncApiBuilder("2.6.0", name)
    if fmt == "asyncapi-3.0":
        return AsyncApiBuilder("3.0.0", name)
    if fmt == "fern":
        return FernBuilder(name)
    raise ValueError(fmt)
