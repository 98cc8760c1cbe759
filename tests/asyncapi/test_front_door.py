"""The four commands read a realtime document the same way: the same perspective gives the same client.

Gemini's 3.0 document describes the server (its ``send`` operation is what clients receive): read from
the server's side, ``generate`` makes no ``send_market_data`` and ``docs`` documents none; read from the
client's side, both have it. ``check`` and ``mock`` take the same option.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from autosdk_py.asyncapi.read import load_realtime, perspective_option
from autosdk_py.cli import app
from autosdk_py.docs import build_docs
from autosdk_py.errors import SpecError
from autosdk_py.loader import load_document
from autosdk_py.mock import MockServer
from autosdk_py.pipeline import GenerateOptions, generate
from tests.conftest import SHARED

GEMINI_V3 = SHARED / "corpus" / "asyncapi" / "spec_gemini_ws_v3.yml"
GEMINI_V2 = SHARED / "corpus" / "asyncapi" / "spec_gemini_ws_v2.yml"


@pytest.mark.parametrize(("side", "sends"), [("server", False), ("client", True)])
def test_generate_docs_and_mock_agree_on_the_perspective(side: str, sends: bool, tmp_path: Path) -> None:
    perspective = perspective_option(side)
    result = generate(
        GenerateOptions(spec=GEMINI_V3, output=tmp_path, namespace="gemini", asyncapi_perspective=perspective)
    )
    source = (result.package_dir / "_client.py").read_text(encoding="utf-8")
    pages = "\n".join(build_docs(load_document(GEMINI_V3), namespace="gemini", perspective=perspective).files.values())
    assert ("def send_market_data" in source) is sends
    assert ("send_market_data" in pages) is sends
    mock = MockServer.from_spec(GEMINI_V3, perspective=perspective)
    (channel,) = mock.channels
    assert (len(channel.send), len(channel.receive)) == ((1, 0) if sends else (0, 1))


def test_auto_is_each_versions_convention() -> None:
    assert perspective_option(None) is None and perspective_option("AUTO") is None
    _, v3 = load_realtime(GEMINI_V3)
    _, v2 = load_realtime(GEMINI_V2)
    assert [len(c.send) for c in v3.channels] == [1]  # 3.0: the client's reading of action: send
    assert [len(c.receive) for c in v2.channels] == [1]  # 2.x: subscribe is what the client receives
    _, v2_client = load_realtime(GEMINI_V2, "client")
    assert [len(c.send) for c in v2_client.channels] == [1]  # the option flips 2.x too


def test_a_bad_perspective_is_one_clear_error() -> None:
    with pytest.raises(SpecError) as info:
        perspective_option("servr")
    assert str(info.value) == (
        "<input>: error: --asyncapi-perspective takes client, server or auto, not 'servr'\n"
        "  hint: client: the document describes the client application; server: it describes the server"
    )


@pytest.mark.parametrize("command", ["generate", "docs", "check", "mock"])
def test_every_command_takes_the_option(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--asyncapi-perspective" in result.output
