"""The one way spec text becomes Python source: literals, docstrings, comments and type expressions.

A spec is someone else's file, so every string in it is untrusted. The generated code is made from
typed values, never from pre-quoted text:

* identifiers come only from :mod:`autosdk_py.naming` (an :class:`Identifier` is always valid);
* string and other constants only from :func:`literal` (``repr`` of a JSON value, so quotes,
  backslashes, line breaks, NUL and every non-printable character come out escaped);
* docstrings and comments only from :func:`docstring`, :func:`doc_line` and :func:`comment`, which
  escape backslashes and quotes, turn every Unicode line break into a real one (or a space) and
  escape every other non-printable character;
* type annotations are :class:`TypeExpr` values that carry the names they refer to, so nothing has to
  re-parse annotation text to find its imports.

All of these produce :class:`Code`; the template environment refuses to print anything else (see
:mod:`autosdk_py.templating`), so a template cannot put spec text into a module by mistake.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Code",
    "Identifier",
    "TypeExpr",
    "UnrepresentableValue",
    "comment",
    "doc_line",
    "docstring",
    "literal",
    "source_lines",
]


class Code(str):
    """Python source text made by this module or by :mod:`autosdk_py.naming`: printed as it is."""

    __slots__ = ()


class Identifier(Code):
    """A valid Python identifier (or dotted module path) that is not a keyword."""

    __slots__ = ()


class UnrepresentableValue(ValueError):
    """A spec value that has no Python literal (a YAML date, a non-finite number, an object key that is not a string)."""


def literal(value: object) -> Code:
    """The Python literal of a JSON value (``str``, ``int``, ``float``, ``bool``, ``None``, lists, dicts).

    ``repr`` does the escaping: it never leaves a quote, backslash, line break or control character
    unescaped, so the result is one token that cannot end early. Tuples and frozensets (the IR's own
    collections) are rendered the same way.
    """
    return Code(_literal(value))


def _literal(value: object) -> str:
    # Plain values first: an Identifier or an IntEnum is rendered as the str/int it stands for.
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnrepresentableValue(f"{value!r} is not a JSON number")
        return repr(value)
    if isinstance(value, tuple):
        items = ", ".join(_literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, frozenset):
        return "frozenset({" + ", ".join(sorted(_literal(v) for v in value)) + "})" if value else "frozenset()"
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise UnrepresentableValue("an object key is not a string")
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise UnrepresentableValue(f"a {type(value).__name__} value is not JSON data")


# Every character ``str.splitlines`` breaks at (\n \r \v \f \x1c-\x1e \x85 \u2028 \u2029).
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _escape_char(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape_docstring_text(text: str) -> str:
    """Backslashes doubled, non-printables escaped, so the text reads back as itself inside ``\"\"\"``."""
    out: list[str] = []
    for char in text.replace("\\", "\\\\"):
        if "\ud800" <= char <= "\udfff":
            char = "\ufffd"  # a lone surrogate: Python 3.13+ compiles no docstring holding one, even escaped
        out.append(char if char.isprintable() or char == "\t" else _escape_char(char))
    # A run of three quotes would end the docstring; escaping each quote of a run keeps its text.
    return re.sub(r'"(?=")|"$', '\\"', "".join(out))


def docstring(text: str | Iterable[str], indent: str = "") -> Code:
    """The body of a triple-quoted docstring: ``text``'s lines (every Unicode line break counts),
    escaped, the second and later ones prefixed with ``indent``; trailing spaces dropped, blank lines
    left empty."""
    lines = _LINE_BREAKS.split(text) if isinstance(text, str) else [p for t in text for p in _LINE_BREAKS.split(t)]
    escaped = [_escape_docstring_text(line.replace("\t", "    ")).rstrip() for line in lines]
    while escaped and not escaped[-1]:
        escaped.pop()
    return Code("\n".join(line if i == 0 or not line else indent + line for i, line in enumerate(escaped)))


