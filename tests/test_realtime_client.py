"""Pass 2: the generated realtime client, imported and run against a real websockets server.

The Plant Monitor example is generated once per session in both modes: cross-namespace
(``plants_x.realtime`` importing the models of pass 1's ``plants_x``) and with its own models.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autosdk_py.pipeline import GenerateOptions, generate
from tests.ws_server import ScriptedConnection, WsServer

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "plants"

READING = {
    "type": "sensor_reading",
    "plant_id": "p 1",
    "kind": "moisture",
    "value": 41.5,
    "unit": "%",
    "recorded_at": "2024-05-01T10:00:00Z",
}
STATUS = {
    "type": "plant_status",
    "plant_id": "p 1",
    "health": "thirsty",
    "moisture_pct": 12.0,
    "updated_at": "2024-05-01T10:00:00Z",
}


@pytest.fixture(scope="session")
def plants_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plants_rt")
    generate(GenerateOptions(spec=EXAMPLE / "openapi.yaml", output=out, namespace="plants_x"))
    generate(
        GenerateOptions(spec=EXAMPLE / "asyncapi.yaml", output=out, types_namespace="plants_x", generate_models=False)
    )
    generate(GenerateOptions(spec=EXAMPLE / "asyncapi.yaml", output=out, namespace="plants_own"))
    sys.path.insert(0, str(out))
    return out


@pytest.fixture(scope="session")
def rt(plants_out: Path) -> ModuleType:
    return importlib.import_module("plants_x.realtime")


@pytest.fixture(scope="session")
def rest(plants_out: Path) -> ModuleType:
    return importlib.import_module("plants_x")


def script_stream(*frames: object) -> Any:
    def handler(conn: ScriptedConnection) -> None:
        for frame in frames:
            conn.send(frame if isinstance(frame, (str, bytes)) else json.dumps(frame))
        conn.record_until_closed()

    return handler


def test_cross_namespace_client_imports_pass_one_models(rt: ModuleType, plants_out: Path) -> None:
    source = (plants_out / "plants_x" / "realtime" / "_client.py").read_text()
    assert "from plants_x.models import" in source
    assert not (plants_out / "plants_x" / "realtime" / "models").exists()
    assert "class SensorReading" not in source
    import plants_x.models as models  # type: ignore[import-not-found]

    assert rt.ServerMessage is not None
    decoder = importlib.import_module("plants_x.realtime._client").server_message_decoder()
    decoded = decoder.decode(json.dumps(READING))
    assert type(decoded) is models.SensorReading  # the very class of pass 1


def test_typed_send_and_recv_with_params_and_auth(rt: ModuleType, rest: ModuleType) -> None:
    models = importlib.import_module("plants_x.models")
    with WsServer(script_stream(READING, STATUS, {"type": "surprise", "x": 1}, b"\x00\x01", "not json")) as server:
        client = rt.RealtimeClient("tok", base_url=server.url, additional_headers={"X-App": "tests"})
        with client.connect("p 1", units="imperial") as ws:
            ws.send_watering_command(models.WateringCommand(plant_id="p 1", duration_s=30))
            first, second, unknown, binary, garbage = (ws.recv(timeout=5) for _ in range(5))
            server.wait_for_received(1)
        handshake = server.handshakes[0]
    assert isinstance(first, models.SensorReading) and first.value == 41.5
    assert isinstance(second, models.PlantStatus)
    assert isinstance(unknown, rt.UnknownMessage) and unknown.type == "surprise"
    assert binary == b"\x00\x01"
    assert isinstance(garbage, rt.UnknownMessage) and garbage.type is None
    assert handshake.path == "/v1/plants/p%201/live"
    assert handshake.query == {"units": ["imperial"]}
    assert handshake.header("authorization") == "Bearer tok"
    assert handshake.header("x-app") == "tests"
    assert "permessage-deflate" not in " ".join(handshake.extensions)  # compression off by default
    sent = json.loads(server.received[0])
    assert sent == {"type": "watering_command", "plant_id": "p 1", "duration_s": 30}
    assert server.received[0] == json.dumps(sent, separators=(",", ":"))  # compact JSON


def test_iteration_ends_on_normal_close_and_raw_frames(rt: ModuleType) -> None:
    def handler(conn: ScriptedConnection) -> None:
        conn.send(json.dumps(READING))
        conn.send(json.dumps(STATUS))
        conn.close(1000)

    with WsServer(handler) as server:
        with rt.RealtimeClient("k", base_url=server.url).connect("p1") as ws:
            kinds = [type(m).__name__ for m in ws]
    assert kinds == ["SensorReading", "PlantStatus"]
    with WsServer(script_stream(READING)) as server:
        with rt.RealtimeClient("k", base_url=server.url).connect("p1") as ws:
            assert json.loads(ws.recv_raw(timeout=5)) == READING
            ws.send_raw('{"type":"watering_command","plant_id":"p1","duration_s":1}')
            server.wait_for_received(1)
    assert json.loads(server.received[0])["duration_s"] == 1


def test_handlers_per_event_and_per_message_type(rt: ModuleType) -> None:
    models = importlib.import_module("plants_x.models")
    seen: list[str] = []

    def handler(conn: ScriptedConnection) -> None:
        conn.send(json.dumps(READING))
        conn.send(json.dumps(STATUS))
        conn.close(1000)

    with WsServer(handler) as server:
        ws = rt.RealtimeClient("k", base_url=server.url).connect("p1")
        ws.on(rt.EventType.MESSAGE, lambda m: seen.append("message:" + type(m).__name__))
        ws.on(models.SensorReading, lambda m: seen.append("reading:" + m.kind))
        ws.on("plant_status", lambda m: seen.append("status:" + m.health))
        ws.on(rt.EventType.CLOSE, lambda info: seen.append(f"close:{info.code}"))
        ws.start_listening()
        ws.wait(timeout=5)
        ws.close()
    assert "reading:moisture" in seen and "status:thirsty" in seen
    assert seen.count("message:SensorReading") == 1 and seen[-1] == "close:1000"


def test_reconnects_after_a_drop_and_flushes_queued_sends(rt: ModuleType) -> None:
    models = importlib.import_module("plants_x.models")

    def first(conn: ScriptedConnection) -> None:
        conn.send(json.dumps(READING))
        conn.drop()  # no close frame: the client sees 1006

    def second(conn: ScriptedConnection) -> None:
        conn.send(json.dumps(STATUS))
        conn.record_until_closed()

    policy = rt.ReconnectPolicy(initial_delay=0.05, max_delay=0.1)
    with WsServer(first, second) as server:
        with rt.RealtimeClient("k", base_url=server.url, reconnect=policy).connect("p1") as ws:
            assert isinstance(ws.recv(timeout=5), models.SensorReading)
            assert isinstance(ws.recv(timeout=5), models.PlantStatus)  # on the new connection
            ws.send_watering_command(models.WateringCommand(plant_id="p1", duration_s=5))
            server.wait_for_received(1)
    assert len(server.handshakes) == 2
    assert json.loads(server.received[0])["duration_s"] == 5


def test_handshake_401_is_a_typed_error(rt: ModuleType) -> None:
    with WsServer() as server:
        server.reject(401, body='{"error": "bad key"}')
        with pytest.raises(rt.RealtimeAuthenticationError) as info:
            rt.RealtimeClient("wrong", base_url=server.url).connect("p1")
    assert info.value.status_code == 401
    assert "bad key" in (info.value.body or "")
    assert isinstance(info.value, rt.RealtimeError)


def test_from_rest_client_inherits_key_host_and_headers(rt: ModuleType, rest: ModuleType) -> None:
    with WsServer(script_stream(READING)) as server:
        host = server.url.split("://", 1)[1]
        client = rest.PlantMonitorClient(api_key="rest-key", base_url=f"http://{host}/v1", default_headers={"X-T": "1"})
        realtime = rt.RealtimeClient.from_client(client)
        assert realtime.base_url == f"ws://{host}"
        with realtime.connect("p1") as ws:
            ws.recv(timeout=5)
        handshake = server.handshakes[0]
    assert handshake.header("authorization") == "Bearer rest-key"
    assert handshake.header("x-t") == "1"
    assert handshake.path == "/v1/plants/p1/live"


def test_async_client(rt: ModuleType) -> None:
    models = importlib.import_module("plants_x.models")

    async def scenario(url: str) -> list[Any]:
        client = rt.AsyncRealtimeClient("k", base_url=url)
        async with client.connect("p1") as ws:
            await ws.send_watering_command(models.WateringCommand(plant_id="p1", duration_s=2))
            return [message async for message in ws]

    def handler(conn: ScriptedConnection) -> None:
        conn.recv()
        conn.send(json.dumps(READING))
        conn.send(b"\xff")
        conn.close(1000)

    with WsServer(handler) as server:
        received = asyncio.run(scenario(server.url))
    assert [type(m).__name__ for m in received] == ["SensorReading", "bytes"]
    assert json.loads(server.received[0])["type"] == "watering_command"


def test_own_models_mode(plants_out: Path) -> None:
    own = importlib.import_module("plants_own")
    assert (plants_out / "plants_own" / "models").is_dir()
    source = (plants_out / "plants_own" / "_client.py").read_text()
    assert "from .models import" in source and "plants_x" not in source
    models = importlib.import_module("plants_own.models")
    with WsServer(script_stream(STATUS)) as server:
        with own.RealtimeClient("k", base_url=server.url).connect("p1") as ws:
            ws.send_watering_command(models.WateringCommand(plant_id="p1", duration_s=3))
            status = ws.recv(timeout=5)
            server.wait_for_received(1)
    assert type(status) is models.PlantStatus


def test_pass_one_regeneration_keeps_the_realtime_package(plants_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "g"
    generate(GenerateOptions(spec=EXAMPLE / "openapi.yaml", output=out, namespace="keep_x"))
    generate(
        GenerateOptions(spec=EXAMPLE / "asyncapi.yaml", output=out, types_namespace="keep_x", generate_models=False)
    )
    before = (out / "keep_x" / "realtime" / "_client.py").read_bytes()
    (out / "keep_x" / "models" / "_stale_leftover.py").write_text("# stale\n")
    generate(GenerateOptions(spec=EXAMPLE / "openapi.yaml", output=out, namespace="keep_x"))
    assert (out / "keep_x" / "realtime" / "_client.py").read_bytes() == before
    assert not (out / "keep_x" / "models" / "_stale_leftover.py").exists()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_checker_rejects_mismatched_schemas_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "g"
    assert _cli("generate", str(EXAMPLE / "openapi.yaml"), "-n", "mm_x", "-o", str(out), "-q").returncode == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    proc = _cli(
        "generate", str(EXAMPLE / "asyncapi_mismatched.yaml"),
        "--types-namespace", "mm_x", "--generate-models", "false", "-o", str(out),
    )  # fmt: skip
    assert proc.returncode == 1
    assert "SensorReadng" in proc.stderr and "did you mean 'SensorReading'" in proc.stderr
    assert "duration_s" in proc.stderr and "health" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    check = _cli("check", str(EXAMPLE / "openapi.yaml"), str(EXAMPLE / "asyncapi_mismatched.yaml"))
    assert check.returncode == 1 and "SensorReadng" in check.stdout
    ok = _cli("check", str(EXAMPLE / "openapi.yaml"), str(EXAMPLE / "asyncapi.yaml"))
    assert ok.returncode == 0 and "4 of 4 schemas match" in ok.stdout


def test_missing_pass_one_says_what_to_run(tmp_path: Path) -> None:
    proc = _cli(
        "generate", str(EXAMPLE / "asyncapi.yaml"), "--types-namespace", "nowhere_x", "--generate-models", "false",
        "-o", str(tmp_path),
    )  # fmt: skip
    assert proc.returncode == 1
    assert "autosdk generate openapi.yaml --namespace nowhere_x" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_json_serializer_context_is_accepted_with_a_note(tmp_path: Path) -> None:
    proc = _cli(
        "generate", str(EXAMPLE / "asyncapi.yaml"), "-n", "ctx_y", "-o", str(tmp_path),
        "--json-serializer-context", "MyContext",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "no effect in Python" in proc.stderr
