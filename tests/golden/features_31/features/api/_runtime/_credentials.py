"""Credentials, and how an OpenAPI security requirement turns them into headers, query or cookies."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AppliedAuth",
    "Credential",
    "apply_credentials",
    "credential_secrets",
    "missing_credentials_hint",
    "select_credentials",
]

CredentialKind = Literal["bearer", "basic", "header", "query", "cookie"]


@dataclass(frozen=True)
class Credential:
    """One configured secret for one OpenAPI security scheme.

    ``name`` is the header, query parameter or cookie name (``"Authorization"`` for bearer and
    basic). For ``basic``, ``value`` is ``"user:password"``. ``env_var`` and ``arg_name`` are
    only used to tell the user how to fix a 401 when the value is missing.
    """

    kind: CredentialKind
    name: str
    value: str | None = field(
        default=None, repr=False
    )  # never leak secrets through repr()
    env_var: str | None = None
    arg_name: str | None = None


@dataclass
class AppliedAuth:
    """What the chosen credentials add to one request."""

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def _is_set(credential: Credential | None) -> bool:
    return credential is not None and bool(credential.value)


def select_credentials(
    credentials: Mapping[str, Credential], security: Sequence[Sequence[str]]
) -> list[Credential] | None:
    """Return the credentials of the first requirement whose schemes are all configured.

    An empty requirement (``[]``, "auth is optional") is satisfied by nothing, so it never
    shadows a later requirement we *can* satisfy; if no non-empty requirement can be met
    the request goes out without auth and the server decides.
    """
    for requirement in security:
        if not requirement:
            continue
        chosen = [credentials.get(scheme) for scheme in requirement]
        if all(_is_set(c) for c in chosen):
            return [c for c in chosen if c is not None]
    return None


def apply_credentials(chosen: Sequence[Credential]) -> AppliedAuth:
    applied = AppliedAuth()
    cookies: list[str] = []
    for credential in chosen:
        value = credential.value or ""
        if credential.kind == "bearer":
            applied.headers[credential.name or "Authorization"] = f"Bearer {value}"
        elif credential.kind == "basic":
            token = base64.b64encode(value.encode("utf-8")).decode("ascii")
            applied.headers[credential.name or "Authorization"] = f"Basic {token}"
        elif credential.kind == "header":
            applied.headers[credential.name] = value
        elif credential.kind == "query":
            applied.query[credential.name] = value
        else:
            cookies.append(f"{credential.name}={value}")
    if cookies:
        # Several cookie schemes in one requirement must share the single Cookie header.
        applied.headers["Cookie"] = "; ".join(cookies)
    return applied


def credential_secrets(credentials: Mapping[str, Credential]) -> frozenset[str]:
    """Every configured secret, as it may appear on the wire (basic auth also base64'd).

    All of them, not only those of the current request: any of them in a redirect URL or in
    a log line is a leak, whichever operation sent it.
    """
    secrets: set[str] = set()
    for credential in credentials.values():
        value = credential.value
        if not value:
            continue
        secrets.add(value)
        if credential.kind == "basic":
            secrets.add(base64.b64encode(value.encode("utf-8")).decode("ascii"))
    return frozenset(secrets)


def missing_credentials_hint(
    credentials: Mapping[str, Credential], security: Sequence[Sequence[str]]
) -> str | None:
    """Explain which credential to configure, when a request needed auth we could not send."""
    missing: list[str] = []
    for requirement in security:
        for scheme in requirement:
            if scheme not in missing and not _is_set(credentials.get(scheme)):
                missing.append(scheme)
    if not missing:
        return None
    ways: list[str] = []
    for scheme in missing:
        credential = credentials.get(scheme)
        arg = (
            credential.arg_name
            if credential is not None and credential.arg_name
            else None
        )
        env = credential.env_var if credential is not None else None
        if arg and env:
            ways.append(
                f"pass `{arg}=...` to the client or set the {env} environment variable"
            )
        elif arg:
            ways.append(f"pass `{arg}=...` to the client")
        elif env:
            ways.append(f"set the {env} environment variable")
        else:
            ways.append(f"configure a credential for security scheme {scheme!r}")
    return "no credentials were sent with this request; " + ", or ".join(ways) + "."
