"""``bind()`` and the readers it relies on: what a client connects to, for categories seen in real documents.

* channels at one address are one connection (Kraken's seven channels at ``/``);
* channel parameters that are not in the address are query parameters;
* every parameter's schema is resolved (a ``$ref`` to an enum gives ``Literal[...]``, not ``str``);
* server variables with a default that are not in the URL are not sent;
* remote ``$ref``s become ``{}`` with a warning, and generation goes on;
* keys holding ``/`` and ``.`` resolve however the ``$ref`` writes them;
* the perspective flips 2.x publish/subscribe and 3.0 actions, down to the client IR.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from autosdk_py.asyncapi.bundle import bundle_document, pointer_tokens
from autosdk_py.asyncapi.client_ir import PayloadClass, RealtimeIR, build_realtime_ir, json_annotation
from autosdk_py.asyncapi.parser import parse_asyncapi
from autosdk_py.asyncapi.read import read_realtime
from autosdk_py.asyncapi.spec import AsyncApiDocument, ChannelSpec
from autosdk_py.docs import build_docs
from autosdk_py.errors import SpecError
from autosdk_py.loader import Document, load_document
from autosdk_py.mock.handshake import build_routes
from autosdk_py.naming import identifier
from autosdk_py.pipeline import GenerateOptions, GenerateResult, generate

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "asyncapi"
OPENAI = ROOT.parent / "shared" / "specs" / "openai" / "asyncapi.json"
SPECS = Path(__file__).resolve().parent / "specs"


def document(tmp_path: Path, data: dict[str, Any], name: str = "spec.yaml") -> Document:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_document(path)


def read(doc: Document, perspective: Any = None) -> AsyncApiDocument:
    return read_realtime(doc, perspective)


def channel(api: AsyncApiDocument, key: str) -> ChannelSpec:
    return next(c for c in api.channels if c.key == key)


def annotation(schema: dict[str, Any]) -> str:
    return str(json_annotation(schema))


def generate_and_import(spec: Path, out: Path, namespace: str) -> GenerateResult:
    result = generate(GenerateOptions(spec=spec, output=out, namespace=namespace))
    code = f"import {result.package}, {result.package}.models; print({result.package}.__all__)"
    run = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return result


def _v3(channels: dict[str, Any], operations: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {"title": "Bind", "version": "1"},
        "servers": {
            "prod": {"host": "chat.example.com", "protocol": "wss"},
            "edge": {"host": "edge.example.com", "protocol": "wss"},
        },
        "channels": channels,
    }
    if operations:
        data["operations"] = operations
    data.update(extra)
    return data


def _payload(tag: str) -> dict[str, Any]:
    return {"payload": {"type": "object", "properties": {"type": {"const": tag}}}}


# --- 1. channels at one address are one connection ----------------------------------------------------


def _shared_address_doc() -> dict[str, Any]:
    prod = [{"$ref": "#/servers/prod"}]
    return _v3(
        {
            "ping": {
                "address": "/",
                "servers": prod,
                "description": "Keepalive.",
                "parameters": {"lang": {"enum": ["en", "fr"]}},
                "messages": {"ping": {"$ref": "#/components/messages/Ping"}, "event": _payload("ping-event")},
            },
            "pong": {
                "address": "/",
                "servers": prod,
                "description": "The answer.",
                "bindings": {"ws": {"query": {"type": "object", "properties": {"token": {"type": "string"}}}}},
                "messages": {"pong": _payload("pong"), "event": _payload("pong-event")},
            },
            "again": {
                "address": "/",
                "servers": prod,
                "messages": {"ping": {"$ref": "#/components/messages/Ping"}},
            },
            "other": {"address": "/other", "servers": prod, "messages": {"x": _payload("x")}},
            "edge": {"address": "/", "servers": [{"$ref": "#/servers/edge"}], "messages": {"y": _payload("y")}},
            "dynamicA": {"address": None, "messages": {"a": _payload("a")}},
            "dynamicB": {"address": None, "messages": {"b": _payload("b")}},
        },
        {
            "sendPing": {"action": "send", "channel": {"$ref": "#/channels/ping"}},
            "hearPong": {"action": "receive", "channel": {"$ref": "#/channels/pong"}},
            "hearPing": {"action": "receive", "channel": {"$ref": "#/channels/again"}},
        },
        components={"messages": {"Ping": _payload("ping")}},
    )


def test_channels_at_one_address_merge_into_one(tmp_path: Path) -> None:
    api = read(document(tmp_path, _shared_address_doc()))
    assert [c.key for c in api.channels] == ["ping", "other", "edge", "dynamicA", "dynamicB"]
    merged = channel(api, "ping")
    assert merged.address == "/" and merged.servers == ("prod",)
    assert merged.pointer == "/channels/ping" and merged.description == "Keepalive."
    assert [(m.key, m.direction) for m in merged.messages] == [
        ("ping", "send"),
        ("event", "send"),
        ("pong", "receive"),
        ("event2", "receive"),  # pong's 'event' is another message: its key stays unique
        ("ping", "receive"),  # the same message the other way: same key, kept once per direction
    ]
    assert len({m.pointer for m in merged.messages if m.key == "ping"}) == 1
    assert [p.name for p in merged.query_params] == ["lang", "token"]  # ping's parameter + pong's binding
    assert any(
        "channels 'ping', 'pong', 'again' share the address '/' (one socket): one client" in w for w in api.warnings
    )
    # A different server or no address: never merged.
    assert channel(api, "edge").address == "/" and channel(api, "dynamicA").address is None


def test_the_same_servers_in_another_order_are_the_same_socket(tmp_path: Path) -> None:
    both = [{"$ref": "#/servers/prod"}, {"$ref": "#/servers/edge"}]
    data = _v3(
        {
            "a": {"address": "/s", "servers": both, "messages": {"a": _payload("a")}},
            "b": {"address": "/s", "servers": both[::-1], "messages": {"b": _payload("b")}},
            "mqtt": {"address": "/s", "servers": [{"$ref": "#/servers/broker"}], "messages": {"c": _payload("c")}},
            "mqtt2": {"address": "/s", "servers": [{"$ref": "#/servers/broker"}], "messages": {"d": _payload("d")}},
        }
    )
    data["servers"]["broker"] = {"host": "broker.example.com", "protocol": "mqtt"}
    api = read(document(tmp_path, data))
    assert [c.key for c in api.channels] == ["a", "mqtt", "mqtt2"]  # non-WebSocket channels get no client: kept
    assert [m.key for m in channel(api, "a").messages] == ["a", "b"]


def test_merged_channel_is_one_client_in_generate_docs_and_mock(tmp_path: Path) -> None:
    doc = document(tmp_path, _shared_address_doc())
    result = generate_and_import(doc.path, tmp_path / "out", "merged")
    assert result.counts["channels"] == 3  # ping (merged), other, edge
    assert result.counts["send methods"] == 2 and result.counts["server message types"] >= 3
    pages = build_docs(doc).files
    assert not any("pong" in name or "again" in name for name in pages), sorted(pages)
    api = read(doc)
    routes = build_routes(api, [c for c in api.channels if c.protocol_ok and c.address is not None])
    assert sorted(r.channel.key for r in routes) == ["edge", "other", "ping"]


def test_kraken_seven_channels_at_slash_are_one_client(tmp_path: Path) -> None:
    path = CORPUS / "spec_kraken_multi_channel_v3.yml"
    api = read(load_document(path))
    (merged,) = [c for c in api.channels if c.address == "/"]
    assert merged.key == "ping"
    assert {m.key for m in merged.messages} >= {"ping", "pong", "heartbeat", "systemStatus", "subscribe", "unsubscribe"}
    assert len({(m.key, m.direction) for m in merged.messages}) == len(merged.messages)
    note = next(w for w in api.warnings if "share the address '/'" in w)
    for key in ("ping", "pong", "heartbeat", "systemStatus", "currencyInfo", "subscribe", "unsubscribe"):
        assert f"'{key}'" in note
    result = generate_and_import(path, tmp_path / "out", "kraken_merged")
    assert result.counts["channels"] == 1


# --- 2. channel parameters outside the address --------------------------------------------------------


def test_v3_parameters_outside_the_address_are_query_parameters(tmp_path: Path) -> None:
    data = _v3(
        {
            "room": {
                "address": "/rooms/{roomId}",
                "parameters": {
                    "roomId": {"description": "The room."},
                    "lang": {"enum": ["en", "fr"], "default": "en", "description": "Language."},
                    "userId": {"location": "$message.payload#/user/id"},
                },
                "messages": {"m": _payload("m")},
            }
        },
        {"send": {"action": "send", "channel": {"$ref": "#/channels/room"}}},
    )
    doc = document(tmp_path, data)
    api = read(doc)
    room = channel(api, "room")
    assert [p.name for p in room.path_params] == ["roomId"]
    lang, user = room.query_params
    assert (lang.name, lang.required, lang.default, lang.enum) == ("lang", False, "en", ("en", "fr"))
    assert annotation(lang.schema) == "Literal['en', 'fr']" and lang.description == "Language."
    assert (user.name, user.required, user.location) == ("userId", False, "$message.payload#/user/id")
    note = next(w for w in api.warnings if "not in its address" in w)
    named = note.split(" are not in its address")[0]
    assert "'lang'" in named and "'userId' (location $message.payload#/user/id)" in named and "roomId" not in named
    result = generate(GenerateOptions(spec=doc.path, output=tmp_path / "out", namespace="query_params"))
    source = (result.package_dir / "_client.py").read_text(encoding="utf-8")
    assert "lang: Literal['en', 'fr'] = 'en'" in source or 'lang: Literal["en", "fr"] = "en"' in source
    assert "user_id: str | None = None" in source


def test_v2_parameter_outside_the_address_is_a_query_parameter(tmp_path: Path) -> None:
    data = {
        "asyncapi": "2.6.0",
        "info": {"title": "Two", "version": "1"},
        "channels": {
            "/feed": {
                "parameters": {"level": {"schema": {"$ref": "#/components/schemas/Level"}}},
                "subscribe": {"message": _payload("tick")},
            }
        },
        "components": {"schemas": {"Level": {"type": "string", "enum": ["l1", "l2"]}}},
    }
    api = read(document(tmp_path, data))
    (feed,) = api.channels
    (level,) = feed.query_params
    assert feed.path_params == () and not level.required
    assert annotation(level.schema) == "Literal['l1', 'l2']"


# --- 3. parameter schemas are resolved ----------------------------------------------------------------


def test_every_kind_of_parameter_has_its_resolved_schema(tmp_path: Path) -> None:
    data = {
        "asyncapi": "2.6.0",
        "info": {"title": "Enums", "version": "1"},
        "servers": {
            "prod": {
                "url": "wss://{region}.example.com",
                "protocol": "wss",
                "variables": {"region": {"enum": ["eu", "us"], "default": "eu"}},
            }
        },
        "channels": {
            "/feed/{symbol}": {
                "parameters": {"symbol": {"schema": {"$ref": "#/components/schemas/Symbol"}}},
                "bindings": {
                    "ws": {
                        "query": {"$ref": "#/components/schemas/Query"},
                        "headers": {
                            "type": "object",
                            "properties": {"X-Mode": {"allOf": [{"$ref": "#/components/schemas/Mode"}]}},
                        },
                    }
                },
                "subscribe": {"message": _payload("tick")},
            }
        },
        "components": {
            "schemas": {
                "Symbol": {"$ref": "#/components/schemas/SymbolName"},  # a chain of $refs
                "SymbolName": {"type": "string", "enum": ["btcusd", "ethusd"]},
                "Mode": {"type": "string", "const": "fast"},
                "Level": {"type": "integer", "enum": [1, 2]},
                "Query": {
                    "type": "object",
                    "properties": {
                        "level": {"$ref": "#/components/schemas/Level", "description": "Depth.", "default": 1},
                        "flag": {"allOf": [{"type": "boolean"}], "description": "On or off."},
                    },
                },
            }
        },
    }
    api = read(document(tmp_path, data))
    (feed,) = api.channels
    (symbol,) = feed.path_params
    level, flag = feed.query_params
    (mode,) = feed.header_params
    (region,) = api.servers[0].variables
    assert annotation(symbol.schema) == "Literal['btcusd', 'ethusd']" and symbol.enum == ("btcusd", "ethusd")
    assert annotation(level.schema) == "Literal[1, 2]"
    assert (level.description, level.default, level.enum) == ("Depth.", 1, (1, 2))  # siblings of the $ref win
    assert annotation(flag.schema) == "bool" and flag.description == "On or off."
    assert annotation(mode.schema) == "Literal['fast']"
    assert annotation(region.schema) == "Literal['eu', 'us']"
    for param in (symbol, level, flag, mode, region):
        assert "$ref" not in json.dumps(param.schema)


def test_assemblyai_encoding_query_parameter_keeps_its_enum() -> None:
    api = read(load_document(CORPUS / "assemblyai_realtime_v2.json"))
    (ch,) = api.channels
    encoding = next(p for p in ch.query_params if p.name == "encoding")
    assert encoding.schema["enum"] == ["pcm_s16le", "pcm_mulaw"] and "$ref" not in encoding.schema
    assert annotation(encoding.schema) == "Literal['pcm_s16le', 'pcm_mulaw']"


def test_gemini_v3_query_binding_and_symbol_are_literals(tmp_path: Path) -> None:
    result = generate_and_import(CORPUS / "spec_gemini_ws_v3.yml", tmp_path / "out", "gemini_bound")
    source = (result.package_dir / "_client.py").read_text(encoding="utf-8")
    assert "symbol: Literal[" in source


# --- 4. server variables outside the URL ----------------------------------------------------------------


def test_server_variables_with_a_default_outside_the_url_are_not_sent(tmp_path: Path) -> None:
    data = _v3(
        {"c": {"address": "/c", "messages": {"m": _payload("m")}}},
        {"send": {"action": "send", "channel": {"$ref": "#/channels/c"}}},
    )
    data["servers"] = {
        "prod": {
            "host": "{host}.example.com",
            "protocol": "wss",
            "variables": {
                "host": {"default": "eu"},
                "ports": {"default": "9000", "description": "Left over from a template."},
                "model": {"description": "Required and only sendable as a query (OpenAI's model)."},
            },
        }
    }
    doc = document(tmp_path, data)
    api = read(doc)
    assert [v.name for v in api.servers[0].variables] == ["host", "model"]
    assert any("server 'prod': variable(s) 'ports' are not in its URL" in w for w in api.warnings)
    result = generate(GenerateOptions(spec=doc.path, output=tmp_path / "out", namespace="server_vars"))
    source = (result.package_dir / "_client.py").read_text(encoding="utf-8")
    assert not re.search(r"\bports\b", source) and "host: str = 'eu'" in source.replace('"', "'")


def test_openai_model_variable_is_still_sent() -> None:
    api = read(load_document(OPENAI))
    assert [v.name for v in api.servers[0].variables] == ["model"]  # no default: the query carries it
    assert not any("are not sent" in w for w in api.warnings)


# --- 5. remote $refs --------------------------------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


@pytest.mark.parametrize("name", ["binding_remote_refs.yaml", "binding_remote_refs_v2.yaml"])
def test_remote_refs_are_any_value_with_a_warning(name: str) -> None:
    doc = load_document(SPECS / name)
    bundle = bundle_document(doc)
    assert all(r.startswith("#") for r in _refs(bundle.data)), _refs(bundle.data)
    written = [r for r in _refs(doc.data) if not r.startswith("#")]
    assert len(bundle.warnings) == len(written)
    for ref in written:
        assert any(repr(ref) in w and "is not resolved (no network access)" in w for w in bundle.warnings), ref


def test_remote_ref_warnings_name_where_they_are_written() -> None:
    api = parse_asyncapi(load_document(SPECS / "binding_remote_refs.yaml"))
    where = {w.split(" at ", 1)[1].split(" ", 1)[0] for w in api.warnings if "remote $ref" in w}
    assert where == {
        "/channels/room/bindings/ws/query/properties/region",
        "/channels/room/messages/remotePayload/payload",
        "/channels/room/messages/remoteMessage",
        "/components/schemas/Remote",
        "/components/schemas/Hello/properties/user",
        "/components/schemas/Hello/properties/tags/items",
    }
    room = api.channels[0]
    (region,) = room.query_params
    assert region.schema == {"description": "The region."}  # any value; the sibling stays
    assert api.schemas["Remote"] == {}


@pytest.mark.parametrize("name", ["binding_remote_refs.yaml", "binding_remote_refs_v2.yaml"])
def test_remote_refs_generate_and_import(name: str, tmp_path: Path) -> None:
    result = generate_and_import(SPECS / name, tmp_path / "out", "remote_refs")
    assert result.counts["channels"] == 1
    assert sum("remote $ref" in note for note in result.notes) >= 2


@pytest.mark.parametrize("version", ["3.0.0", "2.6.0"])
def test_remote_servers_schemes_and_operations_are_left_out_not_refused(tmp_path: Path, version: str) -> None:
    remote = {"$ref": "https://example.com/asyncapi.yaml#/servers/prod"}
    if version == "3.0.0":
        data = _v3(
            {
                "c": {
                    "address": "/c",
                    "servers": [{"$ref": "#/servers/prod"}, {"$ref": "#/servers/far"}],
                    "messages": {"m": _payload("m")},
                }
            },
            {
                "send": {"action": "send", "channel": {"$ref": "#/channels/c"}},
                "far": {"$ref": "https://example.com/asyncapi.yaml#/operations/far"},
            },
        )
        data["servers"] = {"prod": data["servers"]["prod"], "far": remote}
        data["components"] = {"securitySchemes": {"key": {"$ref": "https://example.com/schemes.yaml#/key"}}}
    else:
        data = {
            "asyncapi": "2.6.0",
            "info": {"title": "Two", "version": "1"},
            "servers": {
                "prod": {"url": "wss://chat.example.com", "protocol": "wss", "security": [{"key": []}]},
                "far": remote,
            },
            "channels": {"/c": {"servers": ["prod", "far"], "publish": {"message": _payload("m")}}},
            "components": {"securitySchemes": {"key": {"$ref": "https://example.com/schemes.yaml#/key"}}},
        }
    api = read(document(tmp_path, data))
    assert [s.key for s in api.servers] == ["prod"] and api.security == ()
    (ch,) = api.channels
    assert ch.servers == ("prod",) and [m.direction for m in ch.messages] == ["send"]
    left_out = [w for w in api.warnings if "which is not fetched: it is left out" in w]
    expected = {"server 'far'", "security scheme 'key'"} | ({"operation 'far'"} if version == "3.0.0" else set())
    assert {w.split(" is the remote", 1)[0] for w in left_out} == expected


# --- 6. keys holding '/' and '.' ------------------------------------------------------------------------


def test_keys_with_slashes_and_dots_resolve_however_written() -> None:
    doc = load_document(SPECS / "binding_slash_keys.yaml")
    api = parse_asyncapi(doc)
    (chat,) = api.channels
    assert [(m.key, m.direction, m.payload_schema) for m in chat.messages] == [
        ("chat/userMessage", "send", "chat/UserMessage"),
        ("v1.Foo", "receive", "v1.Foo"),
        ("assistant", "receive", "chat/AssistantMessage"),
        ("tilde", "receive", "a~b/c"),
    ]
    assert chat.messages[0].summary == "From the trait."  # through '#/components/messageTraits/common~1trait'
    refs = set(_refs(api.data))
    assert "#/components/schemas/chat~1UserMessage" in refs  # loose forms rewritten to the canonical one
    assert "#/channels/chat/messages/chat~1userMessage" in refs
    assert "#/components/messages/chat~1assistantMessage" in refs
    assert not any(r.endswith("chat/UserMessage") or "%2F" in r for r in refs)


@pytest.mark.parametrize(
    ("fragment", "tokens"),
    [
        ("/a~1b", ["a/b"]),
        ("/a/b", ["a/b"]),
        ("/a%2Fb", ["a/b"]),
        ("/a%7E1b", ["a/b"]),
        ("/x/y", ["x", "y"]),  # a key that exists strictly wins
        ("/a/b/c", ["a/b", "c"]),
        ("/v1.Foo", ["v1.Foo"]),
        ("/nothing", None),
        ("", []),
    ],
)
def test_pointer_tokens(fragment: str, tokens: list[str] | None) -> None:
    data = {"a/b": {"c": 1}, "x": {"y": 2}, "x/y": 3, "v1.Foo": {}}
    assert pointer_tokens(data, fragment) == tokens


def test_slash_keys_generate_and_import(tmp_path: Path) -> None:
    result = generate_and_import(SPECS / "binding_slash_keys.yaml", tmp_path / "out", "slash_keys")
    assert (result.counts["send methods"], result.counts["server message types"]) == (1, 3)


def test_an_unescaped_slash_ref_that_points_nowhere_is_still_dangling(tmp_path: Path) -> None:
    data = _v3({"c": {"address": "/c", "messages": {"m": {"$ref": "#/components/messages/chat/nothing"}}}})
    data["components"] = {"messages": {"chat/userMessage": _payload("u")}}
    doc = document(tmp_path, data)
    with pytest.raises(SpecError) as info:
        parse_asyncapi(doc)
    assert "dangling $ref: '#/components/messages/chat/nothing'" in str(info.value)
    assert info.value.pointer == "/channels/c/messages/m/$ref" and info.value.line is not None


# --- 7. perspective -------------------------------------------------------------------------------------


def _ir(api: AsyncApiDocument) -> RealtimeIR:
    classes = {
        m.pointer: PayloadClass(identifier(m.payload_schema or "Payload"), is_model=True)
        for c in api.channels
        for m in c.messages
    }
    return build_realtime_ir(
        api,
        package=identifier("pkg"),
        source_name="spec",
        models_module=identifier("models"),
        own_models=True,
        payload_classes=classes,
    )


def _directions(api: AsyncApiDocument) -> list[tuple[str, str]]:
    return [(m.key, m.direction) for c in api.channels for m in c.messages]


@pytest.mark.parametrize(
    ("name", "default_direction"),
    [("spec_gemini_ws_v2.yml", "receive"), ("spec_gemini_ws_v3.yml", "send")],
)
def test_perspective_flips_directions_both_ways(name: str, default_direction: str) -> None:
    doc = load_document(CORPUS / name)
    flipped = "send" if default_direction == "receive" else "receive"
    default, client, server = (read(doc, p) for p in (None, "client", "server"))
    assert _directions(default) == [("marketData", default_direction)]
    # 3.0's convention is the client's, 2.x's the server's: the explicit value that is the default changes nothing
    same, other = (client, server) if name.endswith("_v3.yml") else (server, client)
    assert _directions(same) == [("marketData", default_direction)]
    assert _directions(other) == [("marketData", flipped)]
    ir_default, ir_other = _ir(default), _ir(other)
    assert [len(ch.sends) for ch in ir_default.channels] == [len(ch.receives) for ch in ir_other.channels]
    assert [len(ch.receives) for ch in ir_default.channels] == [len(ch.sends) for ch in ir_other.channels]
    sends = [s.message for ch in (ir_default if default_direction == "send" else ir_other).channels for s in ch.sends]
    receives = [
        r.message for ch in (ir_other if default_direction == "send" else ir_default).channels for r in ch.receives
    ]
    assert sends == receives == ["marketData"]


def test_perspective_reaches_the_generated_client(tmp_path: Path) -> None:
    spec = CORPUS / "spec_gemini_ws_v2.yml"
    as_server = generate(GenerateOptions(spec=spec, output=tmp_path, namespace="gemini_v2_server"))
    as_client = generate(
        GenerateOptions(spec=spec, output=tmp_path, namespace="gemini_v2_client", asyncapi_perspective="client")
    )
    assert (as_server.counts["send methods"], as_server.counts["server message types"]) == (0, 1)
    assert (as_client.counts["send methods"], as_client.counts["server message types"]) == (1, 0)
    sys.path.insert(0, str(tmp_path))
    try:
        client = importlib.import_module("gemini_v2_client")
        connection = next(getattr(client, n) for n in client.__all__ if n.endswith("Connection"))
        assert any(name.startswith("send_market") for name, _ in inspect.getmembers(connection))
    finally:
        sys.path.remove(str(tmp_path))
