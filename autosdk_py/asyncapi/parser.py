"""AsyncAPI 2.0-2.6 and 3.0 documents -> ``AsyncApiDocument`` (see ``spec.py``).

The document is bundled first (``bundle.py``: other files' schemas copied into
``components.schemas``), then read into the version-independent form.

Directions ("send" = client -> server, "receive" = server -> client; AutoSDK's reading):

* 3.0: an operation's ``action`` is the direction of its ``messages`` (all messages of its channel
  when the operation lists none). Its ``reply`` carries messages the other way: a ``send``
  operation's reply messages are ``receive`` and vice versa. The reply channel is ``reply.channel``,
  else the channel of the reply's message ``$ref``s, else the operation's channel; a reply without
  ``messages`` means all messages of that channel.
* 3.0 channels that no operation uses (neither as its channel nor as its reply channel): all their
  messages are ``receive`` (the document only says what the server emits). Messages of a channel
  that *has* operations but that no operation lists are left out, with a warning.
* 2.x: ``publish`` messages are ``send``, ``subscribe`` messages are ``receive``; ``message`` is a
  message or ``{oneOf: [...]}``. Message traits are applied with JSON Merge Patch (2.x: the trait
  wins, as the 2.x specification says; 3.0: the message's own fields win). Operation traits cannot
  change anything read here and are not applied.

Message tags: the (property, value) of a payload property with ``const`` or a one-value ``enum``,
looking through ``$ref`` and ``allOf`` (not ``oneOf``/``anyOf``: those are alternatives). When several
properties qualify, the first of ``type``, ``message_type``, ``event``, ``op``, ``action``, ``kind``
wins, else the first in document order.

Every problem is a ``SpecError`` with the file, the JSON pointer, the line where known and a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from ..errors import SpecError
from ..loader import Document
from ..schema.pointer import fragment_tokens, json_pointer, split_pointer
from ..schema.refs import DanglingRef, RefCycle, follow, ref_tokens
from .bundle import Bundle, bundle_document
from .spec import (
    AsyncApiDocument,
    ChannelSpec,
    Direction,
    MessageSpec,
    ParamSpec,
    SecuritySpec,
    ServerSpec,
)
from .validate import validate_asyncapi

TAG_PREFERENCE = ("type", "message_type", "event", "op", "action", "kind")
WEBSOCKET_PROTOCOLS = ("ws", "wss")
_BINARY_TYPES = re.compile(
    r"^(?:application/(?:octet-stream|x-protobuf|protobuf|vnd\.google\.protobuf|pdf|zip|gzip|cbor|msgpack|x-msgpack)"
    r"|audio/.*|video/.*|image/(?!svg).*)$"
)
_JSON_SCHEMA_FORMATS = re.compile(
    r"^application/(?:schema\+(?:json|yaml)|vnd\.aai\.asyncapi(?:\+(?:json|yaml))?|vnd\.oai\.openapi(?:\+(?:json|yaml))?)"
    r"(?:;.*)?$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PLACEHOLDER = re.compile(r"{([^{}]+)}")
_MISSING: Any = object()
_DIRECTIONS: tuple[Direction, ...] = ("send", "receive")


Perspective = Literal["client", "server"]


def parse_asyncapi(doc: Document, perspective: Perspective | None = None) -> AsyncApiDocument:
    """Bundle ``doc`` and read it into an ``AsyncApiDocument``; ``SpecError(s)`` on bad input.

    ``perspective`` is the application the document describes, which decides what its operations
    mean for the client:

    * 3.0 ``action``: ``client`` (AutoSDK's reading, the default for 3.0; OpenAI's and ElevenLabs'
      documents: ``send`` is what the client sends) or ``server`` (a document describing the server,
      as Gemini's and Slack's are: ``send`` is what the server sends).
    * 2.x ``publish``/``subscribe``: the 2.x specification defines them from the described
      application's users' side: ``publish`` is what they send to it. ``server`` (the default for 2.x,
      nearly every published 2.x document describes the server): ``publish`` is what the client sends;
      ``client`` (a document describing the client application): ``publish`` is what the client
      receives.
    """
    bundle = bundle_document(doc)
    validate_asyncapi(doc, bundle)  # every schema problem at once, before the first one read stops the parser
    if perspective is None:
        perspective = "client" if doc.version.startswith("3.") else "server"
    return _Parser(doc, bundle, perspective).parse()


@dataclass
class _Slot:
    """A message of a channel: its key there, where the key sits and where the message object is."""

    key: str
    slot_pointer: str
    pointer: str
    obj: dict[str, Any]


@dataclass
class _Channel:
    key: str
    pointer: str
    obj: dict[str, Any]
    slots: dict[str, _Slot] = field(default_factory=dict)
    directions: dict[str, list[Direction]] = field(default_factory=dict)  # message key -> directions
    used_by_operation: bool = False


class _Parser:
    def __init__(self, doc: Document, bundle: Bundle, perspective: Perspective = "client") -> None:
        self.perspective = perspective
        self.doc = doc
        self.bundle = bundle
        self.data = bundle.data
        self.v3 = doc.version.startswith("3.")
        self.warnings: list[str] = list(bundle.warnings)
        self.security: list[SecuritySpec] = []
        self.servers: list[ServerSpec] = []
        self.messages: dict[str, MessageSpec] = {}  # message pointer -> spec (direction filled in later)
        self.replies: dict[str, list[str]] = {}  # client message pointer -> pointers of the server's replies
        self.skipped: set[tuple[str, Any]] = set()  # (section, key) left out (remote $refs): others may name them
        self.default_content_type = self.data.get("defaultContentType")

    # --- errors and small readers --------------------------------------------------------------

    def error(self, message: str, pointer: str, hint: str | None = None) -> SpecError:
        return self.bundle.error(self.doc, message, pointer, hint)

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow a chain of local ``$ref``s; the value and its pointer."""
        try:
            resolved = follow(self.data, node, pointer)
        except RefCycle as exc:
            raise self.error(exc.message, exc.where + "/$ref", "point the $ref at an object") from None
        except DanglingRef as exc:  # pragma: no cover - the bundler reports dangling refs first
            raise self.error(f"dangling $ref: {exc.ref!r}", exc.where + "/$ref", "correct the reference") from None
        return resolved.value, resolved.pointer

    def ref_target(self, ref: str) -> str:
        """The canonical pointer a local ``$ref`` points to (keys holding ``/`` or ``.`` included, see bundle.py)."""
        tokens = ref_tokens(self.data, ref[1:])
        if tokens is None:
            try:
                tokens = fragment_tokens(ref[1:])
            except ValueError:
                return ref[1:]
        return json_pointer(*tokens)

    def skipped_remote(self, raw: Any, pointer: str, what: str) -> bool:
        """Whether the object at ``pointer`` was a remote ``$ref`` (now ``{}``): left out, with a note.

        A server, security scheme or operation cannot be read from ``{}`` (no protocol, type or action);
        the bundler already warned that the URL is not fetched, so it is skipped instead of refused.
        """
        _, where = self.deref(raw, pointer)
        url = self.bundle.remote.get(where)
        if url is None:
            return False
        self.warnings.append(f"{what} is the remote $ref {url!r}, which is not fetched: it is left out")
        tokens = split_pointer(pointer)
        self.skipped.add((tokens[-2], tokens[-1]))  # ("servers", "prod"), ("securitySchemes", "key")...
        return True

    def mapping(self, node: Any, pointer: str, what: str) -> dict[str, Any]:
        value, where = self.deref(node, pointer)
        if not isinstance(value, dict):
            raise self.error(
                f"{what} must be a mapping, not {_type_name(value)}", where, f"write {what} as a YAML/JSON object"
            )
        return value

    def optional_mapping(self, obj: dict[str, Any], key: str, pointer: str, what: str) -> dict[str, Any]:
        value = obj.get(key)
        if value is None:
            return {}
        return self.mapping(value, f"{pointer}/{_esc(key)}", what)

    def optional_list(self, obj: dict[str, Any], key: str, pointer: str, what: str) -> list[Any] | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self.error(
                f"{what} must be a list, not {_type_name(value)}",
                f"{pointer}/{_esc(key)}",
                "write it as a YAML/JSON list",
            )
        return value

    def optional_string(self, obj: dict[str, Any], key: str, pointer: str) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(
                f"'{key}' must be a string, not {_type_name(value)}", f"{pointer}/{_esc(key)}", "write it as a string"
            )
        return str(value)

    def required_string(self, obj: dict[str, Any], key: str, pointer: str, what: str, hint: str) -> str:
        value = self.optional_string(obj, key, pointer)
        if not value:
            raise self.error(f"{what} has no '{key}'", pointer, hint)
        return value

    # --- document ------------------------------------------------------------------------------

    def parse(self) -> AsyncApiDocument:
        info = self.optional_mapping(self.data, "info", "", "info")
        title = self.optional_string(info, "title", "/info") or self.doc.path.stem
        api_version = self.optional_string(info, "version", "/info") or ""
        description = self.optional_string(info, "description", "/info")
        if "channels" not in self.data:
            raise self.error(
                "the document has no 'channels'",
                "",
                "add a 'channels' mapping: the realtime client is generated from its channels and their messages",
            )
        channels_obj = self.mapping(self.data["channels"], "/channels", "'channels'")
        self.read_security_schemes()
        self.read_servers()
        channels = self.read_channels_v3(channels_obj) if self.v3 else self.read_channels_v2(channels_obj)
        components = self.data.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        return AsyncApiDocument(
            version=self.doc.version,
            title=title,
            api_version=api_version,
            description=description,
            data=self.data,
            schemas=schemas if isinstance(schemas, dict) else {},
            servers=tuple(self.servers),
            channels=tuple(channels),
            security=tuple(self.security),
            warnings=tuple(self.warnings),
            replies={k: tuple(v) for k, v in self.replies.items()},
        )

    # --- security schemes and servers ----------------------------------------------------------

    def read_security_schemes(self) -> None:
        components = self.optional_mapping(self.data, "components", "", "'components'")
        schemes = self.optional_mapping(components, "securitySchemes", "/components", "'components.securitySchemes'")
        for key, raw in schemes.items():
            pointer = f"/components/securitySchemes/{_esc(key)}"
            if self.skipped_remote(raw, pointer, f"security scheme '{key}'"):
                continue
            self.security.append(
                self.security_spec(key, self.mapping(raw, pointer, f"security scheme '{key}'"), pointer)
            )

    def security_spec(self, key: str, scheme: dict[str, Any], pointer: str) -> SecuritySpec:
        kind = self.optional_string(scheme, "type", pointer)
        description = self.optional_string(scheme, "description", pointer)
        templates = scheme.get("x-subprotocol-auth")
        if templates is not None:
            if not (isinstance(templates, list) and templates and all(isinstance(t, str) for t in templates)):
                raise self.error(
                    "'x-subprotocol-auth' must be a list of subprotocol strings",
                    pointer + "/x-subprotocol-auth",
                    "e.g. ['realtime', 'openai-insecure-api-key.{apiKey}']",
                )
            return SecuritySpec(
                key,
                "subprotocol",
                subprotocols=tuple(templates),
                description=description,
                name_pointer=pointer + "/x-subprotocol-auth",
            )
        if kind is None:
            raise self.error(
                f"security scheme '{key}' has no 'type'", pointer, "add a type such as http, httpApiKey or apiKey"
            )
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            return SecuritySpec(key, "bearer", description=description)
        location = scheme.get("in")
        name = self.optional_string(scheme, "name", pointer)
        if kind in ("httpApiKey", "apiKey") and location in ("header", "query") and name is not None:
            return SecuritySpec(
                key, cast(Any, location), name=name, description=description, name_pointer=pointer + "/name"
            )
        return SecuritySpec(key, "unsupported", name=name, description=description)

    def read_servers(self) -> None:
        servers = self.optional_mapping(self.data, "servers", "", "'servers'")
        known = {s.key: s for s in self.security}
        inline = 0
        for key, raw in servers.items():
            pointer = f"/servers/{_esc(key)}"
            if self.skipped_remote(raw, pointer, f"server '{key}'"):
                continue
            server = self.mapping(raw, pointer, f"server '{key}'")
            protocol = self.required_string(
                server, "protocol", pointer, f"server '{key}'", "add the protocol, e.g. 'protocol: wss'"
            ).lower()
            if self.v3:
                host = self.required_string(
                    server, "host", pointer, f"server '{key}'", "add the host, e.g. 'host: api.example.com'"
                )
                pathname = self.optional_string(server, "pathname", pointer) or ""
                if pathname and not pathname.startswith("/"):
                    pathname = "/" + pathname
                url = (host if _SCHEME.match(host) else f"{protocol}://{host}") + pathname
            else:
                url = self.required_string(
                    server, "url", pointer, f"server '{key}'", "add the url, e.g. 'url: wss://api.example.com'"
                )
                if not _SCHEME.match(url):
                    url = f"{protocol}://{url}"
            variables = self.optional_mapping(server, "variables", pointer, f"the variables of server '{key}'")
            params = tuple(
                self.variable(name, value, f"{pointer}/variables/{_esc(name)}") for name, value in variables.items()
            )
            security: list[str] = []
            for index, item in enumerate(self.optional_list(server, "security", pointer, "'security'") or ()):
                where = f"{pointer}/security/{index}"
                if self.v3:
                    scheme, target = self.deref(item, where)
                    tokens = split_pointer(target)
                    if tokens[:2] == ["components", "securitySchemes"] and len(tokens) == 3:
                        security.append(tokens[2])
                        continue
                    scheme = self.mapping(scheme, target, "a server security entry")
                    inline += 1
                    name = f"{key}_security_{index}"
                    while name in known:
                        name += "_"
                    spec = self.security_spec(name, scheme, target)
                    known[name] = spec
                    self.security.append(spec)
                    security.append(name)
                else:
                    requirement = self.mapping(item, where, "a security requirement")
                    for name in requirement:
                        if ("securitySchemes", name) in self.skipped:
                            continue
                        if name not in known:
                            raise self.error(
                                f"server '{key}' requires security scheme {name!r}, which components.securitySchemes "
                                "does not define",
                                f"{where}/{_esc(name)}",
                                _did_you_mean(name, list(known)) or "define it under components.securitySchemes",
                            )
                        security.append(name)
            self.servers.append(
                ServerSpec(
                    key=key,
                    url=url,
                    protocol=protocol,
                    variables=params,
                    security=tuple(dict.fromkeys(security)),
                    description=self.optional_string(server, "description", pointer),
                    pointer=pointer,
                )
            )

    def variable(self, name: str, raw: Any, pointer: str) -> ParamSpec:
        var = self.mapping(raw, pointer, f"server variable '{name}'") if raw is not None else {}
        enum = self.optional_list(var, "enum", pointer, "'enum'") or []
        default = var.get("default")
        schema: dict[str, Any] = {"type": "string"}
        if enum:
            schema["enum"] = list(enum)
        if default is not None:
            schema["default"] = default
        if isinstance(var.get("examples"), list):
            schema["examples"] = list(var["examples"])
        return ParamSpec(
            name=name,
            schema=schema,
            required=default is None,
            description=self.optional_string(var, "description", pointer),
            default=default,
            enum=tuple(enum),
            pointer=pointer,
        )

    # --- channels: common parts ----------------------------------------------------------------

    def channel_servers(self, channel: dict[str, Any], pointer: str, key: str) -> tuple[str, ...]:
        entries = self.optional_list(channel, "servers", pointer, "a channel's 'servers'")
        if not entries:
            return tuple(s.key for s in self.servers)
        known = [s.key for s in self.servers]
        result: list[str] = []
        for index, entry in enumerate(entries):
            where = f"{pointer}/servers/{index}"
            if self.v3:
                if not (isinstance(entry, dict) and isinstance(entry.get("$ref"), str)):
                    raise self.error(
                        f"channel '{key}': each entry of 'servers' must be a $ref to a server",
                        where,
                        "write it as {$ref: '#/servers/<name>'}",
                    )
                _, target = self.deref(entry, where)
                tokens = split_pointer(target)
                name = tokens[1] if len(tokens) == 2 and tokens[0] == "servers" else None
                if ("servers", name) in self.skipped:
                    continue
                if name is None or name not in known:
                    raise self.error(
                        f"channel '{key}': {entry['$ref']!r} is not a server under /servers",
                        where + "/$ref",
                        "point it at one of the servers: " + ", ".join(repr(f"#/servers/{k}") for k in known),
                    )
            else:
                if isinstance(entry, str) and ("servers", entry) in self.skipped:
                    continue
                if not isinstance(entry, str) or entry not in known:
                    raise self.error(
                        f"channel '{key}': {entry!r} is not one of the document's servers",
                        where,
                        _did_you_mean(str(entry), known) or "use a key of the top-level 'servers'",
                    )
                name = entry
            result.append(name)
        return tuple(dict.fromkeys(result))

    def protocols(self, server_keys: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        by_key = {s.key: s for s in self.servers}
        protocols = tuple(dict.fromkeys(by_key[k].protocol for k in server_keys if k in by_key))
        return protocols, not self.servers or any(p in WEBSOCKET_PROTOCOLS for p in protocols)

    def ws_params(self, channel: dict[str, Any], pointer: str, part: str) -> tuple[ParamSpec, ...]:
        bindings = self.optional_mapping(channel, "bindings", pointer, "'bindings'")
        if "ws" not in bindings:
            return ()
        ws = self.optional_mapping(bindings, "ws", f"{pointer}/bindings", "'bindings.ws'")
        if part not in ws:
            return ()
        where = f"{pointer}/bindings/ws/{part}"
        schema, schema_pointer = self.deref(ws[part], where)
        schema = self.mapping(schema, schema_pointer, f"bindings.ws.{part}")
        properties = self.optional_mapping(schema, "properties", schema_pointer, f"bindings.ws.{part}.properties")
        required: list[Any] = schema["required"] if isinstance(schema.get("required"), list) else []
        result = []
        for name, prop in properties.items():
            prop_pointer = f"{schema_pointer}/properties/{_esc(name)}"
            resolved = self.value_schema(prop, prop_pointer)
            enum: list[Any] = resolved["enum"] if isinstance(resolved.get("enum"), list) else []
            description = resolved.get("description")
            result.append(
                ParamSpec(
                    name=name,
                    schema=resolved,
                    required=name in required,
                    description=description if isinstance(description, str) else None,
                    default=resolved.get("default"),
                    enum=tuple(enum),
                    pointer=prop_pointer,
                )
            )
        return tuple(result)

    def value_schema(self, node: Any, pointer: str, depth: int = 0) -> dict[str, Any]:
        """The schema of a parameter's value with ``$ref``s and ``allOf`` followed.

        A parameter's type is read from its schema alone (client_ir, the docs and the mock do not follow
        references): a ``$ref`` to an enum must arrive as that enum, or the client would take any ``str``.
        Keywords written next to a ``$ref`` (a description, a default) win over the target's, as do a
        schema's own keywords over its ``allOf`` parts'.
        """
        resolved, where = self.deref(node, pointer)
        if not isinstance(resolved, dict) or depth > 16:  # allOf nesting that deep is a cycle
            return {}
        result: dict[str, Any] = {}
        parts = resolved.get("allOf")
        for index, part in enumerate(parts if isinstance(parts, list) else ()):
            for key, value in self.value_schema(part, f"{where}/allOf/{index}", depth + 1).items():
                result.setdefault(key, value)
        result.update((k, v) for k, v in resolved.items() if k not in ("allOf", "$ref"))
        if isinstance(node, dict) and node is not resolved:
            result.update((k, v) for k, v in node.items() if k != "$ref")
        return result

    def with_missing_placeholders(self, address: str | None, params: list[ParamSpec]) -> tuple[ParamSpec, ...]:
        declared = {p.name for p in params}
        for name in _PLACEHOLDER.findall(address or ""):
            if name not in declared:
                declared.add(name)
                params.append(ParamSpec(name=name, schema={"type": "string"}, required=True))
        return tuple(params)

    def finish_channel(
        self,
        key: str,
        address: str | None,
        pointer: str,
        channel: dict[str, Any],
        path_params: tuple[ParamSpec, ...],
        messages: list[MessageSpec],
    ) -> ChannelSpec:
        servers = self.channel_servers(channel, pointer, key)
        protocols, ok = self.protocols(servers)
        if not ok:
            self.warnings.append(
                f"channel '{key}' is served over {', '.join(protocols)}: only WebSocket channels (ws, wss) get a "
                "client; its models are still generated"
            )
        return ChannelSpec(
            key=key,
            address=address,
            address_pointer=f"{pointer}/address" if self.v3 else pointer,
            pointer=pointer,
            protocol_ok=ok,
            protocols=protocols,
            path_params=path_params,
            query_params=self.ws_params(channel, pointer, "query"),
            header_params=self.ws_params(channel, pointer, "headers"),
            messages=tuple(messages),
            servers=servers,
            description=self.optional_string(channel, "description", pointer),
        )

    # --- AsyncAPI 3.0 --------------------------------------------------------------------------

    def read_channels_v3(self, channels_obj: dict[str, Any]) -> list[ChannelSpec]:
        channels: dict[str, _Channel] = {}
        by_pointer: dict[str, str] = {}
        for key, raw in channels_obj.items():
            slot_pointer = f"/channels/{_esc(key)}"
            channel, pointer = self.deref(raw, slot_pointer)
            channel = self.mapping(channel, pointer, f"channel '{key}'")
            state = _Channel(key, pointer, channel)
            declared = self.optional_mapping(channel, "messages", pointer, f"the messages of channel '{key}'")
            for message_key, value in declared.items():
                where = f"{pointer}/messages/{_esc(message_key)}"
                obj, message_pointer = self.deref(value, where)
                obj = self.mapping(obj, message_pointer, f"message '{message_key}' of channel '{key}'")
                state.slots[message_key] = _Slot(message_key, where, message_pointer, obj)
            channels[key] = state
            by_pointer[slot_pointer] = key
            by_pointer.setdefault(pointer, key)
        operations = self.optional_mapping(self.data, "operations", "", "'operations'")
        for op_key, raw in operations.items():
            self.operation_v3(op_key, raw, channels, by_pointer)
        result: list[ChannelSpec] = []
        for state in channels.values():
            channel, pointer, key = state.obj, state.pointer, state.key
            if "address" in channel and channel["address"] is not None and not isinstance(channel["address"], str):
                raise self.error(
                    f"channel '{key}': 'address' must be a string or null, not {_type_name(channel['address'])}",
                    f"{pointer}/address",
                    "write the address as a string such as '/v1/stream/{id}'",
                )
            address = channel.get("address")
            if not state.used_by_operation:
                for slot in state.slots.values():
                    state.directions[slot.key] = ["receive"]
            messages: list[MessageSpec] = []
            for slot in state.slots.values():
                directions = state.directions.get(slot.key)
                if not directions:
                    self.warnings.append(
                        f"channel '{key}': message '{slot.key}' is not used by any operation, so it is left out of "
                        "the client"
                    )
                    continue
                messages += [self.message(slot, d) for d in _DIRECTIONS if d in directions]
            parameters = self.optional_mapping(channel, "parameters", pointer, f"the parameters of channel '{key}'")
            params = [
                self.parameter_v3(name, value, f"{pointer}/parameters/{_esc(name)}")
                for name, value in parameters.items()
            ]
            result.append(
                self.finish_channel(
                    key, address, pointer, channel, self.with_missing_placeholders(address, params), messages
                )
            )
        return result

    def parameter_v3(self, name: str, raw: Any, pointer: str) -> ParamSpec:
        param = self.mapping(raw, pointer, f"parameter '{name}'") if raw is not None else {}
        enum = self.optional_list(param, "enum", pointer, "'enum'") or []
        default = param.get("default")
        schema: dict[str, Any] = {"type": "string"}
        if enum:
            schema["enum"] = list(enum)
        if default is not None:
            schema["default"] = default
        if isinstance(param.get("examples"), list):
            schema["examples"] = list(param["examples"])
        return ParamSpec(
            name=name,
            schema=schema,
            required=True,
            location=self.optional_string(param, "location", pointer),
            description=self.optional_string(param, "description", pointer),
            default=default,
            enum=tuple(enum),
            pointer=pointer,
        )

    def channel_of(self, ref_holder: Any, pointer: str, by_pointer: dict[str, str], what: str) -> str:
        if not (isinstance(ref_holder, dict) and isinstance(ref_holder.get("$ref"), str)):
            raise self.error(f"{what} must be a $ref to a channel", pointer, "write it as {$ref: '#/channels/<name>'}")
        ref = ref_holder["$ref"]
        target = self.ref_target(ref) if ref.startswith("#") else ref
        key = by_pointer.get(target)
        if key is None:
            _, final = self.deref(ref_holder, pointer)
            key = by_pointer.get(final)
        if key is None:
            raise self.error(
                f"{what}: {ref!r} is not a channel under /channels",
                pointer + "/$ref",
                _did_you_mean_ref(target, [k for k in by_pointer if k.startswith("/channels/")])
                or "point it at one of the document's channels",
            )
        return key

    def operation_v3(self, op_key: str, raw: Any, channels: dict[str, _Channel], by_pointer: dict[str, str]) -> None:
        if self.skipped_remote(raw, f"/operations/{_esc(op_key)}", f"operation '{op_key}'"):
            return
        operation, pointer = self.deref(raw, f"/operations/{_esc(op_key)}")
        operation = self.mapping(operation, pointer, f"operation '{op_key}'")
        action = operation.get("action")
        if action is None:
            raise self.error(
                f"operation '{op_key}' has no 'action'",
                pointer,
                "add 'action: send' (the client sends these messages) or 'action: receive' (the server sends them)",
            )
        if action not in ("send", "receive"):
            raise self.error(
                f"operation '{op_key}': action {action!r} is neither 'send' nor 'receive'",
                f"{pointer}/action",
                "use 'send' (client -> server) or 'receive' (server -> client)",
            )
        if "channel" not in operation:
            raise self.error(
                f"operation '{op_key}' has no 'channel'", pointer, "add channel: {$ref: '#/channels/<name>'}"
            )
        channel_key = self.channel_of(
            operation["channel"], f"{pointer}/channel", by_pointer, f"the channel of operation '{op_key}'"
        )
        channel = channels[channel_key]
        channel.used_by_operation = True
        entries = self.optional_list(operation, "messages", pointer, f"the messages of operation '{op_key}'")
        if self.perspective == "server":
            action = "receive" if action == "send" else "send"
        requests = self.use_messages(channel, entries, f"{pointer}/messages", op_key, cast(Direction, action))
        if operation.get("reply") is None:
            return
        reply, reply_pointer = self.deref(operation["reply"], f"{pointer}/reply")
        reply = self.mapping(reply, reply_pointer, f"the reply of operation '{op_key}'")
        reply_entries = self.optional_list(reply, "messages", reply_pointer, f"the reply messages of '{op_key}'")
        if reply.get("channel") is not None:
            reply_key = self.channel_of(
                reply["channel"], f"{reply_pointer}/channel", by_pointer, f"the reply channel of operation '{op_key}'"
            )
        else:
            reply_key = next(
                (k for k in (self.channel_of_message_ref(e, by_pointer) for e in reply_entries or ()) if k),
                channel_key,
            )
        reply_channel = channels[reply_key]
        reply_channel.used_by_operation = True
        opposite: Direction = "receive" if action == "send" else "send"
        answers = self.use_messages(reply_channel, reply_entries, f"{reply_pointer}/messages", op_key, opposite)
        if action == "send":  # the client's request, answered by the server (whichever side the document takes)
            for request in (channel.slots[k].pointer for k in requests):
                known = self.replies.setdefault(request, [])
                known.extend(p for p in (reply_channel.slots[k].pointer for k in answers) if p not in known)

    def channel_of_message_ref(self, entry: Any, by_pointer: dict[str, str]) -> str | None:
        if isinstance(entry, dict) and isinstance(entry.get("$ref"), str) and entry["$ref"].startswith("#/"):
            tokens = split_pointer(self.ref_target(entry["$ref"]))
            if len(tokens) == 4 and tokens[0] == "channels" and tokens[2] == "messages":
                return by_pointer.get(json_pointer(*tokens[:2]))
        return None

    def use_messages(
        self, channel: _Channel, entries: list[Any] | None, pointer: str, op_key: str, direction: Direction
    ) -> list[str]:
        """Give the operation's messages (all of the channel's when it lists none) ``direction``; their keys."""
        keys = (
            list(channel.slots)
            if entries is None
            else [self.match_message(channel, entry, f"{pointer}/{i}", op_key, i) for i, entry in enumerate(entries)]
        )
        for key in keys:
            directions = channel.directions.setdefault(key, [])
            if direction not in directions:
                directions.append(direction)
        return keys

    def match_message(self, channel: _Channel, entry: Any, pointer: str, op_key: str, index: int) -> str:
        if isinstance(entry, dict) and isinstance(entry.get("$ref"), str):
            ref = entry["$ref"]
            target = self.ref_target(ref) if ref.startswith("#") else ref
            for slot in channel.slots.values():
                if target in (slot.slot_pointer, slot.pointer):
                    return slot.key
            obj, final = self.deref(entry, pointer)
            for slot in channel.slots.values():
                if final == slot.pointer:
                    return slot.key
            obj = self.mapping(obj, final, f"message {ref!r} of operation '{op_key}'")
            base = split_pointer(final)[-1] if final else f"{op_key}Message"
            self.warnings.append(
                f"operation '{op_key}': message {ref!r} is not one of channel '{channel.key}''s messages; "
                "it is used anyway"
            )
        elif isinstance(entry, dict):
            obj, final = entry, pointer
            base = str(entry.get("name") or f"{op_key}Message{index + 1}")
        else:
            raise self.error(
                f"operation '{op_key}': a message entry must be a $ref to a channel message, not {_type_name(entry)}",
                pointer,
                f"write it as {{$ref: '#/channels/{channel.key}/messages/<name>'}}",
            )
        for slot in channel.slots.values():
            if slot.pointer == final:
                return slot.key
        key = _unique(base, channel.slots)
        channel.slots[key] = _Slot(key, pointer, final, obj)
        return key

    # --- AsyncAPI 2.x --------------------------------------------------------------------------

    def read_channels_v2(self, channels_obj: dict[str, Any]) -> list[ChannelSpec]:
        result: list[ChannelSpec] = []
        for name, raw in channels_obj.items():
            channel, pointer = self.deref(raw, f"/channels/{_esc(name)}")
            channel = self.mapping(channel, pointer, f"channel {name!r}")
            slots: dict[str, _Slot] = {}
            ordered: list[tuple[str, Direction]] = []
            for op_name in channel:
                if op_name not in ("publish", "subscribe"):
                    continue
                direction: Direction = "send" if op_name == "publish" else "receive"
                if self.perspective == "client":  # the document describes the client: its users are servers
                    direction = "receive" if direction == "send" else "send"
                operation, op_pointer = self.deref(channel[op_name], f"{pointer}/{op_name}")
                operation = self.mapping(operation, op_pointer, f"the {op_name} operation of channel {name!r}")
                label = self.optional_string(operation, "operationId", op_pointer) or op_name
                for key in self.messages_v2(operation, op_pointer, label, slots):
                    if (key, direction) not in ordered:
                        ordered.append((key, direction))
            messages = [self.message(slots[key], direction) for key, direction in ordered]
            parameters = self.optional_mapping(channel, "parameters", pointer, f"the parameters of channel {name!r}")
            params = [
                self.parameter_v2(param, value, f"{pointer}/parameters/{_esc(param)}")
                for param, value in parameters.items()
            ]
            result.append(
                self.finish_channel(
                    name, name, pointer, channel, self.with_missing_placeholders(name, params), messages
                )
            )
        return result

    def messages_v2(self, operation: dict[str, Any], pointer: str, label: str, slots: dict[str, _Slot]) -> list[str]:
        """The keys of the operation's messages, added to ``slots`` (two different messages never share a key)."""
        if operation.get("message") is None:
            return []
        message, message_pointer = self.deref(operation["message"], f"{pointer}/message")
        message = self.mapping(message, message_pointer, f"the message of operation '{label}'")
        if "oneOf" in message:
            entries = message["oneOf"]
            if not isinstance(entries, list):
                raise self.error(
                    "'oneOf' must be a list of messages", f"{message_pointer}/oneOf", "write it as a YAML/JSON list"
                )
            items = [(entry, f"{message_pointer}/oneOf/{i}") for i, entry in enumerate(entries)]
        else:
            items = [(operation["message"], f"{pointer}/message")]
        result: list[str] = []
        for index, (entry, where) in enumerate(items):
            obj, final = self.deref(entry, where)
            obj = self.mapping(obj, final, f"a message of operation '{label}'")
            tokens = split_pointer(final)
            if len(tokens) == 3 and tokens[:2] == ["components", "messages"]:
                base = tokens[2]
            elif isinstance(entry, dict) and "$ref" in entry and tokens:
                base = tokens[-1]
            else:
                suffix = str(index + 1) if len(items) > 1 else ""
                base = str(obj.get("name") or obj.get("messageId") or f"{label}Message{suffix}")
            existing = slots.get(base)
            if existing is not None and existing.pointer == final:
                result.append(base)
                continue
            key = _unique(base, slots)
            slots[key] = _Slot(key, where, final, obj)
            result.append(key)
        return result

    def parameter_v2(self, name: str, raw: Any, pointer: str) -> ParamSpec:
        param = self.mapping(raw, pointer, f"parameter '{name}'") if raw is not None else {}
        schema = param.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise self.error(
                f"the schema of parameter '{name}' must be a mapping", f"{pointer}/schema", "write a JSON schema object"
            )
        resolved = self.value_schema(schema or {}, f"{pointer}/schema")
        enum: list[Any] = resolved["enum"] if isinstance(resolved.get("enum"), list) else []
        description = param.get("description", resolved.get("description"))
        location = self.optional_string(param, "location", pointer)
        return ParamSpec(
            name=name,
            schema=resolved,
            required=True,
            location=location,
            description=description if isinstance(description, str) else None,
            default=resolved.get("default"),
            enum=tuple(enum),
            pointer=pointer,
        )

    # --- messages ------------------------------------------------------------------------------

    def message(self, slot: _Slot, direction: Direction) -> MessageSpec:
        cached = self.messages.get(slot.pointer)
        if cached is None:
            cached = self.read_message(slot)
            self.messages[slot.pointer] = cached
        spec = cached if cached.key == slot.key else replace(cached, key=slot.key)
        return replace(spec, direction=direction)

    def read_message(self, slot: _Slot) -> MessageSpec:
        pointer = slot.pointer
        message = self.apply_traits(slot.obj, pointer)
        name = self.optional_string(message, "name", pointer) or slot.key
        payload: Any = message.get("payload")
        schema_format = self.optional_string(message, "schemaFormat", pointer)
        payload_pointer = f"{pointer}/payload"
        if isinstance(payload, dict) and "schema" in payload and "schemaFormat" in payload:  # 3.0 multi-format schema
            schema_format = str(payload["schemaFormat"])
            payload = payload["schema"]
            payload_pointer += "/schema"
        if schema_format and not _JSON_SCHEMA_FORMATS.match(schema_format):
            self.warnings.append(
                f"message '{name}': payload schemaFormat {schema_format!r} is not JSON Schema; the payload is untyped"
            )
            payload = None
        if isinstance(payload, bool):
            payload = {} if payload else None
        if payload is not None and not isinstance(payload, dict):
            raise self.error(
                f"the payload of message '{name}' must be a schema object, not {_type_name(payload)}",
                payload_pointer,
                "write the payload as a JSON schema or a $ref to #/components/schemas/<Name>",
            )
        payload_schema = _component_schema(payload)
        content_type = self.optional_string(message, "contentType", pointer) or (
            self.default_content_type if isinstance(self.default_content_type, str) else None
        )
        resolved: Any = self.deref(payload, payload_pointer)[0] if payload is not None else None
        resolved = resolved if isinstance(resolved, dict) else {}
        binary = (resolved.get("type") == "string" and resolved.get("format") == "binary") or bool(
            content_type and _BINARY_TYPES.match(content_type.split(";")[0].strip().lower())
        )
        return MessageSpec(
            key=slot.key,
            name=name,
            direction="receive",
            pointer=pointer,
            payload=payload,
            payload_schema=payload_schema,
            binary=binary,
            content_type=content_type,
            tag=self.find_tag(payload, payload_pointer) if payload is not None and not binary else None,
            summary=self.optional_string(message, "summary", pointer),
            description=self.optional_string(message, "description", pointer),
            examples=self.examples(message, resolved),
        )

    def apply_traits(self, message: dict[str, Any], pointer: str) -> dict[str, Any]:
        traits = self.optional_list(message, "traits", pointer, "'traits'")
        if not traits:
            return message
        resolved = [self.mapping(t, f"{pointer}/traits/{i}", "a message trait") for i, t in enumerate(traits)]
        own = {k: v for k, v in message.items() if k != "traits"}
        if self.v3:  # the message's own fields win over its traits
            merged: dict[str, Any] = {}
            for trait in resolved:
                merged = cast(dict[str, Any], _merge_patch(merged, trait))
            for key, value in own.items():
                merged[key] = _merge_patch(merged[key], value) if isinstance(merged.get(key), dict) else value
            return merged
        result = dict(own)  # 2.x: JSON Merge Patch of each trait onto the message
        for trait in resolved:
            for key, value in trait.items():
                result[key] = _merge_patch(result.get(key), value)
        return result

    def examples(self, message: dict[str, Any], payload: dict[str, Any]) -> tuple[Any, ...]:
        found: list[Any] = []
        for example in message.get("examples") or ():
            if isinstance(example, dict) and "payload" in example:
                found.append(example["payload"])
        schema_examples = payload.get("examples")
        if isinstance(schema_examples, list):
            found.extend(schema_examples)
        if "example" in payload:
            found.append(payload["example"])
        unique: list[Any] = []
        for value in found:
            if value not in unique:
                unique.append(value)
        return tuple(unique)

    def find_tag(self, schema: Any, pointer: str) -> tuple[str, Any] | None:
        found: dict[str, Any] = {}
        seen: set[str] = set()

        def visit(node: Any, where: str) -> None:
            node, where = self.deref(node, where)
            if not isinstance(node, dict) or where in seen:
                return
            seen.add(where)
            properties = node.get("properties")
            if isinstance(properties, dict):
                for name, prop in properties.items():
                    if name not in found:
                        value = self.single_value(prop, f"{where}/properties/{_esc(name)}", set())
                        if value is not _MISSING:
                            found[name] = value
            for index, part in enumerate(node.get("allOf") or ()):
                visit(part, f"{where}/allOf/{index}")

        visit(schema, pointer)
        for name in TAG_PREFERENCE:
            if name in found:
                return name, found[name]
        return next(iter(found.items()), None)

    def single_value(self, node: Any, pointer: str, seen: set[str]) -> Any:
        node, pointer = self.deref(node, pointer)
        if not isinstance(node, dict) or pointer in seen:
            return _MISSING
        seen.add(pointer)
        if "const" in node:
            return node["const"]
        enum = node.get("enum")
        if isinstance(enum, list) and len(enum) == 1:
            return enum[0]
        for index, part in enumerate(node.get("allOf") or ()):
            value = self.single_value(part, f"{pointer}/allOf/{index}", seen)
            if value is not _MISSING:
                return value
        return _MISSING


# --- helpers -------------------------------------------------------------------------------------


def _esc(token: str) -> str:
    return json_pointer(token)[1:]


def _type_name(value: object) -> str:
    names: dict[type, str] = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _component_schema(payload: Any) -> str | None:
    if isinstance(payload, dict) and isinstance(payload.get("$ref"), str) and payload["$ref"].startswith("#/"):
        tokens = fragment_tokens(payload["$ref"][1:])
        if len(tokens) == 3 and tokens[:2] == ["components", "schemas"]:
            return tokens[2]
    return None


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch (returns new containers, never mutates)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def _unique(base: str, taken: dict[str, Any]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, candidates, n=3)
    return ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else None


def _did_you_mean_ref(target: str, candidates: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(target, candidates, n=3)
    return ("did you mean " + " or ".join(repr("#" + c) for c in close) + "?") if close else None
