"""Two request-contract defects, checked on the bytes a real 127.0.0.1 server receives.

1. A query string in the path key (OpenAI's ``/responses?beta=true``) is sent, first, together
   with the operation's own query parameters; httpx used to drop it in favour of ``params``.
   A value sent for the same name (parameter, extra_query...) replaces the fixed pair.
2. A ``multipart/form-data`` operation called without a file is still sent as multipart with a
   boundary; httpx used to send the fields as ``application/x-www-form-urlencoded``.

Runtime cases run through both SyncAPIClient and AsyncAPIClient (the ``api`` fixture); the
generated OpenAI SDK is checked on its ``beta_*`` methods and on ``/realtime/calls``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from autosdk_py.runtime import NOT_GIVEN, RequestOptions
from tests.conftest import RealSdk
from tests.http_server import RecordedRequest, RecordingServer, Reply, json_reply
from tests.runtime.harness import Api


@pytest.fixture(autouse=True)
def _ok(server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({"ok": True}))


def _boundary(request: RecordedRequest) -> str:
    content_type = request.header("content-type") or ""
    prefix = "multipart/form-data; boundary="
    assert content_type.startswith(prefix), content_type
    return content_type[len(prefix) :]


def _multipart_bytes(boundary: str, fields: list[tuple[str, bytes]]) -> bytes:
    parts = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary.encode(), name.encode(), value)
        for name, value in fields
    )
    return parts + b"--%s--\r\n" % boundary.encode()


# --- 1. query string in the path key -------------------------------------------------------------


def test_path_key_query_is_sent_before_the_parameters(api: Api, server: RecordingServer) -> None:
    api.request("GET", "/responses?beta=true", cast_to=dict, query={"limit": 2, "after": "x", "skip": NOT_GIVEN})
    request = server.last
    assert request.raw_path == "/responses"
    assert request.query_string == "beta=true&limit=2&after=x"


def test_path_key_query_alone_and_with_path_parameters(api: Api, server: RecordingServer) -> None:
    api.request("DELETE", "/responses/{id}?beta=true", cast_to=dict, path_params={"id": "a/b?c"})
    request = server.last
    assert (request.method, request.raw_path, request.query_string) == ("DELETE", "/responses/a%2Fb%3Fc", "beta=true")


def test_path_key_query_keeps_order_repeats_and_escapes(api: Api, server: RecordingServer) -> None:
    # httpx sends the repeats of one name together, where the name first appears.
    api.request("GET", "/x?a=1&b=%2F%20&a=2&flag", cast_to=dict, query={"c": [3, 4]})
    assert server.last.query_string == "a=1&a=2&b=%2F+&flag=&c=3&c=4"
    assert server.last.query_list == [("a", "1"), ("a", "2"), ("b", "/ "), ("flag", ""), ("c", "3"), ("c", "4")]


def test_parameter_with_a_fixed_name_replaces_the_fixed_pair(api: Api, server: RecordingServer) -> None:
    # Documented rule (encode_query): a value actually sent for the name replaces the fixed pairs,
    # in the parameter's position; an omitted one (how generated methods pass unset parameters)
    # leaves them, since they are part of the endpoint.
    api.request("GET", "/x?beta=true&v=1", cast_to=dict, query={"beta": False})
    assert server.last.query_string == "v=1&beta=false"
    api.request("GET", "/x?beta=true&v=1", cast_to=dict, query={"beta": NOT_GIVEN, "v": None})
    assert server.last.query_string == "beta=true&v=1"
    api.request("GET", "/x?beta=true&v=1", cast_to=dict, options=RequestOptions(extra_query={"beta": None}))
    assert server.last.query_string == "beta=true&v=1"
    api.request("GET", "/x?beta=true", cast_to=dict, options=RequestOptions(extra_query={"beta": ["1", "2"]}))
    assert server.last.query_string == "beta=1&beta=2"


def test_path_key_query_with_base_url_query_and_default_query(api: Api, server: RecordingServer) -> None:
    client = {"base_url": server.url + "/v1?api-version=7", "default_query": {"d": "1"}}
    api.request("POST", "/responses?beta=true", cast_to=dict, query={"limit": 2}, json={"a": 1}, client=client)
    request = server.last
    assert request.raw_path == "/v1/responses"
    assert request.query_string == "beta=true&api-version=7&d=1&limit=2"
    assert request.json() == {"a": 1}


# --- 2. multipart without files ------------------------------------------------------------------


def test_multipart_without_files_is_multipart(api: Api, server: RecordingServer) -> None:
    api.request(
        "POST",
        "/calls",
        cast_to=dict,
        content_type="multipart/form-data",
        data={"sdp": "v=0\r\no=- 1", "tags": ["a", "b"], "n": 3, "absent": NOT_GIVEN, "none": None},
    )
    request = server.last
    boundary = _boundary(request)
    expected = [("sdp", b"v=0\r\no=- 1"), ("tags", b"a"), ("tags", b"b"), ("n", b"3")]
    assert request.body == _multipart_bytes(boundary, expected)
    assert [(p.name, p.filename, p.content_type, p.data) for p in request.multipart()] == [
        (name, None, None, value) for name, value in expected
    ]


def test_multipart_with_omitted_files_and_extra_body(api: Api, server: RecordingServer) -> None:
    api.request(
        "POST",
        "/voices/v1/edit",
        cast_to=dict,
        content_type="multipart/form-data",
        data={"name": "héllo"},
        files={"files": NOT_GIVEN},
        options=RequestOptions(extra_body={"labels": {"k": "v"}}),
    )
    request = server.last
    expected = [("name", "héllo".encode()), ("labels", b'{"k":"v"}')]
    assert request.body == _multipart_bytes(_boundary(request), expected)


def test_multipart_with_nothing_to_send_is_an_empty_multipart_body(api: Api, server: RecordingServer) -> None:
    api.request("POST", "/calls", cast_to=dict, content_type="multipart/form-data", data={"a": NOT_GIVEN}, files={})
    request = server.last
    boundary = _boundary(request)
    assert request.body == b"--%s--\r\n" % boundary.encode()
    assert request.header("content-length") == str(len(request.body))


def test_multipart_with_files_is_unchanged(api: Api, server: RecordingServer) -> None:
    api.request(
        "POST",
        "/files",
        cast_to=dict,
        content_type="multipart/form-data",
        data={"purpose": "x"},
        files={"file": ("a.bin", b"\x00\xff", "application/octet-stream")},
    )
    parts = server.last.multipart()
    assert [(p.name, p.filename, p.data) for p in parts] == [("purpose", None, b"x"), ("file", "a.bin", b"\x00\xff")]


def test_urlencoded_form_is_unchanged(api: Api, server: RecordingServer) -> None:
    # No multipart content type given (a urlencoded operation): a plain form body as before.
    api.request("POST", "/token", cast_to=dict, data={"grant_type": "client_credentials"})
    assert server.last.header("content-type") == "application/x-www-form-urlencoded"
    assert server.last.body == b"grant_type=client_credentials"


def test_multipart_retry_sends_the_same_fields(api: Api, server: RecordingServer) -> None:
    replies = iter([Reply(503), json_reply({"ok": True})])
    server.set_handler(lambda request: next(replies))
    api.request("POST", "/calls", cast_to=dict, content_type="multipart/form-data", data={"sdp": "v=0"})
    first, second = server.requests[-2:]
    for request in (first, second):
        assert request.body == _multipart_bytes(_boundary(request), [("sdp", b"v=0")])
    assert second.header("x-retry-count") == "1"


# --- the generated OpenAI SDK --------------------------------------------------------------------

SDP_ANSWER = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\n"


def _openai_routes(server: RecordingServer) -> None:
    server.route("DELETE", "/responses/resp_1", Reply(200, {"Content-Type": "application/json"}, b"{}"))
    item_list = {"object": "list", "data": [], "has_more": False, "first_id": "a", "last_id": "b"}
    server.route("GET", "/responses/resp_1/input_items", json_reply(item_list))
    server.route("POST", "/realtime/calls", Reply(201, {"Content-Type": "application/sdp"}, SDP_ANSWER.encode()))


def _check_openai_requests(requests: list[RecordedRequest]) -> None:
    delete, listed, call = requests
    assert (delete.method, delete.raw_path, delete.query_string) == ("DELETE", "/responses/resp_1", "beta=true")
    assert (listed.raw_path, listed.query_string) == ("/responses/resp_1/input_items", "beta=true&limit=2&order=asc")
    assert call.raw_path == "/realtime/calls" and call.query_string == ""
    assert call.body == _multipart_bytes(_boundary(call), [("sdp", b"v=0\r\n")])


def test_openai_beta_methods_and_realtime_call_sync(openai_sdk: RealSdk) -> None:
    pkg = openai_sdk.package
    with RecordingServer() as server:
        _openai_routes(server)
        with pkg.OpenAIClient(api_key="sk-1", base_url=server.url, max_retries=0) as client:
            assert client.responses.beta_delete_response("resp_1") is None
            listed = client.responses.beta_list_input_items("resp_1", limit=2, order="asc")
            assert listed.has_more is False
            assert client.realtime.create_realtime_call(sdp="v=0\r\n") == SDP_ANSWER
        _check_openai_requests(server.requests)


def test_openai_beta_methods_and_realtime_call_async(openai_sdk: RealSdk) -> None:
    pkg = openai_sdk.package
    with RecordingServer() as server:
        _openai_routes(server)

        async def run() -> Any:
            async with pkg.AsyncOpenAIClient(api_key="sk-1", base_url=server.url, max_retries=0) as client:
                await client.responses.beta_delete_response("resp_1")
                await client.responses.beta_list_input_items("resp_1", limit=2, order="asc")
                return await client.realtime.create_realtime_call(sdp="v=0\r\n")

        assert asyncio.run(run()) == SDP_ANSWER
        _check_openai_requests(server.requests)


def test_elevenlabs_speech_to_text_without_a_file_is_multipart(elevenlabs_sdk: RealSdk) -> None:
    pkg = elevenlabs_sdk.package
    with RecordingServer() as server:
        server.route("POST", "/v1/speech-to-text", json_reply({"message": "queued", "request_id": "r1"}))
        with pkg.ElevenLabsClient(api_key="xi", base_url=server.url, max_retries=0) as client:
            client.speech_to_text.speech_to_text(
                model_id="scribe_v2", cloud_storage_url="https://h/a.mp3", webhook=True
            )

        async def run() -> None:
            async with pkg.AsyncElevenLabsClient(api_key="xi", base_url=server.url, max_retries=0) as client:
                await client.speech_to_text.speech_to_text(model_id="scribe_v2", cloud_storage_url="https://h/a.mp3")

        asyncio.run(run())
        sync_request, async_request = server.requests
        assert sync_request.body == _multipart_bytes(
            _boundary(sync_request),
            [("model_id", b"scribe_v2"), ("cloud_storage_url", b"https://h/a.mp3"), ("webhook", b"true")],
        )
        assert async_request.body == _multipart_bytes(
            _boundary(async_request), [("model_id", b"scribe_v2"), ("cloud_storage_url", b"https://h/a.mp3")]
        )
