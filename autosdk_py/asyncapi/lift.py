"""An AsyncAPI document's schemas as an OpenAPI document, for the models stage of pass 2.

Inline message payloads (objects written in the message instead of a ``$ref``) get a component
name, ``<Message>Payload``, so that each becomes a model like the named ones.
"""

from __future__ import annotations

from typing import Any

from ..naming import pascal_case, unique_class_name
from .spec import AsyncApiDocument


def lift_inline_payloads(doc: AsyncApiDocument) -> tuple[dict[str, Any], dict[str, str]]:
    """The synthetic OpenAPI 3.1 document and ``message pointer -> lifted schema name``."""
    schemas = dict(doc.schemas)
    taken = set(schemas) | {pascal_case(n) for n in schemas}
    lifted: dict[str, str] = {}
    named_payloads: dict[int, str] = {}  # the same inline object used by two messages: one class
    for channel in doc.channels:
        for message in channel.messages:
            payload = message.payload
            if payload is None or message.payload_schema is not None or message.binary:
                continue
            if id(payload) in named_payloads:
                lifted[message.pointer] = named_payloads[id(payload)]
                continue
            base = pascal_case(message.name)
            name = unique_class_name(base if base.endswith("Payload") else base + "Payload", taken)
            schemas[name] = payload
            lifted[message.pointer] = named_payloads[id(payload)] = name
    document = {
        "openapi": "3.1.0",
        "info": {"title": doc.title, "version": doc.api_version},
        "paths": {},
        "components": {"schemas": schemas},
    }
    return document, lifted
