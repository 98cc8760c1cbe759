"""``autosdk mock``: the spec-driven WebSocket server, talked to by raw and by generated clients.

Every server runs in-process on 127.0.0.1 with a port chosen by the OS (the CLI test runs the
real command as a subprocess). Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from autosdk_py.errors import SpecError
from autosdk_py.mock import MockServer
from autosdk_py.pipeline import GenerateOptions, generate
from tests.conftest import ELEVENLABS_ASYNCAPI, OPENAI_ASYNCAPI, RealSdk

ROOT = Path(__file__).resolve().parent.parent
PLANTS = ROOT / "examples" / "plants"
# The fixture documents and scenarios are written out by ``write_fixtures`` (tests/specs/ holds only
# files its README describes; these are this module's own).
MOCK_SPECS = Path(tempfile.gettempdir()) / f"autosdk-mock-fixtures-{os.getpid()}"
CHAT_V2 = MOCK_SPECS / "chat_v2.yaml"  # pathname + address, header/query key, required/enum query, binary
CHAT_V3 = Path(__file__).parent / "asyncapi" / "specs" / "chat_v3.yaml"  # operation reply, subprotocol auth
MQTT_ONLY = ROOT.parent / "shared" / "corpus" / "asyncapi" / "spec_streetlights_mqtt_v3.yml"
TIMEOUT = 5.0
BEARER = {"Authorization": "Bearer test-key"}
CHAT_KEY = {"X-Api-Key": "k"}


FIXTURES: dict[str, str] = {
    "bad_unknown_message.yaml": """\
on_connect: [session.created]
on:
  session.update: [session.updatd]
""",
    "chat_replies.yaml": """\
# Mock Chat: every client message (the "*" entry) is answered with Joined, then the connection
# is closed with 4000.
on_connect: []
on:
  "*": [Joined, {close: 4000, reason: bye}]
""",
    "chat_v2.yaml": """\
# A small AsyncAPI 2.6 document for the mock server tests: server pathname + address, an API key
# in a header or a query parameter, required and enum query parameters, a binary client message, and no error message of
# its own (so invalid frames get the mock's default error frame).
asyncapi: 2.6.0
info:
  title: Mock Chat
  version: 0.1.0
servers:
  local:
    url: ws://localhost:9000/chat/v2
    protocol: ws
    security:
      - apiKey: []
      - apiQuery: []
channels:
  /rooms/{room}:
    parameters:
      room:
        schema: {type: string}
    bindings:
      ws:
        query:
          type: object
          required: [lang]
          properties:
            lang: {type: string, enum: [en, de]}
            limit: {type: integer}
    publish:
      message:
        oneOf:
          - $ref: '#/components/messages/Say'
          - $ref: '#/components/messages/Audio'
    subscribe:
      message:
        oneOf:
          - $ref: '#/components/messages/Said'
          - $ref: '#/components/messages/Joined'
components:
  securitySchemes:
    apiKey:
      type: httpApiKey
      in: header
      name: X-Api-Key
    apiQuery:
      type: httpApiKey
      in: query
      name: api_key
  messages:
    Say:
      name: Say
      payload:
        type: object
        required: [type, text]
        properties:
          type: {type: string, const: say}
          text: {type: string, minLength: 1}
          priority: {type: integer, minimum: 1, maximum: 5}
    Audio:
      name: Audio
      contentType: application/octet-stream
      payload: {type: string, format: binary}
    Said:
      name: Said
      payload:
        type: object
        required: [type, text, at, id, score, tags]
        properties:
          type: {type: string, const: said}
          id: {type: string, format: uuid}
          text: {type: string, minLength: 3, maxLength: 8}
          at: {type: string, format: date-time}
          score: {type: number, exclusiveMinimum: 0, maximum: 1}
          tags:
            type: array
            minItems: 2
            items: {type: string, enum: [a, b, c]}
            uniqueItems: true
          author:
            oneOf:
              - {type: 'null'}
              - $ref: '#/components/schemas/User'
    Joined:
      name: Joined
      payload:
        type: object
        required: [type, user]
        properties:
          type: {type: string, const: joined}
          user: {$ref: '#/components/schemas/User'}
  schemas:
    User:
      type: object
      required: [name, friends]
      properties:
        name: {type: string}
        friends:
          type: array
          items: {$ref: '#/components/schemas/User'}
