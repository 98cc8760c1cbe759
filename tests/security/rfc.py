"""Which spec strings a generated client can carry on the wire, decided from the RFCs.

Every string-valued place of a spec has a rule. A rule looks at the exact string written in the spec
and returns what the generator must do with it:

* ``generate``: the string is representable; generation must succeed (and for wire values the
  generated package must hold the exact string as a ``str`` constant);
* ``refuse``: the string cannot be sent as the protocol requires; generation must stop with a
  ``SpecError`` naming the JSON pointer of the string;
* ``either``: the specifications leave it open (e.g. an AsyncAPI address placeholder that no
  parameter declares, which the generator documents as an implicit parameter); both outcomes pass,
  but a generated package is still checked like any other.

The decisions, and where they come from:

* header field names (OpenAPI ``in: header`` parameters, apiKey headers, ``bindings.ws.headers``,
  Fern headers and auth headers): RFC 9110 section 5.1, ``field-name = token``;
  ``tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" /
  DIGIT / ALPHA``. So ``it's`` is a valid header name and ``X Key`` or ``a"b`` are not.
* cookie names (apiKey ``in: cookie``): RFC 6265 section 4.1.1, ``cookie-name = token``.
* WebSocket subprotocols (``x-subprotocol-auth``): RFC 6455 section 4.1, each a token (the
  ``{apiKey}`` placeholder is filled by the client and not judged here).
* cookie parameters and response header names, which the client reads from the spec but never sends:
  a token must generate, anything else is ``either`` (refused, or ignored).
* query parameter names, multipart field names, JSON property names, enum/const/tag values: any
  string can be sent (percent-encoding, RFC 7578 section 4.2 escaping, JSON string escapes), so they
  must generate; an empty name is ``either`` (it can be sent but names nothing; ``{"": 1}`` is
  valid JSON).
* non-string defaults and examples (JSON/YAML values): they must generate, except ``inf``, ``-inf``
  and ``nan``, which JSON has no number for: ``either``.
* OpenAPI path keys: the client percent-encodes what a path cannot hold raw (RFC 3986 section 2.1),
  so quotes, spaces, backslashes and non-ASCII text must generate; but a control character has no
  place in a template meant to be sent, and ``#`` would end the path (RFC 3986 section 3.3: "the path
  is terminated by the first question mark or number sign"), so the spec cannot mean it. A ``?`` ends
  the path too, but real specs use it on purpose for a query that is part of the endpoint (OpenAI's
  ``/responses?beta=true``), so it must generate. OpenAPI 3.1.1's path-template ABNF makes ``{`` and ``}`` delimit ``template-expression``s,
  each of which MUST match a declared path parameter. So a control character, ``?``, ``#``, an
  unbalanced brace or an expression the operation does not declare is a refusal.
* AsyncAPI channel addresses and Fern paths: the same, except that braces are ``either`` (the
  generator turns an undeclared ``{name}`` into an implicit string parameter).
* path parameter, channel parameter and server variable names: they sit between braces in a
  template, so an empty name, a brace or a control character is a refusal; a ``?`` or ``#`` is
  ``either`` (the name never reaches the wire, but the template text holds it).
* media types (request and response content types): RFC 9110 section 8.3.1,
  ``media-type = type "/" subtype parameters`` with ``token``s and ``quoted-string`` values.
* regular expressions (``pattern``): a pattern Python's ``re`` cannot compile is ``either`` (a clear
  refusal would be better, but JSON Schema patterns are ECMA-262, not Python, so not every
  difference is the generator's to catch); one it can compile must generate.
* Fern type names referenced from a type expression must be identifiers (``[A-Za-z_][A-Za-z0-9_]*``,
  Fern's type grammar), and a ``literal<...>`` value cannot contain both quote characters (the
  grammar has no escapes): otherwise a refusal.
* everything else (titles, descriptions, summaries, examples, defaults, identifiers derived from
  names): any string is representable in Python source, so generation must succeed; only an empty
  server host, which AsyncAPI requires, is ``either``.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Expect = Literal["generate", "refuse", "either"]

TCHAR = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)
_FERN_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Verdict:
    expect: Expect
    reason: str = ""


GENERATE = Verdict("generate")
Rule = Callable[[str], Verdict]


def controls(value: str) -> list[str]:
    """The control characters (Unicode category Cc: C0, DEL, C1) in ``value``, as escapes."""
    return sorted({repr(c)[1:-1] for c in value if unicodedata.category(c) == "Cc"})


def is_token(value: str) -> bool:
    return bool(value) and all(c in TCHAR for c in value)


def token_problem(value: str) -> str:
    if not value:
        return "empty, and a token has at least one character"
    bad = sorted({repr(c)[1:-1] for c in value if c not in TCHAR})
    return f"not an RFC 9110 token: {', '.join(bad[:8])} {'is' if len(bad) == 1 else 'are'} not tchar"


def _qdtext_ok(c: str) -> bool:
    # quoted-string content (RFC 9110 5.6.4): HTAB, SP, VCHAR and obs-text (%x80-FF), escaped as needed.
    return c == "\t" or " " <= c <= "~" or "\x80" <= c <= "\xff"


def quoted_string(value: str) -> str:
    """``value`` as an RFC 9110 quoted-string (``\\`` and ``"`` escaped); meaningful when representable."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_TOKEN_RE = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED_RE = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_MEDIA_TYPE = re.compile(rf"{_TOKEN_RE}/{_TOKEN_RE}(?:[ \t]*;[ \t]*(?:{_TOKEN_RE}=(?:{_TOKEN_RE}|{_QUOTED_RE}))?)*\Z")


def is_media_type(value: str) -> bool:
    return _MEDIA_TYPE.match(value) is not None


# --- rules ---------------------------------------------------------------------------------------------


def text(_value: str) -> Verdict:
    return GENERATE


def required_text(value: str) -> Verdict:
    # a field the specification requires (a server's host): empty, it may be taken as missing
    return GENERATE if value else Verdict("either", "an empty required field")


def any_name(value: str) -> Verdict:
    # ``?=v`` and ``name=""`` can be sent, but name nothing: refusing an empty name is as good
    return GENERATE if value else Verdict("either", "an empty name")


def unused_token(value: str) -> Verdict:
    """A header or cookie name the client never sends (cookie parameters, response headers): a name that is
    not a token may be refused or ignored."""
    return (
        GENERATE if is_token(value) else Verdict("either", token_problem(value) + " (a name the client does not send)")
    )


def json_name(value: str) -> Verdict:
    # ``{"": 1}`` is valid JSON, so an empty property name may generate; a refusal is as good.
    return GENERATE if value else Verdict("either", "an empty JSON property name")


def any_value(_value: str) -> Verdict:
    return GENERATE


def token(value: str) -> Verdict:
    return GENERATE if is_token(value) else Verdict("refuse", token_problem(value))


def subprotocol(value: str) -> Verdict:
    filled = value.replace("{apiKey}", "key")
    return GENERATE if is_token(filled) else Verdict("refuse", "subprotocol " + token_problem(filled))


def media_type(value: str) -> Verdict:
    if is_media_type(value):
        return GENERATE
    return Verdict("refuse", "not an RFC 9110 media-type (type/subtype *(; token=token|quoted-string))")


def _template_problem(value: str) -> str | None:
    """Why ``value`` is not a well-formed path template (braces balanced, names non-empty), else None."""
    depth_open = False
    name = ""
    for c in value:
        if c == "{":
            if depth_open:
                return "a '{' inside a template expression"
            depth_open, name = True, ""
        elif c == "}":
            if not depth_open:
                return "a '}' outside a template expression"
            if not name:
                return "an empty template expression '{}'"
            depth_open = False
        elif depth_open:
            name += c
    return "an unclosed '{'" if depth_open else None


def template_names(value: str) -> list[str]:
    return re.findall(r"{([^{}]*)}", value)


def _path_problem(value: str) -> str | None:
    """Why ``value`` cannot be a URL path: control characters, or the "?" / "#" that end a path (RFC 3986 3.3)."""
    bad = controls(value)
    if bad:
        return f"control characters {', '.join(bad)} in a path"
    ends = sorted({c for c in value if c in "?#"})
    if ends:
        return f"{' and '.join(repr(c) for c in ends)} would end the path (RFC 3986 section 3.3)"
    return None


def openapi_path(declared: tuple[str, ...] = ()) -> Rule:
    """An OpenAPI path key whose template expressions must be exactly the ``declared`` names."""

    def rule(value: str) -> Verdict:
        problem = _path_problem(value.replace("?", "", 1) if "#" not in value else value)
        if problem:
            return Verdict("refuse", problem)
        problem = _template_problem(value)
        if problem:
            return Verdict("refuse", f"not an OpenAPI path template: {problem}")
        undeclared = [n for n in template_names(value) if n not in declared]
        if undeclared:
            return Verdict("refuse", f"template expression {{{undeclared[0]}}} has no path parameter")
        return GENERATE

    return rule


def address(value: str) -> Verdict:
    problem = _path_problem(value)
    if problem:
        return Verdict("refuse", problem)
    if "{" in value or "}" in value:
        return Verdict("either", "braces: an implicit parameter or a refusal")
    return GENERATE


def template_name(value: str) -> Verdict:
    if not value:
        return Verdict("refuse", "an empty template name")
    if "{" in value or "}" in value:
        return Verdict("refuse", "a brace inside a template name")
    bad = controls(value)
    if bad:
        return Verdict("refuse", f"control characters {', '.join(bad)} in a template name")
    if "?" in value or "#" in value:
        # the name is replaced by the value before sending, but the template text holds it: refusing is fair
        return Verdict("either", "'?' or '#' in the template text")
    return GENERATE


def regex(value: str) -> Verdict:
    try:
        re.compile(value)
    except re.error as exc:
        return Verdict("either", f"not a valid regular expression ({exc})")
    return GENERATE


def fern_identifier(value: str) -> Verdict:
    if _FERN_IDENT.match(value):
        return GENERATE
    return Verdict("refuse", "not a Fern type name ([A-Za-z_][A-Za-z0-9_]*), so no type expression can name it")


def fern_literal(value: str) -> Verdict:
    if '"' in value and "'" in value:
        return Verdict("refuse", "a Fern literal<...> cannot hold both quote characters")
    return GENERATE


def fern_literal_type(value: str) -> str:
    """The Fern type expression ``literal<"value">`` (single quotes when the value holds a double one)."""
    quote = "'" if '"' in value else '"'
    return f"literal<{quote}{value}{quote}>"
