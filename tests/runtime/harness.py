"""Run the same scenario through SyncAPIClient and AsyncAPIClient.

Each ``Api`` method opens a fresh client, performs the call(s) and closes it; the async flavour
does so inside ``asyncio.run`` so tests stay plain functions (no pytest-asyncio).
Retry sleeps are recorded in ``Api.sleeps`` and skipped unless ``real_sleep`` is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from autosdk_py.runtime import AsyncAPIClient, SyncAPIClient


class _RecordingSyncClient(SyncAPIClient):
    def __init__(self, *, sleeps: list[float], real_sleep: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sleeps = sleeps
        self._real_sleep = real_sleep

    def _sleep(self, seconds: float) -> None:
        self._sleeps.append(seconds)
        if self._real_sleep:
            super()._sleep(seconds)


class _RecordingAsyncClient(AsyncAPIClient):
    def __init__(self, *, sleeps: list[float], real_sleep: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sleeps = sleeps
        self._real_sleep = real_sleep

    async def _sleep(self, seconds: float) -> None:
        self._sleeps.append(seconds)
        if self._real_sleep:
            await super()._sleep(seconds)


@dataclass
class BinaryResult:
    chunks: list[bytes]
    content_type: str | None
    headers: httpx.Headers
    closed: bool


class Api:
    kind: str

    def __init__(self, base_url: str, *, real_sleep: bool = False) -> None:
        self.base_url = base_url
        self.real_sleep = real_sleep
        self.sleeps: list[float] = []

    def _kwargs(self, client: Mapping[str, Any] | None) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "sleeps": self.sleeps,
            "real_sleep": self.real_sleep,
            **(client or {}),
        }

    def request(self, method: str, path: str, *, client: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        return self.request_many([(method, path, kw)], client=client)[0]

    def request_many(
        self, calls: list[tuple[str, str, dict[str, Any]]], *, client: Mapping[str, Any] | None = None
    ) -> list[Any]:
        raise NotImplementedError

    def sse(self, method: str, path: str, *, client: Mapping[str, Any] | None = None, **kw: Any) -> list[Any]:
        """All typed events; if the stream raises, the exception propagates."""
        raise NotImplementedError

    def binary(
        self,
        method: str,
        path: str,
        *,
        chunk_size: int | None = None,
        read_all: bool = False,
        client: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> BinaryResult:
        raise NotImplementedError


class SyncApi(Api):
    kind = "sync"

    def request_many(
        self, calls: list[tuple[str, str, dict[str, Any]]], *, client: Mapping[str, Any] | None = None
    ) -> list[Any]:
        with _RecordingSyncClient(**self._kwargs(client)) as api_client:
            return [api_client.request(method, path, **kw) for method, path, kw in calls]

    def sse(self, method: str, path: str, *, client: Mapping[str, Any] | None = None, **kw: Any) -> list[Any]:
        with (
            _RecordingSyncClient(**self._kwargs(client)) as api_client,
            api_client.request_sse(method, path, **kw) as stream,
        ):
            items = list(stream)
            assert stream.response.is_closed, "exhausted stream must release its connection"
            return items

    def binary(
        self,
        method: str,
        path: str,
        *,
        chunk_size: int | None = None,
        read_all: bool = False,
        client: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> BinaryResult:
        with (
            _RecordingSyncClient(**self._kwargs(client)) as api_client,
            api_client.request_binary_stream(method, path, **kw) as stream,
        ):
            assert not stream.response.is_closed, "body must not be read before the caller asks"
            chunks = [stream.read()] if read_all else list(stream.iter_bytes(chunk_size))
            return BinaryResult(chunks, stream.content_type, stream.headers, stream.response.is_closed)


class AsyncApi(Api):
    kind = "async"

    def request_many(
        self, calls: list[tuple[str, str, dict[str, Any]]], *, client: Mapping[str, Any] | None = None
    ) -> list[Any]:
        async def run() -> list[Any]:
            async with _RecordingAsyncClient(**self._kwargs(client)) as api_client:
                return [await api_client.request(method, path, **kw) for method, path, kw in calls]

        return asyncio.run(run())

    def sse(self, method: str, path: str, *, client: Mapping[str, Any] | None = None, **kw: Any) -> list[Any]:
        async def run() -> list[Any]:
            async with (
                _RecordingAsyncClient(**self._kwargs(client)) as api_client,
                await api_client.request_sse(method, path, **kw) as stream,
            ):
                items = [item async for item in stream]
                assert stream.response.is_closed, "exhausted stream must release its connection"
                return items

        return asyncio.run(run())

    def binary(
        self,
        method: str,
        path: str,
        *,
        chunk_size: int | None = None,
        read_all: bool = False,
        client: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> BinaryResult:
        async def run() -> BinaryResult:
            async with (
                _RecordingAsyncClient(**self._kwargs(client)) as api_client,
                await api_client.request_binary_stream(method, path, **kw) as stream,
            ):
                assert not stream.response.is_closed, "body must not be read before the caller asks"
                if read_all:
                    chunks = [await stream.read()]
                else:
                    chunks = [chunk async for chunk in stream.aiter_bytes(chunk_size)]
                return BinaryResult(chunks, stream.content_type, stream.headers, stream.response.is_closed)

        return asyncio.run(run())
