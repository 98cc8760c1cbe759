"""The decode rule of ``MessageDecoder`` (see ``realtime_runtime/_decoding.py``): never a wrong class.

A property test without extra dependencies: plain ``random`` with a fixed seed feeds a bounded
number of random JSON values, and every message's payload, to decoders built over synthetic
model sets shaped like what the generator emits (``extra="allow"`` everywhere): tagged, tagged
with an optional tag (``Literal["x"] | None = None``), untagged with all-optional fields, with an
``Any`` member, and with a compound tag (``type`` + ``role``). A frame must come back as its own
class or as ``UnknownMessage``, never as another class; a random frame only as the one class the
rule (restated here independently) allows.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from autosdk_py.realtime_runtime import (
    MessageDecoder,
    RealtimeAuthenticationError,
    UnknownMessage,
    connect_async,
    connect_sync,
)
from tests.realtime_runtime.support import options
from tests.ws_server import WsServer

ALLOW = ConfigDict(extra="allow", populate_by_name=True)

# -- model sets -----------------------------------------------------------------------------


class TA(BaseModel):
    model_config = ALLOW
    type: Literal["a"]
    x: int


class TB(BaseModel):
    model_config = ALLOW
    type: Literal["b"] = "b"
    y: str | None = None


class TC(BaseModel):
    model_config = ALLOW
    type: Literal["c"]


class OA(BaseModel):  # optional tags, as a const property that is not required is generated
    model_config = ALLOW
    type: Literal["hello"] | None = None
    name: str | None = None


class OB(BaseModel):
    model_config = ALLOW
    type: Literal["bye"] | None = None
    reason: str | None = None


class UP(BaseModel):  # untagged, every field optional: the smart union's favourite catch-all
    model_config = ALLOW
    predictions: list[float] | None = None
    model: str | None = None


class UQ(BaseModel):
    model_config = ALLOW
    ping: int | None = None


class UR(BaseModel):
    model_config = ALLOW
    error: str
    code: int | None = None


class CUser(BaseModel):  # a compound tag: ``type`` alone does not tell these apart
    model_config = ALLOW
    type: Literal["message"]
    role: Literal["user"]
    text: str | None = None


class CAssistant(BaseModel):
    model_config = ALLOW
    type: Literal["message"]
    role: Literal["assistant"]
    text: str | None = None


class CCall(BaseModel):
    model_config = ALLOW
    type: Literal["function_call"]
    role: Literal["assistant"]
    name: str | None = None


class MX(BaseModel):  # constants and no constants mixed: the most constants win
    model_config = ALLOW
    type: Literal["x"]


class MXY(BaseModel):
    model_config = ALLOW
    type: Literal["x"]
    kind: Literal["y"]


PAYLOADS: dict[type[BaseModel], list[dict[str, Any]]] = {
    TA: [{"type": "a", "x": 1}, {"type": "a", "x": 2, "new_field": True}],
    TB: [{"type": "b"}, {"type": "b", "y": "hi"}],
    TC: [{"type": "c"}],
    OA: [{"type": "hello", "name": "n"}, {"type": "hello"}],
    OB: [{"type": "bye", "reason": "r"}],
    UP: [{"predictions": [0.1, 0.2]}, {"model": "m", "predictions": []}],
    UQ: [{"ping": 1}],
    UR: [{"error": "boom"}, {"error": "boom", "code": 3}],
    CUser: [{"type": "message", "role": "user", "text": "hi"}],
    CAssistant: [{"type": "message", "role": "assistant", "text": "hello"}],
    CCall: [{"type": "function_call", "role": "assistant", "name": "f"}],
    MX: [{"type": "x"}, {"type": "x", "kind": "other"}],
    MXY: [{"type": "x", "kind": "y"}],
}

SETS: dict[str, tuple[tuple[Any, ...], str | None, str]] = {
    "tagged": ((TA, TB, TC), "type", "tagged"),
    "optional_tag": ((OA, OB), "type", "tagged"),
    "untagged_all_optional": ((UP, UQ, UR), None, "matching"),
    "any_member": ((UP, UR, Any), None, "matching"),
    "compound_tag": ((CUser, CAssistant, CCall), None, "tagged"),
    "most_constants": ((MX, MXY, UQ), None, "matching"),
    "single_class": ((UP,), None, "matching"),
}


def _decoder(name: str) -> MessageDecoder[Any]:
    types, tag, _ = SETS[name]
    return MessageDecoder(types, tag)


# -- the rule, restated ---------------------------------------------------------------------


def _consts(cls: type[BaseModel]) -> dict[str, Any]:
    found = {}
    for name, info in cls.model_fields.items():
        annotation = info.annotation
        args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
        if getattr(annotation, "__origin__", None) is Literal and len(annotation.__args__) == 1:  # type: ignore[union-attr]
            found[info.alias or name] = annotation.__args__[0]  # type: ignore[union-attr]
        elif len(args) == 1 and getattr(args[0], "__origin__", None) is Literal and len(args[0].__args__) == 1:
            found[info.alias or name] = args[0].__args__[0]
    return found


def _passes(cls: type[BaseModel], frame: object) -> bool:
    if not isinstance(frame, dict):
        return False
    consts = _consts(cls)
    if any(key not in frame or frame[key] != v or type(frame[key]) is not type(v) for key, v in consts.items()):
        return False
    if not consts and (any(key not in cls.model_fields for key in frame) or not frame):
        return False
    try:
        cls.model_validate(frame)
    except ValidationError:
        return False
    return True


def _allowed(name: str, frame: object) -> type[BaseModel] | None:
    """The one class the rule lets ``frame`` be, or None."""
    types, tag, mode = SETS[name]
    models = [t for t in types if isinstance(t, type) and issubclass(t, BaseModel)]
    if mode == "tagged":
        if not isinstance(frame, dict):
            return None
        fields = ["type", "role"] if name == "compound_tag" else [tag or "type"]
        named = [m for m in models if all(frame.get(f, object()) == _consts(m).get(f) for f in fields)]
        named = [m for m in named if all(isinstance(frame.get(f), str) for f in fields)]
        return named[0] if len(named) == 1 and _validates(named[0], frame) else None
    passing = [m for m in models if _passes(m, frame)]
    if passing:
        most = max(len(_consts(m)) for m in passing)
        passing = [m for m in passing if len(_consts(m)) == most]
    return passing[0] if len(passing) == 1 else None


def _validates(cls: type[BaseModel], frame: dict[str, Any]) -> bool:
    try:
        cls.model_validate(frame)
    except ValidationError:
        return False
    return True


# -- random JSON ----------------------------------------------------------------------------

KEYS = sorted(
    {key for cls in PAYLOADS for key in cls.model_fields} | {"hello", "event", "kind", "data", "new_field", ""}
)
CONST_VALUES = ["a", "b", "c", "hello", "bye", "message", "function_call", "user", "assistant", "x", "y", "zzz"]


def _scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            False,
            rng.randint(-3, 3),
            rng.random(),
            rng.choice(CONST_VALUES),
            "".join(rng.choice("ab1 ") for _ in range(rng.randint(0, 4))),
        ]
    )


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 2 and roll < 0.12:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 2 and roll < 0.2:
        return _object(rng, depth + 1)
    return _scalar(rng)


def _object(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    keys = rng.sample(KEYS, rng.randint(0, 4))
    frame = {key: _value(rng, depth) for key in keys}
    if depth == 0 and rng.random() < 0.6:
        frame["type"] = rng.choice(CONST_VALUES)
        if rng.random() < 0.5:
            frame["role"] = rng.choice(["user", "assistant", "tool"])
    return frame


def _random_frames(count: int) -> list[object]:
    rng = random.Random(20261203)
    frames: list[object] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            frames.append(_value(rng))  # not an object
        elif roll < 0.35:  # a real payload, mutated
            cls = rng.choice(list(PAYLOADS))
            frame = dict(rng.choice(PAYLOADS[cls]))
            key = rng.choice(KEYS)
            if rng.random() < 0.5:
                frame[key] = _value(rng)
            else:
                frame.pop(rng.choice(list(frame)) if frame else key, None)
            frames.append(frame)
        else:
            frames.append(_object(rng))
    return frames


RANDOM_FRAMES = _random_frames(2000)


# -- properties -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_decoder_is_built_in_the_expected_mode(name: str) -> None:
    assert _decoder(name).mode == SETS[name][2], _decoder(name).notes


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_payload_decodes_as_its_own_class_and_never_as_another(name: str) -> None:
    decoder = _decoder(name)
    members = [t for t in SETS[name][0] if isinstance(t, type) and issubclass(t, BaseModel)]
    for cls, payloads in PAYLOADS.items():
        for payload in payloads:
            frame = json.dumps(payload)
            result = decoder.decode(frame)
            if cls in members:
                own = cls is not MX or "kind" not in payload or decoder.mode == "matching"
                if cls in (UP, UQ, UR) and "new_field" in payload:
                    own = False  # documented: a type without constants is known by its fields only
                if own:
                    assert type(result) is cls, (name, payload, result)
                continue
            allowed = _allowed(name, payload)
            assert isinstance(result, UnknownMessage) or type(result) is allowed, (name, payload, result)
            if not isinstance(result, UnknownMessage):
                assert type(result) in members


@pytest.mark.parametrize("name", sorted(SETS))
def test_random_frames_are_only_ever_the_class_the_rule_allows(name: str) -> None:
    decoder = _decoder(name)
    decoded = unknown = 0
    for value in RANDOM_FRAMES:
        frame = json.dumps(value)
        result = decoder.decode(frame)
        expected = _allowed(name, value)
        if isinstance(result, UnknownMessage):
            unknown += 1
            assert result.raw == frame
            assert expected is None, (name, value, result)
            if decoder.mode != "tagged":
                assert result.error, (name, value)  # the reason, always, without a tag
        else:
            decoded += 1
            assert type(result) is expected, (name, value, result)
    assert unknown > 0 and (decoded > 0 or name == "single_class"), (decoded, unknown)


def test_an_optional_tag_builds_a_tagged_decoder_instead_of_crashing() -> None:
    decoder: MessageDecoder[OA | OB] = MessageDecoder(OA | OB, "type")
    assert decoder.mode == "tagged" and decoder.known_tags == {"hello", "bye"}
    assert any("callable" in note for note in decoder.notes)
    assert type(decoder.decode('{"type":"bye"}')) is OB
    assert decoder.decode('{"name":"n"}') == UnknownMessage(None, '{"name":"n"}', None)
    assert decoder.tag_of(OA(type="hello")) == "hello"


def test_tag_values_from_the_spec_stand_for_a_field_that_is_not_a_literal() -> None:
    class Loose(BaseModel):
        type: str | None = None
        n: int | None = None

    decoder: MessageDecoder[Loose | TC] = MessageDecoder((Loose, TC), "type", {Loose: "loose"})
    assert decoder.mode == "tagged"
    assert type(decoder.decode('{"type":"loose","n":1}')) is Loose
    assert type(decoder.decode('{"type":"c"}')) is TC
    assert isinstance(decoder.decode('{"n":1}'), UnknownMessage)


def test_any_takes_no_part_and_says_so() -> None:
    decoder: MessageDecoder[Any] = MessageDecoder(UP | UR | Any, None)
    assert any("Any" in note for note in decoder.notes)
    result = decoder.decode('{"hello":1}')
    assert isinstance(result, UnknownMessage) and result.error is not None
    assert "UP ('hello' is not one of its fields)" in result.error and "UR (" in result.error


def test_only_any_returns_parsed_json_and_nothing_declared_returns_unknown() -> None:
    only_any: MessageDecoder[Any] = MessageDecoder(Any, None)
    assert only_any.decode('{"a":[1]}') == {"a": [1]}
    assert MessageDecoder(dict[str, Any], None).mode == "json"
    nothing = MessageDecoder((), None).decode('{"a":1}')
    assert isinstance(nothing, UnknownMessage) and nothing.error


def test_ambiguity_is_reported_not_guessed() -> None:
    result = MessageDecoder((UP, UQ), None).decode('{"predictions":null,"ping":null}')
    assert isinstance(result, UnknownMessage) and result.error is not None and "UP (" in result.error
    result = MessageDecoder((MX, UP), None).decode("{}")  # MX: 'type' missing; UP: {} is no evidence
    assert isinstance(result, UnknownMessage) and "no field of it" in str(result.error)

    class Both(BaseModel):
        model_config = ALLOW
        predictions: list[float] | None = None

    result = MessageDecoder((UP, Both), None).decode('{"predictions":[1]}')
    assert isinstance(result, UnknownMessage)
    assert result.error is not None and result.error.startswith("ambiguous: UP or Both")


def test_the_type_is_read_from_constant_fields_without_a_tag() -> None:
    result = MessageDecoder((MX, MXY, UQ), None).decode('{"type":"new.event","ping":1}')
    assert isinstance(result, UnknownMessage) and result.type == "new.event" and result.error


@pytest.mark.parametrize("frame", ["[" * 5000 + "]" * 5000, "not json", '{"type":'])
@pytest.mark.parametrize("name", ["tagged", "untagged_all_optional", "compound_tag"])
def test_bad_json_never_raises(name: str, frame: str) -> None:
    result = _decoder(name).decode(frame)
    assert isinstance(result, UnknownMessage) and result.error and result.error.startswith("invalid JSON")


# -- the decoder is built after the handshake -------------------------------------------------


def _broken_factory(calls: list[int]) -> Any:
    def build() -> MessageDecoder[Any]:
        calls.append(1)
        raise RuntimeError("decoder build failed")

    return build


def test_connect_sync_builds_the_decoder_only_after_the_handshake() -> None:
    calls: list[int] = []
    with WsServer() as server:
        server.reject(401, "bad key", times=1)
        with pytest.raises(RealtimeAuthenticationError):
            connect_sync(options(server), _broken_factory(calls))
        assert calls == []
        with pytest.raises(RuntimeError, match="decoder build failed"):
            connect_sync(options(server), _broken_factory(calls))  # handshake fine: the build error shows
        assert calls == [1]
        built: list[MessageDecoder[Any]] = []

        def factory() -> MessageDecoder[Any]:
            built.append(_decoder("tagged"))
            return built[-1]

        with connect_sync(options(server), factory) as ws:
            assert ws.decoder is built[0]


def test_connect_async_builds_the_decoder_only_after_the_handshake() -> None:
    calls: list[int] = []

    async def main(server: WsServer) -> None:
        with pytest.raises(RealtimeAuthenticationError):
            await connect_async(options(server), _broken_factory(calls))

    with WsServer() as server:
        server.reject(401, "bad key")
        asyncio.run(main(server))
    assert calls == []


def test_a_class_pydantic_cannot_validate_never_makes_decode_raise() -> None:
    fields: dict[str, Any] = {"x": ("NotDefinedAnywhere", ...)}  # a forward reference never resolved
    broken = create_model("Broken", **fields)
    decoders: list[MessageDecoder[Any]] = [MessageDecoder((broken, UQ), None), MessageDecoder(broken, None)]
    for decoder in decoders:
        result = decoder.decode('{"x":1}')
        assert isinstance(result, UnknownMessage) and "cannot be validated" in str(result.error)
    assert isinstance(decoders[0].decode('{"ping":1}'), UQ)
