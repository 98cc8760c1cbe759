"""How to open a realtime connection and how to recover when it drops."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._redaction import redact_text

__all__ = ["ConnectOptions", "ReconnectPolicy"]

# 1006: dropped without a close frame; 1011: server error; 1012: service restart;
# 1013: try again later; 1014: bad gateway. All say "the same request may work again".
DEFAULT_RECONNECT_CLOSE_CODES = frozenset({1006, 1011, 1012, 1013, 1014})


@dataclass(frozen=True)
class ReconnectPolicy:
    """When and how often a dropped connection is reopened.

    Only closes whose code is in ``close_codes`` are retried: a normal close (1000/1001) is the
    server ending the session on purpose, and a policy close (1008, 4xxx) would fail again.
    The delay before attempt ``n`` (1-based) is ``min(max_delay, initial_delay * 2**(n-1))``,
    scaled by a random factor in ``[1 - jitter, 1 + jitter]`` so that many clients dropped by
    the same server restart do not come back in lockstep.
    """

    enabled: bool = True
    max_attempts: int = 5
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    close_codes: frozenset[int] = DEFAULT_RECONNECT_CLOSE_CODES

    def __post_init__(self) -> None:
        if self.max_attempts < 0:
            raise ValueError("max_attempts must be >= 0")
        if self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("reconnect delays must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")
        # A plain set would make the frozen policy mutable through the back door.
        object.__setattr__(self, "close_codes", frozenset(self.close_codes))


def _frozen_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> Mapping[str, str]:
    return MappingProxyType(dict(headers))


@dataclass(frozen=True, repr=False)
class ConnectOptions:
    """Everything needed to open (and reopen) one realtime WebSocket connection.

    ``url`` is complete (scheme, host, path and query): the generated client builds it.
    ``max_size`` limits incoming messages; ``None`` disables the limit. ``compression`` is off
    by default because permessage-deflate costs ~13x on base64 audio streams, which barely
    compress; pass ``"deflate"`` to negotiate it. ``max_queue`` bounds the messages buffered
    while reconnecting (it is not websockets' own ``max_queue``, which is left at its default).
    ``secrets`` are the credential values the headers, query or subprotocols carry
    (the API key): they are never sent to another origin when the handshake is
    redirected, and never written to a log line (see ``_redirects``). Keep them in step
    when replacing credentials, e.g. in ``options_for_reconnect()``:
    ``dataclasses.replace(options, headers=..., secrets=frozenset({new_key}))``.
    """

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    subprotocols: Sequence[str] = ()
    open_timeout: float | None = 10
    close_timeout: float | None = 5
    ping_interval: float | None = 20
    ping_timeout: float | None = 20
    max_size: int | None = 16 * 2**20
    compression: str | None = None
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    max_queue: int = 1000
    secrets: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.max_queue < 0:
            raise ValueError("max_queue must be >= 0")
        # Copies, so that a caller mutating its dict cannot change a connection being reopened.
        object.__setattr__(self, "headers", _frozen_headers(self.headers))
        object.__setattr__(self, "subprotocols", tuple(self.subprotocols))
        object.__setattr__(self, "secrets", frozenset(s for s in self.secrets if s))

    def __repr__(self) -> str:
        # Reprs end up in logs and tracebacks, and credentials travel in handshake headers,
        # in query parameters (``?api_key=``) and in subprotocols (``<scheme>.<token>``).
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "url":
                value = redact_text(_redact_url(value), self.secrets)
            elif f.name == "secrets":
                value = f"<{len(value)} hidden>"
            elif f.name == "headers":
                value = {name: "***" for name in value}
            elif f.name == "subprotocols":
                value = tuple(
                    name.rsplit(".", 1)[0] + ".***" if "." in name else name
                    for name in value
                )
            parts.append(f"{f.name}={value!r}")
        return f"ConnectOptions({', '.join(parts)})"


_SECRET_PARAM_HINTS = ("key", "token", "secret", "auth", "signature", "password")


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (
            name,
            "***"
            if any(hint in name.lower() for hint in _SECRET_PARAM_HINTS)
            else value,
        )
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))
