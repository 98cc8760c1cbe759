"""Session-wide fixtures: each real SDK is generated once per test session, then tested in-process."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from autosdk_py.pipeline import GenerateOptions, GenerateResult, generate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OPENAI_SPEC = SHARED / "specs" / "openai" / "openapi.yaml"
ELEVENLABS_SPEC = SHARED / "specs" / "elevenlabs" / "openapi.json"
OPENAI_ASYNCAPI = SHARED / "specs" / "openai" / "asyncapi.json"
ELEVENLABS_ASYNCAPI = SHARED / "specs" / "elevenlabs" / "asyncapi.json"


@dataclass(frozen=True)
class RealSdk:
    spec: Path
    output: Path
    result: GenerateResult
    package: ModuleType

    @property
    def package_dir(self) -> Path:
        return self.result.package_dir


def _generate(spec: Path, output: Path, options: dict[str, object]) -> RealSdk:
    assert spec.exists(), f"{spec} is missing: the real specs are expected in ../shared/specs (see README)"
    result = generate(GenerateOptions(spec=spec, output=output, **options))  # type: ignore[arg-type]
    sys.path.insert(0, str(output))
    return RealSdk(spec, output, result, importlib.import_module(result.package))


@pytest.fixture(scope="session", autouse=True)
def mock_models_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``autosdk mock``'s models cache lives in a temporary folder for the whole run, never in ~/.cache."""
    previous = os.environ.get("AUTOSDK_CACHE_DIR")
    folder = tmp_path_factory.mktemp("mock-models-cache")
    os.environ["AUTOSDK_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("AUTOSDK_CACHE_DIR", None)
    else:
        os.environ["AUTOSDK_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def openai_sdk(tmp_path_factory: pytest.TempPathFactory) -> RealSdk:
    """OpenAI's REST API as package ``openai_sdk`` (the same options as ``make openai``)."""
    return _generate(OPENAI_SPEC, tmp_path_factory.mktemp("openai"), {"namespace": "openai_sdk"})


@pytest.fixture(scope="session")
def elevenlabs_sdk(tmp_path_factory: pytest.TempPathFactory) -> RealSdk:
    """ElevenLabs' REST API: no servers and no securitySchemes in the spec, so both come from options."""
    return _generate(
        ELEVENLABS_SPEC,
        tmp_path_factory.mktemp("elevenlabs"),
        {
            "namespace": "elevenlabs_sdk",
            "base_url": "https://api.elevenlabs.io",
            "security_schemes": ("ApiKey:Header:xi-api-key",),
            "auth_env_vars": ("ELEVENLABS_API_KEY",),
        },
    )


@pytest.fixture(scope="session")
def openai_realtime(openai_sdk: RealSdk) -> RealSdk:
    """Pass 2 on OpenAI's asyncapi.json importing ``openai_sdk``'s models (``make openai``)."""
    result = generate(
        GenerateOptions(
            spec=OPENAI_ASYNCAPI, output=openai_sdk.output, types_namespace="openai_sdk", generate_models=False
        )
    )
    return RealSdk(OPENAI_ASYNCAPI, openai_sdk.output, result, importlib.import_module(result.package))


@pytest.fixture(scope="session")
def elevenlabs_realtime(elevenlabs_sdk: RealSdk) -> RealSdk:
    """ElevenLabs' speech-to-text channel with its own models, beside the REST package."""
    result = generate(
        GenerateOptions(spec=ELEVENLABS_ASYNCAPI, output=elevenlabs_sdk.output, namespace="elevenlabs_sdk.realtime")
    )
    return RealSdk(ELEVENLABS_ASYNCAPI, elevenlabs_sdk.output, result, importlib.import_module(result.package))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.sessions import SESSION_LINES  # filled by tests/test_corpus_sessions.py

    if SESSION_LINES:
        terminalreporter.section("realtime sessions (generated clients against autosdk mock --all-messages)")
        for line in SESSION_LINES:
            terminalreporter.write_line(line)
