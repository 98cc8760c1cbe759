"""RealtimeConnection (blocking) against a real local WebSocket server."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from typing import Any

import pytest
from websockets.exceptions import WebSocketException

from autosdk_py.realtime_runtime import (
    CloseInfo,
    ConnectOptions,
    EventType,
    RealtimeAuthenticationError,
    RealtimeConnectError,
    RealtimeConnection,
    RealtimeConnectionClosed,
    RealtimeHandshakeError,
    RealtimePermissionDeniedError,
    RealtimeTimeoutError,
    ReconnectInfo,
    ReconnectPolicy,
    UnknownMessage,
    UnsentMessagesError,
    connect_sync,
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


def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


# -- sending --------------------------------------------------------------------------------


def test_send_model_sends_compact_json_with_defaulted_tags() -> None:
    with WsServer() as server, connect_sync(options(server), DECODER) as ws:
        # Neither ``type`` was passed: both are defaulted constants, and must still be sent.
        ws.send_model(SessionUpdate(session=SessionConfig(voice="alloy")))
        ws.send_model(AudioAppend(audio="AAA="))
        ws.send_json({"type": "response.create", "response": {"modalities": ["audio"]}})
        ws.send_raw(b"\x00\x01binary")
        server.wait_for_received(4)
    assert server.received == [
        '{"type":"session.update","session":{"type":"realtime","voice":"alloy"}}',
        '{"type":"input_audio_buffer.append","audio":"AAA="}',
        '{"type":"response.create","response":{"modalities":["audio"]}}',
        b"\x00\x01binary",
    ]


def test_custom_connection_class_with_typed_send_methods() -> None:
    class Connection(RealtimeConnection[SessionUpdated | AudioDelta | ErrorEvent]):
        def send_session_update(self, message: SessionUpdate) -> None:
            self.send_model(message)

    with WsServer() as server, connect_sync(options(server), DECODER, Connection) as ws:
        assert isinstance(ws, Connection)
        ws.send_session_update(SessionUpdate(event_id="e1", session=SessionConfig()))
        server.wait_for_received(1)
    assert json.loads(server.received[0]) == {
        "type": "session.update",
        "event_id": "e1",
        "session": {"type": "realtime"},
    }


# -- receiving ------------------------------------------------------------------------------


def test_recv_decodes_typed_messages_unknown_and_invalid_frames() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many(
            [
                session_updated("verse"),
                audio_delta(1),
                error_event(),
                '{"type":"brand.new.event","x":1}',
                '{"type":"response.output_audio.delta","event_id":"e"}',
                "not json at all",
                '{"no_type":true}',
                b"\x01\x02\x03",
            ]
        )
        conn.record_until_closed()

    with WsServer(script) as server, connect_sync(options(server), DECODER) as ws:
        first = ws.recv(timeout=5)
        assert isinstance(first, SessionUpdated) and first.session.voice == "verse"
        delta = ws.recv(timeout=5)
        assert isinstance(delta, AudioDelta) and delta.event_id == "evt_1"
        error = ws.recv(timeout=5)
        assert isinstance(error, ErrorEvent) and error.error.message == "bad"

        unknown = ws.recv(timeout=5)
        assert unknown == UnknownMessage(type="brand.new.event", raw='{"type":"brand.new.event","x":1}')

        invalid = ws.recv(timeout=5)
        assert isinstance(invalid, UnknownMessage)
        assert invalid.type == "response.output_audio.delta"
        assert invalid.error is not None and "item_id" in invalid.error

        not_json = ws.recv(timeout=5)
        assert isinstance(not_json, UnknownMessage)
        assert not_json.type is None and not_json.raw == "not json at all" and not_json.error

        untagged = ws.recv(timeout=5)
        assert untagged == UnknownMessage(type=None, raw='{"no_type":true}')

        assert ws.recv(timeout=5) == b"\x01\x02\x03"


def test_recv_raw_returns_frames_undecoded() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send(audio_delta(7))
        conn.send(b"\xff")
        conn.record_until_closed()

    with WsServer(script) as server, connect_sync(options(server), DECODER) as ws:
        assert ws.recv_raw(timeout=5) == audio_delta(7)
        assert ws.recv_raw(timeout=5) == b"\xff"


def test_recv_timeout_raises_realtime_timeout_error() -> None:
    with WsServer() as server, connect_sync(options(server), DECODER) as ws:
        started = time.monotonic()
        with pytest.raises(RealtimeTimeoutError) as caught:
            ws.recv(timeout=0.1)
        assert isinstance(caught.value, TimeoutError)
        assert time.monotonic() - started < 2
        assert not ws.closed


def test_iteration_ends_on_normal_close_after_draining() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([audio_delta(n) for n in range(3)])
        conn.close(1000, "bye")

    with WsServer(script) as server:
        ws = connect_sync(options(server), DECODER)
        received = list(ws)
        assert [m.event_id for m in received if isinstance(m, AudioDelta)] == ["evt_0", "evt_1", "evt_2"]
        assert len(received) == 3
        assert ws.closed and ws.close_code == 1000 and ws.close_reason == "bye"
        with pytest.raises(RealtimeConnectionClosed) as caught:
            ws.recv()
        assert caught.value.code == 1000 and caught.value.normal
        assert len(server.handshakes) == 1  # a normal close never reconnects
        ws.close()


def test_context_manager_closes_normally() -> None:
    with WsServer() as server:
        with connect_sync(options(server), DECODER) as ws:
            assert not ws.closed
        assert ws.closed
        conn = server.connection(0)
        server.wait_until(lambda: conn.websocket.close_code == 1000)
        with pytest.raises(RealtimeConnectionClosed):
            ws.send_json({"late": True})


# -- handlers -------------------------------------------------------------------------------


def test_handlers_dispatch_by_event_tag_and_class() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([session_updated(), audio_delta(1), error_event(), '{"type":"mystery"}', b"\x00"])
        conn.close(1000)

    calls: list[tuple[str, Any]] = []
    with WsServer(script) as server:
        ws = connect_sync(options(server), DECODER)
        ws.on(EventType.OPEN, lambda conn: calls.append(("open", conn is ws)))
        ws.on(EventType.MESSAGE, lambda m: calls.append(("message", type(m).__name__)))
        ws.on("session.updated", lambda m: calls.append(("tag", m.session.id)))
        ws.on("error", lambda m: calls.append(("tag", m.error.code)))  # the server tag, not EventType.ERROR
        ws.on(AudioDelta, lambda m: calls.append(("class", m.event_id)))
        ws.on(UnknownMessage, lambda m: calls.append(("unknown", m.type)))
        ws.on(EventType.CLOSE, lambda info: calls.append(("close", info)))
        thread = ws.start_listening()
        assert thread.daemon
        ws.wait(timeout=5)
        ws.close()
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
        ("message", "bytes"),
        ("close", CloseInfo(1000, "")),
    ]


def test_on_rejects_unknown_tags_and_non_callables() -> None:
    with WsServer() as server, connect_sync(options(server), DECODER) as ws:
        with pytest.raises(ValueError, match=r"session\.updatd"):
            ws.on("session.updatd", print)
        with pytest.raises(TypeError):
            ws.on(EventType.MESSAGE, "not callable")  # type: ignore[call-overload]


def test_handler_errors_go_to_error_handlers_and_listening_continues() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([audio_delta(1), audio_delta(2)])
        conn.close(1000)

    errors: list[BaseException] = []
    seen: list[str] = []

    def handler(message: AudioDelta) -> None:
        seen.append(message.event_id)
        if message.event_id == "evt_1":
            raise RuntimeError("handler bug")

    with WsServer(script) as server:
        ws = connect_sync(options(server), DECODER)
        ws.on(AudioDelta, handler)
        ws.on(EventType.ERROR, errors.append)
        ws.start_listening()
        ws.wait(timeout=5)
        ws.close()
    assert seen == ["evt_1", "evt_2"]
    assert len(errors) == 1 and str(errors[0]) == "handler bug"


def test_handler_error_without_error_handler_stops_listening_and_wait_raises() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send_many([audio_delta(1), audio_delta(2)])
        conn.record_until_closed()

    seen: list[str] = []

    def handler(message: AudioDelta) -> None:
        seen.append(message.event_id)
        raise KeyError("boom")

    with WsServer(script) as server, connect_sync(options(server), DECODER) as ws:
        ws.on(AudioDelta, handler)
        ws.start_listening()
        with pytest.raises(KeyError, match="boom"):
            ws.wait(timeout=5)
        assert seen == ["evt_1"]


# -- handshake --------------------------------------------------------------------------------


def test_handshake_sends_headers_subprotocols_and_query() -> None:
    with WsServer(subprotocols=["realtime"]) as server:
        opts = options(
            server,
            "/v1/realtime?model=gpt-realtime&intent=transcription",
            headers={"Authorization": "Bearer sk-test", "OpenAI-Beta": "realtime=v1"},
            subprotocols=["realtime", "openai-insecure-api-key.sk-test"],
        )
        with connect_sync(opts, DECODER) as ws:
            assert ws.subprotocol == "realtime"
            assert ws.response_headers["upgrade"].lower() == "websocket"
    handshake = server.handshakes[0]
    assert handshake.path == "/v1/realtime"
    assert handshake.query == {"model": ["gpt-realtime"], "intent": ["transcription"]}
    assert handshake.header("authorization") == "Bearer sk-test"
    assert handshake.header("openai-beta") == "realtime=v1"
    assert handshake.subprotocols == ["realtime", "openai-insecure-api-key.sk-test"]
    assert "sk-test" not in repr(opts)


def test_compression_is_off_by_default_and_can_be_enabled() -> None:
    with WsServer() as server:
        with connect_sync(options(server), DECODER):
            pass
        with connect_sync(options(server, compression="deflate"), DECODER):
            pass
    assert server.handshakes[0].extensions == []
    assert server.connections[0].extensions == []
    assert server.handshakes[1].extensions[0].startswith("permessage-deflate")
    assert server.connections[1].extensions == ["permessage-deflate"]


@pytest.mark.parametrize(
    ("status", "error_cls"),
    [(401, RealtimeAuthenticationError), (403, RealtimePermissionDeniedError), (500, RealtimeHandshakeError)],
)
def test_rejected_handshake_raises_typed_error(status: int, error_cls: type[RealtimeHandshakeError]) -> None:
    with WsServer() as server:
        server.reject(status, '{"error":"nope"}', headers={"X-Request-Id": "req_1"})
        with pytest.raises(error_cls) as caught:
            connect_sync(options(server), DECODER)
    error = caught.value
    assert type(error) is error_cls
    assert error.status_code == status
    assert error.body == '{"error":"nope"}'
    assert error.headers["x-request-id"] == "req_1"
    assert str(status) in str(error)
    assert not server.connections


def test_unreachable_server_and_bad_url_raise_connect_errors() -> None:
    with pytest.raises(RealtimeConnectError, match="could not connect"):
        connect_sync(options_for_url(f"ws://127.0.0.1:{unused_port()}/x"), DECODER)
    with pytest.raises(RealtimeConnectError, match="invalid WebSocket URL"):
        connect_sync(options_for_url("http://127.0.0.1/x"), DECODER)


def options_for_url(url: str) -> ConnectOptions:
    return ConnectOptions(url, open_timeout=2)


# -- reconnection -----------------------------------------------------------------------------


def _drop_after_two(conn: ScriptedConnection) -> None:
    conn.send_many([audio_delta(0), audio_delta(1)])
    conn.drop()


def _close_1011_after_two(conn: ScriptedConnection) -> None:
    conn.send_many([audio_delta(0), audio_delta(1)])
    conn.close(1011, "internal error")


def _drop_on_request(conn: ScriptedConnection) -> None:
    conn.recv()
    conn.drop()


def _two_more_then_close(conn: ScriptedConnection) -> None:
    conn.send_many([audio_delta(2), audio_delta(3)])
    conn.close(1000)


@pytest.mark.parametrize(("first", "code"), [(_drop_after_two, 1006), (_close_1011_after_two, 1011)])
def test_reconnects_and_keeps_receiving(first: Any, code: int) -> None:
    reconnects: list[ReconnectInfo] = []
    with WsServer(first, _two_more_then_close) as server:
        ws = connect_sync(options(server, headers={"Authorization": "Bearer k"}), DECODER)
        ws.on(EventType.RECONNECT, reconnects.append)
        ids = [m.event_id for m in ws if isinstance(m, AudioDelta)]
        ws.close()
    assert ids == ["evt_0", "evt_1", "evt_2", "evt_3"]
    assert reconnects == [ReconnectInfo(1, code, "internal error" if code == 1011 else "")]
    assert len(server.handshakes) == 2
    # The reopened connection is the same request: same path, query and credentials.
    assert server.handshakes[1].path == server.handshakes[0].path == "/v1/realtime"
    assert server.handshakes[1].query == {"model": ["m"]}
    assert server.handshakes[1].header("authorization") == "Bearer k"
    assert ws.close_code == 1000


def test_messages_sent_while_reconnecting_are_flushed_in_order() -> None:
    def first(conn: ScriptedConnection) -> None:
        conn.recv()  # "before"
        conn.drop()

    with WsServer(first, record_until_closed) as server:
        policy = ReconnectPolicy(initial_delay=0.4, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy), DECODER)
        ws.start_listening()
        ws.send_json({"n": "before"})
        wait_for(lambda: ws.reconnecting)
        for n in range(3):
            ws.send_json({"n": n})
        assert ws.reconnecting  # so the three sends above were queued, not sent
        second = server.connection(1)
        server.wait_until(lambda: len(second.received) == 3)
        assert [json.loads(frame)["n"] for frame in second.received] == [0, 1, 2]
        ws.send_json({"n": "after"})
        server.wait_until(lambda: len(second.received) == 4)
        ws.close()
    assert server.connections[0].received == ['{"n":"before"}']


def test_reconnection_giving_up_reports_unsent_messages() -> None:
    errors: list[BaseException] = []
    closes: list[CloseInfo] = []
    with WsServer(_drop_on_request, record_until_closed) as server:
        policy = ReconnectPolicy(max_attempts=2, initial_delay=0.3, max_delay=0.3, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy), DECODER)
        ws.on(EventType.ERROR, errors.append)
        ws.on(EventType.CLOSE, closes.append)
        ws.start_listening()
        server.reject(503, "down for maintenance")
        ws.send_json({"cmd": "drop"})
        wait_for(lambda: ws.reconnecting)
        ws.send_json({"n": 1})
        ws.send_raw(b"\x02")
        wait_for(lambda: ws.closed, timeout=5)
        with pytest.raises(UnsentMessagesError) as caught:
            ws.send_json({"n": 2})
        # Reported once: afterwards the connection is simply closed.
        with pytest.raises(RealtimeConnectionClosed) as closed:
            ws.send_json({"n": 3})
        ws.close()
    assert caught.value.messages == ['{"n":1}', b"\x02"]
    assert "2 attempt" in str(caught.value) and "503" in str(caught.value)
    assert len(errors) == 1 and isinstance(errors[0], UnsentMessagesError)
    assert errors[0].messages == ['{"n":1}', b"\x02"]
    assert closes == [CloseInfo(1006, "")]
    assert closed.value.code == 1006 and not closed.value.normal
    assert [h.rejected_with for h in server.handshakes] == [None, 503, 503]


def test_wait_raises_unsent_messages_when_reconnection_gives_up() -> None:
    with WsServer(_drop_on_request, record_until_closed) as server:
        policy = ReconnectPolicy(max_attempts=1, initial_delay=0.3, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy), DECODER)
        ws.start_listening()
        server.reject(503)
        ws.send_json({"cmd": "drop"})
        wait_for(lambda: ws.reconnecting)
        ws.send_json({"queued": True})
        with pytest.raises(UnsentMessagesError) as caught:
            ws.wait(timeout=5)
        ws.close()  # already reported: does not raise again
    assert caught.value.messages == ['{"queued":true}']


def test_authentication_failure_while_reconnecting_is_not_retried() -> None:
    with WsServer(_drop_on_request, record_until_closed) as server:
        policy = ReconnectPolicy(max_attempts=4, initial_delay=0.05, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy), DECODER)
        server.reject(401, "expired key")
        ws.send_json({"cmd": "drop"})
        with pytest.raises(RealtimeConnectionClosed) as caught:
            ws.recv(timeout=5)
        ws.close()
    assert "expired key" in str(caught.value)
    assert isinstance(caught.value.__cause__, RealtimeAuthenticationError)
    assert [h.rejected_with for h in server.handshakes] == [None, 401]


def test_reconnect_disabled_raises_connection_closed() -> None:
    with WsServer(_drop_after_two) as server:
        ws = connect_sync(options(server, reconnect=ReconnectPolicy(enabled=False)), DECODER)
        with pytest.raises(RealtimeConnectionClosed) as caught:
            list(ws)  # an abnormal close ends iteration with an error, after the drained messages
        ws.close()
    assert caught.value.code == 1006
    assert ws.closed and ws.close_code == 1006
    assert len(server.handshakes) == 1


def test_policy_close_code_is_not_retried() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.close(1008, "policy violation")

    with WsServer(script) as server:
        ws = connect_sync(options(server), DECODER)
        with pytest.raises(RealtimeConnectionClosed) as caught:
            ws.recv(timeout=5)
        ws.close()
    assert (caught.value.code, caught.value.reason) == (1008, "policy violation")
    assert len(server.handshakes) == 1


def test_queue_overflow_is_reported_for_the_rejected_message() -> None:
    with WsServer(_drop_on_request, record_until_closed) as server:
        policy = ReconnectPolicy(initial_delay=0.4, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy, max_queue=2), DECODER)
        errors: list[BaseException] = []
        ws.on(EventType.ERROR, errors.append)
        ws.start_listening()
        ws.send_json({"cmd": "drop"})
        wait_for(lambda: ws.reconnecting)
        ws.send_json({"n": 1})
        ws.send_json({"n": 2})
        with pytest.raises(UnsentMessagesError) as caught:
            ws.send_json({"n": 3})
        second = server.connection(1)
        server.wait_until(lambda: len(second.received) == 2)
        ws.close()
    assert caught.value.messages == ['{"n":3}']
    assert "max_queue=2" in str(caught.value)
    assert errors == [caught.value]
    assert second.received == ['{"n":1}', '{"n":2}']


def test_close_while_reconnecting_reports_queued_messages() -> None:
    with WsServer(_drop_on_request, record_until_closed) as server:
        policy = ReconnectPolicy(initial_delay=5.0, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy), DECODER)
        ws.start_listening()
        ws.send_json({"cmd": "drop"})
        wait_for(lambda: ws.reconnecting)
        ws.send_json({"n": 1})
        started = time.monotonic()
        with pytest.raises(UnsentMessagesError) as caught:
            ws.close()
        assert time.monotonic() - started < 2  # the backoff sleep is interrupted
        ws.close()  # idempotent, nothing left to report
    assert caught.value.messages == ['{"n":1}']
    assert ws.closed and len(server.handshakes) == 1
    assert ws.close_code == 1006  # the drop that started the reconnection


def test_sends_from_many_threads_during_reconnection_are_all_delivered() -> None:
    with WsServer(_drop_on_request, record_until_closed) as server:
        policy = ReconnectPolicy(initial_delay=0.3, jitter=0.0)
        ws = connect_sync(options(server, reconnect=policy), DECODER)
        ws.start_listening()
        ws.send_json({"cmd": "drop"})
        wait_for(lambda: ws.reconnecting)

        def sender(worker: int) -> None:
            for n in range(20):
                ws.send_json({"w": worker, "n": n})

        threads = [threading.Thread(target=sender, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
        second = server.connection(1)
        server.wait_until(lambda: len(second.received) == 80)
        ws.close()
    messages = [json.loads(frame) for frame in second.received]
    for worker in range(4):
        assert [m["n"] for m in messages if m["w"] == worker] == list(range(20))


def test_message_too_big_closes_with_1009_without_reconnecting() -> None:
    def script(conn: ScriptedConnection) -> None:
        conn.send(json.dumps({"type": "response.output_audio.delta", "delta": "A" * 4000}))
        conn.record_until_closed(5)

    with WsServer(script) as server:
        ws = connect_sync(options(server, max_size=1024), DECODER)
        with pytest.raises(RealtimeConnectionClosed) as caught:
            ws.recv(timeout=5)
        ws.close()
    # The client failed the connection itself: retrying would only fail the same way.
    assert caught.value.code == 1009
    assert len(server.handshakes) == 1


def test_two_receivers_at_once_is_a_clear_usage_error() -> None:
    opened = threading.Event()
    with WsServer() as server, connect_sync(options(server), DECODER) as ws:
        ws.on(EventType.OPEN, lambda _: opened.set())
        ws.start_listening()
        assert opened.wait(5)
        time.sleep(0.1)  # let the listener block in its receive
        with pytest.raises(RuntimeError, match="already receiving") as caught:
            ws.recv(timeout=1)
        assert not isinstance(caught.value, WebSocketException)


def test_reconnect_handlers_resend_setup_ahead_of_queued_messages_with_fresh_credentials() -> None:
    class Connection(RealtimeConnection[SessionUpdated | AudioDelta | ErrorEvent]):
        tokens = iter(["token-2", "token-3"])

        def options_for_reconnect(self) -> ConnectOptions:
            return dataclasses.replace(self.options, headers={"Authorization": f"Bearer {next(self.tokens)}"})

    with WsServer(_drop_on_request, record_until_closed) as server:
        opts = options(
            server, headers={"Authorization": "Bearer token-1"}, reconnect=ReconnectPolicy(initial_delay=0.3)
        )
        ws = connect_sync(opts, DECODER, Connection)
        states: list[bool] = []

        def resend_setup(info: ReconnectInfo) -> None:
            states.append(ws.reconnecting)
            ws.send_model(SessionUpdate(session=SessionConfig(voice="alloy")))

        ws.on(EventType.RECONNECT, resend_setup)
        ws.start_listening()
        ws.send_json({"cmd": "drop"})
        wait_for(lambda: ws.reconnecting)
        ws.send_model(AudioAppend(audio="queued"))
        second = server.connection(1)
        server.wait_until(lambda: len(second.received) == 2)
        ws.close()
    assert [json.loads(frame)["type"] for frame in second.received] == ["session.update", "input_audio_buffer.append"]
    assert states == [True]
    assert [h.header("authorization") for h in server.handshakes] == ["Bearer token-1", "Bearer token-2"]


def test_lifecycle_handler_errors_reach_error_handlers_or_the_log(caplog: pytest.LogCaptureFixture) -> None:
    def failing_close(info: CloseInfo) -> None:
        raise ValueError(f"close handler bug {info.code}")

    errors: list[BaseException] = []
    with WsServer() as server:
        with connect_sync(options(server), DECODER) as ws:
            ws.on(EventType.CLOSE, failing_close)
            ws.on(EventType.ERROR, errors.append)
        with caplog.at_level("ERROR"), connect_sync(options(server), DECODER) as ws:
            ws.on(EventType.CLOSE, failing_close)
    assert [str(e) for e in errors] == ["close handler bug 1000"]
    assert "CLOSE handler" in caplog.text and "close handler bug 1000" in caplog.text


def test_handshake_timeout_raises_realtime_timeout_error() -> None:
    with silent_listener() as listener:
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(RealtimeTimeoutError, match="timed out opening") as caught:
            connect_sync(ConnectOptions(f"ws://127.0.0.1:{port}/x", open_timeout=0.3), DECODER)
    assert isinstance(caught.value, TimeoutError)
    assert time.monotonic() - started < 3
