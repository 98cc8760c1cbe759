"""OpenAPI document (typed by openapi-pydantic) + generated models -> the HTTP client IR."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

from openapi_pydantic.v3 import v3_0, v3_1

from ..errors import SpecError
from ..loader import Document
from ..models import ModelClass, ModelField, ModelsOutput
from ..naming import (
    client_class_name,
    env_var_prefix,
    identifier,
    module_name,
    parameter_name,
    pascal_case,
    snake_case,
    unique,
    unique_class_name,
)
from ..pytext import Code, Identifier, TypeExpr
from .ir import AuthScheme, BodyField, ClientIR, Method, Param, RequestBody, Resource, Response
from .lift import deref, iter_operations
from .media import media_kind

AnySchema = Any  # v3_0.Schema | v3_1.Schema | Reference: the two versions share these field names

_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
# Attributes every generated client already has; a tag may not shadow them.
CLIENT_ATTRIBUTES = frozenset({"close", "aclose", "base_url", "with_options"})
# Module-level names of the generated ``_client.py`` (its imports and helpers): no class may take one.
CLIENT_MODULE_NAMES = frozenset(
    {
        "SyncAPIClient",
        "AsyncAPIClient",
        "Credential",
        "Timeout",
        "RequestOptions",
        "NotGiven",
        "Headers",
        "Query",
        "Body",
        "Stream",
        "AsyncStream",
        "BinaryStream",
        "AsyncBinaryStream",
        "JSONLStream",
        "AsyncJSONLStream",
        "FileTypes",
        "Mapping",
        "Sequence",
        "TracebackType",
        "NoneType",
        "Any",
        "Literal",
        "Self",
        "TYPE_CHECKING",
        "cached_property",
        "httpx",
        "os",
        "warnings",
    }
)


@dataclass(frozen=True)
class SecuritySchemeOption:
    """``--security-scheme Type:Location:Name`` (AutoSDK's syntax), e.g. ``ApiKey:Header:xi-api-key``."""

    kind: Literal["bearer", "basic", "header", "query", "cookie"]
    wire_name: str

    @classmethod
    def parse(cls, text: str) -> SecuritySchemeOption:
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError("expected Type:Location:Name, e.g. ApiKey:Header:xi-api-key or Http:Header:Bearer")
        kind, location, name = (p.strip() for p in parts)
        if kind.lower() == "http":
            if name.lower() in ("bearer", "basic"):
                return cls(cast(Literal["bearer", "basic"], name.lower()), "Authorization")
            raise ValueError(f"an Http scheme's name is Bearer or Basic, not {name!r}")
        if kind.lower() in ("apikey", "api_key"):
            loc = location.lower()
            if loc not in ("header", "query", "cookie") or not name:
                raise ValueError("an ApiKey scheme's location is Header, Query or Cookie, with a name")
            return cls(cast(Literal["header", "query", "cookie"], loc), name)
        raise ValueError(f"unknown scheme type {kind!r}: use ApiKey or Http")


@dataclass(frozen=True)
class ClientOptions:
    package: Identifier
    client_class_name: str | None = None
    base_url: str | None = None
    security_schemes: tuple[SecuritySchemeOption, ...] = ()
    auth_env_vars: tuple[str, ...] = ()
    exclude_deprecated: bool = False


@dataclass
class _Context:
    doc: Document
    spec: dict[str, Any]
    models: ModelsOutput


def validate_structure(doc: Document, spec: dict[str, Any]) -> v3_0.OpenAPI | v3_1.OpenAPI:
    """openapi-pydantic's model of ``spec``; every structural problem is reported at once, in ``doc``."""
    from .validate import typed_openapi

    return typed_openapi(doc, spec)


def build_client_ir(doc: Document, spec: dict[str, Any], models: ModelsOutput, options: ClientOptions) -> ClientIR:
    api = validate_structure(doc, spec)
    ctx = _Context(doc, spec, models)
    title = api.info.title or "API"
    # Names the generated ``_client`` module imports (runtime classes, typing, httpx) cannot be taken.
    client_class = _client_class_option(options.client_class_name) or client_class_name(title)
    base, n = client_class, 2
    while client_class in CLIENT_MODULE_NAMES or "Async" + client_class in CLIENT_MODULE_NAMES:
        client_class, n = identifier(f"{base}{n}"), n + 1
    prefix = env_var_prefix(title)
    auth = _auth_schemes(api, options, prefix)
    default_security = _security(api.security)
    if not default_security and options.security_schemes:
        default_security = tuple((a.scheme,) for a in auth if a.scheme.startswith("Cli"))

    groups: dict[str | None, list[tuple[str, Any, str, Any]]] = {}
    group_desc: dict[str, str | None] = {t.name: t.description for t in (api.tags or [])}
    display_tag: dict[str, str] = {}
    for op_ref in iter_operations(spec):
        item = (api.paths or {})[op_ref.path]
        op = getattr(item, op_ref.method)
        if op is None:
            continue
        if options.exclude_deprecated and op.deprecated:
            continue
        # Tags that differ only in case or punctuation ("dubbing", "Dubbing") share one resource.
        tag: str | None = op.tags[0] if op.tags else None
        if tag is not None:
            tag = display_tag.setdefault(snake_case(tag), tag)
        groups.setdefault(tag, []).append((op_ref.path, op_ref.method, op, item))

    taken_attrs = set(CLIENT_ATTRIBUTES)
    taken_modules: set[str] = {"__init__"}
    async_client_class = identifier("Async" + client_class)
    taken_classes: set[str] = {client_class, async_client_class, *models.classes}
    resources: list[Resource] = []
    root_methods: list[Method] = []
    for tag in sorted(groups, key=lambda t: (t is None, t or "")):
        methods: list[Method] = []
        taken_methods: set[str] = set(CLIENT_ATTRIBUTES) if tag is None else set()
        if tag is None:
            taken_methods |= taken_attrs
        for path, method, op, item in groups[tag]:
            methods.extend(_methods_for(ctx, path, method, op, item, taken_methods))
        if tag is None:
            root_methods = methods
            continue
        attr = unique(snake_case(tag), taken_attrs)
        # The class must not shadow a model of the same name (ElevenLabs has a ``DubbingResource`` schema).
        base_cls = pascal_case(tag).removesuffix("Resource")
        cls = identifier(base_cls + "Resource")
        if cls in taken_classes:
            cls = identifier(base_cls + "Operations")
        cls = unique_class_name(cls, taken_classes)
        module = unique(module_name(attr), taken_modules)
        resources.append(
            Resource(
                attr=attr,
                class_name=cls,
                async_class_name=unique_class_name(identifier("Async" + cls), taken_classes),
                module=module,
                methods=tuple(methods),
                description=group_desc.get(tag),
                imports=_imports_for(ctx, methods),
            )
        )
    root = Resource(
        identifier("_client"),
        client_class,
        async_client_class,
        identifier("_client"),
        tuple(root_methods),
        imports=_imports_for(ctx, root_methods),
    )
    return ClientIR(
        package=options.package,
        title=title,
        version=api.info.version,
        description=api.info.description,
        source_name=doc.path.name,
        client_class=client_class,
        async_client_class=async_client_class,
        base_url=options.base_url or _server_url(api),
        base_url_env=f"{prefix}_BASE_URL",
        auth=auth,
        default_security=default_security,
        resources=tuple(resources),
        root=root,
    )


def _client_class_option(name: str | None) -> Identifier | None:
    if name is None:
        return None
    try:
        return identifier(name)
    except ValueError:
        raise SpecError(
            f"invalid --client-class-name {name!r}: it is not a Python class name",
            hint="use letters, digits and underscores, starting with a letter, e.g. AcmeClient",
        ) from None


# --- auth and servers ---------------------------------------------------------------------------


def _security(requirements: Sequence[Mapping[str, Any]] | None) -> tuple[tuple[str, ...], ...]:
    if not requirements:
        return ()
    return tuple(tuple(sorted(r)) for r in requirements)


def _auth_schemes(api: Any, options: ClientOptions, prefix: str) -> tuple[AuthScheme, ...]:
    found: list[tuple[str, str, str, str | None]] = []  # scheme, kind, wire name, description
    schemes = (api.components.securitySchemes if api.components else None) or {}
    for name, scheme in schemes.items():
        kind = getattr(scheme, "type", None)
        kind_value = getattr(kind, "value", kind)
        if kind_value == "http":
            http = (scheme.scheme or "").lower()
            if http in ("bearer", "basic"):
                found.append((name, http, "Authorization", scheme.description))
        elif kind_value == "apiKey":
            loc = getattr(scheme.security_scheme_in, "value", scheme.security_scheme_in)
            if loc in ("header", "query", "cookie") and scheme.name:
                found.append((name, str(loc), scheme.name, scheme.description))
        elif kind_value in ("oauth2", "openIdConnect"):
            # The caller obtains the token; the client sends it as a bearer token.
            found.append((name, "bearer", "Authorization", scheme.description))
    for index, option in enumerate(options.security_schemes):
        found.append((f"Cli{pascal_case(option.kind)}{index or ''}", option.kind, option.wire_name, None))

    taken: set[str] = {"base_url", "timeout", "max_retries", "default_headers", "default_query", "http_client"}
    result: list[AuthScheme] = []
    for index, (scheme, kind, wire, desc) in enumerate(found):
        param = identifier("api_key")
        if len(found) > 1:
            words = str(snake_case(scheme.removeprefix("Cli")))
            for suffix in ("_auth", "_security", "_scheme"):
                words = words.removesuffix(suffix)
            param = parameter_name(words) if words else param
        param = unique(param, taken)
        env = options.auth_env_vars[index] if index < len(options.auth_env_vars) else f"{prefix}_{param.upper()}"
        result.append(AuthScheme(scheme, cast(Any, kind), wire, param, env, desc))
    return tuple(result)


def _server_url(api: Any) -> str | None:
    for server in api.servers or []:
        url = server.url
        for name, var in (server.variables or {}).items():
            url = url.replace("{" + name + "}", str(var.default))
        if url and url != "/":
            return str(url).rstrip("/")
    return None


# --- operations ---------------------------------------------------------------------------------


def _methods_for(ctx: _Context, path: str, http_method: str, op: Any, item: Any, taken: set[str]) -> list[Method]:
    op_name = op.operationId if op.operationId and op.operationId.strip() else f"{http_method} {path}"
    name = unique(snake_case(op_name), taken)
    params = _params(ctx, [*(item.parameters or []), *(op.parameters or [])])
    taken_args: set[str] = {p.name for p in params}
    body = _request_body(ctx, op.requestBody, taken_args)
    responses = _responses(ctx, op.responses or {}, json_stream=_fern_json_stream(op))
    security = None if op.security is None else _security(op.security)
    doc = _docstring(op, params, body)
    stream_field = _stream_field(body)
    responses_sse = next((r for r in responses if r.kind == "sse"), None)
    primary = responses[0]
    # A body ``stream`` flag belongs to the streaming variant only (OpenAI's chat completions).
    main_body = _without_field(body, stream_field) if responses_sse is not None else body
    base = Method(
        name=name,
        http_method=http_method.upper(),
        path=path,
        params=params,
        body=main_body,
        response=primary,
        security=security,
        docstring=doc,
        deprecated=bool(op.deprecated),
        accept=primary.content_type,
    )
    if primary.kind == "sse":
        # Only an event stream is offered: the method streams, and asks for it if the body can.
        return [replace(base, accept="text/event-stream", set_stream_flag=stream_field)]
    methods = [base]
    if primary.kind == "bytes":
        streamed = Response("binary_stream", TypeExpr.name("BinaryStream"), Code(""), content_type=primary.content_type)
        methods.append(replace(base, name=unique(identifier(name + "_as_stream"), taken), response=streamed))
    if responses_sse is not None:
        suffix = "_as_event_stream" if primary.kind == "bytes" else "_as_stream"
        methods.append(
            replace(
                base,
                name=unique(identifier(name + suffix), taken),
                response=responses_sse,
                accept="text/event-stream",
                set_stream_flag=stream_field,
            )
        )
    return methods


def _stream_field(body: RequestBody | None) -> str | None:
    if body is None or body.kind != "json":
        return None
    for f in body.fields:
        if f.field_name == "stream" and f.annotation.code in ("bool", "bool | None"):
            return f.name
    return None


def _without_field(body: RequestBody | None, name: str | None) -> RequestBody | None:
    if body is None or name is None:
        return body
    return RequestBody(
        kind=body.kind,
        content_type=body.content_type,
        required=body.required,
        model=body.model,
        fields=tuple(f for f in body.fields if f.name != name),
        whole_name=body.whole_name,
        whole_annotation=body.whole_annotation,
        whole_wraps_root=body.whole_wraps_root,
    )


def _resolve(ctx: _Context, obj: Any, model: type[Any]) -> Any:
    if isinstance(obj, (v3_0.Reference, v3_1.Reference)):
        return model.model_validate(deref(ctx.spec, {"$ref": obj.ref}))
    return obj


def _params(ctx: _Context, raw: Iterable[Any]) -> tuple[Param, ...]:
    module = v3_1 if ctx.doc.version.startswith("3.1") else v3_0
    by_key: dict[tuple[str, str], Any] = {}
    for p in raw:
        p = _resolve(ctx, p, module.Parameter)
        loc = getattr(p.param_in, "value", p.param_in)
        if loc == "cookie":
            continue  # browsers' business; no API in scope sends cookie parameters
        by_key[(str(loc), p.name)] = p  # operation-level parameters override path-level ones
    taken: set[str] = set()
    result: list[Param] = []
    order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
    for (loc, wire), p in sorted(by_key.items(), key=lambda kv: (order.get(kv[0][0], 9), not kv[1].required)):
        schema = p.param_schema
        annotation = _annotation(ctx, schema) if schema is not None else TypeExpr.name("str")
        required = bool(p.required) or loc == "path"
        result.append(
            Param(
                name=unique(parameter_name(wire), taken),
                wire_name=wire,
                location=cast(Any, loc),
                annotation=annotation,
                required=required,
                description=_one_line(p.description),
            )
        )
    return tuple(result)


def _request_body(ctx: _Context, body: Any, taken: set[str]) -> RequestBody | None:
    if body is None:
        return None
    module = v3_1 if ctx.doc.version.startswith("3.1") else v3_0
    body = _resolve(ctx, body, module.RequestBody)
    content = body.content or {}
    if not content:
        return None
    preference = {"json": 0, "multipart": 1, "form": 2, "text": 3, "binary": 4, "sse": 5}
    ctype = min(content, key=lambda c: (preference[media_kind(c)], c))
    kind = media_kind(ctype)
    required = bool(body.required)
    schema = content[ctype].media_type_schema
    cls = _class_of(ctx, schema)
    if kind in ("text", "binary", "sse") or cls is None:
        if kind in ("json", "multipart", "form") and schema is not None:
            name = unique(identifier("body"), taken)
            annotation = _annotation(ctx, schema)
            return RequestBody("json", ctype, required, whole_name=name, whole_annotation=annotation)
        name = unique(identifier("content"), taken)
        raw = TypeExpr.union([TypeExpr.name("bytes"), TypeExpr.name("str")])
        return RequestBody("raw", ctype, required, whole_name=name, whole_annotation=raw)
    class_name = identifier(cls.class_name)
    if cls.kind != "model":
        name = unique(identifier("body"), taken)
        is_root = cls.kind == "root" and bool(cls.fields)
        annotation = bare_type(cls.fields[0]) if is_root else TypeExpr.name(class_name)
        wraps = class_name if is_root else None
        return RequestBody(
            "json", ctype, required, whole_name=name, whole_annotation=annotation, whole_wraps_root=wraps
        )
    file_props = _file_properties(ctx, cls.spec_name) if kind in ("multipart", "form") else {}
    fields: list[BodyField] = []
    for f in cls.fields:
        is_file = f.alias in file_props
        annotation = bare_type(f)
        if is_file:
            file_type = TypeExpr.name("FileTypes")
            annotation = TypeExpr.subscript("Sequence", file_type) if file_props[f.alias] else file_type
        fields.append(
            BodyField(
                name=unique(parameter_name(f.name), taken),
                field_name=f.name if kind == "json" else f.alias,
                annotation=annotation,
                required=f.required,
                is_file=is_file,
                description=_one_line(f.description),
            )
        )
    return RequestBody(
        cast(Any, kind), ctype, required, model=class_name if kind == "json" else None, fields=tuple(fields)
    )


def _file_properties(ctx: _Context, spec_name: str | None) -> dict[str, bool]:
    """JSON names of the binary properties of a multipart schema -> whether they are lists."""
    if spec_name is None:
        return {}
    schema = ((ctx.spec.get("components") or {}).get("schemas") or {}).get(spec_name) or {}
    result: dict[str, bool] = {}
    for prop, sub in _all_properties(ctx, schema).items():
        sub = deref(ctx.spec, sub)
        if _is_binary(ctx, sub):
            result[prop] = False
        elif (
            isinstance(sub, dict) and sub.get("type") == "array" and _is_binary(ctx, deref(ctx.spec, sub.get("items")))
        ):
            result[prop] = True
    return result


def _all_properties(ctx: _Context, schema: Any) -> dict[str, Any]:
    props: dict[str, Any] = {}
    schema = deref(ctx.spec, schema)
    if not isinstance(schema, dict):
        return props
    for part in schema.get("allOf") or []:
        props.update(_all_properties(ctx, part))
    props.update(schema.get("properties") or {})
    return props


def _is_binary(ctx: _Context, schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("format") in ("binary", "byte") and schema.get("type") in ("string", None):
        return schema.get("format") == "binary"
    if "contentMediaType" in schema and schema.get("type") in ("string", None):
        return True
    for alt in schema.get("anyOf") or schema.get("oneOf") or []:
        if _is_binary(ctx, deref(ctx.spec, alt)):
            return True
    return False


def _fern_json_stream(op: Any) -> bool:
    """Whether a JSON response is a stream of JSON objects, one per line: Fern's ``x-fern-streaming``.

    ElevenLabs declares its ``..._stream_with_timestamps`` operations so (``application/json``, the
    schema of one chunk); ``{format: sse}`` is an event stream, which has its own media type.
    """
    flag = (op.model_extra or {}).get("x-fern-streaming")
    if isinstance(flag, dict):
        return bool(flag.get("format", "json") == "json")
    return flag is True


# Line-delimited JSON: NDJSON, JSON Lines, RFC 7464 JSON text sequences.
_JSON_LINES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/json-seq",
    }
)


