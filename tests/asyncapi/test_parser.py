"""AsyncAPI 2.x / 3.0 -> AsyncApiDocument: the corpus, the two real specs, bundling and errors."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from autosdk_py.asyncapi.bundle import bundle_document
from autosdk_py.asyncapi.parser import parse_asyncapi
from autosdk_py.asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec
from autosdk_py.errors import SpecError, SpecErrors
from autosdk_py.loader import Document, load_document
from autosdk_py.ref_roots import allowed_ref_roots

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "asyncapi"
PAIRS = SHARED / "corpus" / "pairs"
OPENAI = SHARED / "specs" / "openai" / "asyncapi.json"
ELEVENLABS = SHARED / "specs" / "elevenlabs" / "asyncapi.json"
SPECS = Path(__file__).resolve().parent / "specs"
BAD = SPECS / "bad"

CORPUS_FILES = sorted(CORPUS.iterdir()) + sorted(PAIRS.glob("*/asyncapi.json"))


def parse(path: Path) -> AsyncApiDocument:
    return parse_asyncapi(load_document(path))


def channel(doc: AsyncApiDocument, key: str) -> ChannelSpec:
    return next(c for c in doc.channels if c.key == key)


def message(ch: ChannelSpec, key: str, direction: str | None = None) -> MessageSpec:
    return next(m for m in ch.messages if m.key == key and direction in (None, m.direction))


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of ``path`` that contains ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def document(tmp_path: Path, data: dict[str, Any], name: str = "spec.yaml") -> Document:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_document(path)


def parse_error(doc: Document) -> SpecError:
    with pytest.raises(SpecError) as info:
        parse_asyncapi(doc)
    return info.value


# --- the corpus ------------------------------------------------------------------------------------


def test_the_corpus_is_there() -> None:
    assert len(CORPUS_FILES) == 18, [p.name for p in CORPUS_FILES]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_document_parses(path: Path) -> None:
    doc = load_document(path)
    before = copy.deepcopy(doc.data)
    api = parse_asyncapi(doc)
    assert doc.data == before  # the input is never mutated
    assert api.version == doc.version and api.title
    assert api.channels
    for ch in api.channels:
        assert ch.protocol_ok == (not api.servers or bool({"ws", "wss"} & set(ch.protocols)))
        for m in ch.messages:
            assert m.direction in ("send", "receive")
            if m.payload_schema is not None:
                assert m.payload_schema in api.schemas
        # a message appears at most once per direction
        assert len({(m.key, m.direction) for m in ch.messages}) == len(ch.messages)
    assert parse_asyncapi(doc) == api  # deterministic


def test_gemini_v3_symbol_enum_and_ws_query_params() -> None:
    api = parse(CORPUS / "spec_gemini_ws_v3.yml")
    ch = channel(api, "marketDataV1")
    assert ch.address == "/v1/marketdata/{symbol}"
    (symbol,) = ch.path_params
    assert symbol.name == "symbol" and symbol.required
    assert len(symbol.enum) == 63 and symbol.enum[:3] == ("btcusd", "ethbtc", "ethusd")
    assert symbol.schema["enum"] == list(symbol.enum)
    assert "CCY1CCY2" in (symbol.description or "")
    assert [p.name for p in ch.query_params] == ["heartbeat", "top_of_book", "bids", "offers", "trades", "auctions"]
    assert [p.default for p in ch.query_params] == [False, False, True, True, True, True]
    assert not any(p.required for p in ch.query_params)
    assert api.servers[0].url == "wss://api.gemini.com" and ch.protocol_ok and ch.protocols == ("wss",)
    (market,) = ch.messages
    assert market.direction == "send"  # `action: send` (AutoSDK's reading of 3.0)
    assert market.payload_schema == "market" and market.tag is None  # a oneOf of two variants: no single tag
    assert [e["type"] for e in market.examples] == ["update", "heartbeat"]


def test_gemini_v2_same_channel_from_publish_subscribe() -> None:
    api = parse(CORPUS / "spec_gemini_ws_v2.yml")
    (ch,) = api.channels
    assert ch.key == ch.address == "/v1/marketdata/{symbol}"
    assert len(ch.path_params[0].enum) == 63 and ch.path_params[0].schema["type"] == "string"
    assert [p.name for p in ch.query_params][:2] == ["heartbeat", "top_of_book"]
    assert [(m.key, m.direction) for m in ch.messages] == [("marketData", "receive")]  # subscribe


def test_kraken_reply_messages_go_the_other_way() -> None:
    api = parse(CORPUS / "spec_kraken_reply_filter_v3.yml")
    (ch,) = api.channels
    directions = {m.key: m.direction for m in ch.messages}
    # receivePing (receive) replies with pong; receiveSubscribeRequest replies with subscriptionStatus and
    # dummyCurrencyInfo: reply messages of a receive operation are sent.
    assert directions == {
        "ping": "receive",
        "pong": "send",
        "heartbeat": "send",
        "systemStatus": "send",
        "subscriptionStatus": "send",
        "subscribe": "receive",
        "unsubscribe": "receive",
        "dummyCurrencyInfo": "send",
    }
    assert [m.key for m in ch.messages][:3] == ["ping", "pong", "heartbeat"]  # the channel's order
    assert message(ch, "ping").tag == ("event", "ping")
    assert message(ch, "dummyCurrencyInfo").tag == ("event", "currencyInfo")  # inline payload
    assert message(ch, "subscriptionStatus").tag is None  # a oneOf of two variants
    assert len(message(ch, "subscriptionStatus").examples) == 2
    assert ch.protocol_ok and ch.protocols == () and not api.servers


def test_kraken_multi_channel_replies_on_other_channels() -> None:
    api = parse(CORPUS / "spec_kraken_multi_channel_v3.yml")
    assert [c.key for c in api.channels] == [
        "ping",
        "pong",
        "heartbeat",
        "systemStatus",
        "currencyInfo",
        "subscribe",
        "unsubscribe",
    ]
    assert all(c.address == "/" for c in api.channels)
    assert [(m.key, m.direction) for m in channel(api, "pong").messages] == [("pong", "send")]
    # `subscribe` replies with every message of currencyInfo (its reply lists none)
    assert [(m.key, m.direction) for m in channel(api, "currencyInfo").messages] == [
        ("subscriptionStatus", "send"),
        ("dummyCurrencyInfo", "send"),
    ]
    assert [(m.key, m.direction) for m in channel(api, "ping").messages] == [("ping", "receive")]


def test_streetlights_mqtt_is_not_websocket() -> None:
    api = parse(CORPUS / "spec_streetlights_mqtt_v3.yml")
    assert [c.key for c in api.channels] == ["lightingMeasured", "lightTurnOn", "lightTurnOff", "lightsDim"]
    assert all(not c.protocol_ok and c.protocols == ("mqtt",) for c in api.channels)
    assert (
        "channel 'lightingMeasured' is served over mqtt: only WebSocket channels (ws, wss) get a client; "
        "its models are still generated"
    ) in api.warnings
    (server,) = api.servers
    assert server.url == "mqtt://test.mosquitto.org:{port}"
    assert server.variables[0].name == "port" and server.variables[0].enum == ("1883", "8883")
    assert server.variables[0].default == "1883" and not server.variables[0].required
    # two $refs and one inline oauth2 scheme, which gets a key of its own
    assert server.security == ("apiKey", "production_security_1", "openIdConnectWellKnown")
    kinds = {s.key: s.kind for s in api.security}
    assert kinds == {
        "apiKey": "unsupported",  # apiKey in: user (broker credentials)
        "supportedOauthFlows": "unsupported",
        "openIdConnectWellKnown": "unsupported",
        "production_security_1": "unsupported",
    }
    lighting = channel(api, "lightingMeasured")
    assert lighting.path_params[0].name == "streetlightId" and lighting.path_params[0].description
    assert message(lighting, "lightMeasured").content_type == "application/json"
    assert message(channel(api, "lightTurnOn"), "turnOn").name == "turnOnOff"  # name, key from the channel


def test_streetlights_v2_publish_is_send_subscribe_is_receive() -> None:
    api = parse(CORPUS / "spec_streetlights_mqtt_v2.yml")
    directions = [(c.messages[0].key, c.messages[0].direction) for c in api.channels]
    assert directions == [
        ("lightMeasured", "send"),
        ("turnOnOff", "receive"),
        ("turnOnOff", "receive"),
        ("dimLight", "receive"),
    ]
    assert all(not c.protocol_ok for c in api.channels)
    assert sum("is served over mqtt" in w for w in api.warnings) == 4
    assert api.servers[0].security == ("apiKey", "supportedOauthFlows", "openIdConnectWellKnown")
    assert api.channels[0].path_params[0].schema == {"type": "string"}


def test_assemblyai_query_and_header_bindings() -> None:
    api = parse(CORPUS / "assemblyai_realtime_v2.json")
    (ch,) = api.channels
    assert ch.key == "/v2/realtime/ws" and ch.protocol_ok
    query = {p.name: p for p in ch.query_params}
    assert list(query) == [
        "sample_rate",
        "word_boost",
        "encoding",
        "token",
        "disable_partial_transcripts",
        "enable_extra_session_information",
    ]
    assert query["sample_rate"].required and not query["word_boost"].required
    assert query["encoding"].schema["enum"] == ["pcm_s16le", "pcm_mulaw"]  # resolved: the client types it as a Literal
    assert "$ref" not in query["encoding"].schema
    assert query["encoding"].enum == ("pcm_s16le", "pcm_mulaw")  # through the $ref
    assert query["encoding"].description == "The encoding of the audio data"
    assert query["disable_partial_transcripts"].default is False
    (header,) = ch.header_params
    assert header.name == "Authorization" and not header.required
    assert [m.key for m in ch.send] == [
        "SendAudio",
        "TerminateSession",
        "ForceEndUtterance",
        "ConfigureEndUtteranceSilenceThreshold",
    ]
    assert len(ch.receive) == 6
    audio = message(ch, "SendAudio")
    assert audio.binary and audio.payload_schema == "AudioData" and audio.tag is None
    assert message(ch, "SessionBegins").tag == ("message_type", "SessionBegins")  # const inside allOf wins
    assert message(ch, "RealtimeError").tag is None
    assert message(ch, "TerminateSession").examples == ({"terminate_session": True},)
    assert {s.key: (s.kind, s.name) for s in api.security} == {
        "ApiKey": ("header", "Authorization"),
        "Token": ("query", "token"),
    }
    assert api.servers[0].security == ("ApiKey", "Token")
    assert all(m.content_type == "application/json" for m in ch.messages)  # defaultContentType


def test_slack_rtm_v2_receives_46_and_sends_1() -> None:
    api = parse(CORPUS / "spec_slack_rtm_v2.yml")
    (ch,) = api.channels
    assert len(ch.messages) == 47
    assert [m.key for m in ch.send] == ["outgoingMessage"]
    assert len(ch.receive) == 46
    assert message(ch, "hello").tag == ("type", "hello")
    assert not ch.protocol_ok and ch.protocols == ("https",)
    assert api.security[0].kind == "query" and api.security[0].name == "token"


def test_slack_rtm_v3_has_47_messages_in_one_channel() -> None:
    api = parse(CORPUS / "spec_slack_rtm_v3.yml")
    (ch,) = api.channels
    assert ch.key == "root" and len(ch.messages) == 47
    assert Counter(m.direction for m in ch.messages) == {"send": 46, "receive": 1}
    assert ch.receive[0].key == "outgoingMessage"
    assert api.servers[0].url == "https://slack.com/api/rtm.connect"


def test_postman_echo_reply_on_the_same_channel() -> None:
    api = parse(CORPUS / "gen_postman_echo_v3.yml")
    (ch,) = api.channels
    assert [(m.key, m.direction) for m in ch.messages] == [("echo", "send"), ("echo", "receive")]
    send, receive = ch.messages
    assert send.pointer == receive.pointer == "/components/messages/echo"
    assert send.payload is receive.payload  # one payload object: one model
    assert send.payload == {} and send.payload_schema is None
    assert send.examples == ("test", {"test": "test text"})
    assert api.servers[0].url == "wss://ws.postman-echo.com/raw"


def test_gitter_payload_in_a_multi_format_schema() -> None:
    api = parse(CORPUS / "spec_gitter_streaming_v3.yml")
    (ch,) = api.channels
    chat = message(ch, "chatMessage")
    assert chat.payload is not None and chat.payload["type"] == "object" and "schemaFormat" not in chat.payload
    assert [p.name for p in ch.path_params] == ["roomId", "resource"]
    assert ch.path_params[1].enum == ("chatMessages", "events")
    assert api.security[0].kind == "bearer" and not ch.protocol_ok


def test_adeo_avro_payloads_and_remote_refs_are_warnings() -> None:
    api = parse(CORPUS / "spec_adeo_kafka_reply_v3.yml")
    request, response = api.channels
    assert [(m.key, m.direction) for m in request.messages] == [("costingRequest", "receive")]
    assert [(m.key, m.direction) for m in response.messages] == [("costingResponse", "send")]  # the reply
    assert request.messages[0].payload is None
    assert sum("remote $ref 'https://" in w for w in api.warnings) == 3
    assert any("schemaFormat 'application/vnd.apache.avro;version=1.9.0'" in w for w in api.warnings)
    assert [p.name for p in request.path_params] == ["env", "version"]
    assert request.protocols == ("kafka-secure",) and not request.protocol_ok


def test_rpc_amqp_inline_channel_messages() -> None:
    api = parse(CORPUS / "spec_rpc_server_amqp_v3.yml")
    queue = channel(api, "queue")
    assert queue.address == "{queue}" and [p.name for p in queue.path_params] == ["queue"]
    (result,) = queue.messages
    assert result.pointer == "/channels/queue/messages/sendSumResult" and result.direction == "send"
    assert result.payload_schema is None and result.payload is not None


def test_discord_server_url_keeps_its_query_string() -> None:
    api = parse(PAIRS / "discord" / "asyncapi.json")
    (server,) = api.servers
    assert server.url == "wss://gateway.discord.gg?v={version}&encoding=json"
    assert server.variables[0].default == "9" and server.security == ("token",)
    (ch,) = api.channels
    assert [(m.key, m.direction) for m in ch.messages] == [("GUILD_CREATE", "send")]  # empty subscribe oneOf
    assert ch.messages[0].tag is None  # op has twelve values, not one


def test_xplane_scheme_from_protocol_and_type_tags() -> None:
    api = parse(PAIRS / "xplane" / "asyncapi.json")
    assert api.servers[0].url == "ws://localhost:8086/api/v3"
    (ch,) = api.channels
    assert len(ch.send) == 6 and len(ch.receive) == 3
    assert all(m.tag is not None and m.tag[0] == "type" for m in ch.messages)
    assert message(ch, "DatarefSubscribeValues").name == "dataref_subscribe_values"


def test_firezone_subscribe_only() -> None:
    api = parse(CORPUS / "firezone_gateway_v2.yml")
    (ch,) = api.channels
    assert [m.key for m in ch.receive] == ["add_rule", "delete_rule", "add_peer", "delete_peer", "init"]
    assert not ch.send and all(len(m.examples) == 1 for m in ch.messages)


def test_operation_security_inline_oauth2_is_not_a_server_scheme() -> None:
    api = parse(CORPUS / "spec_operation_security_v3.yml")
    assert [(s.key, s.kind) for s in api.security] == [("petstore_auth", "unsupported")]
    assert api.security[0].description == "The oauth security descriptions"
    assert api.channels[0].protocol_ok  # no servers at all


# --- the real specs -------------------------------------------------------------------------------


def test_openai_realtime() -> None:
    api = parse(OPENAI)
    (ch,) = api.channels
    assert ch.address == "/v1/realtime" and ch.protocol_ok
    assert len(ch.messages) == 59
    assert Counter(m.direction for m in ch.messages) == {"send": 12, "receive": 47}
    for m in ch.messages:
        assert m.payload == {"$ref": f"#/components/schemas/{m.payload_schema}"}
        assert m.payload_schema in api.schemas
        assert m.tag is not None and m.tag[0] == "type", m.key
        assert not m.binary
    assert message(ch, "SessionUpdate").tag == ("type", "session.update")
    assert len({m.tag for m in ch.receive}) == 47  # one distinct tag value per server event
    security = {s.key: s for s in api.security}
    assert security["bearer"].kind == "bearer"
    assert security["subprotocol"].kind == "subprotocol"
    assert security["subprotocol"].subprotocols == ("realtime", "openai-insecure-api-key.{apiKey}")
    (server,) = api.servers
    assert server.url == "wss://api.openai.com/v1/realtime" and server.security == ("bearer", "subprotocol")
    assert server.variables[0].name == "model" and server.variables[0].required
    assert len(api.schemas) == 111 and not api.warnings


def test_elevenlabs_realtime() -> None:
    api = parse(ELEVENLABS)
    (ch,) = api.channels
    assert [(m.key, m.direction) for m in ch.messages] == [
        ("inputAudioChunk", "send"),
        ("sessionStarted", "receive"),
        ("partialTranscript", "receive"),
        ("committedTranscript", "receive"),
        ("committedTranscriptWithTimestamps", "receive"),
        ("error", "receive"),
    ]
    assert [m.tag for m in ch.messages] == [
        ("message_type", "input_audio_chunk"),
        ("message_type", "session_started"),
        ("message_type", "partial_transcript"),
        ("message_type", "committed_transcript"),
        ("message_type", "committed_transcript_with_timestamps"),
        ("message_type", "error"),
    ]
    assert message(ch, "error").name == "Error" and message(ch, "error").payload_schema == "ErrorPayload"
    assert all(m.content_type == "application/json" for m in ch.messages)
    (scheme,) = api.security
    assert (scheme.key, scheme.kind, scheme.name) == ("apiKey", "header", "xi-api-key")
    assert api.servers[0].url == "wss://api.elevenlabs.io/v1/speech-to-text/realtime"


# --- the fixtures: bundling relative-file $refs -----------------------------------------------------


def test_v3_fixture_bundles_other_files_schemas() -> None:
    doc = load_document(SPECS / "chat_v3.yaml")
    before = json.dumps(doc.data)
    api = parse_asyncapi(doc)
    assert json.dumps(doc.data) == before
    schemas = api.schemas
    # own schemas first (User, a bare $ref to common.yaml, is replaced by its content), then the copies
    assert list(schemas)[:3] == ["Farewell", "Ack", "User"]
    assert set(schemas) == {"Farewell", "Ack", "User", "kind", "Greeting", "Audio", "Extra", "labels", "Farewell2"}
    assert schemas["User"]["properties"]["friends"]["items"] == {"$ref": "#/components/schemas/User"}  # recursion
    assert schemas["User"]["properties"]["extra"] == {"$ref": "#/components/schemas/Extra"}  # chained, JSON
    assert schemas["Extra"]["properties"]["owner"] == {"$ref": "#/components/schemas/User"}  # back to common.yaml
    assert schemas["Extra"]["properties"]["labels"] == {"$ref": "#/components/schemas/labels"}  # a whole file
    assert schemas["labels"] == {"type": "array", "items": {"type": "string"}}
    assert schemas["Farewell2"]["properties"]["kind"]["enum"] == ["farewell"]  # name taken by the root's own
    assert schemas["Farewell"]["properties"]["type"]["const"] == "farewell"
    assert "./" not in json.dumps(api.data)  # no external $ref left
    # other files' components land in the same section of components
    assert api.data["channels"]["room"]["messages"]["greeting"] == {"$ref": "#/components/messages/Greeting"}
    assert api.data["components"]["parameters"]["roomId"]["enum"] == ["lobby", "games"]


def test_v3_fixture_directions_replies_and_unused_messages() -> None:
    api = parse(SPECS / "chat_v3.yaml")
    room = channel(api, "room")
    assert [(m.key, m.direction) for m in room.messages] == [
        ("greeting", "send"),
        ("greeting", "receive"),  # listed by a send and a receive operation
        ("farewell", "receive"),
        ("audio", "send"),
        ("ack", "receive"),  # reply of a send operation; its channel taken from the message $ref
    ]
    assert "channel 'room': message 'unused' is not used by any operation, so it is left out of the client" in (
        api.warnings
    )
    # a channel without operations: everything it carries is received
    dynamic = channel(api, "dynamic")
    assert dynamic.address is None and [(m.key, m.direction) for m in dynamic.messages] == [("note", "receive")]
    # an operation without `messages` takes all messages of its channel
    assert [(m.key, m.direction) for m in channel(api, "telemetry").messages] == [("reading", "receive")]


def test_v3_fixture_messages() -> None:
    room = channel(parse(SPECS / "chat_v3.yaml"), "room")
    greeting = message(room, "greeting", "send")
    assert greeting.name == "greeting" and greeting.pointer == "/components/messages/Greeting"
    assert greeting.payload_schema == "Greeting" and greeting.tag == ("type", "greeting")
    assert greeting.examples == ({"type": "greeting", "text": "hello"}, {"type": "greeting", "text": "hi"})
    assert greeting.content_type == "application/json"  # defaultContentType
    farewell = message(room, "farewell")
    assert farewell.name == "farewellMessage"  # from the trait
    assert farewell.summary == "Goodbye."  # 3.0: the message's own field wins over the trait's
    assert farewell.content_type == "text/plain"
    assert farewell.payload_schema == "Farewell2" and farewell.tag == ("kind", "farewell")
    audio = message(room, "audio")
    assert audio.binary and audio.content_type == "audio/wav" and audio.tag is None
    assert audio.pointer == "/channels/room/messages/audio"
    assert message(room, "ack").tag == ("op", "ack")  # `type` has two values, so `op` is the tag


def test_v3_fixture_channel_params_servers_and_security() -> None:
    api = parse(SPECS / "chat_v3.yaml")
    room = channel(api, "room")
    (room_id,) = room.path_params
    assert (room_id.name, room_id.enum, room_id.default, room_id.description) == (
        "roomId",
        ("lobby", "games"),
        "lobby",
        "The room.",
    )
    assert room_id.schema == {"type": "string", "enum": ["lobby", "games"], "default": "lobby"}
    token, mood = room.query_params
    assert (token.name, token.required, token.description) == ("token", True, "Access token.")
    assert mood.schema == {"type": "string", "enum": ["farewell"]} and mood.enum == ("farewell",)
    (client_header,) = room.header_params
    assert (client_header.name, client_header.default, client_header.required) == ("X-Client", "sdk", False)
    assert room.servers == ("prod",) and room.protocols == ("wss",) and room.protocol_ok
    assert room.description == "One chat room."
    telemetry = channel(api, "telemetry")
    assert not telemetry.protocol_ok and telemetry.path_params[0].name == "device"  # undeclared placeholder
    assert channel(api, "dynamic").servers == ("prod", "broker")  # no `servers`: all of them
    assert channel(api, "dynamic").protocol_ok
    prod, broker = api.servers
    assert (prod.url, prod.protocol, prod.security) == ("wss://chat.example.com/ws", "wss", ("bearer", "subprotocol"))
    assert broker.url == "mqtt://broker.example.com:{port}" and broker.variables[0].enum == ("1883", "8883")
    assert [(s.key, s.kind, s.name, s.subprotocols) for s in api.security] == [
        ("bearer", "bearer", None, ()),
        ("apiKeyQuery", "query", "api_key", ()),
        ("subprotocol", "subprotocol", None, ("chat", "key.{apiKey}")),
        ("userPass", "unsupported", None, ()),
    ]
    assert api.security[3].description == "Broker credentials."
    assert (api.title, api.api_version, api.description) == ("Chat", "1.2.3", "A chat over WebSocket.")


def test_v2_fixture() -> None:
    api = parse(SPECS / "chat_v2.yaml")
    rooms, raw = api.channels
    assert [(m.key, m.direction) for m in rooms.messages] == [
        ("Greeting", "receive"),  # subscribe comes first in this channel
        ("Left", "receive"),
        ("inlineNote", "receive"),
        ("Say", "send"),
    ]
    greeting = message(rooms, "Greeting")
    assert greeting.name == "greeting" and greeting.payload_schema == "Greeting"  # copied from common.yaml
    assert message(rooms, "Say").payload_schema == "Greeting"  # the same copy, not Greeting2
    left = message(rooms, "Left")
    assert left.content_type == "application/vnd.chat+json"  # 2.x: the trait wins (JSON Merge Patch)
    assert left.summary == "Set by the trait." and left.tag == ("type", "left")
    note = message(rooms, "inlineNote")
    assert note.tag == ("kind", "note") and note.pointer == "/channels/~1rooms~1{roomId}/subscribe/message/oneOf/2"
    assert rooms.servers == ("prod",) and rooms.path_params[0].enum == ("lobby",)
    assert [p.name for p in rooms.query_params] == ["since"]
    (blob,) = raw.messages
    assert (blob.key, blob.direction, blob.binary) == ("publishMessage", "send", True)
    assert raw.servers == ("prod", "legacy") and raw.protocols == ("wss", "ws")
    prod, legacy = api.servers
    assert prod.url == "wss://chat.example.com/ws?v={version}" and prod.security == ("token",)
    assert legacy.url == "ws://chat.example.com:8080"
    assert [(s.key, s.kind, s.name) for s in api.security] == [("token", "header", "X-Token")]
    assert set(api.schemas) == {"Left", "Greeting", "User", "Extra", "labels"}
    assert api.data["components"]["messages"]["Greeting"]["name"] == "greeting"  # alias replaced by content


def test_bundle_records_where_copies_came_from() -> None:
    bundle = bundle_document(load_document(SPECS / "chat_v3.yaml"))
    file, pointer = bundle.locate("/components/schemas/Extra/properties/owner") or (None, None)
    assert file is not None and file.name == "extra.json" and pointer == "/definitions/Extra/properties/owner"
    assert bundle.locate("/components/schemas/Ack") is None  # the root's own


# --- errors ---------------------------------------------------------------------------------------


def test_dangling_local_ref() -> None:
    path = BAD / "dangling_local.yaml"
    err = parse_error(load_document(path))
    assert err.message == "dangling $ref: '#/components/messages/Greting' points to nothing in this document"
    assert err.pointer == "/channels/room/messages/greeting/$ref"
    assert err.line == line_of(path, "$ref: '#/components/messages/Greting'") == 10
    assert err.hint == "did you mean '#/components/messages/Greeting'?"
    assert str(err).startswith(f"{path}:10: error: dangling $ref")


def test_dangling_external_ref() -> None:
    path = BAD / "dangling_external.yaml"
    with allowed_ref_roots([SPECS]):  # the fixture refers to ../common.yaml, outside its own folder
        err = parse_error(load_document(path))
    assert err.message.startswith("dangling $ref: '../common.yaml#/components/schemas/Greting' points to nothing in ")
    assert err.message.endswith("common.yaml")
    assert err.file == path and err.pointer == "/channels/room/messages/greeting/payload/$ref"
    assert err.line == line_of(path, "Greting")
    assert err.hint == "did you mean '../common.yaml#/components/schemas/Greeting'?"


def test_missing_file() -> None:
    path = BAD / "missing_file.yaml"
    with allowed_ref_roots([SPECS]):  # the fixture refers to ../comon.yaml, outside its own folder
        err = parse_error(load_document(path))
    assert err.message.startswith("$ref '../comon.yaml#/components/schemas/Greeting' points to a missing file: ")
    assert err.pointer == "/channels/~1room/subscribe/message/payload/$ref"
    assert err.line == line_of(path, "comon.yaml")
    assert err.hint == "did you mean '../common.yaml'?"


def test_missing_action() -> None:
    path = BAD / "missing_action.yaml"
    err = parse_error(load_document(path))
    assert err.message == "operation 'sayHello' has no 'action'"
    assert err.pointer == "/operations/sayHello" and err.line == line_of(path, "sayHello:") == 12
    assert err.hint is not None and "action: send" in err.hint


def test_dangling_ref_inside_another_file_is_reported_there() -> None:
    err = parse_error(load_document(BAD / "uses_broken.yaml"))
    assert err.file is not None and Path(err.file).name == "broken_common.yaml"
    assert err.pointer == "/components/schemas/Thing/properties/part/$ref"
    assert err.line == line_of(BAD / "broken_common.yaml", "Prat")
    assert err.hint == "did you mean '#/components/schemas/Part'?"


def test_parser_errors_in_copied_content_point_at_the_other_file() -> None:
    err = parse_error(load_document(BAD / "uses_bad_payload.yaml"))
    assert err.message == "the payload of message 'broken' must be a schema object, not a list"
    assert err.file is not None and Path(err.file).name == "broken_common.yaml"
    assert err.pointer == "/components/messages/Broken/payload"
    assert err.line == line_of(BAD / "broken_common.yaml", "payload: [1, 2]")


def test_reference_cycle_through_inlined_objects_ends() -> None:
    err = parse_error(load_document(BAD / "inline_cycle.yaml"))
    assert err.message.startswith("reference cycle: ")
    assert err.file is not None and Path(err.file).name == "cycle_channels.yaml"
    assert err.pointer == "/lobby/$ref"


def _v3(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {"title": "T", "version": "1"},
        "channels": {"room": {"address": "/room", "messages": {"hi": {"payload": {"type": "string"}}}}},
    }
    data.update(extra)
    return data


def test_several_dangling_refs_are_reported_together(tmp_path: Path) -> None:
    data = _v3(
        channels={
            "room": {
                "address": "/room",
                "messages": {"a": {"$ref": "#/components/messages/A"}, "b": {"$ref": "#/components/messages/B"}},
            }
        }
    )
    with pytest.raises(SpecErrors) as info:
        parse_asyncapi(document(tmp_path, data))
    assert [e.pointer for e in info.value.errors] == [
        "/channels/room/messages/a/$ref",
        "/channels/room/messages/b/$ref",
    ]
    assert all(e.line is not None for e in info.value.errors)


def test_missing_channels(tmp_path: Path) -> None:
    data = _v3()
    del data["channels"]
    err = parse_error(document(tmp_path, data))
    assert err.message == "the document has no 'channels'" and err.pointer == "" and err.hint


def test_channels_of_the_wrong_type(tmp_path: Path) -> None:
    err = parse_error(document(tmp_path, _v3(channels=["room"])))
    assert err.message == "'channels' must be a mapping, not a list" and err.pointer == "/channels"
    assert err.line == line_of(tmp_path / "spec.yaml", "channels:") == 5


def test_operation_channel_must_be_a_channel(tmp_path: Path) -> None:
    ops = {"op": {"action": "send", "channel": {"$ref": "#/components/messages/X"}}}
    data = _v3(operations=ops, components={"messages": {"X": {"payload": {}}}})
    err = parse_error(document(tmp_path, data))
    assert err.message == "the channel of operation 'op': '#/components/messages/X' is not a channel under /channels"
    assert err.pointer == "/operations/op/channel/$ref" and err.line is not None


def test_operation_with_an_unknown_action(tmp_path: Path) -> None:
    ops = {"op": {"action": "publish", "channel": {"$ref": "#/channels/room"}}}
    err = parse_error(document(tmp_path, _v3(operations=ops)))
    assert err.message == "operation 'op': action 'publish' is neither 'send' nor 'receive'"
    assert err.pointer == "/operations/op/action"


def test_v2_security_requirement_must_name_a_scheme(tmp_path: Path) -> None:
    data = {
        "asyncapi": "2.6.0",
        "info": {"title": "T", "version": "1"},
        "servers": {"s": {"url": "wss://x", "protocol": "wss", "security": [{"tokn": []}]}},
        "channels": {"/": {"subscribe": {"message": {"payload": {"type": "string"}}}}},
        "components": {"securitySchemes": {"token": {"type": "httpApiKey", "in": "query", "name": "t"}}},
    }
    err = parse_error(document(tmp_path, data))
    assert "security scheme 'tokn'" in err.message and err.pointer == "/servers/s/security/0/tokn"
    assert err.hint == "did you mean 'token'?"


def test_local_reference_cycle(tmp_path: Path) -> None:
    data = _v3(
        channels={"room": {"address": "/", "messages": {"a": {"$ref": "#/components/messages/A"}}}},
        components={"messages": {"A": {"$ref": "#/components/messages/B"}, "B": {"$ref": "#/components/messages/A"}}},
    )
    err = parse_error(document(tmp_path, data))
    assert err.message.startswith("reference cycle: ")


def test_server_without_host(tmp_path: Path) -> None:
    err = parse_error(document(tmp_path, _v3(servers={"prod": {"protocol": "wss"}})))
    assert err.message == "server 'prod' has no 'host'" and err.pointer == "/servers/prod"


def test_recursive_yaml_alias_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  a: &x\n    address: /\n"
        "    messages:\n      m: {payload: *x}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as info:
        load_document(path)  # refused by the loader (autosdk_py.limits), before any walker meets the cycle
    err = info.value
    assert err.message.startswith("the YAML refers to itself")
    assert err.pointer == "/channels/a/messages/m/payload" and err.line == 7


def test_tag_preference_and_fallback(tmp_path: Path) -> None:
    messages = {
        "both": {"payload": {"properties": {"event": {"const": "e"}, "type": {"enum": ["t"]}}}},
        "neither": {"payload": {"properties": {"name": {"const": "n"}, "version": {"const": 2}}}},
        "multi": {"payload": {"properties": {"type": {"enum": ["a", "b"]}}}},
        "nested": {"payload": {"allOf": [{"allOf": [{"properties": {"kind": {"allOf": [{"const": "k"}]}}}]}]}},
    }
    api = parse_asyncapi(document(tmp_path, _v3(channels={"c": {"address": "/", "messages": messages}})))
    tags = {m.key: m.tag for m in api.channels[0].messages}
    assert tags == {"both": ("type", "t"), "neither": ("name", "n"), "multi": None, "nested": ("kind", "k")}
    assert all(m.direction == "receive" for m in api.channels[0].messages)  # no operations at all


def test_v2_inline_messages_with_the_same_name_keep_apart(tmp_path: Path) -> None:
    one = {"name": "note", "payload": {"type": "string"}}
    two = {"name": "note", "payload": {"type": "integer"}}
    data = {
        "asyncapi": "2.6.0",
        "info": {"title": "T", "version": "1"},
        "channels": {"/": {"subscribe": {"message": {"oneOf": [one, two]}}, "publish": {"message": one}}},
    }
    (ch,) = parse_asyncapi(document(tmp_path, data)).channels
    assert [(m.key, m.direction, m.payload) for m in ch.messages] == [
        ("note", "receive", {"type": "string"}),
        ("note2", "receive", {"type": "integer"}),
        ("note3", "send", {"type": "string"}),  # another copy of the same content is another message
    ]


def test_cli_error_text_has_no_traceback(tmp_path: Path) -> None:
    text = str(parse_error(load_document(BAD / "missing_action.yaml")))
    assert "Traceback" not in text
    assert text.splitlines()[1:] == [
        "  at: /operations/sayHello (JSON pointer)",
        "  hint: add 'action: send' (the client sends these messages) or 'action: receive' (the server sends them)",
    ]
