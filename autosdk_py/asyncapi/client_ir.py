"""AsyncAPI document + the models it uses -> the IR of the realtime clients (one per channel).

Every string here is final Python text, so the templates only loop and test flags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..naming import (
    pascal_case,
    realtime_env_prefix,
    snake_case,
    unique,
    unique_class_name,
)
from .spec import AsyncApiDocument, ChannelSpec, MessageSpec, ParamSpec, SecuritySpec, ServerSpec

ParamLocation = Literal["path", "server", "query", "header"]


@dataclass(frozen=True)
class PayloadClass:
    """How a payload schema is known to Python: its class and whether it is a BaseModel."""

    class_name: str
    is_model: bool  # BaseModel subclass (sent with send_model) or a type alias (sent as JSON data)


@dataclass(frozen=True)
class ConnectParam:
    name: str  # keyword argument of connect()
    wire_name: str
    location: ParamLocation
    annotation: str
    required: bool
    default: str = "None"  # Python literal of the default when not required
    description: str | None = None


@dataclass(frozen=True)
class SendMethod:
    name: str
    annotation: str
    kind: Literal["model", "json", "bytes"]
    doc: str
    message: str


@dataclass(frozen=True)
class ReceiveType:
    class_name: str
    message: str
    tag_value: Any


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
    module: str
    client_class: str
    async_client_class: str
    connection_class: str
    async_connection_class: str
    address: str
    default_base_url: str
    base_url_env: str
    params: tuple[ConnectParam, ...]
    sends: tuple[SendMethod, ...]
    receives: tuple[ReceiveType, ...]
    tag: str | None  # the discriminator all server messages share; None: plain union (see docs)
    receives_binary: bool
    auth: Auth | None
    description: str | None
    imports: tuple[str, ...]  # payload class names the module imports for type checking

    @property
    def path_items(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location in ("path", "server"))

    @property
    def query_items(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location == "query")

    @property
    def header_items(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.wire_name, p.name) for p in self.params if p.location == "header")

    @property
    def required_params(self) -> tuple[ConnectParam, ...]:
        return tuple(p for p in self.params if p.required)

    @property
    def optional_params(self) -> tuple[ConnectParam, ...]:
        return tuple(p for p in self.params if not p.required)

    @property
    def union_members(self) -> str:
        return " | ".join(r.class_name for r in self.receives) or "Any"

    @property
    def has_json_sends(self) -> bool:
        return any(s.kind == "json" for s in self.sends)

    @property
    def uses_literal(self) -> bool:
        return any("Literal[" in p.annotation for p in self.params)

    @property
    def known_tags(self) -> tuple[str, ...]:
        return tuple(str(r.tag_value) for r in self.receives if r.tag_value is not None)


@dataclass(frozen=True)
class RealtimeIR:
    package: str
    title: str
    version: str
    source_name: str
    models_module: str  # "x.models" (another pass's package) or ".models" (own models)
    own_models: bool
    channels: tuple[ChannelClient, ...]
    notes: tuple[str, ...]


RESERVED = frozenset({"self", "extra_headers", "extra_query", "use_subprotocol_auth", "api_key"})
_SEND_PREFIX = re.compile(r"^(send|publish)(?=[A-Z_\-\s]|$)", re.IGNORECASE)


def json_annotation(schema: Mapping[str, Any]) -> str:
    """A Python annotation for a parameter's JSON schema (parameters are scalars in practice)."""
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    if schema.get("enum"):
        values = [v for v in schema["enum"] if v is not None]
        return f"Literal[{', '.join(repr(v) for v in values)}]" if values else "None"
    types = schema.get("type")
    names = types if isinstance(types, list) else [types] if types else []
    mapping = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
    parts = []
    for t in names:
        if t == "array":
            parts.append(f"list[{json_annotation(schema.get('items') or {})}]")
        else:
            parts.append(mapping.get(str(t), "Any"))
    if schema.get("nullable") and "None" not in parts:
        parts.append("None")
    return " | ".join(dict.fromkeys(parts)) or "str"


