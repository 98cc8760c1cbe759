"""Realtime (WebSocket) runtime shared by generated SDKs.

This package is copied verbatim into every generated realtime client (as
``<package>/realtime/_runtime``), so it depends only on the standard library, ``websockets``
(>= 14) and ``pydantic`` v2, and imports its own modules relatively.

Generated code builds one :class:`MessageDecoder` per module from a discriminated-union
``TypeAdapter`` of the server messages, subclasses :class:`RealtimeConnection` /
:class:`AsyncRealtimeConnection` to add typed ``send_<message>()`` methods, and opens
connections with :func:`connect_sync` / :func:`connect_async`.
"""

from ._async import AsyncRealtimeConnection, connect_async
from ._decoding import MessageDecoder, UnknownMessage
from ._encoding import encode_json, encode_model
from ._errors import (
    RealtimeAuthenticationError,
    RealtimeConnectError,
    RealtimeConnectionClosed,
    RealtimeError,
    RealtimeHandshakeError,
    RealtimePermissionDeniedError,
    RealtimeTimeoutError,
    UnsentMessagesError,
)
from ._events import CloseInfo, EventType, ReconnectInfo
from ._options import ConnectOptions, ReconnectPolicy
from ._sync import RealtimeConnection, connect_sync

__all__ = [
    "AsyncRealtimeConnection",
    "CloseInfo",
    "ConnectOptions",
    "EventType",
    "MessageDecoder",
    "RealtimeAuthenticationError",
    "RealtimeConnectError",
    "RealtimeConnection",
    "RealtimeConnectionClosed",
    "RealtimeError",
    "RealtimeHandshakeError",
    "RealtimePermissionDeniedError",
    "RealtimeTimeoutError",
    "ReconnectInfo",
    "ReconnectPolicy",
    "UnknownMessage",
    "UnsentMessagesError",
    "connect_async",
    "connect_sync",
    "encode_json",
    "encode_model",
]
