"""Keeping credential values out of log lines.

The runtime's own log lines are redacted where they are written (:func:`redact_url`,
:func:`redact_text`). Two libraries below it log on their own:

* httpx writes one INFO line per request, ``HTTP Request: GET https://host/p?key=...``,
  so an apiKey sent as a query parameter would be printed;
* httpcore's DEBUG lines include the response headers, so a ``Location`` in which the server
  echoed ``?key=...`` would be printed too.

Neither lets a client choose its logger, so :func:`register_secrets` attaches one
:class:`logging.Filter` to the ``httpx`` and ``httpcore.*`` loggers (once per process and
per copy of this runtime). Trade-off: that is a process-wide change to loggers the SDK does
not own. It is kept as small as possible: the filter never drops a record and leaves every
record that holds no secret untouched; it only replaces the values of credentials of live
SDK clients by ``***`` (it forgets a client's secrets once the client is garbage-collected),
and costs a few substring searches per record, only for records those loggers emit at a
level the application enabled. Secrets printed by any other code (an event hook logging
``request.headers``, say) are out of its reach.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Collection, Iterable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

import httpx

__all__ = [
    "REDACTED",
    "contains_secret",
    "redact_text",
    "redact_url",
    "register_secrets",
]

REDACTED = "***"

# Every logger that may print a request URL or response headers; child loggers do not
# inherit filters, so each one is named.
_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


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


def redact_url(url: httpx.URL | str, secrets: Collection[str]) -> str:
    """The URL with every query value that holds a secret shown as ``***``.

    Works on the query text as written, so it catches a secret in any percent-encoding a
    server chose (a ``Location`` header), not only the encodings :func:`redact_text` knows.
    """
    text = str(url)
    if not secrets:
        return text
    head, hash_, fragment = text.partition("#")
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


class _SecretFilter(logging.Filter):
    """Replaces the secrets of live SDK clients in records of httpx and httpcore."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._by_owner: weakref.WeakKeyDictionary[object, frozenset[str]] = (
            weakref.WeakKeyDictionary()
        )

    def register(self, owner: object, secrets: frozenset[str]) -> None:
        with self._lock:
            if secrets:
                self._by_owner[owner] = secrets
            else:
                self._by_owner.pop(owner, None)

    def secrets(self) -> frozenset[str]:
        with self._lock:
            return frozenset().union(*self._by_owner.values())

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets()
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - raising here would fail httpx's request
            return True  # a broken record: let the handler report it as it would
        args = record.args
        redacted = message
        if isinstance(args, tuple) and any(isinstance(a, httpx.URL) for a in args):
            # The query of httpx's request line is redacted pair by pair (exact for any
            # percent-encoding); the text replacement below catches the rest.
            shown = tuple(
                redact_url(a, secrets) if isinstance(a, httpx.URL) else a for a in args
            )
            try:
                redacted = str(record.msg) % shown
            except (TypeError, ValueError):
                redacted = message
        redacted = redact_text(redacted, secrets)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


_FILTER = _SecretFilter()
_installed = False
_install_lock = threading.Lock()


def register_secrets(owner: object, secrets: frozenset[str]) -> None:
    """Keep ``secrets`` out of httpx/httpcore log records while ``owner`` is alive."""
    global _installed
    _FILTER.register(owner, secrets)
    if secrets and not _installed:
        with _install_lock:
            if not _installed:
                for name in _LOGGERS:
                    logging.getLogger(name).addFilter(_FILTER)
                _installed = True
