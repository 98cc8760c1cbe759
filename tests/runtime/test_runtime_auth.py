"""Security requirements -> credentials on the wire, for both clients."""

from __future__ import annotations

import base64

import pytest

from autosdk_py.runtime import AuthenticationError, Credential, RequestOptions
from tests.http_server import RecordingServer, json_reply
from tests.runtime.harness import Api

BEARER = Credential("bearer", "Authorization", "sk-test", env_var="ACME_API_KEY", arg_name="api_key")
API_KEY_HEADER = Credential("header", "X-API-Key", "key-123", env_var="ACME_KEY")
API_KEY_QUERY = Credential("query", "api_key", "q-456")
BASIC = Credential("basic", "Authorization", "user:p@ss:word")
COOKIE = Credential("cookie", "session", "c-789")


@pytest.fixture(autouse=True)
def _ok(server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({}))


def _call(api: Api, security: list[list[str]] | None, **client: object) -> None:
    api.request("GET", "/me", cast_to=object, security=security, client=client)


def test_bearer(api: Api, server: RecordingServer) -> None:
    _call(api, [["bearerAuth"]], credentials={"bearerAuth": BEARER})
    assert server.last.header("authorization") == "Bearer sk-test"


def test_api_key_header(api: Api, server: RecordingServer) -> None:
    _call(api, [["apiKey"]], credentials={"apiKey": API_KEY_HEADER})
    assert server.last.header("x-api-key") == "key-123"
    assert server.last.header("authorization") is None


def test_api_key_query_merges_with_call_query(api: Api, server: RecordingServer) -> None:
    api.request(
        "GET",
        "/me",
        cast_to=object,
        query={"a": "1"},
        client={"credentials": {"q": API_KEY_QUERY}, "default_security": [["q"]]},
    )
    assert server.last.query == {"api_key": ["q-456"], "a": ["1"]}


def test_basic(api: Api, server: RecordingServer) -> None:
    _call(api, [["basic"]], credentials={"basic": BASIC})
    expected = base64.b64encode(b"user:p@ss:word").decode()
    assert server.last.header("authorization") == f"Basic {expected}"


def test_cookie(api: Api, server: RecordingServer) -> None:
    _call(api, [["cookie"]], credentials={"cookie": COOKIE})
    assert server.last.header("cookie") == "session=c-789"


def test_all_schemes_of_a_requirement_are_applied(api: Api, server: RecordingServer) -> None:
    creds = {"bearerAuth": BEARER, "apiKey": API_KEY_HEADER}
    _call(api, [["bearerAuth", "apiKey"]], credentials=creds)
    assert server.last.header("authorization") == "Bearer sk-test"
    assert server.last.header("x-api-key") == "key-123"


def test_first_satisfiable_alternative_wins(api: Api, server: RecordingServer) -> None:
    unset_bearer = Credential("bearer", "Authorization", None, env_var="ACME_API_KEY")
    creds = {"bearerAuth": unset_bearer, "apiKey": API_KEY_HEADER, "q": API_KEY_QUERY}
    _call(api, [["bearerAuth"], ["apiKey"], ["q"]], credentials=creds)
    assert server.last.header("authorization") is None
    assert server.last.header("x-api-key") == "key-123"
    assert server.last.query == {}


def test_requirement_with_a_missing_scheme_is_skipped(api: Api, server: RecordingServer) -> None:
    creds = {"apiKey": API_KEY_HEADER, "q": API_KEY_QUERY}
    _call(api, [["apiKey", "absent"], ["q"]], credentials=creds)
    assert server.last.header("x-api-key") is None
    assert server.last.query == {"api_key": ["q-456"]}


def test_optional_auth_still_sends_configured_credentials(api: Api, server: RecordingServer) -> None:
    _call(api, [[], ["bearerAuth"]], credentials={"bearerAuth": BEARER})
    assert server.last.header("authorization") == "Bearer sk-test"


def test_optional_auth_without_credentials_sends_nothing(api: Api, server: RecordingServer) -> None:
    _call(api, [["bearerAuth"], []], credentials={})
    assert server.last.header("authorization") is None


def test_call_security_overrides_default_and_empty_means_no_auth(api: Api, server: RecordingServer) -> None:
    client = {
        "credentials": {"bearerAuth": BEARER, "apiKey": API_KEY_HEADER},
        "default_security": [["bearerAuth"]],
    }
    calls = [
        ("GET", "/default", {"cast_to": object}),
        ("GET", "/override", {"cast_to": object, "security": [["apiKey"]]}),
        ("GET", "/public", {"cast_to": object, "security": []}),
    ]
    api.request_many(calls, client=client)
    default, override, public = server.requests
    assert default.header("authorization") == "Bearer sk-test" and default.header("x-api-key") is None
    assert override.header("x-api-key") == "key-123" and override.header("authorization") is None
    assert public.header("authorization") is None and public.header("x-api-key") is None


def test_per_call_headers_override_auth(api: Api, server: RecordingServer) -> None:
    api.request(
        "GET",
        "/me",
        cast_to=object,
        headers={"Authorization": "Bearer per-call"},
        client={"credentials": {"bearerAuth": BEARER}, "default_security": [["bearerAuth"]]},
    )
    assert server.last.header("authorization") == "Bearer per-call"
    api.request(
        "GET",
        "/me",
        cast_to=object,
        options=RequestOptions(extra_headers={"Authorization": "Bearer extra"}),
        client={"credentials": {"bearerAuth": BEARER}, "default_security": [["bearerAuth"]]},
    )
    assert server.last.header("authorization") == "Bearer extra"


def test_401_without_credentials_hints_env_var_and_argument(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/me", json_reply({"error": {"message": "Missing API key"}}, status=401))
    missing = Credential("bearer", "Authorization", None, env_var="ACME_API_KEY", arg_name="api_key")
    with pytest.raises(AuthenticationError) as info:
        _call(api, [["bearerAuth"]], credentials={"bearerAuth": missing})
    message = str(info.value)
    assert message.startswith("Error code: 401 - Missing API key")
    assert "ACME_API_KEY" in message
    assert "api_key=" in message
    assert server.last.header("authorization") is None


def test_401_with_credentials_has_no_hint(api: Api, server: RecordingServer) -> None:
    server.route("GET", "/me", json_reply({"error": {"message": "Invalid API key"}}, status=401))
    with pytest.raises(AuthenticationError) as info:
        _call(api, [["bearerAuth"]], credentials={"bearerAuth": BEARER})
    assert str(info.value) == "Error code: 401 - Invalid API key"
    assert info.value.status_code == 401


def test_credential_repr_hides_the_secret() -> None:
    assert "sk-test" not in repr(BEARER)
