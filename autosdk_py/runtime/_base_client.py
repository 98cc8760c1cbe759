"""``SyncAPIClient`` and ``AsyncAPIClient``: the one place where requests are built, sent,
retried and turned into typed results or :class:`APIError` subclasses.

Generated resource classes only describe an operation (method, path template, parameters,
expected type); everything about HTTP behaviour lives here so it is fixed in one place.

Credentials never leave their origin: redirects are followed here, not by httpx, under the
rules of :mod:`._redirects` (cross-origin hops lose every credential header and query
parameter; https -> http is refused; at most ``http_client.max_redirects`` hops), and log
lines show credential values as ``***`` (:mod:`._redaction`).
"""

from __future__ import annotations

import asyncio
import logging
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType, TracebackType
from typing import Final, Self, TypeVar

import httpx

from ._binary import AsyncBinaryStream, BinaryStream
from ._credentials import (
    Credential,
    apply_credentials,
    credential_secrets,
    missing_credentials_hint,
    select_credentials,
)
from ._decoding import cast_response
from ._encoding import (
    encode_headers,
    encode_query,
    expand_path,
    merge_extra_body,
    split_path_query,
    to_jsonable,
)
from ._exceptions import connection_error, make_status_error, redirect_error
from ._multipart import (
    EncodedFile,
    empty_multipart_body,
    encode_files,
    encode_form_fields,
    fields_as_parts,
    is_multipart,
)
from ._redaction import redact_url, register_secrets
from ._redirects import RedirectChain, RedirectRefused, origin_text
from ._retry import is_retryable_exception, retry_delay, should_retry_response
from ._sse import AsyncStream, Stream
from ._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    FileTypes,
    NotGiven,
    RequestOptions,
    Timeout,
)

__all__ = ["DEFAULT_USER_AGENT", "AsyncAPIClient", "SyncAPIClient"]

T = TypeVar("T")

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT: Final = (
    f"python-httpx/{httpx.__version__} Python/{platform.python_version()}"
)

_NO_OPTIONS: Final = RequestOptions()
_NO_CREDENTIALS: Mapping[str, Credential] = MappingProxyType({})


def _as_timeout(timeout: float | Timeout | None) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


@dataclass(frozen=True)
class _PreparedRequest:
    """Everything needed to (re)build the request for any attempt.

    Bodies are fully encoded to bytes/str up front, so every retry sends exactly the same thing.
    """

    method: str
    url: httpx.URL
    params: tuple[
        tuple[str, str], ...
    ]  # a tuple, as httpx's param type is invariant for lists
    headers: httpx.Headers
    json: object
    content: bytes | None
    data: dict[str, str | list[str]] | None
    files: list[tuple[str, EncodedFile]] | None
    timeout: httpx.Timeout
    max_retries: int
    auth_hint: str | None
    credential_headers: Mapping[str, str]
    credential_query: tuple[tuple[str, str], ...]
    secrets: frozenset[str]