def _json_lines_response(ctx: _Context, schema: Any, ctype: str) -> Response:
    item = _model_response(ctx, schema, ctype)
    return Response(
        "binary_stream",
        item.annotation,
        Code(""),
        content_type=ctype,
        wrap_cast=item.wrap_cast or item.unwrap_root,
        json_lines=item.cast,
    )


def _responses(ctx: _Context, responses: Mapping[str, Any], *, json_stream: bool = False) -> list[Response]:
    module = v3_1 if ctx.doc.version.startswith("3.1") else v3_0
    success = sorted(
        (code for code in responses if str(code).startswith("2")),
        key=lambda c: str(c).upper().replace("X", "9"),
    )
    if not success and "default" in responses:
        success = ["default"]
    found: list[Response] = []
    for code in success:
        resp = _resolve(ctx, responses[code], module.Response)
        content = resp.content or {}
        if not content or code == "204":
            found.append(_NO_CONTENT)
            continue
        order = {"json": 0, "binary": 1, "text": 2, "sse": 3, "multipart": 4, "form": 5}
        for ctype in sorted(content, key=lambda c: (order[media_kind(c)], c)):
            kind = media_kind(ctype)
            schema = content[ctype].media_type_schema
            if ctype.split(";", 1)[0].strip().lower() in _JSON_LINES or (kind == "json" and json_stream):
                found.append(_json_lines_response(ctx, schema, ctype))
            elif kind == "json":
                found.append(_model_response(ctx, schema, ctype))
            elif kind == "sse":
                event = _model_response(ctx, schema, ctype)
                found.append(
                    Response(
                        "sse",
                        event.annotation,
                        event.cast,
                        unwrap_root=event.unwrap_root,
                        wrap_cast=event.wrap_cast or event.unwrap_root,
                        content_type=ctype,
                    )
                )
            elif kind == "text":
                found.append(Response("text", TypeExpr.name("str"), Code("str"), content_type=ctype))
            else:
                found.append(Response("bytes", TypeExpr.name("bytes"), Code("bytes"), content_type=ctype))
        if found:
            break
    return found or [_NO_CONTENT]


