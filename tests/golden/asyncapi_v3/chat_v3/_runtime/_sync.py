"""The blocking realtime connection (threads), and :func:`connect_sync` which opens it."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

import pydantic
from websockets.exceptions import ConcurrencyError, ConnectionClosed, InvalidStatus
from websockets.http11 import Response
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from ._decoding import MessageDecoder, UnknownMessage
from ._encoding import encode_json, encode_model
from ._errors import (
    RealtimeConnectionClosed,
    RealtimeError,
    RealtimeTimeoutError,
    UnsentMessagesError,
    concurrent_receive_error,
    is_retryable_open_error,
    translate_open_error,
)
from ._events import CloseInfo, EventType, Handler, HandlerRegistry, ReconnectInfo
from ._options import ConnectOptions
from ._reconnect import (
    PendingMessages,
    State,
    close_details,
    reconnect_delay,
    should_reconnect,
)
from ._redaction import handshake_logger
from ._redirects import RedirectChain, Redirected, is_redirect

__all__ = ["RealtimeConnection", "connect_sync", "open_sync_websocket"]

T = TypeVar("T")
M = TypeVar("M")
C = TypeVar("C", bound="RealtimeConnection[Any]")

logger = logging.getLogger(__name__)

# websockets >= 17.1 deprecates calling connect() outside a ``with`` block unless legacy=True;
# older releases do not know the flag (and would pass it on to socket.create_connection).
_LEGACY_FLAG: dict[str, Any] = (
    {"legacy": True} if "legacy" in inspect.signature(connect).parameters else {}
)


class _HandshakeConnection(ClientConnection):
    """Reports a redirect as :class:`Redirected` instead of letting websockets follow it."""

    def handshake(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().handshake(*args, **kwargs)
        except InvalidStatus as exc:
            if is_redirect(exc.response):
                raise Redirected(exc.response) from exc
            raise


def _open(options: ConnectOptions, open_timeout: float | None) -> ClientConnection:
    websocket: ClientConnection = connect(
        options.url,
        additional_headers=options.headers or None,
        subprotocols=[Subprotocol(name) for name in options.subprotocols] or None,
        compression=options.compression,
        open_timeout=open_timeout,
        ping_interval=options.ping_interval,
        ping_timeout=options.ping_timeout,
        close_timeout=options.close_timeout,
        max_size=options.max_size,
        logger=handshake_logger(options.secrets),
        create_connection=_HandshakeConnection,
        **_LEGACY_FLAG,
    )
    return websocket


def open_sync_websocket(options: ConnectOptions) -> ClientConnection:
    """Open one websockets connection, translating failures to :class:`RealtimeError`.

    Redirects are followed here, so that credentials stay with their origin (``_redirects``).
    """
    chain = RedirectChain(options)
    current = options
    while True:
        redirect: Response
        try:
            return _open(current, chain.remaining_timeout())
        except Redirected as redirected:
            redirect = redirected.response
        except Exception as exc:
            translated = translate_open_error(exc, chain.display_url(current.url))
            if translated is exc:
                raise
            raise translated from exc
        current = chain.follow(current, redirect)


class RealtimeConnection(Generic[T]):
    """A realtime WebSocket session receiving messages of type ``T``.

    Use it as a context manager, receive with ``recv()``/iteration or with handlers and
    ``start_listening()``, and send with ``send_model()`` (generated subclasses add one typed
    ``send_<message>()`` method per client message)::

        with client.connect(...) as ws:
            ws.send_session_update(SessionUpdate(...))
            for message in ws:
                ...

    Received messages are ``T`` (a decoded server message), :class:`UnknownMessage` or
    ``bytes`` (binary frames). When the connection drops abnormally it is reopened per
    ``options.reconnect``: receiving continues on the new connection and messages sent
    meanwhile are queued and flushed in order. Messages that could not be delivered are
    always reported (:class:`UnsentMessagesError`), never dropped silently.

    A reopened connection is usually a new server session (OpenAI's realtime API does not
    resume one), so session setup must be sent again: do it in a RECONNECT handler. Those
    run once the new connection is open but before the queued messages are flushed, and
    what they send goes first; ``options_for_reconnect()`` can refresh credentials.

    Thread safety: one thread receives (the iterating thread, or the listener thread);
    any thread may send. The receive path takes no lock; the send path takes one only
    while reconnecting.

    The constructor is internal: ``(options, decoder, websocket)`` with an open websockets
    ``ClientConnection``; :func:`connect_sync` calls it, subclasses must keep it.
    """

    def __init__(
        self,
        options: ConnectOptions,
        decoder: MessageDecoder[T],
        websocket: ClientConnection,
    ) -> None:
        self._options = options
        self._decoder = decoder
        self._decode = decoder.decode
        self._ws = websocket
        self._state = State.OPEN
        self._handlers = HandlerRegistry(decoder)
        # Guards state transitions, the pending queue and the swap of ``_ws``; never taken
        # on the receive path, and on the send path only when not OPEN.
        self._lock = threading.Lock()
        self._state_changed = threading.Condition(self._lock)
        self._pending = PendingMessages(options.max_queue)
        self._closing = False
        self._stop_reconnecting = threading.Event()
        self._close_error: RealtimeConnectionClosed | None = None
        self._unreported: UnsentMessagesError | None = None
        self._reconnect_thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self._listener_error: BaseException | None = None
        self._direct_sender: threading.Thread | None = None  # runs RECONNECT handlers
        self._drop: tuple[int, str] = (
            1006,
            "",
        )  # the close that started the current reconnection

    # -- properties ---------------------------------------------------------------------

    @property
    def options(self) -> ConnectOptions:
        return self._options

    @property
    def decoder(self) -> MessageDecoder[T]:
        return self._decoder

    @property
    def closed(self) -> bool:
        """True once the connection is closed for good (not while reconnecting)."""
        return self._state is State.CLOSED

    @property
    def reconnecting(self) -> bool:
        return self._state is State.RECONNECTING

    @property
    def close_code(self) -> int | None:
        """Why the connection ended (see :class:`RealtimeConnectionClosed`); ``None`` until closed for good."""
        error = self._close_error
        return error.code if error is not None else None

    @property
    def close_reason(self) -> str | None:
        error = self._close_error
        return error.reason if error is not None else None

    @property
    def subprotocol(self) -> str | None:
        """Subprotocol the server selected during the (latest) handshake."""
        return self._ws.subprotocol

    @property
    def response_headers(self) -> Mapping[str, str]:
        """Headers of the server's (latest) handshake response."""
        response = self._ws.response
        return response.headers if response is not None else {}

    # -- context manager ----------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_value is None:
            self.close()
            return
        try:
            self.close()
        except RealtimeError as close_error:
            # Raising here would hide the exception already leaving the block.
            exc_value.add_note(
                f"while closing the realtime connection: {close_error!r}"
            )

    # -- receiving ----------------------------------------------------------------------

    def recv(self, timeout: float | None = None) -> T | UnknownMessage | bytes:
        """The next message; blocks up to ``timeout`` seconds (``None``: no limit).

        Raises :class:`RealtimeConnectionClosed` once the connection is closed for good and
        every message received before the close has been returned, and
        :class:`RealtimeTimeoutError` when the timeout elapses.
        """
        ws = self._ws
        try:
            frame = ws.recv(timeout)
        except ConnectionClosed:
            frame = self._recv_after_close(ws, timeout, report=True)
        except TimeoutError:
            raise RealtimeTimeoutError(
                f"no message received within {timeout} s"
            ) from None
        except ConcurrencyError:
            raise concurrent_receive_error() from None
        return self._decode(frame)

    def recv_raw(self, timeout: float | None = None) -> str | bytes:
        """The next frame as received (text as ``str``, binary as ``bytes``), undecoded."""
        ws = self._ws
        try:
            return ws.recv(timeout)
        except ConnectionClosed:
            return self._recv_after_close(ws, timeout, report=True)
        except TimeoutError:
            raise RealtimeTimeoutError(
                f"no message received within {timeout} s"
            ) from None
        except ConcurrencyError:
            raise concurrent_receive_error() from None

    def __iter__(self) -> Iterator[T | UnknownMessage | bytes]:
        """Messages until the connection is closed normally (or by this side)."""
        decode = self._decode
        while True:
            ws = self._ws
            try:
                frame = ws.recv()
            except ConnectionClosed:
                try:
                    frame = self._recv_after_close(ws, None, report=True)
                except RealtimeConnectionClosed as exc:
                    if exc.normal or self._closing:
                        return
                    raise
            except ConcurrencyError:
                raise concurrent_receive_error() from None
            yield decode(frame)

    def _recv_after_close(
        self, ws: ClientConnection, timeout: float | None, *, report: bool
    ) -> str | bytes:
        # ``report``: whether an unreported UnsentMessagesError may be raised (and so count
        # as reported) here; the listener thread passes False since handlers already got it.
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._connection_lost(ws)
            with self._lock:
                remaining = (
                    None if deadline is None else max(0.0, deadline - time.monotonic())
                )
                if not self._state_changed.wait_for(
                    lambda: self._state is not State.RECONNECTING, remaining
                ):
                    raise RealtimeTimeoutError(f"still reconnecting after {timeout} s")
                if self._state is State.CLOSED:
                    raise self._closed_error_locked(report)
                ws = self._ws
            remaining = (
                None if deadline is None else max(0.0, deadline - time.monotonic())
            )
            try:
                return ws.recv(remaining)
            except ConnectionClosed:
                continue
            except TimeoutError:
                raise RealtimeTimeoutError(
                    f"no message received within {timeout} s"
                ) from None
            except ConcurrencyError:
                raise concurrent_receive_error() from None

    def _closed_error_locked(self, report: bool) -> RealtimeError:
        if report and self._unreported is not None:
            error, self._unreported = self._unreported, None
            return error
        assert self._close_error is not None
        return self._close_error.fresh()

    # -- sending ------------------------------------------------------------------------

    def send_model(self, model: pydantic.BaseModel) -> None:
        """Send a message model as compact JSON: fields the caller set, by alias, tags included."""
        self.send_raw(encode_model(model))

    def send_json(self, data: Any) -> None:
        """Send plain data (dicts, lists...) as a compact JSON text frame."""
        self.send_raw(encode_json(data))

    def send_raw(self, data: str | bytes) -> None:
        """Send one frame: ``str`` as text, ``bytes`` as binary.

        While reconnecting the frame is queued (raises :class:`UnsentMessagesError` for it if
        the queue is full). Raises :class:`RealtimeConnectionClosed` once closed for good, or
        first the :class:`UnsentMessagesError` of a failed reconnection, once.
        """
        if self._state is State.OPEN:
            ws = self._ws
            try:
                ws.send(data)
                return
            except ConnectionClosed:
                self._connection_lost(ws)
        self._send_slow(data)

    def _send_slow(self, data: str | bytes) -> None:
        while True:
            direct = False
            overflow: UnsentMessagesError | None = None
            with self._lock:
                state = self._state
                if state is State.RECONNECTING:
                    if self._direct_sender is threading.current_thread():
                        direct = True  # a RECONNECT handler: on the new socket, ahead of the queue
                    else:
                        try:
                            self._pending.push(data)
                            return
                        except UnsentMessagesError as exc:
                            overflow = exc
                elif state is State.CLOSED:
                    raise self._closed_error_locked(True)
                ws = self._ws
            if overflow is not None:
                self._fire(EventType.ERROR, overflow)
                raise overflow
            try:
                ws.send(data)
                return
            except ConnectionClosed:
                if direct:
                    raise RealtimeConnectionClosed(
                        *close_details(ws.protocol),
                        detail="the new connection failed during RECONNECT handlers",
                    ) from None
                self._connection_lost(ws)

    # -- handlers -----------------------------------------------------------------------

    @overload
    def on(self, event: EventType | str, handler: Handler) -> Handler: ...

    @overload
    def on(
        self, event: type[M], handler: Callable[[M], object]
    ) -> Callable[[M], object]: ...

    def on(self, event: EventType | str | type[Any], handler: Any) -> Any:
        """Register ``handler`` for a lifecycle event, a message tag or a message class.

        Returns the handler. Lifecycle handlers fire from whichever thread observes the event;
        message handlers run in the listener thread (see :meth:`start_listening`).
        """
        self._handlers.add(event, handler)
        return handler

    def start_listening(self) -> threading.Thread:
        """Receive in a background thread, dispatching each message to its handlers.

        OPEN handlers run first. A handler's exception goes to the ERROR handlers; with none
        registered, listening stops and :meth:`wait` raises it. Returns the (daemon) thread.
        """
        if self._listener is not None:
            raise RuntimeError("start_listening() was already called")
        self._listener = threading.Thread(
            target=self._listen, name="realtime-listener", daemon=True
        )
        self._listener.start()
        return self._listener

    def wait(self, timeout: float | None = None) -> None:
        """Block until the listener thread ends (the connection closed for good).

        Raises what ended it abnormally: a handler's exception (see :meth:`start_listening`)
        or the :class:`UnsentMessagesError` of a failed reconnection.
        """
        listener = self._listener
        if listener is None:
            raise RuntimeError("start_listening() was not called")
        listener.join(timeout)
        if listener.is_alive():
            raise RealtimeTimeoutError(f"still listening after {timeout} s")
        if self._listener_error is not None:
            error, self._listener_error = self._listener_error, None
            raise error
        with self._lock:
            unreported, self._unreported = self._unreported, None
        if unreported is not None:
            raise unreported

    def _listen(self) -> None:
        handlers = self._handlers
        if not self._call_all(handlers.lifecycle(EventType.OPEN), self):
            return
        decode = self._decode
        while True:
            ws = self._ws
            try:
                frame = ws.recv()
            except ConnectionClosed:
                try:
                    frame = self._recv_after_close(ws, None, report=False)
                except RealtimeError:
                    return  # CLOSE and ERROR handlers were fired where it happened
                except RuntimeError as exc:
                    self._listener_error = exc
                    return
            except ConcurrencyError:
                self._listener_error = concurrent_receive_error()
                return
            message = decode(frame)
            if not self._call_all(handlers.for_message(message), message):
                return

    def _call_all(self, handlers: list[Handler], payload: object) -> bool:
        # False: a handler failed with no ERROR handler to take it, so listening stops.
        for handler in handlers:
            try:
                handler(payload)
            except Exception as exc:
                if not self._handlers.lifecycle(EventType.ERROR):
                    logger.exception(
                        "realtime handler %r failed; listening stopped", handler
                    )
                    self._listener_error = exc
                    return False
                self._fire(EventType.ERROR, exc)
        return True

    def _fire(self, event: EventType, payload: object) -> None:
        for handler in self._handlers.lifecycle(event):
            try:
                handler(payload)
            except Exception as exc:
                if event is EventType.ERROR or not self._handlers.lifecycle(
                    EventType.ERROR
                ):
                    # Nobody else to tell: a log line is the last place it can still be seen.
                    logger.exception(
                        "realtime %s handler %r failed", event.name, handler
                    )
                else:
                    self._fire(EventType.ERROR, exc)

    # -- closing and reconnecting -------------------------------------------------------

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (idempotent).

        Raises :class:`UnsentMessagesError` if messages were still queued for a reconnection,
        or if a failed reconnection's error was not raised yet.
        """
        with self._lock:
            self._closing = True
            self._stop_reconnecting.set()
            state = self._state
            ws = self._ws
            pending = self._pending.drain()
            unreported, self._unreported = self._unreported, None
            if state is State.RECONNECTING:
                # In the same critical section as the drain: a send must not queue behind it.
                drop_code, drop_reason = self._drop
                closed_now = self._set_closed_locked(
                    drop_code, drop_reason, "closed while reconnecting"
                )
        if state is State.OPEN:
            ws.close(code, reason)
            self._mark_closed(*close_details(ws.protocol))
        elif state is State.RECONNECTING and closed_now:
            self._fire(EventType.CLOSE, CloseInfo(drop_code, drop_reason))
        listener = self._listener
        if listener is not None and listener is not threading.current_thread():
            listener.join(self._options.close_timeout)
        if pending:
            error = UnsentMessagesError(
                pending, "the connection was closed while reconnecting"
            )
            self._fire(EventType.ERROR, error)
            raise error
        if unreported is not None:
            raise unreported

    def _set_closed_locked(
        self,
        code: int,
        reason: str,
        detail: str = "",
        cause: BaseException | None = None,
    ) -> bool:
        if self._state is State.CLOSED:
            return False
        self._state = State.CLOSED
        self._close_error = RealtimeConnectionClosed(code, reason, detail=detail)
        self._close_error.__cause__ = cause
        self._state_changed.notify_all()
        return True

    def _mark_closed(self, code: int, reason: str) -> None:
        with self._lock:
            closed_now = self._set_closed_locked(code, reason)
        if closed_now:
            self._fire(EventType.CLOSE, CloseInfo(code, reason))

    def _connection_lost(self, ws: ClientConnection) -> None:
        # Called by whichever thread saw ``ws`` fail; only the first call for the current
        # websocket decides between reconnecting and closing for good.
        with self._lock:
            if ws is not self._ws or self._state is not State.OPEN:
                return
            code, reason = close_details(ws.protocol)
            reconnect = not self._closing and should_reconnect(
                self._options.reconnect, code
            )
            if reconnect:
                self._state = State.RECONNECTING
                self._drop = (code, reason)
                self._reconnect_thread = threading.Thread(
                    target=self._reconnect,
                    args=(code, reason),
                    name="realtime-reconnect",
                    daemon=True,
                )
                self._reconnect_thread.start()
        if not reconnect:
            self._mark_closed(code, reason)

    def _reconnect(self, code: int, reason: str) -> None:
        policy = self._options.reconnect
        last_error: BaseException | None = None
        attempt = 0
        for attempt in range(1, policy.max_attempts + 1):
            if self._stop_reconnecting.wait(reconnect_delay(policy, attempt)):
                return
            try:
                ws = open_sync_websocket(self.options_for_reconnect())
            except RealtimeError as exc:
                last_error = exc
                if is_retryable_open_error(exc):
                    continue
                break
            with self._lock:
                closing = self._closing
                if not closing:
                    self._ws = ws
                    self._direct_sender = threading.current_thread()
            if not closing:
                # Before the flush: a new connection is a new server session, so handlers
                # re-sending session setup must get ahead of the messages queued meanwhile.
                try:
                    self._fire(
                        EventType.RECONNECT, ReconnectInfo(attempt, code, reason)
                    )
                finally:
                    self._direct_sender = None
                with self._lock:
                    closing = self._closing
                    flushed = not closing and self._flush_locked(ws)
                    if flushed:
                        self._state = State.OPEN
                        self._state_changed.notify_all()
            if closing:
                ws.close()
                return
            if flushed:
                return
            last_error = RealtimeConnectionClosed(
                *close_details(ws.protocol), detail="while flushing"
            )
        self._give_up(code, reason, attempt, last_error)

    def options_for_reconnect(self) -> ConnectOptions:
        """Options for the next reconnection attempt: override to refresh short-lived credentials."""
        return self._options

    def _flush_locked(self, ws: ClientConnection) -> bool:
        pending = self._pending
        while pending:
            try:
                ws.send(pending.peek())
            except ConnectionClosed:
                return False
            pending.pop()
        return True

    def _give_up(
        self, code: int, reason: str, attempts: int, last_error: BaseException | None
    ) -> None:
        detail = f"reconnection failed after {attempts} attempt(s)" + (
            f": {last_error}" if last_error else ""
        )
        with self._lock:
            if self._closing:
                return  # close() owns the pending messages now
            pending = self._pending.drain()
            unsent = UnsentMessagesError(pending, detail) if pending else None
            if unsent is not None:
                unsent.__cause__ = last_error
            self._unreported = unsent
            self._set_closed_locked(code, reason, detail, last_error)
            error: RealtimeError = unsent or self._closed_error_locked(False)
        self._fire(EventType.ERROR, error)
        self._fire(EventType.CLOSE, CloseInfo(code, reason))


@overload
def connect_sync(
    options: ConnectOptions,
    decoder: MessageDecoder[T] | Callable[[], MessageDecoder[T]],
) -> RealtimeConnection[T]: ...


@overload
def connect_sync(
    options: ConnectOptions,
    decoder: MessageDecoder[Any] | Callable[[], MessageDecoder[Any]],
    connection_cls: type[C],
) -> C: ...


def connect_sync(
    options: ConnectOptions,
    decoder: MessageDecoder[Any] | Callable[[], MessageDecoder[Any]],
    connection_cls: type[RealtimeConnection[Any]] = RealtimeConnection,
) -> RealtimeConnection[Any]:
    """Open a realtime connection (blocking) and wrap it in ``connection_cls``.

    Raises :class:`RealtimeAuthenticationError` (401), :class:`RealtimePermissionDeniedError`
    (403) or :class:`RealtimeHandshakeError` when the server rejects the handshake, and
    :class:`RealtimeConnectError` / :class:`RealtimeTimeoutError` when it cannot be reached.

    ``decoder`` may be a factory (the generated ``server_message_decoder``): it is called only
    once the handshake has succeeded, so building it never hides the handshake's outcome.
    """
    websocket = open_sync_websocket(options)
    try:
        built = decoder if isinstance(decoder, MessageDecoder) else decoder()
    except BaseException:
        websocket.close()
        raise
    return connection_cls(options, built, websocket)
