"""Bounds on what a parsed spec may be: nesting depth and YAML alias expansion.

A spec is data written by someone else. Every walker in autosdk (bundler, normalizer, model and docs
generators) visits the document as a tree, so a YAML alias that contains itself never ends, nested
aliases ("billion laughs") multiply the work exponentially, and very deep nesting exhausts Python's
recursion limit. These checks run once per parsed file, before any walker sees it, and turn those
inputs into a ``SpecError`` with the file and line.

The success path stays cheap: one iterative pass over the containers (about 50 ms for the 3.5 MB
OpenAI spec, against ~2 s to parse it); the exact expansion count only runs when a container is
reachable twice, which only YAML anchors and aliases produce.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import SpecError, json_pointer

# The deepest real document measured (the 27 files of ../shared/specs and ../shared/corpus, and the
# test fixtures) nests 21 levels: the OpenAI OpenAPI YAML. Above ~400 levels the recursive walkers downstream (bundler, models)
# exhaust Python's default recursion limit, so the bound sits far above the first and below the second.
MAX_DEPTH = 256
# Nodes that aliases may add to the document once expanded (each reuse of an anchored mapping or list
# counts its whole expanded size). Real anchors reuse small blocks a few times; a million more nodes
# still costs downstream walkers only seconds, while nested aliases reach 10^9 within a few lines.
MAX_ALIAS_NODES = 1_000_000

DEPTH_HINT = (
    "real API specs nest fewer than 30 levels; move the deep parts into named components and refer to them with $ref"
)
RECURSIVE_HINT = "replace the recursive alias with a $ref (a $ref may point at an enclosing schema)"
EXPANSION_HINT = (
    "the alias at that pointer repeats the anchor at that line; reuse parts of the document with $ref "
    "instead of nesting YAML aliases inside aliases"
)


def depth_error(path: Path, line: int | None) -> SpecError:
    return SpecError(
        f"the document nests mappings and lists more than {MAX_DEPTH} levels deep",
        file=path,
        line=line,
        hint=DEPTH_HINT,
    )


def check_bounds(data: Any, text: str, path: Path, *, is_json: bool) -> None:
    """Raise a ``SpecError`` when ``data`` (parsed from ``text``) is too deep, recursive or alias-bombed."""
    if type(data) is not dict and type(data) is not list:
        return
    # Level by level with list comprehensions: about twice as fast as a stack of (node, depth) pairs.
    level: list[Any] = [data]
    seen: set[int] | None = None if is_json else {id(data)}  # JSON never shares a container
    visits = 1
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise _depth_error_at(data, text, path, is_json=is_json)
        below: list[Any] = []
        for node in level:
            values = node.values() if type(node) is dict else node
            below += [v for v in values if type(v) is dict or type(v) is list]
        if seen is not None:
            seen.update(map(id, below))
            visits += len(below)
            if visits != len(seen):  # a container reached twice: an alias (or a merge key)
                _check_expansion(data, text, path)
                return
        level = below
        depth += 1


# --- aliases -------------------------------------------------------------------------------------


def _items(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        return ((str(k), v) for k, v in node.items())
    return ((str(i), v) for i, v in enumerate(node))


def _check_expansion(data: Any, text: str, path: Path) -> None:
    """The document as its aliases expand it: no cycle, depth and added nodes within bounds.

    An iterative post-order walk that memoizes the expanded size and height of each container, so an
    alias bomb is measured in time linear in the text, not in its expansion.
    """
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    added = 0
    frames: list[tuple[Any, Iterator[tuple[str, Any]]]] = [(data, _items(data))]
    tokens: list[str] = []  # tokens[i] leads from frames[i] to frames[i + 1]
    on_path: set[int] = {id(data)}
    size_acc: list[int] = [1]
    height_acc: list[int] = [0]
    while frames:
        node, children = frames[-1]
        for token, child in children:
            if not isinstance(child, (dict, list)):
                size_acc[-1] += 1
                continue
            key = id(child)
            if key in on_path:
                raise _located(
                    "the YAML refers to itself (an anchor that contains its own alias)",
                    text,
                    path,
                    [*tokens, token],
                    RECURSIVE_HINT,
                )
            if key in sizes:  # a second visit: everything under it is alias expansion
                added += sizes[key]
                if added > MAX_ALIAS_NODES:
                    raise _located(
                        f"YAML aliases expand the document by more than {MAX_ALIAS_NODES:,} nodes",
                        text,
                        path,
                        [*tokens, token],
                        EXPANSION_HINT,
                    )
                if len(frames) + heights[key] > MAX_DEPTH:
                    raise _depth_error_on(text, path, [*tokens, token])
                size_acc[-1] += sizes[key]
                height_acc[-1] = max(height_acc[-1], heights[key])
                continue
            if len(frames) >= MAX_DEPTH:
                raise _depth_error_on(text, path, [*tokens, token])
            frames.append((child, _items(child)))
            tokens.append(token)
            on_path.add(key)
            size_acc.append(1)
            height_acc.append(0)
            break
        else:
            frames.pop()
            on_path.discard(id(node))
            size = size_acc.pop()
            height = height_acc.pop() + 1
            sizes[id(node)] = size
            heights[id(node)] = height
            if frames:
                tokens.pop()
                size_acc[-1] += size
                height_acc[-1] = max(height_acc[-1], height)


def _located(message: str, text: str, path: Path, tokens: list[str], hint: str) -> SpecError:
    from .loader import line_of  # lazy: the loader imports this module

    pointer = json_pointer(*tokens)
    return SpecError(message, file=path, pointer=pointer, line=line_of(text, pointer), hint=hint)


def _depth_error_on(text: str, path: Path, tokens: list[str]) -> SpecError:
    # no pointer: hundreds of tokens say less than the line
    from .loader import line_of  # lazy: the loader imports this module

    return depth_error(path, line_of(text, json_pointer(*tokens)))


# --- depth -----------------------------------------------------------------------------------------

# A JSON string (escapes included) or a bracket; everything else is skipped by the regex engine.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth_line(text: str) -> int | None:
    """The line where a JSON text first opens a container deeper than ``MAX_DEPTH`` (error path only)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, match.start()) + 1
        elif char in "]}":
            depth -= 1
    return None


def _depth_error_at(data: Any, text: str, path: Path, *, is_json: bool) -> SpecError:
    if is_json:
        return depth_error(path, json_depth_line(text))
    return _depth_error_on(text, path, _deepest_tokens(data))


def _deepest_tokens(data: Any) -> list[str]:
    """The tokens leading to the first container found at depth ``MAX_DEPTH + 1`` (error path only)."""
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    seen: set[int] = set()
    while stack:
        node, tokens = stack.pop()
        if len(tokens) >= MAX_DEPTH:
            return tokens
        for token, child in _items(node):
            if isinstance(child, (dict, list)) and id(child) not in seen:
                seen.add(id(child))
                stack.append((child, [*tokens, token]))
    return []