""",
    "elevenlabs_stt.yaml": """\
# ElevenLabs speech-to-text: session_started on connect (default rule); each audio chunk gets a
# partial transcript, then a committed one.
on:
  input_audio_chunk:
    - {send: partial_transcript, with: {text: hel}}
    - {send: committed_transcript, with: {text: hello}}
""",
    "openai_session.yaml": """\
# OpenAI Realtime: session.created and conversation.created on connect and session.update ->
# session.updated come from the default rule; an audio append is answered like a (tiny) spoken response.
on:
  input_audio_buffer.append:
    - response.created
    - {after: 0.01, send: response.output_audio.delta, repeat: 3}
    - response.output_audio.done
    - {send: response.done, with: {response: {status: completed}}}
""",
    "plants.yaml": """\
# Plant Monitor: a reading on connect; a watering command is answered with the plant's status,
# then a reading 50 ms later.
on_connect: [sensor_reading]
on:
  watering_command:
    - plant_status
    - {after: 0.05, send: SensorReading}
""",
}


@pytest.fixture(scope="module", autouse=True)
def models_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The mock's models cache in a temporary folder (not the user's ~/.cache), also for the CLI runs."""
    previous = os.environ.get("AUTOSDK_CACHE_DIR")
    os.environ["AUTOSDK_CACHE_DIR"] = str(tmp_path_factory.mktemp("mock-cache"))
    yield
    if previous is None:
        os.environ.pop("AUTOSDK_CACHE_DIR", None)
    else:
        os.environ["AUTOSDK_CACHE_DIR"] = previous


@pytest.fixture(scope="module", autouse=True)
def write_fixtures() -> Iterator[None]:
    MOCK_SPECS.mkdir(parents=True, exist_ok=True)
    for name, text in FIXTURES.items():
        (MOCK_SPECS / name).write_text(text, encoding="utf-8")
    yield
    shutil.rmtree(MOCK_SPECS, ignore_errors=True)


def open_ws(url: str, **kwargs: Any) -> ClientConnection:
    ws: ClientConnection = connect(url, open_timeout=TIMEOUT, close_timeout=2, **kwargs)
    return ws


def recv_json(ws: ClientConnection, timeout: float = TIMEOUT) -> Any:
    frame = ws.recv(timeout=timeout)
    assert isinstance(frame, str), frame
    return json.loads(frame)


