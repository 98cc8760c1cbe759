"""Keeping credential values out of log lines and error messages.

websockets logs the opening handshake at DEBUG, line by line: ``> GET /v1?api_key=... HTTP/1.1``
and every header, ``> Authorization: Bearer ...`` or ``> Sec-WebSocket-Protocol: ...key...``
included. Each connection is handed a :class:`RedactingLogger` (websockets' ``logger``
argument) that masks the values in :attr:`ConnectOptions.secrets <._options.ConnectOptions>`
before the record is made, so no logger configuration of the application is touched.

This duplicates a few helpers of the HTTP runtime on purpose: the two runtimes are vendored
separately and neither may import the other.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

__all__ = [
    "REDACTED",
    "RedactingLogger",
    "contains_secret",
    "handshake_logger",
    "redact_text",
    "redact_url",
]

REDACTED = "***"


def _forms(secrets: Iterable[str]) -> list[str]:
    """A secret as it may appear in text: raw, and percent-encoded as in a URL."""
    forms = {
        form
        for secret in secrets
        if secret
        for form in (secret, quote(secret, safe=""), quote_plus(secret))
    }
    # Longest first, so a form containing another is replaced whole.
    return sorted(forms, key=len, reverse=True)


def contains_secret(text: str, secrets: Collection[str]) -> bool:
    return any(secret in text for secret in secrets if secret)


def redact_text(text: str, secrets: Collection[str]) -> str:
    for form in _forms(secrets):
        text = text.replace(form, REDACTED)
    return text


def redact_url(url: str, secrets: Collection[str]) -> str:
    """The URL with every query value holding a secret shown as ``***``, in any encoding."""
    if not secrets:
        return url
    head, hash_, fragment = url.partition("#")
    base, question, query = head.partition("?")
    if contains_secret(unquote(base), secrets):
        base = unquote(base)  # a path may encode it in yet another way
    if question:
        pairs = []
        for pair in query.split("&"):
            name, equals, value = pair.partition("=")
            if equals and contains_secret(unquote_plus(value), secrets):
                pair = f"{name}={REDACTED}"
            pairs.append(pair)
        query = "&".join(pairs)
    return redact_text(base + question + query + hash_ + fragment, secrets)


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger for websockets that masks ``secrets`` in every message it writes."""

    def __init__(self, logger: logging.Logger, secrets: frozenset[str]) -> None:
        super().__init__(logger, {})
        self.secrets = secrets

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg)
        if args:
            try:
                text = text % args
            except (TypeError, ValueError):
                text = f"{text} {args!r}"
        # Point the record at websockets' line, not this one.
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.logger.log(level, redact_text(text, self.secrets), **kwargs)


def handshake_logger(secrets: frozenset[str]) -> RedactingLogger | None:
    """The logger to hand websockets for a connection carrying ``secrets``.

    ``None`` (websockets' own ``websockets.client`` logger) when there is nothing to hide.
    """
    if not secrets:
        return None
    return RedactingLogger(logging.getLogger("websockets.client"), secrets)