class _BaseAPIClient:
    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        credentials: Mapping[str, Credential],
        default_security: Sequence[Sequence[str]],
        timeout: float | Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        user_agent: str,
    ) -> None:
        self.base_url = httpx.URL(base_url)
        self.credentials: Mapping[str, Credential] = dict(credentials)
        self.default_security: Sequence[Sequence[str]] = [
            list(r) for r in default_security
        ]
        self.timeout: httpx.Timeout = _as_timeout(timeout)
        self.max_retries = max_retries
        self.default_headers: Mapping[str, str] = dict(default_headers or {})
        self.default_query: Mapping[str, object] = dict(default_query or {})
        self.user_agent = user_agent
        # Concatenation, not URL.join(): join() would drop the base path and misread "a:b" segments.
        self._base = str(self.base_url.copy_with(query=None, fragment=None)).rstrip("/")
        # httpx replaces (not merges) a URL's query when given params, so a base URL query such as
        # Azure's ``?api-version=...`` is carried as the lowest-precedence query layer instead.
        params = self.base_url.params
        self._base_query: Mapping[str, object] = {
            key: params.get_list(key) for key in params
        }
        self._secrets: frozenset[str] = frozenset()
        self._register_secrets()

    def _register_secrets(self) -> frozenset[str]:
        # Recomputed per request: ``credentials`` is a plain dict a caller may update.
        secrets = credential_secrets(self.credentials)
        if secrets != self._secrets:
            self._secrets = secrets
            register_secrets(self, secrets)
        return secrets

    def _prepare(
        self,
        method: str,
        path: str,
        *,
        accept: str,
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        headers: Mapping[str, object] | None,
        json: object,
        content: bytes | str | NotGiven,
        content_type: str | None,
        data: Mapping[str, object] | None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None,
        security: Sequence[Sequence[str]] | None,
        options: RequestOptions | None,
    ) -> _PreparedRequest:
        options = options or _NO_OPTIONS
        requirements = self.default_security if security is None else security
        chosen = select_credentials(self.credentials, requirements)
        auth = apply_credentials(chosen or [])
        hint = (
            None
            if chosen is not None
            else missing_credentials_hint(self.credentials, requirements)
        )

        body_kinds = [not isinstance(json, NotGiven), not isinstance(content, NotGiven)]
        body_kinds.append(data is not None or files is not None)
        if sum(body_kinds) > 1:
            raise TypeError("pass only one of `json`, `content` and `data`/`files`")

        # Lowest precedence first: client defaults < auth < per-call headers < extra_headers.
        merged = httpx.Headers({"User-Agent": self.user_agent, "Accept": accept})
        if content_type is not None and data is None and files is None:
            # Raw bodies need it; JSON bodies may use a JSON variant such as merge-patch+json.
            # Form bodies are left alone: httpx must write the multipart boundary itself.
            merged["Content-Type"] = content_type
        merged.update(self.default_headers)
        merged.update(auth.headers)
        merged.update(encode_headers(headers))
        merged.update(options.extra_headers or {})

        json_body: object = NOT_GIVEN
        raw: bytes | None = None
        form: dict[str, str | list[str]] | None = None
        encoded_files: list[tuple[str, EncodedFile]] | None = None
        if not isinstance(content, NotGiven):
            if options.extra_body is not None:
                raise TypeError(
                    "extra_body cannot be combined with a raw `content` body"
                )
            raw = content.encode("utf-8") if isinstance(content, str) else content
        elif data is not None or files is not None:
            extra = options.extra_body
            if extra is not None and not isinstance(extra, Mapping):
                raise TypeError(
                    "extra_body must be a mapping to merge into form fields"
                )
            form = encode_form_fields(data, extra)
            encoded_files = encode_files(files) if files is not None else None
            if is_multipart(content_type) and not encoded_files:
                # httpx writes multipart only when it has files, else it would send the fields
                # urlencoded: the fields go as file-less parts, which httpx writes as fields.
                encoded_files = fields_as_parts(form)
                form = None
                if not encoded_files:
                    # Nothing to send at all, which httpx cannot write as multipart.
                    multipart_type, raw = empty_multipart_body()
                    merged.setdefault("Content-Type", multipart_type)
                    encoded_files = None
        else:
            body = json if isinstance(json, NotGiven) else to_jsonable(json)
            json_body = merge_extra_body(body, options.extra_body)

        timeout = (
            self.timeout
            if isinstance(options.timeout, NotGiven)
            else _as_timeout(options.timeout)
        )
        max_retries = (
            self.max_retries
            if isinstance(options.max_retries, NotGiven)
            else options.max_retries
        )
        # A query string in the path key (``/responses?beta=true``) is part of the endpoint: httpx
        # would drop it from the URL in favour of ``params``, so it travels as params, first.
        path, fixed_query = split_path_query(path)
        return _PreparedRequest(
            method=method.upper(),
            url=httpx.URL(self._base + expand_path(path, path_params)),
            params=tuple(
                encode_query(
                    self._base_query,
                    self.default_query,
                    auth.query,
                    query,
                    options.extra_query,
                    fixed=fixed_query,
                )
            ),
            headers=merged,
            json=json_body,
            content=raw,
            data=form,
            files=encoded_files,
            timeout=timeout,
            max_retries=max(0, max_retries),
            auth_hint=hint,
            credential_headers=auth.headers,
            credential_query=tuple(auth.query.items()),
            secrets=self._register_secrets(),
        )

    @staticmethod
    def _build_request(
        http_client: httpx.Client | httpx.AsyncClient,
        prepared: _PreparedRequest,
        retries_taken: int,
    ) -> httpx.Request:
        headers = prepared.headers.copy()
        if retries_taken:
            # Lets the server tell a retry from a duplicate submission.
            headers["x-retry-count"] = str(retries_taken)
        return http_client.build_request(
            prepared.method,
            prepared.url,
            params=prepared.params,
            headers=headers,
            json=None if isinstance(prepared.json, NotGiven) else prepared.json,
            content=prepared.content,
            data=prepared.data,
            files=prepared.files,
            timeout=prepared.timeout,
        )

    @staticmethod
    def _redirect_chain(
        http_client: httpx.Client | httpx.AsyncClient,
        prepared: _PreparedRequest,
        request: httpx.Request,
    ) -> RedirectChain | None:
        """How to follow the redirects of this attempt; None if the client does not."""
        if not http_client.follow_redirects:
            return None
        return RedirectChain(
            origin=request.url,
            credential_headers=prepared.credential_headers,
            credential_query=prepared.credential_query,
            secrets=prepared.secrets,
            limit=http_client.max_redirects,
        )

    @staticmethod
    def _log_redirect(
        chain: RedirectChain,
        response: httpx.Response,
        request: httpx.Request,
    ) -> None:
        log.debug(
            "Redirect %d of at most %d: %d to %s %s%s",
            chain.count,
            chain.limit,
            response.status_code,
            request.method,
            redact_url(request.url, chain.secrets),
            "" if chain.credentialed else " (another origin: credentials not sent)",
        )

    @staticmethod
    def _error_hint(
        prepared: _PreparedRequest, chain: RedirectChain | None, url: httpx.URL
    ) -> str | None:
        sent_credentials = prepared.credential_headers or prepared.credential_query
        if chain is not None and not chain.credentialed and sent_credentials:
            return (
                f"credentials were not sent to {origin_text(url)}: the request was "
                f"redirected there from {origin_text(chain.origin)}, another origin."
            )
        return prepared.auth_hint

    @staticmethod
    def _retry_wait(
        prepared: _PreparedRequest,
        retries_taken: int,
        *,
        request: httpx.Request,
        response: httpx.Response | None = None,
        error: httpx.HTTPError | None = None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or None if this outcome is final."""
        if retries_taken >= prepared.max_retries:
            return None
        if response is not None and not should_retry_response(response):
            return None
        if error is not None and not is_retryable_exception(error):
            return None
        delay = retry_delay(
            retries_taken, response.headers if response is not None else None
        )
        reason = (
            f"status {response.status_code}" if response is not None else repr(error)
        )
        log.info(
            "Retrying %s %s in %.2f seconds (retry %d of %d) after %s",
            prepared.method,
            redact_url(request.url, prepared.secrets),
            delay,
            retries_taken + 1,
            prepared.max_retries,
            reason,
        )
        return delay


class SyncAPIClient(_BaseAPIClient):
    """Blocking client built on ``httpx.Client``. Close it (or use ``with``) to release connections."""

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        credentials: Mapping[str, Credential] = _NO_CREDENTIALS,
        default_security: Sequence[Sequence[str]] = (),
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx.Client | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        super().__init__(
            base_url=base_url,
            credentials=credentials,
            default_security=default_security,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            user_agent=user_agent,
        )
        # A caller-supplied client may be shared with other code, so its lifetime is the caller's.
        self._owns_http_client = http_client is None
        self.http_client = http_client or httpx.Client(
            timeout=self.timeout, follow_redirects=True
        )

    def close(self) -> None:
        if self._owns_http_client:
            self.http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _sleep(self, seconds: float) -> None:
        """Wait between retries; override in tests to avoid real backoff waits."""
        time.sleep(seconds)

    def _send(self, prepared: _PreparedRequest, *, stream: bool) -> httpx.Response:
        retries_taken = 0
        client = self.http_client
        while True:
            request = self._build_request(client, prepared, retries_taken)
            chain = self._redirect_chain(client, prepared, request)
            try:
                # Streamed, so that the body of a redirect is never read; see _redirects.
                response = client.send(request, stream=True, follow_redirects=False)
                while chain is not None and response.has_redirect_location:
                    try:
                        request = chain.next_request(request, response, client.cookies)
                    except RedirectRefused as refused:
                        response.close()
                        raise redirect_error(response, str(refused)) from None
                    response.close()
                    self._log_redirect(chain, response, request)
                    auth = httpx.USE_CLIENT_DEFAULT if chain.credentialed else None
                    response = client.send(
                        request, stream=True, follow_redirects=False, auth=auth
                    )
                if not stream:
                    try:
                        response.read()
                    except BaseException:
                        response.close()
                        raise
            except httpx.RequestError as error:
                delay = self._retry_wait(
                    prepared, retries_taken, request=request, error=error
                )
                if delay is None:
                    raise connection_error(error, request) from error
            else:
                if response.is_success:
                    return response
                delay = self._retry_wait(
                    prepared, retries_taken, request=request, response=response
                )
                if delay is None:
                    self._read_error_body(response)
                    hint = self._error_hint(prepared, chain, request.url)
                    raise make_status_error(response, hint=hint)
                response.close()
            self._sleep(delay)
            retries_taken += 1

    @staticmethod
    def _read_error_body(response: httpx.Response) -> None:
        try:
            response.read()
        except httpx.HTTPError:
            pass  # the status code is still worth reporting without a body
        finally:
            response.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | str | NotGiven = NOT_GIVEN,
        content_type: str | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None = None,
        security: Sequence[Sequence[str]] | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send a request and decode the response body into ``cast_to``."""
        prepared = self._prepare(
            method,
            path,
            accept="application/json",
            path_params=path_params,
            query=query,
            headers=headers,
            json=json,
            content=content,
            content_type=content_type,
            data=data,
            files=files,
            security=security,
            options=options,
        )
        return cast_response(self._send(prepared, stream=False), cast_to)

    def request_sse(
        self,
        method: str,
        path: str,
        *,
        event_type: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | str | NotGiven = NOT_GIVEN,
        content_type: str | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None = None,
        security: Sequence[Sequence[str]] | None = None,
        options: RequestOptions | None = None,
    ) -> Stream[T]:
        """Send a request and return its server-sent events, each decoded into ``event_type``."""
        prepared = self._prepare(
            method,
            path,
            accept="text/event-stream",
            path_params=path_params,
            query=query,
            headers=headers,
            json=json,
            content=content,
            content_type=content_type,
            data=data,
            files=files,
            security=security,
            options=options,
        )
        return Stream(response=self._send(prepared, stream=True), event_type=event_type)

    def request_binary_stream(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | str | NotGiven = NOT_GIVEN,
        content_type: str | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None = None,
        security: Sequence[Sequence[str]] | None = None,
        options: RequestOptions | None = None,
    ) -> BinaryStream:
        """Send a request and return the (unread) binary body once the status is known to be 2xx."""
        prepared = self._prepare(
            method,
            path,
            accept="*/*",
            path_params=path_params,
            query=query,
            headers=headers,
            json=json,
            content=content,
            content_type=content_type,
            data=data,
            files=files,
            security=security,
            options=options,
        )
        return BinaryStream(self._send(prepared, stream=True))


class AsyncAPIClient(_BaseAPIClient):
    """Asyncio client built on ``httpx.AsyncClient``; same behaviour as :class:`SyncAPIClient`."""

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        credentials: Mapping[str, Credential] = _NO_CREDENTIALS,
        default_security: Sequence[Sequence[str]] = (),
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx.AsyncClient | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        super().__init__(
            base_url=base_url,
            credentials=credentials,
            default_security=default_security,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            user_agent=user_agent,
        )
        self._owns_http_client = http_client is None
        self.http_client = http_client or httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=True
        )

    async def aclose(self) -> None:
        if self._owns_http_client:
            await self.http_client.aclose()

    async def close(self) -> None:
        await self.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _sleep(self, seconds: float) -> None:
        """Wait between retries; override in tests to avoid real backoff waits."""
        await asyncio.sleep(seconds)

    async def _send(
        self, prepared: _PreparedRequest, *, stream: bool
    ) -> httpx.Response:
        retries_taken = 0
        client = self.http_client
        while True:
            request = self._build_request(client, prepared, retries_taken)
            chain = self._redirect_chain(client, prepared, request)
            try:
                # Streamed, so that the body of a redirect is never read; see _redirects.
                response = await client.send(
                    request, stream=True, follow_redirects=False
                )
                while chain is not None and response.has_redirect_location:
                    try:
                        request = chain.next_request(request, response, client.cookies)
                    except RedirectRefused as refused:
                        await response.aclose()
                        raise redirect_error(response, str(refused)) from None
                    await response.aclose()
                    self._log_redirect(chain, response, request)
                    auth = httpx.USE_CLIENT_DEFAULT if chain.credentialed else None
                    response = await client.send(
                        request, stream=True, follow_redirects=False, auth=auth
                    )
                if not stream:
                    try:
                        await response.aread()
                    except BaseException:
                        await response.aclose()
                        raise
            except httpx.RequestError as error:
                delay = self._retry_wait(
                    prepared, retries_taken, request=request, error=error
                )
                if delay is None:
                    raise connection_error(error, request) from error
            else:
                if response.is_success:
                    return response
                delay = self._retry_wait(
                    prepared, retries_taken, request=request, response=response
                )
                if delay is None:
                    await self._read_error_body(response)
                    hint = self._error_hint(prepared, chain, request.url)
                    raise make_status_error(response, hint=hint)
                await response.aclose()
            await self._sleep(delay)
            retries_taken += 1

    @staticmethod
    async def _read_error_body(response: httpx.Response) -> None:
        try:
            await response.aread()
        except httpx.HTTPError:
            pass  # the status code is still worth reporting without a body
        finally:
            await response.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | str | NotGiven = NOT_GIVEN,
        content_type: str | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None = None,
        security: Sequence[Sequence[str]] | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send a request and decode the response body into ``cast_to``."""
        prepared = self._prepare(
            method,
            path,
            accept="application/json",
            path_params=path_params,
            query=query,
            headers=headers,
            json=json,
            content=content,
            content_type=content_type,
            data=data,
            files=files,
            security=security,
            options=options,
        )
        return cast_response(await self._send(prepared, stream=False), cast_to)

    async def request_sse(
        self,
        method: str,
        path: str,
        *,
        event_type: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | str | NotGiven = NOT_GIVEN,
        content_type: str | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None = None,
        security: Sequence[Sequence[str]] | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncStream[T]:
        """Send a request and return its server-sent events, each decoded into ``event_type``."""
        prepared = self._prepare(
            method,
            path,
            accept="text/event-stream",
            path_params=path_params,
            query=query,
            headers=headers,
            json=json,
            content=content,
            content_type=content_type,
            data=data,
            files=files,
            security=security,
            options=options,
        )
        return AsyncStream(
            response=await self._send(prepared, stream=True), event_type=event_type
        )

    async def request_binary_stream(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | str | NotGiven = NOT_GIVEN,
        content_type: str | None = None,
        data: Mapping[str, object] | None = None,
        files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None = None,
        security: Sequence[Sequence[str]] | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncBinaryStream:
        """Send a request and return the (unread) binary body once the status is known to be 2xx."""
        prepared = self._prepare(
            method,
            path,
            accept="*/*",
            path_params=path_params,
            query=query,
            headers=headers,
            json=json,
            content=content,
            content_type=content_type,
            data=data,
            files=files,
            security=security,
            options=options,
        )
        return AsyncBinaryStream(await self._send(prepared, stream=True))
