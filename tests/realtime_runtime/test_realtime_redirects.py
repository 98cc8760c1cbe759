"""Handshake redirects and logs: the API key stays with its origin and out of every log line.

Two WsServers on 127.0.0.1 listen on two ports, so they are two origins: what the second
one received is what a foreign host would have seen. Every scenario runs through both the
blocking and the asyncio connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Response

from autosdk_py.realtime_runtime import (
    AuthSpec,
    ConnectOptions,
    RealtimeConnectError,
    RealtimeHandshakeError,
    connect_async,
    connect_options,
    connect_sync,
)
from autosdk_py.realtime_runtime._redirects import RedirectChain
from tests.realtime_runtime.support import DECODER, unused_port
from tests.ws_server import Handshake, WsServer

KEY = "sk-live+0a1b!2c3d4e"  # percent-encoded in a query, yet valid in a subprotocol
AUTHS = {
    "bearer": AuthSpec(bearer=True),
    "header": AuthSpec(header="xi-api-key"),
    "query": AuthSpec(query="api_key"),
    "subprotocol": AuthSpec(subprotocols=("realtime", "openai-insecure-api-key.{apiKey}"), subprotocol_only=True),
}


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def origin() -> Iterator[WsServer]:
    with WsServer() as server:
        yield server


@pytest.fixture
def other() -> Iterator[WsServer]:
    with WsServer() as server:
        yield server


def open_and_close(kind: str, options: ConnectOptions) -> None:
    if kind == "sync":
        connect_sync(options, DECODER).close()
        return

    async def run() -> None:
        connection = await connect_async(options, DECODER)
        await connection.close()

    asyncio.run(run())


def _options(server: WsServer, auth: str, **extra: object) -> ConnectOptions:
    return connect_options(
        base_url=server.url + "/v1",
        address="/realtime",
        query={"model": "m"},
        auth=AUTHS[auth],
        api_key=KEY,
        additional_headers={"X-Trace": "t-1"},
        **extra,  # type: ignore[arg-type]
    )


def _secret_forms() -> set[str]:
    return {KEY, quote(KEY, safe=""), quote_plus(KEY)}


def assert_no_secret(handshake: Handshake) -> None:
    seen = [handshake.path, handshake.query_string, *(f"{n}: {v}" for n, v in handshake.header_list)]
    for text in seen:
        for form in _secret_forms():
            assert form not in text, f"the key reached another origin in {text!r}"


def assert_key_sent(handshake: Handshake, auth: str) -> None:
    if auth == "bearer":
        assert handshake.header("authorization") == f"Bearer {KEY}"
    elif auth == "header":
        assert handshake.header("xi-api-key") == KEY
    elif auth == "query":
        assert handshake.query["api_key"] == [KEY]
    else:
        assert f"openai-insecure-api-key.{KEY}" in handshake.subprotocols


@pytest.mark.parametrize("auth", list(AUTHS))
def test_cross_origin_redirect_drops_the_key(kind: str, auth: str, origin: WsServer, other: WsServer) -> None:
    # The Location echoes the key, as a server redirecting with its full request URI would.
    location = f"{other.url}/v1/realtime?model=m&api_key={quote_plus(KEY)}"
    origin.reject(302, headers={"Location": location})
    open_and_close(kind, _options(origin, auth))
    assert_key_sent(origin.handshakes[0], auth)
    (received,) = other.handshakes
    assert_no_secret(received)
    assert received.rejected_with is None  # the connection was opened there, without the key
    assert received.query == {"model": ["m"]}
    assert received.header("x-trace") == "t-1"  # only credentials are dropped
    for name in ("authorization", "xi-api-key", "cookie"):
        assert received.header(name) is None
    if auth == "subprotocol":
        assert received.subprotocols == ["realtime"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("auth", list(AUTHS))
def test_same_origin_redirect_keeps_the_key(kind: str, auth: str, status: int, origin: WsServer) -> None:
    origin.reject(status, headers={"Location": "/v2/realtime"}, times=1)
    open_and_close(kind, _options(origin, auth))
    first, second = origin.handshakes
    assert (first.path, first.rejected_with) == ("/v1/realtime", status)
    assert (second.path, second.rejected_with) == ("/v2/realtime", None)
    assert_key_sent(second, auth)
    if auth == "query":
        assert second.query == {"api_key": [KEY]}  # added back once; the Location had no query


def test_credentials_do_not_come_back_after_leaving_the_origin(kind: str, origin: WsServer, other: WsServer) -> None:
    origin.reject(302, headers={"Location": f"{other.url}/bounce"}, times=1)
    other.reject(302, headers={"Location": f"{origin.url}/v1/realtime"}, times=1)
    open_and_close(kind, _options(origin, "header"))
    assert [h.path for h in origin.handshakes] == ["/v1/realtime", "/v1/realtime"]
    assert_no_secret(other.handshakes[0])
    assert_no_secret(origin.handshakes[1])


def test_redirect_loop_is_bounded(kind: str, origin: WsServer) -> None:
    origin.reject(302, headers={"Location": "/loop"})
    with pytest.raises(RealtimeHandshakeError) as info:
        open_and_close(kind, _options(origin, "header"))
    assert info.value.status_code == 302
    assert "more than 10 redirects" in str(info.value)
    assert len(origin.handshakes) == 11


def test_redirect_carrying_the_key_in_its_path_is_refused(kind: str, origin: WsServer, other: WsServer) -> None:
    origin.reject(307, headers={"Location": f"{other.url}/keys/{quote(KEY, safe='')}"})
    with pytest.raises(RealtimeHandshakeError, match="carries a credential to another origin"):
        open_and_close(kind, _options(origin, "header"))
    assert other.handshakes == []


def test_redirect_to_an_http_url_is_refused(kind: str, origin: WsServer) -> None:
    origin.reject(302, headers={"Location": "https://127.0.0.1/x"})
    with pytest.raises(RealtimeHandshakeError, match="not a ws:// or wss:// URL"):
        open_and_close(kind, _options(origin, "header"))


# -- the rules on URLs no local server can play (TLS) ---------------------------------------


def _follow(start: str, location: str) -> tuple[RedirectChain, ConnectOptions]:
    options = ConnectOptions(
        f"{start}?api_key=k-123456", headers={"xi-api-key": "k-123456"}, secrets=frozenset({"k-123456"})
    )
    chain = RedirectChain(options)
    response = Response(302, "Found", Headers({"Location": location}), b"")
    return chain, chain.follow(options, response)


def test_ws_to_wss_upgrade_of_the_same_host_keeps_the_key() -> None:
    chain, hop = _follow("ws://api.example.com/v1", "wss://api.example.com/v1")
    assert chain.credentialed
    assert hop.headers["xi-api-key"] == "k-123456"
    assert hop.url == "wss://api.example.com/v1?api_key=k-123456"


def test_wss_to_ws_is_refused() -> None:
    with pytest.raises(RealtimeHandshakeError, match="from wss to ws"):
        _follow("wss://api.example.com/v1", "ws://api.example.com/v1")


def test_upgrade_to_another_port_is_another_origin() -> None:
    chain, hop = _follow("ws://api.example.com/v1", "wss://api.example.com:8443/v1")
    assert not chain.credentialed
    assert dict(hop.headers) == {} and hop.url == "wss://api.example.com:8443/v1"


# -- logs and messages ----------------------------------------------------------------------


def test_no_key_in_any_log_line(kind: str, origin: WsServer, other: WsServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    options = ConnectOptions(
        f"{origin.url}/v1/realtime?model=m&api_key={quote_plus(KEY)}",
        headers={"Authorization": f"Bearer {KEY}", "xi-api-key": KEY},
        subprotocols=["realtime", f"key.{KEY}"],
        secrets=frozenset({KEY}),
        open_timeout=3,
    )
    origin.reject(307, headers={"Location": "/v2/realtime"}, times=1)
    open_and_close(kind, options)
    assert_key_sent(origin.handshakes[1], "bearer")
    # The test's own server logs what it received; everything else is the client's side.
    messages = [r.getMessage() for r in caplog.records if r.name != "websockets.server"]
    for text in messages:
        for form in _secret_forms():
            assert form not in text, f"the key was logged in {text!r}"
    # websockets did log the handshake, header by header, with the values masked.
    assert "> Authorization: Bearer ***" in messages
    assert "> xi-api-key: ***" in messages
    assert any(m.startswith("> GET /v1/realtime?model=m&api_key=***") for m in messages)
    assert any(m.startswith("WebSocket redirect 1 of at most 10: 307") for m in messages)


def test_connection_error_messages_hide_the_key(kind: str) -> None:
    url = f"ws://127.0.0.1:{unused_port()}/v1?sig={quote_plus(KEY)}"  # "sig": no name hint
    options = ConnectOptions(url, secrets=frozenset({KEY}), open_timeout=2)
    with pytest.raises(RealtimeConnectError) as info:
        open_and_close(kind, options)
    assert "sig=***" in str(info.value)
    assert all(form not in str(info.value) for form in _secret_forms())
    assert all(form not in repr(options) for form in _secret_forms())