def rejection(url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(InvalidStatus) as info:
        open_ws(url, **kwargs)
    response = info.value.response
    assert response.headers["Content-Type"] == "application/json"
    return response.status_code, json.loads(bytes(response.body))


def wait_closed(ws: ClientConnection, timeout: float = TIMEOUT) -> None:
    """Read until the server closes (bounded)."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed):
        while time.monotonic() < deadline:
            ws.recv(timeout=max(deadline - time.monotonic(), 0.01))
        raise AssertionError("the server did not close the connection")


@pytest.fixture()
def chat() -> Iterator[MockServer]:
    with MockServer.from_spec(CHAT_V2) as mock:
        yield mock


@pytest.fixture(scope="module")
def plants_sdk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Plant Monitor: pass 1 as ``mock_plants``, pass 2 importing its models."""
    out = tmp_path_factory.mktemp("mock_plants")
    generate(GenerateOptions(spec=PLANTS / "openapi.yaml", output=out, namespace="mock_plants"))
    generate(
        GenerateOptions(spec=PLANTS / "asyncapi.yaml", output=out, types_namespace="mock_plants", generate_models=False)
    )
    sys.path.insert(0, str(out))
    return importlib.import_module("mock_plants.realtime")


@pytest.fixture(scope="module")
def elevenlabs_sdk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """ElevenLabs speech-to-text with its own models, as package ``mock_el``."""
    out = tmp_path_factory.mktemp("mock_el")
    generate(GenerateOptions(spec=ELEVENLABS_ASYNCAPI, output=out, namespace="mock_el"))
    sys.path.insert(0, str(out))
    return importlib.import_module("mock_el")


# --- generated clients ---------------------------------------------------------------------------


def test_plants_generated_client(plants_sdk: Any) -> None:
    models = importlib.import_module("mock_plants.models")
    with MockServer.from_spec(PLANTS / "asyncapi.yaml", scenario=MOCK_SPECS / "plants.yaml") as mock:
        client = plants_sdk.RealtimeClient("test-key", base_url=mock.url)
        with client.connect("p1") as ws:
            first = ws.recv(timeout=TIMEOUT)
            ws.send_watering_command(models.WateringCommand(plant_id="p1", duration_s=30))
            status = ws.recv(timeout=TIMEOUT)
            reading = ws.recv(timeout=TIMEOUT)
            ws.send_json({"type": "watering_command", "plant_id": "p1", "duration_s": 0})
            error = ws.recv(timeout=TIMEOUT)
        conn = mock.connections[0]
        assert conn.wait_closed()
    # The document's examples are what the server sends, typed by the generated client.
    assert type(first) is models.SensorReading and first.plant_id == "plt_1" and first.value == 41.5
    assert type(status) is models.PlantStatus and status.health == "healthy"
    assert type(reading) is models.SensorReading
    # The invalid command gets the document's own error message, with pydantic's summary.
    assert type(error) is models.ErrorEvent
    assert "duration_s" in error.message and "greater than or equal to 1" in error.message
    assert conn.path == "/v1/plants/p1/live" and conn.path_params == {"plant_id": "p1"}
    assert conn.query == {"units": ["metric"]}
    assert conn.headers["authorization"] == "Bearer test-key"
    assert conn.received[0] == {"type": "watering_command", "plant_id": "p1", "duration_s": 30}
    assert len(conn.received) == 2 and len(conn.errors) == 1 and "duration_s" in conn.errors[0]
    assert [m["type"] for m in conn.sent] == ["sensor_reading", "plant_status", "sensor_reading", "error"]


def test_openai_generated_client_session(openai_realtime: RealSdk) -> None:
    rt = openai_realtime.package
    models = importlib.import_module("openai_sdk.models")
    with MockServer.from_spec(OPENAI_ASYNCAPI, scenario=MOCK_SPECS / "openai_session.yaml") as mock:
        assert mock.warnings == []  # every server message got a payload its model accepts
        client = rt.RealtimeClient("sk-test", base_url=mock.url)
        with client.connect(model="gpt-realtime") as ws:
            created = ws.recv(timeout=TIMEOUT)
            conversation = ws.recv(timeout=TIMEOUT)  # the greeting's second message
            ws.send_session_update(
                models.RealtimeClientEventSessionUpdate(
                    session=models.RealtimeSessionCreateRequestGA(instructions="be brief")
                )
            )
            updated = ws.recv(timeout=TIMEOUT)
            ws.send_input_audio_buffer_append(models.RealtimeClientEventInputAudioBufferAppend(audio="AAAA"))
            response = [ws.recv(timeout=TIMEOUT) for _ in range(6)]
            ws.send_json({"type": "session.update", "session": 3, "event_id": "evt_bad"})
            error = ws.recv(timeout=TIMEOUT)
        conn = mock.connections[0]
        assert conn.wait_closed()
    assert type(created) is models.RealtimeServerEventSessionCreated
    assert type(conversation) is models.RealtimeServerEventConversationCreated
    assert type(updated) is models.RealtimeServerEventSessionUpdated
    assert [type(m).__name__ for m in response] == [
        "RealtimeServerEventResponseCreated",
        "RealtimeServerEventResponseAudioDelta",
        "RealtimeServerEventResponseAudioDelta",
        "RealtimeServerEventResponseAudioDelta",
        "RealtimeServerEventResponseAudioDone",
        "RealtimeServerEventResponseDone",
    ]
    assert not any(isinstance(m, rt.UnknownMessage) for m in [created, updated, *response, error])
    assert response[-1].response.status == "completed"  # the scenario's ``with``
    # OpenAI's own error event, filled in: what, which code, and which client event.
    assert type(error) is models.RealtimeServerEventError
    assert error.error.code == "invalid_message" and error.error.event_id == "evt_bad"
    assert "session" in error.error.message
    assert conn.path == "/v1/realtime" and conn.query == {"model": ["gpt-realtime"]}
    assert [m["type"] for m in conn.received] == ["session.update", "input_audio_buffer.append", "session.update"]


def test_openai_every_synthesized_payload_decodes_typed(openai_realtime: RealSdk) -> None:
    """All 47 server messages: synthesized once, each decoded by the generated client as its own type."""
    decoder = importlib.import_module("openai_sdk.realtime._client").server_message_decoder()
    mock = MockServer.from_spec(OPENAI_ASYNCAPI)
    receive = mock.channels[0].receive
    assert len(receive) == 47
    for message in receive:
        assert message.tag is not None
        decoded = decoder.decode(json.dumps(mock.payloads[message.pointer]))
        assert getattr(decoded, "type", None) == message.tag[1], message.name
        assert type(decoded).__name__ == mock.models.class_names[message.pointer]


def test_openai_subprotocol_auth(openai_realtime: RealSdk) -> None:
    rt = openai_realtime.package
    with MockServer.from_spec(OPENAI_ASYNCAPI, api_key="sk-right") as mock:
        client = rt.RealtimeClient("sk-right", base_url=mock.url)
        with client.connect(model="m", use_subprotocol_auth=True) as ws:
            created = ws.recv(timeout=TIMEOUT)
        status, body = rejection(mock.url + "?model=m", subprotocols=["realtime", "openai-insecure-api-key.sk-wrong"])
        conn = mock.connections[0]
    assert type(created).__name__ == "RealtimeServerEventSessionCreated"
    assert conn.subprotocol == "realtime" and "authorization" not in conn.headers
    assert status == 401 and "--api-key" in body["error"]["message"]


def test_elevenlabs_generated_client(elevenlabs_sdk: Any) -> None:
    models = importlib.import_module("mock_el.models")
    with MockServer.from_spec(ELEVENLABS_ASYNCAPI, scenario=MOCK_SPECS / "elevenlabs_stt.yaml") as mock:
        client = elevenlabs_sdk.RealtimeClient("xi-test", base_url=mock.url)
        with client.connect() as ws:
            started = ws.recv(timeout=TIMEOUT)
            ws.send_input_audio_chunk(
                models.InputAudioChunkPayload(audio_base_64="AAAA", commit=True, sample_rate=16000)
            )
            partial = ws.recv(timeout=TIMEOUT)
            committed = ws.recv(timeout=TIMEOUT)
            ws.send_json({"message_type": "input_audio_chunk", "audio_base_64": "AAAA"})
            error = ws.recv(timeout=TIMEOUT)
        conn = mock.connections[0]
        assert conn.wait_closed()
    assert type(started) is models.SessionStartedPayload
    assert type(partial) is models.PartialTranscriptPayload and partial.text == "hel"
    assert type(committed) is models.CommittedTranscriptPayload and committed.text == "hello"
    assert type(error) is models.ErrorPayload  # ElevenLabs' shape: message_type/error_type/error
    assert "commit" in error.error and "sample_rate" in error.error
    assert error.error_type == "invalid_request_error"
    assert conn.path == "/v1/speech-to-text/realtime" and conn.headers["xi-api-key"] == "xi-test"


# --- validation and error frames -----------------------------------------------------------------


def test_invalid_frames_get_the_default_error_frame(chat: MockServer) -> None:
    url = chat.url_for(room="r1", query={"lang": "en"})
    with open_ws(url, additional_headers=CHAT_KEY) as ws:
        ws.send(json.dumps({"type": "say", "text": ""}))
        invalid = recv_json(ws)
        ws.send("this is not JSON")
        not_json = recv_json(ws)
        ws.send(json.dumps({"type": "shout", "text": "hi"}))
        unknown = recv_json(ws)
        ws.send(json.dumps([1, 2]))
        untagged = recv_json(ws)
        ws.send(b"\x00\x01\x02")  # the channel's binary client message: accepted, no reply
        ws.send(json.dumps({"type": "say", "text": "hello", "priority": 3}))  # valid: no reply either
        ws.send(json.dumps({"type": "say", "text": "x", "priority": "3"}))  # strict: "3" is no integer
        wrong_type = recv_json(ws)
    conn = chat.connections[0]
    assert conn.wait_closed()
    assert invalid == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "code": "invalid_message",
            "message": "text: String should have at least 1 character",
            "event": "say",
        },
    }
    assert not_json["error"]["code"] == "invalid_json" and not_json["error"]["event"] is None
    assert unknown["error"]["code"] == "unknown_event" and unknown["error"]["event"] == "shout"
    assert "'say'" in unknown["error"]["message"]
    assert untagged["error"]["code"] == "unknown_event" and "no 'type' field" in untagged["error"]["message"]
    assert wrong_type["error"]["message"] == "priority: Input should be a valid integer"
    assert conn.received[4] == b"\x00\x01\x02" and conn.received[5]["text"] == "hello"
    assert len(conn.received) == 7 and len(conn.sent) == 5 and len(conn.errors) == 5


