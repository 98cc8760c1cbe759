"""The mock answers a client message with the 3.0 ``reply`` the parser read, from the document's side.

Kraken's document describes the server: ``receivePing`` (the server receives ``ping``) replies on the
``pong`` channel, another channel at the same address. Read from the server's side, a client's ping is
answered by a pong; read from the client's side, ping is what the server sends and nothing answers it.
"""

from __future__ import annotations

import json

from autosdk_py.asyncapi.read import load_realtime
from autosdk_py.mock import MockServer
from tests.conftest import SHARED
from tests.mock.mock_helpers import no_more_frames, open_ws, recv_frames

KRAKEN = SHARED / "corpus" / "asyncapi" / "spec_kraken_multi_channel_v3.yml"


def test_replies_follow_the_perspective() -> None:
    _, server_side = load_realtime(KRAKEN, "server")
    assert server_side.replies["/components/messages/ping"] == ("/components/messages/pong",)
    assert server_side.replies["/components/messages/unsubscribe"] == ("/components/messages/subscriptionStatus",)
    _, client_side = load_realtime(KRAKEN, "client")
    assert dict(client_side.replies) == {}


def test_a_ping_is_answered_by_a_pong() -> None:
    with MockServer.from_spec(KRAKEN, perspective="server") as mock, open_ws(mock.url_for()) as ws:
        recv_frames(ws, 1)  # the greeting: systemStatus
        ws.send(json.dumps({"event": "ping", "reqid": 42}))
        (pong,) = recv_frames(ws, 1)
        assert pong["event"] == "pong"
        assert no_more_frames(ws)
    assert not any("no reply rule for ping" in line for line in mock.log_lines)
