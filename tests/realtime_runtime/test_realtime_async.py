"""AsyncRealtimeConnection against a real local WebSocket server (``asyncio.run`` per test).

The server lives in its own threads, so blocking waits on it go through ``asyncio.to_thread``
to keep the client's event loop (and its reconnect and listener tasks) running.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from autosdk_py.realtime_runtime import (
    AsyncRealtimeConnection,
    CloseInfo,
    ConnectOptions,
    EventType,
    RealtimeAuthenticationError,
    RealtimeConnectError,
    RealtimeConnectionClosed,
    RealtimeHandshakeError,
    RealtimePermissionDeniedError,
    RealtimeTimeoutError,
    ReconnectInfo,
    ReconnectPolicy,
    UnknownMessage,
    UnsentMessagesError,
    connect_async,
)
from tests.realtime_runtime.support import (
    DECODER,
    AudioAppend,
    AudioDelta,
    ErrorEvent,
    SessionConfig,
    SessionUpdate,
    SessionUpdated,
    audio_delta,
    error_event,
    options,
    session_updated,
    silent_listener,
    unused_port,
)
from tests.ws_server import ScriptedConnection, WsServer, record_until_closed


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def server_until(server: WsServer, predicate: Callable[[], bool]) -> None:
    await asyncio.to_thread(server.wait_until, predicate)


def _drop_on_request(conn: ScriptedConnection) -> None:
    conn.recv()
    conn.drop()


def _drop_after_two(conn: ScriptedConnection) -> None:
    conn.send_many([audio_delta(0), audio_delta(1)])
    conn.drop()


def _close_1011_after_two(conn: ScriptedConnection) -> None:
    conn.send_many([audio_delta(0), audio_delta(1)])
    conn.close(1011, "internal error")


def _two_more_then_close(conn: ScriptedConnection) -> None:
    conn.send_many([audio_delta(2), audio_delta(3)])
    conn.close(1000)


def test_send_model_sends_compact_json_with_defaulted_tags() -> None:
    class Connection(AsyncRealtimeConnection[SessionUpdated | AudioDelta | ErrorEvent]):
        async def send_session_update(self, message: SessionUpdate) -> None:
            await self.send_model(message)

    async def scenario(server: WsServer) -> None:
        async with await connect_async(options(server), DECODER, Connection) as ws:
            assert isinstance(ws, Connection)
            await ws.send_session_update(SessionUpdate(session=SessionConfig(voice="alloy")))
            await ws.send_model(AudioAppend(audio="AAA="))
            await ws.send_json({"type": "response.create"})
            await ws.send_raw(b"\x00bin")
            await server_until(server, lambda: len(server.received) == 4)

    with WsServer() as server:
        asyncio.run(scenario(server))
    assert server.received == [
        '{"type":"session.update","session":{"type":"realtime","voice":"alloy"}}',
        '{"type":"input_audio_buffer.append","audio":"AAA="}',
        '{"type":"response.create"}',
        b"\x00bin",
    ]


def test_recv_decodes_typed_unknown_invalid_and_binary_frames() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many(
            [
                session_updated("verse"),
                audio_delta(1),
                '{"type":"brand.new.event"}',
                '{"type":"error","event_id":"e"}',
                "{broken",
                b"\x01\x02",
                audio_delta(2),
            ]
        )
        conn.record_until_closed()

    async def scenario(server: WsServer) -> None:
        async with await connect_async(options(server), DECODER) as ws:
            first = await ws.recv(timeout=5)
            assert isinstance(first, SessionUpdated) and first.session.voice == "verse"
            delta = await ws.recv()
            assert isinstance(delta, AudioDelta) and delta.event_id == "evt_1"
            assert await ws.recv() == UnknownMessage(type="brand.new.event", raw='{"type":"brand.new.event"}')
            invalid = await ws.recv()
            assert isinstance(invalid, UnknownMessage) and invalid.type == "error"
            assert invalid.error is not None and "error" in invalid.error
            broken = await ws.recv()
            assert isinstance(broken, UnknownMessage) and broken.type is None and broken.error
            assert await ws.recv() == b"\x01\x02"
            assert await ws.recv_raw(timeout=5) == audio_delta(2)
            with pytest.raises(RealtimeTimeoutError):
                await ws.recv(timeout=0.05)

    with WsServer(script) as server:
        asyncio.run(scenario(server))


def test_async_iteration_ends_on_normal_close() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([audio_delta(n) for n in range(3)])
        conn.close(1000, "bye")

    async def scenario(server: WsServer) -> None:
        ws = await connect_async(options(server), DECODER)
        ids = [m.event_id async for m in ws if isinstance(m, AudioDelta)]
        assert ids == ["evt_0", "evt_1", "evt_2"]
        assert ws.closed and (ws.close_code, ws.close_reason) == (1000, "bye")
        with pytest.raises(RealtimeConnectionClosed):
            await ws.recv()
        await ws.close()

    with WsServer(script) as server:
        asyncio.run(scenario(server))
    assert len(server.handshakes) == 1


def test_handlers_sync_and_async_dispatch_by_event_tag_and_class() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([session_updated(), audio_delta(1), error_event(), '{"type":"mystery"}'])
        conn.close(1000)

    calls: list[tuple[str, Any]] = []

    async def on_delta(message: AudioDelta) -> None:
        await asyncio.sleep(0)
        calls.append(("class", message.event_id))

    async def scenario(server: WsServer) -> None:
        ws = await connect_async(options(server), DECODER)
        ws.on(EventType.OPEN, lambda conn: calls.append(("open", conn is ws)))
        ws.on(EventType.MESSAGE, lambda m: calls.append(("message", type(m).__name__)))
        ws.on("session.updated", lambda m: calls.append(("tag", m.session.id)))
        ws.on("error", lambda m: calls.append(("tag", m.error.code)))
        ws.on(AudioDelta, on_delta)
        ws.on(UnknownMessage, lambda m: calls.append(("unknown", m.type)))
        ws.on(EventType.CLOSE, lambda info: calls.append(("close", info)))
        task = ws.start_listening()
        assert isinstance(task, asyncio.Task)
        await ws.wait(timeout=5)
        await ws.close()

    with WsServer(script) as server:
        asyncio.run(scenario(server))
    assert calls == [
        ("open", True),
        ("tag", "sess_1"),
        ("message", "SessionUpdated"),
        ("class", "evt_1"),
        ("message", "AudioDelta"),
        ("tag", "x"),
        ("message", "ErrorEvent"),
        ("unknown", "mystery"),
        ("message", "UnknownMessage"),
        ("close", CloseInfo(1000, "")),
    ]


def test_handler_errors_go_to_error_handlers_or_stop_listening() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([audio_delta(1), audio_delta(2)])
        conn.close(1000)

    async def failing(message: AudioDelta) -> None:
        raise RuntimeError(f"bug on {message.event_id}")

    async def with_error_handler(server: WsServer) -> list[BaseException]:
        errors: list[BaseException] = []
        ws = await connect_async(options(server), DECODER)
        ws.on(AudioDelta, failing)
        ws.on(EventType.ERROR, errors.append)
        ws.start_listening()
        await ws.wait(timeout=5)
        await ws.close()
        return errors

    async def without_error_handler(server: WsServer) -> None:
        ws = await connect_async(options(server), DECODER)
        ws.on(AudioDelta, failing)
        ws.start_listening()
        with pytest.raises(RuntimeError, match="bug on evt_1"):
            await ws.wait(timeout=5)
        await ws.close()

    with WsServer(script) as server:
        errors = asyncio.run(with_error_handler(server))
        asyncio.run(without_error_handler(server))
    assert [str(e) for e in errors] == ["bug on evt_1", "bug on evt_2"]


def test_handshake_headers_subprotocol_query_and_no_compression() -> None:
    async def scenario(server: WsServer) -> None:
        opts = options(
            server,
            "/v1/realtime?model=gpt-realtime",
            headers={"xi-api-key": "secret"},
            subprotocols=["realtime"],
        )
        async with await connect_async(opts, DECODER) as ws:
            assert ws.subprotocol == "realtime"
            assert "sec-websocket-accept" in ws.response_headers

    with WsServer(subprotocols=["realtime"]) as server:
        asyncio.run(scenario(server))
    handshake = server.handshakes[0]
    assert (handshake.path, handshake.query) == ("/v1/realtime", {"model": ["gpt-realtime"]})
    assert handshake.header("xi-api-key") == "secret"
    assert handshake.subprotocols == ["realtime"]
    assert handshake.extensions == []  # no permessage-deflate offered
    assert server.connections[0].extensions == []


@pytest.mark.parametrize(
    ("status", "error_cls"),
    [(401, RealtimeAuthenticationError), (403, RealtimePermissionDeniedError), (404, RealtimeHandshakeError)],
)
def test_rejected_handshake_raises_typed_error(status: int, error_cls: type[RealtimeHandshakeError]) -> None:
    with WsServer() as server:
        server.reject(status, "go away", headers={"X-Request-Id": "req_2"})
        with pytest.raises(error_cls) as caught:
            asyncio.run(connect_async(options(server), DECODER))
    assert type(caught.value) is error_cls
    assert caught.value.status_code == status
    assert caught.value.body == "go away"
    assert caught.value.headers["x-request-id"] == "req_2"


def test_unreachable_server_raises_connect_error() -> None:
    unreachable = ConnectOptions(f"ws://127.0.0.1:{unused_port()}/v1/realtime", open_timeout=2)
    with pytest.raises(RealtimeConnectError, match="could not connect"):
        asyncio.run(connect_async(unreachable, DECODER))


@pytest.mark.parametrize(("first", "code"), [(_drop_after_two, 1006), (_close_1011_after_two, 1011)])
def test_reconnects_and_keeps_receiving(first: Any, code: int) -> None:
    reconnects: list[ReconnectInfo] = []

    async def scenario(server: WsServer) -> list[str]:
        ws = await connect_async(options(server), DECODER)
        ws.on(EventType.RECONNECT, reconnects.append)
        ids = [m.event_id async for m in ws if isinstance(m, AudioDelta)]
        await ws.close()
        return ids

    with WsServer(first, _two_more_then_close) as server:
        ids = asyncio.run(scenario(server))
    assert ids == ["evt_0", "evt_1", "evt_2", "evt_3"]
    assert reconnects == [ReconnectInfo(1, code, "internal error" if code == 1011 else "")]
    assert len(server.handshakes) == 2


def test_messages_sent_while_reconnecting_are_flushed_in_order() -> None:
    async def scenario(server: WsServer) -> None:
        ws = await connect_async(options(server, reconnect=ReconnectPolicy(initial_delay=0.4, jitter=0)), DECODER)
        ws.start_listening()
        await ws.send_json({"n": "before"})
        await until(lambda: ws.reconnecting)
        for n in range(3):
            await ws.send_json({"n": n})
        assert ws.reconnecting
        await server_until(server, lambda: len(server.connections) == 2)
        second = server.connections[1]
        await server_until(server, lambda: len(second.received) == 3)
        await ws.send_json({"n": "after"})
        await server_until(server, lambda: len(second.received) == 4)
        await ws.close()

    with WsServer(_drop_on_request, record_until_closed) as server:
        asyncio.run(scenario(server))
    assert server.connections[0].received == ['{"n":"before"}']
    assert [json.loads(f)["n"] for f in server.connections[1].received] == [0, 1, 2, "after"]


def test_reconnection_giving_up_reports_unsent_messages() -> None:
    errors: list[BaseException] = []

    async def scenario(server: WsServer) -> None:
        policy = ReconnectPolicy(max_attempts=2, initial_delay=0.3, max_delay=0.3, jitter=0)
        ws = await connect_async(options(server, reconnect=policy), DECODER)
        ws.on(EventType.ERROR, errors.append)
        ws.start_listening()
        server.reject(503, "maintenance")
        await ws.send_json({"cmd": "drop"})
        await until(lambda: ws.reconnecting)
        await ws.send_json({"n": 1})
        await until(lambda: ws.closed)
        with pytest.raises(UnsentMessagesError) as caught:
            await ws.send_json({"n": 2})
        assert caught.value.messages == ['{"n":1}']
        with pytest.raises(RealtimeConnectionClosed):
            await ws.send_json({"n": 3})
        await ws.close()

    with WsServer(_drop_on_request, record_until_closed) as server:
        asyncio.run(scenario(server))
    assert len(errors) == 1 and isinstance(errors[0], UnsentMessagesError)
    assert [h.rejected_with for h in server.handshakes] == [None, 503, 503]


def test_reconnect_disabled_raises_connection_closed() -> None:
    async def scenario(server: WsServer) -> RealtimeConnectionClosed:
        ws = await connect_async(options(server, reconnect=ReconnectPolicy(enabled=False)), DECODER)
        assert isinstance(await ws.recv(), AudioDelta)
        assert isinstance(await ws.recv(), AudioDelta)
        with pytest.raises(RealtimeConnectionClosed) as caught:
            await ws.recv()
        await ws.close()
        return caught.value

    with WsServer(_drop_after_two) as server:
        error = asyncio.run(scenario(server))
    assert error.code == 1006 and not error.normal
    assert len(server.handshakes) == 1


def test_queue_overflow_and_close_while_reconnecting_are_reported() -> None:
    errors: list[BaseException] = []

    async def scenario(server: WsServer) -> tuple[UnsentMessagesError, UnsentMessagesError]:
        policy = ReconnectPolicy(initial_delay=5.0, jitter=0)
        ws = await connect_async(options(server, reconnect=policy, max_queue=1), DECODER)
        ws.on(EventType.ERROR, errors.append)
        ws.start_listening()
        await ws.send_json({"cmd": "drop"})
        await until(lambda: ws.reconnecting)
        await ws.send_json({"n": 1})
        with pytest.raises(UnsentMessagesError) as overflow:
            await ws.send_json({"n": 2})
        started = time.monotonic()
        with pytest.raises(UnsentMessagesError) as on_close:
            await ws.close()
        assert time.monotonic() - started < 2  # the reconnect task's backoff is cancelled
        assert ws.closed
        return overflow.value, on_close.value

    with WsServer(_drop_on_request, record_until_closed) as server:
        overflow, on_close = asyncio.run(scenario(server))
    assert overflow.messages == ['{"n":2}'] and "max_queue=1" in str(overflow)
    assert on_close.messages == ['{"n":1}']
    assert errors == [overflow, on_close]
    assert len(server.handshakes) == 1


def test_async_reconnect_handlers_send_ahead_of_queued_messages() -> None:
    async def scenario(server: WsServer) -> None:
        ws = await connect_async(options(server, reconnect=ReconnectPolicy(initial_delay=0.3)), DECODER)

        async def resend_setup(info: ReconnectInfo) -> None:
            assert ws.reconnecting and info.close_code == 1006
            await ws.send_model(SessionUpdate(session=SessionConfig(voice="alloy")))

        ws.on(EventType.RECONNECT, resend_setup)
        ws.start_listening()
        await ws.send_json({"cmd": "drop"})
        await until(lambda: ws.reconnecting)
        await ws.send_model(AudioAppend(audio="queued"))
        await server_until(server, lambda: len(server.connections) == 2 and len(server.connections[1].received) == 2)
        await ws.close()

    with WsServer(_drop_on_request, record_until_closed) as server:
        asyncio.run(scenario(server))
    received = server.connections[1].received
    assert [json.loads(frame)["type"] for frame in received] == ["session.update", "input_audio_buffer.append"]


def test_handshake_timeout_raises_realtime_timeout_error() -> None:
    with silent_listener() as listener:
        port = listener.getsockname()[1]
        slow = ConnectOptions(f"ws://127.0.0.1:{port}/x", open_timeout=0.3)
        with pytest.raises(RealtimeTimeoutError, match="timed out opening"):
            asyncio.run(connect_async(slow, DECODER))
