"""Realtime client IR -> the files of the generated realtime package (not its models or runtime)."""

from __future__ import annotations

from ..naming import identifier
from ..templating import render
from .client_ir import RealtimeIR

# What the package root re-exports from the realtime runtime.
RUNTIME_EXPORTS = tuple(
    identifier(name)
    for name in (
        "EventType",
        "ReconnectPolicy",
        "UnknownMessage",
        "RealtimeError",
        "RealtimeHandshakeError",
        "RealtimeAuthenticationError",
        "RealtimePermissionDeniedError",
        "RealtimeConnectionClosed",
        "RealtimeTimeoutError",
        "UnsentMessagesError",
        "CloseInfo",
        "ReconnectInfo",
    )
)


def render_realtime(ir: RealtimeIR) -> dict[str, str]:
    files: dict[str, str] = {}
    exports = set(RUNTIME_EXPORTS)
    for ch in ir.channels:
        exports |= {ch.client_class, ch.async_client_class, ch.connection_class, ch.async_connection_class}
        if len(ir.channels) == 1:
            exports.add(identifier("ServerMessage"))
        files[f"{ch.module}.py"] = render("asyncapi/channel.py.jinja", ir=ir, ch=ch)
    files["__init__.py"] = render(
        "asyncapi/__init__.py.jinja", ir=ir, runtime_exports=RUNTIME_EXPORTS, all_exports=sorted(exports)
    )
    files["py.typed"] = ""
    return files