def test_binary_frame_where_json_is_expected(plants_sdk: Any) -> None:
    with MockServer.from_spec(PLANTS / "asyncapi.yaml") as mock:
        with open_ws(mock.url_for(plant_id="p1"), additional_headers=BEARER) as ws:
            ws.send(b"\xff\xfe binary")
            error = recv_json(ws)
            ws.send(json.dumps({"type": "watering_command", "plant_id": "p1", "duration_s": 5}).encode())
            ws.send(json.dumps({"type": "watering_command"}))
            missing = recv_json(ws)
    assert error["type"] == "error" and "binary frame" in error["message"]
    assert set(missing) == {"type", "message"}  # the document's ErrorEvent shape
    assert "plant_id: Field required" in missing["message"] and "duration_s: Field required" in missing["message"]
    conn = mock.connections[0]
    # JSON in a binary frame is accepted (recorded as the bytes it came in): two errors, not three.
    assert json.loads(conn.received[1])["duration_s"] == 5 and len(conn.errors) == 2


def test_strict_closes_with_1008() -> None:
    with MockServer.from_spec(CHAT_V2, strict=True) as mock:
        with open_ws(mock.url_for(room="r", query={"lang": "de"}), additional_headers=CHAT_KEY) as ws:
            ws.send(json.dumps({"type": "say", "text": ""}))
            wait_closed(ws)
        assert ws.close_code == 1008
        assert ws.close_reason is not None and "text: String should have at least 1 character" in ws.close_reason
        assert any("invalid message" in line for line in mock.log_lines)


