"""Realtime (WebSocket) runtime shared by generated SDKs.

This package is copied verbatim into every generated realtime client (as
``<package>/realtime/_runtime``), so it depends only on the standard library, ``websockets``
(>= 14) and ``pydantic`` v2, and imports its own modules relatively.

How generated code uses it:

* one :class:`MessageDecoder` per module, from the server message types and their common
  tag field: a tagged union when a tag can be built, else the matching rule (``_decoding``
  documents both), built by the connect after the handshake succeeds;
* subclasses of :class:`RealtimeConnection` / :class:`AsyncRealtimeConnection` adding one
  typed ``send_<message>()`` per client message, each calling ``send_model()``;
* :func:`connect_sync` / :func:`connect_async` with a complete :class:`ConnectOptions`.

What callers can rely on:

* received frames are a server message class, :class:`UnknownMessage` (unknown tag, a frame
  that does not validate, or one that could be several classes, with the reason in ``error``:
  never a crash, never a mis-typed object) or ``bytes``;
* ``send_model()`` sends compact JSON of the fields the caller set, plus constant tags;
* failures are :class:`RealtimeError` subclasses, never websockets' exceptions;
* abnormal closes (:attr:`ReconnectPolicy.close_codes`) reconnect with backoff, receiving
  continues and sends made meanwhile are flushed in order; messages that could not be
  delivered are raised as :class:`UnsentMessagesError` and given to ERROR handlers.

Modules: ``_options`` (what to connect to), ``_decoding`` / ``_encoding`` (frames <-> models),
``_errors``, ``_events`` (handlers), ``_reconnect`` (shared reconnection rules), ``_redirects``
(handshake redirects: the API key never goes to another origin), ``_redaction`` (nor into a
log line), ``_sync`` and ``_async`` (the two connection flavours).
"""

from ._async import AsyncRealtimeConnection, connect_async
from ._connect import AuthSpec, ConnectionSettings, connect_options
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
from ._urls import AsyncConnector, RestClientLike, build_url, rest_to_ws_base

__all__ = [
    "AsyncConnector",
    "AsyncRealtimeConnection",
    "AuthSpec",
    "CloseInfo",
    "ConnectOptions",
    "ConnectionSettings",
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
    "RestClientLike",
    "UnknownMessage",
    "UnsentMessagesError",
    "build_url",
    "connect_async",
    "connect_options",
    "connect_sync",
    "encode_json",
    "encode_model",
    "rest_to_ws_base",
]
