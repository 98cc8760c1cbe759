"""AsyncAPI document + the models it uses -> the IR of the realtime clients (one per channel).

Values are typed: names are :class:`~autosdk_py.pytext.Identifier` values, annotations
:class:`~autosdk_py.pytext.TypeExpr` values, defaults :class:`~autosdk_py.pytext.Code` made by
:func:`~autosdk_py.pytext.literal`; spec text (addresses, wire names, descriptions) stays ``str`` until a
template passes it through the renderer. The templates only loop and test flags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import SpecError, SpecErrors, escape_pointer_token
from ..loader import line_of, read_text
from ..naming import (
    identifier,
    module_name,
    pascal_case,
    realtime_env_prefix,
    snake_case,
    unique,
    unique_class_name,
)
from ..pytext import Code, Identifier, TypeExpr, UnrepresentableValue, literal
from ..schema.pytypes import PARAMETER_FORMATS, format_imports, json_annotation
from ..schema.refs import RefError, follow
from ..wire import header_name_problem, path_problem
from .spec import AsyncApiDocument, ChannelSpec, MessageSpec, ParamSpec, SecuritySpec, ServerSpec

ParamLocation = Literal["path", "server", "query", "header"]
NONE_LITERAL = literal(None)


@dataclass(frozen=True)
class PayloadClass:
    """How a payload schema is known to Python: its class and whether it is a BaseModel."""

    class_name: Identifier
    is_model: bool  # BaseModel subclass (sent with send_model) or a type alias (sent as JSON data)
    attributes: Mapping[str, Identifier] = field(default_factory=dict)  # JSON property -> attribute, where they differ


@dataclass(frozen=True)
class ConnectParam:
    name: Identifier  # keyword argument of connect()
    wire_name: str
    location: ParamLocation
    annotation: TypeExpr
    required: bool
    default: Code = NONE_LITERAL  # Python literal of the default when not required
    description: str | None = None


@dataclass(frozen=True)
class SendMethod:
    name: Identifier
    annotation: Identifier  # the payload class, or ``bytes``
    kind: Literal["model", "json", "bytes", "text"]  # text: a plain-text message, sent as the string itself
    doc: str
    message: str


@dataclass(frozen=True)
class ReceiveType:
    class_name: Identifier
    message: str
    tag_value: Any
    text: bool = False  # a plain-text message: decoded from the raw text of a frame, not from JSON


@dataclass(frozen=True)
class Auth:
    env_var: str
    bearer: bool = False
    header: str | None = None
    query: str | None = None
    subprotocols: tuple[str, ...] = ()  # templates holding {apiKey}
    subprotocol_only: bool = False  # no other way to send the key: always use the subprotocol


@dataclass(frozen=True)
class ChannelClient:
    key: str
    module: Identifier
    client_class: Identifier
    async_client_class: Identifier
    connection_class: Identifier
    async_connection_class: Identifier
    address: str
    default_base_url: str
    base_url_env: str
    params: tuple[ConnectParam, ...]
    sends: tuple[SendMethod, ...]
    receives: tuple[ReceiveType, ...]
    tag: str | None  # the discriminator all server messages share; None: the matching rule (see docs)
    tag_attribute: Identifier | None  # its Python attribute on the models (``Field(discriminator=...)`` takes it)
    receives_binary: bool
    auth: Auth | None
    description: str | None
    imports: tuple[Identifier, ...]  # payload class names the module imports for type checking

    @property
    def path_items(self) -> tuple[tuple[str, Identifier], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location in ("path", "server"))

    @property
    def query_items(self) -> tuple[tuple[str, Identifier], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location == "query")

    @property
    def header_items(self) -> tuple[tuple[str, Identifier], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location == "header")

    @property
    def required_params(self) -> tuple[ConnectParam, ...]:
        return tuple(p for p in self.params if p.required)

    @property
    def optional_params(self) -> tuple[ConnectParam, ...]:
        return tuple(p for p in self.params if not p.required)

    @property
    def union_members(self) -> Code:
        return Code(" | ".join(r.class_name for r in self.receives) or "Any")

    @property
    def json_receives(self) -> tuple[ReceiveType, ...]:
        return tuple(r for r in self.receives if not r.text)

    @property
    def text_receives(self) -> tuple[ReceiveType, ...]:
        return tuple(r for r in self.receives if r.text)

    @property
    def json_union_members(self) -> Code:
        """The JSON server message types, for the decoder's JSON rule (``()``: none)."""
        return Code(" | ".join(r.class_name for r in self.json_receives) or "()")

    @property
    def has_json_sends(self) -> bool:
        return any(s.kind == "json" for s in self.sends)

    @property
    def uses_literal(self) -> bool:
        return any("Literal" in p.annotation.names for p in self.params)

    @property
    def format_imports(self) -> tuple[tuple[Identifier, tuple[Identifier, ...]], ...]:
        """``from <module> import <names>`` for the format classes (``datetime``...) of the parameters."""
        wanted: dict[str, set[str]] = {}
        for p in self.params:
            for module, names in format_imports(p.annotation, PARAMETER_FORMATS).items():
                wanted.setdefault(module, set()).update(names)
        return tuple((identifier(m), tuple(identifier(n) for n in sorted(ns))) for m, ns in sorted(wanted.items()))

    @property
    def known_tags(self) -> tuple[str, ...]:
        return tuple(str(r.tag_value) for r in self.receives if r.tag_value is not None)


