"""Binary downloads, read whole or streamed in chunks, for both clients."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from autosdk_py.runtime import APIConnectionError, NotFoundError
from tests.http_server import DROP_CONNECTION, RecordingServer, Reply, json_reply
from tests.runtime.harness import Api

AUDIO = bytes(range(256)) * 64  # 16 KiB, every byte value


def test_download_read_whole(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/speech", Reply(200, {"Content-Type": "audio/mpeg", "X-Chars": "12"}, AUDIO))
    result = api.binary("POST", "/speech", read_all=True, json={"text": "hello"})
    assert result.chunks == [AUDIO]
    assert result.content_type == "audio/mpeg"
    assert result.headers["x-chars"] == "12"
    assert result.closed
    assert server.last.json() == {"text": "hello"}
    assert server.last.header("accept") == "*/*"


def test_download_streamed_in_chunks(api: Api, server: RecordingServer) -> None:
    parts = [AUDIO[i : i + 1000] for i in range(0, len(AUDIO), 1000)]
    server.route("GET", "/file", Reply(200, {"Content-Type": "application/octet-stream"}, parts))
    result = api.binary("GET", "/file", chunk_size=4096)
    assert b"".join(result.chunks) == AUDIO
    assert all(len(chunk) == 4096 for chunk in result.chunks[:-1])
    assert len(result.chunks) == 4
    assert result.closed


def test_download_chunks_arrive_as_the_server_sends_them(api: Api, server: RecordingServer) -> None:
    def slow_body() -> Iterator[bytes]:
        for chunk in (b"first", b"second", b"third"):
            yield chunk
            time.sleep(0.03)  # so TCP cannot coalesce the chunks into one read

    server.route("GET", "/file", Reply(200, {}, slow_body()))
    result = api.binary("GET", "/file")
    assert b"".join(result.chunks) == b"firstsecondthird"
    assert len(result.chunks) >= 2  # genuinely streamed, not buffered into one piece


def test_download_with_explicit_accept(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/file", Reply(200, {"Content-Type": "audio/wav"}, b"RIFF"))
    result = api.binary("GET", "/file", read_all=True, headers={"Accept": "audio/wav"})
    assert result.chunks == [b"RIFF"]
    assert server.last.header("accept") == "audio/wav"


@pytest.mark.parametrize("read_all", [True, False])
def test_connection_lost_mid_download_is_a_connection_error(api: Api, server: RecordingServer, read_all: bool) -> None:
    server.route("GET", "/file", Reply(200, {}, [b"partial", DROP_CONNECTION]))
    with pytest.raises(APIConnectionError) as info:
        api.binary("GET", "/file", read_all=read_all)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


def test_download_error_status_raises_with_body(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/file", json_reply({"detail": "voice not found"}, status=404))
    with pytest.raises(NotFoundError) as info:
        api.binary("GET", "/file", read_all=True)
    assert info.value.body == {"detail": "voice not found"}
    assert info.value.message == "Error code: 404 - voice not found"
