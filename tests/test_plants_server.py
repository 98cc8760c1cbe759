"""The Plant Monitor demo server (examples/plants/server.py) really speaks its REST API."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

SERVER_PY = Path(__file__).resolve().parents[1] / "examples" / "plants" / "server.py"
AUTH = {"Authorization": "Bearer test-token"}


def _load_server_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plants_demo_server", SERVER_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


plants_server = _load_server_module()


def _start(**options: Any) -> tuple[Any, str]:
    server, _thread, url = plants_server.start_server(port=0, sse_delay=0, **options)
    return server, url


@pytest.fixture
def server() -> Iterator[Any]:
    srv, _url = _start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=10) as c:
        yield c


def test_start_server_binds_loopback_and_returns_v1_url(server: Any) -> None:
    assert server.server_address[0] == "127.0.0.1"
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}/v1"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwdw=="}])
def test_requests_without_a_bearer_token_get_401_json(server: Any, headers: dict[str, str]) -> None:
    r = httpx.get(server.url + "/plants", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/json"
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"error": {"code": "unauthorized", "message": "Missing bearer token."}}


def test_any_non_empty_bearer_token_is_accepted(server: Any) -> None:
    r = httpx.get(server.url + "/plants", headers={"Authorization": "Bearer x"})
    assert r.status_code == 200
    assert [p["id"] for p in r.json()["items"]] == ["plt_1", "plt_2", "plt_3"]


def test_list_plants_pages_with_cursor_and_filters_species(client: httpx.Client) -> None:
    first = client.get("/plants", params={"limit": 2}).json()
    assert [p["id"] for p in first["items"]] == ["plt_1", "plt_2"]
    assert isinstance(first["next_cursor"], str)
    second = client.get("/plants", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in second["items"]] == ["plt_3"]
    assert second["next_cursor"] is None
    filtered = client.get("/plants", params=[("species", "cactus"), ("species", "fern")]).json()
    assert [p["species"] for p in filtered["items"]] == ["cactus", "fern"]
    bad = client.get("/plants", params={"species": "rose"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_error"


def test_plant_crud_round_trip(client: httpx.Client) -> None:
    created = client.post("/plants", json={"name": "Kitchen basil", "species": "herb", "light": "full-sun"})
    assert created.status_code == 201
    plant = created.json()
    assert plant["name"] == "Kitchen basil" and plant["light"] == "full-sun" and plant["notes"] is None
    assert created.headers["location"] == f"/v1/plants/{plant['id']}"

    patched = client.patch(f"/plants/{plant['id']}", json={"notes": "Pinch the tips", "tags": ["kitchen"]})
    assert patched.status_code == 200
    assert patched.json()["notes"] == "Pinch the tips" and patched.json()["tags"] == ["kitchen"]
    cleared = client.patch(f"/plants/{plant['id']}", json={"notes": None})
    assert cleared.json()["notes"] is None
    assert client.patch(f"/plants/{plant['id']}", json={"name": None}).status_code == 422

    assert client.get(f"/plants/{plant['id']}").json()["tags"] == ["kitchen"]
    deleted = client.delete(f"/plants/{plant['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = client.get(f"/plants/{plant['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"


def test_create_plant_rejects_invalid_bodies(client: httpx.Client) -> None:
    assert client.post("/plants", json={"name": "no species"}).status_code == 422
    assert client.post("/plants", json={"name": "x", "species": "herb", "light": "sunny"}).status_code == 422
    assert client.post("/plants", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 422


def test_unknown_plant_is_404_with_error_shape(client: httpx.Client) -> None:
    r = client.get("/plants/plt_999")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "No plant with id plt_999."}}


def test_list_readings_answers_429_once_then_ok(client: httpx.Client) -> None:
    first = client.get("/plants/plt_1/readings")
    assert first.status_code == 429
    assert first.headers["retry-after"] == "0.1"
    assert first.json()["error"]["code"] == "rate_limited"
    second = client.get("/plants/plt_1/readings", params={"kind": "moisture"})
    assert second.status_code == 200
    readings = second.json()
    assert len(readings) == 3
    assert {(r["type"], r["kind"], r["unit"]) for r in readings} == {("sensor_reading", "moisture", "%")}
    since = client.get("/plants/plt_1/readings", params={"since": "2024-05-01T11:00:00Z"})
    assert since.status_code == 200
    assert min(r["recorded_at"] for r in since.json()) == "2024-05-01T11:00:00Z"


def test_rate_limit_can_be_turned_off() -> None:
    srv, url = _start(rate_limit_first_readings=False)
    try:
        assert httpx.get(url + "/plants/plt_1/readings", headers=AUTH).status_code == 200
    finally:
        srv.stop()


def test_unauthenticated_calls_do_not_use_up_the_429(server: Any) -> None:
    assert httpx.get(server.url + "/plants/plt_1/readings").status_code == 401
    assert httpx.get(server.url + "/plants/plt_1/readings", headers=AUTH).status_code == 429


def test_live_readings_are_server_sent_events_ending_with_done(client: httpx.Client) -> None:
    with client.stream("GET", "/plants/plt_2/readings/live") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = list(r.iter_lines())
    data = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    events = [json.loads(d) for d in data[:-1]]
    assert len(events) >= 2
    for event in events:
        assert event["type"] == "sensor_reading"
        assert event["plant_id"] == "plt_2"
        assert set(event) == {"type", "plant_id", "kind", "value", "unit", "recorded_at"}


def test_live_readings_of_unknown_plant_is_404(client: httpx.Client) -> None:
    assert client.get("/plants/nope/readings/live").status_code == 404


def test_multipart_upload_then_download_round_trips_bytes(client: httpx.Client) -> None:
    # Bytes that trip naive parsers: CRLFs, dashes, a fake boundary, every byte value.
    payload = bytes(range(256)) * 4 + b"\r\n--\r\n\r\n--boundary\r\n" + b"\xff\xd9"
    r = client.post(
        "/plants/plt_1/photos",
        files={"file": ("leaf.jpg", payload, "image/jpeg")},
        data={"caption": "Nouvelle feuille \u2618"},
    )
    assert r.status_code == 201
    photo = r.json()
    assert photo["size_bytes"] == len(payload)
    assert photo["caption"] == "Nouvelle feuille \u2618"
    assert photo["filename"] == "leaf.jpg"
    assert photo["plant_id"] == "plt_1"

    down = client.get(f"/plants/plt_1/photos/{photo['id']}")
    assert down.status_code == 200
    assert down.headers["content-type"] == "image/jpeg"
    assert down.content == payload


def test_upload_requires_a_file_part(client: httpx.Client) -> None:
    r = client.post("/plants/plt_1/photos", files={"caption": (None, "only a caption")})
    assert r.status_code == 422
    assert "file" in r.json()["error"]["message"]
    assert client.post("/plants/plt_1/photos", json={"caption": "x"}).status_code == 422


def test_seeded_photo_is_a_jpeg_and_belongs_to_its_plant(client: httpx.Client) -> None:
    r = client.get("/plants/plt_1/photos/ph_1")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content[:3] == b"\xff\xd8\xff" and r.content[-2:] == b"\xff\xd9"
    assert client.get("/plants/plt_2/photos/ph_1").status_code == 404


def test_acknowledge_alert_needs_idempotency_key_and_replays(client: httpx.Client) -> None:
    assert client.post("/alerts/alr_2/acknowledge").status_code == 400
    first = client.post("/alerts/alr_2/acknowledge", headers={"Idempotency-Key": "k-1"}, json={"note": "fan on"})
    assert first.status_code == 200
    alert = first.json()
    assert alert["type"] == "temperature" and alert["acknowledged"] is True
    assert isinstance(alert["acknowledged_at"], str)
    again = client.post("/alerts/alr_2/acknowledge", headers={"Idempotency-Key": "k-1"})
    assert again.json() == alert
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/alerts", params={"acknowledged": "false"}).json() == []


def test_alerts_are_a_discriminated_union_newest_first(client: httpx.Client) -> None:
    alerts = client.get("/alerts").json()
    assert [(a["id"], a["type"]) for a in alerts] == [("alr_2", "temperature"), ("alr_1", "moisture")]
    assert "moisture_pct" in alerts[1] and "temperature_c" in alerts[0]


def test_wrong_method_is_405_and_paths_outside_v1_are_404(client: httpx.Client, server: Any) -> None:
    r = client.put("/plants")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
    assert httpx.get(f"http://127.0.0.1:{server.port}/plants", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n',  # no closing boundary
        b"no boundary at all",
        b"--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--\r\n",  # no Content-Disposition
    ],
)
def test_parse_multipart_rejects_malformed_bodies(body: bytes) -> None:
    with pytest.raises(plants_server.HTTPError) as info:
        plants_server.parse_multipart(body, "multipart/form-data; boundary=b")
    assert info.value.status == 422


def test_parse_multipart_keeps_bytes_exact() -> None:
    body = (
        b'preamble\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a b.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\nline\r\n\r\n--XyZ\r\n"
        b"Content-Disposition: form-data; name=caption\r\n\r\nhi\r\n--XyZ--\r\nepilogue"
    )
    parts = plants_server.parse_multipart(body, 'multipart/form-data; boundary="XyZ"')
    assert [(p.name, p.filename, p.data) for p in parts] == [
        ("file", "a b.bin", b"\r\nline\r\n"),
        ("caption", None, b"hi"),
    ]
    assert parts[0].content_type == "application/octet-stream"


def test_script_runs_standalone_on_a_free_port() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(SERVER_PY), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "http://127.0.0.1:" in banner
        url = banner.split()[banner.split().index("on") + 1]
        assert url.endswith("/v1")
        r = httpx.get(url + "/plants/plt_1", headers=AUTH, timeout=10)
        assert r.status_code == 200
        assert r.json()["species"] == "monstera"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
