"""``all_messages`` (``autosdk mock --all-messages``): every server message once on connect, for contract tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from autosdk_py.asyncapi.read import Perspective, load_realtime
from autosdk_py.errors import SpecError
from autosdk_py.mock import MockServer
from autosdk_py.mock.server import BINARY_PAYLOAD
from tests.conftest import SHARED
from tests.mock.mock_helpers import no_more_frames, open_ws, recv_frames, tagged, types_of, v3_channel_doc, write_doc

SENDS = {
    "start": {"payload": tagged("start")},
    "audio_in": {"contentType": "application/octet-stream", "payload": {"type": "string", "format": "binary"}},
}
RECEIVES = {
    "transcript": {
        "payload": tagged("transcript", text={"type": "string", "minLength": 3}, confidence={"type": "number"}),
        # Not valid (text too short): the mock must synthesize a valid payload instead.
        "examples": [{"payload": {"type": "transcript", "text": "x", "confidence": 0.5}}],
    },
    "audio_out": {"contentType": "application/octet-stream", "payload": {"type": "string", "format": "binary"}},
    "hello": {
        "payload": tagged("hello", motd={"type": "string"}),
        "examples": [{"payload": {"type": "hello", "motd": "hi"}}],
    },
    "started": {"payload": tagged("started")},
}


@pytest.fixture()
def doc(tmp_path: Path) -> Path:
    return write_doc(tmp_path, "all.yaml", v3_channel_doc(SENDS, RECEIVES, replies={"start": ["started"]}))


def test_every_server_message_once_in_document_order(doc: Path) -> None:
    with MockServer.from_spec(doc, all_messages=True) as mock, open_ws(mock.url_for()) as ws:
        frames = recv_frames(ws, 4)
        assert no_more_frames(ws)
        ws.send('{"type": "start"}')  # replies still follow the usual rules
        assert types_of(recv_frames(ws, 1)) == ["started"]
    assert types_of(frames) == ["transcript", "bytes", "hello", "started"]
    assert frames[1] == BINARY_PAYLOAD  # a binary frame, not text
    assert frames[2] == {"type": "hello", "motd": "hi"}  # the valid example
    assert len(frames[0]["text"]) >= 3  # the invalid example replaced by a valid synthesis
    receive = mock.channels[0].receive
    for message, frame in zip(receive, frames, strict=True):
        if not message.binary:
            assert mock.models.check(message, frame) is None, message.name
    assert mock.unvalidated == []


def test_scenario_on_connect_is_replaced_but_still_checked(doc: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("on_connect: [hello, hello]\n", encoding="utf-8")
    with MockServer.from_spec(doc, all_messages=True, scenario=scenario) as mock, open_ws(mock.url_for()) as ws:
        assert types_of(recv_frames(ws, 4)) == ["transcript", "bytes", "hello", "started"]
        assert no_more_frames(ws)
    scenario.write_text("on_connect: [helo]\n", encoding="utf-8")
    with pytest.raises(SpecError, match="unknown server message 'helo'"):
        MockServer.from_spec(doc, all_messages=True, scenario=scenario)


def test_without_all_messages_only_the_greeting(doc: Path) -> None:
    with MockServer.from_spec(doc) as mock, open_ws(mock.url_for()) as ws:
        assert types_of(recv_frames(ws, 1)) == ["hello"]  # "started" answers "start": not a greeting
        assert no_more_frames(ws)


# --- every real document: a valid payload for every server message --------------------------------

CORPUS = SHARED / "corpus"
REAL = [
    *sorted((CORPUS / "asyncapi").glob("*")),
    *sorted(CORPUS.glob("pairs/*/asyncapi.json")),
    SHARED / "specs" / "openai" / "asyncapi.json",
    SHARED / "specs" / "elevenlabs" / "asyncapi.json",
]
CASES: list[tuple[Path, Perspective | None]] = [(p, side) for p in REAL for side in ("client", "server")]
CASES.append((CORPUS / "fern" / "hume" / "empathic-voice" / "chat.yml", None))


def _label(path: Path, side: str | None) -> str:
    return f"{path.parent.name}/{path.name}" + (f"@{side}" if side else "")


@pytest.mark.parametrize("path, side", CASES, ids=[_label(p, s) for p, s in CASES])
def test_corpus_every_server_message_has_a_valid_payload(path: Path, side: Perspective | None) -> None:
    assert path.exists(), f"{path} is missing: the corpus lives in ../shared"
    _, api = load_realtime(path, side)
    if not any(c.protocol_ok and c.address is not None for c in api.channels):
        # MQTT, Kafka, AMQP, HTTP streaming: the mock refuses them with a clear error, nothing to serve
        with pytest.raises(SpecError, match="no WebSocket channel"):
            MockServer(api, source=path, all_messages=True)
        return
    mock = MockServer(api, source=path, all_messages=True)
    assert mock.unvalidated == [], mock.warnings
    for channel in mock.channels:
        unique = list(dict.fromkeys(m.pointer for m in channel.receive))
        assert [a.message.pointer for a in mock.scripts[channel.key].on_connect if a.message] == unique


def test_payloads_are_recognizable(tmp_path: Path) -> None:
    """An optional one-value property is written (receivers dispatch on it); an empty object is a last resort."""
    receives = {
        "tool_call": {
            "payload": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "type": {"anyOf": [{"const": "tool_call"}, {"type": "null"}]},
                },
            }
        },
        "note": {"payload": {"type": "object", "properties": {"text": {"type": "string"}}}},
        "free": {"payload": {"type": "object"}},
    }
    path = write_doc(tmp_path, "shapes.yaml", v3_channel_doc({}, receives))
    mock = MockServer.from_spec(path, all_messages=True)
    payloads = {m.name: mock.payloads[m.pointer] for m in mock.channels[0].receive}
    assert payloads["tool_call"] == {"name": "mock_name", "type": "tool_call"}
    assert payloads["note"] == {"text": "mock_text"}
    assert payloads["free"] == {}
    assert mock.unvalidated == []


def test_any_json_payload_is_an_object(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "any.yaml", v3_channel_doc({}, {"anything": {"payload": {}}}))
    mock = MockServer.from_spec(path, all_messages=True)
    assert mock.payloads[mock.channels[0].receive[0].pointer] == {}


def test_empty_object_filled_property_by_property(tmp_path: Path) -> None:
    """Discord's GUILD_CREATE: one impossible property (``s``) must not leave the payload empty."""
    receives = {
        "guild_create": {
            "payload": {
                "type": "object",
                "properties": {
                    "op": {"type": "integer", "enum": [0, 1]},
                    "s": {"type": "integer", "oneOf": [{"type": "string"}, {"type": "null"}]},
                    "t": {"oneOf": [{"type": "string"}, {"type": "null"}], "default": "GUILD_CREATE"},
                },
            }
        }
    }
    path = write_doc(tmp_path, "guild.yaml", v3_channel_doc({}, receives))
    mock = MockServer.from_spec(path, all_messages=True)
    message = mock.channels[0].receive[0]
    payload = mock.payloads[message.pointer]
    assert payload.get("op") == 0 and payload.get("t") == "GUILD_CREATE"
    assert mock.models.check(message, payload) is None
