"""The asyncio realtime connection, and :func:`connect_async` which opens it.

Same behaviour as :mod:`._sync`, with tasks instead of threads. No lock is needed: state
changes happen between ``await`` points, so each one is atomic for the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

import pydantic
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConcurrencyError, ConnectionClosed, InvalidStatus
from websockets.http11 import Response
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

__all__ = ["AsyncRealtimeConnection", "connect_async", "open_async_websocket"]

T = TypeVar("T")
M = TypeVar("M")
C = TypeVar("C", bound="AsyncRealtimeConnection[Any]")

logger = logging.getLogger(__name__)


class _HandshakeConnection(ClientConnection):
    """Reports a redirect as :class:`Redirected` instead of letting websockets follow it."""

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().handshake(*args, **kwargs)
        except InvalidStatus as exc:
            if is_redirect(exc.response):
                raise Redirected(exc.response) from exc
            raise


async def _open(
    options: ConnectOptions, open_timeout: float | None
) -> ClientConnection:
    websocket: ClientConnection = await connect(
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
    )
    return websocket


async def open_async_websocket(options: ConnectOptions) -> ClientConnection:
    """Open one websockets connection, translating failures to :class:`RealtimeError`.

    Redirects are followed here, so that credentials stay with their origin (``_redirects``).
    """
    chain = RedirectChain(options)
    current = options
    while True:
        redirect: Response
        try:
            return await _open(current, chain.remaining_timeout())
        except Redirected as redirected:
            redirect = redirected.response
        except Exception as exc:
            translated = translate_open_error(exc, chain.display_url(current.url))
            if translated is exc:
                raise
            raise translated from exc
        current = chain.follow(current, redirect)


async def _call(handler: Handler, payload: object) -> None:
    result = handler(payload)
    if inspect.isawaitable(result):
        await result


class AsyncRealtimeConnection(Generic[T]):
    """The asyncio twin of :class:`RealtimeConnection`; see it for the semantics.

    ::

        async with await client.connect(...) as ws:
            await ws.send_session_update(SessionUpdate(...))
            async for message in ws:
                ...

    Handlers may be plain or ``async`` callables; they run one at a time in the listener task.
    The constructor is internal: ``(options, decoder, websocket)``, as for the sync class.
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
        self._settled = asyncio.Event()  # set whenever the state is not RECONNECTING
        self._settled.set()
        self._pending = PendingMessages(options.max_queue)
        self._closing = False
        self._close_error: RealtimeConnectionClosed | None = None
        self._unreported: UnsentMessagesError | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listener_error: BaseException | None = None
        self._direct_sender: asyncio.Task[Any] | None = None  # runs RECONNECT handlers
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

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_value is None:
            await self.close()
            return
        try:
            await self.close()
        except RealtimeError as close_error:
            # Raising here would hide the exception already leaving the block.
            exc_value.add_note(
                f"while closing the realtime connection: {close_error!r}"
            )

    # -- receiving ----------------------------------------------------------------------

    async def recv(self, timeout: float | None = None) -> T | UnknownMessage | bytes:
        """The next message; waits up to ``timeout`` seconds (``None``: no limit).

        Raises :class:`RealtimeConnectionClosed` once closed for good and drained, and
        :class:`RealtimeTimeoutError` when the timeout elapses.
        """
        return self._decode(await self.recv_raw(timeout))

    async def recv_raw(self, timeout: float | None = None) -> str | bytes:
        """The next frame as received (text as ``str``, binary as ``bytes``), undecoded."""
        ws = self._ws
        try:
            if timeout is None:
                return await ws.recv()
            async with asyncio.timeout(timeout):
                return await ws.recv()
        except ConnectionClosed:
            pass
        except TimeoutError:
            raise RealtimeTimeoutError(
                f"no message received within {timeout} s"
            ) from None
        except ConcurrencyError:
            raise concurrent_receive_error() from None
        if timeout is None:
            return await self._recv_after_close(ws, report=True)
        try:
            async with asyncio.timeout(timeout):
                return await self._recv_after_close(ws, report=True)
        except TimeoutError:
            raise RealtimeTimeoutError(
                f"no message received within {timeout} s"
            ) from None

    async def __aiter__(self) -> AsyncIterator[T | UnknownMessage | bytes]:
        """Messages until the connection is closed normally (or by this side)."""
        decode = self._decode
        while True:
            ws = self._ws
            try:
                frame = await ws.recv()
            except ConnectionClosed:
                try:
                    frame = await self._recv_after_close(ws, report=True)
                except RealtimeConnectionClosed as exc:
                    if exc.normal or self._closing:
                        return
                    raise
            except ConcurrencyError:
                raise concurrent_receive_error() from None
            yield decode(frame)

    async def _recv_after_close(
        self, ws: ClientConnection, *, report: bool
    ) -> str | bytes:
        # ``report``: whether an unreported UnsentMessagesError may be raised (and so count
        # as reported) here; the listener task passes False since handlers already got it.
        while True:
            await self._connection_lost(ws)
            await self._settled.wait()
            if self._state is State.CLOSED:
                raise self._closed_error(report)
            ws = self._ws
            try:
                return await ws.recv()
            except ConnectionClosed:
                continue
            except ConcurrencyError:
                raise concurrent_receive_error() from None

    def _closed_error(self, report: bool) -> RealtimeError:
        if report and self._unreported is not None:
            error, self._unreported = self._unreported, None
            return error
        assert self._close_error is not None
        return self._close_error.fresh()

    # -- sending ------------------------------------------------------------------------

    async def send_model(self, model: pydantic.BaseModel) -> None:
        """Send a message model as compact JSON: fields the caller set, by alias, tags included."""
        await self.send_raw(encode_model(model))

    async def send_json(self, data: Any) -> None:
        """Send plain data (dicts, lists...) as a compact JSON text frame."""
        await self.send_raw(encode_json(data))

    async def send_raw(self, data: str | bytes) -> None:
        """Send one frame: ``str`` as text, ``bytes`` as binary.

        While reconnecting the frame is queued (raises :class:`UnsentMessagesError` for it if
        the queue is full). Raises :class:`RealtimeConnectionClosed` once closed for good, or
        first the :class:`UnsentMessagesError` of a failed reconnection, once.
        """
        if self._state is State.OPEN:
            ws = self._ws
            try:
                await ws.send(data)
                return
            except ConnectionClosed:
                await self._connection_lost(ws)
        await self._send_slow(data)

    async def _send_slow(self, data: str | bytes) -> None:
        while True:
            state = self._state
            direct = False
            if state is State.RECONNECTING:
                if (
                    self._direct_sender is not None
                    and self._direct_sender is asyncio.current_task()
                ):
                    direct = True  # a RECONNECT handler: on the new socket, ahead of the queue
                else:
                    try:
                        self._pending.push(data)
                        return
                    except UnsentMessagesError as overflow:
                        await self._fire(EventType.ERROR, overflow)
                        raise
            if state is State.CLOSED:
                raise self._closed_error(True)
            ws = self._ws
            try:
                await ws.send(data)
                return
            except ConnectionClosed:
                if direct:
                    raise RealtimeConnectionClosed(
                        *close_details(ws.protocol),
                        detail="the new connection failed during RECONNECT handlers",
                    ) from None
                await self._connection_lost(ws)

    # -- handlers -----------------------------------------------------------------------

    @overload
    def on(self, event: EventType | str, handler: Handler) -> Handler: ...

    @overload
    def on(
        self, event: type[M], handler: Callable[[M], object]
    ) -> Callable[[M], object]: ...

    def on(self, event: EventType | str | type[Any], handler: Any) -> Any:
        """Register ``handler`` (plain or ``async``) for an event, a message tag or a class."""
        self._handlers.add(event, handler)
        return handler

    def start_listening(self) -> asyncio.Task[None]:
        """Receive in a background task, dispatching each message to its handlers.

        OPEN handlers run first. A handler's exception goes to the ERROR handlers; with none
        registered, listening stops and :meth:`wait` raises it.
        """
        if self._listener is not None:
            raise RuntimeError("start_listening() was already called")
        self._listener = asyncio.create_task(self._listen(), name="realtime-listener")
        return self._listener

    async def wait(self, timeout: float | None = None) -> None:
        """Wait until the listener task ends; raises what ended it abnormally (see sync)."""
        listener = self._listener
        if listener is None:
            raise RuntimeError("start_listening() was not called")
        done, _ = await asyncio.wait({listener}, timeout=timeout)
        if not done:
            raise RealtimeTimeoutError(f"still listening after {timeout} s")
        if self._listener_error is not None:
            error, self._listener_error = self._listener_error, None
            raise error
        unreported, self._unreported = self._unreported, None
        if unreported is not None:
            raise unreported

    async def _listen(self) -> None:
        handlers = self._handlers
        if not await self._call_all(handlers.lifecycle(EventType.OPEN), self):
            return
        decode = self._decode
        while True:
            ws = self._ws
            try:
                frame = await ws.recv()
            except ConnectionClosed:
                try:
                    frame = await self._recv_after_close(ws, report=False)
                except RealtimeError:
                    return  # CLOSE and ERROR handlers were fired where it happened
                except RuntimeError as exc:
                    self._listener_error = exc
                    return
            except ConcurrencyError:
                self._listener_error = concurrent_receive_error()
                return
            message = decode(frame)
            if not await self._call_all(handlers.for_message(message), message):
                return

    async def _call_all(self, handlers: list[Handler], payload: object) -> bool:
        # False: a handler failed with no ERROR handler to take it, so listening stops.
        for handler in handlers:
            try:
                await _call(handler, payload)
            except Exception as exc:
                if not self._handlers.lifecycle(EventType.ERROR):
                    logger.exception(
                        "realtime handler %r failed; listening stopped", handler
                    )
                    self._listener_error = exc
                    return False
                await self._fire(EventType.ERROR, exc)
        return True

    async def _fire(self, event: EventType, payload: object) -> None:
        for handler in self._handlers.lifecycle(event):
            try:
                await _call(handler, payload)
            except Exception as exc:
                if event is EventType.ERROR or not self._handlers.lifecycle(
                    EventType.ERROR
                ):
                    # Nobody else to tell: a log line is the last place it can still be seen.
                    logger.exception(
                        "realtime %s handler %r failed", event.name, handler
                    )
                else:
                    await self._fire(EventType.ERROR, exc)

    # -- closing and reconnecting -------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (idempotent); raises like the sync :meth:`close`."""
        self._closing = True
        state = self._state
        ws = self._ws
        pending = self._pending.drain()
        unreported, self._unreported = self._unreported, None
        if state is State.RECONNECTING:
            drop_code, drop_reason = self._drop
            self._set_closed(drop_code, drop_reason, "closed while reconnecting")
            task = self._reconnect_task
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                await asyncio.wait({task}, timeout=self._options.close_timeout)
            # The task may have opened a new websocket before it was cancelled.
            await self._ws.close(code, reason)
            await self._fire(EventType.CLOSE, CloseInfo(drop_code, drop_reason))
        elif state is State.OPEN:
            await ws.close(code, reason)
            await self._mark_closed(*close_details(ws.protocol))
        listener = self._listener
        if (
            listener is not None
            and listener is not asyncio.current_task()
            and not listener.done()
        ):
            await asyncio.wait({listener}, timeout=self._options.close_timeout)
        if pending:
            error = UnsentMessagesError(
                pending, "the connection was closed while reconnecting"
            )
            await self._fire(EventType.ERROR, error)
            raise error
        if unreported is not None:
            raise unreported

    def _set_closed(
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
        self._settled.set()
        return True

    async def _mark_closed(self, code: int, reason: str) -> None:
        if self._set_closed(code, reason):
            await self._fire(EventType.CLOSE, CloseInfo(code, reason))

    async def _connection_lost(self, ws: ClientConnection) -> None:
        # Called by whichever task saw ``ws`` fail; only the first call for the current
        # websocket decides between reconnecting and closing for good.
        if ws is not self._ws or self._state is not State.OPEN:
            return
        code, reason = close_details(ws.protocol)
        if not self._closing and should_reconnect(self._options.reconnect, code):
            self._state = State.RECONNECTING
            self._drop = (code, reason)
            self._settled.clear()
            self._reconnect_task = asyncio.create_task(
                self._reconnect(code, reason), name="realtime-reconnect"
            )
            return
        await self._mark_closed(code, reason)

    async def _reconnect(self, code: int, reason: str) -> None:
        policy = self._options.reconnect
        last_error: BaseException | None = None
        attempt = 0
        for attempt in range(1, policy.max_attempts + 1):
            await asyncio.sleep(reconnect_delay(policy, attempt))
            try:
                ws = await open_async_websocket(self.options_for_reconnect())
            except RealtimeError as exc:
                last_error = exc
                if is_retryable_open_error(exc):
                    continue
                break
            if self._closing:
                await ws.close()
                return
            self._ws = ws
            # Before the flush: a new connection is a new server session, so handlers
            # re-sending session setup must get ahead of the messages queued meanwhile.
            self._direct_sender = asyncio.current_task()
            try:
                await self._fire(
                    EventType.RECONNECT, ReconnectInfo(attempt, code, reason)
                )
            finally:
                self._direct_sender = None
            if await self._flush(ws):
                if self._closing:
                    return  # close() took over while flushing; it closes self._ws
                self._state = State.OPEN
                self._settled.set()
                return
            last_error = RealtimeConnectionClosed(
                *close_details(ws.protocol), detail="while flushing"
            )
        await self._give_up(code, reason, attempt, last_error)

    def options_for_reconnect(self) -> ConnectOptions:
        """Options for the next reconnection attempt: override to refresh short-lived credentials."""
        return self._options

    async def _flush(self, ws: ClientConnection) -> bool:
        # Sends queued while flushing join the queue (the state is still RECONNECTING),
        # so the loop ends only once nothing is left and order is preserved.
        pending = self._pending
        while pending:
            try:
                await ws.send(pending.peek())
            except ConnectionClosed:
                return False
            if self._closing:
                return True
            pending.pop()
        return True

    async def _give_up(
        self, code: int, reason: str, attempts: int, last_error: BaseException | None
    ) -> None:
        if self._closing:
            return  # close() owns the pending messages now
        detail = f"reconnection failed after {attempts} attempt(s)" + (
            f": {last_error}" if last_error else ""
        )
        pending = self._pending.drain()
        unsent = UnsentMessagesError(pending, detail) if pending else None
        if unsent is not None:
            unsent.__cause__ = last_error
        self._unreported = unsent
        self._set_closed(code, reason, detail, last_error)
        await self._fire(EventType.ERROR, unsent or self._closed_error(False))
        await self._fire(EventType.CLOSE, CloseInfo(code, reason))


@overload
async def connect_async(
    options: ConnectOptions,
    decoder: MessageDecoder[T] | Callable[[], MessageDecoder[T]],
) -> AsyncRealtimeConnection[T]: ...


@overload
async def connect_async(
    options: ConnectOptions,
    decoder: MessageDecoder[Any] | Callable[[], MessageDecoder[Any]],
    connection_cls: type[C],
) -> C: ...


async def connect_async(
    options: ConnectOptions,
    decoder: MessageDecoder[Any] | Callable[[], MessageDecoder[Any]],
    connection_cls: type[AsyncRealtimeConnection[Any]] = AsyncRealtimeConnection,
) -> AsyncRealtimeConnection[Any]:
    """Open a realtime connection and wrap it in ``connection_cls``; errors as :func:`connect_sync`.

    ``decoder`` may be a factory, called once the handshake has succeeded (as for the sync twin).
    """
    websocket = await open_async_websocket(options)
    try:
        built = decoder if isinstance(decoder, MessageDecoder) else decoder()
    except BaseException:
        await websocket.close()
        raise
    return connection_cls(options, built, websocket)