# --- the handshake -------------------------------------------------------------------------------


def test_handshake_rejections(chat: MockServer) -> None:
    good = chat.url_for(room="r1", query={"lang": "en"})
    status, body = rejection(good)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert body["error"]["message"] == (
        "missing credentials: send a 'X-Api-Key: <key>' header or a 'api_key=<key>' query parameter"
    )
    status, body = rejection(chat.url_for(room="r1"), additional_headers=CHAT_KEY)
    assert status == 400 and body["error"]["message"] == "missing required query parameter 'lang'"
    status, body = rejection(chat.url_for(room="r1", query={"lang": "fr", "limit": "ten"}), additional_headers=CHAT_KEY)
    assert status == 400 and "'lang' is 'fr'; expected one of 'en', 'de'" in body["error"]["message"]
    assert "'limit' is 'ten'; expected an integer" in body["error"]["message"]
    status, body = rejection(chat.origin + "/rooms/r1?lang=en", additional_headers=CHAT_KEY)
    assert status == 404 and "served: /chat/v2/rooms/{room}" in body["error"]["message"]
    with open_ws(good, additional_headers=CHAT_KEY) as ws:
        ws.send(json.dumps({"type": "say", "text": "ok"}))
    with open_ws(chat.url_for(room="r2", query={"lang": "de", "api_key": "hush"})):
        pass
    first, second = chat.wait_for_connections(2)
    assert first.query == {"lang": ["en"]} and second.query == {"lang": ["de"], "api_key": ["hush"]}
    assert second.wait_closed()
    assert sum("rejected" in line for line in chat.log_lines) == 4
    connected = [line for line in chat.log_lines if "connected: /chat/v2/rooms/r2" in line]
    assert connected and "api_key=***" in connected[0] and "hush" not in "\n".join(chat.log_lines)


