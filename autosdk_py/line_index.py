"""Line numbers of JSON pointers in a JSON or YAML text, from one node tree composed per text.

Composing the YAML node tree of a multi-MB spec costs about as much as parsing it, so it is done
only on the error path, once per text: a document with hundreds of broken references is composed
once, not once per error. The last few trees are kept (keyed by the text), so every caller of
``loader.line_of`` shares them without passing anything around.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import yaml

_KEEP = 4  # trees kept; the 3.5 MB OpenAI spec's tree takes ~40 MB
_cache: OrderedDict[int, tuple[str, LineIndex]] = OrderedDict()
_lock = threading.Lock()


class LineIndex:
    """Where each node of one text starts; mapping lookups are hashed on first use."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def line(self, tokens: list[str]) -> int | None:
        """The 1-based line of the key (or list item) at ``tokens``; the deepest one found when it is missing."""
        node = self.root
        if node is None:
            return None
        key_line: int | None = None
        for token in tokens:
            if isinstance(node, yaml.MappingNode):
                found = self._mapping(node).get(token)
                if found is None:
                    return key_line
                key_line = found[0].start_mark.line + 1
                node = found[1]
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
                key_line = None
            else:
                return key_line
        if key_line is not None and tokens:
            return key_line
        return int(node.start_mark.line) + 1

    def _mapping(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        keys = self._keys.get(id(node))
        if keys is None:
            keys = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    keys.setdefault(key_node.value, (key_node, value_node))  # the first of duplicate keys
            self._keys[id(node)] = keys
        return keys


def index_for(text: str, loader: Any) -> LineIndex:
    """The ``LineIndex`` of ``text`` (composed with ``loader`` on first use, then shared)."""
    key = hash(text)  # computed once per str object, then cached by Python
    with _lock:
        hit = _cache.get(key)
        if hit is not None and (hit[0] is text or hit[0] == text):
            _cache.move_to_end(key)
            return hit[1]
    try:
        root = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        root = None
    index = LineIndex(root)
    with _lock:
        _cache[key] = (text, index)
        _cache.move_to_end(key)
        while len(_cache) > _KEEP:
            _cache.popitem(last=False)
    return index
