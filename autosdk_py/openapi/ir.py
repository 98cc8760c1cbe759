"""The intermediate representation of an HTTP client: what the templates render, nothing more.

Every string here is final Python text (identifiers already made safe, annotations already
written), so templates only loop and test simple flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ParamLocation = Literal["path", "query", "header", "cookie"]
BodyKind = Literal["json", "multipart", "form", "raw"]
ResponseKind = Literal["model", "none", "bytes", "text", "sse", "binary_stream"]


@dataclass(frozen=True)
class Param:
    name: str  # keyword argument in the generated method
    wire_name: str  # name in the URL, query string or header
    location: ParamLocation
    annotation: str
    required: bool
    description: str | None = None


@dataclass(frozen=True)
class BodyField:
    name: str  # keyword argument in the generated method
    field_name: str  # attribute of the request model (json) or form field name (multipart/form)
    annotation: str
    required: bool
    is_file: bool = False
    description: str | None = None


@dataclass(frozen=True)
class RequestBody:
    kind: BodyKind
    content_type: str
    required: bool
    model: str | None = None  # request model class (json object bodies)
    fields: tuple[BodyField, ...] = ()  # expanded keyword arguments (objects)
    whole_name: str | None = None  # name of the single ``body`` argument (non-object bodies)
    whole_annotation: str | None = None
    whole_wraps_root: str | None = None  # root model class the whole body is wrapped in before sending


@dataclass(frozen=True)
class Response:
    kind: ResponseKind
    annotation: str  # the return type (for SSE: the event type)
    cast: str  # expression passed as ``cast_to`` / ``event_type``
    unwrap_root: bool = False  # RootModel responses return ``.root``
    content_type: str | None = None
    wrap_cast: bool = False  # the call's result is ``cast`` to the return type (type aliases)

    def returns(self, aio: bool) -> str:
        if self.kind == "sse":
            return f"{'AsyncStream' if aio else 'Stream'}[{self.annotation}]"
        if self.kind == "binary_stream":
            return "AsyncBinaryStream" if aio else "BinaryStream"
        return self.annotation

    def prefix(self, aio: bool) -> str:
        """What stands before ``self._client.request(`` in the method body."""
        awaited = "await " if aio else ""
        if self.kind == "none":
            return awaited
        if self.wrap_cast:
            return f'return cast("{self.returns(aio)}", {awaited}'
        if self.unwrap_root:
            return f"return ({awaited}"
        return f"return {awaited}"

    @property
    def suffix(self) -> str:
        if self.wrap_cast:
            return ")"
        if self.unwrap_root:
            return ").root"
        return ""


@dataclass(frozen=True)
class Method:
    name: str
    http_method: str
    path: str
    params: tuple[Param, ...]
    body: RequestBody | None
    response: Response
    security: tuple[tuple[str, ...], ...] | None  # None: the client's default
    docstring: tuple[str, ...]  # lines, already escaped for a triple-quoted string
    deprecated: bool = False
    accept: str | None = None
    set_stream_flag: str | None = None  # body field forced to True by an SSE variant (OpenAI's ``stream``)

    # Derived views for the templates (kept here so templates stay free of logic).

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def keyword_required(self) -> tuple[tuple[str, str], ...]:
        items = [(p.name, p.annotation) for p in self.params if p.location != "path" and p.required]
        if self.body is not None:
            items += [(f.name, f.annotation) for f in self.body.fields if f.required]
            if self.body.whole_name and self.body.required:
                items.append((self.body.whole_name, self.body.whole_annotation or "object"))
        return tuple(items)

    @property
    def keyword_optional(self) -> tuple[tuple[str, str], ...]:
        items = [(p.name, p.annotation) for p in self.params if p.location != "path" and not p.required]
        if self.body is not None:
            items += [(f.name, f.annotation) for f in self.body.fields if not f.required]
            if self.body.whole_name and not self.body.required:
                items.append((self.body.whole_name, self.body.whole_annotation or "object"))
        return tuple(items)

    def _at(self, location: ParamLocation) -> tuple[tuple[str, str], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location == location)

    @property
    def path_items(self) -> tuple[tuple[str, str], ...]:
        return self._at("path")

    @property
    def query_items(self) -> tuple[tuple[str, str], ...]:
        return self._at("query")

    @property
    def header_items(self) -> tuple[tuple[str, str], ...]:
        return self._at("header")

    @property
    def json_fields(self) -> tuple[tuple[str, str], ...]:
        if self.body is None or self.body.kind != "json":
            return ()
        return tuple((f.field_name, f.name) for f in self.body.fields)

    @property
    def data_items(self) -> tuple[tuple[str, str], ...]:
        if self.body is None or self.body.kind not in ("multipart", "form"):
            return ()
        return tuple((f.field_name, f.name) for f in self.body.fields if not f.is_file)

    @property
    def file_items(self) -> tuple[tuple[str, str], ...]:
        if self.body is None or self.body.kind != "multipart":
            return ()
        return tuple((f.field_name, f.name) for f in self.body.fields if f.is_file)


@dataclass(frozen=True)
class Resource:
    attr: str  # attribute on the client (``client.chat``)
    class_name: str  # ``ChatResource``; the async one is ``Async`` + class_name
    module: str  # module under ``resources/``
    methods: tuple[Method, ...]
    description: str | None = None
    imports: tuple[str, ...] = ()  # ``from ..models import X`` lines for TYPE_CHECKING


@dataclass(frozen=True)
class AuthScheme:
    scheme: str  # key in components/securitySchemes
    kind: Literal["bearer", "basic", "header", "query", "cookie"]
    wire_name: str  # header, query or cookie name
    param: str  # constructor argument
    env_var: str
    description: str | None = None


@dataclass(frozen=True)
class ClientIR:
    package: str
    title: str
    version: str
    description: str | None
    source_name: str
    client_class: str
    async_client_class: str
    base_url: str | None
    base_url_env: str
    auth: tuple[AuthScheme, ...]
    default_security: tuple[tuple[str, ...], ...]
    resources: tuple[Resource, ...]
    root: Resource  # operations without a tag, rendered on the client itself
    notes: tuple[str, ...] = field(default=())
