"""A real HTTP/1.1 server on 127.0.0.1 for tests: scripted responses, recorded requests.

No pytest dependency, so any test (or script) can use it::

    with RecordingServer() as server:
        server.route("GET", "/items", json_reply([{"id": 1}]))
        httpx.get(server.url + "/items")
        assert server.requests[0].method == "GET"

Responses are scripted per ``(method, raw path)`` (a queue: each request takes the next reply,
the last one repeats) or produced by a handler callable. A reply body may be an iterable of
chunks: it is then sent with ``Transfer-Encoding: chunked`` and flushed after every chunk,
which is what SSE and streaming-download tests need. Connections are kept alive (HTTP/1.1).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, parse_qsl, unquote

__all__ = [
    "DROP_CONNECTION",
    "MultipartPart",
    "RecordedRequest",
    "RecordingServer",
    "Reply",
    "json_reply",
    "parse_multipart",
    "sse_reply",
]


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    raw_path: str  # as sent, percent-escapes kept, without the query string
    query_string: str
    header_list: list[tuple[str, str]]
    body: bytes
    client_port: int = 0  # equal ports on two requests mean the connection was kept alive

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @property
    def query_list(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    @property
    def headers(self) -> dict[str, str]:
        """Lower-cased header names; for a repeated header the last value wins."""
        return {name.lower(): value for name, value in self.header_list}

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def multipart(self) -> list[MultipartPart]:
        return parse_multipart(self.header("content-type") or "", self.body)


@dataclass
class Reply:
    """A scripted response. ``body`` may be bytes or an iterable of chunks (sent chunked)."""

    status: int = 200
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0  # seconds to wait before answering, e.g. to trigger client timeouts


class _Drop:
    def __repr__(self) -> str:
        return "DROP_CONNECTION"


DROP_CONNECTION: Any = _Drop()
"""Reply with this to close the connection without any response; yield it from a chunked
body to cut the connection in the middle of the body."""

ReplyLike = Reply | tuple[int, Any, Any] | _Drop
Handler = Callable[[RecordedRequest], ReplyLike]


def json_reply(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode())


def sse_reply(*events: str | bytes, status: int = 200) -> Reply:
    """Each argument is one raw chunk of the event stream, flushed separately."""
    chunks = [e.encode() if isinstance(e, str) else e for e in events]
    # A list, not an iterator, so a repeated (last) route reply can be served again.
    return Reply(status, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}, chunks)


@dataclass
class MultipartPart:
    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    main, *params = value.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        key, _, raw = param.strip().partition("=")
        if raw.startswith('"') and raw.endswith('"'):
            raw = raw[1:-1].replace('\\"', '"')
        parsed[key.lower()] = raw
    return main.strip().lower(), parsed


def parse_multipart(content_type: str, body: bytes) -> list[MultipartPart]:
    """Split a multipart/form-data body by hand, byte-exact (the payloads may be binary)."""
    kind, params = _header_params(content_type)
    if kind != "multipart/form-data" or "boundary" not in params:
        raise ValueError(f"not a multipart/form-data content type: {content_type!r}")
    delimiter = b"--" + params["boundary"].encode()
    sections = body.split(delimiter)
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        raise ValueError("multipart body does not end with the closing delimiter")
    parts: list[MultipartPart] = []
    for section in sections[1:-1]:
        if not section.startswith(b"\r\n") or not section.endswith(b"\r\n"):
            raise ValueError(f"malformed multipart section: {section[:80]!r}")
        head, sep, data = section[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise ValueError(f"multipart section without header/body separator: {section[:80]!r}")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        _, disposition = _header_params(headers.get("content-disposition", ""))
        parts.append(
            MultipartPart(
                name=disposition.get("name"),
                filename=disposition.get("filename"),
                content_type=headers.get("content-type"),
                data=data,
                headers=headers,
            )
        )
    return parts


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked responses
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        raw_path, _, query_string = self.path.partition("?")
        recorded = RecordedRequest(
            method=self.command,
            raw_path=raw_path,
            query_string=query_string,
            header_list=list(self.headers.items()),
            body=self._read_body(),
            client_port=self.client_address[1],
        )
        owner = self.server.owner
        try:
            reply = owner._reply_for(recorded)
            if isinstance(reply, _Drop):
                self.close_connection = True
                return
            if reply.delay and owner._stopped.wait(reply.delay):
                self.close_connection = True
                return
            self._write(recorded, reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)

    def _write(self, request: RecordedRequest, reply: Reply) -> None:
        self.send_response(reply.status)
        items = list(reply.headers.items()) if isinstance(reply.headers, Mapping) else list(reply.headers)
        names = {name.lower() for name, _ in items}
        for name, value in items:
            self.send_header(name, value)
        no_body = request.method == "HEAD" or reply.status in (204, 304)
        if isinstance(reply.body, bytes | bytearray):
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if not no_body:
                self.wfile.write(reply.body)
            self.wfile.flush()
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        for chunk in reply.body:
            if isinstance(chunk, _Drop):
                self.close_connection = True  # abort mid-body: the client sees a truncated stream
                return
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: RecordingServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients dropping connections mid-test is expected, not noise worth printing


class RecordingServer:
    """Scriptable HTTP server recording every request; use as a context manager."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[RecordedRequest] = []
        self._handler = handler
        self._routes: dict[tuple[str, str], list[ReplyLike]] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def last(self) -> RecordedRequest:
        with self._lock:
            return self.requests[-1]

    def route(self, method: str, path: str, *replies: ReplyLike) -> None:
        """Script replies for ``method`` on the raw ``path`` (no query); the last reply repeats."""
        if not replies:
            raise ValueError("route() needs at least one reply")
        with self._lock:
            self._routes[(method.upper(), path)] = list(replies)

    def set_handler(self, handler: Handler | None) -> None:
        """Fallback for requests without a route."""
        self._handler = handler

    def _reply_for(self, request: RecordedRequest) -> Reply | _Drop:
        with self._lock:
            self.requests.append(request)
            queue = self._routes.get((request.method, request.raw_path))
            reply: ReplyLike | None = None
            if queue:
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply is None and self._handler is not None:
            reply = self._handler(request)
        if reply is None:
            message = f"no route for {request.method} {request.raw_path}"
            return json_reply({"error": {"message": message}}, status=404)
        if isinstance(reply, tuple):
            status, headers, body = reply
            return Reply(status, headers or (), body if body is not None else b"")
        return reply

    def start(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
