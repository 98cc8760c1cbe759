"""Plain-text messages (``contentType: text/plain`` and a string payload) travel as the raw text.

``ping`` on the wire, not the JSON string ``"ping"``: the generated client sends them with
``send_raw``, its decoder matches a frame's raw text against them (JSON messages keep their rule,
and go first), and ``autosdk mock`` sends and accepts them as raw text. Exact frames are checked
on a real WebSocket server (tests/ws_server.py) and with a raw ``websockets`` client on the mock.
The fixture tests/specs/realtime/text_frames.yaml (3.0) also runs in tests/test_corpus_sessions.py.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

import pydantic
import pytest
from typing_extensions import TypeAliasType
from websockets.sync.client import connect as raw_connect

from autosdk_py.asyncapi.client_ir import is_text_message, text_content_type, text_message_kind
from autosdk_py.asyncapi.read import load_realtime
from autosdk_py.mock import MockServer
from autosdk_py.pipeline import GenerateOptions, generate
from autosdk_py.realtime_runtime import MessageDecoder, UnknownMessage
from tests.ws_server import ScriptedConnection, WsServer

FIXTURE = Path(__file__).parents[1] / "specs" / "realtime" / "text_frames.yaml"

# 2.x: defaultContentType text/plain makes every message without its own contentType plain text.
V2 = """
asyncapi: 2.6.0
info: {title: Text Default, version: "1.0"}
defaultContentType: text/plain
servers:
  local: {url: localhost:9000, protocol: ws}
channels:
  /beat:
    publish:
      message:
        oneOf:
          - name: ping
            payload: {type: string, const: ping}
          - name: hello
            contentType: application/json
            payload:
              type: object
              required: [type]
              properties: {type: {const: hello}}
          - name: note
            payload: {type: object, properties: {text: {type: string}}}
    subscribe:
      message:
        oneOf:
          - name: pong
            payload: {$ref: '#/components/schemas/Pong'}
          - name: count
            payload: {type: string, pattern: '^[0-9]+$'}
          - name: welcome
            contentType: application/json
            payload:
              type: object
              required: [type]
              properties: {type: {const: welcome}}
components:
  schemas:
    Pong: {type: string, enum: [pong]}
