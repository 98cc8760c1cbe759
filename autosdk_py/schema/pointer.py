"""JSON pointers (RFC 6901): escaping, splitting and joining, ``#/...`` fragments, and key lookup."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

__all__ = [
    "MISSING",
    "decoded_fragment",
    "escape_pointer_token",
    "fragment_tokens",
    "json_pointer",
    "key_under",
    "lookup",
    "loose_tokens",
    "split_pointer",
    "step",
]

MISSING: Any = object()  # what ``step`` returns when a token leads nowhere


def escape_pointer_token(token: str | int) -> str:
    """One reference token, escaped: ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(*tokens: str | int) -> str:
    """The pointer of ``tokens`` (``""`` for none: the whole document)."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer; ``ValueError`` when it is neither empty nor starts with ``/``."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def fragment_tokens(fragment: str) -> list[str]:
    """The tokens of a URI fragment (``ref[1:]`` of a local ``$ref``): percent-decoded, then split.

    ``ValueError`` when the fragment is not a pointer (``#anchor``).
    """
    return split_pointer(unquote(fragment))


def decoded_fragment(fragment: str) -> str:
    """A ``$ref``'s fragment as a pointer: percent-decoded, and ``/`` alone (``#/``) read as the whole document."""
    fragment = unquote(fragment)
    return "" if fragment == "/" else fragment


def step(node: Any, token: str) -> Any:
    """``node[token]`` for an object key or a list index (digits within range); ``MISSING`` otherwise."""
    if isinstance(node, dict):
        return node.get(token, MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return MISSING


def lookup(data: Any, tokens: list[str] | str) -> Any:
    """The value at ``tokens`` (or at a pointer string), no ``$ref`` followed; ``KeyError`` when missing."""
    node = data
    for token in split_pointer(tokens) if isinstance(tokens, str) else tokens:
        node = step(node, token)
        if node is MISSING:
            raise KeyError(tokens if isinstance(tokens, str) else json_pointer(*tokens))
    return node


def loose_tokens(node: Any, raw: list[str]) -> list[str] | None:
    """``raw`` regrouped so that each token is a key of the node it indexes: lenient key lookup.

    Other tools' exports write keys holding ``/`` unescaped (``#/components/messages/chat/userMessage``
    for the key ``chat/userMessage``): where a token is not a key, the longest run of tokens joined by
    ``/`` that is one is taken. None when no grouping reaches a value, or when the way passes an object
    that only holds a ``$ref`` (following it is ``refs``' business).
    """
    if not raw:
        return []
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and raw[0] not in node:
        return None
    if isinstance(node, dict):
        for end in range(len(raw), 0, -1):  # the longest key first: "a/b" before "a"
            key = "/".join(raw[:end])
            if key in node:
                rest = loose_tokens(node[key], raw[end:])
                if rest is not None:
                    return [key, *rest]
        return None
    if isinstance(node, list) and raw[0].isdigit() and int(raw[0]) < len(node):
        rest = loose_tokens(node[int(raw[0])], raw[1:])
        return None if rest is None else [raw[0], *rest]
    return None


def key_under(ref: str, prefix: str) -> str | None:
    """The one key a ``$ref`` names right under ``prefix`` (``#/components/schemas/``): percent-decoded
    and unescaped, the rest read as one key (``a%2Fb`` and ``a~1b`` both name ``a/b``); None elsewhere."""
    if not ref.startswith(prefix):
        return None
    return unquote(ref[len(prefix) :]).replace("~1", "/").replace("~0", "~")
