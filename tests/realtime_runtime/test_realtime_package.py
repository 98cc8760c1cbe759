"""The realtime runtime as a vendorable package: names, options, backoff, and import hygiene."""

from __future__ import annotations

import ast
import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autosdk_py import realtime_runtime
from autosdk_py.realtime_runtime import ConnectOptions, ReconnectPolicy
from autosdk_py.realtime_runtime._reconnect import reconnect_delay, should_reconnect

RUNTIME_DIR = Path(realtime_runtime.__file__).parent

CONTRACT_NAMES = {
    "ConnectOptions", "ReconnectPolicy", "MessageDecoder", "UnknownMessage", "EventType",
    "RealtimeConnection", "AsyncRealtimeConnection", "connect_sync", "connect_async",
    "RealtimeError", "RealtimeHandshakeError", "RealtimeAuthenticationError",
    "RealtimePermissionDeniedError", "RealtimeConnectionClosed", "UnsentMessagesError",
}  # fmt: skip


def test_contract_names_are_exported() -> None:
    assert CONTRACT_NAMES <= set(realtime_runtime.__all__)
    for name in realtime_runtime.__all__:
        assert getattr(realtime_runtime, name) is not None


def test_connect_options_defaults() -> None:
    options = ConnectOptions("wss://api.example.com/v1/realtime?model=m")
    assert dict(options.headers) == {} and options.subprotocols == ()
    assert (options.open_timeout, options.close_timeout) == (10, 5)
    assert (options.ping_interval, options.ping_timeout) == (20, 20)
    assert options.max_size == 16 * 2**20
    assert options.compression is None
    assert options.max_queue == 1000
    assert options.reconnect == ReconnectPolicy()
    policy = options.reconnect
    assert (policy.enabled, policy.max_attempts, policy.initial_delay, policy.max_delay, policy.jitter) == (
        True, 5, 0.5, 8.0, 0.25,
    )  # fmt: skip
    assert policy.close_codes == frozenset({1006, 1011, 1012, 1013, 1014})


def test_options_are_frozen_and_copy_their_inputs() -> None:
    headers = {"Authorization": "Bearer a"}
    options = ConnectOptions("ws://h/x", headers=headers, subprotocols=["p"])
    headers["Authorization"] = "Bearer changed"
    assert options.headers["Authorization"] == "Bearer a"
    with pytest.raises(TypeError):
        options.headers["X"] = "y"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.url = "ws://other"  # type: ignore[misc]
    assert ReconnectPolicy(close_codes={1006}).close_codes == frozenset({1006})  # type: ignore[arg-type]


def test_repr_hides_credentials() -> None:
    options = ConnectOptions(
        "wss://h/v1?model=m&api_key=sk-secret",
        headers={"Authorization": "Bearer sk-secret"},
        subprotocols=["realtime", "openai-insecure-api-key.sk-secret"],
    )
    text = repr(options)
    assert "sk-secret" not in text
    assert "model=m" in text and "Authorization" in text and "openai-insecure-api-key.***" in text


@pytest.mark.parametrize(
    "bad",
    [
        {"max_attempts": -1},
        {"initial_delay": -0.1},
        {"jitter": 1.5},
    ],
)
def test_invalid_policies_are_rejected(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ReconnectPolicy(**bad)  # type: ignore[arg-type]


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = ReconnectPolicy(initial_delay=0.5, max_delay=3.0, jitter=0.25)
    assert [reconnect_delay(policy, n, lambda low, high: 1.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert reconnect_delay(policy, 1, lambda low, high: low) == pytest.approx(0.375)
    assert reconnect_delay(policy, 9, lambda low, high: high) == pytest.approx(3.75)
    real = [reconnect_delay(policy, 2) for _ in range(50)]
    assert all(0.75 <= delay <= 1.25 for delay in real) and len(set(real)) > 1


def test_which_close_codes_reconnect() -> None:
    policy = ReconnectPolicy()
    assert all(should_reconnect(policy, code) for code in (1006, 1011, 1012, 1013, 1014))
    assert not any(should_reconnect(policy, code) for code in (1000, 1001, 1008, 4000, None))
    assert not should_reconnect(ReconnectPolicy(enabled=False), 1006)
    assert not should_reconnect(ReconnectPolicy(max_attempts=0), 1006)


ALLOWED_TOP_LEVEL = {"websockets", "pydantic", "pydantic_core"}


def test_imports_only_stdlib_websockets_pydantic_and_relative_modules() -> None:
    for path in sorted(RUNTIME_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > 0:
                    continue
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            for root in roots:
                assert root != "autosdk_py", f"{path.name} imports autosdk_py"
                assert root in ALLOWED_TOP_LEVEL or root in sys.stdlib_module_names or root == "__future__", (
                    f"{path.name} imports {root}"
                )


def test_vendored_copy_works_under_another_package_name(tmp_path: Path) -> None:
    target = tmp_path / "acme_sdk" / "realtime" / "_runtime"
    shutil.copytree(RUNTIME_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "acme_sdk" / "__init__.py").write_text("")
    (tmp_path / "acme_sdk" / "realtime" / "__init__.py").write_text("")
    script = (
        "import sys\n"
        "from acme_sdk.realtime._runtime import ConnectOptions, MessageDecoder, connect_sync, connect_async\n"
        "assert not [m for m in sys.modules if m.startswith('autosdk_py')], 'autosdk_py was imported'\n"
        "print(ConnectOptions('ws://h/x').compression)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
