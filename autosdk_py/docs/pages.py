"""The content of the reference pages, computed here so the templates only loop and test flags.

Every string of these dataclasses is final Markdown (table cells already escaped, anchors already
numbered the way GitHub numbers duplicate headings).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..asyncapi.client_ir import ChannelClient, ConnectParam, RealtimeIR, SendMethod, is_text_message
from ..asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec, ParamSpec, SecuritySpec, ServerSpec
from ..loader import split_pointer
from ..naming import snake_case, unique
from .markdown import Anchors, cell, code, first_sentence, json_text, oneline
from .schemas import FieldRow, SchemaText


@dataclass(frozen=True)
class ParamRow:
    name: str
    python: str  # "" when no client is generated
    type: str
    required: str
    description: str


@dataclass(frozen=True)
class SummaryRow:
    message: str  # link to the message's section
    tag: str
    python: str
    summary: str


@dataclass(frozen=True)
class MessageDoc:
    heading: str
    tag: str  # e.g. "`type`: `\"session.update\"`", "" when untagged
    summary: str
    description: str
    python: str  # a Python snippet (send) or "" (receive: see python_note)
    python_note: str
    payload: str  # a sentence about the payload
    payload_description: str  # the description of a named payload type
    fields: tuple[FieldRow, ...]
    example: str  # JSON text, "" when there is none
    example_label: str


@dataclass(frozen=True)
class TypeDoc:
    heading: str
    description: str
    fields: tuple[FieldRow, ...]


@dataclass(frozen=True)
class ChannelPage:
    filename: str
    title: str
    subtitle: str
    description: str
    notes: tuple[str, ...]
    contents: str  # one line of links to the sections
    quickstart: str  # Python code, "" when no client is generated
    quickstart_notes: tuple[str, ...]
    handshake: tuple[tuple[str, str], ...]  # (label, Markdown) rows: URL, method or protocol
    url_notes: tuple[str, ...]
    path_params: tuple[ParamRow, ...]
    query_params: tuple[ParamRow, ...]
    headers: tuple[ParamRow, ...]
    auth: tuple[str, ...]
    send_rows: tuple[SummaryRow, ...]
    sends: tuple[MessageDoc, ...]
    receive_intro: tuple[str, ...]
    receive_rows: tuple[SummaryRow, ...]
    receives: tuple[MessageDoc, ...]
    types: tuple[TypeDoc, ...]
    has_client: bool


@dataclass(frozen=True)
class IndexRow:
    channel: str  # link to the page
    address: str
    client: str
    messages: str
    description: str


@dataclass(frozen=True)
class IndexPage:
    title: str
    version: str
    description: str
    package: str
    rows: tuple[IndexRow, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Naming:
    """How the generated package is known to Python."""

    package: str  # where the clients are imported from
    models_module: str  # where the payload classes are imported from
    payload_class: Mapping[str, str]  # message pointer -> payload class name


def page_filenames(api: AsyncApiDocument) -> dict[str, str]:
    """Channel key -> its page's file name (snake_case of the key, never the index's name)."""
    taken = {"readme"}
    return {c.key: unique(snake_case(c.key).strip("_") or "channel", taken) + ".md" for c in api.channels}


def build_pages(
    api: AsyncApiDocument, ir: RealtimeIR, naming: Naming, schemas: Mapping[str, Any], class_names: Mapping[str, str]
) -> tuple[IndexPage, list[ChannelPage]]:
    clients = {c.key: c for c in ir.channels}
    filenames = page_filenames(api)
    pages: list[ChannelPage] = []
    for channel in api.channels:
        text = SchemaText(api.data, schemas, class_names)
        builder = _PageBuilder(api, channel, clients.get(channel.key), naming, text, filenames[channel.key])
        builder.build()  # first pass: which named types the page links to
        builder.close_types()
        builder.assign_anchors()
        pages.append(builder.build())  # second pass: the same text, now with anchors
    rows = []
    for channel, page in zip(api.channels, pages, strict=True):
        client = clients.get(channel.key)
        count = f"{len(channel.send)} send, {len(channel.receive)} receive"
        rows.append(
            IndexRow(
                channel=f"[{cell(page.title)}]({page.filename})",
                address=cell(code(channel.address)) if channel.address else "(dynamic)",
                client=code(client.client_class) if client else "none (" + _no_client_reason(channel) + ")",
                messages=count,
                description=cell(first_sentence(channel.description)),
            )
        )
    index = IndexPage(
        title=api.title,
        version=api.api_version,
        description=(api.description or "").strip(),
        package=naming.package,
        rows=tuple(rows),
        notes=tuple(oneline(n) for n in ir.notes),
    )
    return index, pages


def _no_client_reason(channel: ChannelSpec) -> str:
    if channel.address is None:
        return "no address"
    return "served over " + ", ".join(sorted(set(channel.protocols))) if channel.protocols else "not WebSocket"


class _PageBuilder:
    def __init__(
        self,
        api: AsyncApiDocument,
        channel: ChannelSpec,
        client: ChannelClient | None,
        naming: Naming,
        text: SchemaText,
        filename: str,
    ) -> None:
        self.api = api
        self.channel = channel
        self.client = client
        self.naming = naming
        self.text = text
        self.filename = filename
        self.message_anchors: dict[str, str] = {}  # message pointer + direction -> anchor
        self.section_anchors: dict[str, str] = {}
        self.types: list[str] = []  # schema names of the Types section, sorted by class name
        channel_obj = _at(api.data, channel.pointer)
        title = channel_obj.get("title") if isinstance(channel_obj, Mapping) else None
        self.title = oneline(title) if isinstance(title, str) and title.strip() else channel.key

    # --- layout --------------------------------------------------------------------------------

    def close_types(self) -> None:
        """Every named object type the payloads link to, and those these link to, in turn."""
        done: set[str] = set()
        while True:
            pending = [n for n in self.text.referenced if n not in done]
            if not pending:
                break
            for name in pending:
                done.add(name)
                self.text.rows({"$ref": "#/components/schemas/" + _escape(name)})
        self.types = sorted(done, key=lambda n: (self.text.class_name(n), n))

    def assign_anchors(self) -> None:
        """Number the headings in the order the template writes them."""
        anchors = Anchors()
        anchors.add(self.title)
        if self.client is not None:
            anchors.add("Python quick start")
        self.section_anchors["handshake"] = anchors.add("Handshake")
        if self._path_params():
            anchors.add("Path parameters")
        if self._query_params():
            anchors.add("Query parameters")
        if self._headers():
            anchors.add("Headers")
        anchors.add("Auth")
        self.section_anchors["send"] = anchors.add("Send")
        for m in self.channel.send:
            self.message_anchors["send" + m.pointer] = anchors.add(m.name)
        self.section_anchors["receive"] = anchors.add("Receive")
        for m in self.channel.receive:
            self.message_anchors["receive" + m.pointer] = anchors.add(m.name)
        if self.types:
            self.section_anchors["types"] = anchors.add("Types")
        for name in self.types:
            self.text.anchors[name] = anchors.add(self.text.class_name(name))

    # --- the page ------------------------------------------------------------------------------

    def build(self) -> ChannelPage:
        channel, client = self.channel, self.client
        notes: list[str] = []
        if client is None:
            if channel.address is None:
                notes.append(
                    "This channel has no address (an AsyncAPI 3.0 dynamic channel): "
                    "no client is generated for it; its payload models are."
                )
            else:
                protocols = ", ".join(sorted(set(channel.protocols))) or "a non-WebSocket protocol"
                notes.append(
                    f"This channel is served over {protocols}, not WebSocket: no client is generated for it; "
                    "its payload models are."
                )
        sections = ["handshake", "send", "receive"] + (["types"] if self.types else [])
        contents = " · ".join(f"[{s.capitalize()}](#{self.section_anchors.get(s, '')})" for s in sections)
        sends = tuple(self._message(m) for m in channel.send)
        receives = tuple(self._message(m) for m in channel.receive)
        return ChannelPage(
            filename=self.filename,
            title=self.title,
            subtitle=self._subtitle(),
            description=(channel.description or "").strip(),
            notes=tuple(notes),
            contents=contents,
            quickstart=self._quickstart(),
            quickstart_notes=self._quickstart_notes(),
            handshake=self._handshake(),
            url_notes=self._url_notes(),
            path_params=self._path_params(),
            query_params=self._query_params(),
            headers=self._headers(),
            auth=self._auth(),
            send_rows=tuple(self._summary_row(m) for m in channel.send),
            sends=sends,
            receive_intro=self._receive_intro(),
            receive_rows=tuple(self._summary_row(m) for m in channel.receive),
            receives=receives,
            types=tuple(self._type(n) for n in self.types),
            has_client=client is not None,
        )

    def _subtitle(self) -> str:
        api = " ".join(p for p in (self.api.title, self.api.api_version) if p)
        where = f"Channel {code(self.channel.key)} of {api}"
        counts = f"{len(self.channel.send)} client message(s), {len(self.channel.receive)} server message(s)"
        return f"{where} · {counts}."

    # --- Python --------------------------------------------------------------------------------

    def _quickstart(self) -> str:
        client = self.client
        if client is None:
            return ""
        lines = [f"from {self.naming.package} import {client.client_class}"]
        first = client.sends[0] if client.sends else None
        first_message = self.channel.send[0] if self.channel.send else None
        if first is not None and first.kind not in ("bytes", "text"):
            lines.append(f"from {self.naming.models_module} import {first.annotation}")
        lines.append("")
        key = 'api_key="..."' if client.auth is not None else ""
        args = ", ".join(f"{p.name}={self._param_example(p)}" for p in client.required_params)
        lines.append(f"with {client.client_class}({key}).connect({args}) as ws:")
        if first is not None and first_message is not None:
            lines.append(f"    {self._send_call(first_message, first.name, first.annotation, first.kind)}")
        lines.append("    for message in ws:  # or: message = ws.recv()")
        lines.append("        print(message)")
        return "\n".join(lines)

    def _quickstart_notes(self) -> tuple[str, ...]:
        client = self.client
        if client is None:
            return ()
        notes = []
        if client.auth is not None:
            notes.append(
                f"The API key comes from `api_key=`, else from the {code(client.auth.env_var)} environment variable."
            )
        notes.append(
            f"Asyncio: {code(client.async_client_class)}, with `async with client.connect(...) as ws`, "
            "`await ws.send_...(...)` and `async for message in ws`."
        )
        return tuple(notes)

    def _param_example(self, param: ConnectParam) -> str:
        spec = self._param_spec(param.location, param.wire_name)
        schema = spec.schema if spec is not None else {"type": "string"}
        value: Any = None
        for candidate in (schema.get("examples"), schema.get("enum"), spec.enum if spec else None):
            if isinstance(candidate, list | tuple) and candidate and candidate[0] is not None:
                value = candidate[0]
                break
        if value is None and schema.get("const") is not None:
            value = schema["const"]
        if value is None:
            kind = schema.get("type")
            value = 0 if kind == "integer" else 0.0 if kind == "number" else False if kind == "boolean" else "..."
        return repr(value) if not isinstance(value, str) else json.dumps(value)

    def _send_call(self, message: MessageSpec, method: str, annotation: str, kind: str) -> str:
        if kind == "bytes":
            return f'ws.{method}(b"...")'
        if kind == "text":
            value = json.dumps(self._text_value(message), ensure_ascii=False)
            return f"ws.{method}({value})  # plain text: sent as the string itself, not JSON"
        if kind == "json":
            return f"ws.{method}(value)  # value: {annotation}"
        return f"ws.{method}({annotation}(...))"

    # --- handshake -----------------------------------------------------------------------------

    def _server(self) -> ServerSpec | None:
        servers = {s.key: s for s in self.api.servers}
        candidates = [servers[k] for k in self.channel.servers if k in servers] or list(self.api.servers)
        if self.client is not None:
            for server in candidates:
                if server.protocol in ("ws", "wss"):
                    return server
        return candidates[0] if candidates else None

    def _handshake(self) -> tuple[tuple[str, str], ...]:
        rows = [("URL", cell(code(self._url())))]
        if self.channel.address is None:
            rows.append(("Address", "set at run time (a dynamic channel)"))
        server = self._server()
        protocol = server.protocol if server is not None else "ws"
        if protocol in ("ws", "wss"):
            rows.append(("Method", "`GET`, upgraded to WebSocket (`101 Switching Protocols`)"))
        else:
            rows.append(("Protocol", code(protocol)))
        return tuple(rows)

    def _url(self) -> str:
        server = self._server()
        base = self.client.default_base_url if self.client is not None else server.url if server else ""
        address = self.channel.address
        if address is None:
            return base or "ws://localhost"
        return _join_url(base or "ws://localhost", address)

    def _url_notes(self) -> tuple[str, ...]:
        notes = []
        server = self._server()
        if server is None:
            notes.append("The document declares no server; the host above is a placeholder.")
        elif server.description:
            notes.append(f"Server {code(server.key)} ({server.protocol}): {oneline(server.description)}")
        if self.client is not None:
            notes.append(
                f"The client connects to `base_url=`, else to the {code(self.client.base_url_env)} environment "
                "variable, else to the URL above; `None` parameters are left out."
            )
        return tuple(notes)

    def _param_spec(self, location: str, wire_name: str) -> ParamSpec | None:
        server = self._server()
        pools: dict[str, Sequence[ParamSpec]] = {
            "path": self.channel.path_params,
            "server": server.variables if server else (),
            "query": (*self.channel.query_params, *(server.variables if server else ())),
            "header": self.channel.header_params,
        }
        return next((p for p in pools.get(location, ()) if p.name == wire_name), None)

    def _rows_for(self, locations: tuple[str, ...]) -> tuple[ParamRow, ...]:
        if self.client is not None:
            rows = []
            for p in self.client.params:
                if p.location in locations:
                    spec = self._param_spec(p.location, p.wire_name)
                    rows.append(self._param_row(spec, p.wire_name, p.required, p))
            return tuple(rows)
        return tuple(
            self._param_row(spec, spec.name, required, None) for spec, required in self._spec_params(locations)
        )

    def _spec_params(self, locations: tuple[str, ...]) -> list[tuple[ParamSpec, bool]]:
        """Parameters of a channel without a client, in document order."""
        out: list[tuple[ParamSpec, bool]] = []
        server = self._server()
        address = self.channel.address or ""
        if "path" in locations:
            declared = {p.name: p for p in self.channel.path_params}
            for name in re.findall(r"{([^}]+)}", address):
                out.append((declared.get(name) or ParamSpec(name, {"type": "string"}, True), True))
        for var in server.variables if server else ():
            in_url = "{" + var.name + "}" in server.url if server else False
            if ("server" if in_url else "query") in locations:
                out.append((var, var.default is None))
        if "query" in locations:
            out += [(p, p.required) for p in self.channel.query_params]
        if "header" in locations:
            out += [(p, p.required) for p in self.channel.header_params]
        return out

    def _param_row(self, spec: ParamSpec | None, wire: str, required: bool, param: ConnectParam | None) -> ParamRow:
        schema: Mapping[str, Any] = spec.schema if spec is not None else {"type": "string"}
        description = self.text.description({**schema, "description": spec.description if spec else None})
        server = self._server()
        if server is not None and any(v.name == wire for v in server.variables):
            description = ("Server variable. " + description).strip()
        python = ""
        if param is not None:
            python = code(f"{param.name}: {param.annotation}")
            if not param.required and param.default != "None":
                python = code(f"{param.name}: {param.annotation} = {param.default}")
        return ParamRow(
            name=code(wire),
            python=cell(python),
            type=cell(self.text.type_text(schema) if schema else "string"),
            required="yes" if required else "no",
            description=cell(description),
        )

    def _path_params(self) -> tuple[ParamRow, ...]:
        return self._rows_for(("path", "server"))

    def _query_params(self) -> tuple[ParamRow, ...]:
        return self._rows_for(("query",))

    def _headers(self) -> tuple[ParamRow, ...]:
        return self._rows_for(("header",))

    def _auth(self) -> tuple[str, ...]:
        server = self._server()
        by_key = {s.key: s for s in self.api.security}
        keys = server.security if server is not None and server.security else tuple(by_key)
        schemes = [by_key[k] for k in keys if k in by_key]
        lines: list[str] = []
        if not schemes:
            lines.append(
                "None declared: the client sends no credentials of its own "
                "(add them with `extra_headers=` / `extra_query=` if the server needs them)."
            )
            return tuple(lines)
        for scheme in schemes:
            lines.append(_scheme_line(scheme))
        auth = self.client.auth if self.client is not None else None
        if auth is not None:
            if len([s for s in schemes if s.kind != "unsupported"]) > 1:
                order = (
                    "the subprotocol when `use_subprotocol_auth=True` is passed to `connect()`, else "
                    if (auth.subprotocols and not auth.subprotocol_only)
                    else ""
                )
                lines.append(f"The client sends the key one way: {order}the first of bearer, header, query.")
            lines.append(
                f"The client reads the key from `api_key=`, else from the {code(auth.env_var)} environment variable."
            )
        return tuple(lines)

    # --- messages ------------------------------------------------------------------------------

    def _summary_row(self, message: MessageSpec) -> SummaryRow:
        anchor = self.message_anchors.get(message.direction + message.pointer, "")
        python = ""
        if self.client is not None:
            if message.direction == "send":
                method = self._send_method(message)
                python = code(f"ws.{method.name}(...)") if method is not None else ""
            else:
                python = code(self._recv_type(message))
        return SummaryRow(
            message=f"[{cell(message.name)}](#{anchor})",
            tag=cell(code(json_text(message.tag[1]))) if message.tag else "",
            python=cell(python),
            summary=cell(self._row_summary(message)),
        )

    def _summary(self, message: MessageSpec) -> str:
        """The message's summary, else its title, unless that only repeats its name or tag."""
        obj = _at(self.api.data, message.pointer)
        title = obj.get("title") if isinstance(obj, Mapping) else None
        repeats = {message.name, message.key, str(message.tag[1]) if message.tag else ""}
        for text in (message.summary, title if isinstance(title, str) else None):
            if text and oneline(text) not in repeats:
                return oneline(text)
        return ""

    def _row_summary(self, message: MessageSpec) -> str:
        return first_sentence(self._summary(message) or message.description or self._payload_description(message, ""))

    def _send_method(self, message: MessageSpec) -> SendMethod | None:
        if self.client is None:
            return None
        index = next(i for i, m in enumerate(self.channel.send) if m is message)
        return self.client.sends[index] if index < len(self.client.sends) else None

    def _recv_type(self, message: MessageSpec) -> str:
        if message.binary:
            return "bytes"
        name = self.naming.payload_class.get(message.pointer)
        return name if name is not None else "UnknownMessage"

    def _text_value(self, message: MessageSpec) -> str:
        """The text of a plain-text message to show: its example, else one made up from the schema."""
        for value in (*message.examples[:1], self.text.example(message.payload) if message.payload else None):
            if isinstance(value, str):
                return value
        return "..."

    def _plain_text(self, message: MessageSpec) -> bool:
        return is_text_message(message, self.api.data)

    def _receive_intro(self) -> tuple[str, ...]:
        client = self.client
        if client is None:
            return ()
        lines = []
        texts = [m for m in self.channel.receive if self._plain_text(m)]
        if client.tag is not None:
            lines.append(
                f"`ws.recv()` (and `for message in ws`) returns each server message as the class below that its "
                f"{code(client.tag)} field names. A message with an unknown {code(client.tag)} arrives as "
                "`UnknownMessage` (`.type`, `.raw`), as does one that does not validate (`.error` says why)."
            )
        elif client.json_receives:
            lines.append(
                "The server messages share no tag field with one value each, so `ws.recv()` matches each frame "
                "against the classes below: a class takes it only when the frame holds every constant field of "
                "the class with its value and validates (a class without constant fields: when every key of the "
                "frame is one of its fields). Exactly one match, or the one with the most constant fields, is "
                "returned; no match or a tie arrives as `UnknownMessage` (`.raw`, `.error` says why), never as "
                "a mis-typed class."
            )
        elif not texts:
            lines.append("No JSON server message is declared: `ws.recv()` returns each text frame as `UnknownMessage`.")
        if texts:
            names = ", ".join(code(m.name) for m in texts)
            lines.append(
                f"Plain-text server messages ({names}) are not JSON: the frame is the text itself. A text frame "
                "that no JSON message decodes is matched by its text against them (their constant, enum or "
                "pattern; one that takes any text takes only a frame that is not JSON) and arrives as the `str` "
                "itself when exactly one matches, else as `UnknownMessage`."
            )
        if client.receives_binary or any(m.binary for m in self.channel.receive):
            lines.append("Binary frames arrive as `bytes`.")
        return tuple(lines)

    def _message(self, message: MessageSpec) -> MessageDoc:
        python, note = "", ""
        class_name = self.naming.payload_class.get(message.pointer)
        plain = self._plain_text(message)
        if self.client is not None:
            if message.direction == "send":
                method = self._send_method(message)
                if method is not None:
                    python = self._send_call(message, method.name, method.annotation, method.kind)
                if plain:
                    note = "Sent as a plain-text frame: the string itself, not JSON-encoded."
            elif message.binary:
                note = "Arrives from `ws.recv()` as `bytes`."
            elif class_name is not None and plain:
                note = (
                    f"Arrives from `ws.recv()` as the `str` itself (typed {code(class_name)}): the frame is plain text."
                )
            elif class_name is not None:
                tag = ""
                if self.client.tag is not None and message.tag is not None:
                    tag = f" (`message.{self.client.tag} == {json_text(message.tag[1])}`)"
                note = f"Arrives from `ws.recv()` as {code(class_name)}{tag}."
            else:
                note = "Arrives from `ws.recv()` as `UnknownMessage`."
        payload, fields = self._payload(message, class_name)
        example, label = self._example(message)
        summary = self._summary(message)
        description = (message.description or "").strip()
        if summary and oneline(description) == summary:
            description = ""
        return MessageDoc(
            heading=message.name,
            tag=f"{code(message.tag[0])}: {code(json_text(message.tag[1]))}" if message.tag else "",
            summary=summary,
            description=description,
            python=python,
            python_note=note,
            payload=payload,
            payload_description=self._payload_description(message, description),
            fields=tuple(fields),
            example=example,
            example_label=label,
        )

    def _payload(self, message: MessageSpec, class_name: str | None) -> tuple[str, list[FieldRow]]:
        if message.binary:
            kind = message.content_type or "binary"
            return f"Payload: binary frame ({code(kind)}).", []
        if message.payload is None:
            return "Payload: none declared.", []
        rows = self.text.rows(message.payload)
        where = f" ({code(self.naming.models_module)})" if class_name else ""
        if self._plain_text(message):
            kind = self.text.type_text(message.payload)
            name = f"{code(class_name)}{where}: " if class_name else ""
            example = self._text_value(message)
            return (
                f"Payload: {name}{kind}, as plain text ({code(message.content_type or 'text/plain')}): the frame is "
                f"the text itself (e.g. {code(example)}), not JSON.",
                [],
            )
        if rows:
            name = code(class_name) if class_name else "an object"
            return f"Payload: {name}{where}.", rows
        kind = self.text.type_text(message.payload)
        if class_name:
            return f"Payload: {code(class_name)}{where}: {kind}.", []
        return f"Payload: {kind}.", []

    def _payload_description(self, message: MessageSpec, shown: str) -> str:
        if message.payload_schema is None or message.binary:
            return ""
        schema = self.text.schemas.get(message.payload_schema)
        text = schema.get("description") if isinstance(schema, Mapping) else None
        if not isinstance(text, str) or not text.strip() or oneline(text) in (oneline(shown), self._summary(message)):
            return ""
        return text.strip()

    def _example(self, message: MessageSpec) -> tuple[str, str]:
        if message.binary or message.payload is None or self._plain_text(message):
            return "", ""  # a plain-text message's example is in its payload sentence: it is no JSON
        if message.examples:
            return json.dumps(message.examples[0], indent=2, ensure_ascii=False), "Example"
        value = self.text.example(message.payload)
        if message.tag is not None and isinstance(value, dict) and message.tag[0] not in value:
            value = {message.tag[0]: message.tag[1], **value}
        return json.dumps(value, indent=2, ensure_ascii=False), "Example (made up from the schema)"

    def _type(self, name: str) -> TypeDoc:
        schema = self.text.resolve({"$ref": "#/components/schemas/" + _escape(name)})
        description = schema.get("description") if isinstance(schema, Mapping) else None
        return TypeDoc(
            heading=self.text.class_name(name),
            description=description.strip() if isinstance(description, str) else "",
            fields=tuple(self.text.rows({"$ref": "#/components/schemas/" + _escape(name)})),
        )


