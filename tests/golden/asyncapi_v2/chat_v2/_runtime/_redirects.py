"""Handshake redirects, followed by the runtime so that credentials never leave their origin.

websockets follows a 3xx answer to the upgrade request by itself, but on a redirect to
another origin it removes only ``Authorization``, ``Cookie`` and ``Proxy-Authorization``:
an apiKey header (``xi-api-key``), a subprotocol carrying the key
(``openai-insecure-api-key.<key>``) and an apiKey query parameter echoed into the
``Location`` would reach the other host. So connections are opened with a connection class
that reports a redirect as :class:`Redirected` instead, and :class:`RedirectChain` decides
the next attempt, with the rules of the HTTP runtime:

* 301, 302, 303, 307 and 308 with a ``Location`` are followed, at most
  :data:`MAX_REDIRECTS` times (websockets' own default), within the one ``open_timeout``.
* The credentials -- every header, query parameter and subprotocol whose value contains one
  of :attr:`ConnectOptions.secrets <._options.ConnectOptions.secrets>`, and
  ``Authorization``, ``Cookie`` and ``Proxy-Authorization`` whoever set them -- are sent
  only to the origin (scheme, host, port) of the URL the caller opened; a redirect to
  another origin removes them for the rest of the chain. A redirect whose URL still holds a
  secret (in its path, say) is refused.
* ``ws://host`` -> ``wss://host`` on the default ports keeps them (the same host, better
  protected); ``wss`` -> ``ws`` is refused, as websockets does; so is a non-WebSocket URL.
* Within the origin credentials stay, and apiKey query parameters the ``Location`` left
  out are added back.

A refused redirect raises :class:`RealtimeHandshakeError` with the 3xx status, headers and
body, and a message saying why.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Final
from urllib.parse import parse_qsl, unquote, unquote_plus, urlencode, urljoin, urlsplit

from websockets.http11 import Response

from ._errors import RealtimeHandshakeError, RealtimeTimeoutError
from ._options import ConnectOptions
from ._redaction import contains_secret, redact_url

__all__ = ["MAX_REDIRECTS", "RedirectChain", "Redirected", "is_redirect"]

logger = logging.getLogger(__name__)

MAX_REDIRECTS: Final = 10
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# Set by anyone (the caller's additional_headers, say), they carry credentials to whoever
# receives them.
_ALWAYS_STRIPPED: Final = frozenset({"authorization", "cookie", "proxy-authorization"})
_DEFAULT_PORTS: Final = {"ws": 80, "wss": 443}


class Redirected(Exception):
    """The handshake was answered with a redirect the runtime will decide about."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"handshake redirected with HTTP {response.status_code}")
        self.response = response


def is_redirect(response: Response) -> bool:
    return response.status_code in _REDIRECT_STATUSES and "Location" in response.headers


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port  # ValueError for a port that is not a number
    return parts.scheme, parts.hostname or "", port or _DEFAULT_PORTS.get(parts.scheme)


def _without_secret_params(query: str, secrets: frozenset[str]) -> str:
    return "&".join(
        pair
        for pair in query.split("&")
        if pair and not contains_secret(unquote_plus(pair.partition("=")[2]), secrets)
    )


class RedirectChain:
    """The redirects of one opening: where it started, what it may still carry, how many."""

    def __init__(self, options: ConnectOptions, *, limit: int = MAX_REDIRECTS) -> None:
        self.options = options
        self.limit = limit
        self.count = 0
        self.credentialed = True  # False once the chain left the origin
        timeout = options.open_timeout
        self._deadline = None if timeout is None else time.monotonic() + timeout
        secrets = options.secrets
        query = urlsplit(options.url).query
        self._credential_query = [
            (name, value)
            for name, value in parse_qsl(query, keep_blank_values=True)
            if contains_secret(value, secrets)
        ]

    def display_url(self, url: str) -> str:
        """``url`` fit for a message or a log line."""
        return redact_url(url, self.options.secrets)

    def remaining_timeout(self) -> float | None:
        """What is left of ``open_timeout`` for the next attempt."""
        if self._deadline is None:
            return None
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise RealtimeTimeoutError(
                "timed out opening the WebSocket connection to "
                + self.display_url(self.options.url)
                + f" after {self.count} redirect(s)"
            )
        return left

    def follow(self, current: ConnectOptions, response: Response) -> ConnectOptions:
        """The options of the next attempt; raises :class:`RealtimeHandshakeError`."""
        status = response.status_code

        def refused(reason: str) -> RealtimeHandshakeError:
            body = bytes(response.body or b"").decode("utf-8", errors="replace")
            return RealtimeHandshakeError(
                f"WebSocket handshake redirected with HTTP {status}, not followed: "
                + reason,
                status_code=status,
                headers=response.headers,
                body=body,
            )

        if self.count >= self.limit:
            raise refused(f"more than {self.limit} redirects (a redirect loop?)")
        parts = urlsplit(urljoin(current.url, response.headers["Location"]))
        parts = parts._replace(fragment="")
        if parts.scheme not in _DEFAULT_PORTS:
            raise refused("the Location is not a ws:// or wss:// URL")
        if urlsplit(current.url).scheme == "wss" and parts.scheme == "ws":
            raise refused("it goes from wss to ws, which would send it in clear text")
        try:
            target, origin = _origin(parts.geturl()), _origin(self.options.url)
        except ValueError:
            raise refused("invalid Location header") from None
        scheme, host, port = origin
        upgrade = (scheme, port) == ("ws", 80) and target == ("wss", host, 443)
        self.credentialed = self.credentialed and (target == origin or upgrade)

        secrets = self.options.secrets
        headers = dict(current.headers)
        subprotocols = list(current.subprotocols)
        if self.credentialed:
            present = {
                name for name, _ in parse_qsl(parts.query, keep_blank_values=True)
            }
            missing = [(n, v) for n, v in self._credential_query if n not in present]
            if missing:
                # Appended as text: re-encoding the rest could break a signed query.
                query = "&".join(q for q in (parts.query, urlencode(missing)) if q)
                parts = parts._replace(query=query)
        else:
            headers = {
                name: value
                for name, value in headers.items()
                if name.lower() not in _ALWAYS_STRIPPED
                and not contains_secret(value, secrets)
            }
            subprotocols = [p for p in subprotocols if not contains_secret(p, secrets)]
            parts = parts._replace(query=_without_secret_params(parts.query, secrets))
            if contains_secret(unquote(parts.geturl()), secrets):
                raise refused("its URL carries a credential to another origin")
        url = parts.geturl()
        self.count += 1
        logger.debug(
            "WebSocket redirect %d of at most %d: %d to %s%s",
            self.count,
            self.limit,
            status,
            self.display_url(url),
            "" if self.credentialed else " (another origin: credentials not sent)",
        )
        return dataclasses.replace(
            current, url=url, headers=headers, subprotocols=subprotocols
        )
