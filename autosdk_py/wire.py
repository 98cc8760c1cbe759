"""What a spec string must be to travel on the wire as itself: header names, paths, media types.

The renderer can put any string into generated code safely, but some strings cannot be sent: a
header name with a newline would split the request (httpx does not refuse it), a path with a control
character is not a URL. Such values are refused at generation time with a pointer, instead of
producing a client that fails, or worse, on its first call. Each function returns what is wrong, or
``None`` when the value is fine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .errors import escape_pointer_token
from .schema_rules import Problem

__all__ = ["header_name_problem", "media_type_problem", "openapi_wire_problems", "path_problem", "template_names"]

# RFC 9110 5.6.2: token = 1*tchar
_TOKEN_TEXT = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_TOKEN = re.compile(_TOKEN_TEXT)
# RFC 9110 5.6.4 quoted-string, and 8.3.1: media-type = type "/" subtype *( OWS ";" OWS parameter )
_QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_MEDIA_TYPE = re.compile(
    rf"{_TOKEN_TEXT}/{_TOKEN_TEXT}(?:[ \t]*;[ \t]*(?:{_TOKEN_TEXT}=(?:{_TOKEN_TEXT}|{_QUOTED}))?)*"
)
_TEMPLATE_NAME = re.compile(r"{([^{}]*)}")


def _shown(char: str) -> str:
    return repr(char)


def _controls(text: str) -> list[str]:
    """The control characters (Unicode category Cc: C0, DEL and C1 such as NEL) in ``text``."""
    return sorted({c for c in text if unicodedata.category(c) == "Cc"})


def header_name_problem(name: str) -> str | None:
    """A header name must be an RFC 9110 token: letters, digits and ``!#$%&'*+-.^_`|~``."""
    if _TOKEN.fullmatch(name):
        return None
    if not name:
        return "a header name cannot be empty"
    bad = next(c for c in name if not _TOKEN.fullmatch(c))
    return f"{name!r} is not a valid HTTP header name (it contains {_shown(bad)})"


def media_type_problem(value: str) -> str | None:
    """A media type sent in ``Content-Type``/``Accept``: RFC 9110 ``type/subtype`` with ``;name=value`` parameters."""
    if _MEDIA_TYPE.fullmatch(value):
        return None
    return f"{value!r} is not a media type (RFC 9110: type/subtype, then ;name=value parameters)"


def path_problem(path: str) -> str | None:
    """A path template: no control characters, no ``#``, and ``{name}`` expressions well formed.

    Other characters (spaces, quotes, non-ASCII) are percent-encoded by httpx and websockets. A
    ``?`` starts a query that is part of the endpoint (OpenAI's ``/responses?beta=true``).
    """
    bad = _controls(path)
    if bad:
        return f"the path {path!r} contains the control character {_shown(bad[0])}"
    if "#" in path:
        return f"the path {path!r} contains '#': a URL fragment is never sent to the server"
    depth, name = 0, ""
    for char in path:
        if char == "{":
            if depth:
                return f"the path {path!r} has a '{{' inside a {{name}} expression"
            depth, name = 1, ""
        elif char == "}":
            if not depth:
                return f"the path {path!r} has a '}}' that closes no {{name}} expression"
            if not name:
                return f"the path {path!r} has an empty {{}} expression"
            depth = 0
        elif depth:
            name += char
    return f"the path {path!r} has a '{{' that is never closed" if depth else None


def template_names(path: str) -> list[str]:
    """The ``{name}`` expressions of a path template, in order."""
    return _TEMPLATE_NAME.findall(path)


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
            problems.append(
                Problem(problem, where, "write the path as /segment/{name}/..., percent-encoding other text")
            )
        if not isinstance(item, Mapping):
            continue
        shared = _parameters(data, item.get("parameters"), where + "/parameters", problems)
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            declared = shared | _parameters(data, op.get("parameters"), f"{where}/{method}/parameters", problems)
            if problem is None:
                missing = [name for name in template_names(str(path)) if name not in declared]
                if missing:
                    problems.append(
                        Problem(
                            f"the path's {{{missing[0]}}} is not a path parameter of this operation",
                            f"{where}/{method}",
                            f"declare it: parameters: [{{name: {missing[0]}, in: path, required: true, "
                            "schema: {type: string}}]",
                        )
                    )
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
        for section in ("parameters", "requestBodies", "responses"):
            entries = components.get(section)
            for name, entry in entries.items() if isinstance(entries, Mapping) else ():
                pointer = f"/components/{section}/{escape_pointer_token(str(name))}"
                if section == "parameters":
                    _parameter_problems(entry, pointer, problems)
                elif isinstance(entry, Mapping):
                    _content(entry.get("content"), pointer + "/content", problems)
        schemes = components.get("securitySchemes")
        for key, scheme in schemes.items() if isinstance(schemes, Mapping) else ():
            if not (isinstance(scheme, Mapping) and scheme.get("type") == "apiKey"):
                continue
            pointer = f"/components/securitySchemes/{escape_pointer_token(key)}"
            if scheme.get("in") in _SENT_AS_NAME:
                _header_name(scheme.get("name"), pointer, problems)
            elif scheme.get("in") == "query" and scheme.get("name") == "":
                hint = "name the query parameter that carries the key, e.g. api_key"
                problems.append(Problem("the API key's query parameter has no name", pointer + "/name", hint))
    return problems


_NOT_PATH = ("query", "header", "cookie")
# A header name and a cookie name are both RFC 9110 tokens (RFC 6265: cookie-name = token).
_SENT_AS_NAME = ("header", "cookie")


def _parameters(data: Mapping[str, Any], params: Any, pointer: str, problems: list[Problem]) -> set[str]:
    """Check the parameters written here; return the names of the path parameters (``$ref``s followed)."""
    names: set[str] = set()
    for index, param in enumerate(params if isinstance(params, list) else ()):
        if not isinstance(param, Mapping):
            continue
        ref = param.get("$ref")
        if isinstance(ref, str):
            param = _local(data, ref)  # checked where it is defined (components/parameters)
        else:
            _parameter_problems(param, f"{pointer}/{index}", problems)
        # A parameter whose ``in`` is missing or wrong is reported by the structure check; not twice.
        if isinstance(param, Mapping) and param.get("in") not in _NOT_PATH and isinstance(param.get("name"), str):
            names.add(param["name"])
    return names


def _local(data: Mapping[str, Any], ref: str) -> Any:
    node: Any = data
    if not ref.startswith("#/"):
        return None
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node.get(token) if isinstance(node, Mapping) else None
    return node


def _parameter_problems(param: Any, pointer: str, problems: list[Problem]) -> None:
    # Cookie parameters are not sent by the generated client, so their names are not judged.
    if isinstance(param, Mapping) and param.get("in") == "header":
        _header_name(param.get("name"), pointer, problems)


def _header_name(name: Any, pointer: str, problems: list[Problem]) -> None:
    if isinstance(name, str) and (problem := header_name_problem(name)) is not None:
        problems.append(
            Problem(problem, pointer + "/name", "use letters, digits and -, as HTTP header names are (e.g. X-Api-Key)")
        )


def _content(content: Any, pointer: str, problems: list[Problem]) -> None:
    for media_type in content if isinstance(content, Mapping) else ():
        if isinstance(media_type, str) and (problem := media_type_problem(media_type)) is not None:
            problems.append(
                Problem(
                    problem,
                    f"{pointer}/{escape_pointer_token(media_type)}",
                    "write the media type as type/subtype, e.g. application/json or text/plain; charset=utf-8",
                )
            )
