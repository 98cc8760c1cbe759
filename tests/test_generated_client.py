"""The generated HTTP client, imported and run against a real HTTP server on 127.0.0.1.

tests/specs/features_31.yaml holds every construct the client must support; the SDK is
generated once per session and exercised here through its public API only.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autosdk_py.pipeline import GenerateOptions, generate
from tests.http_server import RecordingServer, Reply, json_reply, sse_reply

SPEC = Path(__file__).parent / "specs" / "features_31.yaml"

ITEM = {"id": "it_1", "name": "lamp", "class": "furniture", "from": "2024-01-01T00:00:00Z", "tags": [], "price": None}


@pytest.fixture(scope="session")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("features_sdk")
    generate(GenerateOptions(spec=SPEC, output=out, namespace="feat_sdk", client_class_name="FeaturesClient"))
    return out


@pytest.fixture(scope="session")
def sdk(sdk_dir: Path) -> ModuleType:
    sys.path.insert(0, str(sdk_dir))
    return importlib.import_module("feat_sdk")


@pytest.fixture()
def server() -> Any:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture()
def client(sdk: ModuleType, server: RecordingServer) -> Any:
    c = sdk.FeaturesClient(bearer="tok", base_url=server.url, max_retries=2)
    yield c
    c.close()


def test_json_body_and_typed_model_response(sdk: ModuleType, client: Any, server: RecordingServer) -> None:
    server.route("POST", "/items", json_reply(ITEM, status=201))
    item = client.items.create_item(name="lamp", class_="furniture", tags=["home"])
    assert isinstance(item, sdk.models.Item)
    assert item.class_ == "furniture"
    req = server.last
    assert req.json() == {"name": "lamp", "class": "furniture", "tags": ["home"]}  # only what was passed
    assert req.header("authorization") == "Bearer tok"
    assert req.header("content-type") == "application/json"


def test_array_response_query_array_and_header(sdk: ModuleType, client: Any, server: RecordingServer) -> None:
    server.route("GET", "/items", json_reply([ITEM, {**ITEM, "id": "it_2"}]))
    items = client.items.list_items(tags=["a", "b"], limit=5, x_trace_id="trace-1")
    assert [i.id for i in items] == ["it_1", "it_2"]  # a list, not a RootModel
    assert all(isinstance(i, sdk.models.Item) for i in items)
    assert server.last.query_list == [("tags", "a"), ("tags", "b"), ("limit", "5")]
    assert server.last.header("x-trace-id") == "trace-1"


def test_path_parameter_is_percent_encoded(client: Any, server: RecordingServer) -> None:
    server.route("GET", "/items/a%2Fb%20c%25%C3%A9", json_reply(ITEM))
    item = client.items.get_item_v2("a/b c%é")
    assert item.id == "it_1"
    assert server.last.raw_path == "/items/a%2Fb%20c%25%C3%A9"


def test_204_returns_none(client: Any, server: RecordingServer) -> None:
    server.route("DELETE", "/items/x", Reply(204))
    assert client.items.delete_item("x") is None
    assert server.last.method == "DELETE"


def test_inline_request_and_response_objects_get_models(sdk: ModuleType, client: Any, server: RecordingServer) -> None:
    server.route("POST", "/search", json_reply({"total": 1, "results": [ITEM]}))
    result = client.items.search_items(query="lamp", filters={"class": "furniture"})
    assert result.total == 1 and result.results[0].name == "lamp"
    assert type(result).__name__ == "SearchItemsResponse"
    assert server.last.json() == {"query": "lamp", "filters": {"class": "furniture"}}


def test_server_sent_events_are_typed(sdk: ModuleType, client: Any, server: RecordingServer) -> None:
    server.route(
        "GET",
        "/events",
        sse_reply(
            'data: {"type": "started", "job_id": "j"}\n\n',
            'data: {"type": "progress", "job_id": "j", "percent": 50}\n\n',
            'data: {"type": "done", "job_id": "j", "item": ' + __import__("json").dumps(ITEM) + "}\n\n",
            "data: [DONE]\n\n",
        ),
    )
    with client.events.stream_events(job_id="j") as stream:
        events = list(stream)
    assert [type(e).__name__ for e in events] == ["StartedEvent", "ProgressEvent", "DoneEvent"]
    assert events[1].percent == 50
    assert events[2].item.id == "it_1"
    assert server.last.header("accept") == "text/event-stream"
    assert server.last.query == {"job_id": ["j"]}


def test_binary_response_as_bytes_and_as_stream(sdk: ModuleType, server: RecordingServer) -> None:
    audio = bytes(range(256)) * 64
    server.route("POST", "/text-to-speech/v1", Reply(200, {"Content-Type": "audio/mpeg"}, [audio[:5000], audio[5000:]]))
    client = sdk.FeaturesClient(api_key_query="key-1", base_url=server.url)
    assert client.media.text_to_speech("v1", text="hello") == audio
    assert server.last.query == {"api_key": ["key-1"]}  # per-operation security: api key in query
    assert server.last.header("authorization") is None
    assert server.last.json() == {"text": "hello"}
    with client.media.text_to_speech_as_stream("v1", text="hello") as chunks:
        received = b"".join(chunks)
    assert received == audio
    client.close()


def test_multipart_upload_with_files_and_fields(client: Any, server: RecordingServer) -> None:
    info = {
        "id": "f1",
        "filename": "a.txt",
        "bytes": 3,
        "content-type": "text/plain",
        "purpose": "assistants",
        "attachment_count": 2,
        "description": None,
        "count": 3,
    }
    server.route("POST", "/files", json_reply(info, status=201))
    result = client.files.upload_file(
        file=("a.txt", b"abc", "text/plain"),
        attachments=[b"x", ("b.bin", b"yz", "application/octet-stream")],
        purpose="assistants",
        count=3,
    )
    assert result.content_type == "text/plain"
    parts = {(p.name, p.filename): p for p in server.last.multipart()}
    assert parts[("file", "a.txt")].data == b"abc"
    assert parts[("file", "a.txt")].content_type == "text/plain"
    assert [p.data for p in server.last.multipart() if p.name == "attachments"] == [b"x", b"yz"]
    assert [p.data for p in server.last.multipart() if p.name == "purpose"] == [b"assistants"]
    assert [p.data for p in server.last.multipart() if p.name == "count"] == [b"3"]
    assert not [p for p in server.last.multipart() if p.name == "description"]


def test_raw_octet_stream_body(client: Any, server: RecordingServer) -> None:
    server.route("PUT", "/files/f1/content", Reply(204))
    client.files.put_file_content("f1", content=b"\x00\x01\x02")
    assert server.last.body == b"\x00\x01\x02"
    assert server.last.header("content-type") == "application/octet-stream"


def test_public_operation_sends_no_credentials(client: Any, server: RecordingServer) -> None:
    server.route("GET", "/health", json_reply({"status": "ok"}))
    assert client.misc.get_health().status == "ok"
    assert server.last.header("authorization") is None


def test_credentials_from_environment(
    sdk: ModuleType, server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEATURE_TEST_BEARER", "env-token")
    monkeypatch.setenv("FEATURE_TEST_BASE_URL", server.url)
    server.route("GET", "/tree", json_reply({"name": "root", "children": [{"name": "leaf", "children": []}]}))
    with sdk.FeaturesClient() as client:
        tree = client.misc.get_tree()
    assert tree.children[0].name == "leaf"  # recursive model
    assert server.last.header("authorization") == "Bearer env-token"


def test_errors_are_typed_with_status_headers_and_body(sdk: ModuleType, client: Any, server: RecordingServer) -> None:
    server.route("GET", "/items/missing", json_reply({"detail": "no such item"}, status=404, headers={"X-Req": "r1"}))
    with pytest.raises(sdk.NotFoundError) as info:
        client.items.get_item_v2("missing")
    err = info.value
    assert err.status_code == 404
    assert err.body == {"detail": "no such item"}
    assert err.headers["x-req"] == "r1"
    assert isinstance(err, sdk.APIStatusError) and isinstance(err, sdk.APIError)
    server.route("POST", "/items", json_reply({"detail": "bad"}, status=422))
    with pytest.raises(sdk.UnprocessableEntityError):
        client.items.create_item(name="x", class_="y")


def test_retries_honour_retry_after(client: Any, server: RecordingServer) -> None:
    server.route(
        "GET",
        "/health",
        json_reply({"detail": "slow down"}, status=429, headers={"Retry-After": "0.2"}),
        json_reply({"detail": "oops"}, status=503, headers={"Retry-After": "0"}),
        json_reply({"status": "ok"}),
    )
    started = time.monotonic()
    assert client.misc.get_health().status == "ok"
    assert time.monotonic() - started >= 0.2
    assert len(server.requests) == 3


def test_retries_give_up_with_the_last_error(sdk: ModuleType, server: RecordingServer) -> None:
    server.route("GET", "/health", json_reply({"detail": "down"}, status=503, headers={"Retry-After": "0"}))
    client = sdk.FeaturesClient(bearer="t", base_url=server.url, max_retries=1)
    with pytest.raises(sdk.InternalServerError) as info:
        client.misc.get_health()
    assert info.value.status_code == 503
    assert len(server.requests) == 2


def test_schema_names_that_are_not_identifiers(sdk: ModuleType, client: Any, server: RecordingServer) -> None:
    server.route("GET", "/models/m1", json_reply({"id": "m1", "owned_by": "me"}))
    model = client.misc.get_model("m1")
    assert model.owned_by == "me"
    assert type(model).__name__.isidentifier()
    assert hasattr(sdk.models, "VoiceSettings")


def test_per_call_options(client: Any, server: RecordingServer) -> None:
    server.route("POST", "/items", json_reply(ITEM, status=201))
    client.items.create_item(
        name="a",
        class_="b",
        extra_headers={"X-Extra": "1"},
        extra_query={"q": "2"},
        extra_body={"more": True},
        timeout=5.0,
    )
    assert server.last.header("x-extra") == "1"
    assert server.last.query == {"q": ["2"]}
    assert server.last.json() == {"name": "a", "class": "b", "more": True}


def test_async_client(sdk: ModuleType, server: RecordingServer) -> None:
    server.route("POST", "/items", json_reply(ITEM, status=201))
    server.route("GET", "/events", sse_reply('data: {"type": "started", "job_id": "j"}\n\n', "data: [DONE]\n\n"))
    server.route("POST", "/text-to-speech/v", Reply(200, {"Content-Type": "audio/mpeg"}, [b"ab", b"cd"]))

    async def scenario() -> tuple[Any, list[Any], bytes, bytes]:
        async with sdk.AsyncFeaturesClient(bearer="tok", api_key_query="k", base_url=server.url) as client:
            item = await client.items.create_item(name="lamp", class_="furniture")
            stream = await client.events.stream_events(job_id="j")
            events = [e async for e in stream]
            audio = await client.media.text_to_speech("v", text="hi")
            async with await client.media.text_to_speech_as_stream("v", text="hi") as chunks:
                streamed = b"".join([c async for c in chunks])
            return item, events, audio, streamed

    item, events, audio, streamed = asyncio.run(scenario())
    assert item.name == "lamp"
    assert [type(e).__name__ for e in events] == ["StartedEvent"]
    assert audio == b"abcd" and streamed == b"abcd"


def test_deprecated_operation_warns_and_can_be_excluded(tmp_path: Path) -> None:
    spec = Path(__file__).parent / "specs" / "petstore_30.yaml"
    full = generate(GenerateOptions(spec=spec, output=tmp_path / "a", namespace="pets_all"))
    slim = generate(
        GenerateOptions(spec=spec, output=tmp_path / "b", namespace="pets_slim", exclude_deprecated_operations=True)
    )
    assert full.counts["operations"] == slim.counts["operations"] + 1
    all_text = "".join(p.read_text() for p in (tmp_path / "a").rglob("resources/*.py"))
    assert "DeprecationWarning" in all_text


def test_generated_package_type_checks_and_lints(sdk_dir: Path) -> None:
    pkg = sdk_dir / "feat_sdk"
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", str(pkg)],
        capture_output=True,
        text=True,
        cwd=sdk_dir,
        timeout=600,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", str(pkg)], capture_output=True, text=True
    )
    assert ruff.returncode == 0, ruff.stdout[-3000:]
