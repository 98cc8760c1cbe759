"""Redirects, followed by the runtime itself so that credentials never leave their origin.

httpx's own ``follow_redirects`` strips only ``Authorization`` on a cross-origin redirect:
an apiKey header such as ElevenLabs' ``xi-api-key``, a cookie scheme's ``Cookie`` set as a
header, or an apiKey query parameter echoed into the ``Location`` would go to the other
host. So every request is sent with ``follow_redirects=False`` and :class:`RedirectChain`
builds each next hop. This works the same for the runtime's own httpx client and for one
passed as ``http_client``: nothing depends on how that client was configured, except that
a client created with ``follow_redirects=False`` (httpx's default) gets 3xx responses back
as errors, as it asked, and that its ``max_redirects`` (httpx's default: 20) is the bound.

The rules, as in httpx, requests and browsers unless said otherwise:

* 301, 302, 303, 307 and 308 with a ``Location`` are followed. 303 (and 302, and 301 after
  a POST) become a GET without a body; 307 and 308 repeat the method and the body.
* Credentials -- what a ``Credential`` adds (``Authorization`` for bearer and basic, apiKey
  headers, the ``Cookie`` of cookie schemes, apiKey query parameters) -- are sent only to
  the origin (scheme, host, port) of the request the caller made. Following a redirect to
  another origin removes them, and also: ``Authorization``, ``Proxy-Authorization`` and
  ``Cookie`` whoever set them (the client's cookie jar then adds the cookies that belong to
  the new host, as httpx does), any header or query parameter whose value contains a
  credential value (a server echoing ``?key=...`` into its ``Location``), and the httpx
  client's own ``auth``. Once gone they stay gone for the rest of the chain, even if it
  comes back to the first origin. A redirect whose URL still holds a credential value (in
  its path, say) is refused.
* ``http://host`` -> ``https://host`` on the default ports keeps them: the credentials
  already went to that host, and the upgrade only protects them better (httpx's rule too).
* https -> http is refused, unlike httpx: a 307/308 would resend the body in clear text,
  and no API has a reason to downgrade. So is a ``Location`` that is not an http(s) URL.
* On a redirect within the origin credentials stay; apiKey query parameters that the
  ``Location`` left out are added back, as credential headers are by construction.

A refused redirect, or one more than ``max_redirects``, raises
:class:`~._exceptions.APIStatusError` carrying the 3xx response; its message says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, unquote_plus, urlencode

import httpx

from ._redaction import contains_secret

__all__ = ["RedirectChain", "RedirectRefused", "origin_text"]

# Set by anyone (a proxy, the caller's client), they carry credentials to whoever receives them.
_ALWAYS_STRIPPED: Final = ("authorization", "proxy-authorization", "cookie")
_BODY_HEADERS: Final = ("content-length", "transfer-encoding", "content-type")


class RedirectRefused(Exception):
    """A redirect the runtime will not follow; the message says why."""


def _port(url: httpx.URL) -> int | None:
    return (
        url.port if url.port is not None else {"http": 80, "https": 443}.get(url.scheme)
    )


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return a.scheme == b.scheme and a.host == b.host and _port(a) == _port(b)


def _is_https_upgrade(a: httpx.URL, b: httpx.URL) -> bool:
    return (
        a.host == b.host
        and (a.scheme, _port(a)) == ("http", 80)
        and (b.scheme, _port(b)) == ("https", 443)
    )


def origin_text(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}:{_port(url)}"


def _redirect_method(method: str, status: int) -> str:
    if status in (302, 303) and method != "HEAD":
        return "GET"
    if status == 301 and method == "POST":
        return "GET"
    return method


def _location(request: httpx.Request, response: httpx.Response) -> httpx.URL:
    location = response.headers["Location"]
    try:
        url = httpx.URL(location)
    except httpx.InvalidURL as error:
        raise RedirectRefused(f"invalid Location header ({error})") from None
    if url.scheme and not url.host:
        url = url.copy_with(host=request.url.host)  # "https:/path": seen in the wild
    if url.is_relative_url:
        url = request.url.join(url)
    if request.url.fragment and not url.fragment:
        url = url.copy_with(fragment=request.url.fragment)  # RFC 9110 10.2.2
    return url


def _without_secret_params(url: httpx.URL, secrets: frozenset[str]) -> httpx.URL:
    query = url.query.decode("ascii")
    if not query:
        return url
    kept = [
        pair
        for pair in query.split("&")
        if not contains_secret(unquote_plus(pair.partition("=")[2]), secrets)
    ]
    rest = "&".join(kept)
    return url.copy_with(query=rest.encode("ascii") if rest else None)


@dataclass
class RedirectChain:
    """The redirects of one attempt: where it started, what it may still carry, how many."""

    origin: httpx.URL
    credential_headers: Mapping[str, str]
    credential_query: Sequence[tuple[str, str]]
    secrets: frozenset[str]
    limit: int
    count: int = 0
    credentialed: bool = True  # False once the chain left the origin

    def next_request(
        self, request: httpx.Request, response: httpx.Response, cookies: httpx.Cookies
    ) -> httpx.Request:
        """The request that follows ``response``; raises :class:`RedirectRefused`."""
        if self.count >= self.limit:
            raise RedirectRefused(
                f"more than {self.limit} redirects (the server may be redirecting in a loop)"
            )
        url = _location(request, response)
        if url.scheme not in ("http", "https"):
            raise RedirectRefused("the Location is not an http(s) URL")
        if request.url.scheme == "https" and url.scheme == "http":
            raise RedirectRefused(
                "it goes from https to http, which would send the request in clear text"
            )
        method = _redirect_method(request.method, response.status_code)
        keep_body = method == request.method
        self.credentialed = self.credentialed and (
            _same_origin(self.origin, url) or _is_https_upgrade(self.origin, url)
        )

        headers = request.headers.copy()
        if url.netloc != request.url.netloc:
            headers["Host"] = url.netloc.decode("ascii")
        if not keep_body:
            for name in _BODY_HEADERS:
                headers.pop(name, None)
        credential_names = {name.lower() for name in self.credential_headers}
        if self.credentialed:
            if "cookie" not in credential_names:
                headers.pop("cookie", None)  # the jar's, recomputed for the new URL
            present = set(url.params.keys())
            missing = [(n, v) for n, v in self.credential_query if n not in present]
            if missing:
                # Appended as text: re-encoding the rest could break a signed query.
                query = b"&".join(
                    p for p in (url.query, urlencode(missing).encode()) if p
                )
                url = url.copy_with(query=query)
        else:
            for name in (*_ALWAYS_STRIPPED, *credential_names):
                headers.pop(name, None)
            for name, value in list(headers.multi_items()):
                if contains_secret(value, self.secrets):
                    headers.pop(name, None)
            url = _without_secret_params(url, self.secrets)
            if contains_secret(unquote(str(url)), self.secrets):
                raise RedirectRefused("its URL carries a credential to another origin")
        self.count += 1
        return httpx.Request(
            method,
            url,
            headers=headers,
            cookies=cookies,
            stream=request.stream if keep_body else None,
            extensions=request.extensions,
        )
