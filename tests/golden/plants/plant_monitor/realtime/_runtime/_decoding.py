"""Turning received frames into typed messages, without ever crashing on what the spec missed.

Servers add event types faster than SDKs are regenerated, so an unexpected frame is data to
hand over, not an error: it becomes an :class:`UnknownMessage` carrying the raw text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, Literal, TypeVar, get_args, get_origin

import pydantic

__all__ = ["MessageDecoder", "UnknownMessage"]

T = TypeVar("T")

# The discriminator could not pick a member: the tag is missing or has a value nobody declared.
_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A text frame that does not decode to any known message class.

    ``type`` is the frame's tag value when it can be read. ``error`` is ``None`` when the tag
    is simply unknown (or absent) - typically an event type newer than the SDK - and holds
    the validation or JSON error when the frame is malformed, including when its tag is
    known but its payload does not match that class: returning a half-valid instance of a
    known class would break the types callers rely on, and raising would kill a receive loop
    over one bad event.
    """

    type: str | None
    raw: str
    error: str | None = None


def _literal_tag(annotation: Any) -> str | None:
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        if len(values) == 1:
            value = values[0]
            return str(value.value) if isinstance(value, Enum) else str(value)
    return None


class MessageDecoder(Generic[T]):
    """Decodes frames with a pydantic ``TypeAdapter`` built once per generated module.

    With a common tag (``tag="type"``), ``adapter`` must be a discriminated union
    (``Annotated[A | B, Field(discriminator="type")]``): pydantic then validates only the
    member named by the tag, ~2x the cost of ``json.loads``. ``known_tags`` lists the tag
    values of the members; it tells an unknown tag from a malformed known message.

    Fallback, ``tag=None``: the server messages share no tag field, so the generated code
    passes a plain union and pydantic tries the members in turn (~50x slower, and a lenient
    member may accept a message meant for another). Failures then cannot be told apart:
    they all become ``UnknownMessage(type=None, raw=..., error=...)``.
    """

    __slots__ = ("_class_tags", "_validate_json", "adapter", "known_tags", "tag")

    def __init__(
        self,
        adapter: pydantic.TypeAdapter[T],
        tag: str | None,
        known_tags: frozenset[str] = frozenset(),
    ) -> None:
        self.adapter = adapter
        self.tag = tag
        self.known_tags = frozenset(known_tags)
        self._validate_json = adapter.validate_json
        self._class_tags: dict[type, str | None] = {}

    def decode(self, frame: str | bytes) -> T | UnknownMessage | bytes:
        """The typed message for a text frame; binary frames are returned unchanged."""
        if isinstance(frame, bytes):
            return frame
        try:
            return self._validate_json(frame)
        except pydantic.ValidationError as exc:
            return self._unknown(frame, exc)

    def _unknown(self, frame: str, exc: pydantic.ValidationError) -> UnknownMessage:
        # Slow path only: parsing twice is fine here, the fast path never gets here.
        try:
            data = json.loads(frame)
        except ValueError as json_error:
            return UnknownMessage(
                type=None, raw=frame, error=f"invalid JSON: {json_error}"
            )
        tag = self.tag
        if tag is None:
            return UnknownMessage(type=None, raw=frame, error=str(exc))
        if not isinstance(data, dict):
            return UnknownMessage(type=None, raw=frame, error=str(exc))
        value = data.get(tag)
        tag_value = value if isinstance(value, str) else None
        if self.known_tags:
            unknown = tag_value is None or tag_value not in self.known_tags
        else:
            unknown = all(
                error["type"] in _TAG_ERRORS for error in exc.errors(include_url=False)
            )
        return UnknownMessage(
            type=tag_value, raw=frame, error=None if unknown else str(exc)
        )

    def tag_of(self, message: object) -> str | None:
        """The tag value a decoded message was sent with, for per-type handler dispatch."""
        cls = message.__class__
        try:
            return self._class_tags[cls]
        except KeyError:
            pass
        found: str | None = None
        model_fields = getattr(cls, "model_fields", None)
        if self.tag is not None and isinstance(model_fields, dict):
            for name, info in model_fields.items():
                if self.tag in (name, info.alias, info.validation_alias):
                    found = _literal_tag(info.annotation)
                    break
        self._class_tags[cls] = found
        return found
