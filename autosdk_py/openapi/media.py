"""How a media type is sent or received by the generated client."""

from __future__ import annotations

from typing import Literal

MediaKind = Literal["json", "sse", "multipart", "form", "text", "binary"]


def _base(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_json(content_type: str) -> bool:
    base = _base(content_type)
    return base in ("application/json", "text/json", "*/*") or base.endswith("+json")


def is_sse(content_type: str) -> bool:
    return _base(content_type) == "text/event-stream"


def is_multipart(content_type: str) -> bool:
    return _base(content_type) == "multipart/form-data"


def is_form(content_type: str) -> bool:
    return _base(content_type) == "application/x-www-form-urlencoded"


def is_text(content_type: str) -> bool:
    base = _base(content_type)
    return base.startswith("text/") or base in ("application/sdp", "application/xml")


def media_kind(content_type: str) -> MediaKind:
    if is_json(content_type):
        return "json"
    if is_sse(content_type):
        return "sse"
    if is_multipart(content_type):
        return "multipart"
    if is_form(content_type):
        return "form"
    if is_text(content_type):
        return "text"
    return "binary"