@dataclass(frozen=True)
class RealtimeIR:
    package: Identifier
    title: str
    version: str
    source_name: str
    models_module: Identifier | Code  # "x.models" (another pass's package) or ".models" (own models)
    own_models: bool
    channels: tuple[ChannelClient, ...]
    notes: tuple[str, ...]


RESERVED = frozenset({"self", "extra_headers", "extra_query", "use_subprotocol_auth", "api_key"})
_SEND_PREFIX = re.compile(r"^(send|publish)(?=[A-Z_\-\s]|$)", re.IGNORECASE)


def _param(
    spec: ParamSpec, location: ParamLocation, taken: set[str], where: str, required: bool | None = None
) -> ConnectParam:
    annotation = json_annotation(spec.schema)
    has_default = spec.default is not None
    if isinstance(spec.default, str) and format_imports(annotation, PARAMETER_FORMATS):
        annotation = TypeExpr.union([annotation, TypeExpr.name("str")])  # the document's default is text
    is_required = (spec.required and not has_default) if required is None else required
    default = NONE_LITERAL
    if has_default:
        try:
            default = literal(spec.default)
        except UnrepresentableValue as exc:
            pointer = f"{spec.pointer}/default" if spec.pointer else where
            raise _error(
                f"the default of parameter {spec.name!r} cannot be written as a Python value: {exc}",
                pointer,
                "give the parameter a JSON default (a string, number, boolean or null), or none",
                spec.file,
            ) from None
    name = snake_case(spec.name)
    return ConnectParam(
        name=unique(identifier(name + "_") if name in RESERVED else name, taken),
        wire_name=spec.name,
        location=location,
        annotation=annotation if is_required or has_default else annotation.optional(),
        required=is_required,
        default=default,
        description=" ".join((spec.description or "").split()) or None,
    )


def _server_for(doc: AsyncApiDocument, channel: ChannelSpec) -> ServerSpec | None:
    servers = {s.key: s for s in doc.servers}
    candidates = [servers[k] for k in channel.servers if k in servers] or list(doc.servers)
    for server in candidates:
        if server.protocol in ("ws", "wss"):
            return server
    return None


