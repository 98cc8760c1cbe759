"""Server-sent events: the decoder, and typed streams from a real chunked response."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import httpx
import pytest
from pydantic import BaseModel, Field

from autosdk_py.runtime import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    AsyncAPIClient,
    NotFoundError,
    ServerSentEvent,
    SyncAPIClient,
)
from autosdk_py.runtime._sse import SSEDecoder
from tests.http_server import RecordingServer, sse_reply
from tests.runtime.harness import Api


class Delta(BaseModel):
    type: Literal["delta"]
    text: str


class Done(BaseModel):
    type: Literal["done"]
    total: int


Event = Annotated[Delta | Done, Field(discriminator="type")]


def _decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.flush()


# --- decoder ------------------------------------------------------------------------------


def test_decoder_fields_multiline_data_comments_and_default_event_name() -> None:
    events = _decode(b": keep-alive\n\nevent: update\nid: 7\nretry: 1500\ndata: line1\ndata:line2\n\ndata: x\n\n")
    assert events == [
        ServerSentEvent(data="line1\nline2", event="update", id="7", retry=1500),
        ServerSentEvent(data="x", event="message", id="7", retry=None),  # the last id persists
    ]


def test_decoder_handles_crlf_and_cr_split_across_chunks() -> None:
    events = _decode(b"data: a\r", b"\n\r", b"\ndata: b\r\r", b"data: c\n", b"\n")
    assert [e.data for e in events] == ["a", "b", "c"]


def test_decoder_handles_utf8_split_across_chunks() -> None:
    raw = "data: héllo ✓\n\n".encode()
    events = _decode(*[raw[i : i + 1] for i in range(len(raw))])
    assert [e.data for e in events] == ["héllo ✓"]


def test_decoder_ignores_events_without_data_and_unknown_fields() -> None:
    assert _decode(b"event: ping\n\nfoo: bar\n\nretry: soon\n\n") == []
    assert [e.data for e in _decode(b"data\n\n")] == [""]  # a bare field name means an empty value


def test_decoder_delivers_a_trailing_event_without_blank_line() -> None:
    assert [e.data for e in _decode(b"data: one\n\ndata: two")] == ["one", "two"]


# --- typed streams over HTTP --------------------------------------------------------------


def test_stream_yields_typed_events_until_done(api: Api, server: RecordingServer) -> None:
    server.route(
        "POST",
        "/responses",
        sse_reply(
            ": connected\n\n",
            'event: delta\ndata: {"type": "delta", "text": "Hel"}\n\n',
            'data: {"type": "delta",\ndata:  "text": "lo"}\n\n',  # multi-line data is one JSON document
            'data: {"type": "done", "total": 2}\n\n',
            "data: [DONE]\n\n",
            'data: {"type": "delta", "text": "after done is ignored"}\n\n',
        ),
    )
    events = api.sse("POST", "/responses", event_type=Event, json={"stream": True})
    assert events == [
        Delta(type="delta", text="Hel"),
        Delta(type="delta", text="lo"),
        Done(type="done", total=2),
    ]
    assert server.last.header("accept") == "text/event-stream"
    assert server.last.json() == {"stream": True}


def test_stream_ends_when_connection_closes_without_done(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/s", sse_reply('data: {"type": "done", "total": 0}\n\n'))
    assert api.sse("GET", "/s", event_type=Event) == [Done(type="done", total=0)]


def test_error_event_raises_api_error_with_payload(api: Api, server: RecordingServer) -> None:
    server.route(
        "GET",
        "/s",
        sse_reply(
            'data: {"type": "delta", "text": "partial"}\n\n',
            'event: error\ndata: {"error": {"message": "overloaded", "code": 529}}\n\n',
        ),
    )
    with pytest.raises(APIError) as info:
        api.sse("GET", "/s", event_type=Event)
    assert info.value.message == "Stream error: overloaded"
    assert info.value.body == {"error": {"message": "overloaded", "code": 529}}


def test_connection_lost_mid_stream_is_a_connection_error(api: Api, server: RecordingServer) -> None:
    from tests.http_server import DROP_CONNECTION, Reply

    body = [b'data: {"type": "done", "total": 1}\n\n', DROP_CONNECTION]
    server.route("GET", "/s", Reply(200, {"Content-Type": "text/event-stream"}, body))
    with pytest.raises(APIConnectionError) as info:
        api.sse("GET", "/s", event_type=Event)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


def test_invalid_event_payload_is_a_validation_error(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/s", sse_reply('data: {"type": "delta"}\n\n'))
    with pytest.raises(APIResponseValidationError) as info:
        api.sse("GET", "/s", event_type=Event)
    assert info.value.body == b'{"type": "delta"}'


def test_error_status_raises_before_the_stream_is_returned(api: Api, server: RecordingServer) -> None:
    from tests.http_server import json_reply

    server.route("GET", "/s", json_reply({"error": {"message": "no such stream"}}, status=404))
    with pytest.raises(NotFoundError) as info:
        api.sse("GET", "/s", event_type=Event)
    assert info.value.body == {"error": {"message": "no such stream"}}
    assert info.value.message == "Error code: 404 - no such stream"


def test_stream_is_retried_before_it_is_returned(api: Api, server: RecordingServer) -> None:
    from tests.http_server import Reply

    server.route("GET", "/s", Reply(503, {}, b"busy"), sse_reply('data: {"type": "done", "total": 1}\n\n'))
    assert api.sse("GET", "/s", event_type=Event) == [Done(type="done", total=1)]
    assert len(server.requests) == 2


def test_sync_stream_close_early_releases_the_response(server: RecordingServer) -> None:
    server.route("GET", "/s", sse_reply(*[f'data: {{"type": "done", "total": {i}}}\n\n' for i in range(5)]))
    with SyncAPIClient(base_url=server.url) as client:
        with client.request_sse("GET", "/s", event_type=Event) as stream:
            first = next(stream)
        assert first == Done(type="done", total=0)
        assert stream.response.is_closed
        raw = list(client.request_sse("GET", "/s", event_type=Event).events())
        assert [e.data for e in raw][-1] == '{"type": "done", "total": 4}'


def test_async_stream_close_early_releases_the_response(server: RecordingServer) -> None:
    server.route("GET", "/s", sse_reply(*[f'data: {{"type": "done", "total": {i}}}\n\n' for i in range(5)]))

    async def run() -> tuple[Done | Delta, bool, list[str]]:
        async with AsyncAPIClient(base_url=server.url) as client:
            async with await client.request_sse("GET", "/s", event_type=Event) as stream:
                first = await stream.__anext__()
            stream2 = await client.request_sse("GET", "/s", event_type=Event)
            raw = [event.data async for event in stream2.events()]
            return first, stream.response.is_closed, raw

    first, closed, raw = asyncio.run(run())
    assert first == Done(type="done", total=0)
    assert closed
    assert len(raw) == 5