_NO_CONTENT = Response("none", TypeExpr.name("None"), Code("NoneType"))


def _model_response(ctx: _Context, schema: Any, ctype: str) -> Response:
    cls = _class_of(ctx, schema)
    if cls is None:
        return Response("model", TypeExpr.name("object"), Code("object"), content_type=ctype)
    name = identifier(cls.class_name)
    if cls.kind == "root" and cls.fields:
        return Response(
            "model", bare_type(cls.fields[0]), Code(f"_models.{name}"), unwrap_root=True, content_type=ctype
        )
    if cls.kind == "alias":
        # A TypeAliasType is a fine annotation but not a ``type[T]`` value for mypy: cast both ways.
        return Response(
            "model", TypeExpr.name(name), Code(f"cast(Any, _models.{name})"), wrap_cast=True, content_type=ctype
        )
    return Response("model", TypeExpr.name(name), Code(f"_models.{name}"), content_type=ctype)


# --- schemas -> annotations ---------------------------------------------------------------------


def _ref_of(schema: Any) -> str | None:
    ref = getattr(schema, "ref", None)
    return ref if isinstance(ref, str) else None


def _class_of(ctx: _Context, schema: Any) -> ModelClass | None:
    ref = _ref_of(schema)
    if ref is None or not ref.startswith("#/components/schemas/"):
        return None
    name = ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
    class_name = ctx.models.class_for_schema.get(name)
    return ctx.models.classes.get(class_name) if class_name else None


