"""The reconnection rules shared by the sync and async connections.

The I/O differs (threads vs tasks) but the decisions must not: when to reconnect, how long to
wait, and what happens to messages sent in the meantime are all decided here.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from enum import Enum

from websockets.protocol import Protocol

from ._errors import UnsentMessagesError
from ._options import ReconnectPolicy

__all__ = [
    "PendingMessages",
    "State",
    "close_details",
    "reconnect_delay",
    "should_reconnect",
]


class State(Enum):
    OPEN = "open"
    RECONNECTING = "reconnecting"  # the old websocket is gone; sends are queued
    CLOSED = "closed"  # for good: closed by the caller, by the server, or reconnection gave up


def should_reconnect(policy: ReconnectPolicy, code: int | None) -> bool:
    return policy.enabled and policy.max_attempts > 0 and code in policy.close_codes


def reconnect_delay(
    policy: ReconnectPolicy,
    attempt: int,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait before reconnection attempt ``attempt`` (1-based)."""
    base = min(policy.max_delay, policy.initial_delay * 2.0 ** (attempt - 1))
    return max(0.0, base * uniform(1 - policy.jitter, 1 + policy.jitter))


def close_details(protocol: Protocol) -> tuple[int, str]:
    """Why the connection ended: the server's close frame, else the one this side failed it
    with (1009 message too big, 1011 keepalive timeout...), else (1006, "") for a plain drop.

    Read from the close frames rather than ``close_code``, which stays ``None`` until the TCP
    connection is fully closed: a send can fail while the closing handshake is still in
    progress, and the decision to reconnect must not wait for it. The frame this side sent
    matters because websockets ignores the peer's answer after failing a connection: without
    it a too-big message would read as a drop (1006) and be retried forever.
    """
    received = protocol.close_rcvd
    if received is not None:
        return int(received.code), received.reason
    sent = protocol.close_sent
    if sent is not None:
        return int(sent.code), sent.reason
    return 1006, ""


class PendingMessages:
    """Frames accepted while reconnecting, flushed in order once reconnected."""

    __slots__ = ("_frames", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._frames: deque[str | bytes] = deque()

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, frame: str | bytes) -> None:
        if len(self._frames) >= self.limit:
            raise UnsentMessagesError(
                [frame],
                f"the reconnect queue is full (max_queue={self.limit}) while reconnecting",
            )
        self._frames.append(frame)

    def peek(self) -> str | bytes:
        return self._frames[0]

    def pop(self) -> None:
        self._frames.popleft()

    def drain(self) -> list[str | bytes]:
        frames = list(self._frames)
        self._frames.clear()
        return frames
