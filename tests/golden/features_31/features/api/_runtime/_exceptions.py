"""The exception hierarchy: every failure a generated SDK raises is an :class:`APIError`."""

from __future__ import annotations

import json

import httpx
import pydantic

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "connection_error",
    "make_status_error",
    "redirect_error",
]

# Error bodies can be whole HTML pages from a proxy; the message should stay readable.
_MAX_MESSAGE_BODY_CHARS = 2000


class APIError(Exception):
    """Base class of every error raised by the client.

    ``body`` is the decoded error payload when there is one (JSON data, or text).
    """

    message: str
    request: httpx.Request
    body: object | None

    def __init__(
        self, message: str, request: httpx.Request, *, body: object | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body

    def __str__(self) -> str:
        return self.message


class APIConnectionError(APIError):
    """The request never got an HTTP response (DNS failure, refused or dropped connection...)."""

    def __init__(
        self, *, request: httpx.Request, message: str = "Connection error."
    ) -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or connection-pool timeout)."""

    def __init__(
        self, *, request: httpx.Request, message: str = "Request timed out."
    ) -> None:
        super().__init__(request=request, message=message)


class APIResponseValidationError(APIError):
    """The server answered with a success status but the body does not match the expected schema.

    ``body`` holds the raw bytes that failed to validate and ``error`` the pydantic error,
    so callers can still salvage the data when the spec and the server disagree.
    """

    response: httpx.Response
    status_code: int
    error: pydantic.ValidationError

    def __init__(
        self,
        *,
        response: httpx.Response,
        body: bytes,
        error: pydantic.ValidationError,
        message: str | None = None,
    ) -> None:
        if message is None:
            message = (
                f"Data returned by the API does not match the expected schema: {error}"
            )
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.error = error


class APIStatusError(APIError):
    """The server answered with a non-2xx status (after any retries)."""

    response: httpx.Response
    status_code: int
    headers: httpx.Headers

    def __init__(
        self, message: str, *, response: httpx.Response, body: object | None
    ) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


_ERROR_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _decode_error_body(response: httpx.Response) -> object | None:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        # Reading the body of a streamed error failed; the status alone must do.
        return None
    if not content.strip():
        return None
    # Many servers label JSON errors text/plain (or label HTML as JSON), so sniff instead of trusting it.
    try:
        parsed: object = json.loads(content)
    except ValueError:
        return response.text
    return parsed


def _extract_message(body: object) -> str | None:
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    for key in ("message", "detail"):
        value = body.get(key)
        if isinstance(value, str):
            return value
    return None


def make_status_error(
    response: httpx.Response, *, hint: str | None = None
) -> APIStatusError:
    """Build the :class:`APIStatusError` subclass matching ``response.status_code``.

    ``hint`` is appended to 401 messages only: it explains which credential was missing.
    """
    status = response.status_code
    body = _decode_error_body(response)
    detail = _extract_message(body)
    if detail is None:
        detail = response.reason_phrase if body is None else str(body)
    if len(detail) > _MAX_MESSAGE_BODY_CHARS:
        detail = detail[:_MAX_MESSAGE_BODY_CHARS] + "..."
    message = f"Error code: {status} - {detail}" if detail else f"Error code: {status}"
    if status == 401 and hint:
        message = f"{message}\nhint: {hint}"
    if status >= 500:
        error_class: type[APIStatusError] = InternalServerError
    else:
        error_class = _ERROR_BY_STATUS.get(status, APIStatusError)
    return error_class(message, response=response, body=body)


def redirect_error(response: httpx.Response, reason: str) -> APIStatusError:
    """A 3xx the runtime did not follow (see ``_redirects``): an error carrying it."""
    message = f"Error code: {response.status_code} - redirect not followed: {reason}"
    return APIStatusError(message, response=response, body=None)


def connection_error(
    error: httpx.HTTPError, request: httpx.Request
) -> APIConnectionError:
    """Wrap an httpx transport failure, so callers only ever need to catch :class:`APIError`."""
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(request=request)
    detail = str(error)
    return APIConnectionError(
        request=request,
        message=f"Connection error: {detail}" if detail else "Connection error.",
    )