def _literal_values(values: Iterable[Any]) -> list[Any] | None:
    """Values a ``Literal[...]`` may hold (str, int, bool), or None when one of them is something else."""
    kept = [v for v in values if v is not None]
    return kept if all(isinstance(v, (str, int)) for v in kept) else None


def _annotation(ctx: _Context, schema: AnySchema) -> TypeExpr:
    cls = _class_of(ctx, schema)
    if cls is not None:
        if cls.kind == "root" and cls.fields:
            return bare_type(cls.fields[0])
        return TypeExpr.name(identifier(cls.class_name))
    if _ref_of(schema) is not None:
        return TypeExpr.name("Any")
    const = getattr(schema, "const", None)
    if const is not None and _literal_values([const]):
        return TypeExpr.literal_of([const])
    if schema.enum:
        values = _literal_values(schema.enum)
        if values is not None:
            parts = [TypeExpr.literal_of(values)] if values else []
            if None in schema.enum or not values:
                parts.append(TypeExpr.name("None"))
            return TypeExpr.union(parts)
    alternatives = schema.anyOf or schema.oneOf
    if alternatives:
        return TypeExpr.union(_annotation(ctx, s) for s in alternatives)
    types = schema.type if isinstance(schema.type, list) else ([schema.type] if schema.type else [])
    names = [getattr(t, "value", t) for t in types]
    parts = []
    for t in names:
        if t == "array":
            item = _annotation(ctx, schema.items) if schema.items is not None else TypeExpr.name("Any")
            parts.append(TypeExpr.subscript("list", item))
        elif t == "object":
            parts.append(TypeExpr.subscript("dict", TypeExpr.name("str"), TypeExpr.name("Any")))
        elif t == "string" and getattr(schema, "schema_format", None) == "binary":
            parts.append(TypeExpr.name("bytes"))
        else:
            parts.append(TypeExpr.name(_PRIMITIVES.get(str(t), "Any")))
    if getattr(schema, "nullable", False):
        parts.append(TypeExpr.name("None"))
    return TypeExpr.union(parts)


