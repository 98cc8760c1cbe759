"""Issue 8: the Python templates never quote spec text themselves.

A template that writes ``"{{ value }}"`` relies on the value holding no quote, backslash or newline; one
that puts ``{{ value }}`` in a docstring relies on it holding no triple quote. Spec strings hold anything, so the
rules (0 on every template; 1-3 on the Python ones, i.e. all but the Markdown ones under ``docs/``) are:

0. **No quote opens on a placeholder** (every template, Markdown included): no ``"{{``, ``'{{``,
   ``"{%`` or ``'{%``, except a docstring that starts with ``{{ ... | doc }}``.
1. **No placeholder inside a string literal.** A ``{{ ... }}`` or ``{% ... %}`` between the quotes of a
   one-line Python string (``"..."``, ``'...'``, with any prefix) is an error: the whole literal comes
   from the ``lit`` filter, ``{{ value | lit }}``, quotes included.
2. **Docstrings only through ``doc``.** A ``{{ ... }}`` inside a triple-quoted string must end with the
   ``doc`` or ``doc_lines(...)`` filter (or ``length``/``count``, which print a number).
3. **Comments only through ``comment``.** A ``{{ ... }}`` after a ``#`` on a Python line must end with
   the ``comment`` filter.

Placeholders in code positions (identifiers, annotations, ``{{ x | lit }}``) are not judged here: the
renderer checks at render time that they are identifiers or rendered code.

The scan masks every Jinja construct first (so the quotes inside ``{{ "Async" if aio else "" }}`` are not
Python quotes), then reads the masked text with a small Python-string lexer that knows string prefixes,
escapes, triple quotes and comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DOC_FILTERS = frozenset({"doc", "doc_lines"})
NUMBER_FILTERS = frozenset({"length", "count"})
COMMENT_FILTERS = frozenset({"comment"})

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_STRING_START = re.compile(r"(?i)(?<![A-Za-z0-9_])(?:rb|br|fr|rf|r|b|f|u)?(\"\"\"|'''|\"|')")


@dataclass(frozen=True)
class Violation:
    line: int
    placeholder: str
    rule: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.placeholder!r}: {self.rule}"


def python_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.jinja") if "docs" not in p.relative_to(TEMPLATES).parts)


def last_filter(expression: str) -> str | None:
    """The name of the last filter of a ``{{ ... }}`` expression (``x | doc_lines(8)`` -> ``doc_lines``)."""
    inner = expression.strip()[2:-2].strip("-+ \n\t")
    depth = 0
    quote: str | None = None
    parts: list[str] = []
    current = ""
    for char in inner:
        if quote:
            current += char
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    if len(parts) < 2:
        return None
    match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", parts[-1])
    return match.group(1) if match else None


def scan(text: str) -> list[Violation]:
    """Every placeholder of a Python template that breaks one of the module's three rules."""
    jinja = list(_JINJA.finditer(text))
    # Mask the Jinja constructs with one private-use character each, keeping their order.
    masked = ""
    last = 0
    for match in jinja:
        masked += text[last : match.start()] + ("" if match.group().startswith("{#") else "\ue000")
        last = match.end()
    masked += text[last:]
    outputs = iter(m for m in jinja if not m.group().startswith("{#"))
    violations: list[Violation] = []
    line = 1
    state = "code"  # code | comment | string | triple
    quote = ""
    i = 0
    while i < len(masked):
        char = masked[i]
        if char == "\ue000":
            match = next(outputs)
            where = text.count("\n", 0, match.start()) + 1
            problem = _judge(match.group(), state)
            if problem:
                violations.append(Violation(where, match.group(), problem))
            line += match.group().count("\n")
            i += 1
            continue
        if char == "\n":
            line += 1
            if state == "comment":
                state = "code"
            elif state == "string":
                state = "code"  # an unterminated one-line string: the template is not judged past it
            i += 1
            continue
        if state == "code":
            if char == "#":
                state = "comment"
                i += 1
                continue
            start = _STRING_START.match(masked, i)
            if start:
                quote = start.group(1)
                state = "triple" if len(quote) == 3 else "string"
                i = start.end()
                continue
            i += 1
            continue
        if state in ("string", "triple"):
            if char == "\\":
                i += 2
                continue
            if masked.startswith(quote, i):
                state = "code"
                i += len(quote)
                continue
        i += 1
    return violations