def _scheme_line(scheme: SecuritySpec) -> str:
    about = f" {oneline(scheme.description)}" if scheme.description else ""
    if scheme.kind == "bearer":
        return f"**Bearer token** ({code(scheme.key)}): header `Authorization: Bearer <api key>`.{about}"
    if scheme.kind == "header":
        return f"**API key header** ({code(scheme.key)}): header {code(f'{scheme.name}: <api key>')}.{about}"
    if scheme.kind == "query":
        return f"**API key query parameter** ({code(scheme.key)}): {code(f'?{scheme.name}=<api key>')}.{about}"
    if scheme.kind == "subprotocol":
        protocols = ", ".join(code(p.replace("{apiKey}", "<api key>")) for p in scheme.subprotocols)
        return f"**Subprotocol** ({code(scheme.key)}): `Sec-WebSocket-Protocol` {protocols}.{about}"
    return f"**{scheme.key}**: not handled by the generated client.{about}"


def _join_url(base: str, address: str) -> str:
    """``base`` + ``address`` the way the client joins them (the base's query string stays last)."""
    base_part, _, query = base.partition("?")
    scheme, sep, rest = base_part.partition("://")
    host, slash, base_path = rest.partition("/")
    base_path = ("/" + base_path).rstrip("/") if slash else ""
    if address and base_path and (address == base_path or address.startswith(base_path + "/")):
        path = address
    else:
        path = base_path + ("/" + address.lstrip("/") if address.strip("/") else "")
    return f"{scheme}{sep}{host}{path or '/'}" + (f"?{query}" if query else "")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _at(data: Any, pointer: str) -> Any:
    node = data
    try:
        for token in split_pointer(pointer):
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return node
