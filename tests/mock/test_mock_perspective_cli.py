"""``--asyncapi-perspective`` for the mock, and the command line's new options (--all-messages, --package, cache)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from autosdk_py.asyncapi.read import Perspective
from autosdk_py.mock import MockServer
from tests.mock.mock_helpers import no_more_frames, open_ws, recv_frames, tagged, types_of, v3_channel_doc, write_doc

ROOT = Path(__file__).resolve().parents[2]

# AsyncAPI 3.0: "send" operations are the described application's. Read from the client's side
# (the default for 3.0) the client sends ``ping``; read from the server's side the client sends
# ``hello`` and ``pong`` and the server sends ``ping``.
SENDS = {"ping": {"payload": tagged("ping", n={"type": "integer"})}}
RECEIVES = {"hello": {"payload": tagged("hello")}, "pong": {"payload": tagged("pong", n={"type": "integer"})}}

V2 = {
    "asyncapi": "2.6.0",
    "info": {"title": "Old", "version": "1"},
    "servers": {"local": {"url": "ws://localhost:9000", "protocol": "ws"}},
    "channels": {
        "/live": {
            "publish": {"message": {"name": "ask", "payload": tagged("ask")}},
            "subscribe": {"message": {"name": "answer", "payload": tagged("answer")}},
        }
    },
}


@pytest.fixture()
def v3(tmp_path: Path) -> Path:
    return write_doc(tmp_path, "v3.yaml", v3_channel_doc(SENDS, RECEIVES))


def _names(mock: MockServer) -> tuple[list[str], list[str]]:
    channel = mock.channels[0]
    return [m.name for m in channel.send], [m.name for m in channel.receive]


@pytest.mark.parametrize("side", [None, "client"])
def test_v3_client_perspective(v3: Path, side: Perspective | None) -> None:
    with MockServer.from_spec(v3, perspective=side) as mock, open_ws(mock.url_for()) as ws:
        assert types_of(recv_frames(ws, 1)) == ["hello"]  # greeting
        ws.send('{"type": "ping", "n": 1}')  # a client message: valid, no reply rule, silence
        assert no_more_frames(ws)
        ws.send('{"type": "pong", "n": 1}')  # a server message: not the client's to send
        [error] = recv_frames(ws, 1)
    assert _names(mock) == (["ping"], ["hello", "pong"])
    assert error["error"]["code"] == "unknown_event" and "'ping'" in error["error"]["message"]


def test_v3_server_perspective(v3: Path) -> None:
    with MockServer.from_spec(v3, perspective="server") as mock, open_ws(mock.url_for()) as ws:
        ws.send('{"type": "pong", "n": 1}')  # the client's now
        ws.send('{"type": "ping", "n": 1}')  # the server's now
        [error] = recv_frames(ws, 1)
        assert no_more_frames(ws)  # no greeting: "ping" is not one
    assert _names(mock) == (["hello", "pong"], ["ping"])
    assert error["error"]["code"] == "unknown_event" and error["error"]["event"] == "ping"


def test_v2_perspectives_swap_publish_and_subscribe(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "v2.yaml", V2)
    client = MockServer.from_spec(path, perspective="client")
    server = MockServer.from_spec(path, perspective="server")
    auto = MockServer.from_spec(path)
    assert _names(client) == _names(server)[::-1]
    assert _names(auto) in (_names(client), _names(server))


# --- the command line ----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", "mock", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        cwd=ROOT,
    )


@contextmanager
def serving(*args: str) -> Iterator[tuple[str, list[str]]]:
    """Run ``autosdk mock ARGS --port 0``; yields the first listening URL and the lines so far (then SIGINT)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "autosdk_py", "mock", *args, "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=_env(),
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    assert proc.stderr is not None
    stderr = proc.stderr
    reader = threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in stderr], daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("base URL" in line for line in seen):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (proc.poll() is not None and lines.empty()):
                raise AssertionError(f"the mock did not start: {seen}")
            try:
                seen.append(lines.get(timeout=min(remaining, 1.0)))
            except queue.Empty:
                continue
        listening = next(line for line in seen if line.startswith("listening on "))
        yield listening.split("listening on ", 1)[1].split(" ", 1)[0], seen
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        reader.join(5)
        while not lines.empty():
            seen.append(lines.get())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert seen[-1] == "autosdk mock: stopped" and not any("Traceback" in line for line in seen)


def test_cli_perspective_and_all_messages(v3: Path) -> None:
    with serving(str(v3), "--asyncapi-perspective", "server", "--all-messages") as (url, seen):
        assert any("(channel 'live': 2 client / 1 server message types)" in line for line in seen), seen
        with open_ws(url) as ws:
            assert types_of(recv_frames(ws, 1)) == ["ping"]  # --all-messages: the one server message
            for _ in range(3):
                ws.send('{"type": "pong", "n": 2}')
            assert no_more_frames(ws)
    unanswered = [line for line in seen if line.startswith("no reply rule for")]
    assert len(unanswered) == 1 and "pong" in unanswered[0]
    assert any("3 message(s) in, 1 out" in line for line in seen)


def test_cli_bad_perspective_is_a_clear_error(v3: Path) -> None:
    result = run_cli(str(v3), "--asyncapi-perspective", "sideways", "--port", "0")
    assert result.returncode != 0
    assert "--asyncapi-perspective takes client, server or auto, not 'sideways'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_package_option(tmp_path: Path, v3: Path) -> None:
    from autosdk_py.pipeline import GenerateOptions, generate

    generate(GenerateOptions(spec=v3, output=tmp_path / "out", namespace="mock_cli_pkg"))
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(tmp_path / "out") + (os.pathsep + env_path if env_path else "")
    try:
        with serving(str(v3), "--package", "mock_cli_pkg") as (url, seen):
            assert not any("preparing models" in line for line in seen), seen
            with open_ws(url) as ws:
                assert types_of(recv_frames(ws, 1)) == ["hello"]
                ws.send(json.dumps({"type": "ping", "n": "one"}))
                error: Any = recv_frames(ws, 1)[0]
        assert error["error"]["code"] == "invalid_message"
        missing = run_cli(str(v3), "--package", "no_such_mock_pkg", "--port", "0")
        assert missing.returncode == 1 and "no package 'no_such_mock_pkg' can be imported" in missing.stderr
        assert "Traceback" not in missing.stderr
    finally:
        if env_path:
            os.environ["PYTHONPATH"] = env_path
        else:
            os.environ.pop("PYTHONPATH", None)
