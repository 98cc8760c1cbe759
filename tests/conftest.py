"""Session-wide fixtures: each real SDK is generated once per test session, then tested in-process."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from autosdk_py.pipeline import GenerateOptions, GenerateResult, generate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OPENAI_SPEC = SHARED / "specs" / "openai" / "openapi.yaml"
ELEVENLABS_SPEC = SHARED / "specs" / "elevenlabs" / "openapi.json"


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