def _judge(construct: str, state: str) -> str | None:
    is_output = construct.startswith("{{")
    if state == "string":
        return "inside a string literal: render the whole literal with `| lit`"
    if not is_output:
        return None
    name = last_filter(construct)
    if state == "triple" and name not in DOC_FILTERS | NUMBER_FILTERS:
        return "inside a docstring without `| doc` (or `| doc_lines(...)`)"
    if state == "comment" and name not in COMMENT_FILTERS:
        return "inside a comment without `| comment`"
    return None


def test_python_templates_exist() -> None:
    names = {p.name for p in python_templates()}
    assert {"_client.py.jinja", "channel.py.jinja"} <= names


@pytest.mark.parametrize("template", python_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_never_quote_spec_text(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    violations = scan(text)
    listing = "\n".join(str(v) for v in violations)
    assert not violations, f"{template.relative_to(TEMPLATES)}: {len(violations)} placeholder(s)\n{listing}"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.jinja")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_opens_a_quote_on_a_placeholder(template: Path) -> None:
    """The plain rule, on every template (the Markdown ones too, whose code blocks are Python):
    no ``"{{``, ``'{{``, ``"{%`` or ``'{%``."""
    text = template.read_text(encoding="utf-8")
    hits = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: {text[m.start() : m.start() + 40]!r}"
        for m in re.finditer(r"[\"'](?:\{\{|\{%)", text)
        if not _docstring_opening(text, m.start())
    ]
    assert not hits, "\n".join(hits)


def _docstring_opening(text: str, quote: int) -> bool:
    """A docstring that starts with its text: ``\"\"\"{{ x | doc }}`` (rule 2 judges the placeholder)."""
    triple = text[quote - 2 : quote + 1]
    expression = _JINJA.match(text, quote + 1)
    return triple in ('"""', "'''") and expression is not None and last_filter(expression.group()) in DOC_FILTERS


# --- the scanner itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "rules"),
    [
        ('X = "{{ value }}"\n', ["inside a string literal"]),
        ("X = '{% if a %}b{% endif %}'\n", ["inside a string literal", "inside a string literal"]),
        ('X = f"{{ value | lit }}"\n', ["inside a string literal"]),
        ('X = "prefix {{ value }} suffix"\n', ["inside a string literal"]),
        ("X = {{ value | lit }}\n", []),
        ('X = {{ "Async" if aio else "" }}Client\n', []),
        ('"""{{ title }} client."""\n', ["inside a docstring"]),
        ('"""{{ title | doc }} client."""\n', []),
        ('    """Args:\n        {{ lines | doc_lines(8) }}\n    """\n', []),
        ('"""{{ items | length }} items."""\n', []),
        ('"""{{ title | doc | upper }}"""\n', ["inside a docstring"]),
        ("# from {{ source }}\n", ["inside a comment"]),
        ("# from {{ source | comment }}\n", []),
        ('X = "a\\"b"  # {{ note | comment }}\nY = {{ v | lit }}\n', []),
        ('X = "#"\nY = {{ v | lit }}\n', []),
        ("{# a Jinja comment with a quote ' #}X = {{ v | lit }}\n", []),
    ],
)
def test_scan_rules(template: str, rules: list[str]) -> None:
    found = [v.rule for v in scan(template)]
    assert len(found) == len(rules), found
    for got, want in zip(found, rules, strict=True):
        assert got.startswith(want)


def test_docstring_opening() -> None:
    assert _docstring_opening('"""{{ x | doc }}"""', 2)
    assert not _docstring_opening('"""{{ x }}"""', 2)
    assert not _docstring_opening('X = "{{ x | doc }}"', 4)


def test_last_filter() -> None:
    assert last_filter("{{ x }}") is None
    assert last_filter("{{- x | doc -}}") == "doc"
    assert last_filter("{{ x | doc_lines(8) }}") == "doc_lines"
    assert last_filter('{{ x | join(" | ") }}') == "join"
    assert last_filter("{{ (a | b) }}") is None
