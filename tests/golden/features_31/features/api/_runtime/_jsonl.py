"""Line-delimited JSON streams: NDJSON, JSON Lines and JSON text sequences (RFC 7464).

One JSON document per line (per ``RS``-prefixed record for ``application/json-seq``), each
decoded into the item type as it arrives: ``JSONLStream`` / ``AsyncJSONLStream``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Generator
from typing import Generic, TypeVar, cast

import httpx
import pydantic

from ._binary import AsyncBinaryStream, BinaryStream
from ._decoding import validate_json
from ._exceptions import APIError, connection_error
from ._iterating import AsyncItems, SyncItems

__all__ = ["AsyncJSONLStream", "JSONLDecoder", "JSONLStream"]

T = TypeVar("T")

_RS = b"\x1e"  # record separator of RFC 7464 JSON text sequences
_JSON_SEQ = "application/json-seq"


class JSONLDecoder:
    """Incremental splitter of a line-delimited JSON body into one ``bytes`` document each.

    Feed it arbitrary byte chunks (a document may be split anywhere, even inside a UTF-8
    character). Blank lines are skipped; CRLF line ends are accepted. With ``json_seq`` the
    documents are the records of an RFC 7464 sequence, each introduced by ``RS`` (0x1E), so a
    document may span lines.
    """

    def __init__(self, *, json_seq: bool = False) -> None:
        self._separator = _RS if json_seq else b"\n"
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        if self._separator not in chunk:
            return []
        *complete, self._buffer = self._buffer.split(self._separator)
        return [doc for doc in map(self._strip, complete) if doc]

    def flush(self) -> bytes | None:
        """The unterminated rest of the body, or None when the body ended on a line end.

        The caller decides what a rest means: in NDJSON it is a last line whose newline never
        came, which is an error unless it is a whole JSON document (see ``JSONLStream``).
        """
        rest, self._buffer = self._strip(self._buffer), b""
        return rest or None

    @staticmethod
    def _strip(raw: bytes) -> bytes:
        return raw.strip(b" \t\r\n" + _RS)


def _partial_line_error(rest: bytes, response: httpx.Response) -> APIError:
    preview = rest[:80].decode("utf-8", errors="replace")
    return APIError(
        "The JSON lines stream ended with a partial last line "
        f"({len(rest)} bytes without a line end, not a whole JSON document: {preview!r}); "
        "the response was cut short.",
        response.request,
        body=rest,
    )


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        return False
    return True


class _JSONLBase(Generic[T]):
    def __init__(
        self,
        source: httpx.Response | BinaryStream | AsyncBinaryStream,
        *,
        event_type: type[T],
    ) -> None:
        response = source if isinstance(source, httpx.Response) else source.response
        self.response = response
        self._event_type = event_type
        content_type = response.headers.get("content-type", "")
        self._json_seq = content_type.split(";")[0].strip().lower() == _JSON_SEQ

    def _decoder(self) -> JSONLDecoder:
        return JSONLDecoder(json_seq=self._json_seq)

    def _decode(self, raw: bytes) -> T:
        item = validate_json(self._event_type, raw, response=self.response)
        # Unions are generated as RootModel classes or aliases; callers want the item itself.
        return cast("T", item.root) if isinstance(item, pydantic.RootModel) else item

    def _last(self, rest: bytes | None) -> list[T]:
        """The item of an unterminated last line: none, one, or an error when it is cut short."""
        if rest is None:
            return []
        if not _is_json(rest):
            raise _partial_line_error(rest, self.response)
        return [self._decode(rest)]  # a whole document without its final newline


class JSONLStream(_JSONLBase[T], SyncItems[T]):
    """Iterator of typed items from a line-delimited JSON response, one per line.

    ``source`` is the unread response (or the :class:`BinaryStream` holding it).

    The response is closed when the stream is exhausted, on error, and on ``close()`` or
    leaving a ``with`` block.
    """

    def __init__(
        self, source: httpx.Response | BinaryStream, *, event_type: type[T]
    ) -> None:
        super().__init__(source, event_type=event_type)
        self._iterator = self._iterate()

    def _iterate(self) -> Generator[T, None, None]:
        decoder = self._decoder()
        try:
            for chunk in self.response.iter_bytes():
                for raw in decoder.feed(chunk):
                    yield self._decode(raw)
            yield from self._last(decoder.flush())
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            self.response.close()


class AsyncJSONLStream(_JSONLBase[T], AsyncItems[T]):
    """Async iterator of typed items from a line-delimited JSON response (see :class:`JSONLStream`)."""

    def __init__(
        self, source: httpx.Response | AsyncBinaryStream, *, event_type: type[T]
    ) -> None:
        super().__init__(source, event_type=event_type)
        self._iterator = self._iterate()

    async def _iterate(self) -> AsyncGenerator[T, None]:
        decoder = self._decoder()
        try:
            async for chunk in self.response.aiter_bytes():
                for raw in decoder.feed(chunk):
                    yield self._decode(raw)
            for last in self._last(decoder.flush()):
                yield last
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            await self.response.aclose()
