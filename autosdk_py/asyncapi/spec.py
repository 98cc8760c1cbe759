"""AsyncAPI 2.x and 3.0 documents, read into one version-independent form.

The parser (``autosdk_py.asyncapi.parser``) fills these; the realtime client IR is built from
them. "send" always means client -> server and "receive" server -> client: AsyncAPI 3.0
``action: send`` and 2.x ``publish`` are what the client sends (AutoSDK's reading).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Direction = Literal["send", "receive"]


@dataclass(frozen=True)
class ParamSpec:
    """A path parameter, server variable, query parameter (``bindings.ws.query``) or header.

    ``schema`` is the value's schema with ``$ref``s and ``allOf`` already followed (``enum``, ``const``
    and ``type`` are visible in it), whatever kind of parameter it is.
    """

    name: str  # as on the wire
    schema: dict[str, Any]  # JSON schema of the value ({} when none is given)
    required: bool
    description: str | None = None
    default: Any = None
    enum: tuple[Any, ...] = ()
    pointer: str | None = None  # where it is written (its file's pointer), for errors about it
    file: Path | None = None  # the file it is written in, when not the document's own (Fern's api.yml)
    location: str | None = None  # a channel parameter's runtime expression, e.g. $message.payload#/user/id


@dataclass(frozen=True)
class MessageSpec:
    key: str  # the message's key in its channel (3.0) / components.messages, else its name
    name: str  # ``name`` of the message object, else ``key``
    direction: Direction
    pointer: str  # JSON pointer of the message object in the bundled document
    payload: dict[str, Any] | None  # the payload schema as written (may be a {"$ref": ...})
    payload_schema: str | None  # components/schemas key when the payload is a $ref to one
    binary: bool = False  # binary frames (format: binary, or a non-JSON contentType)
    content_type: str | None = None
    tag: tuple[str, Any] | None = None  # (property, value) when the payload has a const/one-value enum field
    summary: str | None = None
    description: str | None = None
    examples: tuple[Any, ...] = ()  # payload examples (message ``examples[].payload`` or ``payload.examples``)


@dataclass(frozen=True)
class ServerSpec:
    key: str
    url: str  # scheme://host[:port][/pathname], variables left as {name}
    protocol: str  # ws, wss, mqtt, kafka, http...
    variables: tuple[ParamSpec, ...] = ()
    security: tuple[str, ...] = ()  # securitySchemes keys
    description: str | None = None
    pointer: str | None = None  # where it is written, for errors about it


@dataclass(frozen=True)
class SecuritySpec:
    key: str
    kind: Literal["bearer", "header", "query", "subprotocol", "unsupported"]
    name: str | None = None  # header / query name
    subprotocols: tuple[str, ...] = ()  # for "subprotocol": templates such as "openai-insecure-api-key.{apiKey}"
    description: str | None = None
    name_pointer: str | None = None  # where its header/query name (or subprotocol list) is written
    file: Path | None = None  # the file it is written in, when not the document's own (Fern's api.yml)


@dataclass(frozen=True)
class ChannelSpec:
    key: str
    address: str | None  # may hold {param} placeholders; None for 3.0 dynamic channels
    pointer: str
    protocol_ok: bool  # whether a WebSocket server serves it (ws/wss, or no servers declared at all)
    protocols: tuple[str, ...]  # protocols of its servers
    path_params: tuple[ParamSpec, ...] = ()
    query_params: tuple[ParamSpec, ...] = ()
    header_params: tuple[ParamSpec, ...] = ()
    messages: tuple[MessageSpec, ...] = ()
    servers: tuple[str, ...] = ()  # ServerSpec keys
    description: str | None = None
    address_pointer: str | None = None  # where the address is written (default: ``pointer``)

    @property
    def send(self) -> tuple[MessageSpec, ...]:
        return tuple(m for m in self.messages if m.direction == "send")

    @property
    def receive(self) -> tuple[MessageSpec, ...]:
        return tuple(m for m in self.messages if m.direction == "receive")


@dataclass(frozen=True)
class AsyncApiDocument:
    version: str
    title: str
    api_version: str
    description: str | None
    data: dict[str, Any]  # the bundled document (every external $ref inlined or rewritten to a local one)
    schemas: dict[str, Any]  # components.schemas of the bundled document
    servers: tuple[ServerSpec, ...]
    channels: tuple[ChannelSpec, ...]
    security: tuple[SecuritySpec, ...]
    warnings: tuple[str, ...] = field(default=())  # e.g. non-WebSocket channels that get no client
    # 3.0 ``reply``: client message pointer -> the server messages that answer it (the mock sends them)
    replies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
