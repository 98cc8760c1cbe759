"""Pass 2 on the real specs: OpenAI's realtime API shares its REST models; ElevenLabs' cannot.

Sessions run against a websockets server on 127.0.0.1 that answers like the real services.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from typing import Any

import pytest

from autosdk_py.errors import CheckFailed
from autosdk_py.pipeline import GenerateOptions, generate
from tests.conftest import ELEVENLABS_ASYNCAPI, RealSdk
from tests.ws_server import ScriptedConnection, WsServer

OPENAI_EVENTS: list[dict[str, Any]] = [
    {
        "type": "session.created",
        "event_id": "evt_1",
        "session": {"type": "realtime", "object": "realtime.session", "id": "sess_1", "model": "gpt-realtime"},
    },
    {
        "type": "session.updated",
        "event_id": "evt_2",
        "session": {"type": "realtime", "id": "sess_1", "model": "gpt-realtime", "instructions": "be brief"},
    },
    {"type": "input_audio_buffer.speech_started", "event_id": "evt_3", "audio_start_ms": 100, "item_id": "item_1"},
    {
        "type": "response.created",
        "event_id": "evt_4",
        "response": {"id": "resp_1", "object": "realtime.response", "status": "in_progress", "output": []},
    },
    {
        "type": "response.output_audio.delta",
        "event_id": "evt_5",
        "response_id": "resp_1",
        "item_id": "item_2",
        "output_index": 0,
        "content_index": 0,
        "delta": "AAAA",
    },
    {
        "type": "response.done",
        "event_id": "evt_6",
        "response": {"id": "resp_1", "object": "realtime.response", "status": "completed", "output": []},
    },
]


def openai_server(conn: ScriptedConnection) -> None:
    """session.created first; session.update -> session.updated; append -> response events."""
    conn.send(json.dumps(OPENAI_EVENTS[0]))
    while True:
        event = conn.recv_json()
        if event["type"] == "session.update":
            conn.send(json.dumps(OPENAI_EVENTS[1]))
        elif event["type"] == "input_audio_buffer.append":
            for reply in OPENAI_EVENTS[2:]:
                conn.send(json.dumps(reply))
            conn.send(json.dumps({"type": "response.brand_new_event", "event_id": "evt_7"}))
            conn.close(1000)
            return


def test_openai_realtime_shares_the_rest_models(openai_realtime: RealSdk) -> None:
    assert openai_realtime.result.package == "openai_sdk.realtime"
    assert any("111 of 111 schemas match" in note for note in openai_realtime.result.notes)
    package_dir = openai_realtime.package_dir
    assert not (package_dir / "models").exists()
    source = (package_dir / "_client.py").read_text()
    assert "from openai_sdk.models import" in source
    assert source.count("def send_") == 2 * 12  # sync + async, 12 client events
    rt = openai_realtime.package
    assert rt.RealtimeClient.__module__ == "openai_sdk.realtime._client"


def test_openai_realtime_session(openai_realtime: RealSdk) -> None:
    rt = openai_realtime.package
    models = importlib.import_module("openai_sdk.models")
    with WsServer(openai_server) as server:
        client = rt.RealtimeClient("sk-rt", base_url=server.url + "/v1/realtime")
        with client.connect(model="gpt-realtime") as ws:
            created = ws.recv(timeout=5)
            ws.send_session_update(
                models.RealtimeClientEventSessionUpdate(
                    session=models.RealtimeSessionCreateRequestGA(instructions="be brief")
                )
            )
            updated = ws.recv(timeout=5)
            ws.send_input_audio_buffer_append(models.RealtimeClientEventInputAudioBufferAppend(audio="AAAA"))
            rest = list(ws)
        handshake = server.handshakes[0]
    assert type(created) is models.RealtimeServerEventSessionCreated  # REST's class, no copy
    assert type(updated) is models.RealtimeServerEventSessionUpdated
    assert [type(m).__name__ for m in rest[:-1]] == [
        "RealtimeServerEventInputAudioBufferSpeechStarted",
        "RealtimeServerEventResponseCreated",
        "RealtimeServerEventResponseAudioDelta",
        "RealtimeServerEventResponseDone",
    ]
    assert isinstance(rest[-1], rt.UnknownMessage) and rest[-1].type == "response.brand_new_event"
    assert handshake.path == "/v1/realtime" and handshake.query == {"model": ["gpt-realtime"]}
    assert handshake.header("authorization") == "Bearer sk-rt"
    sent = [json.loads(frame) for frame in server.received]
    assert sent[0] == {"type": "session.update", "session": {"type": "realtime", "instructions": "be brief"}}
    assert sent[1] == {"type": "input_audio_buffer.append", "audio": "AAAA"}


def test_openai_subprotocol_auth_and_rest_client(openai_realtime: RealSdk, openai_sdk: RealSdk) -> None:
    rt = openai_realtime.package
    with WsServer(openai_server) as server:
        host = server.url.split("://", 1)[1]
        rest = openai_sdk.package.OpenAIClient(api_key="sk-rest", base_url=f"http://{host}/v1")
        client = rt.AsyncRealtimeClient.from_client(rest)
        assert client.base_url == f"ws://{host}/v1/realtime"

        async def session() -> Any:
            async with client.connect(model="m", use_subprotocol_auth=True) as ws:
                return await ws.recv(timeout=5)

        first = asyncio.run(session())
        handshake = server.handshakes[0]
    assert type(first).__name__ == "RealtimeServerEventSessionCreated"
    assert handshake.subprotocols == ["realtime", "openai-insecure-api-key.sk-rest"]
    assert handshake.header("authorization") is None


def test_elevenlabs_realtime_is_rejected_against_its_rest_models(elevenlabs_sdk: RealSdk) -> None:
    with pytest.raises(CheckFailed) as info:
        generate(
            GenerateOptions(
                spec=ELEVENLABS_ASYNCAPI,
                output=elevenlabs_sdk.output,
                namespace="elevenlabs_sdk.realtime_shared",
                types_namespace="elevenlabs_sdk",
                generate_models=False,
            )
        )
    report = str(info.value)
    assert "0 of 8 schemas exist in elevenlabs_sdk" in report
    for name in ("InputAudioChunkPayload", "SessionStartedPayload", "TranscriptionWord"):
        assert f"  - {name} (/components/schemas/{name})" in report
    assert not (elevenlabs_sdk.output / "elevenlabs_sdk" / "realtime_shared").exists()


def test_elevenlabs_realtime_with_its_own_models(elevenlabs_realtime: RealSdk) -> None:
    rt = elevenlabs_realtime.package
    models = importlib.import_module("elevenlabs_sdk.realtime.models")
    assert (elevenlabs_realtime.package_dir / "models").is_dir()

    def server_script(conn: ScriptedConnection) -> None:
        conn.send(json.dumps({"message_type": "session_started", "session_id": "s1"}))
        chunk = conn.recv_json()
        assert chunk["message_type"] == "input_audio_chunk"
        conn.send(json.dumps({"message_type": "partial_transcript", "text": "hel"}))
        conn.send(json.dumps({"message_type": "committed_transcript", "text": "hello"}))
        conn.close(1000)

    with WsServer(server_script) as server:
        client = rt.RealtimeClient("xi-key", base_url=server.url)
        with client.connect() as ws:
            started = ws.recv(timeout=5)
            ws.send_input_audio_chunk(
                models.InputAudioChunkPayload(audio_base_64="AAAA", commit=False, sample_rate=16000)
            )
            rest = list(ws)
        handshake = server.handshakes[0]
    assert type(started) is models.SessionStartedPayload and started.session_id == "s1"
    assert [type(m).__name__ for m in rest] == ["PartialTranscriptPayload", "CommittedTranscriptPayload"]
    assert rest[1].text == "hello"
    assert handshake.header("xi-api-key") == "xi-key"
    assert handshake.path == "/v1/speech-to-text/realtime"
    sent = json.loads(server.received[0])
    assert sent == {"message_type": "input_audio_chunk", "audio_base_64": "AAAA", "commit": False, "sample_rate": 16000}


@pytest.mark.parametrize("which", ["openai_realtime", "elevenlabs_realtime"])
def test_real_realtime_packages_type_check(which: str, request: pytest.FixtureRequest) -> None:
    sdk: RealSdk = request.getfixturevalue(which)
    name = sdk.result.package
    target = str(sdk.package_dir.relative_to(sdk.output))
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--quiet", target],
        cwd=sdk.output, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(sdk.output / ".mypy_cache"), "-p", name],
        cwd=sdk.output, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout[-3000:]
