"""Which channel a handshake asks for, and whether its credentials and parameters are acceptable.

A route is the full path a generated client opens: the server's ``pathname`` joined to the
channel address the way the client joins them (``realtime_runtime._urls.build_url``: the address
is not prefixed again when it already starts with the pathname). ``{placeholders}`` (channel
parameters, server variables in the path) match one path segment each. Routes are tried literal
ones first, then by decreasing number of literal segments, so ``/{symbol}`` does not shadow
``/no-query``.

Checks, in order: auth (401), then path parameter enums, required query parameters and headers,
query enums (400). Every rejection is an HTTP response with a JSON body
``{"error": {"status": 401, "code": "unauthorized", "message": "..."}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..asyncapi.client_ir import _server_for
from ..asyncapi.spec import AsyncApiDocument, ChannelSpec, ParamSpec, SecuritySpec
from ..realtime_runtime._urls import build_url

__all__ = ["Rejection", "Route", "build_routes", "check_handshake", "find_route", "select_subprotocol"]

_PLACEHOLDER = re.compile(r"{([^{}]+)}")


@dataclass(frozen=True)
class Rejection:
    status: int  # 400, 401 or 404
    code: str  # bad_request, unauthorized, not_found
    message: str


@dataclass(frozen=True)
class Route:
    channel: ChannelSpec
    template: str  # the full path with {placeholders}, e.g. /v1/plants/{plant_id}/live
    pattern: re.Pattern[str]
    names: tuple[str, ...]  # placeholder names, in group order
    server_path: str  # the server's pathname ("" when none): part of the client's base URL
    path_params: tuple[ParamSpec, ...]
    query_params: tuple[ParamSpec, ...]
    header_params: tuple[ParamSpec, ...]
    security: tuple[SecuritySpec, ...]  # alternatives: one satisfied is enough; () = no auth

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in zip(self.names, found.groups(), strict=True)}


def build_routes(api: AsyncApiDocument, channels: Sequence[ChannelSpec]) -> list[Route]:
    by_key = {s.key: s for s in api.security}
    routes: list[Route] = []
    for channel in channels:
        # The same server the generated client takes its default URL, auth and variables from.
        server = _server_for(api, channel)
        server_url = server.url if server is not None else "ws://localhost"
        path = urlsplit(build_url(server_url, channel.address or "/")).path or "/"
        server_path = urlsplit(server_url).path.rstrip("/")
        names = tuple(_PLACEHOLDER.findall(path))
        regex = "".join("([^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(_PLACEHOLDER.split(path)))
        variables = server.variables if server is not None else ()
        in_path = [v for v in variables if "{" + v.name + "}" in path]
        # A server variable that is not in the URL is sent as a query parameter by the client.
        as_query = [
            ParamSpec(v.name, v.schema, v.default is None, v.description, v.default, v.enum)
            for v in variables
            if "{" + v.name + "}" not in server_url
        ]
        declared = {p.name: p for p in (*channel.path_params, *in_path)}
        path_params = tuple(declared.get(n) or ParamSpec(n, {"type": "string"}, True) for n in dict.fromkeys(names))
        keys = server.security if server is not None and server.security else tuple(by_key)
        security = tuple(by_key[k] for k in keys if k in by_key and by_key[k].kind != "unsupported")
        routes.append(
            Route(
                channel=channel,
                template=path,
                pattern=re.compile(regex),
                names=names,
                server_path=server_path,
                path_params=path_params,
                query_params=(*channel.query_params, *as_query),
                header_params=channel.header_params,
                security=security,
            )
        )
    # A templated route (``/{symbol}``) matches a literal path (``/no-query``) too: literal routes are
    # tried first, then those with more literal segments; the sort is stable, so document order
    # decides between equals.
    return sorted(routes, key=_specificity)


def _specificity(route: Route) -> tuple[int, int]:
    segments = [s for s in route.template.split("/") if s]
    literal = sum(1 for s in segments if not _PLACEHOLDER.search(s))
    return (1 if route.names else 0, -literal)


def find_route(routes: Sequence[Route], path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        values = route.match(path)
        if values is not None:
            return route, values
    return None


def _subprotocol_key(template: str, offered: str) -> str | None:
    """The key in ``offered`` when it fits ``template`` (``openai-insecure-api-key.{apiKey}``)."""
    parts = _PLACEHOLDER.split(template)
    if len(parts) < 3:
        return None
    regex = "".join("(.+)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
    found = re.fullmatch(regex, offered)
    return found.group(1) if found else None


def _credential(
    scheme: SecuritySpec, query: Mapping[str, list[str]], headers: Mapping[str, str], offered: Sequence[str]
) -> str | None:
    """The key this scheme carries on the handshake, "" when present but empty, None when absent."""
    if scheme.kind == "bearer":
        value = headers.get("authorization")
        if value is None:
            return None
        kind, _, token = value.strip().partition(" ")
        return token.strip() if kind.lower() == "bearer" else None
    if scheme.kind == "header" and scheme.name:
        return headers.get(scheme.name.lower())
    if scheme.kind == "query" and scheme.name:
        values = query.get(scheme.name)
        return values[0] if values else None
    if scheme.kind == "subprotocol":
        for template in scheme.subprotocols:
            for protocol in offered:
                key = _subprotocol_key(template, protocol)
                if key is not None:
                    return key
    return None


def _describe(scheme: SecuritySpec) -> str:
    if scheme.kind == "bearer":
        return "an 'Authorization: Bearer <key>' header"
    if scheme.kind == "header":
        return f"a '{scheme.name}: <key>' header"
    if scheme.kind == "query":
        return f"a '{scheme.name}=<key>' query parameter"
    keyed = [t.replace("{apiKey}", "<key>") for t in scheme.subprotocols if "{" in t]
    return "the subprotocol " + " or ".join(f"'{t}'" for t in keyed)


def _check_auth(
    route: Route,
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    offered: Sequence[str],
    api_key: str | None,
) -> Rejection | None:
    if not route.security:
        return None
    wrong = False
    for scheme in route.security:
        key = _credential(scheme, query, headers, offered)
        if not key:
            continue
        if api_key is None or key == api_key:
            return None
        wrong = True
    if wrong:
        return Rejection(
            401, "unauthorized", "the API key is not the one this mock server was started with (--api-key)"
        )
    ways = " or ".join(_describe(s) for s in route.security)
    return Rejection(401, "unauthorized", f"missing credentials: send {ways}")


def _param_problem(param: ParamSpec, value: str, where: str) -> str | None:
    schema = param.schema
    allowed = list(param.enum) or list(schema.get("enum") or []) or ([schema["const"]] if "const" in schema else [])
    if allowed and value not in [_text(v) for v in allowed]:
        options = ", ".join(repr(_text(v)) for v in allowed)
        return f"{where} '{param.name}' is {value!r}; expected one of {options}"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and not re.fullmatch(r"[+-]?\d+", value) and "string" not in kinds:
        return f"{where} '{param.name}' is {value!r}; expected an integer"
    if "number" in kinds and "string" not in kinds:
        try:
            float(value)
        except ValueError:
            return f"{where} '{param.name}' is {value!r}; expected a number"
    if "boolean" in kinds and value not in ("true", "false") and "string" not in kinds:
        return f"{where} '{param.name}' is {value!r}; expected true or false"
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_handshake(
    route: Route,
    path_values: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],  # lower-cased names
    offered: Sequence[str],
    api_key: str | None,
) -> Rejection | None:
    """``None`` when the handshake may proceed, else what to answer."""
    rejected = _check_auth(route, query, headers, offered, api_key)
    if rejected is not None:
        return rejected
    problems: list[str] = []
    for param in route.path_params:
        value = path_values.get(param.name)
        if value is not None and (problem := _param_problem(param, value, "path parameter")):
            problems.append(problem)
    for param in route.query_params:
        values = query.get(param.name)
        if not values:
            if param.required:
                problems.append(f"missing required query parameter '{param.name}'")
            continue
        if problem := _param_problem(param, values[0], "query parameter"):
            problems.append(problem)
    for param in route.header_params:
        header = headers.get(param.name.lower())
        if header is None:
            if param.required:
                problems.append(f"missing required header '{param.name}'")
            continue
        if problem := _param_problem(param, header, "header"):
            problems.append(problem)
    if problems:
        return Rejection(400, "bad_request", "; ".join(problems))
    return None


def select_subprotocol(route: Route, offered: Sequence[str]) -> str | None:
    """The first offered subprotocol the document names without a key (OpenAI: ``realtime``)."""
    plain = {t for s in route.security if s.kind == "subprotocol" for t in s.subprotocols if "{" not in t}
    return next((p for p in offered if p in plain), None)
