"""Local ``$ref`` resolution over one document: lenient reading, ``$ref`` chains, cycles, final pointers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .pointer import MISSING, decoded_fragment, fragment_tokens, json_pointer, loose_tokens, split_pointer, step

__all__ = [
    "MAX_REF_HOPS",
    "DanglingRef",
    "RefCycle",
    "RefError",
    "Resolved",
    "follow",
    "is_local",
    "ref_tokens",
    "resolve_lenient",
    "target",
    "walk",
]

MAX_REF_HOPS = 64  # ``$ref``s followed on the way to one value: a guard against '#/A/x' with A: {$ref: '#/A/x'}


class RefError(LookupError):
    """A local ``$ref`` that cannot be followed; ``where`` is the pointer of the object holding it."""

    def __init__(self, message: str, ref: str, where: str, chain: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.ref = ref
        self.where = where
        self.chain = chain  # the pointers visited before (and including) the failing one


class DanglingRef(RefError):
    """The ``$ref`` points to nothing in the document."""


class RefCycle(RefError):
    """The ``$ref`` leads back to a pointer already visited."""


@dataclass(frozen=True)
class Resolved:
    """Where a ``$ref`` chain ends: the value, its pointer and every pointer visited on the way."""

    value: Any
    pointer: str
    chain: tuple[str, ...] = ()


def is_local(ref: object) -> bool:
    """A ``$ref`` into the same document (``#...``); remote ones (files, URLs) are left alone here."""
    return isinstance(ref, str) and ref.startswith("#")


def walk(data: Any, tokens: list[str], *, max_hops: int = MAX_REF_HOPS, _hops: int = 0) -> tuple[list[str], Any]:
    """The canonical tokens and the value at ``tokens``, following the ``$ref``s met on the way.

    A token that is not a key of an object holding a ``$ref`` is looked up in its target (so
    ``#/components/messages/A/payload`` works when ``A`` is itself a ``$ref``); the canonical tokens
    are then the target's. ``KeyError`` when the value is missing or the way leaves the document.
    """
    node = data
    where: list[str] = []
    for token in tokens:
        while isinstance(node, dict) and token not in node and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            _hops += 1
            if not ref.startswith("#") or _hops > max_hops:
                raise KeyError(token)
            try:
                inner = fragment_tokens(ref[1:])
            except ValueError:
                raise KeyError(token) from None
            where, node = walk(data, inner, max_hops=max_hops, _hops=_hops)
        node = step(node, token)
        if node is MISSING:
            raise KeyError(token)
        where.append(token)
    return where, node


def resolve_lenient(data: Any, tokens: list[str]) -> Any:
    """The value at ``tokens``, following local ``$ref``s met on the way; ``KeyError`` when missing."""
    return walk(data, tokens)[1]


def _exists(data: Any, tokens: list[str]) -> bool:
    try:
        walk(data, tokens)
    except KeyError:
        return False
    return True


def ref_tokens(data: Any, fragment: str) -> list[str] | None:
    """The tokens of the value a local ``$ref``'s fragment (the part after ``#``) points to; None when nothing.

    The strict RFC 6901 reading first (percent-decode, split on ``/``, then ``~1``/``~0``; ``#/`` is the
    whole document); when it finds nothing, a loose one: split on the written ``/`` before
    percent-decoding (``chat%2FuserMessage`` is one key) and, where a token is not a key, the longest
    run of tokens joined by ``/`` that is one (``chat/userMessage`` written unescaped). Other tools'
    exports write keys holding ``/`` both ways.
    """
    try:
        strict: list[str] | None = split_pointer(decoded_fragment(fragment))
    except ValueError:
        strict = None
    if strict is not None and _exists(data, strict):
        return strict
    if not fragment.startswith("/"):
        return None
    raw = [unquote(t) for t in fragment[1:].split("/")]
    tokens = loose_tokens(data, [t.replace("~1", "/").replace("~0", "~") for t in raw])
    return tokens if tokens is not None and _exists(data, tokens) else None


def target(data: Any, ref: str, *, lenient: bool = True) -> tuple[str, Any]:
    """One hop: the pointer a local ``$ref`` names (as written, decoded) and the value there.

    ``lenient`` reads keys holding ``/`` the way ``ref_tokens`` does; ``$ref``s met on the way are
    followed either way. ``DanglingRef`` (with an empty ``where``) when it points to nothing or is not local.
    """
    tokens: list[str] | None = None
    if is_local(ref):
        if lenient:
            tokens = ref_tokens(data, ref[1:])
        else:
            try:
                tokens = fragment_tokens(ref[1:])
            except ValueError:
                tokens = None
    if tokens is None:
        raise DanglingRef(f"dangling $ref: {ref!r}", ref, "")
    try:
        value = walk(data, tokens)[1]
    except KeyError:
        raise DanglingRef(f"dangling $ref: {ref!r}", ref, "", (json_pointer(*tokens),)) from None
    return json_pointer(*tokens), value


def _written_pointer(ref: str) -> str:
    """The pointer a ``$ref`` names when it cannot be resolved (for ``chain``)."""
    try:
        return json_pointer(*fragment_tokens(ref[1:]))
    except ValueError:
        return ref[1:]


def follow(data: Any, node: Any, pointer: str = "", *, lenient: bool = True) -> Resolved:
    """Follow a chain of local ``$ref``s from ``node`` (found at ``pointer``) to the value it ends at.

    A remote ``$ref`` ends the chain (the node holding it is the value). ``DanglingRef`` or
    ``RefCycle`` otherwise, their ``where`` the pointer of the object holding the failing ``$ref``.
    """
    seen: set[str] = set()
    chain: list[str] = []
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if not is_local(ref):
            break
        try:
            final, value = target(data, ref, lenient=lenient)
        except DanglingRef as exc:
            chain.append(exc.chain[0] if exc.chain else _written_pointer(ref))
            raise DanglingRef(exc.message, ref, pointer, tuple(chain)) from None
        chain.append(final)
        if final in seen:
            raise RefCycle(f"reference cycle: {ref!r} leads back to itself", ref, pointer, tuple(chain))
        seen.add(final)
        node, pointer = value, final
    return Resolved(node, pointer, tuple(chain))