def test_path_enum_subprotocol_key_and_operation_reply() -> None:
    """chat_v3: a path parameter enum, the key in a subprotocol, and 3.0 ``reply`` as the default rule."""
    with MockServer.from_spec(CHAT_V3) as mock:
        status, body = rejection(mock.url_for(roomId="x", query={"token": "t"}), subprotocols=["chat", "key.abc"])
        url = mock.url + "/rooms/lobby?token=t"
        assert url == mock.url_for(roomId="lobby", query={"token": "t"})
        with open_ws(url, subprotocols=["chat", "key.abc"]) as ws:
            ws.send(json.dumps({"type": "greeting", "text": "hi"}))
            ack = recv_json(ws)
        conn = mock.wait_for_connections(1)[0]
    assert status == 400 and "path parameter 'roomId' is 'x'" in body["error"]["message"]
    assert mock.url.endswith("/ws")  # the server pathname is part of the base URL
    assert ws.subprotocol == "chat" and conn.subprotocol == "chat"
    assert ack == {"op": "ack"}  # the reply of operation sayHello; its tag is always written


def test_api_key_option(plants_sdk: Any) -> None:
    with MockServer.from_spec(PLANTS / "asyncapi.yaml", api_key="secret") as mock:
        url = mock.url_for(plant_id="p1")
        status, body = rejection(url, additional_headers={"Authorization": "Bearer nope"})
        assert status == 401 and "--api-key" in body["error"]["message"]
        status, _ = rejection(url, additional_headers={"Authorization": "Bearer "})
        assert status == 401
        with open_ws(url, additional_headers={"Authorization": "Bearer secret"}):
            pass
        assert mock.wait_for_connections(1)[0].path == "/v1/plants/p1/live"


# --- sessions ------------------------------------------------------------------------------------


def test_session_timeout_closes_idle_connections() -> None:
    with MockServer.from_spec(CHAT_V2, session_timeout=0.3) as mock:
        url = mock.url_for(room="r", query={"lang": "en"})
        started = time.monotonic()
        with open_ws(url, additional_headers=CHAT_KEY) as ws:
            time.sleep(0.2)
            ws.send(json.dumps({"type": "say", "text": "still here"}))  # activity: the timer restarts
            wait_closed(ws)
        elapsed = time.monotonic() - started
        assert ws.close_code == 1000 and ws.close_reason == "session timeout"
        assert 0.45 <= elapsed < 3.0
        assert mock.connections[0].wait_closed()
        assert any("session timeout" in line for line in mock.log_lines)


