"""A real WebSocket server on 127.0.0.1 for tests: scripted connections, recorded traffic.

No pytest dependency, so any test (or script) can use it, from sync or async code alike
(the server runs in its own threads)::

    def script(conn: ScriptedConnection) -> None:
        conn.send_json({"type": "session.created"})
        conn.record_until_closed()          # keep recording what the client sends

    with WsServer(script) as server:
        ... connect a client to server.url + "/v1/realtime?model=x" ...
        server.wait_for_received(1)
        assert server.handshakes[0].query == {"model": ["x"]}
        assert server.received == ['{"type":"hello"}']

Each accepted connection runs the next handler of the script (``WsServer(h1, h2)`` or
:meth:`WsServer.on_connection`; the last handler repeats) in its own thread, with a
:class:`ScriptedConnection` that can send text/binary/JSON, receive (recording every frame),
close with any code, or :meth:`~ScriptedConnection.drop` the TCP connection without a close
frame (the client then sees 1006). When the handler returns, the server closes the
connection normally (1000) unless it is already closed. The default handler records frames
until the client closes.

Every handshake is recorded (path, query, headers, requested subprotocols and extensions),
including rejected ones: :meth:`WsServer.reject` answers the next handshakes with an HTTP
status (401, 403, 503...), a body and headers instead of upgrading.

A handler exception other than the client going away is collected in ``errors`` and
re-raised as an ``AssertionError`` when the ``with`` block exits, so a broken script cannot
pass silently. Every wait is bounded (``timeout`` seconds, 5 by default).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve
from websockets.typing import Subprotocol

__all__ = ["Handshake", "ScriptedConnection", "WsServer", "record_until_closed"]

DEFAULT_TIMEOUT = 5.0

Handler = Callable[["ScriptedConnection"], None]


@dataclass
class Handshake:
    """One opening handshake as the server received it."""

    path: str  # without the query string, as sent
    query_string: str
    header_list: list[tuple[str, str]]
    rejected_with: int | None = None  # HTTP status when :meth:`WsServer.reject` refused it

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @property
    def headers(self) -> dict[str, str]:
        """Lower-cased header names; repeated headers are joined with ", "."""
        merged: dict[str, str] = {}
        for name, value in self.header_list:
            key = name.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return merged

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def subprotocols(self) -> list[str]:
        """Subprotocols the client offered, in its order of preference."""
        return _split_header(self.header("sec-websocket-protocol"))

    @property
    def extensions(self) -> list[str]:
        """Extensions the client offered (e.g. ``permessage-deflate; ...``)."""
        return _split_header(self.header("sec-websocket-extensions"))


def _split_header(value: str | None) -> list[str]:
    return [part.strip() for part in value.split(",")] if value else []


@dataclass
class _Rejection:
    status: int
    body: str
    headers: Mapping[str, str]
    remaining: int | None  # None: every handshake from now on


class ScriptedConnection:
    """The server side of one accepted connection, handed to a handler."""

    def __init__(self, server: WsServer, websocket: ServerConnection, index: int, handshake: Handshake) -> None:
        self.index = index
        self.handshake = handshake
        self.websocket = websocket
        self.received: list[str | bytes] = []
        self.dropped = False
        self._server = server

    @property
    def subprotocol(self) -> str | None:
        """Subprotocol negotiated with the client (``None`` if none)."""
        return self.websocket.subprotocol

    @property
    def extensions(self) -> list[str]:
        """Names of the extensions negotiated for this connection."""
        return [str(extension.name) for extension in self.websocket.protocol.extensions]

    def send(self, data: str | bytes) -> None:
        """Send a text (``str``) or binary (``bytes``) frame."""
        self.websocket.send(data)

    def send_json(self, data: Any) -> None:
        self.websocket.send(json.dumps(data, separators=(",", ":")))

    def send_many(self, frames: Iterable[str | bytes]) -> None:
        for frame in frames:
            self.websocket.send(frame)

    def recv(self, timeout: float | None = DEFAULT_TIMEOUT) -> str | bytes:
        """Next frame from the client (recorded); raises TimeoutError or ConnectionClosed."""
        frame = self.websocket.recv(timeout)
        self.received.append(frame)
        self._server._record(frame)
        return frame

    def recv_json(self, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        return json.loads(self.recv(timeout))

    def record_until_closed(self, timeout: float = 30.0) -> None:
        """Record frames until the client closes (or ``timeout`` seconds pass)."""
        deadline = time.monotonic() + timeout
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    self.recv(remaining)
                except TimeoutError:
                    return
        except ConnectionClosed:
            return

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Closing handshake with ``code`` (e.g. 1011 to ask the client to reconnect)."""
        self.websocket.close(code, reason)

    def drop(self) -> None:
        """Cut the TCP connection without a close frame, as a crashed server or proxy would."""
        self.dropped = True
        try:
            self.websocket.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone


def record_until_closed(conn: ScriptedConnection) -> None:
    """The default handler: record every frame until the client closes."""
    conn.record_until_closed()


class WsServer:
    """Real ``websockets`` server on 127.0.0.1 (port chosen by the OS), run in a thread."""

    def __init__(
        self,
        *handlers: Handler,
        subprotocols: Iterable[str] | None = None,
        compression: str | None = "deflate",
        max_size: int | None = 16 * 2**20,
    ) -> None:
        self._handlers: list[Handler] = list(handlers) or [record_until_closed]
        self._script_start = 0  # index of the first connection the current script applies to
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._rejections: list[_Rejection] = []
        self._handshake_of: dict[ServerConnection, Handshake] = {}
        self.handshakes: list[Handshake] = []
        self.connections: list[ScriptedConnection] = []
        self.received: list[str | bytes] = []  # every frame from every connection, in order
        self.errors: list[BaseException] = []
        self._server: Server = serve(
            self._handle,
            "127.0.0.1",
            0,
            subprotocols=[Subprotocol(name) for name in subprotocols] if subprotocols else None,
            compression=compression,
            process_request=self._process_request,
            ping_interval=None,  # keepalive pings would only add noise to recorded traffic
            open_timeout=DEFAULT_TIMEOUT,
            close_timeout=2,
            max_size=max_size,
        )
        self.port: int = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="ws-server", daemon=True)

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:<port>``; append a path and query as needed."""
        return f"ws://127.0.0.1:{self.port}"

    # -- scripting --------------------------------------------------------------------

    def on_connection(self, *handlers: Handler) -> None:
        """Replace the script: the next connections run these handlers in turn (last repeats)."""
        with self._lock:
            self._handlers = list(handlers) or [record_until_closed]
            self._script_start = len(self.connections)

    def reject(
        self,
        status: int,
        body: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer the next ``times`` handshakes (all of them if ``None``) with ``status``."""
        with self._lock:
            self._rejections.append(_Rejection(status, body, dict(headers or {}), times))

    def accept(self) -> None:
        """Stop rejecting handshakes."""
        with self._lock:
            self._rejections.clear()

    # -- waiting ----------------------------------------------------------------------

    def wait_until(self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT) -> None:
        """Block until ``predicate()`` is true (checked on every server event and every 50 ms)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"condition not met within {timeout} s")
                self._changed.wait(min(remaining, 0.05))

    def wait_for_received(self, count: int, timeout: float = DEFAULT_TIMEOUT) -> list[str | bytes]:
        self.wait_until(lambda: len(self.received) >= count, timeout)
        return list(self.received)

    def connection(self, index: int, timeout: float = DEFAULT_TIMEOUT) -> ScriptedConnection:
        """The ``index``-th accepted connection (0-based), waiting for it if needed."""
        self.wait_until(lambda: len(self.connections) > index, timeout)
        return self.connections[index]

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
        if exc_value is None and self.errors:
            raise AssertionError(f"server handler failed: {self.errors[0]!r}") from self.errors[0]

    def close(self) -> None:
        """Stop accepting, close open connections (1001) and wait for handlers to finish."""
        self._server.shutdown()
        self._thread.join(DEFAULT_TIMEOUT)

    # -- websockets callbacks (server threads) ------------------------------------------

    def _record(self, frame: str | bytes) -> None:
        with self._changed:
            self.received.append(frame)
            self._changed.notify_all()

    def _process_request(self, websocket: ServerConnection, request: Request) -> Response | None:
        split = urlsplit(request.path)
        handshake = Handshake(split.path, split.query, list(request.headers.raw_items()))
        with self._changed:
            self.handshakes.append(handshake)
            rejection = self._rejections[0] if self._rejections else None
            if rejection is None:
                self._handshake_of[websocket] = handshake
            else:
                handshake.rejected_with = rejection.status
                if rejection.remaining is not None:
                    rejection.remaining -= 1
                    if rejection.remaining <= 0:
                        self._rejections.pop(0)
            self._changed.notify_all()
        if rejection is None:
            return None
        response = websocket.respond(rejection.status, rejection.body)
        for name, value in rejection.headers.items():
            response.headers[name] = value
        return response

    def _handle(self, websocket: ServerConnection) -> None:
        with self._changed:
            handshake = self._handshake_of.pop(websocket)
            index = len(self.connections)
            conn = ScriptedConnection(self, websocket, index, handshake)
            self.connections.append(conn)
            position = min(index - self._script_start, len(self._handlers) - 1)
            handler = self._handlers[position]
            self._changed.notify_all()
        try:
            handler(conn)
        except ConnectionClosed:
            pass  # the client went away first: part of many scenarios
        except Exception as exc:
            with self._changed:
                self.errors.append(exc)
                self._changed.notify_all()
        finally:
            with self._changed:
                self._changed.notify_all()
