"""The schema rules (``autosdk_py.schema_rules``) applied to a bundled AsyncAPI 2.x/3.0 document.

The parts the parser reads are checked, every problem at once, before any of them is read: the
JSON schemas of ``components.schemas``, message payloads and headers (message traits included;
payloads in another schema format, such as Avro, are left alone), channel parameter schemas (2.x)
and ws binding ``query``/``headers``; and the ``$ref``s that must point at a message (a channel's
or operation's messages, a 2.x operation's ``message`` and its ``oneOf``). Channel ``$ref``s are
the parser's to check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..loader import Document
from ..schema.pointer import escape_pointer_token
from ..schema.refs import RefError, follow
from ..schema_rules import MAX_REPORTED, SCHEMA, Layout, check_schemas, raise_all
from .bundle import Bundle

MESSAGE = "a message"
CHANNEL = "a channel"
_JSON_SCHEMA_FORMATS = re.compile(
    r"^application/(?:schema\+(?:json|yaml)|vnd\.aai\.asyncapi(?:\+(?:json|yaml))?|vnd\.oai\.openapi(?:\+(?:json|yaml))?)"
    r"(?:;.*)?$"
)


def validate_asyncapi(doc: Document, bundle: Bundle) -> None:
    """``SpecError``/``SpecErrors`` listing every schema problem of the bundled document."""
    problems = check_schemas(asyncapi_layout(bundle.data, doc.version.startswith("3.")))
    if problems:
        shown = [bundle.error(doc, p.message, p.pointer, p.hint) for p in problems[:MAX_REPORTED]]
        raise_all(shown, len(problems), doc.path)


def asyncapi_layout(data: dict[str, Any], v3: bool) -> Layout:
    layout = Layout(data)
    _AsyncAPIWalker(layout, data, v3).document()
    return layout


def _p(pointer: str, key: str | int) -> str:
    return f"{pointer}/{escape_pointer_token(key)}"


class _AsyncAPIWalker:
    def __init__(self, layout: Layout, data: dict[str, Any], v3: bool) -> None:
        self.layout = layout
        self.data = data
        self.v3 = v3

    def each(self, node: Any, pointer: str, visit: Callable[[Any, str], object]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not str(key).startswith("x-"):
                    visit(value, _p(pointer, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, _p(pointer, index))

    def plain_list(self, kind: str, node: Any, pointer: str) -> bool:
        return self.layout.add(kind, pointer, node, checked=False, container=list)

    def plain(self, kind: str, node: Any, pointer: str) -> bool:
        return self.layout.add(kind, pointer, node, checked=False)

    def document(self) -> None:
        data = self.data
        self.plain("the whole document", data, "")
        info: Any = data.get("info")
        if self.plain("the info object", info, "/info"):
            self.plain("the info object's contact", info.get("contact"), "/info/contact")
            self.plain("the info object's license", info.get("license"), "/info/license")
        servers = data.get("servers")
        if self.plain("the servers map", servers, "/servers"):
            self.each(servers, "/servers", self.server)
        channels = data.get("channels")
        if self.plain("the channels map", channels, "/channels"):
            self.each(channels, "/channels", self.channel)
        operations = data.get("operations") if self.v3 else None
        if self.plain("the operations map", operations, "/operations"):
            self.each(operations, "/operations", self.operation_v3)
        self.components(data.get("components"))

    def components(self, components: Any) -> None:
        if not self.plain("the components object", components, "/components"):
            return
        sections: dict[str, tuple[str, Callable[[Any, str], object]]] = {
            "schemas": ("the schemas map", self.schema),
            "messages": ("the messages map", self.message),
            "channels": ("the channels map", self.channel),
            "operations": ("the operations map", self.operation_v3 if self.v3 else self.operation_v2),
            "replies": ("the replies map", self.reply),
            "servers": ("the servers map", self.server),
            "parameters": ("the parameters map", self.parameter),
            "messageTraits": ("the message traits map", self.trait),
            "channelBindings": ("the channel bindings map", self.bindings),
            "securitySchemes": ("the security schemes map", lambda n, p: self.layout.add("a security scheme", p, n)),
            "serverVariables": ("the server variables map", lambda n, p: self.layout.add("a server variable", p, n)),
        }
        for key, (kind, visit) in sections.items():
            value = components.get(key)
            if self.plain(kind, value, f"/components/{key}"):
                self.each(value, f"/components/{key}", visit)

    def server(self, server: Any, pointer: str) -> None:
        if self.layout.add("a server", pointer, server):
            variables = server.get("variables")
            if self.plain("a server's variables", variables, pointer + "/variables"):
                self.each(variables, pointer + "/variables", lambda n, p: self.layout.add("a server variable", p, n))

    def channel(self, channel: Any, pointer: str) -> None:
        if not self.plain(CHANNEL, channel, pointer):  # channel $refs: the parser checks them, with its own wording
            return
        parameters = channel.get("parameters")
        if self.plain("a parameters map", parameters, pointer + "/parameters"):
            self.each(parameters, pointer + "/parameters", self.parameter)
        self.bindings(channel.get("bindings"), pointer + "/bindings")
        if self.v3:
            messages = channel.get("messages")
            if self.plain("a messages map", messages, pointer + "/messages"):
                self.each(messages, pointer + "/messages", self.message)
            return
        for name in ("publish", "subscribe"):
            self.operation_v2(channel.get(name), f"{pointer}/{name}")

    def parameter(self, parameter: Any, pointer: str) -> None:
        if self.layout.add("a parameter", pointer, parameter) and not self.v3:
            self.schema(parameter.get("schema"), pointer + "/schema")

    def bindings(self, bindings: Any, pointer: str) -> None:
        if not self.plain("a bindings object", bindings, pointer):
            return
        ws = bindings.get("ws")
        if self.plain("a ws binding", ws, pointer + "/ws"):
            for part in ("query", "headers"):
                self.schema(ws.get(part), f"{pointer}/ws/{part}")

    def operation_v2(self, operation: Any, pointer: str) -> None:
        if not self.layout.add("an operation", pointer, operation):
            return
        message = operation.get("message")
        if isinstance(message, dict) and isinstance(message.get("oneOf"), list) and "payload" not in message:
            self.plain("a list of messages", message, pointer + "/message")
            self.each(message["oneOf"], pointer + "/message/oneOf", self.message)
        else:
            self.message(message, pointer + "/message")

    def operation_v3(self, operation: Any, pointer: str) -> None:
        if not self.layout.add("an operation", pointer, operation):
            return
        self.plain(CHANNEL, operation.get("channel"), pointer + "/channel")
        self.message_refs(operation.get("messages"), pointer + "/messages")
        self.reply(operation.get("reply"), pointer + "/reply")

    def reply(self, reply: Any, pointer: str) -> None:
        if self.layout.add("an operation reply", pointer, reply):
            self.plain(CHANNEL, reply.get("channel"), pointer + "/channel")
            self.message_refs(reply.get("messages"), pointer + "/messages")

    def message_refs(self, entries: Any, pointer: str) -> None:
        """A 3.0 operation's messages: ``$ref``s to messages (whose own place is walked elsewhere)."""
        if self.plain_list("a list of messages", entries, pointer):
            self.each(entries, pointer, self.message_ref)

    def message_ref(self, entry: Any, pointer: str) -> None:
        if self.layout.add(MESSAGE, pointer, entry):
            self.message(entry, pointer, seen=True)  # an inline message, which the parser also accepts

    def message(self, message: Any, pointer: str, seen: bool = False) -> None:
        if not seen and not self.layout.add(MESSAGE, pointer, message):
            return
        if not isinstance(message, dict) or "$ref" in message:
            return
        traits = message.get("traits")
        formats = [message.get("schemaFormat")]
        if self.plain_list("a list of message traits", traits, pointer + "/traits"):
            for index, trait in enumerate(traits if isinstance(traits, list) else ()):
                formats.append(self.resolved(trait).get("schemaFormat"))
                self.trait(trait, f"{pointer}/traits/{index}")
        if all(f is None or _is_json_schema(f) for f in formats):
            self.schema(message.get("payload"), pointer + "/payload")
        self.schema(message.get("headers"), pointer + "/headers")

    def trait(self, trait: Any, pointer: str) -> None:
        if self.layout.add("a message trait", pointer, trait) and _is_json_schema(trait.get("schemaFormat")):
            self.schema(trait.get("payload"), pointer + "/payload")
            self.schema(trait.get("headers"), pointer + "/headers")

    def schema(self, node: Any, pointer: str) -> None:
        """A schema, or a 3.0 multi-format schema object wrapping one."""
        if self.v3 and isinstance(node, dict) and "schemaFormat" in node and "schema" in node:
            self.plain(SCHEMA, node, pointer)
            if _is_json_schema(node["schemaFormat"]):
                self.layout.schema(pointer + "/schema", node["schema"])
            return
        self.layout.schema(pointer, node)

    def resolved(self, node: Any) -> dict[str, Any]:
        # percent-encoded and '/'-holding keys, read as the bundler reads them
        try:
            node = follow(self.data, node).value
        except RefError:
            return {}
        return node if isinstance(node, dict) else {}


def _is_json_schema(schema_format: Any) -> bool:
    return schema_format is None or (isinstance(schema_format, str) and bool(_JSON_SCHEMA_FORMATS.match(schema_format)))
