"""Helpers of the models-stage tests: loading specs, writing generated packages, generating once."""

from __future__ import annotations

import copy
import importlib
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from autosdk_py.models import ModelsOutput, generate_models

# ../shared beside the clone (CI and README); never copied into the repository.
SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"
OPENAI_SPEC = SPECS / "openai" / "openapi.yaml"
ELEVENLABS_SPEC = SPECS / "elevenlabs" / "openapi.json"


def load_spec(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(data, dict)
    return data


def write_package(root: Path, package: str, output: ModelsOutput) -> Path:
    """Write ``output.files`` under ``root/<package path>`` with the ``__init__.py`` files above them."""
    package_dir = root.joinpath(*package.split("."))
    for rel, text in output.files.items():
        target = package_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    for depth in range(1, len(package.split(".")) + 1):
        init = root.joinpath(*package.split(".")[:depth]) / "__init__.py"
        if not init.exists():
            init.write_text("", encoding="utf-8")
    return package_dir


@dataclass
class Generated:
    name: str
    spec: dict[str, Any]
    source: Path
    package: str
    root: Path  # directory on sys.path
    output: ModelsOutput
    seconds: float
    spec_unchanged: bool

    def models(self) -> Any:
        return importlib.import_module(f"{self.package}.models")


def generate_into(name: str, source: Path, package: str, tmp: Path) -> Iterator[Generated]:
    spec = load_spec(source)
    before = copy.deepcopy(spec)
    start = time.perf_counter()
    output = generate_models(spec, package=package, source=source)
    seconds = time.perf_counter() - start
    root = tmp / "site"
    write_package(root, package, output)
    sys.path.insert(0, str(root))
    try:
        yield Generated(name, spec, source, package, root, output, seconds, spec == before)
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[module]
