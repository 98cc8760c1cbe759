"""The Jinja2 environment of the Python templates: where they live, their filters, and the guard.

Templates only place tokens. What a ``{{ ... }}`` prints must already be Python source made by the
renderer (:mod:`autosdk_py.pytext`) or an identifier made by :mod:`autosdk_py.naming`; anything else
(a plain ``str`` from the spec, a number, a tuple) stops rendering with an error naming the value, so
a template cannot put spec text into a module without escaping it. The filters are the only way to
turn a value into text:

* ``lit``: a Python literal (``repr``-based) of a string, number, bool, None, tuple, list or dict;
* ``docstring``: a whole one-line docstring, quotes included; ``docstring(indent)`` a multi-line one
  from text or lines, its later lines and closing quotes indented;
* ``doc``: text placed inside a docstring written in the template (whitespace collapsed, escaped);
* ``comment``: one line for after ``#``.

A template never writes a quote next to a placeholder (a test checks it); a docstring that starts
with spec text is made whole by ``docstring``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .pytext import Code, TypeExpr, comment, doc_line, docstring, literal


def templates_dir() -> Path:
    """Installed wheels carry the templates inside the package; a source checkout has them at the top."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


class UnrenderedValue(TypeError):
    """A template printed a value that did not go through the renderer (a bug in autosdk-py)."""


def _only_code(value: Any) -> str:
    if isinstance(value, Code):
        return value
    if isinstance(value, TypeExpr):
        return value.code
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # counts (``{{ methods | length }}``) are not spec text
    raise UnrenderedValue(
        f"a template printed the raw {type(value).__name__} {value!r}: pass it through `lit`, `doc`, `docstring` or "
        "`comment`, or make it an identifier with autosdk_py.naming"
    )


def _docstring(text: Any, indent: int | None = None) -> Code:
    if indent is None:
        return Code(f'"""{doc_line(text)}"""')
    pad = " " * indent
    return Code(f'"""{docstring(text, pad)}\n{pad}"""')


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_only_code,
    )
    env.filters["lit"] = literal
    env.filters["doc"] = doc_line
    env.filters["docstring"] = _docstring
    env.filters["comment"] = comment
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