"""


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    out = tmp_path_factory.mktemp("text_frames")
    v2 = out / "v2.yaml"
    v2.write_text(V2, encoding="utf-8")
    names = {"v3": ("text_frames_v3", FIXTURE), "v2": ("text_frames_v2", v2)}
    for namespace, spec in names.values():
        generate(GenerateOptions(spec=spec, output=out, namespace=namespace))
    sys.path.insert(0, str(out))
    return {key: importlib.import_module(f"{namespace}._client") for key, (namespace, _) in names.items()}


def _source(module: ModuleType) -> str:
    return Path(str(module.__file__)).read_text(encoding="utf-8")


# -- what is a plain-text message ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/plain", True),
        ("text/plain; charset=utf-8", True),
        ("TEXT/Plain", True),
        ("text/csv", True),
        ("text/json", False),
        ("text/vnd.acme+json", False),
        ("application/json", False),
        ("application/octet-stream", False),
        (None, False),
    ],
)
def test_text_content_types(content_type: str | None, text: bool) -> None:
    assert text_content_type(content_type) is text


def test_which_messages_are_plain_text(tmp_path: Path) -> None:
    spec = tmp_path / "v2.yaml"
    spec.write_text(V2, encoding="utf-8")
    _, api = load_realtime(spec, "client")
    kinds = {m.name: text_message_kind(m, api.data) for m in api.channels[0].messages}
    # 'note' has the default text/plain but an object payload: not text; pong's enum is behind a $ref.
    assert kinds == {
        "ping": "specific",
        "hello": None,
        "note": None,
        "pong": "specific",
        "count": "specific",
        "welcome": None,
    }
    _, api3 = load_realtime(FIXTURE, "client")
    kinds3 = {m.name: text_message_kind(m, api3.data) for m in api3.channels[0].messages}
    assert kinds3 == {
        "ping": "specific",
        "subscribe": None,
        "pong": "specific",
        "level": "specific",
        "notice": "any",
        "subscribed": None,
        "update": None,
    }
    assert [m.name for m in api3.channels[0].messages if is_text_message(m, api3.data)] == [
        "ping",
        "pong",
        "level",
        "notice",
    ]


# -- the generated client --------------------------------------------------------------------------


def test_generated_sources(packages: dict[str, ModuleType]) -> None:
    v3 = _source(packages["v3"])
    assert v3.count("self.send_raw(message)") == 2  # send_ping, sync and async
    assert "def send_ping(self, message: PingPayload) -> None:" in v3
    assert "Sent as plain text (text/plain): the string itself is the frame, not JSON." in v3
    assert "texts=(PongPayload, LevelPayload, NoticePayload)," in v3
    assert "SubscribedPayload | UpdatePayload," in v3  # the JSON rule: a tagged union on "type"
    assert 'TAG = "type"' in v3
    assert "| PongPayload" in v3  # ServerMessage holds the text types too
    assert "pydantic_core" not in v3  # no JSON data sends left
    v2 = _source(packages["v2"])
    assert v2.count("self.send_raw(message)") == 2  # ping
    assert v2.count("self.send_model(message)") == 4  # hello, and note: text/plain by default but an object
    assert "texts=(Pong, CountPayload)," in v2


def test_generated_code_type_checks_and_lints(packages: dict[str, ModuleType]) -> None:
    out = Path(str(packages["v3"].__file__)).parents[1]
    names = ["text_frames_v3", "text_frames_v2"]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--quiet", *names],
        cwd=out, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    args = [arg for name in names for arg in ("-p", name)]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(out / ".mypy_cache"), *args],
        cwd=out, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0 and "Success" in mypy.stdout, mypy.stdout[-3000:]


SERVER_FRAMES = [
    "pong",
    "high",
    "market closes at 17:00",
    '{"type":"update","value":1.5}',
    '"pong"',  # the JSON string: not the plain-text pong
    '{"type":"brand.new"}',  # an unknown tag: a newer event, not text
    "Pong",
]


def _unknown(value: object) -> bool:
    """An ``UnknownMessage`` of a generated package's own runtime copy."""
    return type(value).__name__ == "UnknownMessage" and isinstance(getattr(value, "raw", None), str)


def _expect_decoded(received: list[Any], models: ModuleType) -> None:
    assert received[:3] == ["pong", "high", "market closes at 17:00"]
    assert all(type(v) is str for v in received[:3])
    assert isinstance(received[3], models.UpdatePayload) and received[3].value == 1.5
    quoted, newer, wrong = received[4:]
    assert _unknown(quoted) and quoted.raw == '"pong"'
    assert "PongPayload (Input should be 'pong')" in (quoted.error or "")
    assert "NoticePayload (takes any text, but only a frame that is not JSON)" in (quoted.error or "")
    assert _unknown(newer) and newer.type == "brand.new" and newer.error is None
    # 'Pong' is not JSON and only the any-text notice takes it: that is what the spec says it is.
    assert wrong == "Pong"


def _script(conn: ScriptedConnection) -> None:
    conn.recv()
    conn.recv()
    conn.send_many(SERVER_FRAMES)
    conn.record_until_closed()


def test_sync_client_frames_on_the_wire(packages: dict[str, ModuleType]) -> None:
    module = packages["v3"]
    models = importlib.import_module("text_frames_v3.models")
    with WsServer(_script) as server:
        client = module.RealtimeClient(base_url=server.url, reconnect=None)
        with client.connect() as ws:
            ws.send_ping("ping")
            ws.send_subscribe(models.SubscribePayload(type="subscribe", topic="btc"))
            received = [ws.recv(timeout=5) for _ in SERVER_FRAMES]
        assert server.wait_for_received(2)[:2] == ["ping", '{"type":"subscribe","topic":"btc"}']
    _expect_decoded(received, models)


def test_async_client_frames_on_the_wire(packages: dict[str, ModuleType]) -> None:
    module = packages["v3"]
    models = importlib.import_module("text_frames_v3.models")

    async def session(url: str) -> list[Any]:
        client = module.AsyncRealtimeClient(base_url=url, reconnect=None)
        async with client.connect() as ws:
            await ws.send_ping("ping")
            await ws.send_subscribe(models.SubscribePayload(type="subscribe", topic="btc"))
            return [await ws.recv(timeout=5) for _ in SERVER_FRAMES]

    with WsServer(_script) as server:
        received = asyncio.run(asyncio.wait_for(session(server.url), 30))
        assert server.wait_for_received(2)[:2] == ["ping", '{"type":"subscribe","topic":"btc"}']
    _expect_decoded(received, models)


