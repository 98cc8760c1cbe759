"""Generated decoders build, and decode each message as its own class, whatever the spec's tag looks like.

Small AsyncAPI documents, one per shape that used to break (a ``const`` tag, a one-value ``enum``
tag or a ``discriminator`` property that is not ``required`` gave ``Literal["x"] | None`` and a
``PydanticUserError`` at the first ``connect()``, before the handshake, hiding a 401), or to
mis-type (members with only optional fields, an ``Any`` member). Each is generated, imported,
its ``server_message_decoder()`` built, every example decoded; ``connect()`` against a closed
port or a 401 raises the connection error, not a decoder error. Then every real document of
the corpus (and OpenAI's and ElevenLabs' realtime specs) builds its decoders.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autosdk_py.naming import snake_case
from autosdk_py.pipeline import GenerateOptions, generate
from tests.conftest import SHARED
from tests.realtime_runtime.support import unused_port
from tests.ws_server import WsServer

HEAD = """
asyncapi: 3.0.0
info: {title: Decoder, version: "1"}
servers:
  s: {host: "127.0.0.1:9", protocol: ws, security: [{$ref: "#/components/securitySchemes/key"}]}
channels:
  c:
    address: /c
    messages:
"""
TAIL = """
operations:
  r:
    action: receive
    channel: {$ref: "#/channels/c"}
    messages: [MESSAGES]
components:
  securitySchemes:
    key: {type: httpApiKey, in: header, name: X-Key}
  schemas:
    Pet:
      type: object
      discriminator: petType
      properties: {petType: {type: string}, name: {type: string}}
