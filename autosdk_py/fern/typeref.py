"""Fern type expressions (``optional<list<root.Foo>>``, ``map<string, integer>``, ``literal<"x">``) as a tree.

The grammar read here::

    type      := container | literal | name
    container := ("optional" | "nullable" | "list" | "set") "<" type ">"
               | "map" "<" type "," type ">"
    literal   := "literal" "<" ( '"' chars '"' | "'" chars "'" | "true" | "false" ) ">"
    name      := IDENT [ "." IDENT ]          # a primitive, a type of this file, or import.Type

Anything else (generics such as ``Page<User>``, ``a.b.C``, unbalanced brackets) is a
:class:`TypeSyntaxError` carrying the column, which the parser turns into a ``SpecError`` with the
file, JSON pointer and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CONTAINERS",
    "PRIMITIVES",
    "Container",
    "Literal",
    "Named",
    "Primitive",
    "TypeRef",
    "TypeSyntaxError",
    "parse_type",
]

# Fern's built-in scalar types (``file`` is a request-body feature and is rejected elsewhere).
PRIMITIVES = frozenset(
    {
        "string",
        "integer",
        "long",
        "uint",
        "uint64",
        "double",
        "float",
        "boolean",
        "datetime",
        "date",
        "uuid",
        "base64",
        "bigint",
        "unknown",
    }
)
CONTAINERS = {"optional": 1, "nullable": 1, "list": 1, "set": 1, "map": 2}


@dataclass(frozen=True)
class Primitive:
    name: str


@dataclass(frozen=True)
class Named:
    namespace: str | None  # the import alias (``root`` in ``root.Foo``), None for this file's types
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}.{self.name}" if self.namespace else self.name


@dataclass(frozen=True)
class Container:
    kind: str  # optional, nullable, list, set, map
    args: tuple[TypeRef, ...]


@dataclass(frozen=True)
class Literal:
    value: str | bool


TypeRef = Primitive | Named | Container | Literal


class TypeSyntaxError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column  # 0-based offset in the expression


_TOKEN = re.compile(r"\s*(?:(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<string>\"[^\"]*\"|'[^']*')|(?P<punct>[<>,.]))")


def parse_type(text: str) -> TypeRef:
    """Parse one Fern type expression; raises :class:`TypeSyntaxError`."""
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    result = parser.type()
    if parser.index < len(tokens):
        _kind, value, column = tokens[parser.index]
        raise TypeSyntaxError(f"unexpected {value!r} after the type", column)
    return result


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    stripped_end = len(text.rstrip())
    while position < stripped_end:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = position + (len(text[position:]) - len(text[position:].lstrip()))
            raise TypeSyntaxError(f"unexpected character {text[column]!r}", column)
        kind = match.lastgroup or "punct"
        tokens.append((kind, match.group(kind), match.start(kind)))
        position = match.end()
    if not tokens:
        raise TypeSyntaxError("the type is empty", 0)
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, str, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None:
            raise TypeSyntaxError(f"expected {value!r} at the end of the type", len(self.text))
        if token[1] != value:
            raise TypeSyntaxError(f"expected {value!r}, found {token[1]!r}", token[2])
        self.index += 1

    def type(self) -> TypeRef:
        token = self.peek()
        if token is None:
            raise TypeSyntaxError("expected a type", len(self.text))
        kind, value, column = token
        if kind != "ident":
            raise TypeSyntaxError(f"expected a type name, found {value!r}", column)
        self.index += 1
        following = self.peek()
        if following is not None and following[1] == "<":
            self.index += 1
            if value == "literal":
                return self.literal()
            arity = CONTAINERS.get(value)
            if arity is None:
                raise TypeSyntaxError(
                    f"generic type {value}<...> is not supported (only optional, nullable, list, set, map and "
                    "literal take type arguments)",
                    column,
                )
            args = [self.type()]
            while len(args) < arity:
                self.expect(",")
                args.append(self.type())
            self.expect(">")
            return Container(value, tuple(args))
        if value in CONTAINERS or value == "literal":
            raise TypeSyntaxError(f"{value} needs a type argument, e.g. {value}<string>", column)
        if following is not None and following[1] == ".":
            self.index += 1
            name = self.peek()
            if name is None or name[0] != "ident":
                raise TypeSyntaxError("expected a type name after '.'", following[2] + 1)
            self.index += 1
            after = self.peek()
            if after is not None and after[1] == ".":
                raise TypeSyntaxError("a type reference has at most one import prefix (import.Type)", after[2])
            return Named(value, name[1])
        if value in PRIMITIVES:
            return Primitive(value)
        return Named(None, value)

    def literal(self) -> Literal:
        token = self.peek()
        if token is None:
            raise TypeSyntaxError("literal<...> needs a value", len(self.text))
        kind, value, column = token
        self.index += 1
        result: str | bool
        if kind == "string":
            result = value[1:-1]
        elif value in ("true", "false"):
            result = value == "true"
        else:
            raise TypeSyntaxError(f'a literal is a quoted string or true/false, e.g. literal<"{value}">', column)
        self.expect(">")
        return Literal(result)
