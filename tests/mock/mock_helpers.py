"""Shared by the tests under tests/mock/: small documents written to a folder, and bounded websocket reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

TIMEOUT = 5.0


def write_doc(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def tagged(tag: str, **properties: Any) -> dict[str, Any]:
    """A message payload with a ``type`` tag and optional extra properties (all required)."""
    props: dict[str, Any] = {"type": {"type": "string", "const": tag}, **properties}
    return {"type": "object", "required": list(props), "properties": props}


def v3_channel_doc(
    sends: dict[str, dict[str, Any]],
    receives: dict[str, dict[str, Any]],
    *,
    address: str = "/ws",
    replies: dict[str, list[str]] | None = None,
    title: str = "Mock Test",
) -> dict[str, Any]:
    """An AsyncAPI 3.0 document with one channel: ``sends`` (client) and ``receives`` (server) messages.

    Each value is a message object (``{"payload": ...}`` plus e.g. ``description``); ``replies``
    maps a client message key to the server message keys its operation replies with.
    """
    messages = {**sends, **receives}
    ref = "#/channels/live/messages/"
    operations: dict[str, Any] = {}
    for key in sends:
        operation: dict[str, Any] = {
            "action": "send",
            "channel": {"$ref": "#/channels/live"},
            "messages": [{"$ref": ref + key}],
        }
        if replies and key in replies:
            operation["reply"] = {
                "channel": {"$ref": "#/channels/live"},
                "messages": [{"$ref": ref + r} for r in replies[key]],
            }
        operations[f"send_{key}"] = operation
    if receives:
        operations["receive_all"] = {
            "action": "receive",
            "channel": {"$ref": "#/channels/live"},
            "messages": [{"$ref": ref + key} for key in receives],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": "1.0.0"},
        "servers": {"local": {"host": "localhost:9000", "protocol": "ws"}},
        "channels": {"live": {"address": address, "messages": {k: {"name": k, **v} for k, v in messages.items()}}},
        "operations": operations,
    }


def open_ws(url: str, **kwargs: Any) -> ClientConnection:
    ws: ClientConnection = connect(url, open_timeout=TIMEOUT, close_timeout=2, **kwargs)
    return ws


def recv_frames(ws: ClientConnection, count: int, timeout: float = TIMEOUT) -> list[Any]:
    """``count`` frames (JSON decoded, bytes as they are), each within ``timeout``."""
    frames: list[Any] = []
    for _ in range(count):
        frame = ws.recv(timeout=timeout)
        frames.append(frame if isinstance(frame, bytes) else json.loads(frame))
    return frames


def no_more_frames(ws: ClientConnection, wait: float = 0.3) -> bool:
    """True when nothing arrives within ``wait`` seconds."""
    try:
        ws.recv(timeout=wait)
    except TimeoutError:
        return True
    except ConnectionClosed:
        return True
    return False


def types_of(frames: Sequence[Any]) -> list[Any]:
    return [f.get("type") if isinstance(f, dict) else type(f).__name__ for f in frames]