def _param(spec: ParamSpec, location: ParamLocation, taken: set[str], required: bool | None = None) -> ConnectParam:
    annotation = json_annotation(spec.schema)
    has_default = spec.default is not None
    is_required = (spec.required and not has_default) if required is None else required
    return ConnectParam(
        name=unique(snake_case(spec.name) if snake_case(spec.name) not in RESERVED else snake_case(spec.name) + "_", taken),
        wire_name=spec.name,
        location=location,
        annotation=annotation if is_required or has_default else f"{annotation} | None",
        required=is_required,
        default=repr(spec.default) if has_default else "None",
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


def send_method_name(message: MessageSpec) -> str:
    """``send_`` + the message's name, without a leading send/publish (never ``send_send_...``)."""
    base = _SEND_PREFIX.sub("", message.name).strip("_- ") or message.name
    return "send_" + snake_case(base).lstrip("_")


def build_realtime_ir(
    doc: AsyncApiDocument,
    *,
    package: str,
    source_name: str,
    models_module: str,
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
    base_name = (websocket_class_name or "").removesuffix("Client")
    taken_modules: set[str] = {"__init__", "models"}
    result: list[ChannelClient] = []
    for channel in channels:
        server = _server_for(doc, channel)
        if len(channels) == 1:
            base = base_name or "Realtime"
            module = "_client"
        else:
            base = (base_name or "") + pascal_case(channel.key)
            module = unique(snake_case(channel.key), taken_modules)
        result.append(_channel_client(doc, channel, server, base, module, payload_classes, env_var, prefix, notes))
    if not channels:
        notes.append("the document has no WebSocket channel: no realtime client was generated, only models")
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


def _channel_client(
    doc: AsyncApiDocument,
    channel: ChannelSpec,
    server: ServerSpec | None,
    base: str,
    module: str,
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
        params.append(_param(spec, "path", taken_params, required=True))
    url = server.url if server is not None else "ws://localhost"
    for var in server.variables if server is not None else ():
        in_url = "{" + var.name + "}" in url
        params.append(_param(var, "server" if in_url else "query", taken_params, required=var.default is None))
    params += [_param(p, "query", taken_params) for p in channel.query_params]
    params += [_param(p, "header", taken_params) for p in channel.header_params]
    params.sort(key=lambda p: not p.required)  # required first, in document order

    taken_methods: set[str] = {"send_raw", "send_json", "send_model"}
    sends: list[SendMethod] = []
    receives: list[ReceiveType] = []
    imports: set[str] = set()
    for message in channel.messages:
        doc_line = " ".join((message.summary or message.description or f"The {message.name} message.").split())
        payload = payload_classes.get(message.pointer)
        if message.direction == "send":
            name = unique(send_method_name(message), taken_methods)
            if message.binary or payload is None:
                sends.append(SendMethod(name, "bytes", "bytes", doc_line, message.name))
                continue
            imports.add(payload.class_name)
            kind: Literal["model", "json"] = "model" if payload.is_model else "json"
            sends.append(SendMethod(name, payload.class_name, kind, doc_line, message.name))
        elif payload is not None and not message.binary:
            if all(r.class_name != payload.class_name for r in receives):
                tag_value = message.tag[1] if message.tag else None
                receives.append(ReceiveType(payload.class_name, message.name, tag_value))
                imports.add(payload.class_name)

    tag = _common_tag(channel, receives, payload_classes)
    if tag is None and len(receives) > 1:
        notes.append(
            f"channel '{channel.key}': the server messages share no tag field with one distinct value each, "
            "so recv() tries each message type in turn (pydantic's smart union) instead of a tagged union"
        )
    if tag is None:
        receives = [ReceiveType(r.class_name, r.message, None) for r in receives]
    taken_classes = set(imports)
    client_class = unique_class_name(base + "Client", taken_classes)
    connection_class = unique_class_name(base + "Connection", taken_classes)
    return ChannelClient(
        key=channel.key,
        module=module,
        client_class=client_class,
        async_client_class=unique_class_name("Async" + client_class, taken_classes),
        connection_class=connection_class,
        async_connection_class=unique_class_name("Async" + connection_class, taken_classes),
        address=address,
        default_base_url=url,
        base_url_env=f"{prefix}_REALTIME_URL",
        params=tuple(params),
        sends=tuple(sends),
        receives=tuple(receives),
        tag=tag,
        receives_binary=any(m.binary for m in channel.receive),
        auth=_auth(doc, server, env_var),
        description=" ".join((channel.description or "").split()) or None,
        imports=tuple(sorted(imports)),
    )


def _common_tag(
    channel: ChannelSpec, receives: Sequence[ReceiveType], payload_classes: Mapping[str, PayloadClass]
) -> str | None:
    """The tag property when every JSON server message is a model with its own value of it."""
    if len(receives) < 2:
        return None
    tags = {m.tag[0] if m.tag else None for m in channel.receive if not m.binary and m.pointer in payload_classes}
    if len(tags) != 1 or None in tags:
        return None
    values = [r.tag_value for r in receives]
    if None in values or len(set(map(repr, values))) != len(values):
        return None
    if not all(payload_classes[m.pointer].is_model for m in channel.receive if m.pointer in payload_classes):
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
    "json_annotation",
    "send_method_name",
]
