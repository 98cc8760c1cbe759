"""A tiny, real, in-memory server for the Plant Monitor REST API (``openapi.yaml`` beside this file).

Standard library only. Run it::

    python examples/plants/server.py --port 8080

or start it inside a demo script or a test::

    from server import start_server
    server, thread, url = start_server(port=0)   # url == "http://127.0.0.1:<port>/v1"
    ...
    server.stop()

Behaviour worth knowing for a demo:

* every request needs ``Authorization: Bearer <any non-empty token>``, otherwise 401;
* the first authenticated ``GET /v1/plants/{plant_id}/readings`` answers ``429`` with
  ``Retry-After: 0.1`` (once per server), so a client's retry logic can be seen working;
* ``GET /v1/plants/{plant_id}/readings/live`` streams server-sent events: a comment line, a few
  ``data: {SensorReading}`` events, then ``data: [DONE]``;
* ``POST /v1/plants/{plant_id}/photos`` parses ``multipart/form-data`` and answers with the size of
  the uploaded file and its caption; ``GET /v1/plants/plt_1/photos/ph_1`` is a small JPEG.

It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import base64
import email.message
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

HOST = "127.0.0.1"
BASE_PATH = "/v1"

# An 8x8 green JPEG (287 bytes), served as the seeded photo ``ph_1`` of plant ``plt_1``.
SAMPLE_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1R"
    "V19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAA"
    "AAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAwX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCMASW//9k="
)

SPECIES = ("monstera", "ficus", "cactus", "fern", "herb", "snake-plant")
LIGHT_LEVELS = ("full-sun", "partial-shade", "low-light")
SENSOR_KINDS = ("moisture", "temperature", "light", "humidity")
UNITS = {"moisture": "%", "temperature": "C", "light": "lux", "humidity": "%"}
JSON = dict[str, Any]


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(datetime.now(UTC))


def parse_datetime(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError("date-time needs a time zone")
    return dt


class HTTPError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def invalid(message: str) -> HTTPError:
    return HTTPError(422, "validation_error", message)


# --------------------------------------------------------------------------------------------
# multipart/form-data


@dataclass
class FormPart:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def _header_params(header_name: str, value: str) -> email.message.Message:
    msg = email.message.Message()
    msg[header_name] = value
    return msg


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    """Split a ``multipart/form-data`` body (RFC 7578) into its parts, byte-exact."""
    ct = _header_params("Content-Type", content_type)
    if ct.get_content_type() != "multipart/form-data":
        raise invalid(f"expected a multipart/form-data body, got {content_type or 'no Content-Type'!r}")
    boundary = ct.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise invalid("multipart/form-data Content-Type has no boundary")
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    if len(chunks) < 2:
        raise invalid("multipart body does not contain its boundary")
    parts: list[FormPart] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            return parts
        line_end = chunk.find(b"\r\n")
        if line_end < 0 or chunk[:line_end].strip(b" \t"):
            raise invalid("malformed multipart boundary line")
        chunk = chunk[line_end + 2 :]
        if chunk.startswith(b"\r\n"):
            raw_headers, data = b"", chunk[2:]
        else:
            head_end = chunk.find(b"\r\n\r\n")
            if head_end < 0:
                raise invalid("multipart part has no end of headers")
            raw_headers, data = chunk[:head_end], chunk[head_end + 4 :]
        headers: dict[str, str] = {}
        for line in raw_headers.decode("utf-8", "replace").split("\r\n"):
            if ":" in line:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
        disposition = _header_params("Content-Disposition", headers.get("content-disposition", ""))
        if disposition.get_content_disposition() != "form-data":
            raise invalid("multipart part without Content-Disposition: form-data")
        name = disposition.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise invalid("multipart part without a name")
        parts.append(FormPart(name, disposition.get_filename(), headers.get("content-type"), data))
    raise invalid("multipart body has no closing boundary")


# --------------------------------------------------------------------------------------------
# in-memory data


@dataclass
class Store:
    plants: dict[str, JSON] = field(default_factory=dict)
    readings: dict[str, list[JSON]] = field(default_factory=dict)
    alerts: dict[str, JSON] = field(default_factory=dict)
    photos: dict[str, tuple[JSON, bytes]] = field(default_factory=dict)
    idempotency: dict[str, tuple[str, JSON]] = field(default_factory=dict)
    next_id: int = 100
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self, prefix: str) -> str:
        self.next_id += 1
        return f"{prefix}_{self.next_id}"

    @classmethod
    def seeded(cls) -> Store:
        store = cls()
        store.plants = {
            "plt_1": {
                "id": "plt_1",
                "name": "Living room monstera",
                "species": "monstera",
                "light": "partial-shade",
                "location": {"room": "living room", "shelf": 2},
                "notes": None,
                "tags": ["big"],
                "target_moisture_pct": 45,
                "created_at": "2024-04-01T09:00:00Z",
                "last_watered_at": "2024-05-01T08:30:00Z",
            },
            "plt_2": {
                "id": "plt_2",
                "name": "Desk cactus",
                "species": "cactus",
                "light": "full-sun",
                "location": {"room": "office"},
                "notes": "Water monthly.",
                "tags": [],
                "target_moisture_pct": 10,
                "created_at": "2024-04-02T10:00:00Z",
                "last_watered_at": None,
            },
            "plt_3": {
                "id": "plt_3",
                "name": "Bathroom fern",
                "species": "fern",
                "light": "low-light",
                "notes": None,
                "tags": ["humid"],
                "target_moisture_pct": 70,
                "created_at": "2024-04-03T11:00:00Z",
                "last_watered_at": None,
            },
        }
        start = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
        values = {"moisture": 41.5, "temperature": 21.0, "light": 850.0, "humidity": 55.0}
        for plant_id in store.plants:
            store.readings[plant_id] = [
                {
                    "type": "sensor_reading",
                    "plant_id": plant_id,
                    "kind": kind,
                    "value": round(values[kind] - hour * 1.5, 1),
                    "unit": UNITS[kind],
                    "recorded_at": iso(start + timedelta(hours=hour)),
                }
                for hour in range(3)
                for kind in SENSOR_KINDS
            ]
        store.alerts = {
            "alr_2": {
                "type": "temperature",
                "id": "alr_2",
                "plant_id": "plt_2",
                "raised_at": "2024-05-01T13:00:00Z",
                "acknowledged": False,
                "acknowledged_at": None,
                "temperature_c": 36.5,
                "bound": "too-hot",
            },
            "alr_1": {
                "type": "moisture",
                "id": "alr_1",
                "plant_id": "plt_1",
                "raised_at": "2024-05-01T12:00:00Z",
                "acknowledged": True,
                "acknowledged_at": "2024-05-01T12:30:00Z",
                "moisture_pct": 18.0,
                "threshold_pct": 25.0,
            },
        }
        store.photos["ph_1"] = (
            {
                "id": "ph_1",
                "plant_id": "plt_1",
                "caption": "New leaf",
                "filename": "leaf.jpg",
                "size_bytes": len(SAMPLE_JPEG),
                "uploaded_at": "2024-05-01T09:00:00Z",
            },
            SAMPLE_JPEG,
        )
        return store


# --------------------------------------------------------------------------------------------
# validation of request bodies


def _check_plant_fields(body: JSON, *, partial: bool) -> JSON:
    allowed = {"name", "species", "light", "location", "notes", "tags", "target_moisture_pct"}
    if partial:
        allowed.discard("species")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise invalid(f"unknown field(s): {', '.join(unknown)}")
    out: JSON = {}
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not 1 <= len(name) <= 80:
            raise invalid("name must be a string of 1 to 80 characters")
        out["name"] = name
    if "species" in body:
        if body["species"] not in SPECIES:
            raise invalid(f"species must be one of {', '.join(SPECIES)}")
        out["species"] = body["species"]
    if "light" in body:
        if body["light"] not in LIGHT_LEVELS:
            raise invalid(f"light must be one of {', '.join(LIGHT_LEVELS)}")
        out["light"] = body["light"]
    if "location" in body:
        loc = body["location"]
        if not isinstance(loc, dict) or not isinstance(loc.get("room"), str) or set(loc) - {"room", "shelf"}:
            raise invalid("location must be an object with a string room and an optional shelf")
        shelf = loc.get("shelf")
        if shelf is not None and (not isinstance(shelf, int) or isinstance(shelf, bool)):
            raise invalid("location.shelf must be an integer or null")
        out["location"] = dict(loc)
    if "notes" in body:
        if body["notes"] is not None and not isinstance(body["notes"], str):
            raise invalid("notes must be a string or null")
        out["notes"] = body["notes"]
    if "tags" in body:
        tags = body["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise invalid("tags must be a list of strings")
        out["tags"] = list(tags)
    if "target_moisture_pct" in body:
        pct = body["target_moisture_pct"]
        if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100:
            raise invalid("target_moisture_pct must be a number from 0 to 100")
        out["target_moisture_pct"] = pct
    return out


# --------------------------------------------------------------------------------------------
# HTTP


Route = tuple[str, re.Pattern[str], str]
ROUTES: list[Route] = [
    ("GET", re.compile(r"/plants"), "list_plants"),
    ("POST", re.compile(r"/plants"), "create_plant"),
    ("GET", re.compile(r"/plants/(?P<plant_id>[^/]+)"), "get_plant"),
    ("PATCH", re.compile(r"/plants/(?P<plant_id>[^/]+)"), "update_plant"),
    ("DELETE", re.compile(r"/plants/(?P<plant_id>[^/]+)"), "delete_plant"),
    ("GET", re.compile(r"/plants/(?P<plant_id>[^/]+)/readings"), "list_readings"),
    ("GET", re.compile(r"/plants/(?P<plant_id>[^/]+)/readings/live"), "stream_readings"),
    ("GET", re.compile(r"/alerts"), "list_alerts"),
    ("POST", re.compile(r"/alerts/(?P<alert_id>[^/]+)/acknowledge"), "acknowledge_alert"),
    ("POST", re.compile(r"/plants/(?P<plant_id>[^/]+)/photos"), "upload_photo"),
    ("GET", re.compile(r"/plants/(?P<plant_id>[^/]+)/photos/(?P<photo_id>[^/]+)"), "download_photo"),
]


class PlantServer(ThreadingHTTPServer):
    """The HTTP server; its state lives in ``self.store`` and is discarded with it."""

    daemon_threads = True

    def __init__(
        self,
        port: int = 0,
        *,
        rate_limit_first_readings: bool = True,
        sse_delay: float = 0.05,
        quiet: bool = True,
    ) -> None:
        super().__init__((HOST, port), PlantHandler)
        self.store = Store.seeded()
        self.rate_limit_pending = rate_limit_first_readings
        self.sse_delay = sse_delay
        self.quiet = quiet
        self.request_log: list[tuple[str, str, int]] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{BASE_PATH}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.quiet:
            return
        super().handle_error(request, client_address)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class PlantHandler(BaseHTTPRequestHandler):
    server: PlantServer
    query: dict[str, list[str]]
    body: bytes
    protocol_version = "HTTP/1.1"
    server_version = "PlantMonitorDemo/1.0"
    timeout = 30

    # -- plumbing ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.server.request_log.append((self.command, self.path, status))

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _error(self, err: HTTPError) -> None:
        self._json(err.status, {"error": {"code": err.code, "message": err.message}}, err.headers)

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self._error(HTTPError(400, "bad_request", "could not read the request body"))
            self.close_connection = True
            return
        url = urlsplit(self.path)
        path = url.path
        self.query = parse_qs(url.query, keep_blank_values=True)
        self.body = body
        try:
            if not (path == BASE_PATH or path.startswith(BASE_PATH + "/")):
                raise HTTPError(404, "not_found", f"no route for {path}; the API lives under {BASE_PATH}/")
            sub = path[len(BASE_PATH) :]
            matches = [(m, match, name) for m, pat, name in ROUTES if (match := pat.fullmatch(sub))]
            if not matches:
                raise HTTPError(404, "not_found", f"no route for {path}")
            chosen = [(match, name) for m, match, name in matches if m == self.command]
            if not chosen:
                allowed = ", ".join(sorted({m for m, _, _ in matches}))
                raise HTTPError(405, "method_not_allowed", f"{self.command} not allowed", {"Allow": allowed})
            self._check_auth()
            match, name = chosen[0]
            handler: Callable[..., None] = getattr(self, name)
            handler(**{key: unquote(value) for key, value in match.groupdict().items()})
        except HTTPError as err:
            self._error(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:
            self._error(HTTPError(500, "internal_error", f"{type(exc).__name__}: {exc}"))

    def _check_auth(self) -> None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPError(401, "unauthorized", "Missing bearer token.", {"WWW-Authenticate": "Bearer"})

    def _json_body(self, *, required: bool = True) -> Any:
        if not self.body:
            if required:
                raise invalid("a JSON request body is required")
            return None
        ctype = self.headers.get("Content-Type", "")
        if not ctype.split(";")[0].strip().lower().endswith("json"):
            raise invalid(f"expected Content-Type application/json, got {ctype!r}")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise invalid(f"request body is not valid JSON: {exc}") from None

    def _one(self, name: str) -> str | None:
        values = self.query.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise invalid(f"query parameter {name} given {len(values)} times")
        return values[0]

    def _plant(self, plant_id: str) -> JSON:
        plant = self.server.store.plants.get(plant_id)
        if plant is None:
            raise HTTPError(404, "not_found", f"No plant with id {plant_id}.")
        return plant

    # -- plants --------------------------------------------------------------------------------

    def list_plants(self) -> None:
        limit_text = self._one("limit")
        try:
            limit = int(limit_text) if limit_text is not None else 20
        except ValueError:
            raise invalid("limit must be an integer") from None
        if not 1 <= limit <= 100:
            raise invalid("limit must be between 1 and 100")
        offset = 0
        cursor = self._one("cursor")
        if cursor:
            try:
                offset = int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("offset:"))
            except ValueError:
                raise invalid("cursor is not one this server made") from None
        species = [s for value in self.query.get("species", []) for s in value.split(",") if s]
        bad = [s for s in species if s not in SPECIES]
        if bad:
            raise invalid(f"unknown species: {', '.join(bad)}")
        with self.server.store.lock:
            plants = [p for p in self.server.store.plants.values() if not species or p["species"] in species]
        page = plants[offset : offset + limit]
        next_cursor = None
        if offset + limit < len(plants):
            next_cursor = base64.urlsafe_b64encode(f"offset:{offset + limit}".encode()).decode()
        self._json(200, {"items": page, "next_cursor": next_cursor})

    def create_plant(self) -> None:
        body = self._json_body()
        if not isinstance(body, dict):
            raise invalid("request body must be a JSON object")
        fields = _check_plant_fields(body, partial=False)
        for required in ("name", "species"):
            if required not in fields:
                raise invalid(f"{required} is required")
        store = self.server.store
        with store.lock:
            plant: JSON = {
                "id": store.new_id("plt"),
                "name": fields["name"],
                "species": fields["species"],
                "light": fields.get("light", "partial-shade"),
                **({"location": fields["location"]} if "location" in fields else {}),
                "notes": fields.get("notes"),
                "tags": fields.get("tags", []),
                "target_moisture_pct": fields.get("target_moisture_pct", 40),
                "created_at": now_iso(),
                "last_watered_at": None,
            }
            store.plants[plant["id"]] = plant
            store.readings[plant["id"]] = []
        self._json(201, plant, {"Location": f"{BASE_PATH}/plants/{plant['id']}"})

    def get_plant(self, plant_id: str) -> None:
        self._json(200, self._plant(plant_id))

    def update_plant(self, plant_id: str) -> None:
        body = self._json_body()
        if not isinstance(body, dict):
            raise invalid("request body must be a JSON object")
        with self.server.store.lock:
            plant = self._plant(plant_id)
            plant.update(_check_plant_fields(body, partial=True))
        self._json(200, plant)

    def delete_plant(self, plant_id: str) -> None:
        store = self.server.store
        with store.lock:
            self._plant(plant_id)
            del store.plants[plant_id]
            store.readings.pop(plant_id, None)
            for photo_id in [k for k, (meta, _) in store.photos.items() if meta["plant_id"] == plant_id]:
                del store.photos[photo_id]
        self._send(204, b"", None)

    # -- readings ------------------------------------------------------------------------------

    def list_readings(self, plant_id: str) -> None:
        self._plant(plant_id)
        with self.server.store.lock:
            limited = self.server.rate_limit_pending
            self.server.rate_limit_pending = False
        if limited:
            raise HTTPError(429, "rate_limited", "Too many requests; retry shortly.", {"Retry-After": "0.1"})
        since_text = self._one("since")
        since = None
        if since_text is not None:
            try:
                since = parse_datetime(since_text)
            except ValueError:
                raise invalid(f"since is not an RFC 3339 date-time: {since_text!r}") from None
        kind = self._one("kind")
        if kind is not None and kind not in SENSOR_KINDS:
            raise invalid(f"kind must be one of {', '.join(SENSOR_KINDS)}")
        readings = [
            r
            for r in self.server.store.readings.get(plant_id, [])
            if (kind is None or r["kind"] == kind) and (since is None or parse_datetime(r["recorded_at"]) >= since)
        ]
        self._json(200, readings)

    def stream_readings(self, plant_id: str) -> None:
        self._plant(plant_id)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(text: str) -> None:
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        try:
            chunk(": live readings for " + plant_id + "\n\n")
            for i, (kind, value) in enumerate([("moisture", 40.0), ("temperature", 21.5), ("light", 900.0)]):
                if i:
                    time.sleep(self.server.sse_delay)
                reading = {
                    "type": "sensor_reading",
                    "plant_id": plant_id,
                    "kind": kind,
                    "value": value,
                    "unit": UNITS[kind],
                    "recorded_at": now_iso(),
                }
                chunk(f"data: {json.dumps(reading)}\n\n")
            chunk("data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:  # the client went away mid-stream
            self.close_connection = True
            return
        self.server.request_log.append((self.command, self.path, 200))

    # -- alerts --------------------------------------------------------------------------------

    def list_alerts(self) -> None:
        acknowledged = self._one("acknowledged")
        if acknowledged not in (None, "true", "false"):
            raise invalid("acknowledged must be true or false")
        with self.server.store.lock:
            alerts = sorted(self.server.store.alerts.values(), key=lambda a: a["raised_at"], reverse=True)
        if acknowledged is not None:
            alerts = [a for a in alerts if a["acknowledged"] == (acknowledged == "true")]
        self._json(200, alerts)

    def acknowledge_alert(self, alert_id: str) -> None:
        key = self.headers.get("Idempotency-Key", "").strip()
        if not key:
            raise HTTPError(400, "validation_error", "the Idempotency-Key header is required")
        body = self._json_body(required=False)
        if body is not None and (not isinstance(body, dict) or set(body) - {"note"}):
            raise HTTPError(400, "validation_error", "request body must be an object with an optional note")
        store = self.server.store
        with store.lock:
            if key in store.idempotency:
                first_alert, result = store.idempotency[key]
                if first_alert != alert_id:
                    raise HTTPError(400, "validation_error", "this Idempotency-Key was used for another alert")
                self._json(200, result, {"Idempotent-Replayed": "true"})
                return
            alert = store.alerts.get(alert_id)
            if alert is None:
                raise HTTPError(404, "not_found", f"No alert with id {alert_id}.")
            if not alert["acknowledged"]:
                alert.update(acknowledged=True, acknowledged_at=now_iso())
            result = dict(alert)
            store.idempotency[key] = (alert_id, result)
        self._json(200, result)

    # -- media ---------------------------------------------------------------------------------

    def upload_photo(self, plant_id: str) -> None:
        self._plant(plant_id)
        parts = parse_multipart(self.body, self.headers.get("Content-Type", ""))
        files = [p for p in parts if p.name == "file"]
        if len(files) != 1:
            raise invalid(f"expected exactly one 'file' part, got {len(files)}")
        captions = [p for p in parts if p.name == "caption"]
        if len(captions) > 1:
            raise invalid("more than one caption")
        caption = captions[0].data.decode("utf-8") if captions else None
        if caption is not None and len(caption) > 200:
            raise invalid("caption is longer than 200 characters")
        store = self.server.store
        with store.lock:
            photo_id = store.new_id("ph")
            photo: JSON = {
                "id": photo_id,
                "plant_id": plant_id,
                "caption": caption,
                "filename": files[0].filename,
                "size_bytes": len(files[0].data),
                "uploaded_at": now_iso(),
            }
            store.photos[photo_id] = (photo, files[0].data)
        self._json(201, photo)

    def download_photo(self, plant_id: str, photo_id: str) -> None:
        self._plant(plant_id)
        entry = self.server.store.photos.get(photo_id)
        if entry is None or entry[0]["plant_id"] != plant_id:
            raise HTTPError(404, "not_found", f"No photo {photo_id} for plant {plant_id}.")
        self._send(200, entry[1], "image/jpeg")


def start_server(port: int = 0, **options: Any) -> tuple[PlantServer, threading.Thread, str]:
    """Start a server on 127.0.0.1 in a daemon thread; returns ``(server, thread, base_url)``.

    ``base_url`` includes the ``/v1`` prefix, like ``servers[0].url`` in openapi.yaml. Stop it with
    ``server.stop()``. Options: ``rate_limit_first_readings`` (default True), ``sse_delay`` (seconds
    between events, default 0.05), ``quiet`` (default True: no access log on stderr).
    """
    server = PlantServer(port, **options)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="plant-server", daemon=True
    )
    thread.start()
    return server, thread, server.url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="In-memory Plant Monitor API demo server (127.0.0.1 only).")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free port)")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    parser.add_argument("--no-rate-limit", action="store_true", help="skip the one-time 429 on list readings")
    args = parser.parse_args(argv)
    server = PlantServer(args.port, quiet=args.quiet, rate_limit_first_readings=not args.no_rate_limit)
    print(f"Plant Monitor demo server on {server.url} (any bearer token works; Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
