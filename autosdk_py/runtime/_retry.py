"""When to retry a request and how long to wait before doing so."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable

import httpx

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "is_retryable_exception",
    "parse_retry_after",
    "retry_delay",
    "should_retry_response",
]

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A server asking for more than this is signalling an outage; backing off is more useful than hanging.
MAX_RETRY_AFTER = 60.0

# 408/429 are explicit "try again"; 409 is usually a lock held by a concurrent request.
_RETRYABLE_STATUSES = frozenset({408, 409, 429})


def should_retry_response(response: httpx.Response) -> bool:
    # The server knows better than any status heuristic, so its explicit verdict comes first.
    verdict = response.headers.get("x-should-retry", "").strip().lower()
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return response.status_code in _RETRYABLE_STATUSES or response.status_code >= 500


def is_retryable_exception(exc: httpx.HTTPError) -> bool:
    # Protocol errors here mostly mean a pooled keep-alive connection was closed by the server;
    # configuration errors (bad scheme, proxy, redirects) would fail the same way again.
    return isinstance(
        exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    )


def parse_retry_after(
    headers: httpx.Headers, *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``Retry-After``, if any."""
    retry_after_ms = headers.get("retry-after-ms")
    if retry_after_ms is not None:
        try:
            return float(retry_after_ms) / 1000.0
        except ValueError:
            pass
    retry_after = headers.get("retry-after")
    if retry_after is None:
        return None
    try:
        return float(retry_after)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(retry_after)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - now()


def retry_delay(
    retries_taken: int,
    headers: httpx.Headers | None,
    *,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``.

    A sane server-provided wait wins; otherwise exponential backoff with up to 25% jitter
    so that many clients failing together do not retry in lockstep.
    """
    if headers is not None:
        requested = parse_retry_after(headers)
        if requested is not None and 0 < requested <= MAX_RETRY_AFTER:
            return requested
    backoff = min(INITIAL_RETRY_DELAY * 2.0**retries_taken, MAX_RETRY_DELAY)
    return backoff * (1.0 - 0.25 * jitter())