def test_v2_default_content_type_on_the_wire(packages: dict[str, ModuleType]) -> None:
    module = packages["v2"]
    models = importlib.import_module("text_frames_v2.models")

    def script(conn: ScriptedConnection) -> None:
        conn.recv()
        conn.send_many(["pong", "42", '{"type":"welcome"}', "forty-two"])
        conn.record_until_closed()

    with WsServer(script) as server:
        client = module.RealtimeClient(base_url=server.url, reconnect=None)
        with client.connect() as ws:
            ws.send_ping("ping")
            received = [ws.recv(timeout=5) for _ in range(4)]
        assert server.wait_for_received(1)[0] == "ping"
    # "42" is valid JSON (a number) no JSON message takes, and the pattern's text: the count.
    assert received[:2] == ["pong", "42"]
    assert isinstance(received[2], models.WelcomePayload)
    assert _unknown(received[3])
    assert "CountPayload (String should match pattern '^[0-9]+$')" in (received[3].error or "")


# -- the decoder's rule ----------------------------------------------------------------------------


class A(pydantic.BaseModel):
    type: Literal["a"]


class B(pydantic.BaseModel):
    type: Literal["b"]


Pong = TypeAliasType("Pong", Literal["pong"])
Word = TypeAliasType("Word", str)
Digits = TypeAliasType("Digits", Annotated[str, pydantic.Field(pattern=r"^\d+$")])
Number = TypeAliasType("Number", Annotated[str, pydantic.Field(pattern=r"^\d+(\.\d+)?$")])


def test_decoder_rule_for_text_types() -> None:
    decoder: MessageDecoder[Any] = MessageDecoder(A | B, "type", texts=(Pong, Word, Digits))
    assert decoder.mode == "tagged" and decoder.text_types == (Pong, Word, Digits)
    assert isinstance(decoder.decode('{"type":"a"}'), A)
    assert decoder.decode("pong") == "pong"  # Pong and Word both take it: the specific one wins
    assert decoder.decode("hello") == "hello"  # only Word
    assert decoder.decode("42") == "42"  # JSON, but no JSON type takes it; Digits' pattern does
    unknown = decoder.decode('{"type":"c"}')  # Word takes no JSON frame: a newer event stays unknown
    assert isinstance(unknown, UnknownMessage) and unknown.error is None and unknown.type == "c"
    assert decoder.decode(b"pong") == b"pong"  # binary frames are not text


def test_decoder_ambiguous_and_none() -> None:
    decoder: MessageDecoder[Any] = MessageDecoder((), None, texts=(Digits, Number))
    ambiguous = decoder.decode("42")
    assert isinstance(ambiguous, UnknownMessage)
    assert ambiguous.error is not None and ambiguous.error.startswith("ambiguous: Digits or Number")
    assert decoder.decode("4.2") == "4.2"
    none = decoder.decode("x")
    assert isinstance(none, UnknownMessage) and "no text message either" in (none.error or "")


def test_decoder_matching_mode_with_text() -> None:
    decoder: MessageDecoder[Any] = MessageDecoder(A, None, texts=Pong)
    assert decoder.mode == "matching"
    assert isinstance(decoder.decode('{"type":"a"}'), A)
    assert decoder.decode("pong") == "pong"
    assert isinstance(decoder.decode('"pong"'), UnknownMessage)


def test_json_channels_are_unchanged() -> None:
    plain: MessageDecoder[Any] = MessageDecoder(A | B, "type")
    assert plain.text_types == ()
    result = plain.decode("pong")
    assert isinstance(result, UnknownMessage) and (result.error or "").startswith("invalid JSON")


# -- autosdk mock ------------------------------------------------------------------------------------


