"""The runtime as a package: public names, sentinels, helpers, and that it can be vendored verbatim."""

from __future__ import annotations

import ast
import copy
import dataclasses
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field

from autosdk_py import runtime
from autosdk_py.runtime import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    Credential,
    NotGiven,
    RequestOptions,
    Timeout,
    build_model,
)

RUNTIME_DIR = Path(runtime.__file__).parent

CONTRACT_NAMES = {
    "NOT_GIVEN", "NotGiven", "Timeout", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES", "FileTypes",
    "Headers", "Query", "Body", "RequestOptions", "Credential", "SyncAPIClient", "AsyncAPIClient",
    "Stream", "AsyncStream", "BinaryStream", "AsyncBinaryStream", "build_model",
    "APIError", "APIConnectionError", "APITimeoutError", "APIStatusError", "APIResponseValidationError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "InternalServerError",
}  # fmt: skip


def test_public_names_are_exported() -> None:
    assert CONTRACT_NAMES <= set(runtime.__all__)
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None


def test_not_given_sentinel() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert NotGiven() is NOT_GIVEN
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN
    assert copy.deepcopy({"x": NOT_GIVEN})["x"] is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def test_defaults() -> None:
    assert Timeout is httpx.Timeout
    assert DEFAULT_TIMEOUT == httpx.Timeout(600.0, connect=5.0)
    assert DEFAULT_MAX_RETRIES == 2
    options = RequestOptions()
    assert options.timeout is NOT_GIVEN and options.max_retries is NOT_GIVEN
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.max_retries = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Credential("bearer", "Authorization", "x").value = "y"  # type: ignore[misc]


class Params(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    model_name: str = Field(alias="model")
    max_tokens: int | None = Field(default=None, alias="maxTokens")
    temperature: float = 1.0


def test_build_model_drops_not_given_and_accepts_python_names() -> None:
    params = build_model(Params, {"model_name": "m1", "max_tokens": NOT_GIVEN, "temperature": 0.5})
    assert params.model_name == "m1" and params.temperature == 0.5
    assert params.model_fields_set == {"model_name", "temperature"}
    assert params.model_dump(by_alias=True, exclude_unset=True) == {"model": "m1", "temperature": 0.5}
    explicit_none = build_model(Params, {"model_name": "m1", "max_tokens": None})
    assert "max_tokens" in explicit_none.model_fields_set


def _imports(path: Path) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def test_runtime_imports_only_stdlib_httpx_pydantic_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"httpx", "pydantic"}
    files = sorted(RUNTIME_DIR.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for node in _imports(path):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                continue  # relative: stays valid wherever the package is copied
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_runtime_works_when_copied_verbatim_into_another_package(tmp_path: Path) -> None:
    sdk = tmp_path / "acme_sdk"
    sdk.mkdir()
    (sdk / "__init__.py").write_text("")
    shutil.copytree(RUNTIME_DIR, sdk / "_runtime", ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import sys\n"
        "from acme_sdk._runtime import SyncAPIClient, NOT_GIVEN, build_model\n"
        "assert not any(m.startswith('autosdk_py') for m in sys.modules), 'runtime imported autosdk_py'\n"
        "with SyncAPIClient(base_url='http://127.0.0.1:1') as c:\n"
        "    print(type(c).__module__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "acme_sdk._runtime._base_client"
