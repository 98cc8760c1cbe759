"""The real OpenAI and ElevenLabs REST specs: generate once, import, check every operation, call some.

Calls go to a RecordingServer on 127.0.0.1 with payloads shaped like the real APIs' answers.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

from autosdk_py.naming import snake_case
from autosdk_py.openapi.lift import iter_operations
from tests.conftest import RealSdk
from tests.http_server import RecordingServer, Reply, json_reply, sse_reply


def _load(sdk: RealSdk) -> dict[str, Any]:
    text = sdk.spec.read_text()
    return json.loads(text) if sdk.spec.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)


def _check_every_operation(sdk: RealSdk, client: Any, async_client: Any) -> int:
    checked = 0
    missing: list[str] = []
    for op in iter_operations(_load(sdk)):
        tags = op.operation.get("tags") or []
        name = snake_case(op.operation.get("operationId") or f"{op.method} {op.path}")
        for owner_client in (client, async_client):
            owner = getattr(owner_client, snake_case(tags[0])) if tags else owner_client
            method = getattr(owner, name, None)
            if method is None:
                missing.append(f"{op.method.upper()} {op.path} -> {snake_case(tags[0]) if tags else ''}.{name}")
                continue
            source = inspect.getsource(method)
            assert f'"{op.method.upper()}"' in source and f'"{op.path}"' in source, (name, op.path)
            assert inspect.iscoroutinefunction(method) == (owner_client is async_client)
        checked += 1
    assert not missing, f"{len(missing)} operations have no method: {missing[:20]}"
    return checked


def test_openai_every_operation_is_a_method(openai_sdk: RealSdk) -> None:
    pkg = openai_sdk.package
    checked = _check_every_operation(openai_sdk, pkg.OpenAIClient(api_key="k"), pkg.AsyncOpenAIClient(api_key="k"))
    assert checked == 288
    assert openai_sdk.result.counts["operations"] >= 288


def test_elevenlabs_every_operation_is_a_method(elevenlabs_sdk: RealSdk) -> None:
    pkg = elevenlabs_sdk.package
    checked = _check_every_operation(
        elevenlabs_sdk, pkg.ElevenLabsClient(api_key="k"), pkg.AsyncElevenLabsClient(api_key="k")
    )
    assert checked == 387


@pytest.mark.parametrize("which", ["openai_sdk", "elevenlabs_sdk"])
def test_real_sdk_passes_mypy_strict_and_ruff(which: str, request: pytest.FixtureRequest) -> None:
    sdk: RealSdk = request.getfixturevalue(which)
    name = sdk.result.package
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--quiet", name],
        cwd=sdk.output,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(sdk.output / ".mypy_cache"), name],
        cwd=sdk.output,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    assert "Success: no issues found" in mypy.stdout


CHAT_COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


def _chunk(content: str, finish: str | None = None) -> str:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish, "logprobs": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n"


def test_openai_chat_json_and_stream(openai_sdk: RealSdk, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = openai_sdk.package
    with RecordingServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        client = pkg.OpenAIClient()
        server.route("POST", "/chat/completions", json_reply(CHAT_COMPLETION))
        reply = client.chat.create_chat_completion(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], temperature=0.2
        )
        assert type(reply).__name__ == "CreateChatCompletionResponse"
        assert reply.choices[0].message.content == "Hello!"
        assert server.last.header("authorization") == "Bearer sk-env"
        assert server.last.json() == {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.2,
        }

        server.route("POST", "/chat/completions", sse_reply(_chunk("Hel"), _chunk("lo", "stop"), "data: [DONE]\n\n"))
        with client.chat.create_chat_completion_as_stream(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
        ) as stream:
            text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
        assert text == "Hello"
        assert server.last.json()["stream"] is True
        assert server.last.header("accept") == "text/event-stream"
        client.close()


def test_openai_speech_transcription_and_errors(openai_sdk: RealSdk) -> None:
    pkg = openai_sdk.package
    audio = b"ID3" + bytes(range(200)) * 50
    with RecordingServer() as server:
        client = pkg.OpenAIClient(api_key="sk-1", base_url=server.url, max_retries=0)
        server.route("POST", "/audio/speech", Reply(200, {"Content-Type": "application/octet-stream"}, [audio]))
        assert client.audio.create_speech(model="tts-1", input="hello", voice="alloy") == audio
        assert server.last.json() == {"model": "tts-1", "input": "hello", "voice": "alloy"}
        with client.audio.create_speech_as_stream(model="tts-1", input="hello", voice="alloy") as chunks:
            assert b"".join(chunks) == audio

        server.route("POST", "/audio/transcriptions", json_reply({"text": "hello world"}))
        result = client.audio.create_transcription(file=("a.mp3", audio, "audio/mpeg"), model="whisper-1")
        assert result.text == "hello world"  # type: ignore[union-attr]
        parts = {p.name: p for p in server.last.multipart()}
        assert parts["file"].filename == "a.mp3" and parts["file"].data == audio
        assert parts["model"].data == b"whisper-1"

        server.route("GET", "/models", json_reply({"error": {"message": "bad key", "type": "invalid_request"}}, 401))
        with pytest.raises(pkg.AuthenticationError) as info:
            client.models.list_models()
        assert info.value.status_code == 401
        assert "bad key" in str(info.value)
        client.close()


def test_openai_async_client(openai_sdk: RealSdk) -> None:
    pkg = openai_sdk.package
    models = {"object": "list", "data": [{"id": "gpt-4o", "object": "model", "created": 1, "owned_by": "openai"}]}
    with RecordingServer() as server:
        server.route("GET", "/models", json_reply(models))

        async def run() -> Any:
            async with pkg.AsyncOpenAIClient(api_key="sk-a", base_url=server.url) as client:
                return await client.models.list_models()

        listed = asyncio.run(run())
        assert [m.id for m in listed.data] == ["gpt-4o"]
        assert server.last.header("authorization") == "Bearer sk-a"


def test_elevenlabs_text_to_speech_voices_and_upload(elevenlabs_sdk: RealSdk, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = elevenlabs_sdk.package
    monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-env")
    audio = bytes(range(256)) * 40
    with RecordingServer() as server:
        client = pkg.ElevenLabsClient(base_url=server.url)
        assert pkg.ElevenLabsClient().base_url == "https://api.elevenlabs.io"  # --base-url became the default

        server.route("POST", "/v1/text-to-speech/voice-1", Reply(200, {"Content-Type": "audio/mpeg"}, [audio]))
        spoken = client.text_to_speech.text_to_speech_full("voice-1", text="Hello", model_id="eleven_v3")
        assert spoken == audio
        assert server.last.header("xi-api-key") == "xi-env"
        assert server.last.json() == {"text": "Hello", "model_id": "eleven_v3"}

        server.route("POST", "/v1/text-to-speech/voice-1/stream", Reply(200, {"Content-Type": "audio/mpeg"}, [audio]))
        with client.text_to_speech.text_to_speech_stream_as_stream("voice-1", text="Hello") as chunks:
            assert b"".join(chunks.iter_bytes(1000)) == audio

        server.route("GET", "/v1/voices", json_reply({"voices": []}))
        assert client.voices.get_voices().voices == []

        server.route("POST", "/v1/voices/add", json_reply({"voice_id": "v-new", "requires_verification": False}))
        added = client.voices.add_voice(name="My voice", files=[("a.mp3", audio, "audio/mpeg"), b"raw-bytes"])
        assert added.voice_id == "v-new"
        files = [p for p in server.last.multipart() if p.name == "files"]
        assert [p.data for p in files] == [audio, b"raw-bytes"]
        assert [p.data for p in server.last.multipart() if p.name == "name"] == [b"My voice"]
        client.close()
