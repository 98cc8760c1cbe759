"""Server-sent events: an incremental decoder and the typed ``Stream`` / ``AsyncStream`` iterators."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

import httpx
import pydantic

from ._decoding import validate_json
from ._exceptions import APIError, connection_error
from ._iterating import AsyncItems, SyncItems

__all__ = ["AsyncStream", "SSEDecoder", "ServerSentEvent", "Stream"]

T = TypeVar("T")

# OpenAI-style streams end with this sentinel instead of just closing the connection.
_DONE = "[DONE]"


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event; ``event`` is ``"message"`` when the server did not name it."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None

    def json(self) -> object:
        return json.loads(self.data)


class SSEDecoder:
    """Incremental parser for the ``text/event-stream`` format (WHATWG HTML, "server-sent events").

    Feed it arbitrary byte chunks; it handles LF, CR and CRLF line ends even when a CRLF
    is split across two chunks.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._retry: int | None = None
        # The last event id persists across events, as the spec requires for reconnection.
        self._last_id: str | None = None
        self._has_fields = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        self._buffer += chunk
        events: list[ServerSentEvent] = []
        while True:
            cr, lf = self._buffer.find(b"\r"), self._buffer.find(b"\n")
            if cr == -1 and lf == -1:
                return events
            if cr != -1 and (lf == -1 or cr < lf):
                if cr + 1 == len(self._buffer):
                    return events  # a CR at the end may be the first half of a CRLF
                end, next_start = (
                    cr,
                    cr + (2 if self._buffer[cr + 1 : cr + 2] == b"\n" else 1),
                )
            else:
                end, next_start = lf, lf + 1
            line = self._buffer[:end].decode("utf-8", errors="replace")
            self._buffer = self._buffer[next_start:]
            event = self._process_line(line)
            if event is not None:
                events.append(event)

    def flush(self) -> list[ServerSentEvent]:
        """Finish the stream. A trailing event without its blank line is still delivered:
        dropping it would hide a truncated stream, while a truncated JSON payload fails loudly."""
        events: list[ServerSentEvent] = []
        if self._buffer:
            event = self._process_line(self._buffer.decode("utf-8", errors="replace"))
            self._buffer = b""
            if event is not None:
                events.append(event)
        event = self._process_line("")
        if event is not None:
            events.append(event)
        return events

    def _process_line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment, typically a keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_fields = True
        elif name == "event":
            self._event = value
            self._has_fields = True
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
                self._has_fields = True
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
            self._has_fields = True
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._has_fields:
            return None
        has_data = bool(self._data)
        event = ServerSentEvent(
            data="\n".join(self._data),
            event=self._event or "message",
            id=self._last_id,
            retry=self._retry,
        )
        self._data = []
        self._event = None
        self._retry = None
        self._has_fields = False
        # Per spec an event without any data line is not dispatched (it only updates id/retry).
        return event if has_data else None


def _error_from_event(event: ServerSentEvent, response: httpx.Response) -> APIError:
    try:
        payload: object = json.loads(event.data)
    except ValueError:
        payload = event.data
    message: str | None = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            message = str(error["message"])
        elif isinstance(payload.get("message"), str):
            message = str(payload["message"])
    if message is None:
        message = event.data or "The server sent an error event."
    return APIError(f"Stream error: {message}", response.request, body=payload)


class _StreamBase(Generic[T]):
    def __init__(self, *, response: httpx.Response, event_type: type[T]) -> None:
        self.response = response
        self._event_type = event_type

    def _decode(self, event: ServerSentEvent) -> T | None:
        """The typed item for ``event``; None means "skip it", and [DONE] is handled by the caller."""
        if event.event == "error":
            raise _error_from_event(event, self.response)
        if not event.data.strip():
            return None  # data-less pings carry nothing to decode
        item = validate_json(self._event_type, event.data, response=self.response)
        # Unions of event types are generated as RootModel classes; callers want the event itself.
        return cast("T", item.root) if isinstance(item, pydantic.RootModel) else item


class Stream(_StreamBase[T], SyncItems[T]):
    """Iterator of typed events from a ``text/event-stream`` response.

    The response is closed when the stream is exhausted, when ``[DONE]`` arrives, on error,
    and on ``close()`` or leaving a ``with`` block.
    """

    def __init__(self, *, response: httpx.Response, event_type: type[T]) -> None:
        super().__init__(response=response, event_type=event_type)
        self._iterator = self._iterate()

    def events(self) -> Generator[ServerSentEvent, None, None]:
        """The raw events, for callers that need ids, names or non-JSON data."""
        decoder = SSEDecoder()
        try:
            for chunk in self.response.iter_bytes():
                yield from decoder.feed(chunk)
            yield from decoder.flush()
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            self.response.close()

    def _iterate(self) -> Generator[T, None, None]:
        events = self.events()
        try:
            for event in events:
                if event.data == _DONE:
                    return
                item = self._decode(event)
                if item is not None:
                    yield item
        finally:
            events.close()


class AsyncStream(_StreamBase[T], AsyncItems[T]):
    """Async iterator of typed events from a ``text/event-stream`` response (see :class:`Stream`)."""

    def __init__(self, *, response: httpx.Response, event_type: type[T]) -> None:
        super().__init__(response=response, event_type=event_type)
        self._iterator = self._iterate()

    async def events(self) -> AsyncGenerator[ServerSentEvent, None]:
        """The raw events, for callers that need ids, names or non-JSON data."""
        decoder = SSEDecoder()
        try:
            async for chunk in self.response.aiter_bytes():
                for event in decoder.feed(chunk):
                    yield event
            for event in decoder.flush():
                yield event
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            await self.response.aclose()

    async def _iterate(self) -> AsyncGenerator[T, None]:
        events = self.events()
        try:
            async for event in events:
                if event.data == _DONE:
                    return
                item = self._decode(event)
                if item is not None:
                    yield item
        finally:
            await events.aclose()