def _auth(doc: AsyncApiDocument, server: ServerSpec | None, env_var: str) -> Auth | None:
    by_key = {s.key: s for s in doc.security}
    keys = server.security if server is not None and server.security else tuple(by_key)
    schemes: list[SecuritySpec] = [by_key[k] for k in keys if k in by_key and by_key[k].kind != "unsupported"]
    if not schemes:
        return None
    bearer = any(s.kind == "bearer" for s in schemes)
    header = next((s.name for s in schemes if s.kind == "header" and s.name), None)
    query = next((s.name for s in schemes if s.kind == "query" and s.name), None)
    subprotocols = next((s.subprotocols for s in schemes if s.kind == "subprotocol" and s.subprotocols), ())
    return Auth(
        env_var=env_var,
        bearer=bearer,
        header=header,
        query=query,
        subprotocols=subprotocols,
        subprotocol_only=bool(subprotocols) and not (bearer or header or query),
    )


def check_wire_values(doc: AsyncApiDocument) -> None:
    """Refuse, all at once, the addresses, header names and subprotocols that cannot be sent as written."""
    channels = [c for c in doc.channels if c.protocol_ok and c.address is not None]
    problems = [p for channel in channels for p in _wire_problems(doc, channel, _server_for(doc, channel))]
    if problems:
        raise problems[0] if len(problems) == 1 else SpecErrors(problems)


def _wire_problems(doc: AsyncApiDocument, channel: ChannelSpec, server: ServerSpec | None) -> list[SpecError]:
    """Channel values sent in the handshake as they are written: refused when they cannot be sent."""
    found: list[SpecError] = []
    hint_header = "use letters, digits and -, as HTTP header names are (e.g. X-Api-Key)"
    if channel.address is not None:
        problem = path_problem(channel.address)
        if problem is None and "?" in channel.address:
            problem = f"the address {channel.address!r} contains '?': the query is not part of a channel's address"
        if problem is not None:
            hint = "write the address as /segment/{name}/...; query parameters belong in bindings.ws.query"
            found.append(SpecError(problem, pointer=channel.address_pointer or channel.pointer, hint=hint))
    names_hint = "name it with letters, digits and _"
    for param in channel.path_params:
        if not _template_name_ok(param.name):
            message = f"the parameter name {param.name!r} cannot stand between braces in an address"
            found.append(_error(message, param.pointer or channel.pointer, names_hint, param.file))
    for var in server.variables if server is not None else ():
        if not _template_name_ok(var.name):
            message = f"the server variable name {var.name!r} cannot stand between braces in a URL"
            found.append(_error(message, var.pointer, names_hint, var.file))
    for param in channel.header_params:
        if (problem := header_name_problem(param.name)) is not None:
            found.append(_error(problem, param.pointer or channel.pointer, hint_header, param.file))
    by_key = {s.key: s for s in doc.security}
    keys = server.security if server is not None and server.security else tuple(by_key)
    for key in keys:
        scheme = by_key.get(key)
        if scheme is None or scheme.kind not in ("header", "query", "subprotocol"):
            continue
        pointer = scheme.name_pointer or f"/components/securitySchemes/{escape_pointer_token(key)}"
        if scheme.kind == "header" and (problem := header_name_problem(scheme.name or "")) is not None:
            found.append(_error(problem, pointer, hint_header, scheme.file))
        if scheme.kind == "query" and not scheme.name:
            hint = "name the query parameter that carries the key, e.g. api_key"
            found.append(_error("the API key's query parameter has no name", pointer, hint, scheme.file))
        for template in scheme.subprotocols if scheme.kind == "subprotocol" else ():
            if (problem := header_name_problem(template.replace("{apiKey}", "key"))) is not None:
                found.append(
                    _error(
                        f"the subprotocol {template!r} cannot be sent in Sec-WebSocket-Protocol: "
                        + problem.split(" (", 1)[-1].rstrip(")"),
                        pointer,
                        "a subprotocol is an HTTP token: letters, digits and !#$%&'*+-.^_`|~",
                        scheme.file,
                    )
                )
    return found


def _error(message: str, pointer: str | None, hint: str, file: Path | None) -> SpecError:
    line = None
    if file is not None and pointer is not None:
        line = line_of(read_text(file), pointer)
    return SpecError(message, file=file, pointer=pointer, line=line, hint=hint)


