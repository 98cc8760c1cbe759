"""Models and helpers shared by the realtime runtime tests.

The models mimic what the generator emits for an OpenAI-style realtime API: server messages
in a discriminated union on ``type``, client messages whose ``type`` is a defaulted constant.
"""

from __future__ import annotations

import json
import socket
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from autosdk_py.realtime_runtime import ConnectOptions, MessageDecoder, ReconnectPolicy
from tests.ws_server import WsServer

# -- server messages ------------------------------------------------------------------------


class Session(BaseModel):
    id: str
    type: Literal["realtime"] = "realtime"
    voice: str | None = None


class SessionUpdated(BaseModel):
    type: Literal["session.updated"]
    event_id: str
    session: Session


class AudioDelta(BaseModel):
    type: Literal["response.output_audio.delta"]
    event_id: str
    item_id: str
    delta: str


class ErrorDetail(BaseModel):
    message: str
    code: str | None = None


class ErrorEvent(BaseModel):
    type: Literal["error"]  # a tag spelled like EventType.ERROR's value, on purpose
    event_id: str
    error: ErrorDetail


ServerMessage = Annotated[SessionUpdated | AudioDelta | ErrorEvent, Field(discriminator="type")]
SERVER_TAGS = frozenset({"session.updated", "response.output_audio.delta", "error"})


def make_decoder() -> MessageDecoder[SessionUpdated | AudioDelta | ErrorEvent]:
    return MessageDecoder(ServerMessage, "type")


DECODER = make_decoder()

# -- client messages ------------------------------------------------------------------------


class SessionConfig(BaseModel):
    type: Literal["realtime"] = "realtime"
    voice: str | None = None
    instructions: str | None = None


class SessionUpdate(BaseModel):
    type: Literal["session.update"] = "session.update"
    event_id: str | None = None
    session: SessionConfig


class AudioAppend(BaseModel):
    type: Literal["input_audio_buffer.append"] = "input_audio_buffer.append"
    audio: str


# -- frames the scripted server sends ---------------------------------------------------------


def session_updated(voice: str = "alloy") -> str:
    return json.dumps({"type": "session.updated", "event_id": "evt_1", "session": {"id": "sess_1", "voice": voice}})


def audio_delta(n: int) -> str:
    return json.dumps({"type": "response.output_audio.delta", "event_id": f"evt_{n}", "item_id": "i", "delta": "AAA="})


def error_event() -> str:
    return json.dumps({"type": "error", "event_id": "evt_e", "error": {"message": "bad", "code": "x"}})


FAST_RECONNECT = ReconnectPolicy(initial_delay=0.05, max_delay=0.2, jitter=0.0)


def options(server: WsServer, path: str = "/v1/realtime?model=m", **overrides: Any) -> ConnectOptions:
    """Options pointing at ``server`` with fast reconnection and short timeouts."""
    settings: dict[str, Any] = {"reconnect": FAST_RECONNECT, "open_timeout": 3, "close_timeout": 2}
    settings.update(overrides)
    return ConnectOptions(server.url + path, **settings)


def unused_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def silent_listener() -> socket.socket:
    """A listening TCP socket that never answers: the kernel completes the TCP handshake,
    nothing ever replies to the HTTP upgrade, so clients hit their open timeout."""
    return socket.create_server(("127.0.0.1", 0))
