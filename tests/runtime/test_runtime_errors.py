"""Status codes -> exception classes, messages and decoded bodies, for both clients."""

from __future__ import annotations

import pytest

from autosdk_py.runtime import (
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from tests.http_server import RecordingServer, Reply, json_reply
from tests.runtime.harness import Api

NO_RETRY = {"max_retries": 0}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (599, InternalServerError),
        (418, APIStatusError),
        (410, APIStatusError),
    ],
)
def test_status_maps_to_exception_class(
    api: Api, server: RecordingServer, status: int, error_class: type[APIStatusError]
) -> None:
    body = {"error": {"message": f"failed with {status}", "code": "x"}}
    server.route("GET", "/e", json_reply(body, status=status, headers={"X-Trace": "t1"}))
    with pytest.raises(APIStatusError) as info:
        api.request("GET", "/e", cast_to=object, client=NO_RETRY)
    err = info.value
    assert type(err) is error_class
    assert isinstance(err, APIError)
    assert err.status_code == status
    assert err.response.status_code == status
    assert err.headers["x-trace"] == "t1"
    assert err.body == body
    assert err.request.method == "GET"
    assert err.message == f"Error code: {status} - failed with {status}"
    assert str(err) == err.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "top-level message"}, "top-level message"),
        ({"detail": "fastapi style"}, "fastapi style"),
        ({"error": "plain string"}, "plain string"),
        ({"detail": [{"loc": ["q"], "msg": "bad"}]}, "{'detail': [{'loc': ['q'], 'msg': 'bad'}]}"),
    ],
)
def test_message_extraction(api: Api, server: RecordingServer, body: object, expected: str) -> None:
    server.route("GET", "/e", json_reply(body, status=404))
    with pytest.raises(NotFoundError) as info:
        api.request("GET", "/e", cast_to=object)
    assert info.value.message == f"Error code: 404 - {expected}"
    assert info.value.body == body


def test_text_and_empty_error_bodies(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/text", Reply(400, {"Content-Type": "text/html"}, b"<h1>Bad</h1>"))
    server.route("GET", "/empty", Reply(403, {}, b""))
    with pytest.raises(BadRequestError) as text_info:
        api.request("GET", "/text", cast_to=object)
    assert text_info.value.body == "<h1>Bad</h1>"
    assert text_info.value.message == "Error code: 400 - <h1>Bad</h1>"
    with pytest.raises(PermissionDeniedError) as empty_info:
        api.request("GET", "/empty", cast_to=object)
    assert empty_info.value.body is None
    assert empty_info.value.message == "Error code: 403 - Forbidden"


def test_huge_error_bodies_are_truncated_in_the_message(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/e", Reply(400, {}, b"x" * 10_000))
    with pytest.raises(BadRequestError) as info:
        api.request("GET", "/e", cast_to=object)
    assert len(info.value.message) < 2100
    assert info.value.body == "x" * 10_000
