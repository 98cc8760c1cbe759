"""Building the URL of a channel, and borrowing settings from a REST client of the same API."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Generator, Mapping
from datetime import date, datetime, time
from enum import Enum
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

__all__ = [
    "AsyncConnector",
    "RestClientLike",
    "build_url",
    "param_text",
    "rest_to_ws_base",
]

C = TypeVar("C")


def param_text(value: object) -> str:
    """How a parameter value is written in a URL or header.

    Booleans as JSON writes them, enums by value, datetimes, dates and times in ISO 8601
    (``2024-01-01T00:00:00+00:00``, not ``str()``'s space), UUIDs and the rest as ``str()``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def build_url(
    base_url: str,
    address: str,
    path_params: Mapping[str, object] | None = None,
    query: Mapping[str, object] | None = None,
) -> str:
    """``wss://host/v1`` + ``/plants/{plant_id}/live`` + params -> the URL to open.

    ``None`` query values are left out. When the address already starts with the base URL's
    path (some documents repeat the server ``pathname`` in the channel address), it is not
    repeated. Path parameters are percent-encoded whole, so a ``/`` cannot change the route.
    """
    for name, value in (path_params or {}).items():
        # Server variables ({region}.api.example.com, /{version}) and channel parameters alike.
        placeholder, text = "{" + name + "}", quote(param_text(value), safe="")
        base_url = base_url.replace(placeholder, text)
        address = address.replace(placeholder, text)
    parts = urlsplit(base_url)
    base_path = parts.path.rstrip("/")
    if (
        address
        and base_path
        and (address == base_path or address.startswith(base_path + "/"))
    ):
        path = address
    else:
        path = base_path + ("/" + address.lstrip("/") if address.strip("/") else "")
    pairs: list[tuple[str, str]] = []
    for key, value in (query or {}).items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            # A list parameter repeats its key (form style, explode=true: the common default).
            pairs.extend((key, param_text(item)) for item in value if item is not None)
        elif isinstance(value, dict):
            pairs.append((key, json.dumps(value, separators=(",", ":"))))
        else:
            pairs.append((key, param_text(value)))
    existing = parts.query
    query_text = "&".join(p for p in (existing, urlencode(pairs)) if p)
    return urlunsplit((parts.scheme, parts.netloc, path or "/", query_text, ""))


class RestClientLike(Protocol):
    """What a realtime client borrows from a REST client generated from the same API."""

    @property
    def credentials(self) -> Mapping[str, str | None]: ...

    @property
    def default_headers(self) -> Mapping[str, str]: ...

    @property
    def rest_base_url(self) -> str: ...


def rest_to_ws_base(rest_base_url: str, default_ws_base: str) -> str:
    """Keep the realtime server's path but take scheme, host and port from the REST base URL.

    ``https://proxy.example/v1`` with default ``wss://api.example.com/v1/realtime`` gives
    ``wss://proxy.example/v1/realtime``: a REST client pointed at a proxy or a local server
    takes its realtime sibling there too.
    """
    rest = urlsplit(rest_base_url)
    default = urlsplit(default_ws_base)
    scheme = {"http": "ws", "https": "wss"}.get(
        rest.scheme, rest.scheme or default.scheme
    )
    return urlunsplit(
        (scheme, rest.netloc or default.netloc, default.path, default.query, "")
    )


class AsyncConnector(Generic[C]):
    """``await client.connect(...)`` and ``async with client.connect(...) as ws`` alike."""

    def __init__(self, open_connection: Callable[[], Awaitable[C]]) -> None:
        self._open = open_connection
        self._connection: C | None = None

    def __await__(self) -> Generator[Any, None, C]:
        return self._open().__await__()

    async def __aenter__(self) -> C:
        self._connection = await self._open()
        return self._connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is not None:
            await connection.__aexit__(exc_type, exc, tb)  # type: ignore[attr-defined]
