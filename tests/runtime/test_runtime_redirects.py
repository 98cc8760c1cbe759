"""Redirects: credentials stay with their origin, loops end, both clients and caller clients.

Two RecordingServers on 127.0.0.1 listen on two ports, so they are two origins: what the
second one received is what a foreign host would have seen.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from autosdk_py.runtime import APIStatusError, AsyncAPIClient, AuthenticationError, Credential, SyncAPIClient
from autosdk_py.runtime._redirects import RedirectChain, RedirectRefused
from tests.http_server import RecordedRequest, RecordingServer, Reply, json_reply
from tests.runtime.harness import Api

BEARER = Credential("bearer", "Authorization", "sk-bearer-5f1d2c3b4a")
XI_KEY = Credential("header", "xi-api-key", "xi-secret-8e7d6c5b4a")
QUERY_KEY = Credential("query", "api_key", "q-secret/+= 42")  # needs percent-encoding
COOKIE = Credential("cookie", "session", "cookie-secret-13579")
BASIC = Credential("basic", "Authorization", "alice:basic-pass-2468")
SECRETS = [c.value or "" for c in (BEARER, XI_KEY, QUERY_KEY, COOKIE, BASIC)]
SECRETS.append(base64.b64encode(b"alice:basic-pass-2468").decode())

CLIENT: dict[str, Any] = {
    "credentials": {"bearer": BEARER, "xi": XI_KEY, "q": QUERY_KEY, "cookie": COOKIE, "basic": BASIC},
    "default_security": [["bearer", "xi", "q", "cookie"]],
}
OK = json_reply({"ok": True})
REDIRECTS = [301, 302, 303, 307, 308]


@pytest.fixture
def other() -> Iterator[RecordingServer]:
    """A second origin (another port)."""
    with RecordingServer(lambda request: OK) as running:
        yield running


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret)}


def assert_no_secret(request: RecordedRequest) -> None:
    seen = [request.raw_path, request.query_string, request.body.decode("latin-1")]
    seen += [f"{name}: {value}" for name, value in request.header_list]
    for text in seen:
        for secret in SECRETS:
            for form in _forms(secret):
                assert form not in text, f"{secret!r} reached another origin in {text!r}"


def assert_all_credentials(request: RecordedRequest) -> None:
    assert request.header("authorization") == f"Bearer {BEARER.value}"
    assert request.header("xi-api-key") == XI_KEY.value
    assert request.header("cookie") == f"session={COOKIE.value}"
    assert request.query["api_key"] == [QUERY_KEY.value]


def _echo_to(target: str) -> Any:
    """Redirect /start to ``target`` with the request's own query, as ``$request_uri`` does."""

    def handler(request: RecordedRequest) -> Reply | None:
        if request.path != "/start":
            return None
        return Reply(302, {"Location": f"{target}?{request.query_string}&keep=1"})

    return handler


# -- within the origin --------------------------------------------------------------------


@pytest.mark.parametrize("status", REDIRECTS)
def test_same_origin_redirect_keeps_every_credential(api: Api, server: RecordingServer, status: int) -> None:
    server.route("POST", "/start", Reply(status, {"Location": "/final"}))
    server.route("POST", "/final", OK)
    server.route("GET", "/final", OK)
    assert api.request("POST", "/start", json={"text": "hi"}, cast_to=dict[str, bool], client=CLIENT) == {"ok": True}
    start, final = server.requests
    assert_all_credentials(start)
    # The Location dropped the query: the apiKey parameter is added back, once.
    assert_all_credentials(final)
    assert final.query_list.count(("api_key", QUERY_KEY.value)) == 1
    if status in (307, 308):
        assert (final.method, final.json()) == ("POST", {"text": "hi"})
        assert final.header("content-type") == "application/json"
    else:
        assert (final.method, final.body) == ("GET", b"")
        assert final.header("content-type") is None and final.header("content-length") is None


def test_same_origin_redirect_keeps_query_the_location_repeats(api: Api, server: RecordingServer) -> None:
    server.set_handler(lambda r: Reply(302, {"Location": f"/final?{r.query_string}"}) if r.path == "/start" else OK)
    api.request("GET", "/start", query={"page": 2}, cast_to=object, client=CLIENT)
    final = server.last
    assert final.path == "/final"
    assert final.query == {"api_key": [QUERY_KEY.value], "page": ["2"]}


