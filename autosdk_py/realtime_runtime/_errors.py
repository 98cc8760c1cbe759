"""Exceptions raised by realtime connections, and the translation from websockets' own.

Callers only ever see :class:`RealtimeError` subclasses: websockets exceptions are translated
at the boundary (and kept as ``__cause__`` for debugging), so a generated SDK can change its
transport without breaking anyone's ``except`` clauses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from websockets.exceptions import (
    InvalidHandshake,
    InvalidMessage,
    InvalidStatus,
    InvalidURI,
    WebSocketException,
)

__all__ = [
    "RealtimeAuthenticationError",
    "RealtimeConnectError",
    "RealtimeConnectionClosed",
    "RealtimeError",
    "RealtimeHandshakeError",
    "RealtimePermissionDeniedError",
    "RealtimeTimeoutError",
    "UnsentMessagesError",
    "concurrent_receive_error",
    "is_retryable_open_error",
    "translate_open_error",
]

# Rejection bodies can be whole HTML pages from a proxy; the message should stay readable.
_MAX_MESSAGE_BODY_CHARS = 500


class RealtimeError(Exception):
    """Base class of every error raised by a realtime connection."""


class RealtimeConnectError(RealtimeError):
    """The connection could not be opened: refused, unreachable, bad URL, TLS or proxy failure."""


class RealtimeTimeoutError(RealtimeError, TimeoutError):
    """Opening the connection, or waiting for a message with a timeout, took too long."""


class RealtimeHandshakeError(RealtimeConnectError):
    """The server answered the WebSocket upgrade request with something other than 101.

    ``status_code`` is ``None`` when the response was not an HTTP status rejection (for example
    a 101 with invalid upgrade headers); ``body`` is the response body decoded as text.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.body = body


class RealtimeAuthenticationError(RealtimeHandshakeError):
    """The handshake was rejected with HTTP 401: missing or invalid credentials."""


class RealtimePermissionDeniedError(RealtimeHandshakeError):
    """The handshake was rejected with HTTP 403: valid credentials without access."""


class RealtimeConnectionClosed(RealtimeError):
    """The connection is closed for good: by either side, or after reconnection gave up.

    ``code`` and ``reason`` are those of the close frame received from the server (1006 and
    an empty reason when the connection dropped without one).
    """

    def __init__(self, code: int | None, reason: str = "", *, detail: str = "") -> None:
        message = f"realtime connection closed (code {code}{', ' + repr(reason) if reason else ''})"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.code = code
        self.reason = reason
        self.detail = detail

    def fresh(self) -> RealtimeConnectionClosed:
        """A new instance with the same details, for raising again (tracebacks accumulate)."""
        error = RealtimeConnectionClosed(self.code, self.reason, detail=self.detail)
        error.__cause__ = self.__cause__
        return error

    @property
    def normal(self) -> bool:
        """Whether the close was an orderly end of the session rather than a failure."""
        # 1005: a close frame without a code, which websockets also treats as normal.
        return self.code in (1000, 1001, 1005)


class UnsentMessagesError(RealtimeError):
    """Messages that were accepted by ``send*`` but never reached the server.

    Raised when reconnection gives up with messages still queued, when the reconnect queue
    is full, or when the connection is closed while messages are queued. ``messages`` are
    the encoded frames, oldest first, ready to be sent again with ``send_raw``.
    """

    def __init__(self, messages: Sequence[str | bytes], reason: str) -> None:
        super().__init__(f"{len(messages)} message(s) not sent: {reason}")
        self.messages: list[str | bytes] = list(messages)
        self.reason = reason


def concurrent_receive_error() -> RuntimeError:
    """websockets allows one receiver at a time; say which APIs compete, not which lock."""
    return RuntimeError(
        "another thread or task is already receiving on this connection: "
        "use recv()/iteration or start_listening(), not both at once"
    )


def _handshake_error(exc: InvalidStatus) -> RealtimeHandshakeError:
    response = exc.response
    status = response.status_code
    body = bytes(response.body).decode("utf-8", errors="replace")
    shown = (
        body
        if len(body) <= _MAX_MESSAGE_BODY_CHARS
        else body[:_MAX_MESSAGE_BODY_CHARS] + "..."
    )
    message = f"WebSocket handshake rejected with HTTP {status}" + (
        f": {shown}" if shown else ""
    )
    cls: type[RealtimeHandshakeError]
    if status == 401:
        cls = RealtimeAuthenticationError
    elif status == 403:
        cls = RealtimePermissionDeniedError
    else:
        cls = RealtimeHandshakeError
    return cls(message, status_code=status, headers=response.headers, body=body)


def translate_open_error(exc: BaseException, url: str) -> BaseException:
    """The :class:`RealtimeError` to raise (``from exc``) for a failure to open ``url``.

    Anything that is not a transport failure (a bug, KeyboardInterrupt...) is returned as is.
    """
    if isinstance(exc, RealtimeError):
        return exc
    if isinstance(exc, InvalidStatus):
        return _handshake_error(exc)
    if isinstance(exc, TimeoutError):
        return RealtimeTimeoutError(
            f"timed out opening the WebSocket connection to {url}"
        )
    if isinstance(exc, InvalidURI):
        return RealtimeConnectError(f"invalid WebSocket URL {url!r}: {exc.msg}")
    if isinstance(exc, InvalidMessage):
        # No parsable HTTP response at all: the connection died mid-handshake, which is
        # transient (a restarting server), unlike a response that was understood and refused.
        return RealtimeConnectError(
            f"connection to {url} lost during the WebSocket handshake: {exc}"
        )
    if isinstance(exc, InvalidHandshake):
        return RealtimeHandshakeError(f"WebSocket handshake with {url} failed: {exc}")
    if isinstance(exc, (OSError, WebSocketException)):
        return RealtimeConnectError(f"could not connect to {url}: {exc}")
    return exc


def is_retryable_open_error(exc: BaseException) -> bool:
    """Whether a failed reconnection attempt is worth repeating."""
    if isinstance(exc, RealtimeHandshakeError):
        # 408/429/5xx are "not now"; any other rejection (auth, 404...) will not change.
        status = exc.status_code
        return status is not None and (status in (408, 429) or status >= 500)
    return isinstance(exc, (RealtimeConnectError, RealtimeTimeoutError))
