"""Routing (literal paths before templated ones) and bounded recording (record=False keeps counters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autosdk_py.mock import MockServer
from autosdk_py.mock import server as mock_server
from tests.mock.mock_helpers import no_more_frames, open_ws, recv_frames, tagged, types_of, write_doc


def _two_channels() -> dict[str, Any]:
    """A templated channel written before a literal one that it would match."""

    def channel(address: str, hello: str) -> dict[str, Any]:
        # Each channel greets with "hello" saying which channel it is.
        payload = tagged("hello", where={"type": "string", "const": hello})
        return {"address": address, "messages": {hello: {"name": hello, "payload": payload}}}

    operations = {
        f"receive_{key}": {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{hello}"}],
        }
        for key, hello in (("symbol", "hello_symbol"), ("literal", "hello_literal"), ("deep", "hello_deep"))
    }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Routes", "version": "1"},
        "servers": {"local": {"host": "localhost:9000", "protocol": "ws"}},
        "channels": {
            "symbol": channel("/{symbol}", "hello_symbol"),
            "literal": channel("/no-query", "hello_literal"),
            "deep": channel("/v1/{symbol}/live", "hello_deep"),
        },
        "operations": operations,
    }


def test_literal_route_is_not_shadowed(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "routes.yaml", _two_channels())
    with MockServer.from_spec(path) as mock:
        for url_path, expected in (
            ("/no-query", "hello_literal"),
            ("/BTCUSD", "hello_symbol"),
            ("/v1/BTCUSD/live", "hello_deep"),
        ):
            with open_ws(mock.origin + url_path) as ws:
                assert recv_frames(ws, 1)[0]["where"] == expected, url_path
        # The default channel of url_for() stays the document's first one.
        assert mock.url_for(symbol="ETH") == mock.origin + "/ETH"
    assert [c.channel for c in mock.connections] == ["literal", "symbol", "deep"]


CHAT = {
    "asyncapi": "3.0.0",
    "info": {"title": "Echo", "version": "1"},
    "servers": {"local": {"host": "localhost:9000", "protocol": "ws"}},
    "channels": {
        "echo": {
            "address": "/echo",
            "messages": {
                "say": {"name": "say", "payload": tagged("say", text={"type": "string"})},
                "said": {"name": "said", "payload": tagged("said", text={"type": "string"})},
            },
        }
    },
    "operations": {
        "send_say": {
            "action": "send",
            "channel": {"$ref": "#/channels/echo"},
            "messages": [{"$ref": "#/channels/echo/messages/say"}],
            "reply": {"channel": {"$ref": "#/channels/echo"}, "messages": [{"$ref": "#/channels/echo/messages/said"}]},
        }
    },
}


def _talk(mock: MockServer, frames: int) -> None:
    with open_ws(mock.url_for()) as ws:
        for _ in range(frames):
            ws.send('{"type": "say", "text": "hi"}')
        ws.send('{"type": "nonsense"}')
        assert types_of(recv_frames(ws, frames + 1)) == ["said"] * frames + ["error"]


def test_recording_keeps_every_frame(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "echo.yaml", CHAT)
    with MockServer.from_spec(path) as mock:  # record=True: the default in-process
        _talk(mock, 3)
        conn = mock.connections[0]
        assert conn.wait_closed()
    assert len(conn.received) == 4 and len(conn.sent) == 4 and conn.frames_in == 4 and conn.frames_out == 4


def test_not_recording_keeps_counters_and_bounds_closed_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mock_server, "MAX_CLOSED", 2)
    path = write_doc(tmp_path, "echo.yaml", CHAT)
    with MockServer.from_spec(path, record=False) as mock:
        for _ in range(5):
            _talk(mock, 2)
            assert mock.connections[-1].wait_closed()
        assert mock.connection_count == 5
        assert [c.id for c in mock.connections] == [4, 5]  # the last closed ones only
        conn = mock.connections[-1]
        assert conn.received == [] and conn.sent == []  # no frames kept
        assert conn.frames_in == 3 and conn.frames_out == 3 and len(conn.errors) == 1
        assert mock.frames_in == 15 and mock.frames_out == 15
        assert any("3 message(s) in, 3 out" in line for line in mock.log_lines)
    assert mock.log_lines[-1] == "autosdk mock: stopped"
    assert any("shutting down (5 connection(s) served)" in line for line in mock.log_lines)


def test_not_recording_bounds_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_doc(tmp_path, "echo.yaml", CHAT)
    mock = MockServer.from_spec(path, record=False)
    for i in range(mock_server.MAX_LOG_LINES + 50):
        mock.say(f"line {i}")
    assert len(mock.log_lines) == mock_server.MAX_LOG_LINES and mock.log_lines[-1].endswith(str(i))


def test_invalid_frames_are_not_unanswered(tmp_path: Path) -> None:
    """Only valid client messages without a rule are 'no reply rule': here every one has a reply."""
    path = write_doc(tmp_path, "echo.yaml", CHAT)
    with MockServer.from_spec(path) as mock, open_ws(mock.url_for()) as ws:
        ws.send('{"type": "say", "text": "hi"}')
        assert types_of(recv_frames(ws, 1)) == ["said"]
        assert no_more_frames(ws)
    assert not any("no reply rule" in line for line in mock.log_lines)
