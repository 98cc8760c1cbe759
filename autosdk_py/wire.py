"""What a spec string must be to travel on the wire as itself: header names, paths, media types.

The renderer can put any string into generated code safely, but some strings cannot be sent: a
header name with a newline would split the request (httpx does not refuse it), a path with a control
character is not a URL. Such values are refused at generation time with a pointer, instead of
producing a client that fails, or worse, on its first call. Each function returns what is wrong, or
``None`` when the value is fine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import escape_pointer_token
from .schema_rules import Problem

__all__ = ["header_name_problem", "header_value_problem", "openapi_wire_problems", "path_problem"]

# RFC 9110 5.6.2: token = 1*tchar
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Printable ASCII: what a header value made from spec text (a media type) may hold.
_VISIBLE_ASCII = re.compile(r"[\x20-\x7e]*")


def _shown(char: str) -> str:
    return repr(char)


def header_name_problem(name: str) -> str | None:
    """A header name must be an RFC 9110 token: letters, digits and ``!#$%&'*+-.^_`|~``."""
    if _TOKEN.fullmatch(name):
        return None
    if not name:
        return "a header name cannot be empty"
    bad = next(c for c in name if not _TOKEN.fullmatch(c))
    return f"{name!r} is not a valid HTTP header name (it contains {_shown(bad)})"


def header_value_problem(value: str) -> str | None:
    """Spec text sent as a header value (a media type in ``Accept``/``Content-Type``): printable ASCII."""
    if _VISIBLE_ASCII.fullmatch(value):
        return None
    bad = next(c for c in value if not _VISIBLE_ASCII.fullmatch(c))
    return f"{value!r} cannot be sent in an HTTP header (it contains {_shown(bad)})"


def path_problem(path: str) -> str | None:
    """A path template: no control characters (they are not URL text) and no ``#`` (a fragment is never sent)."""
    # Other characters (spaces, quotes, non-ASCII) are percent-encoded by httpx and websockets.
    bad = next((c for c in path if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        return f"the path {path!r} contains the control character {_shown(bad)}"
    if "#" in path:
        return f"the path {path!r} contains '#': a URL fragment is never sent to the server"
    return None


# --- where OpenAPI puts spec text on the wire --------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def openapi_wire_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every path, header name and media type of an OpenAPI document that cannot be sent as written."""
    problems: list[Problem] = []
    paths = data.get("paths")
    for path, item in paths.items() if isinstance(paths, Mapping) else ():
        where = "/paths/" + escape_pointer_token(str(path))
        problem = path_problem(str(path))
        if problem is not None:
            problems.append(Problem(problem, where, "percent-encode the character or remove it from the path"))
        if not isinstance(item, Mapping):
            continue
        _parameters(item.get("parameters"), where + "/parameters", problems)
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            _parameters(op.get("parameters"), f"{where}/{method}/parameters", problems)
            body = op.get("requestBody")
            if isinstance(body, Mapping):
                _content(body.get("content"), f"{where}/{method}/requestBody/content", problems)
            responses = op.get("responses")
            for code, response in responses.items() if isinstance(responses, Mapping) else ():
                if isinstance(response, Mapping):
                    pointer = f"{where}/{method}/responses/{escape_pointer_token(str(code))}/content"
                    _content(response.get("content"), pointer, problems)
    components = data.get("components")
    if isinstance(components, Mapping):
        for section, visit in (("parameters", _parameter), ("requestBodies", None), ("responses", None)):
            entries = components.get(section)
            for name, entry in entries.items() if isinstance(entries, Mapping) else ():
                pointer = f"/components/{section}/{escape_pointer_token(str(name))}"
                if visit is not None:
                    visit(entry, pointer, problems)
                elif isinstance(entry, Mapping):
                    _content(entry.get("content"), pointer + "/content", problems)
        schemes = components.get("securitySchemes")
        for key, scheme in schemes.items() if isinstance(schemes, Mapping) else ():
            if isinstance(scheme, Mapping) and scheme.get("type") == "apiKey" and scheme.get("in") in _HEADERS:
                _header_name(scheme.get("name"), f"/components/securitySchemes/{escape_pointer_token(key)}", problems)
    return problems


_HEADERS = ("header", "cookie")


def _parameters(params: Any, pointer: str, problems: list[Problem]) -> None:
    for index, param in enumerate(params if isinstance(params, list) else ()):
        _parameter(param, f"{pointer}/{index}", problems)


def _parameter(param: Any, pointer: str, problems: list[Problem]) -> None:
    if isinstance(param, Mapping) and param.get("in") in _HEADERS:
        _header_name(param.get("name"), pointer, problems)


def _header_name(name: Any, pointer: str, problems: list[Problem]) -> None:
    if isinstance(name, str) and (problem := header_name_problem(name)) is not None:
        problems.append(
            Problem(problem, pointer + "/name", "use letters, digits and -, as HTTP header names are (e.g. X-Api-Key)")
        )


def _content(content: Any, pointer: str, problems: list[Problem]) -> None:
    for media_type in content if isinstance(content, Mapping) else ():
        if isinstance(media_type, str) and (problem := header_value_problem(media_type)) is not None:
            problems.append(
                Problem(
                    f"the media type {problem}",
                    f"{pointer}/{escape_pointer_token(media_type)}",
                    "write the media type as type/subtype in plain ASCII, e.g. application/json",
                )
            )
