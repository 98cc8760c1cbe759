"""Two contract defects: ``number`` + ``unixtime`` typed as ``int``, and line-delimited JSON streams.

The fixture is ``tests/specs/streams_and_unixtime.yaml``; the real specs are checked through the
session SDKs of ``tests/conftest.py``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from autosdk_py.models.codegen import number_formats_as_int
from autosdk_py.pipeline import GenerateOptions, generate
from autosdk_py.runtime._jsonl import JSONLDecoder
from tests.conftest import RealSdk
from tests.http_server import RecordingServer, Reply

SPEC = Path(__file__).parent / "specs" / "streams_and_unixtime.yaml"


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("streams_sdk")
    generate(GenerateOptions(spec=SPEC, output=out, namespace="streams_sdk"))
    sys.path.insert(0, str(out))
    return importlib.import_module("streams_sdk")


# --- number + unixtime ---------------------------------------------------------------------------


def test_the_generator_maps_unixtime_numbers_to_int_and_we_undo_it() -> None:
    # The category: every ``number`` format the generator's own table maps to an int-only type.
    assert "unixtime" in number_formats_as_int()


def test_number_unixtime_accepts_fractions_and_integer_unixtime_stays_int(sdk: ModuleType) -> None:
    stamp = sdk.models.Stamp.model_validate({"created_at": 1.5, "updated_at": 2, "expires_at": 3.25})
    assert stamp.created_at == 1.5
    assert stamp.expires_at == 3.25
    assert sdk.models.Stamp.model_validate({"created_at": 1, "updated_at": 2}).created_at == 1
    with pytest.raises(pydantic.ValidationError):
        sdk.models.Stamp.model_validate({"created_at": 1, "updated_at": 2.5})
    assert sdk.models.LogLine.model_validate({"level": "info", "message": "m", "at": 0.25}).at == 0.25


def test_openai_response_created_at_accepts_a_fraction(openai_sdk: RealSdk) -> None:
    response_cls: Any = openai_sdk.package.models.Response
    field = response_cls.model_fields["created_at"]
    assert field.annotation is float
    adapter = pydantic.TypeAdapter(field.annotation)
    assert adapter.validate_python(1.5) == 1.5
    assert adapter.validate_python(1) == 1
    assert adapter.validate_json("1.5") == 1.5
    # Through the whole model too: whatever else is missing, created_at is not what fails.
    for value in (1.5, 1):
        try:
            response = response_cls.model_validate({"created_at": value})
        except pydantic.ValidationError as error:
            assert not [e for e in error.errors() if e["loc"][:1] == ("created_at",)], error
        else:
            assert response.created_at == value


# --- line-delimited JSON streams -----------------------------------------------------------------

LINES = [
    {"level": "info", "message": "héllo", "at": 1.5},
    {"level": "warn", "message": "second"},
    {"level": "error", "message": "third", "at": 3},
]


def _split_mid_line(body: bytes) -> list[bytes]:
    """Chunks cut inside lines (and inside a two-byte ``é`` when there is one), never on a line end."""
    cuts = {7, 8, len(body) // 2 + 3, len(body) - 4}
    if "é".encode() in body:
        cuts.add(body.index("é".encode()) + 1)
    pieces, start = [], 0
    for cut in sorted(c for c in cuts if 0 < c < len(body) and body[c - 1 : c] != b"\n"):
        pieces.append(body[start:cut])
        start = cut
    pieces.append(body[start:])
    assert len(pieces) >= 4
    return pieces


def _ndjson(content_type: str, body: bytes) -> Reply:
    return Reply(200, {"Content-Type": content_type}, _split_mid_line(body))


NDJSON_BODY = (
    json.dumps(LINES[0], ensure_ascii=False) + "\n\n" + json.dumps(LINES[1]) + "\r\n" + json.dumps(LINES[2]) + "\n"
).encode()


@pytest.fixture()
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


def _check_lines(sdk: ModuleType, items: list[Any]) -> None:
    assert [type(i) for i in items] == [sdk.models.LogLine] * 3
    assert [i.message for i in items] == ["héllo", "second", "third"]
    assert items[0].at == 1.5


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("tail_logs", "/logs", "application/x-ndjson"),
        ("tail_logs_jsonl", "/logs/jsonl", "application/jsonl"),
    ],
)
def test_ndjson_is_a_typed_iterator_sync(
    sdk: ModuleType, server: RecordingServer, method: str, path: str, content_type: str
) -> None:
    server.route("GET", path, _ndjson(content_type, NDJSON_BODY))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client:
        stream = getattr(client.logs, method)()
        assert isinstance(stream, sdk.JSONLStream)
        with stream:
            first = next(stream)  # a stream is an iterator too
            items = [first, *stream]
    _check_lines(sdk, items)
    assert server.last.header("accept") == content_type


def test_ndjson_is_a_typed_iterator_async(sdk: ModuleType, server: RecordingServer) -> None:
    server.route("GET", "/logs", _ndjson("application/x-ndjson", NDJSON_BODY))

    async def scenario() -> list[Any]:
        async with sdk.AsyncStreamsAndUnixtimeClient(base_url=server.url) as client:
            stream = await client.logs.tail_logs()
            assert isinstance(stream, sdk.AsyncJSONLStream)
            async with stream:
                return [item async for item in stream]

    _check_lines(sdk, asyncio.run(scenario()))


def test_json_seq_records_may_span_lines(sdk: ModuleType, server: RecordingServer) -> None:
    body = b"".join(b"\x1e" + json.dumps(line, ensure_ascii=False, indent=1).encode() + b"\n" for line in LINES)
    server.route("GET", "/logs/seq", _ndjson("application/json-seq", body))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client:
        _check_lines(sdk, list(client.logs.tail_logs_seq()))


def test_a_union_item_type_yields_the_members(sdk: ModuleType, server: RecordingServer) -> None:
    stamp = {"created_at": 1.5, "updated_at": 2}
    body = (json.dumps(LINES[0], ensure_ascii=False) + "\n" + json.dumps(stamp) + "\n").encode()
    server.route("GET", "/logs/mixed", _ndjson("application/x-ndjson", body))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client:
        items = list(client.logs.tail_mixed())
    assert [type(i) for i in items] == [sdk.models.LogLine, sdk.models.Stamp]
    assert items[1].created_at == 1.5


def test_a_whole_last_line_without_newline_is_delivered(sdk: ModuleType, server: RecordingServer) -> None:
    server.route("GET", "/logs", _ndjson("application/x-ndjson", NDJSON_BODY.rstrip(b"\n")))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client:
        _check_lines(sdk, list(client.logs.tail_logs()))


def test_a_partial_last_line_is_an_error_that_says_so(sdk: ModuleType, server: RecordingServer) -> None:
    cut = NDJSON_BODY[: NDJSON_BODY.rindex(b"third") + 2]
    server.route("GET", "/logs", _ndjson("application/x-ndjson", cut))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client:
        received: list[Any] = []
        with pytest.raises(sdk.APIError, match="partial last line") as error:
            received.extend(client.logs.tail_logs())
    assert [i.message for i in received] == ["héllo", "second"]  # the whole lines came first
    assert "cut short" in str(error.value)

    async def scenario() -> list[Any]:
        got: list[Any] = []
        async with sdk.AsyncStreamsAndUnixtimeClient(base_url=server.url) as client:
            with pytest.raises(sdk.APIError, match="partial last line"):
                async for item in await client.logs.tail_logs():
                    got.append(item)
        return got

    assert len(asyncio.run(scenario())) == 2


def test_a_line_that_does_not_match_the_type_is_a_validation_error(sdk: ModuleType, server: RecordingServer) -> None:
    server.route("GET", "/logs", Reply(200, {"Content-Type": "application/x-ndjson"}, [b'{"level": "loud"}\n']))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client, pytest.raises(sdk.APIResponseValidationError):
        list(client.logs.tail_logs())


def test_fern_streaming_json_operation_is_a_stream(sdk: ModuleType, server: RecordingServer) -> None:
    chunks = [{"audio_base64": "QUJD", "alignment": {"characters": ["H", "i"]}}, {"audio_base64": "REVG"}]
    body = "".join(json.dumps(c) + "\n" for c in chunks).encode()
    server.route("POST", "/speech/v1/stream/with-timestamps", _ndjson("application/json", body))
    with sdk.StreamsAndUnixtimeClient(base_url=server.url) as client:
        items = list(client.speech.speech_stream_with_timestamps("v1", text="Hi"))
    assert [type(i) for i in items] == [sdk.models.AudioChunk] * 2
    assert [i.audio_base64 for i in items] == ["QUJD", "REVG"]
    assert server.last.json() == {"text": "Hi"}


def test_elevenlabs_stream_with_timestamps_yields_typed_chunks(elevenlabs_sdk: RealSdk) -> None:
    pkg = elevenlabs_sdk.package
    chunk = {
        "audio_base64": "QUJD",
        "alignment": {
            "characters": ["H", "i"],
            "character_start_times_seconds": [0.0, 0.1],
            "character_end_times_seconds": [0.1, 0.2],
        },
        "normalized_alignment": None,
    }
    body = (json.dumps(chunk) + "\n" + json.dumps({"audio_base64": "REVG"}) + "\n").encode()
    path = "/v1/text-to-speech/voice-1/stream/with-timestamps"
    with RecordingServer() as server:
        server.route("POST", path, _ndjson("application/json", body))
        with pkg.ElevenLabsClient(api_key="xi", base_url=server.url) as client:
            stream = client.text_to_speech.text_to_speech_stream_with_timestamps("voice-1", text="Hi")
            assert isinstance(stream, pkg.JSONLStream)
            items = list(stream)

        async def scenario() -> list[Any]:
            async with pkg.AsyncElevenLabsClient(api_key="xi", base_url=server.url) as client:
                stream = await client.text_to_speech.text_to_speech_stream_with_timestamps("voice-1", text="Hi")
                return [item async for item in stream]

        async_items = asyncio.run(scenario())
    model = pkg.models.StreamingAudioChunkWithTimestampsResponseModel
    for got in (items, async_items):
        assert [type(i) for i in got] == [model, model]
        assert got[0].alignment.characters == ["H", "i"]
        assert got[1].audio_base64 == "REVG"


def test_decoder_splits_anywhere_and_skips_blank_lines() -> None:
    body = b'{"a": 1}\r\n\n  \n{"b": "\xc3\xa9"}\n{"c": 3}'
    for size in (1, 2, 3, 5, len(body)):
        decoder = JSONLDecoder()
        docs = [doc for start in range(0, len(body), size) for doc in decoder.feed(body[start : start + size])]
        assert docs == [b'{"a": 1}', b'{"b": "\xc3\xa9"}']
        assert decoder.flush() == b'{"c": 3}'  # the unterminated rest is the caller's to judge
        assert decoder.flush() is None


def test_decoder_json_seq_records() -> None:
    decoder = JSONLDecoder(json_seq=True)
    assert decoder.feed(b'\x1e{"a":\n 1}\n\x1e{"b"') == [b'{"a":\n 1}']
    assert decoder.feed(b": 2}\n") == []
    assert decoder.flush() == b'{"b": 2}'
