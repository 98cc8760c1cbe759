"""The iterator and context-manager protocol shared by the typed response streams (SSE, JSON lines).

A stream subclass sets ``response`` and ``_iterator`` (the generator of its items); these give it
iteration, ``close()`` (the generator, then the response) and ``with`` / ``async with``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import Generic, Self, TypeVar

import httpx

__all__ = ["AsyncItems", "SyncItems"]

T = TypeVar("T")


class SyncItems(Generic[T]):
    response: httpx.Response
    _iterator: Generator[T, None, None]

    def __iter__(self) -> Iterator[T]:
        return self._iterator

    def __next__(self) -> T:
        return next(self._iterator)

    def close(self) -> None:
        self._iterator.close()
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


class AsyncItems(Generic[T]):
    response: httpx.Response
    _iterator: AsyncGenerator[T, None]

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterator

    async def __anext__(self) -> T:
        return await self._iterator.__anext__()

    async def close(self) -> None:
        await self._iterator.aclose()
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