def test_several_clients_at_once() -> None:
    """Three clients connected at the same time, each with its own script and its own records."""
    mock = MockServer.from_spec(PLANTS / "asyncapi.yaml", scenario=MOCK_SPECS / "plants.yaml")

    async def client(plant: str, everyone_connected: asyncio.Event, connected: list[str]) -> list[Any]:
        async with async_connect(mock.url_for(plant_id=plant), additional_headers=BEARER, open_timeout=TIMEOUT) as ws:
            frames = [json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))]
            connected.append(plant)
            if len(connected) == 3:
                everyone_connected.set()
            await asyncio.wait_for(everyone_connected.wait(), TIMEOUT)
            await ws.send(json.dumps({"type": "watering_command", "plant_id": plant, "duration_s": 10}))
            for _ in range(2):
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)))
            return frames

    async def main() -> list[list[Any]]:
        everyone, connected = asyncio.Event(), list[str]()
        return await asyncio.gather(*(client(p, everyone, connected) for p in ("p1", "p2", "p3")))

    with mock:
        results = asyncio.run(asyncio.wait_for(main(), 20))
        for conn in mock.connections:
            assert conn.wait_closed()
    for frames in results:
        assert [f["type"] for f in frames] == ["sensor_reading", "plant_status", "sensor_reading"]
    by_plant = {c.path_params["plant_id"]: c for c in mock.connections}
    assert sorted(by_plant) == ["p1", "p2", "p3"] and len({c.id for c in mock.connections}) == 3
    for plant, conn in by_plant.items():
        assert conn.received == [{"type": "watering_command", "plant_id": plant, "duration_s": 10}]
        assert len(conn.sent) == 3


def test_scenario_star_and_close() -> None:
    with MockServer.from_spec(CHAT_V2, scenario=MOCK_SPECS / "chat_replies.yaml") as mock:
        with open_ws(mock.url_for(room="r", query={"lang": "en"}), additional_headers=CHAT_KEY) as ws:
            ws.send(json.dumps({"type": "say", "text": "hi"}))
            joined = recv_json(ws)
            wait_closed(ws)
        assert ws.close_code == 4000 and ws.close_reason == "bye"
    assert joined == {"type": "joined", "user": {"name": "mock_name", "friends": []}}


def test_synthesized_payloads_follow_the_schema() -> None:
    mock = MockServer.from_spec(CHAT_V2)
    said = next(m for m in mock.channels[0].receive if m.name == "Said")
    payload = mock.payloads[said.pointer]
    assert payload["type"] == "said" and payload["at"] == "2024-01-01T00:00:00Z"
    assert 3 <= len(payload["text"]) <= 8 and 0 < payload["score"] <= 1
    assert len(payload["tags"]) == 2 and len(set(payload["tags"])) == 2
    assert mock.models.check(said, payload) is None
    assert mock.models.check(said, {**payload, "score": 0}) is not None  # the validator is real


# --- scenario files ------------------------------------------------------------------------------


def test_scenario_unknown_message_names_the_file_and_key() -> None:
    bad = MOCK_SPECS / "bad_unknown_message.yaml"
    with pytest.raises(SpecError) as info:
        MockServer.from_spec(OPENAI_ASYNCAPI, scenario=bad)
    err = info.value
    assert err.file == bad and err.pointer == "/on/session.update/0" and err.line == 3
    assert "unknown server message 'session.updatd'" in str(err) and "did you mean 'session.updated'" in str(err)


@pytest.mark.parametrize(
    ("text", "message", "pointer"),
    [
        ("on: {shout: [Said]}", "unknown client message 'shout'", "/on/shout"),
        ("on: {say: [{send: Said, repeat: 0}]}", "'repeat' is a whole number", "/on/say/0/repeat"),
        ("on: {say: [{sned: Said}]}", "unknown step key 'sned'", "/on/say/0/sned"),
        ("on: {say: [{close: 999}]}", "'close' is a WebSocket close code", "/on/say/0/close"),
        ("on_conect: []", "unknown scenario key 'on_conect'", "/on_conect"),
        ("on: [Said]", "'on' maps client messages to lists of steps", "/on"),
        ("on_connect: [{send: Said, close: 1000}]", "either 'send'", "/on_connect/0"),
    ],
)
def test_scenario_errors(tmp_path: Path, text: str, message: str, pointer: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text + "\n")
    with pytest.raises(SpecError) as info:
        MockServer.from_spec(CHAT_V2, scenario=path)
    assert message in info.value.message and info.value.pointer == pointer and info.value.file == path