def _template_name_ok(name: str) -> bool:
    return bool(name) and "{" not in name and "}" not in name and not _has_controls(name)


def _has_controls(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def text_content_type(content_type: str | None) -> bool:
    """Whether a content type says plain text: ``text/*`` (parameters aside), but not JSON (``text/json``...)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media.startswith("text/") and "json" not in media


def is_text_message(message: MessageSpec, document: Mapping[str, Any]) -> bool:
    """Whether a message travels as raw text: a text content type and a string payload schema.

    ``ping`` on the wire, not the JSON string ``"ping"``. ``document`` is the bundled document
    (its local ``$ref`` s are followed to see the payload's type). Anything else - JSON, binary,
    a text content type over a non-string payload, no payload - is not.
    """
    return text_message_kind(message, document) is not None


def text_message_kind(message: MessageSpec, document: Mapping[str, Any]) -> Literal["specific", "any"] | None:
    """``None`` unless :func:`is_text_message`; else ``"specific"`` when its schema says which texts
    (a ``const``, an ``enum``, a ``pattern``), ``"any"`` when it takes any string."""
    if message.binary or message.payload is None or not text_content_type(message.content_type):
        return None
    if not _string_schema(document, message.payload, 0):
        return None
    return "specific" if _specific(document, message.payload, 0) else "any"


def _specific(document: Mapping[str, Any], schema: Any, depth: int) -> bool:
    schema = _follow_ref(document, schema)
    if not isinstance(schema, Mapping) or depth > 20:
        return False
    if "const" in schema or schema.get("enum") or schema.get("pattern"):
        return True
    branches = schema.get("oneOf") or schema.get("anyOf")
    return isinstance(branches, list) and bool(branches) and all(_specific(document, b, depth + 1) for b in branches)


def _string_schema(document: Mapping[str, Any], schema: Any, depth: int) -> bool:
    schema = _follow_ref(document, schema)
    if not isinstance(schema, Mapping) or depth > 20:
        return False
    branches = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(branches, list) and branches and "type" not in schema:
        return all(_string_schema(document, b, depth + 1) for b in branches)
    kind = schema.get("type")
    if kind == "string" or kind == ["string"]:
        return schema.get("format") != "binary"
    if kind is None:
        if "const" in schema:
            return isinstance(schema["const"], str)
        enum = schema.get("enum")
        return isinstance(enum, list) and bool(enum) and all(isinstance(v, str) for v in enum)
    return False


def _follow_ref(document: Mapping[str, Any], schema: Any) -> Any:
    """The schema a local ``$ref`` (chain) points to; the schema itself when it is none; None when it dangles."""
    try:
        return follow(document, schema).value
    except RefError:
        return None


def send_method_name(message: MessageSpec) -> Identifier:
    """``send_`` + the message's name, without a leading send/publish (never ``send_send_...``)."""
    base = _SEND_PREFIX.sub("", message.name).strip("_- ") or message.name
    return identifier("send_" + snake_case(base).lstrip("_"))


def build_realtime_ir(
    doc: AsyncApiDocument,
    *,
    package: Identifier,
    source_name: str,
    models_module: Identifier | Code,
    own_models: bool,
    payload_classes: Mapping[str, PayloadClass],  # message pointer -> its payload's class
    websocket_class_name: str | None = None,
    auth_env_vars: Sequence[str] = (),
    env_prefix: str | None = None,
) -> RealtimeIR:
    prefix = env_prefix or realtime_env_prefix(doc.title)
    env_var = auth_env_vars[0] if auth_env_vars else f"{prefix}_API_KEY"
    channels = [c for c in doc.channels if c.protocol_ok and c.address is not None]
    notes = list(doc.warnings)
    base_name = _class_option(websocket_class_name).removesuffix("Client")
    taken_modules: set[str] = {"__init__", "models"}
    result: list[ChannelClient] = []
    for channel in channels:
        server = _server_for(doc, channel)
        if len(channels) == 1:
            base = identifier(base_name or "Realtime")
            module = identifier("_client")
        else:
            base = identifier(base_name + pascal_case(channel.key))
            module = unique(module_name(snake_case(channel.key)), taken_modules)
        result.append(_channel_client(doc, channel, server, base, module, payload_classes, env_var, prefix, notes))
    if not channels:
        notes.append("the document has no WebSocket channel: no realtime client was generated, only models")
    check_wire_values(doc)
    return RealtimeIR(
        package=package,
        title=doc.title,
        version=doc.api_version,
        source_name=source_name,
        models_module=models_module,
        own_models=own_models,
        channels=tuple(result),
        notes=tuple(notes),
    )


def _class_option(name: str | None) -> str:
    if not name:
        return ""
    try:
        return identifier(name)
    except ValueError:
        raise SpecError(
            f"invalid --websocket-class-name {name!r}: it is not a Python class name",
            hint="use letters, digits and underscores, starting with a letter, e.g. AcmeRealtimeClient",
        ) from None


def _channel_client(
    doc: AsyncApiDocument,
    channel: ChannelSpec,
    server: ServerSpec | None,
    base: Identifier,
    module: Identifier,
    payload_classes: Mapping[str, PayloadClass],
    env_var: str,
    prefix: str,
    notes: list[str],
) -> ChannelClient:
    address = channel.address or "/"
    taken_params: set[str] = set(RESERVED)
    params: list[ConnectParam] = []
    declared = {p.name: p for p in channel.path_params}
    for name in re.findall(r"{([^}]+)}", address):
        spec = declared.get(name) or ParamSpec(name=name, schema={"type": "string"}, required=True)
        params.append(_param(spec, "path", taken_params, channel.pointer, required=True))
    url = server.url if server is not None else "ws://localhost"
    for var in server.variables if server is not None else ():
        in_url = "{" + var.name + "}" in url
        where = f"/servers/{escape_pointer_token(server.key)}/variables" if server is not None else ""
        params.append(_param(var, "server" if in_url else "query", taken_params, where, required=var.default is None))
    params += [_param(p, "query", taken_params, channel.pointer) for p in channel.query_params]
    params += [_param(p, "header", taken_params, channel.pointer) for p in channel.header_params]
    params.sort(key=lambda p: not p.required)  # required first, in document order

    taken_methods: set[str] = {"send_raw", "send_json", "send_model"}
    sends: list[SendMethod] = []
    receives: list[ReceiveType] = []
    imports: set[Identifier] = set()
    text_pointers: set[str] = set()  # plain-text messages (see is_text_message)
    for message in channel.messages:
        doc_line = " ".join((message.summary or message.description or f"The {message.name} message.").split())
        payload = payload_classes.get(message.pointer)
        text = payload is not None and not payload.is_model and is_text_message(message, doc.data)
        if text:
            text_pointers.add(message.pointer)
        if message.direction == "send":
            name = unique(send_method_name(message), taken_methods)
            if message.binary or payload is None:
                sends.append(SendMethod(name, identifier("bytes"), "bytes", doc_line, message.name))
                continue
            imports.add(payload.class_name)
            kind: Literal["model", "json", "text"] = "text" if text else "model" if payload.is_model else "json"
            if text:
                doc_line += f" Sent as plain text ({message.content_type}): the string itself is the frame, not JSON."
            sends.append(SendMethod(name, payload.class_name, kind, doc_line, message.name))
        elif payload is not None and not message.binary:
            if all(r.class_name != payload.class_name for r in receives):
                tag_value = message.tag[1] if message.tag and not text else None
                receives.append(ReceiveType(payload.class_name, message.name, tag_value, text))
                imports.add(payload.class_name)

    # The tag and the matching rule are the JSON messages' (text messages are matched by their text).
    json_messages = [m for m in channel.receive if m.pointer not in text_pointers]
    json_receives = [r for r in receives if not r.text]
    tag = _common_tag(json_messages, json_receives, payload_classes)
    tag_attribute = _tag_attribute(tag, json_messages, payload_classes)
    if tag_attribute is None:
        tag = None  # the models do not agree on where they keep it: no discriminator can name it
    if tag is None and len(json_receives) > 1:
        notes.append(
            f"channel '{channel.key}': the server messages share no tag field with one distinct value each, "
            "so recv() matches each frame against every message type: a frame is a class only when it is the "
            "one type it matches, else an UnknownMessage saying why (the rule is in the channel module's docstring)"
        )
    schemaless = [m.name for m in channel.receive if not m.binary and m.pointer in payload_classes and _any(m)]
    if schemaless and len(receives) > len(schemaless):
        notes.append(
            f"channel '{channel.key}': server message(s) {', '.join(map(repr, schemaless))} have no payload schema "
            "(Any), so they take no part in decoding: a frame no typed message matches arrives as UnknownMessage"
        )
    if tag is None:
        receives = [ReceiveType(r.class_name, r.message, None, r.text) for r in receives]
    taken_classes: set[str] = set(imports)
    client_class = unique_class_name(identifier(base + "Client"), taken_classes)
    connection_class = unique_class_name(identifier(base + "Connection"), taken_classes)
    return ChannelClient(
        key=channel.key,
        module=module,
        client_class=client_class,
        async_client_class=unique_class_name(identifier("Async" + client_class), taken_classes),
        connection_class=connection_class,
        async_connection_class=unique_class_name(identifier("Async" + connection_class), taken_classes),
        address=address,
        default_base_url=url,
        base_url_env=f"{prefix}_REALTIME_URL",
        params=tuple(params),
        sends=tuple(sends),
        receives=tuple(receives),
        tag=tag,
        tag_attribute=tag_attribute,
        receives_binary=any(m.binary for m in channel.receive),
        auth=_auth(doc, server, env_var),
        description=" ".join((channel.description or "").split()) or None,
        imports=tuple(sorted(imports)),
    )


_NOT_CONSTRAINTS = frozenset({"title", "description", "examples", "example", "$comment", "default", "deprecated"})


def _any(message: MessageSpec) -> bool:
    """Whether a message's payload is written as a schema that accepts anything (``{}``, no payload)."""
    payload = message.payload
    return payload is None or (isinstance(payload, Mapping) and set(payload) <= _NOT_CONSTRAINTS)


def _tag_attribute(
    tag: str | None,
    messages: Sequence[MessageSpec],
    payload_classes: Mapping[str, PayloadClass],
) -> Identifier | None:
    """The attribute every server model stores the tag in: the property name, unless it had to change."""
    if tag is None:
        return None
    names = {payload_classes[m.pointer].attributes.get(tag) for m in messages if m.pointer in payload_classes}
    if len(names) == 1 and (name := names.pop()) is not None:
        return name
    return identifier(tag) if tag.isidentifier() else None


def _common_tag(
    messages: Sequence[MessageSpec], receives: Sequence[ReceiveType], payload_classes: Mapping[str, PayloadClass]
) -> str | None:
    """The tag property when every JSON server message is a model with its own value of it."""
    if len(receives) < 2:
        return None
    tags = {m.tag[0] if m.tag else None for m in messages if not m.binary and m.pointer in payload_classes}
    if len(tags) != 1 or None in tags:
        return None
    values = [r.tag_value for r in receives]
    if None in values or len(set(map(repr, values))) != len(values):
        return None
    if not all(payload_classes[m.pointer].is_model for m in messages if m.pointer in payload_classes):
        return None
    return next(iter(tags))


__all__ = [
    "Auth",
    "ChannelClient",
    "ConnectParam",
    "PayloadClass",
    "RealtimeIR",
    "ReceiveType",
    "SendMethod",
    "build_realtime_ir",
    "check_wire_values",
    "is_text_message",
    "json_annotation",
    "send_method_name",
    "text_content_type",
    "text_message_kind",
]