def doc_line(text: object) -> Code:
    """One docstring line: every run of whitespace and line breaks becomes one space, then escaped."""
    return Code(_escape_docstring_text(" ".join(str(text if text is not None else "").split())))


def comment(text: object) -> Code:
    """Text for after ``#`` on one line: line breaks become spaces, non-printables are escaped."""
    flat = " ".join(_LINE_BREAKS.sub(" ", str(text)).split())
    return Code("".join(c if c.isprintable() else _escape_char(c) for c in flat))


_SOURCE_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def source_lines(code: str) -> list[str]:
    """The lines of Python source as the tokenizer and ``ast`` count them (ends kept).

    ``str.splitlines`` also breaks at form feeds, U+2028 and other characters a docstring may hold,
    which would shift every later line against the line numbers ``ast`` reports.
    """
    return _SOURCE_LINE.findall(code)


# --- type expressions --------------------------------------------------------------------------

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class TypeExpr:
    """A type annotation as Python source plus every non-builtin name it refers to.

    Made from typed parts (names from :mod:`autosdk_py.naming` or from the models' AST, values through
    :func:`literal`), so whoever prints it knows its imports without parsing it again.
    """

    code: Code
    names: frozenset[str] = frozenset()
    alternatives: tuple[TypeExpr, ...] = ()  # the members when this is a top-level ``a | b`` union

    def __str__(self) -> str:
        return self.code

    @classmethod
    def name(cls, name: str) -> TypeExpr:
        """A bare name: a builtin (``str``), a typing name (``Any``) or a class (``ChatMessage``)."""
        if not name.isidentifier():
            raise ValueError(f"not an identifier: {name!r}")
        return cls(Code(name), frozenset() if name in _BUILTINS or name == "None" else frozenset({name}))

    @classmethod
    def subscript(cls, outer: str, *args: TypeExpr) -> TypeExpr:
        """``outer[a, b]`` (``list[X]``, ``Sequence[FileTypes]``)."""
        head = cls.name(outer)
        return cls(
            Code(f"{head.code}[{', '.join(a.code for a in args)}]"),
            head.names.union(*(a.names for a in args)),
        )

    @classmethod
    def literal_of(cls, values: Iterable[object]) -> TypeExpr:
        """``Literal[...]`` of scalar values, each rendered by :func:`literal`."""
        items = ", ".join(literal(v) for v in values)
        return cls(Code(f"Literal[{items}]"), frozenset({"Literal"}))

    @classmethod
    def union(cls, parts: Iterable[TypeExpr]) -> TypeExpr:
        """``a | b | None`` without repeats; ``Any`` absorbs everything; ``None`` goes last."""
        seen: dict[str, TypeExpr] = {}
        for part in parts:
            for piece in part.alternatives or (part,):
                seen.setdefault(piece.code, piece)
        if "Any" in seen:
            return cls.name("Any")
        ordered = [p for code, p in seen.items() if code != "None"]
        if "None" in seen:
            ordered.append(seen["None"])
        if not ordered:
            return cls.name("Any")
        if len(ordered) == 1:
            return ordered[0]
        return cls(
            Code(" | ".join(p.code for p in ordered)),
            frozenset().union(*(p.names for p in ordered)),
            tuple(ordered),
        )

    @classmethod
    def from_ast(cls, node: ast.expr) -> TypeExpr:
        """An annotation read from generated code (the models), written on one line."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            parts: list[ast.expr] = []
            stack: list[ast.expr] = [node]
            while stack:
                current = stack.pop()
                if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
                    stack += [current.right, current.left]
                else:
                    parts.append(current)
            return cls.union(cls.from_ast(p) for p in parts)
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        return cls(Code(ast.unparse(node)), frozenset(names - _BUILTINS - {"None"}))

    def optional(self) -> TypeExpr:
        return TypeExpr.union([self, TypeExpr.name("None")])