def test_scenario_file_problems(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="scenario file not found"):
        MockServer.from_spec(CHAT_V2, scenario=tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("on: [unclosed\n")
    with pytest.raises(SpecError, match="malformed YAML"):
        MockServer.from_spec(CHAT_V2, scenario=broken)
    literal = tmp_path / "literal.json"
    literal.write_text(json.dumps({"on_connect": [{"send": {"type": "said", "text": 5}}]}))
    mock = MockServer.from_spec(CHAT_V2, scenario=literal)  # sent as written, with a warning
    assert any("literal payload matches no server message" in w for w in mock.warnings)


# --- the command line ----------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", "mock", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_cli_serves_and_stops_on_sigint() -> None:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "autosdk_py", "mock", str(PLANTS / "asyncapi.yaml"), "--port", "0"),
            *("--scenario", str(MOCK_SPECS / "plants.yaml"), "--session-timeout", "30"),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    stderr = proc.stderr

    def read() -> None:
        for line in stderr:
            lines.put(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []

    def next_line(containing: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            seen.append(line)
            if containing in line:
                return line
        raise AssertionError(f"no line with {containing!r} in {seen}")

    try:
        listening = next_line("listening on ")
        url = listening.split("listening on ", 1)[1].split(" ", 1)[0]
        assert url.startswith("ws://127.0.0.1:") and url.endswith("/v1/plants/{plant_id}/live")
        with open_ws(url.replace("{plant_id}", "p7"), additional_headers=BEARER) as ws:
            reading = recv_json(ws)
            ws.send(json.dumps({"type": "watering_command", "plant_id": "p7", "duration_s": 3}))
            status = recv_json(ws)
        assert reading["type"] == "sensor_reading" and status["type"] == "plant_status"
        assert "/v1/plants/p7/live?" not in next_line("connected: /v1/plants/p7/live")
        assert "1 message(s) in, 2 out" in next_line("disconnected")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        reader.join(5)
        while not lines.empty():
            seen.append(lines.get())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert any("shutting down (1 connection(s) served)" in line for line in seen)
    assert seen[-1] == "autosdk mock: stopped"
    assert not any("Traceback" in line for line in seen)


def test_cli_bad_input() -> None:
    not_asyncapi = run_cli(str(PLANTS / "openapi.yaml"), "--port", "0")
    assert not_asyncapi.returncode == 1
    assert "error: expected an asyncapi document, found openapi" in not_asyncapi.stderr
    missing = run_cli("no/such/file.yaml")
    assert missing.returncode == 1 and "no/such/file.yaml: error: file not found" in missing.stderr
    bad_scenario = run_cli(str(OPENAI_ASYNCAPI), "--scenario", str(MOCK_SPECS / "bad_unknown_message.yaml"))
    assert bad_scenario.returncode == 1
    assert "bad_unknown_message.yaml:3: error: unknown server message 'session.updatd'" in bad_scenario.stderr
    assert "at: /on/session.update/0" in bad_scenario.stderr
    no_channel = run_cli(str(CHAT_V2), "--channel", "nope")
    assert no_channel.returncode == 1 and "no WebSocket channel 'nope'" in no_channel.stderr
    assert "hint: --channel takes one of: /rooms/{room}" in no_channel.stderr
    mqtt_only = run_cli(str(MQTT_ONLY))
    assert mqtt_only.returncode == 1 and "error: the document has no WebSocket channel to serve" in mqtt_only.stderr
    with MockServer.from_spec(CHAT_V2) as busy:
        port_taken = run_cli(str(CHAT_V2), "--port", str(busy.port))
    assert port_taken.returncode == 1 and f"cannot listen on 127.0.0.1:{busy.port}" in port_taken.stderr
    for result in (not_asyncapi, missing, bad_scenario, no_channel, mqtt_only, port_taken):
        assert "Traceback" not in result.stderr
