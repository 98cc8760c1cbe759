"""Fern Definition channels as pass-2 input: parsing facts, the type mapping, errors, and generated clients.

The real inputs are Hume's EVI definitions (``../shared/corpus/fern/hume/empathic-voice``: ``chat.yml``
and ``controlPlane.yml``, both importing ``__package__.yml``). The fixtures under ``specs/`` cover what
Hume does not use: discriminated unions, imports with name collisions, api.yml auth and environments,
and bad inputs. Clients are generated with the pipeline when it dispatches Fern files, else with the same
steps as ``pipeline.generate_asyncapi`` (see :func:`generate_fern`), then imported and run against a real
websockets server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autosdk_py.asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec
from autosdk_py.errors import SpecError
from autosdk_py.fern import FERN_VERSION, is_fern_definition, load_fern_as_document, parse_fern, parse_fern_document
from autosdk_py.fern.typeref import Container, Literal, Named, Primitive, TypeSyntaxError, parse_type
from tests.ws_server import ScriptedConnection, WsServer

ROOT = Path(__file__).resolve().parents[2]
HUME = ROOT.parent / "shared" / "corpus" / "fern" / "hume" / "empathic-voice"
CHAT = HUME / "chat.yml"
CONTROL = HUME / "controlPlane.yml"
SPECS = Path(__file__).resolve().parent / "specs"
GARDEN = SPECS / "garden" / "live.yml"
BAD = SPECS / "bad"

HUME_SEND = [
    "AudioInput",
    "SessionSettings",
    "UserInput",
    "AssistantInput",
    "ToolResponseMessage",
    "ToolErrorMessage",
    "PauseAssistantMessage",
    "ResumeAssistantMessage",
]
HUME_RECEIVE = [
    "AssistantEnd",
    "AssistantMessage",
    "AssistantProsody",
    "AudioOutput",
    "ChatMetadata",
    "WebSocketError",
    "UserInterruption",
    "UserMessage",
    "ToolCallMessage",
    "ToolResponseMessage",
    "ToolErrorMessage",
]


def only_channel(api: AsyncApiDocument) -> ChannelSpec:
    assert len(api.channels) == 1
    return api.channels[0]


def by_key(channel: ChannelSpec) -> dict[str, MessageSpec]:
    return {m.key: m for m in channel.messages}


@pytest.fixture(scope="module")
def chat() -> AsyncApiDocument:
    assert CHAT.exists(), f"{CHAT} is missing: the Fern corpus is expected in ../shared/corpus/fern"
    return parse_fern(CHAT)


@pytest.fixture(scope="module")
def control() -> AsyncApiDocument:
    return parse_fern(CONTROL)


@pytest.fixture(scope="module")
def garden() -> AsyncApiDocument:
    return parse_fern(GARDEN)


# --- the Hume definitions ------------------------------------------------------------------------


def test_hume_chat_channel(chat: AsyncApiDocument) -> None:
    ch = only_channel(chat)
    assert (chat.version, chat.title, ch.key, ch.address) == (FERN_VERSION, "chat", "chat", "/chat")
    assert ch.protocol_ok and chat.servers == () and chat.security == ()  # auth: false, no environments
    assert ch.description == "Chat with Empathic Voice Interface (EVI)"
    assert [p.name for p in ch.query_params] == [
        "access_token",
        "allow_connection",
        "config_id",
        "config_version",
        "event_limit",
        "resumed_chat_group_id",
        "verbose_transcription",
        "api_key",
        "session_settings",
    ]
    params = {p.name: p for p in ch.query_params}
    assert [p.name for p in ch.query_params if p.required] == ["session_settings"]  # the only non-optional<...>
    assert params["config_version"].schema == {"type": "integer"}
    assert params["allow_connection"].schema == {"type": "boolean", "default": False}
    assert params["access_token"].default is None  # Fern defaults are the server's: documented, not sent
    settings = params["session_settings"]
    assert settings.schema["$ref"] == "#/components/schemas/ConnectSessionSettings"
    assert settings.description == "JSON-encoded ConnectSessionSettings"
    assert any("'session_settings' is a ConnectSessionSettings object" in w for w in chat.warnings)
    assert ch.path_params == () and ch.header_params == ()


def test_hume_chat_messages_and_tags(chat: AsyncApiDocument) -> None:
    ch = only_channel(chat)
    # publish (origin: client) is an undiscriminated union of 8 named types; subscribe (server) of 11.
    assert [m.name for m in ch.send] == HUME_SEND
    assert [m.name for m in ch.receive] == HUME_RECEIVE
    assert all(m.key == f"publish.{m.name}" for m in ch.send)
    assert all(m.key == f"subscribe.{m.name}" for m in ch.receive)
    for m in ch.messages:
        assert m.payload == {"$ref": f"#/components/schemas/{m.name}"} and m.payload_schema == m.name
        assert m.pointer == f"/channels/chat/messages/{m.key}"
        assert chat.data["channels"]["chat"]["messages"][m.key]["payload"] == m.payload
    tags = {m.key: m.tag for m in ch.messages}
    assert tags["publish.AudioInput"] == ("type", "audio_input")
    assert tags["publish.ToolResponseMessage"] == ("type", "tool_response")
    assert tags["subscribe.WebSocketError"] == ("type", "error")
    # ToolCallMessage's type is optional<literal<"tool_call">>: not a tag a tagged union can use.
    assert tags["subscribe.ToolCallMessage"] is None
    assert sum(t is not None for t in tags.values()) == len(tags) - 1


def test_hume_unions_and_imported_schemas(chat: AsyncApiDocument) -> None:
    schemas = chat.schemas
    assert chat.data["components"]["schemas"] is schemas
    publish = schemas["PublishEvent"]  # declared in chat.yml: undiscriminated union
    assert "discriminator" not in publish
    assert publish["oneOf"] == [{"$ref": f"#/components/schemas/{n}"} for n in HUME_SEND]
    assert [r["$ref"].rsplit("/", 1)[1] for r in schemas["SubscribeEvent"]["oneOf"]] == HUME_RECEIVE
    assert schemas["SessionSettingsVariablesValue"] == {
        "oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]
    }
    # root.ConnectSessionSettings from __package__.yml is plain ConnectSessionSettings, with its own refs.
    connect = schemas["ConnectSessionSettings"]
    assert connect["type"] == "object" and "required" not in connect
    assert connect["properties"]["variables"]["anyOf"][0] == {
        "type": "object",
        "additionalProperties": {"$ref": "#/components/schemas/ConnectSessionSettingsVariablesValue"},
    }
    assert schemas["Encoding"] == {"type": "string", "const": "linear16"}
    assert schemas["AudioInput"]["required"] == ["data", "type"]
    assert schemas["AudioInput"]["properties"]["type"] == {
        "type": "string",
        "const": "audio_input",
        "description": schemas["AudioInput"]["properties"]["type"]["description"],
    }
    # Only what the channel uses: __package__.yml declares ~170 types, the HTTP-only ones are left out.
    assert 30 < len(schemas) < 60
    assert "ReturnConfig" not in schemas and "HTTPValidationError" not in schemas


def test_hume_control_plane(control: AsyncApiDocument) -> None:
    ch = only_channel(control)
    assert (control.title, ch.key, ch.address) == ("Control Plane", "controlPlane", "/chat/{chat_id}/connect")
    assert [(p.name, p.required, p.schema, p.description) for p in ch.path_params] == [
        ("chat_id", True, {"type": "string"}, "The ID of the chat to connect to.")
    ]
    assert [p.name for p in ch.query_params] == ["access_token"]
    assert [m.name for m in ch.send] == [n for n in HUME_SEND if n != "AudioInput"]  # no audio_input here
    assert [m.name for m in ch.receive] == HUME_RECEIVE
    messages = by_key(ch)
    # examples: {type: publish, body: {type: session_settings}} goes to the member with that tag
    assert messages["publish.SessionSettings"].examples == ({"type": "session_settings"},)
    assert messages["subscribe.AssistantEnd"].examples == ({"type": "assistant_end"},)
    assert messages["publish.UserInput"].examples == ()
    assert any("'service' section (HTTP) is ignored" in w for w in control.warnings)


# --- fixtures: unions, containers, imports, parameters, auth, servers ------------------------------


def test_discriminated_union_members(garden: AsyncApiDocument) -> None:
    schemas = garden.schemas
    command = schemas["Command"]
    members = ["CommandWater", "CommandPrune", "CommandPause", "CommandSchedule"]
    assert command["oneOf"] == [{"$ref": f"#/components/schemas/{n}"} for n in members]
    assert command["discriminator"] == {
        "propertyName": "action",
        "mapping": {v: f"#/components/schemas/Command{v.title()}" for v in ("water", "prune", "pause", "schedule")},
    }
    request_id = {"anyOf": [{"type": "string"}, {"type": "null"}]}  # base-properties, on every member
    # an object member: allOf [the object, the discriminant as a const]
    assert schemas["CommandWater"] == {
        "allOf": [
            {"$ref": "#/components/schemas/WaterCommand"},
            {
                "type": "object",
                "properties": {"action": {"type": "string", "const": "water"}, "request_id": request_id},
                "required": ["action"],
            },
        ]
    }
    # a non-object member: the value under "value"; with key: under that key; no type: the tag alone
    assert schemas["CommandPrune"]["properties"]["value"] == {"$ref": "#/components/schemas/PlantId"}
    assert schemas["CommandPrune"]["required"] == ["action", "value"]
    assert schemas["CommandPrune"]["description"] == "Prune one plant."
    assert schemas["CommandSchedule"]["properties"]["times"] == {
        "type": "array",
        "items": {"type": "string", "format": "date-time"},
    }
    assert schemas["CommandPause"]["properties"] == {
        "action": {"type": "string", "const": "pause"},
        "request_id": request_id,
    }
    ch = only_channel(garden)
    sends = {m.key: m for m in ch.send}
    assert list(sends) == ["command.water", "command.prune", "command.pause", "command.schedule", "note"]
    assert [(m.name, m.payload_schema, m.tag) for m in ch.send][:4] == [
        (v, f"Command{v.title()}", ("action", v)) for v in ("water", "prune", "pause", "schedule")
    ]
    assert sends["command.water"].examples == ({"action": "water", "plant_id": "p1", "seconds": 30},)


def test_undiscriminated_union_and_inline_body(garden: AsyncApiDocument) -> None:
    ch = only_channel(garden)
    assert garden.schemas["Update"]["oneOf"] == [
        {"$ref": "#/components/schemas/Reading"},
        {"$ref": "#/components/schemas/Status"},
        {"$ref": "#/components/schemas/Alert", "description": "Something is wrong."},
    ]
    assert [(m.key, m.tag) for m in ch.receive] == [
        ("update.Reading", ("type", "reading")),  # the literal is on Reading itself (it extends common.Reading)
        ("update.Status", ("type", "status")),
        ("update.Alert", ("type", "alert")),
    ]
    assert by_key(ch)["update.Status"].examples == ({"type": "status", "health": "thriving"},)
    assert by_key(ch)["update.Alert"].description == "Something is wrong."
    note = by_key(ch)["note"]  # an inline body: an inline payload, tagged by its literal
    assert note.payload_schema is None and note.tag == ("kind", "note") and note.description == "A free-text note."
    assert note.payload == {
        "type": "object",
        "properties": {"kind": {"type": "string", "const": "note"}, "note": {"$ref": "#/components/schemas/Note"}},
        "required": ["kind", "note"],
    }


def test_containers_literals_and_imports(garden: AsyncApiDocument) -> None:
    schemas = garden.schemas
    # live.yml's Reading/Note keep their names; common.yml's get the file stem as prefix.
    assert schemas["Reading"]["allOf"][0] == {"$ref": "#/components/schemas/CommonReading"}
    assert schemas["Status"]["properties"]["note"] == {
        "anyOf": [{"$ref": "#/components/schemas/CommonNote"}, {"type": "null"}]
    }
    assert schemas["CommonNote"]["properties"] == {"text": {"type": "string"}}
    base = schemas["CommonReading"]
    assert base["description"] == "A raw sensor reading."
    assert base["allOf"][0] == {"$ref": "#/components/schemas/Sensor"}  # transitively imported through extends
    props = base["allOf"][1]["properties"]
    assert props["tags"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}, "uniqueItems": True}, {"type": "null"}]
    }
    assert props["labels"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert props["unit"] == {"type": "string", "const": "celsius"}
    assert props["history"] == {"anyOf": [{"type": "array", "items": {"type": "number"}}, {"type": "null"}]}
    assert props["checksum"]["anyOf"][0] == {"type": "string", "contentEncoding": "base64"}
    assert base["allOf"][1]["required"] == ["value", "labels", "unit"]
    assert schemas["Sensor"]["properties"]["installed"] == {"type": "string", "format": "date-time"}
    assert schemas["Health"] == {"type": "string", "enum": ["thriving", "needs-water"]}
    alert = schemas["Alert"]
    assert alert["properties"]["level"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert alert["required"] == ["type", "level", "detail"]  # nullable<T> stays required, unknown is {}
    assert alert["properties"]["detail"] == {}
    assert alert["properties"]["since"]["deprecated"] is True
    assert schemas["WaterCommand"]["properties"]["seconds"] == {"type": "integer", "minimum": 1, "maximum": 600}
    assert schemas["PlantId"] == {"type": "string", "description": "A plant identifier."}


def test_parameters_auth_and_servers(garden: AsyncApiDocument) -> None:
    ch = only_channel(garden)
    assert (garden.title, ch.address) == ("Garden Live", "/gardens/{garden_id}/live")
    assert [(p.name, p.schema, p.required) for p in ch.path_params] == [("garden_id", {"type": "string"}, True)]
    q = {p.name: p for p in ch.query_params}
    assert q["units"].schema == {"type": "string", "enum": ["metric", "imperial"]}  # a named enum, inlined
    assert q["units"].enum == ("metric", "imperial") and not q["units"].required
    assert q["window"].schema == {"type": "integer", "default": 60} and q["window"].default is None
    assert q["sensors"].schema == {"type": "array", "items": {"type": "string"}}  # allow-multiple
    assert q["filter"].schema == {"$ref": "#/components/schemas/Filter", "x-fern-query-encoding": "json"}
    assert [(h.name, h.required) for h in ch.header_params] == [("X-Request-Id", False)]
    # auth: true -> api.yml's auth: GardenKey, a header scheme
    assert [(s.key, s.kind, s.name) for s in garden.security] == [("GardenKey", "header", "X-Garden-Key")]
    # environments with several URLs: the channel's url: live picks one; the default environment first
    assert [(s.key, s.url, s.protocol, s.security) for s in garden.servers] == [
        ("Production", "wss://live.garden.example/v1", "wss", ("GardenKey",)),
        ("Staging", "wss://staging-live.garden.example/v1", "wss", ("GardenKey",)),
    ]
    assert ch.servers == ("Production", "Staging") and ch.protocols == ("wss",)
    warnings = "\n".join(garden.warnings)
    assert "environment 'Staging' URL https://staging-live.garden.example/v1 is used as wss://" in warnings
    assert "query parameter 'sensors' is a list (allow-multiple)" in warnings


def test_one_file_settings_bearer_and_inline_container_body() -> None:
    api = parse_fern(SPECS / "bearer.yml")
    assert [(s.key, s.kind) for s in api.security] == [("Token", "bearer")]
    assert [(s.url, s.protocol) for s in api.servers] == [("ws://127.0.0.1:9/api", "ws")]
    ping, event = only_channel(api).messages
    assert (ping.direction, ping.payload, ping.payload_schema) == (
        "send",
        {"type": "array", "items": {"type": "string"}},
        None,
    )
    assert (event.direction, event.payload_schema, event.description) == ("receive", "Event", "An event.")


def test_default_auth_without_api_yml_is_unsupported() -> None:
    api = parse_fern(SPECS / "auth_default.yml")
    assert [(s.key, s.kind) for s in api.security] == [("default", "unsupported")]
    assert any("'auth: true'" in w and "no api.yml" in w for w in api.warnings)
    # a body naming an alias of an object is typed by the object (a model, so recv() can use its tag)
    (event,) = only_channel(api).messages
    assert (event.payload, event.payload_schema, event.tag) == (
        {"$ref": "#/components/schemas/EventBody"},
        "EventBody",
        ("kind", "event"),
    )
    assert api.schemas["Event"] == {"$ref": "#/components/schemas/EventBody", "description": "The latest event."}


def test_detection_and_document_adapter(tmp_path: Path) -> None:
    assert is_fern_definition({"channel": {"path": "/x"}})
    assert is_fern_definition({"types": {}}) and is_fern_definition({"imports": {}})
    assert not is_fern_definition({"asyncapi": "3.0.0", "channel": {}})
    assert not is_fern_definition({"openapi": "3.1.0", "types": {}})
    assert not is_fern_definition({"service": {}}) and not is_fern_definition(["channel"])
    doc = load_fern_as_document(CHAT)
    assert (doc.kind, doc.version, doc.path) == ("asyncapi", "fern", CHAT)
    api = parse_fern_document(doc)
    assert [m.name for m in only_channel(api).send] == HUME_SEND
    not_fern = tmp_path / "x.yml"
    not_fern.write_text("asyncapi: 3.0.0\n")
    with pytest.raises(SpecError, match="not a Fern definition file"):
        load_fern_as_document(not_fern)


def test_type_expression_parser() -> None:
    assert parse_type("optional<list<root.Foo>>") == Container(
        "optional", (Container("list", (Named("root", "Foo"),)),)
    )
    assert parse_type("map<string, set<integer>>") == Container(
        "map", (Primitive("string"), Container("set", (Primitive("integer"),)))
    )
    assert parse_type('literal<"a b">') == Literal("a b") and parse_type("literal<false>") == Literal(False)
    assert parse_type("  Plant ") == Named(None, "Plant")
    for text, message in [
        ("Page<Plant>", "generic type Page<...> is not supported"),
        ("map<string>", "expected ','"),
        ("a.b.C", "at most one import prefix"),
        ("optional", "needs a type argument"),
        ("literal<x>", "a literal is a quoted string"),
        ("list<string>>", "unexpected '>'"),
        ("", "the type is empty"),
    ]:
        with pytest.raises(TypeSyntaxError, match=message.replace("(", r"\(").replace(".", r"\.")):
            parse_type(text)


# --- bad inputs -----------------------------------------------------------------------------------


def line_containing(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


BAD_CASES = [
    ("unknown_type.yml", "unknown type 'Plnt'", "/types/Garden/properties/plant", "plant:", "did you mean 'Plant'?"),
    (
        "missing_prefix.yml",
        "unknown type 'Sensor'",
        "/channel/messages/reading/body",
        "body: Sensor",
        "did you mean 'common.Sensor'?",
    ),
    (
        "unknown_import.yml",
        "unknown import 'comon' in type reference 'comon.Sensor'",
        "/channel/messages/reading/body",
        "body: comon",
        "did you mean 'common'?",
    ),
    (
        "generic.yml",
        "invalid type 'Page<Plant>': generic type Page<...> is not supported",
        "/types/Garden/properties/plants",
        "plants:",
        "optional<T>",
    ),
    ("syntax.yml", "expected '>' at the end of the type", "/types/Plant/properties/name", "name:", None),
    (
        "channel_feature.yml",
        "unsupported Fern channel feature 'response'",
        "/channel/response",
        "response:",
        "supported: ",
    ),
    (
        "bad_origin.yml",
        "origin must be 'client' or 'server', not 'browser'",
        "/channel/messages/plant/origin",
        "origin:",
        None,
    ),
    (
        "example_type.yml",
        "example message type 'plants' is not a message of the channel",
        "/channel/examples/0/messages/0/type",
        "type: plants",
        "did you mean 'plant'?",
    ),
    (
        "discriminant_clash.yml",
        "type 'Dog' already has a property 'type'",
        "/types/Pet/union/dog",
        "dog: Dog",
        "discriminated: false",
    ),
    ("missing_import_file.yml", "import 'root': file '__package__.yml' not found", "/imports/root", "root:", None),
    (
        "top_level.yml",
        "unsupported Fern definition feature: top-level key 'endpoints'",
        "/endpoints",
        "endpoints:",
        None,
    ),
    ("list_union.yml", "a union written as a list needs 'discriminated: false'", "/types/Pet/union", "union:", None),
]


@pytest.mark.parametrize(("name", "message", "pointer", "line_text", "hint"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input(name: str, message: str, pointer: str, line_text: str, hint: str | None) -> None:
    path = BAD / name
    with pytest.raises(SpecError) as info:
        parse_fern(path)
    error = info.value
    assert message in error.message
    assert error.pointer == pointer
    assert error.file == path
    assert error.line == line_containing(path, line_text)
    if hint is not None:
        assert error.hint is not None and hint in error.hint
    assert f"{path}:{error.line}: error:" in str(error)


def test_generic_declaration_and_file_type_are_rejected(tmp_path: Path) -> None:
    generic = tmp_path / "generic_decl.yml"
    generic.write_text("types:\n  Page<T>:\n    properties:\n      items: list<T>\n")
    with pytest.raises(SpecError, match="generic type declaration 'Page<T>'") as info:
        parse_fern(generic)
    assert (info.value.pointer, info.value.line) == ("/types/Page<T>", 2)
    upload = tmp_path / "upload.yml"
    upload.write_text(
        "channel:\n  path: /u\n  auth: false\n  messages:\n    up:\n      origin: client\n      body: file\n"
    )
    with pytest.raises(SpecError, match="the 'file' type") as info:
        parse_fern(upload)
    assert (info.value.pointer, info.value.line) == ("/channel/messages/up/body", 7)


# --- generated clients ----------------------------------------------------------------------------


def pipeline_reads_fern(spec: Path) -> bool:
    """Whether ``pipeline.generate`` already dispatches Fern files (the loader accepts them)."""
    from autosdk_py.loader import load_document

    try:
        return load_document(spec).version == FERN_VERSION
    except SpecError:
        return False


def generate_fern(spec: Path, output: Path, package: str) -> tuple[str, tuple[str, ...]]:
    """``autosdk generate spec --namespace package``; without pipeline support, the same steps as
    ``pipeline.generate_asyncapi`` (parse -> lift -> models -> realtime IR -> render -> write) with the Fern reader."""
    if pipeline_reads_fern(spec):
        from autosdk_py.pipeline import GenerateOptions, generate

        result = generate(GenerateOptions(spec=spec, output=output, namespace=package))
        return result.package, tuple(result.notes)
    from autosdk_py.asyncapi.client_ir import PayloadClass, build_realtime_ir
    from autosdk_py.asyncapi.lift import lift_inline_payloads
    from autosdk_py.asyncapi.render import render_realtime
    from autosdk_py.models import generate_models
    from autosdk_py.models.formatting import format_python_files
    from autosdk_py.pipeline import REALTIME_RUNTIME_DIR, package_dir, runtime_files
    from autosdk_py.writer import check_target, marker_text, write_tree

    target = package_dir(output, package)
    check_target(target, "asyncapi")
    api = parse_fern(spec)
    synthetic, lifted = lift_inline_payloads(api)
    models = generate_models(synthetic, package=package, source=spec)
    files: dict[str, str] = dict(models.files)
    payload_classes: dict[str, PayloadClass] = {}
    for m in (m for ch in api.channels for m in ch.messages):
        class_name = models.class_for_schema.get(m.payload_schema or lifted.get(m.pointer) or "")
        if class_name is not None:
            payload_classes[m.pointer] = PayloadClass(class_name, models.classes[class_name].kind == "model")
    ir = build_realtime_ir(
        api,
        package=package,
        source_name=spec.name,
        models_module=".models",
        own_models=True,
        payload_classes=payload_classes,
    )
    files.update(format_python_files(render_realtime(ir)))
    files.update(runtime_files("_runtime", REALTIME_RUNTIME_DIR))
    files[".autosdk-generated"] = marker_text("asyncapi", spec.name, package)
    write_tree(target, files, owner="asyncapi")
    return package, tuple(ir.notes)


@pytest.fixture(scope="module")
def clients_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fern_clients")


@pytest.fixture(scope="module")
def clients(clients_dir: Path) -> dict[str, tuple[ModuleType, tuple[str, ...]]]:
    out = clients_dir
    generated = {
        "chat": generate_fern(CHAT, out, "fern_hume.chat"),
        "control": generate_fern(CONTROL, out, "fern_hume.control"),
        "garden": generate_fern(GARDEN, out, "fern_garden"),
    }
    sys.path.insert(0, str(out))
    return {key: (importlib.import_module(package), notes) for key, (package, notes) in generated.items()}


def test_generated_hume_chat_surface(clients: dict[str, tuple[ModuleType, tuple[str, ...]]]) -> None:
    rt, notes = clients["chat"]
    sends = sorted(
        n
        for n in dir(rt.RealtimeConnection)
        if n.startswith("send_") and n not in ("send_raw", "send_json", "send_model")
    )
    assert sends == sorted(
        [
            "send_audio_input",
            "send_session_settings",
            "send_user_input",
            "send_assistant_input",
            "send_tool_response_message",
            "send_tool_error_message",
            "send_pause_assistant_message",
            "send_resume_assistant_message",
        ]
    )
    params = inspect.signature(rt.RealtimeClient.connect).parameters
    assert params["session_settings"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD  # required
    assert {"config_id", "config_version", "verbose_transcription", "api_key_", "access_token"} <= set(params)
    client_module = importlib.import_module("fern_hume.chat._client")
    # ToolCallMessage's tag is optional, so there is no tagged union; the notes say so (the wording of how
    # recv() then matches frames belongs to client_ir, so only the cause is asserted here).
    assert client_module.TAG is None
    assert any("channel 'chat': the server messages share no tag field" in n for n in notes)


def test_hume_chat_against_a_server(clients: dict[str, tuple[ModuleType, tuple[str, ...]]]) -> None:
    rt, _ = clients["chat"]
    models = importlib.import_module("fern_hume.chat.models")
    frames: list[Any] = [
        {"type": "chat_metadata", "chat_group_id": "g1", "chat_id": "c1"},
        {"type": "audio_output", "data": "AAAA", "id": "a1", "index": 0},
        {"type": "tool_call", "name": "weather", "parameters": "{}", "response_required": True,
         "tool_call_id": "t1", "tool_type": "function"},
        {"type": "assistant_end"},
        {"type": "something_new"},
    ]  # fmt: skip

    def script(conn: ScriptedConnection) -> None:
        for frame in frames:
            conn.send_json(frame)
        conn.record_until_closed()

    settings = models.ConnectSessionSettings(system_prompt="Be brief.", variables={"name": "Ada"})
    with WsServer(script) as server:
        client = rt.RealtimeClient(base_url=server.url, additional_headers={"X-Hume-Api-Key": "hk"})
        with client.connect(
            settings.model_dump_json(exclude_none=True), config_version=3, verbose_transcription=True, api_key_="k1"
        ) as ws:
            ws.send_user_input(models.UserInput(text="Hello"))
            ws.send_session_settings(models.SessionSettings(system_prompt="Now longer."))
            ws.send_audio_input(models.AudioInput(data="UklGRg=="))
            received = [ws.recv(timeout=5) for _ in frames]
            server.wait_for_received(3)
        handshake = server.handshakes[0]
    assert [type(m).__name__ for m in received] == [
        "ChatMetadata",
        "AudioOutput",
        "ToolCallMessage",
        "AssistantEnd",
        "UnknownMessage",
    ]
    assert received[0].chat_group_id == "g1" and received[2].tool_type == "function"
    assert [json.loads(f) for f in server.received] == [
        {"type": "user_input", "text": "Hello"},
        {"type": "session_settings", "system_prompt": "Now longer."},
        {"type": "audio_input", "data": "UklGRg=="},
    ]
    assert handshake.path == "/chat"
    query = handshake.query
    # the object-typed query parameter travels as one JSON value; defaults (access_token: '') are not sent
    assert json.loads(query.pop("session_settings")[0]) == {"system_prompt": "Be brief.", "variables": {"name": "Ada"}}
    assert query == {"config_version": ["3"], "verbose_transcription": ["true"], "api_key": ["k1"]}
    assert handshake.header("x-hume-api-key") == "hk"


def test_hume_control_plane_async_client(clients: dict[str, tuple[ModuleType, tuple[str, ...]]]) -> None:
    rt, _ = clients["control"]
    models = importlib.import_module("fern_hume.control.models")
    assert not hasattr(rt.AsyncRealtimeConnection, "send_audio_input")

    def script(conn: ScriptedConnection) -> None:
        conn.recv_json()
        conn.send_json({"type": "assistant_end", "custom_session_id": "s"})
        conn.record_until_closed()

    async def run(url: str) -> Any:
        async with rt.AsyncRealtimeClient(base_url=url).connect("chat 7", access_token="tok") as ws:
            await ws.send_pause_assistant_message(models.PauseAssistantMessage())
            return await ws.recv(timeout=5)

    with WsServer(script) as server:
        message = asyncio.run(run(server.url))
        handshake = server.handshakes[0]
    assert type(message).__name__ == "AssistantEnd" and message.custom_session_id == "s"
    assert handshake.path == "/chat/chat%207/connect"
    assert handshake.query == {"access_token": ["tok"]}
    assert server.received == ['{"type":"pause_assistant_message"}']


def test_garden_client_tagged_union_auth_header_and_params(
    clients: dict[str, tuple[ModuleType, tuple[str, ...]]],
) -> None:
    rt, _ = clients["garden"]
    models = importlib.import_module("fern_garden.models")
    client_module = importlib.import_module("fern_garden._client")
    assert client_module.DEFAULT_BASE_URL == "wss://live.garden.example/v1"  # the default environment's "live"
    assert client_module.TAG == "type" and set(client_module.KNOWN_TAGS) == {"reading", "status", "alert"}
    assert issubclass(models.CommandWater, models.WaterCommand)
    reading = {"type": "reading", "id": "s1", "installed": "2024-05-01T10:00:00Z", "value": 21.5,
               "labels": {"bed": 2}, "unit": "celsius"}  # fmt: skip
    frames: list[Any] = [
        reading,
        {"type": "status", "health": "needs-water", "notes": [{"body": "dry"}]},
        {"type": "alert", "level": None, "detail": {"code": 7}},
        {"type": "frost"},
    ]

    def script(conn: ScriptedConnection) -> None:
        for frame in frames:
            conn.send_json(frame)
        conn.record_until_closed()

    with WsServer(script) as server:
        client = rt.RealtimeClient("garden-key", base_url=server.url)
        with client.connect(
            "bed 1",
            units="metric",
            window=5,
            filter=models.Filter(min=0.5).model_dump_json(),
            x_request_id="r-1",
        ) as ws:
            ws.send_water(models.CommandWater(plant_id="p1", seconds=30))
            ws.send_prune(models.CommandPrune(value="p2", request_id="q"))
            ws.send_schedule(models.CommandSchedule(times=["2024-05-01T06:00:00Z"]))
            ws.send_note(models.NotePayload(note=models.Note(body="hi")))
            received = [ws.recv(timeout=5) for _ in frames]
            server.wait_for_received(4)
        handshake = server.handshakes[0]
    first, status, alert, unknown = received
    assert isinstance(first, models.Reading) and isinstance(first, models.CommonReading)
    assert first.value == 21.5 and first.labels == {"bed": 2} and first.installed.year == 2024
    assert isinstance(status, models.Status) and status.health == "needs-water" and status.notes[0].body == "dry"
    assert isinstance(alert, models.Alert) and alert.level is None and alert.detail == {"code": 7}
    assert isinstance(unknown, rt.UnknownMessage) and unknown.type == "frost"
    assert [json.loads(f) for f in server.received] == [
        {"plant_id": "p1", "seconds": 30, "action": "water"},
        {"action": "prune", "request_id": "q", "value": "p2"},
        {"action": "schedule", "times": ["2024-05-01T06:00:00Z"]},
        {"kind": "note", "note": {"body": "hi"}},
    ]
    assert handshake.path == "/gardens/bed%201/live"
    assert handshake.query == {"units": ["metric"], "window": ["5"], "filter": ['{"min":0.5}']}
    assert handshake.header("x-garden-key") == "garden-key"  # api.yml auth scheme GardenKey
    assert handshake.header("x-request-id") == "r-1"


def test_generated_clients_type_check_and_lint(
    clients: dict[str, tuple[ModuleType, tuple[str, ...]]], clients_dir: Path
) -> None:
    packages = ["fern_hume", "fern_garden"]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--quiet", *packages],
        cwd=clients_dir, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(clients_dir / ".mypy_cache"),
         *(arg for p in packages for arg in ("-p", p))],
        cwd=clients_dir, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    assert "Success" in mypy.stdout
