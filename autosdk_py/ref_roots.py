"""Which files a spec may make autosdk read: only those inside the folder tree of the root spec file.

A ``$ref`` (AsyncAPI) or an ``imports`` entry (Fern) names a file, and the spec's author chooses that
name, not the user running autosdk. Without a bound, ``$ref: /home/me/.config/secrets.yaml`` or
``../../other-project/keys.json`` would copy any JSON or YAML file on the machine into the generated
models and documentation. So a referenced file must lie inside the root spec's folder (or below it),
after ``..`` and symbolic links are resolved; absolute paths and ``file:`` URLs are refused outright,
since a spec meant to be shared never needs them. The user (not the spec) may allow more folders:
``autosdk generate --allow-ref-root DIR`` sets them for the command through :func:`allowed_ref_roots`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

_extra_roots: ContextVar[tuple[Path, ...]] = ContextVar("autosdk_extra_ref_roots", default=())
_FILE_URL = re.compile(r"^file:", re.IGNORECASE)


@contextmanager
def allowed_ref_roots(folders: Iterable[Path]) -> Iterator[None]:
    """Within the block, files under ``folders`` may be referenced too (the CLI's ``--allow-ref-root``)."""
    token = _extra_roots.set(tuple(folders))
    try:
        yield
    finally:
        _extra_roots.reset(token)


class RefRefused(Exception):
    """A reference names a file outside the allowed folders; ``str()`` says why (for the caller's message)."""


@dataclass(frozen=True)
class RefRoots:
    """The folders referenced files must lie in: the root spec's own, plus those the user allowed."""

    folders: tuple[Path, ...]  # resolved
    shown: tuple[str, ...]  # as the user wrote them, for messages

    @classmethod
    def around(cls, folder: Path) -> RefRoots:
        """``folder`` (the root spec's) and the folders allowed by :func:`allowed_ref_roots`."""
        given = (folder, *_extra_roots.get())
        return cls(
            folders=tuple(p.resolve() for p in given),
            shown=tuple(os.path.normpath(p) for p in given),
        )

    def describe(self) -> str:
        if len(self.shown) == 1:
            return f"the spec's folder ({self.shown[0]})"
        return "the spec's folder and the allowed ones (" + ", ".join(self.shown) + ")"

    def hint(self) -> str:
        return (
            f"keep referenced files in {self.shown[0]} or below it and name them with a relative path "
            "(e.g. './common.yaml'), or allow another folder with --allow-ref-root DIR"
        )

    def resolve(self, name: str, holder_folder: Path) -> Path:
        """The real path of the file ``name``, written in a file in ``holder_folder`` (a resolved path).

        Raises ``RefRefused`` for a ``file:`` URL, an absolute path, or a path that ends outside the
        folders, lexically (``..``) or once symbolic links are followed.
        """
        if _FILE_URL.match(name):
            raise RefRefused(f"it is a file: URL; autosdk reads only files inside {self.describe()}")
        if os.path.isabs(name) or PureWindowsPath(name).is_absolute() or name.startswith(("/", "\\")):
            raise RefRefused(f"it is an absolute path; autosdk reads only files inside {self.describe()}")
        lexical = Path(os.path.normpath(holder_folder / name))
        if not self._inside(lexical):
            raise RefRefused(f"its '..' leads out of {self.describe()}")
        try:
            real = lexical.resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte...
            raise RefRefused("it is not a usable file path") from None
        if not self._inside(real):
            raise RefRefused(f"it goes through a symbolic link to {real}, outside {self.describe()}")
        return real

    def _inside(self, path: Path) -> bool:
        return any(path == folder or path.is_relative_to(folder) for folder in self.folders)