"""

# category -> {message name: (payload schema, example frames that must decode as that message's class)}
CASES: dict[str, dict[str, tuple[str, list[dict[str, Any]]]]] = {
    "optional_const": {
        "hello": ("{type: object, properties: {type: {const: hello}, name: {type: string}}}", [{"type": "hello"}]),
        "bye": ("{type: object, properties: {type: {const: bye}, reason: {type: string}}}", [{"type": "bye"}]),
    },
    "optional_enum": {
        "started": (
            "{type: object, properties: {event: {type: string, enum: [started]}, id: {type: string}}}",
            [{"event": "started", "id": "s1"}],
        ),
        "stopped": (
            "{type: object, properties: {event: {type: string, enum: [stopped]}, code: {type: integer}}}",
            [{"event": "stopped", "code": 1000}, {"event": "stopped"}],
        ),
    },
    "discriminator_not_required": {
        "cat": (
            '{allOf: [{$ref: "#/components/schemas/Pet"}, {type: object, properties: {petType: {const: cat}, '
            "meows: {type: boolean}}}]}",
            [{"petType": "cat", "meows": True}],
        ),
        "dog": (
            '{allOf: [{$ref: "#/components/schemas/Pet"}, {type: object, properties: {petType: {const: dog}, '
            "barks: {type: boolean}}}]}",
            [{"petType": "dog", "name": "rex"}],
        ),
    },
    "untagged_all_optional": {
        "predictions": (
            "{type: object, properties: {predictions: {type: array, items: {type: number}}, model: {type: string}}}",
            [{"predictions": [0.5]}, {"model": "m"}],
        ),
        "ping": ("{type: object, properties: {ping: {type: integer}}}", [{"ping": 1}]),
        "failure": (
            "{type: object, required: [error], properties: {error: {type: string}, code: {type: integer}}}",
            [{"error": "boom"}],
        ),
    },
    "any_member": {
        "reading": (
            "{type: object, required: [value], properties: {value: {type: number}}}",
            [{"value": 1.5}],
        ),
        "anything": ("{}", []),
    },
    "compound_tag": {
        "user_message": (
            "{type: object, required: [type, role], properties: {type: {const: message}, role: {const: user}, "
            "text: {type: string}}}",
            [{"type": "message", "role": "user", "text": "hi"}],
        ),
        "assistant_message": (
            "{type: object, required: [type, role], properties: {type: {const: message}, role: {const: assistant}}}",
            [{"type": "message", "role": "assistant"}],
        ),
    },
}
# Frames no category may accept as any class (the smart union took most of them).
STRANGERS = [{"hello": 1}, {"type": "zzz"}, {"error": 1, "ping": "x"}, {"value": "high", "type": "nope"}, [], {}]


def _spec(messages: dict[str, tuple[str, list[dict[str, Any]]]]) -> str:
    body = "".join(f"      {name}: {{payload: {schema}}}\n" for name, (schema, _) in messages.items())
    refs = ", ".join(f'{{$ref: "#/channels/c/messages/{name}"}}' for name in messages)
    return HEAD + body + TAIL.replace("MESSAGES", refs)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    out = tmp_path_factory.mktemp("decoders")
    found: dict[str, ModuleType] = {}
    sys.path.insert(0, str(out))
    try:
        for category, messages in CASES.items():
            spec = out / f"decoder_{category}.yaml"
            spec.write_text(_spec(messages), encoding="utf-8")
            generate(GenerateOptions(spec=spec, output=out, namespace=f"dec_{category}"))
            found[category] = importlib.import_module(f"dec_{category}._client")
        yield found
    finally:
        sys.path.remove(str(out))


def _class_for(module: ModuleType, message: str) -> type:
    members = module.server_message_decoder().types
    wanted = re.sub(r"[^a-z]", "", message.lower()) + "payload"
    matches = [t for t in members if t.__name__.lower() == wanted]
    assert len(matches) == 1, (message, members)
    return matches[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("category", sorted(CASES))
def test_each_example_decodes_as_its_class_and_strangers_as_unknown(
    category: str, packages: dict[str, ModuleType]
) -> None:
    module = packages[category]
    decoder = module.server_message_decoder()
    unknown = importlib.import_module(module.__name__.rsplit(".", 1)[0]).UnknownMessage
    for message, (_, examples) in CASES[category].items():
        for example in examples:
            result = decoder.decode(json.dumps(example))
            assert type(result) is _class_for(module, message), (category, decoder.mode, decoder.notes, result)
    for stranger in STRANGERS:
        result = decoder.decode(json.dumps(stranger))
        assert isinstance(result, unknown), (category, stranger, result)
        assert decoder.mode == "tagged" or result.error, (category, stranger)


def test_the_modes_are_the_expected_ones(packages: dict[str, ModuleType]) -> None:
    modes = {category: module.server_message_decoder().mode for category, module in packages.items()}
    assert modes == {
        "optional_const": "tagged",
        "optional_enum": "tagged",
        "discriminator_not_required": "tagged",
        "untagged_all_optional": "matching",
        "any_member": "matching",
        "compound_tag": "tagged",
    }
    notes = packages["any_member"].server_message_decoder().notes
    assert any("Any takes no part" in note for note in notes)
    package_doc = importlib.import_module("dec_any_member").__doc__ or ""
    assert "'anything' have no payload schema (Any), so they take no part in decoding" in package_doc


def _client(module: ModuleType, base_url: str, asynchronous: bool = False) -> Any:
    names = [n for n in module.__all__ if n.endswith("Client") and n.startswith("Async") == asynchronous]
    return getattr(module, names[0])("key", base_url=base_url)


@pytest.mark.parametrize("category", ["optional_const", "optional_enum", "discriminator_not_required"])
def test_connect_reports_the_handshake_not_the_decoder(category: str, packages: dict[str, ModuleType]) -> None:
    module = packages[category]
    runtime = importlib.import_module(module.__name__.rsplit(".", 1)[0] + "._runtime")
    module.server_message_decoder.cache_clear()
    with pytest.raises(runtime.RealtimeConnectError):
        _client(module, f"ws://127.0.0.1:{unused_port()}").connect()
    with WsServer() as server:
        server.reject(401, '{"error":"bad key"}')
        with pytest.raises(runtime.RealtimeAuthenticationError):
            _client(module, server.url).connect()

        async def scenario() -> None:
            await _client(module, server.url, asynchronous=True).connect()

        with pytest.raises(runtime.RealtimeAuthenticationError):
            asyncio.run(scenario())
    assert module.server_message_decoder.cache_info().currsize == 0  # never built: no handshake succeeded
    with WsServer(lambda conn: conn.send_json(CASES[category][next(iter(CASES[category]))][1][0])) as server:
        with _client(module, server.url).connect() as ws:
            assert type(ws.recv()) is _class_for(module, next(iter(CASES[category])))
    assert module.server_message_decoder.cache_info().currsize == 1


# -- the real documents -----------------------------------------------------------------------

CORPUS = SHARED / "corpus"
REAL = sorted(CORPUS.glob("asyncapi/*.y*ml")) + sorted(CORPUS.glob("asyncapi/*.json"))
REAL += sorted(CORPUS.glob("pairs/*/asyncapi.json"))
REAL += [p for p in (SHARED / "specs/openai/asyncapi.json", SHARED / "specs/elevenlabs/asyncapi.json") if p.exists()]


@pytest.fixture(scope="module")
def real_packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, str]]:
    assert REAL, f"no AsyncAPI documents under {SHARED}"
    out = tmp_path_factory.mktemp("real_decoders")
    names = {doc: generate(GenerateOptions(spec=doc, output=out, namespace=_namespace(doc))).package for doc in REAL}
    sys.path.insert(0, str(out))
    try:
        yield names
    finally:
        sys.path.remove(str(out))


def _namespace(path: Path) -> str:
    return "decoder_" + snake_case(f"{path.parent.name}_{path.stem}")


def _channel_modules(package: str) -> list[ModuleType]:
    root = importlib.import_module(package)
    modules = [importlib.import_module(f"{package}.{m.name}") for m in pkgutil.iter_modules(root.__path__)]
    return [m for m in modules if hasattr(m, "server_message_decoder")]


@pytest.mark.parametrize("document", REAL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_document_builds_its_decoders(document: Path, real_packages: dict[Path, str]) -> None:
    for module in _channel_modules(real_packages[document]):
        decoder = module.server_message_decoder()
        assert decoder.mode in ("tagged", "matching", "json")
        if module.TAG is not None:
            assert decoder.mode == "tagged", (module.__name__, decoder.notes)
        assert decoder.decode('{"surely":"not a message"}').__class__.__name__ == "UnknownMessage" or (
            decoder.mode == "json"
        )


def test_openai_examples_decode_as_the_class_of_their_type(real_packages: dict[Path, str]) -> None:
    spec = SHARED / "specs/openai/asyncapi.json"
    if spec not in real_packages:
        pytest.skip("no OpenAI spec")
    (module,) = _channel_modules(real_packages[spec])
    decoder = module.server_message_decoder()
    schemas = json.loads(spec.read_text(encoding="utf-8"))["components"]["schemas"]
    checked = 0
    for name, schema in schemas.items():
        example = (schema.get("x-oaiMeta") or {}).get("example") if name.startswith("RealtimeServerEvent") else None
        if not example:
            continue
        try:
            frame = json.loads(re.sub(r",(\s*[}\]])", r"\1", example))  # the odd trailing comma
        except ValueError:
            continue
        result = decoder.decode(json.dumps(frame))
        if frame["type"] in decoder.known_tags:
            assert decoder.tag_of(result) == frame["type"], (name, result)
            checked += 1
    assert checked > 30