def test_mock_sends_and_takes_raw_text() -> None:
    _, api = load_realtime(FIXTURE, "client")
    with MockServer(api, source=FIXTURE, all_messages=True, record=True) as server:
        with raw_connect(server.url_for("feed")) as ws:
            greeting = [ws.recv(timeout=5) for _ in range(5)]
            ws.send("ping")
            ws.send('{"type":"subscribe","topic":"btc"}')
            ws.send('"ping"')
            ws.send("pingg")
            replies = [ws.recv(timeout=5) for _ in range(3)]  # subscribed, then two error frames
        connection = server.connections[0]
        assert connection.wait_received(4)
    assert greeting[:3] == ["pong", "low", "market closes at 17:00"]  # raw text, not "pong"
    assert greeting[3].startswith("{") and '"subscribed"' in greeting[3]
    assert connection.received[:2] == ["ping", {"type": "subscribe", "topic": "btc"}]
    assert len(connection.errors) == 2, connection.errors
    assert "as ping (plain text, sent as the raw text): (payload): Input should be 'ping'" in connection.errors[0]
    assert connection.errors[1].startswith("invalid_message: the frame is not JSON")
    assert [isinstance(f, str) and '"type": "error"' in f for f in replies] == [False, True, True], replies


def test_mock_from_the_server_side_sends_ping_raw() -> None:
    _, api = load_realtime(FIXTURE, "server")
    with MockServer(api, source=FIXTURE, all_messages=True, record=True) as server:
        with raw_connect(server.url_for("feed")) as ws:
            frames = [ws.recv(timeout=5) for _ in range(2)]
            for frame in ("pong", "high", "anything at all", '{"type":"update","value":2}'):
                ws.send(frame)
        connection = server.connections[0]
        assert connection.wait_received(4)
    assert frames[0] == "ping"
    assert connection.errors == []


# -- autosdk docs ------------------------------------------------------------------------------------


def test_docs_say_the_frame_is_plain_text(tmp_path: Path) -> None:
    from autosdk_py.docs import generate_docs

    generate_docs(FIXTURE, tmp_path)
    page = (tmp_path / "feed.md").read_text(encoding="utf-8")
    assert 'ws.send_ping("ping")  # plain text: sent as the string itself, not JSON' in page
    assert "from text_frames.models import PingPayload" not in page  # a str needs no import
    assert "Sent as a plain-text frame: the string itself, not JSON-encoded." in page
    assert "Plain-text server messages (`pong`, `level`, `notice`) are not JSON" in page
    assert "Arrives from `ws.recv()` as the `str` itself (typed `PongPayload`): the frame is plain text." in page
    assert "as plain text (`text/plain; charset=utf-8`): the frame is the text itself (e.g. `low`), not JSON." in page
    assert '```json\n"pong"' not in page  # no JSON example for a text message
    assert page.count("```json") == 3  # subscribe, subscribed, update


def test_mock_scenario_steps_send_raw_text(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("on_connect: [level, notice]\non:\n  ping: [pong, {send: pong, repeat: 2}]\n", encoding="utf-8")
    _, api = load_realtime(FIXTURE, "client")
    with MockServer(api, source=FIXTURE, scenario=scenario, record=True) as server:
        with raw_connect(server.url_for("feed")) as ws:
            greeting = [ws.recv(timeout=5) for _ in range(2)]
            ws.send("ping")
            replies = [ws.recv(timeout=5) for _ in range(3)]
        assert server.connections[0].wait_received(1)
    assert greeting == ["low", "market closes at 17:00"]
    assert replies == ["pong", "pong", "pong"]
    assert server.connections[0].errors == []


def test_mock_does_not_send_json_looking_text_for_an_any_text_message(tmp_path: Path) -> None:
    # A client takes a frame that parses as JSON for JSON, so the mock passes over such an example.
    spec = tmp_path / "any.yaml"
    spec.write_text(
        """
asyncapi: 2.6.0
info: {title: Any Text, version: "1.0"}
channels:
  /t:
    subscribe:
      message:
        name: line
        contentType: text/plain
        payload: {type: string}
        examples: [{payload: "42"}, {payload: "the answer"}]
""",
        encoding="utf-8",
    )
    _, api = load_realtime(spec, None)  # 2.x's own reading: subscribe is what the client receives
    with MockServer(api, source=spec, all_messages=True, record=True, use_cache=False) as server:
        with raw_connect(server.url_for("/t")) as ws:
            assert ws.recv(timeout=5) == "the answer"
