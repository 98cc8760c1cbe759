"""The greeting: which server messages the mock sends on connect when no scenario says (scenario.py docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autosdk_py.asyncapi.read import Perspective, load_realtime
from autosdk_py.asyncapi.spec import MessageSpec
from autosdk_py.errors import SpecError
from autosdk_py.mock import MockServer
from autosdk_py.mock.scenario import greeting_messages, greeting_rank, operation_replies
from tests.conftest import SHARED
from tests.mock.mock_helpers import no_more_frames, open_ws, recv_frames, tagged, types_of, v3_channel_doc, write_doc


def _message(name: str, tag: str | None = None, description: str | None = None) -> MessageSpec:
    return MessageSpec(
        key=name,
        name=name,
        direction="receive",
        pointer=f"/components/messages/{name}",
        payload=None,
        payload_schema=None,
        tag=("type", tag) if tag is not None else None,
        description=description,
    )


@pytest.mark.parametrize(
    "name",
    ["Welcome", "Connected", "Begin", "RecognitionStarted", "hello", "HELLO", "connection_ack", "SessionBegins"],
)
def test_greeting_names(name: str) -> None:
    assert greeting_rank(_message(name)) is not None


@pytest.mark.parametrize(
    "name, tag",
    [
        ("InputAudioBufferSpeechStarted", "input_audio_buffer.speech_started"),  # an event within a session
        ("OutputAudioBufferStarted", "output_audio_buffer.started"),
        ("ConnectionError", "connection_error"),  # errors never greet
        ("SessionCreationFailed", "session.failed"),
        ("Transcript", "transcript"),
        ("GroupOpen", "group_open"),  # Slack: "you opened a channel", not a greeting
        ("Goodbye", "goodbye"),
        ("ConnectionClosed", "connection.closed"),
    ],
)
def test_not_greetings(name: str, tag: str) -> None:
    assert greeting_rank(_message(name, tag)) is None


def test_description_says_sent_on_connection() -> None:
    assert greeting_rank(_message("systemStatus", description="Status sent on connection or changes.")) == 3
    assert greeting_rank(_message("heartbeat", description="Its purpose is to keep the connection alive.")) is None
    assert greeting_rank(_message("notice", description="Sent when the connection closes.")) is None
    assert greeting_rank(_message("SessionTerminated", description="Sent upon connection end.")) is None
    # Another sentence may still say it: each sentence is judged alone.
    assert greeting_rank(_message("state", description="Sent upon connection. Repeated until the end.")) == 3


SENDS = {
    "session_update": {"payload": tagged("session.update")},
    "connect_request": {"payload": tagged("connect_request")},
    "audio": {"payload": tagged("audio.append", audio={"type": "string"})},
}
RECEIVES = {
    "speech_started": {"payload": tagged("input_audio_buffer.speech_started")},
    "session_updated": {"payload": tagged("session.updated")},
    "status": {"payload": tagged("status"), "description": "Sent upon connection, then on every change."},
    "recognition_started": {"payload": tagged("RecognitionStarted")},
    "session_created": {"payload": tagged("session.created", id={"type": "string"})},
    "connected": {"payload": tagged("connected")},  # the declared reply of connect_request: not a greeting
    "hello": {"payload": tagged("hello")},
    "error": {"payload": tagged("error", message={"type": "string"})},
}


@pytest.fixture()
def greeter(tmp_path: Path) -> Path:
    return write_doc(
        tmp_path, "greeter.yaml", v3_channel_doc(SENDS, RECEIVES, replies={"connect_request": ["connected"]})
    )


def test_greeting_order_and_exclusions(greeter: Path) -> None:
    _, api = load_realtime(greeter)
    channel = api.channels[0]
    greeted = greeting_messages(channel, operation_replies(api))
    # Greeting names first, then session names, then short "... started", then the description.
    assert [m.name for m in greeted] == ["hello", "session_created", "recognition_started", "status"]


def test_greeting_arrives_and_unanswered_is_logged_once(greeter: Path) -> None:
    with MockServer.from_spec(greeter) as mock:
        ws = open_ws(mock.url_for())
        with ws:
            frames = recv_frames(ws, 4)
            assert no_more_frames(ws)
            ws.send('{"type": "connect_request"}')
            assert types_of(recv_frames(ws, 1)) == ["connected"]
            for _ in range(3):  # no reply rule: silence, logged once (not per frame)
                ws.send('{"type": "audio.append", "audio": "AAAA"}')
            ws.send('{"type": "session.update"}')
            assert types_of(recv_frames(ws, 1)) == ["session.updated"]
        mock.connections[0].wait_closed()
    assert types_of(frames) == ["hello", "session.created", "RecognitionStarted", "status"]
    unanswered = [line for line in mock.log_lines if line.startswith("no reply rule for")]
    assert len(unanswered) == 1 and "audio.append" in unanswered[0], unanswered


def test_scenario_on_connect_replaces_the_greeting(greeter: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("on_connect: [status]\non: {'*': []}\n", encoding="utf-8")
    with MockServer.from_spec(greeter, scenario=scenario) as mock:
        with open_ws(mock.url_for()) as ws:
            assert types_of(recv_frames(ws, 1)) == ["status"]
            ws.send('{"type": "audio.append", "audio": "AAAA"}')  # "*": [] is a rule: silence, no log line
            assert no_more_frames(ws)
    assert not any(line.startswith("no reply rule") for line in mock.log_lines)


# --- the corpus: what each real document greets with -------------------------------------------------

CORPUS = SHARED / "corpus"
REAL = [
    *sorted((CORPUS / "asyncapi").glob("*")),
    *sorted(CORPUS.glob("pairs/*/asyncapi.json")),
    SHARED / "specs" / "openai" / "asyncapi.json",
    SHARED / "specs" / "elevenlabs" / "asyncapi.json",
]
# Document label @ perspective -> the greeting (message names); every other served case greets with nothing.
EXPECTED: dict[str, list[str]] = {
    "assemblyai_realtime_v2.json@server": ["SessionBegins"],
    "firezone_gateway_v2.yml@server": ["init"],
    "spec_kraken_multi_channel_v3.yml@server": ["systemStatus"],
    "spec_kraken_reply_filter_v3.yml@server": ["systemStatus"],
    "openai/asyncapi.json@client": ["SessionCreated", "ConversationCreated"],
    "elevenlabs/asyncapi.json@client": ["SessionStarted"],
}
CASES = [(p, side) for p in REAL for side in ("client", "server")]


def _label(path: Path, side: str) -> str:
    name = f"{path.parent.name}/{path.name}" if path.name == "asyncapi.json" else path.name
    return f"{name}@{side}"


@pytest.mark.parametrize("path, side", CASES, ids=[_label(p, s) for p, s in CASES])
def test_corpus_greetings(path: Path, side: Perspective) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not here (the corpus lives in ../shared)")
    try:
        _, api = load_realtime(path, side)
    except SpecError as exc:
        pytest.skip(f"not readable from this perspective: {exc}")
    replies = operation_replies(api)
    served = [c for c in api.channels if c.protocol_ok and c.address is not None]
    greeted = [m.name for c in served for m in greeting_messages(c, replies)]
    assert greeted == EXPECTED.get(_label(path, side), [])


def test_hume_greets_with_nothing_by_name() -> None:
    """Hume sends chat_metadata first, but only a parameter's docs say so: a scenario must."""
    path = SHARED / "corpus" / "fern" / "hume" / "empathic-voice" / "chat.yml"
    if not path.exists():
        pytest.skip("the Hume Fern definition is not here")
    _, api = load_realtime(path)
    assert [m.name for c in api.channels for m in greeting_messages(c, operation_replies(api))] == []
