"""Format generated modules with ruff (import sorting, then ``ruff format``), all files in one run.

ruff is a dependency of autosdk-py; its binary formats ~1,500 modules in well under a second.
Settings are ``--isolated`` (ruff's defaults), so the output does not depend on the user's config.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path


def ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - ruff is a dependency
        return "ruff"
    return str(find_ruff_bin())


def _fast_temp_dir() -> str | None:
    """A memory-backed directory when there is one: writing ~1,500 small files to an overlay /tmp can
    take a second, to /dev/shm a few milliseconds."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def format_python_files(files: Mapping[str, str]) -> dict[str, str]:
    """Return ``files`` (relative path -> text) with imports sorted and the code ruff-formatted.

    Files that do not end in ``.py`` are returned unchanged.
    """
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    result = dict(files)
    if not python:
        return result
    ruff = ruff_binary()
    with tempfile.TemporaryDirectory(prefix="autosdk-format-", dir=_fast_temp_dir()) as tmp:
        root = Path(tmp)
        for folder in sorted({(root / path).parent for path in python}):
            folder.mkdir(parents=True, exist_ok=True)
        for path, text in python.items():
            (root / path).write_text(text, encoding="utf-8", newline="\n")
        common = ["--isolated", "--no-cache", "--quiet"]
        steps = [
            [ruff, "check", *common, "--select", "I001,RUF022", "--fix", "--exit-zero", "."],
            [ruff, "format", *common, "."],
        ]
        for command in steps:
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command[1:3])} failed: {done.stderr.strip() or done.stdout.strip()}")
        for path in python:
            result[path] = (root / path).read_text(encoding="utf-8")
    return result
