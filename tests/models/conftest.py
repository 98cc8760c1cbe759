"""Fixtures for the models stage: generated packages written to a temporary directory and imported
in-process (through ``sys.path``), once per test session for each real spec."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from models_support import ELEVENLABS_SPEC, OPENAI_SPEC, Generated, generate_into


@pytest.fixture(scope="session")
def openai_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    if not OPENAI_SPEC.exists():
        raise AssertionError(f"{OPENAI_SPEC} is missing: the real specs are expected in ../shared (see README)")
    yield from generate_into("openai", OPENAI_SPEC, "autosdk_test_openai", tmp_path_factory.mktemp("openai"))


@pytest.fixture(scope="session")
def elevenlabs_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    if not ELEVENLABS_SPEC.exists():
        raise AssertionError(f"{ELEVENLABS_SPEC} is missing: the real specs are expected in ../shared (see README)")
    yield from generate_into(
        "elevenlabs", ELEVENLABS_SPEC, "autosdk_test_elevenlabs", tmp_path_factory.mktemp("elevenlabs")
    )


@pytest.fixture(params=["openai", "elevenlabs"], scope="session")
def real_models(request: pytest.FixtureRequest) -> Generated:
    fixture: Generated = request.getfixturevalue(f"{request.param}_models")
    return fixture
