"""Lifecycle events and the registry of handlers attached with ``connection.on(...)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ._decoding import MessageDecoder, UnknownMessage

__all__ = ["CloseInfo", "EventType", "Handler", "HandlerRegistry", "ReconnectInfo"]

Handler = Callable[[Any], object]


class EventType(Enum):
    """Connection lifecycle events, and MESSAGE for every received message.

    A plain ``Enum`` on purpose: a ``StrEnum`` would make ``EventType.ERROR == "error"``, and
    ``"error"`` is also the tag of a real server message (OpenAI realtime's ``error`` event).
    Strings passed to ``on()`` always mean message tags.

    What each handler receives: OPEN the connection; MESSAGE the decoded message; CLOSE a
    :class:`CloseInfo`; ERROR the exception; RECONNECT a :class:`ReconnectInfo`.
    """

    OPEN = "open"
    MESSAGE = "message"
    CLOSE = "close"
    ERROR = "error"
    RECONNECT = "reconnect"


@dataclass(frozen=True, slots=True)
class CloseInfo:
    """Why the connection ended for good (passed to CLOSE handlers)."""

    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class ReconnectInfo:
    """A successful reconnection (passed to RECONNECT handlers).

    ``attempt`` counts from 1; ``close_code``/``close_reason`` describe the close that caused it.
    Handlers run before the messages queued during the reconnection are flushed, and their
    own sends go to the new connection first (the connection still reports ``reconnecting``).
    """

    attempt: int
    close_code: int | None
    close_reason: str


class HandlerRegistry:
    """Handlers by lifecycle event, by message class and by message tag.

    For a received message, handlers run in this order: those registered for its class,
    those registered for its tag, then MESSAGE handlers. An :class:`UnknownMessage` is never
    dispatched by tag - a handler for a known tag is written for that class - but can be
    handled by registering ``UnknownMessage`` itself.
    """

    __slots__ = ("_by_class", "_by_tag", "_decoder", "_lifecycle")

    def __init__(self, decoder: MessageDecoder[Any]) -> None:
        self._decoder = decoder
        self._lifecycle: dict[EventType, list[Handler]] = {
            event: [] for event in EventType
        }
        self._by_class: dict[type, list[Handler]] = {}
        self._by_tag: dict[str, list[Handler]] = {}

    def add(self, event: EventType | str | type, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        if isinstance(event, EventType):
            self._lifecycle[event].append(handler)
        elif isinstance(event, str):
            known = self._decoder.known_tags
            if known and event not in known:
                # A typo here would otherwise be a handler that silently never runs.
                raise ValueError(
                    f"unknown message tag {event!r}; known tags: {sorted(known)}"
                )
            self._by_tag.setdefault(event, []).append(handler)
        elif isinstance(event, type):
            self._by_class.setdefault(event, []).append(handler)
        else:
            raise TypeError(
                f"cannot register a handler for {event!r}: expected EventType, str or class"
            )

    def lifecycle(self, event: EventType) -> list[Handler]:
        return self._lifecycle[event]

    def for_message(self, message: object) -> list[Handler]:
        generic = self._lifecycle[EventType.MESSAGE]
        if not self._by_class and not self._by_tag:
            return generic
        handlers = list(self._by_class.get(message.__class__, ()))
        if self._by_tag and message.__class__ is not UnknownMessage:
            tag = self._decoder.tag_of(message)
            if tag is not None:
                handlers.extend(self._by_tag.get(tag, ()))
        handlers.extend(generic)
        return handlers