def _imports_for(ctx: _Context, methods: Sequence[Method]) -> tuple[Identifier, ...]:
    """Model classes named by the annotations of these methods (imported for type checking)."""
    names: set[str] = set()
    for m in methods:
        for t in method_types(m):
            names |= t.names
    return tuple(identifier(n) for n in sorted(names) if n in ctx.models.classes)


def method_types(m: Method) -> list[TypeExpr]:
    """Every annotation a generated method writes (parameters, body fields, return type)."""
    types = [m.response.annotation, *(p.annotation for p in m.params)]
    if m.body is not None:
        types.extend(f.annotation for f in m.body.fields)
        if m.body.whole_annotation is not None:
            types.append(m.body.whole_annotation)
    return types


class _StripAnnotated(ast.NodeTransformer):
    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "Annotated":
            inner = node.slice
            if isinstance(inner, ast.Tuple) and inner.elts:
                return inner.elts[0]
        return node


def bare_type(field: ModelField) -> TypeExpr:
    """``Annotated[str, Field(alias="class")] | None`` -> ``str | None``: the type a caller passes."""
    tree = ast.parse(field.annotation, mode="eval").body
    if "Annotated" in field.names:
        tree = _StripAnnotated().visit(tree)
    return TypeExpr.from_ast(tree)


# --- docstrings ---------------------------------------------------------------------------------


def _one_line(text: str | None) -> str | None:
    if not text:
        return None
    return " ".join(text.split())


def _docstring(op: Any, params: Sequence[Param], body: RequestBody | None) -> tuple[str, ...]:
    lines: list[str] = []
    summary = (op.summary or "").strip()
    description = (op.description or "").strip()
    if summary:
        lines.append(summary)
    if description and description != summary:
        if lines:
            lines.append("")
        lines.append(description)
    args = [(p.name, p.description) for p in params]
    if body is not None:
        args += [(f.name, f.description) for f in body.fields]
    documented = [(n, d) for n, d in args if d]
    if documented:
        if lines:
            lines.append("")
        lines.append("Args:")
        for n, d in documented:
            lines.append(f"    {n}: {d}")
    if op.deprecated:
        lines = (
            [*lines, "", ".. deprecated:: the API marks this operation deprecated."]
            if lines
            else [".. deprecated:: the API marks this operation deprecated."]
        )
    return tuple(lines) or (f"{op.operationId or 'Call the API'}.",)
