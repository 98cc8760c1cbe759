"""tests/mock: the models cache lives in temporary folders, never in the user's ~/.cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


def _set_cache(folder: Path | None) -> str | None:
    previous = os.environ.get("AUTOSDK_CACHE_DIR")
    if folder is None:
        os.environ.pop("AUTOSDK_CACHE_DIR", None)
    else:
        os.environ["AUTOSDK_CACHE_DIR"] = str(folder)
    return previous


@pytest.fixture(scope="session", autouse=True)
def shared_models_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One cache for the whole run: a document's models are generated once, as for a user."""
    folder = tmp_path_factory.mktemp("mock-models-cache")
    previous = _set_cache(folder)
    yield folder
    _set_cache(Path(previous) if previous is not None else None)


@pytest.fixture()
def cache_dir(tmp_path: Path, shared_models_cache: Path) -> Iterator[Path]:
    """A private, empty models cache for one test."""
    folder = tmp_path / "cache"
    _set_cache(folder)
    yield folder
    _set_cache(shared_models_cache)
