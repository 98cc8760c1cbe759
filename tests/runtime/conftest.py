from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http_server import RecordingServer
from tests.runtime.harness import Api, AsyncApi, SyncApi


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, server: RecordingServer) -> Api:
    """The same scenario once through SyncAPIClient and once through AsyncAPIClient."""
    flavour = SyncApi if request.param == "sync" else AsyncApi
    return flavour(server.url)


@pytest.fixture(params=["sync", "async"])
def api_real_sleep(request: pytest.FixtureRequest, server: RecordingServer) -> Api:
    """Like ``api`` but retry waits really happen (keep them tiny)."""
    flavour = SyncApi if request.param == "sync" else AsyncApi
    return flavour(server.url, real_sleep=True)
