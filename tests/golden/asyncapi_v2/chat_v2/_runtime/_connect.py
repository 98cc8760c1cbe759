"""From a generated client's settings and a connect() call to complete ConnectOptions.

Kept here, not in each generated channel module, so the rules for auth on the handshake
(header, query parameter or subprotocol) live in one tested place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ._options import ConnectOptions, ReconnectPolicy
from ._urls import build_url, param_text

__all__ = ["AuthSpec", "ConnectionSettings", "connect_options"]


@dataclass(frozen=True)
class AuthSpec:
    """How the API key travels on the handshake, as the AsyncAPI document declares it."""

    bearer: bool = False  # Authorization: Bearer <key>
    header: str | None = None  # <header>: <key>
    query: str | None = None  # ?<query>=<key>
    subprotocols: Sequence[
        str
    ] = ()  # templates with {apiKey}, e.g. "openai-insecure-api-key.{apiKey}"
    subprotocol_only: bool = False  # the document offers no other way


@dataclass(frozen=True)
class ConnectionSettings:
    """The transport knobs a realtime client passes to every connection it opens."""

    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    open_timeout: float | None = 10
    close_timeout: float | None = 5
    ping_interval: float | None = 20
    ping_timeout: float | None = 20
    max_size: int | None = 16 * 2**20
    compression: str | None = None
    max_queue: int = 1000


def connect_options(
    *,
    base_url: str,
    address: str,
    path_params: Mapping[str, object] | None = None,
    query: Mapping[str, object] | None = None,
    headers: Mapping[str, object] | None = None,
    auth: AuthSpec | None = None,
    api_key: str | None = None,
    use_subprotocol_auth: bool = False,
    additional_headers: Mapping[str, str] | None = None,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, object] | None = None,
    settings: ConnectionSettings | None = None,
) -> ConnectOptions:
    """Build the URL, headers and subprotocols of one connection.

    Header precedence: declared header parameters < the client's ``additional_headers`` <
    auth < ``extra_headers`` of this call. ``None`` values are left out everywhere.
    """
    settings = settings or ConnectionSettings()
    query_values: dict[str, object] = {
        k: v for k, v in (query or {}).items() if v is not None
    }
    merged: dict[str, str] = {
        k: param_text(v) for k, v in (headers or {}).items() if v is not None
    }
    merged.update(additional_headers or {})
    subprotocols: list[str] = []
    if auth is not None and api_key:
        if auth.subprotocols and (use_subprotocol_auth or auth.subprotocol_only):
            # Browsers cannot set headers on a WebSocket handshake; the key rides in a subprotocol.
            subprotocols = [p.replace("{apiKey}", api_key) for p in auth.subprotocols]
        elif auth.bearer:
            merged["Authorization"] = f"Bearer {api_key}"
        elif auth.header:
            merged[auth.header] = api_key
        elif auth.query:
            query_values[auth.query] = api_key
    query_values.update(extra_query or {})
    merged.update(extra_headers or {})
    return ConnectOptions(
        url=build_url(base_url, address, path_params, query_values),
        headers=merged,
        subprotocols=subprotocols,
        open_timeout=settings.open_timeout,
        close_timeout=settings.close_timeout,
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        max_size=settings.max_size,
        compression=settings.compression,
        reconnect=settings.reconnect,
        max_queue=settings.max_queue,
        # Whichever way it travels, the key must not follow a redirect to another host.
        secrets=frozenset({api_key}) if api_key else frozenset(),
    )
