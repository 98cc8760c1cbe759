"""Binary response bodies (audio, files...) that can be read whole or streamed in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Self

import httpx

from ._exceptions import connection_error

__all__ = ["AsyncBinaryStream", "BinaryStream"]


class _BinaryBase:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers

    @property
    def content_type(self) -> str | None:
        value: str | None = self.response.headers.get("content-type")
        return value


class BinaryStream(_BinaryBase):
    """A successful response whose body has not been read yet.

    Use it as a context manager, or make sure to exhaust it or call ``close()``: until then
    it holds a pooled connection.
    """

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        try:
            yield from self.response.iter_bytes(chunk_size)
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            self.response.close()

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_bytes()

    def read(self) -> bytes:
        try:
            return self.response.read()
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            self.response.close()

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncBinaryStream(_BinaryBase):
    """Async counterpart of :class:`BinaryStream`."""

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.response.aiter_bytes(chunk_size):
                yield chunk
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            await self.response.aclose()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.aiter_bytes()

    async def read(self) -> bytes:
        try:
            return await self.response.aread()
        except httpx.TransportError as error:
            raise connection_error(error, self.response.request) from error
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
