"""The strings the fuzz test writes into every string-valued place of a spec.

Two families:

* code payloads, one per quoting context a template could put spec text in (``"..."``, ``'...'``,
  ``\"...\"``, docstrings at each indentation, ``#`` comments, f-strings, Jinja). Each one, if it ever
  runs, creates its own *tripwire* file (one file per case, so a file that exists names the case);
* ordinary text that has broken generated code before: quotes at the end, backslash escapes, line and
  paragraph separators, control characters, very long strings, Python keywords and pydantic names.

A payload is a function of the tripwire path, because code payloads must name their file.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _touch(path: str, quote: str) -> str:
    """An expression that creates ``path`` and evaluates to a ``str`` (so string concatenation keeps working)."""
    q = quote
    return f"str(__import__({q}pathlib{q}).Path({q}{path}{q}).touch())"


def _jinja_touch(path: str) -> str:
    # Plain Jinja (not sandboxed) reaches the builtins through any template object's globals.
    return f"self.__init__.__globals__.__builtins__.__import__('pathlib').Path('{path}').touch()"


@dataclass(frozen=True)
class Payload:
    name: str
    make: Callable[[str], Any]  # tripwire path -> what is written into the spec (a string, or a value below)
    code: bool  # whether the text carries a tripwire
    text: bool = True  # False: a non-string value, written only where the spec allows any JSON/YAML value
    may_refuse: bool = False  # (values) a refusal naming the value's pointer passes too

    def render(self, trip: str) -> Any:
        return self.make(trip)


def _code(name: str, make: Callable[[str], str]) -> Payload:
    return Payload(name, make, True)


def _text(name: str, text: str) -> Payload:
    return Payload(name, lambda _trip: text, False)


PAYLOADS: tuple[Payload, ...] = (
    # --- code in each quoting context ---------------------------------------------------------
    _code("dq-concat", lambda t: f'" + {_touch(t, chr(34))} + "'),
    _code("sq-concat", lambda t: f"' + {_touch(t, chr(39))} + '"),
    # A template that escapes `"` but not `\` turns `\"` into `\\"`: the quote then ends the string, and the
    # rest of the line (the template's closing quote) becomes a comment.
    _code("backslash-dq", lambda t: f'\\" + {_touch(t, chr(39))}  #'),
    _code("tdq-inline", lambda t: f'"""; {_touch(t, chr(34))}; """'),
    _code("tsq-inline", lambda t: f"'''; {_touch(t, chr(34))}; '''"),
    # Docstrings sit at module (0), class (4) and method (8) indentation: a break-out must match one.
    _code("tdq-newline-0", lambda t: f'"""\n{_touch(t, chr(34))}\n"""'),
    _code("tdq-newline-4", lambda t: f'"""\n    {_touch(t, chr(34))}\n    """'),
    _code("tdq-newline-8", lambda t: f'"""\n        {_touch(t, chr(34))}\n        """'),
    _code("newline-code-comment", lambda t: f"x\n{_touch(t, chr(34))}  #"),
    _code("newline-code-comment-8", lambda t: f"x\n        {_touch(t, chr(34))}  #"),
    _code("fstring", lambda t: "{" + _touch(t, chr(39)) + "}"),
    _code("jinja-expression", lambda t: "{{ " + _jinja_touch(t) + " }}"),
    _code("jinja-statement", lambda t: "{% set _ = " + _jinja_touch(t) + " %}"),
    # --- ordinary text that is hard to quote ---------------------------------------------------
    _text("ends-with-dq", 'it\'s a "test"'),
    _text("ends-with-backslash", "C:\\dir\\"),
    _text("backslash-escapes", "a\\nb\\x41\\u00e9\\N{BULLET}\\N\\t"),
    _text("line-separators", "a\u2028b\u2029c"),
    _text("nul", "a\x00b"),
    _text("crlf", "a\r\nb"),
    _text("controls", "a\x0cb\x85c\x1bd\x7fe\tf"),
    _text("unicode", "Gr\u00fc\u00dfe \u4e2d\u6587 \u2713 \U0001f600 \u202eevil"),
    _text("long-text", "Lorem ipsum dolor sit amet. " * 360),
    _text("long-word", "Long-" * 2000),
    _text("keyword-class", "class"),
    _text("keyword-none", "None"),
    _text("keyword-self", "self"),
    _text("pydantic-model-config", "model_config"),
    _text("digits", "123"),
    _text("empty", ""),
)


def _value(name: str, value: object, may_refuse: bool = False) -> Payload:
    return Payload(name, lambda _trip: value, False, text=False, may_refuse=may_refuse)


# Defaults, examples, enum and const values are any JSON/YAML value. These have no Python literal of the
# same spelling (``inf``, ``nan``) or are YAML-only types (dates): their ``repr`` is not code that imports.
VALUES: tuple[Payload, ...] = (
    # JSON has no number for these (a YAML document can still hold them): generating or refusing both pass
    _value("value-inf", float("inf"), may_refuse=True),
    _value("value-minus-inf", float("-inf"), may_refuse=True),
    _value("value-nan", float("nan"), may_refuse=True),
    _value("value-huge-int", 10**40),
    _value("value-yaml-date", datetime.date(2024, 2, 29)),
    _value("value-yaml-datetime", datetime.datetime(2024, 2, 29, 12, 30, tzinfo=datetime.UTC)),
    _value("value-object", {"a": [1, None, True]}),
)

BY_NAME: dict[str, Payload] = {p.name: p for p in (*PAYLOADS, *VALUES)}

# A string that must be refused costs a generation of its own (a refusal stops the whole document), so a
# site's refusals are checked with these payloads only: one per quoting context that reaches code, and one
# per character class an RFC rules out (quotes and spaces, braces, controls, separators, non-ASCII, empty).
REFUSAL_SAMPLE: frozenset[str] = frozenset(
    {
        "dq-concat",
        "backslash-dq",
        "tdq-newline-8",
        "newline-code-comment",
        "fstring",
        "jinja-expression",
        "ends-with-dq",
        "nul",
        "crlf",
        "controls",
        "line-separators",
        "unicode",
        "empty",
    }
)

# The second version of each format family (OpenAPI 3.0 beside 3.1, AsyncAPI 2.6 beside 3.0) is parsed by
# other code but rendered by the same templates, so it gets one payload per quoting context and per kind of
# hard text instead of all of them: the fuzz test stays within a few minutes.
COMPACT: frozenset[str] = frozenset(
    {
        "dq-concat",
        "sq-concat",
        "backslash-dq",
        "tdq-inline",
        "tdq-newline-8",
        "newline-code-comment",
        "fstring",
        "jinja-expression",
        "ends-with-dq",
        "backslash-escapes",
        "line-separators",
        "nul",
        "controls",
        "keyword-class",
        "empty",
    }
)
COMPACT_FORMATS = frozenset({"openapi-3.0", "asyncapi-2.6"})


COMPACT_VALUES = frozenset({"value-inf", "value-yaml-date"})


def payloads_for(fmt: str) -> tuple[Payload, ...]:
    """The strings and values the fuzz test writes into documents of ``fmt``."""
    if fmt in COMPACT_FORMATS:
        return tuple(p for p in (*PAYLOADS, *VALUES) if p.name in COMPACT | COMPACT_VALUES)
    return (*PAYLOADS, *VALUES)
