"""A tiny REST server on 127.0.0.1 for the sample scripts: canned answers per (method, path).

Standard library only, so the samples need nothing but the generated SDKs and autosdk-py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, str, bytes]  # status, content type, body


def json_answer(data: object, status: int = 200) -> Answer:
    return status, "application/json", json.dumps(data).encode()


@contextmanager
def local_rest(routes: Mapping[tuple[str, str], Answer]) -> Iterator[str]:
    """Serve ``routes`` on a free port; yields the base URL (``http://127.0.0.1:<port>``)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the samples print what matters themselves

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, ctype, body = routes.get(
                (self.command, self.path.split("?")[0]), json_answer({"error": "no route"}, 404)
            )
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
