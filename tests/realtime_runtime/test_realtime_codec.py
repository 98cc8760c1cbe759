"""MessageDecoder and the send-side encoding, without a network."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from autosdk_py.realtime_runtime import MessageDecoder, UnknownMessage, encode_json, encode_model
from tests.realtime_runtime.support import (
    DECODER,
    SERVER_TAGS,
    AudioDelta,
    ErrorEvent,
    SessionConfig,
    SessionUpdate,
    SessionUpdated,
    audio_delta,
    session_updated,
)

# -- decoding -------------------------------------------------------------------------------


def test_known_messages_decode_to_their_class() -> None:
    message = DECODER.decode(session_updated("ash"))
    assert isinstance(message, SessionUpdated)
    assert message.session.voice == "ash" and message.session.type == "realtime"
    assert isinstance(DECODER.decode(audio_delta(3)), AudioDelta)


def test_binary_frames_are_returned_unchanged() -> None:
    frame = b'{"type":"session.updated"}'  # even JSON-looking bytes: binary means binary
    assert DECODER.decode(frame) is frame


@pytest.mark.parametrize(
    ("frame", "expected_type"),
    [('{"type":"future.event","payload":{"a":1}}', "future.event"), ('{"event_id":"e"}', None)],
)
def test_unknown_or_missing_tag_is_not_an_error(frame: str, expected_type: str | None) -> None:
    assert DECODER.decode(frame) == UnknownMessage(type=expected_type, raw=frame, error=None)


def test_known_tag_with_invalid_payload_keeps_the_validation_error() -> None:
    frame = '{"type":"session.updated","event_id":"e","session":{"voice":"x"}}'
    result = DECODER.decode(frame)
    assert isinstance(result, UnknownMessage)
    assert result.type == "session.updated" and result.raw == frame
    assert result.error is not None
    assert "`session.updated`.session.id" in result.error and "Field required" in result.error


@pytest.mark.parametrize("frame", ["not json", '{"type":', ""])
def test_frames_that_are_not_json_never_raise(frame: str) -> None:
    result = DECODER.decode(frame)
    assert isinstance(result, UnknownMessage)
    assert result.type is None and result.raw == frame
    assert result.error is not None and result.error.startswith("invalid JSON")


@pytest.mark.parametrize("frame", ["[1,2]", "42", '"text"'])
def test_json_that_is_not_an_object_is_malformed(frame: str) -> None:
    result = DECODER.decode(frame)
    assert isinstance(result, UnknownMessage)
    assert result.type is None and result.error is not None


def test_a_tag_that_is_not_a_string_reads_as_missing() -> None:
    assert DECODER.decode('{"type":5}') == UnknownMessage(type=None, raw='{"type":5}')


def test_pydantic_error_types_tell_unknown_from_invalid() -> None:
    decoder = MessageDecoder(DECODER.types, "type")
    assert decoder.mode == "tagged" and decoder.known_tags == SERVER_TAGS
    assert decoder.decode('{"type":"zzz"}') == UnknownMessage("zzz", '{"type":"zzz"}')
    invalid = decoder.decode('{"type":"response.output_audio.delta"}')
    assert isinstance(invalid, UnknownMessage) and invalid.error is not None


class Ping(BaseModel):
    ping: int


class Pong(BaseModel):
    pong: str


def test_no_common_tag_fallback_matches_each_type() -> None:
    decoder: MessageDecoder[Ping | Pong] = MessageDecoder(Ping | Pong, None)
    assert decoder.mode == "matching"
    assert decoder.decode('{"ping":1}') == Ping(ping=1)
    assert decoder.decode('{"pong":"x"}') == Pong(pong="x")
    other = decoder.decode('{"type":"other"}')
    assert isinstance(other, UnknownMessage) and other.type is None and other.error
    assert "Ping ('type' is not one of its fields)" in other.error


class Done(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    kind: Literal["job.done"] = Field(alias="event-kind")


def test_tag_of_reads_aliased_tag_fields_for_dispatch() -> None:
    decoder = MessageDecoder(Annotated[Done, Field()], "event-kind")
    message = decoder.decode('{"event-kind":"job.done"}')
    assert isinstance(message, Done)
    assert decoder.tag_of(message) == "job.done"
    assert DECODER.tag_of(ErrorEvent(type="error", event_id="e", error={"message": "m"})) == "error"  # type: ignore[arg-type]
    assert DECODER.tag_of(b"bytes") is None


# -- encoding -------------------------------------------------------------------------------


def test_defaulted_tags_are_sent_at_every_level_but_other_defaults_are_not() -> None:
    update = SessionUpdate(session=SessionConfig(instructions="be brief"))
    assert update.model_dump_json(exclude_unset=True) == '{"session":{"instructions":"be brief"}}'  # the trap
    assert encode_model(update) == ('{"type":"session.update","session":{"type":"realtime","instructions":"be brief"}}')
    # voice/event_id have defaults too (None), but were not set: the server keeps its own.
    assert "voice" not in encode_model(update) and "event_id" not in encode_model(update)
    # No other observable change to the model.
    assert update.session.instructions == "be brief" and update.type == "session.update"


class Mode(Enum):
    ONLY = "only"


class Item(BaseModel):
    type: Literal["message"] = "message"
    role: Literal["user", "assistant"] = "user"  # several values: a real choice, not a constant
    text: str


class Envelope(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    kind: Literal["conversation.item.create"] | None = Field(default="conversation.item.create", alias="type")
    mode: Mode = Mode.ONLY
    items: list[Item]
    by_name: dict[str, Item] = {}
    extra: Any = None


def test_constants_in_lists_dicts_aliases_optionals_and_enums() -> None:
    envelope = Envelope(items=[Item(text="hi")], by_name={"a": Item(text="yo")}, extra=Item(text="any"))
    assert json.loads(encode_model(envelope)) == {
        "type": "conversation.item.create",
        "mode": "only",
        "items": [{"type": "message", "text": "hi"}],
        "by_name": {"a": {"type": "message", "text": "yo"}},
        "extra": {"type": "message", "text": "any"},
    }


def test_encode_json_is_compact_and_keeps_unicode() -> None:
    assert encode_json({"text": "héllo", "n": [1, 2]}) == '{"text":"héllo","n":[1,2]}'
