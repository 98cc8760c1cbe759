"""An on-disk cache of the models the mock validates with, so a second start takes no generation.

Generating pydantic models for a large document (OpenAI's realtime API: 111 schemas) takes
seconds with datamodel-code-generator; the models only change when the schemas do. So the
generated files are stored once per *model input*:

* **Key**: SHA-256 of the OpenAPI document handed to the models stage (the AsyncAPI/Fern
  document's schemas after bundling, so every file it references is in it, and after pruning to
  what the served channels reach), plus the versions of autosdk-py, datamodel-code-generator,
  pydantic and Python, plus a hash of the autosdk-py modules that write the model files (a
  development checkout changes its generator without changing its version; the other modules
  only shape the input document, which is hashed itself).
* **Where**: ``$AUTOSDK_CACHE_DIR``, else ``$XDG_CACHE_HOME/autosdk-py/mock``, else
  ``~/.cache/autosdk-py/mock``; ``models/<key>/`` holds an entry (``entry.json`` and the
  ``models/`` package), ``payloads/<key>.json`` the payloads the server chose for a document
  (see ``server.py``), with the SHA-256 of its content.
* **Writes are atomic**: an entry is written to a temporary sibling folder, then renamed into
  place; a crash leaves a temporary folder, never a half-written entry under the key's name.
* **Reads are checked**: ``entry.json`` lists the SHA-256 of every file; an entry whose index is
  unreadable, written for another key, or whose files are missing or differ is reported as
  damaged, removed and regenerated. Only the verified bytes (read into memory) are used, so a file
  changed between the check and the import cannot slip in.

A cache that cannot be written (read-only home, full disk) is not an error: the models are used
anyway and the server says why they were not stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "CachedModels",
    "DamagedEntry",
    "cache_dir",
    "cache_key",
    "read_blob",
    "read_entry",
    "remove_blob",
    "remove_entry",
    "source_fingerprint",
    "write_blob",
    "write_entry",
]

FORMAT = 1
INDEX = "entry.json"
# The modules that turn the model input document into files (models stage, its normalizer and
# the helpers they import), relative to the autosdk_py package; ``validate.py`` picks the files.
_GENERATOR_SOURCES = (
    "models/*.py",
    "openapi/normalize.py",
    "naming.py",
    "pytext.py",
    "schema_keywords.py",
    "shapes.py",
    "mock/cache.py",
    "mock/validate.py",
)


@dataclass(frozen=True)
class CachedModels:
    files: Mapping[str, str]  # path relative to the package folder -> text (``models/...``)
    class_for_schema: Mapping[str, str]  # components/schemas key -> class name


def cache_dir() -> Path:
    """Where entries live (see the module docs for the order of the variables)."""
    explicit = os.environ.get("AUTOSDK_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "autosdk-py" / "mock"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


@cache
def _tool_fingerprint() -> str:
    """Versions of everything that shapes the generated files, and autosdk-py's own source."""
    from .. import __version__

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(p for pattern in _GENERATOR_SOURCES for p in package.glob(pattern)):
        digest.update(str(path.relative_to(package)).encode())
        with contextlib.suppress(OSError):
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    parts = [
        f"format={FORMAT}",
        f"autosdk-py={__version__}",
        f"datamodel-code-generator={_version('datamodel-code-generator')}",
        f"pydantic={_version('pydantic')}",
        f"python={sys.version_info.major}.{sys.version_info.minor}",
        f"source={digest.hexdigest()}",
    ]
    return "\n".join(parts)


