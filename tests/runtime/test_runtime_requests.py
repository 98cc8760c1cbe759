"""Request building and response decoding, through a real HTTP server, for both clients."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field

from autosdk_py.runtime import (
    NOT_GIVEN,
    APIResponseValidationError,
    RequestOptions,
)
from tests.http_server import RecordingServer, Reply, json_reply
from tests.runtime.harness import Api


class Pet(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    name: str
    owner_id: int | None = Field(default=None, alias="ownerId")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.StrEnum):
    SMALL = "s"


class TextPart(BaseModel):
    type: Literal["text"] = "text"
    text: str


class NewPet(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str
    owner_id: int | None = Field(default=None, alias="ownerId")
    tag: str | None = None
    parts: list[TextPart] = []


def test_json_response_cast_to_model(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/pets/1", json_reply({"id": 1, "name": "Rex", "ownerId": 7}))
    pet = api.request("GET", "/pets/{pet_id}", path_params={"pet_id": 1}, cast_to=Pet)
    assert pet == Pet(id=1, name="Rex", owner_id=7)
    assert server.last.method == "GET"
    assert server.last.body == b""


def test_json_response_cast_to_list_of_models(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/pets", json_reply([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]))
    pets = api.request("GET", "/pets", cast_to=list[Pet])
    assert [type(p) for p in pets] == [Pet, Pet]
    assert [p.name for p in pets] == ["a", "b"]


def test_cast_to_none_bytes_str_and_response(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/raw", Reply(200, {"Content-Type": "text/plain; charset=utf-8"}, "héllo".encode()))
    server.route("DELETE", "/pets/1", Reply(204))
    calls = [
        ("DELETE", "/pets/1", {"cast_to": type(None)}),
        ("GET", "/raw", {"cast_to": bytes}),
        ("GET", "/raw", {"cast_to": str}),
        ("GET", "/raw", {"cast_to": httpx.Response}),
    ]
    nothing, raw, text, response = api.request_many(calls)
    assert nothing is None
    assert raw == "héllo".encode()
    assert text == "héllo"
    assert isinstance(response, httpx.Response) and response.status_code == 200
    assert response.content == "héllo".encode()


def test_json_body_from_model_uses_aliases_and_only_set_fields(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/pets", json_reply({"id": 3, "name": "Tom"}, status=201))
    body = NewPet(name="Tom", owner_id=5, parts=[TextPart(text="hi")])
    pet = api.request("POST", "/pets", json=body, cast_to=Pet)
    assert pet.id == 3
    # tag was never set -> not sent; ownerId by alias; the defaulted discriminator is kept.
    assert server.last.json() == {"name": "Tom", "ownerId": 5, "parts": [{"type": "text", "text": "hi"}]}
    assert server.last.header("content-type") == "application/json"


def test_json_body_plain_data_drops_not_given_and_encodes_values(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/echo", json_reply({}))
    payload = {"a": 1, "skip": NOT_GIVEN, "none": None, "color": Color.RED, "when": dt.date(2024, 5, 6)}
    api.request("POST", "/echo", json=payload, cast_to=object)
    assert server.last.json() == {"a": 1, "none": None, "color": "red", "when": "2024-05-06"}


def test_no_json_body_when_not_given(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/empty", json_reply({}))
    api.request("POST", "/empty", cast_to=object)
    assert server.last.body == b""
    assert server.last.header("content-type") is None


def test_path_params_are_quoted_and_stringified(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))
    params = {"thread_id": "a/b c?d#e%", "flag": True, "color": Color.BLUE, "n": 3}
    api.request("GET", "/threads/{thread_id}/x/{flag}/{color}/{n}", path_params=params, cast_to=object)
    assert server.last.raw_path == "/threads/a%2Fb%20c%3Fd%23e%25/x/true/blue/3"
    assert server.last.query_string == ""


def test_missing_or_empty_path_param_is_rejected_before_sending(api: Api, server: RecordingServer) -> None:
    with pytest.raises(ValueError, match="thread_id"):
        api.request("GET", "/threads/{thread_id}", path_params={}, cast_to=object)
    with pytest.raises(ValueError, match="non-empty"):
        api.request("GET", "/threads/{thread_id}", path_params={"thread_id": ""}, cast_to=object)
    assert server.requests == []


def test_base_url_path_is_kept(server: RecordingServer, api: Api) -> None:
    server.route("GET", "/v1/models", json_reply([]))
    result = api.request("GET", "/models", cast_to=list[int], client={"base_url": server.url + "/v1/"})
    assert result == []
    assert server.last.raw_path == "/v1/models"


def test_base_url_query_is_kept_and_merged(server: RecordingServer, api: Api) -> None:
    server.route("GET", "/openai/models", json_reply([]))
    base_url = server.url + "/openai/?api-version=2024-06-01&x=1"
    api.request("GET", "/models", query={"x": "2", "y": "3"}, cast_to=object, client={"base_url": base_url})
    assert server.last.raw_path == "/openai/models"
    assert server.last.query_list == [("api-version", "2024-06-01"), ("x", "2"), ("y", "3")]


def test_query_encoding_rules(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))

    class Filter(BaseModel):
        model_config = ConfigDict(populate_by_name=True)
        min_age: int = Field(alias="minAge")
        colors: list[str] = []

    query = {
        "include": ["a", "b"],
        "tags": ("x",),
        "limit": 10,
        "ratio": 0.5,
        "active": True,
        "archived": False,
        "color": Color.RED,
        "size": Size.SMALL,
        "skipped": NOT_GIVEN,
        "none": None,
        "meta": {"k": "v", "nested": {"deep": 1}},
        "filter": Filter(min_age=3),
        "ids": {3, 1, 2},
    }
    api.request("GET", "/search", query=query, cast_to=object)
    assert server.last.query_list == [
        ("include", "a"),
        ("include", "b"),
        ("tags", "x"),
        ("limit", "10"),
        ("ratio", "0.5"),
        ("active", "true"),
        ("archived", "false"),
        ("color", "red"),
        ("size", "s"),
        ("meta[k]", "v"),
        ("meta[nested][deep]", "1"),
        ("filter[minAge]", "3"),
        ("ids", "1"),
        ("ids", "2"),
        ("ids", "3"),
    ]


def test_default_query_and_extra_query_merge(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))
    api.request(
        "GET",
        "/q",
        query={"a": "call", "b": ["1", "2"]},
        options=RequestOptions(extra_query={"b": "extra", "c": "x"}),
        client={"default_query": {"api-version": "2024-01-01", "a": "default"}},
        cast_to=object,
    )
    assert server.last.query == {"api-version": ["2024-01-01"], "a": ["call"], "b": ["extra"], "c": ["x"]}


def test_header_merge_order_and_defaults(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))
    api.request(
        "GET",
        "/h",
        headers={
            "X-Call": "call",
            "X-Both": "call",
            "X-Flag": True,
            "X-Color": Color.BLUE,
            "X-Skip": NOT_GIVEN,
            "X-None": None,
        },
        options=RequestOptions(extra_headers={"X-Both": "extra", "X-Extra": "1"}),
        client={"default_headers": {"X-Default": "d", "X-Call": "default"}, "user_agent": "my-sdk/1.2"},
        cast_to=object,
    )
    headers = server.last.headers
    assert headers["x-default"] == "d"
    assert headers["x-call"] == "call"
    assert headers["x-both"] == "extra"
    assert headers["x-extra"] == "1"
    assert headers["x-flag"] == "true"
    assert headers["x-color"] == "blue"
    assert "x-skip" not in headers and "x-none" not in headers
    assert headers["user-agent"] == "my-sdk/1.2"
    assert headers["accept"] == "application/json"
    assert "x-retry-count" not in headers


def test_call_can_override_accept(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: Reply(200, {}, b"<x/>"))
    text = api.request("GET", "/xml", headers={"Accept": "application/xml"}, cast_to=str)
    assert text == "<x/>"
    assert [v for k, v in server.last.header_list if k.lower() == "accept"] == ["application/xml"]


def test_default_user_agent_is_sent(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))
    api.request("GET", "/ua", cast_to=object)
    assert (server.last.header("user-agent") or "").startswith("python-httpx/")


def test_extra_body_merges_into_json_object(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))
    api.request(
        "POST",
        "/b",
        json=NewPet(name="x"),
        options=RequestOptions(extra_body={"experimental": True, "name": "override"}),
        cast_to=object,
    )
    assert server.last.json() == {"name": "override", "experimental": True}
    api.request("POST", "/b", options=RequestOptions(extra_body={"only": 1}), cast_to=object)
    assert server.last.json() == {"only": 1}


def test_extra_body_cannot_merge_into_non_object(api: Api, server: RecordingServer) -> None:
    with pytest.raises(TypeError, match="extra_body"):
        api.request("POST", "/b", json=[1, 2], options=RequestOptions(extra_body={"a": 1}), cast_to=object)
    assert server.requests == []


def test_raw_content_body_with_content_type(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/calls", Reply(201, {"Content-Type": "application/sdp"}, b"v=0\r\nanswer"))
    answer = api.request("POST", "/calls", content="v=0\r\noffer", content_type="application/sdp", cast_to=str)
    assert answer == "v=0\r\nanswer"
    assert server.last.body == b"v=0\r\noffer"
    assert server.last.header("content-type") == "application/sdp"
    blob = bytes(range(256))
    server.route("PUT", "/blob", Reply(200, {}, b"ok"))
    api.request("PUT", "/blob", content=blob, content_type="application/octet-stream", cast_to=bytes)
    assert server.last.body == blob
    assert server.last.header("content-type") == "application/octet-stream"


def test_content_type_applies_to_json_variants(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))
    api.request("PATCH", "/pets/1", json={"name": None}, content_type="application/merge-patch+json", cast_to=object)
    assert server.last.header("content-type") == "application/merge-patch+json"
    assert server.last.json() == {"name": None}


def test_only_one_body_kind_allowed(api: Api, server: RecordingServer) -> None:
    with pytest.raises(TypeError, match="only one"):
        api.request("POST", "/x", json={}, content=b"x", cast_to=object)
    assert server.requests == []


def test_per_call_timeout_option(api: Api, server: RecordingServer) -> None:
    from autosdk_py.runtime import APITimeoutError

    server.route("GET", "/slow", Reply(200, {}, b"{}", delay=0.5))
    # The client default is generous; only the per-call option can make this time out.
    with pytest.raises(APITimeoutError):
        api.request("GET", "/slow", cast_to=object, options=RequestOptions(timeout=0.1, max_retries=0))
    result = api.request("GET", "/slow", cast_to=dict[str, int], options=RequestOptions(timeout=5.0))
    assert result == {}


def test_response_validation_error_holds_response_and_body(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/pets/1", json_reply({"id": "not-a-number", "name": "Rex"}))
    with pytest.raises(APIResponseValidationError) as info:
        api.request("GET", "/pets/1", cast_to=Pet)
    err = info.value
    assert err.status_code == 200
    assert err.response.status_code == 200
    assert err.body == b'{"id": "not-a-number", "name": "Rex"}'
    assert err.error.errors()[0]["loc"] == ("id",)
    assert "expected schema" in str(err)


def test_empty_body_for_a_model_is_a_validation_error(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/pets", Reply(200, {"Content-Type": "application/json"}, b""))
    with pytest.raises(APIResponseValidationError) as info:
        api.request("GET", "/pets", cast_to=list[Pet])
    assert info.value.body == b""


def test_keep_alive_reuses_the_connection(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({"ok": True}))
    results = api.request_many([("GET", "/a", {"cast_to": dict[str, bool]})] * 3)
    assert results == [{"ok": True}] * 3
    assert len({r.client_port for r in server.requests}) == 1


def test_http_client_passed_in_is_used_and_left_open(server: RecordingServer) -> None:
    from autosdk_py.runtime import SyncAPIClient

    server.set_handler(lambda request: json_reply({}))
    with httpx.Client(headers={"X-From-Own-Client": "yes"}) as own:
        with SyncAPIClient(base_url=server.url, http_client=own) as client:
            client.request("GET", "/x", cast_to=object)
        assert not own.is_closed
        assert server.last.header("x-from-own-client") == "yes"
