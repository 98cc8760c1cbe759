"""Retries, backoff, Retry-After and transport failures, for both clients."""

from __future__ import annotations

import email.utils
import logging
import socket
import time

import httpx
import pytest

from autosdk_py.runtime import (
    APIConnectionError,
    APITimeoutError,
    ConflictError,
    InternalServerError,
    RateLimitError,
    RequestOptions,
)
from autosdk_py.runtime._retry import parse_retry_after, retry_delay
from tests.http_server import DROP_CONNECTION, RecordingServer, Reply, json_reply
from tests.runtime.harness import Api

OK = json_reply({"ok": True})


def test_503_then_200_is_retried_with_retry_count_header(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/jobs", json_reply({"error": "busy"}, status=503), OK)
    result = api.request("POST", "/jobs", json={"a": 1}, cast_to=dict[str, bool])
    assert result == {"ok": True}
    first, second = server.requests
    assert first.header("x-retry-count") is None
    assert second.header("x-retry-count") == "1"
    assert first.body == second.body == b'{"a":1}'
    assert len(api.sleeps) == 1
    assert 0.375 <= api.sleeps[0] <= 0.5  # first backoff step 0.5 s with up to 25% jitter


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 504])
def test_retryable_statuses(api: Api, server: RecordingServer, status: int) -> None:
    server.route("GET", "/r", Reply(status, {}, b""), OK)
    assert api.request("GET", "/r", cast_to=dict[str, bool]) == {"ok": True}
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(api: Api, server: RecordingServer, status: int) -> None:
    server.route("GET", "/r", Reply(status, {}, b""), OK)
    with pytest.raises(Exception) as info:
        api.request("GET", "/r", cast_to=object)
    assert getattr(info.value, "status_code", None) == status
    assert len(server.requests) == 1
    assert api.sleeps == []


def test_429_retry_after_seconds_is_really_waited(api_real_sleep: Api, server: RecordingServer) -> None:
    server.route("GET", "/limited", json_reply({}, status=429, headers={"Retry-After": "0.2"}), OK)
    started = time.monotonic()
    assert api_real_sleep.request("GET", "/limited", cast_to=dict[str, bool]) == {"ok": True}
    elapsed = time.monotonic() - started
    assert api_real_sleep.sleeps == [0.2]
    assert elapsed >= 0.2
    assert len(server.requests) == 2


def test_retry_after_ms_wins_over_retry_after(api_real_sleep: Api, server: RecordingServer) -> None:
    headers = {"retry-after-ms": "150", "Retry-After": "30"}
    server.route("GET", "/limited", json_reply({}, status=429, headers=headers), OK)
    started = time.monotonic()
    api_real_sleep.request("GET", "/limited", cast_to=object)
    assert time.monotonic() - started >= 0.15
    assert api_real_sleep.sleeps == [0.15]


def test_x_should_retry_false_stops_retrying(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/r", json_reply({"message": "down"}, status=503, headers={"x-should-retry": "false"}), OK)
    with pytest.raises(InternalServerError) as info:
        api.request("GET", "/r", cast_to=object)
    assert info.value.status_code == 503
    assert len(server.requests) == 1


def test_x_should_retry_true_retries_even_a_400(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/r", json_reply({}, status=400, headers={"x-should-retry": "true"}), OK)
    assert api.request("GET", "/r", cast_to=dict[str, bool]) == {"ok": True}
    assert len(server.requests) == 2


def test_max_retries_exhausted_raises_with_status_headers_and_body(api: Api, server: RecordingServer) -> None:
    body = {"error": {"message": "Slow down", "type": "rate_limit"}}
    server.route("GET", "/r", json_reply(body, status=429, headers={"X-Request-Id": "req-9"}))
    with pytest.raises(RateLimitError) as info:
        api.request("GET", "/r", cast_to=object, client={"max_retries": 3})
    err = info.value
    assert err.status_code == 429
    assert err.headers["x-request-id"] == "req-9"
    assert err.body == body
    assert err.message == "Error code: 429 - Slow down"
    assert err.request.url.path == "/r"
    assert len(server.requests) == 4
    assert [r.header("x-retry-count") for r in server.requests] == [None, "1", "2", "3"]
    # Exponential backoff: 0.5, 1, 2 (each times a jitter factor in [0.75, 1]).
    for slept, base in zip(api.sleeps, [0.5, 1.0, 2.0], strict=True):
        assert 0.75 * base <= slept <= base


def test_per_call_max_retries_override(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/r", Reply(409, {}, b"locked"))
    with pytest.raises(ConflictError) as info:
        api.request("GET", "/r", cast_to=object, options=RequestOptions(max_retries=0))
    assert info.value.body == "locked"
    assert len(server.requests) == 1
    server.requests.clear()
    with pytest.raises(ConflictError):
        api.request("GET", "/r", cast_to=object, options=RequestOptions(max_retries=1))
    assert len(server.requests) == 2


def test_dropped_connection_is_retried(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/flaky", DROP_CONNECTION, OK)
    assert api.request("POST", "/flaky", json={}, cast_to=dict[str, bool]) == {"ok": True}
    assert len(server.requests) == 2
    assert len(api.sleeps) == 1


def test_dropped_connection_every_time_is_a_connection_error(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/flaky", DROP_CONNECTION)
    with pytest.raises(APIConnectionError) as info:
        api.request("GET", "/flaky", cast_to=object, client={"max_retries": 1})
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    assert len(server.requests) == 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_is_a_connection_error_after_retries(api: Api) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(APIConnectionError) as info:
        api.request("GET", "/x", cast_to=object, client={"base_url": base_url, "max_retries": 2})
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.request.url.port == int(base_url.rsplit(":", 1)[1])
    assert len(api.sleeps) == 2


def test_timeout_is_an_api_timeout_error(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/slow", Reply(200, {}, b"{}", delay=1.0))
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        api.request("GET", "/slow", cast_to=object, client={"timeout": 0.1, "max_retries": 1})
    assert time.monotonic() - started < 0.9
    assert isinstance(info.value, APIConnectionError)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert info.value.message == "Request timed out."
    assert len(server.requests) == 2  # timeouts are retried too
    assert len(api.sleeps) == 1


def test_retries_are_logged(api: Api, server: RecordingServer, caplog: pytest.LogCaptureFixture) -> None:
    server.route("GET", "/r", Reply(500, {}, b""), OK)
    with caplog.at_level(logging.INFO, logger="autosdk_py.runtime._base_client"):
        api.request("GET", "/r", cast_to=object)
    messages = [r.getMessage() for r in caplog.records if r.name == "autosdk_py.runtime._base_client"]
    assert len(messages) == 1
    assert "Retrying GET" in messages[0] and "status 500" in messages[0] and "retry 1 of 2" in messages[0]


# --- the backoff policy itself -------------------------------------------------------------


def test_backoff_grows_exponentially_and_is_capped() -> None:
    assert [retry_delay(n, None, jitter=lambda: 0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert retry_delay(0, None, jitter=lambda: 1.0) == 0.375


def test_retry_after_outside_0_to_60_seconds_falls_back_to_backoff() -> None:
    for value in ("0", "-1", "61", "soon"):
        assert retry_delay(1, httpx.Headers({"Retry-After": value}), jitter=lambda: 0.0) == 1.0
    assert retry_delay(1, httpx.Headers({"Retry-After": "60"}), jitter=lambda: 0.0) == 60.0


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 5, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=lambda: now) == pytest.approx(5.0)
    assert parse_retry_after(httpx.Headers({})) is None
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