def cache_key(model_input: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the models stage's input document and the tool fingerprint."""
    digest = hashlib.sha256(_tool_fingerprint().encode())
    text = json.dumps(model_input, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DamagedEntry(Exception):
    """A cache entry that is present but cannot be trusted; the text says why."""


def read_entry(root: Path, key: str) -> CachedModels | None:
    """The entry for ``key``; ``None`` when there is none; ``DamagedEntry`` when it fails its checks."""
    folder = root / "models" / key
    if not folder.is_dir():
        return None
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DamagedEntry(f"unreadable {INDEX}: {exc}") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT or index.get("key") != key:
        raise DamagedEntry(f"{INDEX} is not an index of format {FORMAT} for this key")
    hashes, classes = index.get("files"), index.get("class_for_schema")
    if not isinstance(hashes, dict) or not isinstance(classes, dict) or not hashes:
        raise DamagedEntry(f"{INDEX} lists no files")
    files: dict[str, str] = {}
    for relative, expected in hashes.items():
        if not _safe_relative(relative):
            raise DamagedEntry(f"{INDEX} names a file outside the entry: {relative!r}")
        try:
            data = (folder / relative).read_bytes()
        except OSError as exc:
            raise DamagedEntry(f"missing file {relative}: {exc.strerror or exc}") from None
        if _sha256(data) != expected:
            raise DamagedEntry(f"{relative} does not match its recorded SHA-256")
        try:
            files[relative] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DamagedEntry(f"{relative} is not UTF-8 text") from None
    return CachedModels(files, {str(k): str(v) for k, v in classes.items()})


def _safe_relative(relative: Any) -> bool:
    if not isinstance(relative, str) or not relative or relative.startswith(("/", "\\")):
        return False
    return all(part not in ("", ".", "..") for part in relative.replace("\\", "/").split("/"))


def remove_entry(root: Path, key: str) -> None:
    shutil.rmtree(root / "models" / key, ignore_errors=True)


def write_entry(root: Path, key: str, models: CachedModels) -> None:
    """Store ``models`` under ``key`` atomically (raises ``OSError`` when the cache is not writable)."""
    root = root / "models"
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{key[:16]}-{uuid.uuid4().hex[:8]}"
    try:
        hashes: dict[str, str] = {}
        for relative, text in models.files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            target.write_bytes(data)
            hashes[relative] = _sha256(data)
        index = {"format": FORMAT, "key": key, "files": hashes, "class_for_schema": dict(models.class_for_schema)}
        (staging / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
        try:
            os.rename(staging, root / key)
        except OSError:
            # Another mock stored the same entry meanwhile (the rename target exists): theirs is
            # as good as ours.
            if not (root / key / INDEX).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- small JSON entries (the payloads chosen for a document) -----------------------------------


def read_blob(root: Path, kind: str, key: str) -> Any:
    """The JSON value stored under ``kind/key``; ``None`` when absent; ``DamagedEntry`` when it fails its check."""
    path = root / kind / f"{key}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DamagedEntry(f"unreadable {kind} entry: {exc}") from None
    try:
        stored = json.loads(text)
    except ValueError as exc:
        raise DamagedEntry(f"the {kind} entry is not JSON: {exc}") from None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("key") != key:
        raise DamagedEntry(f"the {kind} entry is not of format {FORMAT} for this key")
    if _sha256(_canonical(stored.get("data")).encode("utf-8")) != stored.get("sha256"):
        raise DamagedEntry(f"the {kind} entry does not match its recorded SHA-256")
    return stored["data"]


def write_blob(root: Path, kind: str, key: str, data: Any) -> None:
    """Store ``data`` (JSON) under ``kind/key`` atomically (raises ``OSError``/``TypeError`` when it cannot)."""
    folder = root / kind
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(
        {"format": FORMAT, "key": key, "sha256": _sha256(_canonical(data).encode("utf-8")), "data": data},
        ensure_ascii=False,
        allow_nan=False,
    )
    staging = folder / f".tmp-{key[:16]}-{uuid.uuid4().hex[:8]}"
    try:
        staging.write_text(text, encoding="utf-8")
        os.replace(staging, folder / f"{key}.json")
    finally:
        with contextlib.suppress(OSError):
            staging.unlink()


def remove_blob(root: Path, kind: str, key: str) -> None:
    with contextlib.suppress(OSError):
        (root / kind / f"{key}.json").unlink()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def source_fingerprint(*modules: str) -> str:
    """SHA-256 of autosdk-py source files (paths relative to the package), for keys of derived data."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(_tool_fingerprint().encode())
    for relative in modules:
        with contextlib.suppress(OSError):
            digest.update(hashlib.sha256((package / relative).read_bytes()).digest())
    return digest.hexdigest()
