"""No credential value in any log line: the runtime's own, httpx's INFO line, httpcore's DEBUG."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import httpx
import pytest

from autosdk_py.runtime import Credential, SyncAPIClient
from autosdk_py.runtime._redaction import _FILTER, redact_url
from tests.http_server import RecordedRequest, RecordingServer, Reply, json_reply
from tests.runtime.harness import Api
from tests.runtime.test_runtime_redirects import CLIENT, SECRETS, _forms

OK = json_reply({"ok": True})


@pytest.fixture
def other() -> Iterator[RecordingServer]:
    with RecordingServer(lambda request: OK) as running:
        yield running


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_no_secret_in_any_log_line(
    api: Api, server: RecordingServer, other: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    def handler(request: RecordedRequest) -> Reply:
        # A server echoing the query (and so the apiKey) into its Location header.
        return Reply(302, {"Location": f"{other.url}/final?{request.query_string}"})

    server.route("GET", "/busy", Reply(503, {}, b""), OK)
    server.set_handler(handler)
    api.request_many([("GET", "/busy", {"cast_to": object}), ("GET", "/start", {"cast_to": object})], client=CLIENT)

    messages = _messages(caplog)
    for text in [*messages, caplog.text]:
        for secret in SECRETS:
            for form in _forms(secret):
                assert form not in text, f"{secret!r} logged in {text!r}"
    # The lines that used to carry the key are there, with the key masked.
    request_lines = [m for m in messages if m.startswith("HTTP Request: GET") and "/busy" in m]
    assert request_lines and all("api_key=***" in m for m in request_lines)
    assert any(m.startswith("Retrying GET") and "api_key=***" in m for m in messages)
    assert any(m.startswith("Redirect 1 of at most 20: 302 to GET") for m in messages)
    assert any("httpcore" in r.name and "Location" in r.getMessage() for r in caplog.records)


def test_records_without_secrets_are_left_alone(server: RecordingServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    server.set_handler(lambda request: OK)
    key = Credential("query", "api_key", "live-key-24680")
    with SyncAPIClient(base_url=server.url, credentials={"k": key}, default_security=[["k"]]) as client:
        client.request("GET", "/with-key", cast_to=object)
        httpx.get(server.url + "/plain?page=2")  # another httpx user in the same process
    by_path = {r.getMessage().split()[3]: r for r in caplog.records if r.name == "httpx"}
    plain = by_path[server.url + "/plain?page=2"]
    assert isinstance(plain.args, tuple) and plain.msg.startswith("HTTP Request: %s")  # untouched
    assert by_path[server.url + "/with-key?api_key=***"].args is None  # rewritten


def test_secrets_of_collected_clients_are_forgotten() -> None:
    key = Credential("header", "xi-api-key", "short-lived-97531")
    client = SyncAPIClient(base_url="http://127.0.0.1:9", credentials={"k": key})
    assert "short-lived-97531" in _FILTER.secrets()
    client.close()
    del client
    gc.collect()
    assert "short-lived-97531" not in _FILTER.secrets()


def test_redact_url_masks_any_encoding_of_a_secret_in_the_query() -> None:
    secrets = frozenset({"a b/c"})
    url = "https://h/p?x=1&key=a%20b%2Fc&y=a+b/c&z=keep#frag"
    assert redact_url(url, secrets) == "https://h/p?x=1&key=***&y=***&z=keep#frag"
    assert redact_url(httpx.URL("https://h/a b/c/?q=1"), secrets) == "https://h/***/?q=1"
