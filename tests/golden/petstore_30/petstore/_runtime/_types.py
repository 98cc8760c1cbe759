"""Sentinels, type aliases and per-request options shared by the whole runtime."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, ClassVar, Final, Literal, TypeAlias, final

import httpx

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "Body",
    "FileContent",
    "FileTypes",
    "Headers",
    "NotGiven",
    "Query",
    "RequestOptions",
    "Timeout",
]


@final
class NotGiven:
    """The type of :data:`NOT_GIVEN`, the marker for "the caller did not pass this argument".

    ``None`` cannot play that role: many APIs give JSON ``null`` a meaning of its own
    (for example "clear this field"), so "omit it" needs a distinct value.
    """

    _instance: ClassVar[NotGiven | None] = None

    def __new__(cls) -> NotGiven:
        # A singleton keeps ``is NOT_GIVEN`` checks valid even after copy or pickle.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __copy__(self) -> NotGiven:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> NotGiven:
        return self

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Timeout = httpx.Timeout

# Long enough for slow generations, short connect so a dead host fails fast.
DEFAULT_TIMEOUT: Final = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES: Final = 2

Headers: TypeAlias = Mapping[str, str]
Query: TypeAlias = Mapping[str, object]
Body: TypeAlias = object

FileContent: TypeAlias = bytes | IO[bytes]
FileTypes: TypeAlias = (
    bytes
    | IO[bytes]
    | os.PathLike[str]
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
)
"""A file to upload: raw bytes, a binary file object, a path, or ``(filename, content[, content_type])``."""


@dataclass(frozen=True, kw_only=True)
class RequestOptions:
    """Per-call escape hatches, for API features the generated signature does not know about.

    ``extra_headers`` and ``extra_query`` win over everything else; ``extra_body`` is merged
    into a JSON object body (or into the form fields of a form/multipart body).
    ``timeout`` and ``max_retries`` override the client's settings for this call only.
    """

    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None
    timeout: float | Timeout | NotGiven | None = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
