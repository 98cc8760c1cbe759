"""HTTP runtime shared by generated SDKs.

This package is copied byte for byte into every generated SDK (as ``<package>/_runtime``),
so it depends only on the standard library, ``httpx`` and ``pydantic`` and imports its own
modules relatively.
"""

from ._base_client import DEFAULT_USER_AGENT, AsyncAPIClient, SyncAPIClient
from ._binary import AsyncBinaryStream, BinaryStream
from ._credentials import Credential
from ._decoding import build_model
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._jsonl import AsyncJSONLStream, JSONLStream
from ._sse import AsyncStream, ServerSentEvent, Stream
from ._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    Body,
    FileTypes,
    Headers,
    NotGiven,
    Query,
    RequestOptions,
    Timeout,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIClient",
    "AsyncBinaryStream",
    "AsyncJSONLStream",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BinaryStream",
    "Body",
    "ConflictError",
    "Credential",
    "FileTypes",
    "Headers",
    "InternalServerError",
    "JSONLStream",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "Query",
    "RateLimitError",
    "RequestOptions",
    "ServerSentEvent",
    "Stream",
    "SyncAPIClient",
    "Timeout",
    "UnprocessableEntityError",
    "build_model",
]
