"""The intermediate representation of an HTTP client: what the templates render, nothing more.

Values are typed: names are :class:`~autosdk_py.pytext.Identifier` values made by :mod:`autosdk_py.naming`,
annotations are :class:`~autosdk_py.pytext.TypeExpr` values that know the names they need, and spec text
(wire names, paths, content types, descriptions) stays plain ``str`` until a template passes it
through the renderer (``lit``, ``doc``...). Templates only loop and test simple flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..pytext import Code, Identifier, TypeExpr, literal

ParamLocation = Literal["path", "query", "header", "cookie"]
BodyKind = Literal["json", "multipart", "form", "raw"]
ResponseKind = Literal["model", "none", "bytes", "text", "sse", "binary_stream"]


@dataclass(frozen=True)
class Param:
    name: Identifier  # keyword argument in the generated method
    wire_name: str  # name in the URL, query string or header
    location: ParamLocation
    annotation: TypeExpr
    required: bool
    description: str | None = None


@dataclass(frozen=True)
class BodyField:
    name: Identifier  # keyword argument in the generated method
    field_name: str  # attribute of the request model (json) or form field name (multipart/form)
    annotation: TypeExpr
    required: bool
    is_file: bool = False
    description: str | None = None


@dataclass(frozen=True)
class RequestBody:
    kind: BodyKind
    content_type: str
    required: bool
    model: Identifier | None = None  # request model class (json object bodies)
    fields: tuple[BodyField, ...] = ()  # expanded keyword arguments (objects)
    whole_name: Identifier | None = None  # name of the single ``body`` argument (non-object bodies)
    whole_annotation: TypeExpr | None = None
    whole_wraps_root: Identifier | None = None  # root model class the whole body is wrapped in before sending


@dataclass(frozen=True)
class Response:
    kind: ResponseKind
    annotation: TypeExpr  # the return type (for SSE: the event type)
    cast: Code  # expression passed as ``cast_to`` / ``event_type``
    unwrap_root: bool = False  # RootModel responses return ``.root``
    content_type: str | None = None
    wrap_cast: bool = False  # the call's result is ``cast`` to the return type (type aliases)
    # Line-delimited JSON (NDJSON...): the body, requested as a binary stream, is read as one item of
    # this type per line (``event_type`` of ``JSONLStream``); ``annotation`` is then the item type.
    json_lines: Code | None = None

    def returns(self, aio: bool) -> Code:
        if self.kind == "sse":
            return Code(f"{'AsyncStream' if aio else 'Stream'}[{self.annotation.code}]")
        if self.json_lines is not None:
            return Code(f"{'AsyncJSONLStream' if aio else 'JSONLStream'}[{self.annotation.code}]")
        if self.kind == "binary_stream":
            return Code("AsyncBinaryStream" if aio else "BinaryStream")
        return self.annotation.code

    def prefix(self, aio: bool) -> Code:
        """What stands before ``self._client.request(`` in the method body."""
        awaited = "await " if aio else ""
        if self.kind == "none":
            return Code(awaited)
        if self.json_lines is not None:
            stream = f"{'AsyncJSONLStream' if aio else 'JSONLStream'}({awaited}"
            if self.wrap_cast:
                return Code(f"return cast({literal(self.returns(aio))}, {stream}")
            return Code(f"return {stream}")
        if self.wrap_cast:
            # The annotation's names are imported for type checking only, so cast() gets it as a string.
            return Code(f"return cast({literal(self.returns(aio))}, {awaited}")
        if self.unwrap_root:
            return Code(f"return ({awaited}")
        return Code(f"return {awaited}")

    @property
    def suffix(self) -> Code:
        if self.json_lines is not None:
            return Code(f", event_type={self.json_lines}){')' if self.wrap_cast else ''}")
        if self.wrap_cast:
            return Code(")")
        if self.unwrap_root:
            return Code(").root")
        return Code("")


@dataclass(frozen=True)
class Method:
    name: Identifier
    http_method: str
    path: str
    params: tuple[Param, ...]
    body: RequestBody | None
    response: Response
    security: tuple[tuple[str, ...], ...] | None  # None: the client's default
    docstring: tuple[str, ...]  # the docstring's lines, as text (the template escapes them)
    deprecated: bool = False
    accept: str | None = None
    set_stream_flag: str | None = None  # body field forced to True by an SSE variant (OpenAI's ``stream``)

    @property
    def deprecation_message(self) -> str:
        return f"{self.name} is deprecated by the API"

    # Derived views for the templates (kept here so templates stay free of logic).

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def keyword_required(self) -> tuple[tuple[Identifier, TypeExpr], ...]:
        items = [(p.name, p.annotation) for p in self.params if p.location != "path" and p.required]
        if self.body is not None:
            items += [(f.name, f.annotation) for f in self.body.fields if f.required]
            if self.body.whole_name and self.body.required:
                items.append((self.body.whole_name, self.body.whole_annotation or TypeExpr.name("object")))
        return tuple(items)

    @property
    def keyword_optional(self) -> tuple[tuple[Identifier, TypeExpr], ...]:
        items = [(p.name, p.annotation) for p in self.params if p.location != "path" and not p.required]
        if self.body is not None:
            items += [(f.name, f.annotation) for f in self.body.fields if not f.required]
            if self.body.whole_name and not self.body.required:
                items.append((self.body.whole_name, self.body.whole_annotation or TypeExpr.name("object")))
        return tuple(items)

    def _at(self, location: ParamLocation) -> tuple[tuple[str, Identifier], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location == location)

    @property
    def path_items(self) -> tuple[tuple[str, Identifier], ...]:
        return self._at("path")

    @property
    def query_items(self) -> tuple[tuple[str, Identifier], ...]:
        return self._at("query")

    @property
    def header_items(self) -> tuple[tuple[str, Identifier], ...]:
        return self._at("header")

    @property
    def json_fields(self) -> tuple[tuple[str, Identifier], ...]:
        if self.body is None or self.body.kind != "json":
            return ()
        return tuple((f.field_name, f.name) for f in self.body.fields)

    @property
    def data_items(self) -> tuple[tuple[str, Identifier], ...]:
        if self.body is None or self.body.kind not in ("multipart", "form"):
            return ()
        return tuple((f.field_name, f.name) for f in self.body.fields if not f.is_file)

    @property
    def file_items(self) -> tuple[tuple[str, Identifier], ...]:
        if self.body is None or self.body.kind != "multipart":
            return ()
        return tuple((f.field_name, f.name) for f in self.body.fields if f.is_file)


@dataclass(frozen=True)
class Resource:
    attr: Identifier  # attribute on the client (``client.chat``)
    class_name: Identifier  # ``ChatResource``
    async_class_name: Identifier  # ``AsyncChatResource``
    module: Identifier  # module under ``resources/``
    methods: tuple[Method, ...]
    description: str | None = None
    imports: tuple[Identifier, ...] = ()  # model classes the annotations name (imported for type checking)


@dataclass(frozen=True)
class AuthScheme:
    scheme: str  # key in components/securitySchemes
    kind: Literal["bearer", "basic", "header", "query", "cookie"]
    wire_name: str  # header, query or cookie name
    param: Identifier  # constructor argument
    env_var: str
    description: str | None = None


@dataclass(frozen=True)
class ClientIR:
    package: Identifier
    title: str
    version: str
    description: str | None
    source_name: str
    client_class: Identifier
    async_client_class: Identifier
    base_url: str | None
    base_url_env: str
    auth: tuple[AuthScheme, ...]
    default_security: tuple[tuple[str, ...], ...]
    resources: tuple[Resource, ...]
    root: Resource  # operations without a tag, rendered on the client itself
    notes: tuple[str, ...] = field(default=())

    @property
    def user_agent(self) -> str:
        # A header value: printable ASCII only, whatever the spec's version string holds.
        version = "".join(c for c in " ".join(self.version.split()) if " " <= c <= "~") or "unknown"
        return f"{self.package}/{version} (python; autosdk-py)"

    @property
    def no_server_message(self) -> str:
        title = " ".join(self.title.split())
        return f"{title} has no default server: pass base_url=... or set {self.base_url_env}"
