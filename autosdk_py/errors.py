"""The one error type users see: where in which file, what is wrong, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Pointers live in autosdk_py.schema.pointer; re-exported here for the many modules that build error pointers.
from .schema.pointer import escape_pointer_token, json_pointer

__all__ = ["CheckFailed", "SpecError", "SpecErrors", "escape_pointer_token", "json_pointer", "terminal_safe"]


@dataclass
class SpecError(Exception):
    """A problem in user input. The CLI prints ``str(err)`` and exits non-zero, no traceback."""

    message: str
    file: Path | str | None = None
    pointer: str | None = None
    line: int | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else "<input>"
        if self.line is not None:
            where += f":{self.line}"
        head = f"{where}: error: {self.message}"
        lines = [head]
        if self.pointer is not None:
            lines.append(f"  at: {self.pointer or '/'} (JSON pointer)")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(terminal_safe(line) for line in lines)


def terminal_safe(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\x1b``, ``\\n``...).

    Messages quote spec text (names, pointers, file names); an escape sequence or a line break in
    it must not reach the user's terminal as such.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class SpecErrors(Exception):
    """Several independent problems reported at once (e.g. every dangling ``$ref``)."""

    def __init__(self, errors: list[SpecError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors) + f"\n{len(self.errors)} error(s)."


class CheckFailed(Exception):
    """The cross-namespace checker rejected a document; ``str()`` is its whole report."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report

    def __str__(self) -> str:
        return self.report
