"""Markdown helpers: code spans, table cells and GitHub-style heading anchors."""

from __future__ import annotations

import json
import re
from typing import Any

_NOT_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)


def code(text: str) -> str:
    """``text`` as a code span (longer fences when it holds backticks)."""
    if "`" not in text:
        return f"`{text}`"
    fence = "``"
    while fence in text:
        fence += "`"
    return f"{fence} {text} {fence}"


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def oneline(text: str | None) -> str:
    return " ".join((text or "").split())


def cell(text: str | None) -> str:
    """A table cell: one line, pipes escaped (GitHub also honours ``\\|`` inside code spans)."""
    return oneline(text).replace("|", "\\|")


def first_sentence(text: str | None) -> str:
    line = oneline(text)
    match = re.search(r"(?<=[.!?])\s", line)
    return line[: match.start()] if match else line


def slug(text: str) -> str:
    """The anchor GitHub gives a heading with this text (github-slugger, before de-duplication)."""
    return _NOT_SLUG.sub("", text.strip().lower()).replace(" ", "-")


class Anchors:
    """Anchors of a page's headings, handed out in document order as GitHub numbers duplicates."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, heading: str) -> str:
        base = result = slug(heading)
        while result in self._counts:
            self._counts[base] += 1
            result = f"{base}-{self._counts[base]}"
        self._counts[result] = 0
        return result


def tidy(text: str) -> str:
    """Collapse the blank lines templates leave behind (outside code blocks) and end with one newline."""
    out: list[str] = []
    fenced = False
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