def test_basic_auth_kept_within_the_origin(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/start", Reply(307, {"Location": "/final"}))
    server.route("GET", "/final", OK)
    api.request("GET", "/start", cast_to=object, security=[["basic"]], client=CLIENT)
    expected = "Basic " + base64.b64encode(b"alice:basic-pass-2468").decode()
    assert [r.header("authorization") for r in server.requests] == [expected, expected]


# -- to another origin --------------------------------------------------------------------


@pytest.mark.parametrize("status", REDIRECTS)
def test_cross_origin_redirect_drops_every_credential(
    api: Api, server: RecordingServer, other: RecordingServer, status: int
) -> None:
    def handler(request: RecordedRequest) -> Reply:
        return Reply(status, {"Location": f"{other.url}/final?{request.query_string}&keep=1"})

    server.set_handler(handler)
    result = api.request("POST", "/start", json={"text": "hi"}, cast_to=dict[str, bool], client=CLIENT)
    assert result == {"ok": True}
    assert_all_credentials(server.last)
    (received,) = other.requests
    assert_no_secret(received)
    for name in ("authorization", "xi-api-key", "cookie", "proxy-authorization"):
        assert received.header(name) is None
    assert received.query == {"keep": ["1"]}  # the echoed apiKey parameter is gone
    assert received.header("host") == other.url.removeprefix("http://")
    if status in (307, 308):
        assert (received.method, received.json()) == ("POST", {"text": "hi"})
    else:
        assert (received.method, received.body) == ("GET", b"")


def test_cross_origin_redirect_drops_basic_auth(api: Api, server: RecordingServer, other: RecordingServer) -> None:
    server.route("GET", "/start", Reply(307, {"Location": f"{other.url}/final"}))
    api.request("GET", "/start", cast_to=object, security=[["basic"]], client=CLIENT)
    assert server.last.header("authorization") is not None
    assert other.last.header("authorization") is None
    assert_no_secret(other.last)


def test_credentials_do_not_come_back_after_leaving_the_origin(
    api: Api, server: RecordingServer, other: RecordingServer
) -> None:
    server.route("GET", "/start", Reply(302, {"Location": f"{other.url}/bounce"}))
    other.route("GET", "/bounce", Reply(302, {"Location": f"{server.url}/final"}))
    server.route("GET", "/final", OK)
    api.request("GET", "/start", cast_to=object, client=CLIENT)
    assert [r.path for r in server.requests] == ["/start", "/final"]
    assert_no_secret(other.last)
    assert_no_secret(server.last)  # back at the origin, but after a foreign hop


def test_caller_headers_holding_a_secret_are_dropped_too(
    api: Api, server: RecordingServer, other: RecordingServer
) -> None:
    server.set_handler(_echo_to(f"{other.url}/final"))
    client = {**CLIENT, "default_headers": {"X-Forwarded-Key": XI_KEY.value or ""}}
    api.request("GET", "/start", cast_to=object, client=client)
    assert server.last.header("x-forwarded-key") == XI_KEY.value
    assert other.last.header("x-forwarded-key") is None
    assert_no_secret(other.last)


def test_redirect_carrying_a_secret_in_its_path_is_refused(
    api: Api, server: RecordingServer, other: RecordingServer
) -> None:
    server.route("GET", "/start", Reply(302, {"Location": f"{other.url}/keys/{XI_KEY.value}"}))
    with pytest.raises(APIStatusError) as info:
        api.request("GET", "/start", cast_to=object, client=CLIENT)
    assert info.value.status_code == 302
    assert "carries a credential to another origin" in str(info.value)
    assert other.requests == []


def test_401_after_a_cross_origin_redirect_says_why(api: Api, server: RecordingServer, other: RecordingServer) -> None:
    server.route("GET", "/start", Reply(302, {"Location": f"{other.url}/final"}))
    other.set_handler(lambda r: json_reply({"error": "who are you"}, status=401))
    with pytest.raises(AuthenticationError) as info:
        api.request("GET", "/start", cast_to=object, client=CLIENT)
    host = other.url.removeprefix("http://")
    assert f"credentials were not sent to http://{host}" in str(info.value)


# -- bounds and refusals ------------------------------------------------------------------


def test_redirect_loop_is_bounded(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/loop", Reply(302, {"Location": "/loop"}))
    with pytest.raises(APIStatusError) as info:
        api.request("GET", "/loop", cast_to=object, client=CLIENT)
    assert info.value.status_code == 302
    assert "more than 20 redirects" in str(info.value)
    assert len(server.requests) == 21  # the request and 20 redirects, then no more
    assert api.sleeps == []  # a loop is not retried


def test_redirect_to_a_non_http_url_is_refused(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/start", Reply(302, {"Location": "ftp://127.0.0.1/file"}))
    with pytest.raises(APIStatusError, match="not an http"):
        api.request("GET", "/start", cast_to=object)
    assert len(server.requests) == 1


def test_redirect_then_retryable_status_retries_from_the_start(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/start", Reply(302, {"Location": "/final"}))
    server.route("GET", "/final", Reply(503, {}, b""), OK)
    assert api.request("GET", "/start", cast_to=dict[str, bool]) == {"ok": True}
    assert [r.path for r in server.requests] == ["/start", "/final", "/start", "/final"]
    assert server.requests[3].header("x-retry-count") == "1"
    assert len(api.sleeps) == 1


def test_streamed_download_follows_a_redirect(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/audio", Reply(302, {"Location": "/cdn/audio"}, b"x" * 10_000))
    server.route("GET", "/cdn/audio", Reply(200, {"Content-Type": "audio/mpeg"}, [b"ab", b"cd"]))
    result = api.binary("GET", "/audio", read_all=True, client=CLIENT)
    assert result.chunks == [b"abcd"] and result.closed
    assert_all_credentials(server.last)


# -- caller-supplied httpx clients ----------------------------------------------------------


def _with_caller_client(api: Api, path: str, client_options: dict[str, Any], sdk: dict[str, Any]) -> object:
    """GET ``path`` through an SDK client built on a caller's own httpx client (closed after)."""
    if api.kind == "sync":
        with httpx.Client(**client_options) as http_client:
            with SyncAPIClient(base_url=api.base_url, http_client=http_client, **sdk) as client:
                return client.request("GET", path, cast_to=object)

    async def run() -> object:
        async with httpx.AsyncClient(**client_options) as http_client:
            async with AsyncAPIClient(base_url=api.base_url, http_client=http_client, **sdk) as client:
                return await client.request("GET", path, cast_to=object)

    return asyncio.run(run())


def test_caller_client_gets_the_same_protection(api: Api, server: RecordingServer, other: RecordingServer) -> None:
    server.set_handler(_echo_to(f"{other.url}/final"))
    options = {"follow_redirects": True, "auth": ("caller", "caller-pass-9753")}
    assert _with_caller_client(api, "/start", options, CLIENT) == {"ok": True}
    assert server.last.header("xi-api-key") == XI_KEY.value
    assert (server.last.header("authorization") or "").startswith("Basic ")  # the client's auth wins
    received = other.last
    assert_no_secret(received)
    assert received.header("authorization") is None  # neither ours nor the client's own auth
    assert received.query == {"keep": ["1"]}


def test_caller_client_max_redirects_is_the_bound(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/loop", Reply(307, {"Location": "/loop"}))
    with pytest.raises(APIStatusError, match="more than 3 redirects"):
        _with_caller_client(api, "/loop", {"follow_redirects": True, "max_redirects": 3}, {})
    assert len(server.requests) == 4


def test_caller_client_without_follow_redirects_gets_the_3xx(
    api: Api, server: RecordingServer, other: RecordingServer
) -> None:
    server.route("GET", "/start", Reply(302, {"Location": f"{other.url}/final"}))
    with pytest.raises(APIStatusError) as info:
        _with_caller_client(api, "/start", {}, CLIENT)  # httpx's default: follow_redirects=False
    assert info.value.status_code == 302
    assert other.requests == []


# -- the rules on URLs no local server can play (TLS) ---------------------------------------


def _chain(origin: str) -> RedirectChain:
    return RedirectChain(
        origin=httpx.URL(origin),
        credential_headers={"xi-api-key": "k-123456"},
        credential_query=(("api_key", "q-123456"),),
        secrets=frozenset({"k-123456", "q-123456"}),
        limit=5,
    )


def _hop(chain: RedirectChain, url: str, location: str, status: int = 307) -> httpx.Request:
    request = httpx.Request("GET", url, headers={"xi-api-key": "k-123456"})
    response = httpx.Response(status, headers={"Location": location}, request=request)
    return chain.next_request(request, response, httpx.Cookies())


def test_http_to_https_upgrade_of_the_same_host_keeps_credentials() -> None:
    chain = _chain("http://api.example.com/v1/x?api_key=q-123456")
    hop = _hop(chain, "http://api.example.com/v1/x?api_key=q-123456", "https://api.example.com/v1/x")
    assert chain.credentialed
    assert hop.headers["xi-api-key"] == "k-123456"
    assert hop.url.params["api_key"] == "q-123456"
    assert hop.headers["host"] == "api.example.com"


@pytest.mark.parametrize(
    "location",
    [
        "https://api.example.com:8443/v1/x",  # not the default port: another origin
        "https://other.example.com/v1/x",
        "http://api.example.com:8080/v1/x",
    ],
)
def test_other_upgrades_are_another_origin(location: str) -> None:
    chain = _chain("http://api.example.com/v1/x")
    hop = _hop(chain, "http://api.example.com/v1/x", location)
    assert not chain.credentialed
    assert "xi-api-key" not in hop.headers and "api_key" not in hop.url.params


def test_https_to_http_is_refused() -> None:
    chain = _chain("https://api.example.com/v1/x")
    with pytest.raises(RedirectRefused, match="from https to http"):
        _hop(chain, "https://api.example.com/v1/x", "http://api.example.com/v1/x")
