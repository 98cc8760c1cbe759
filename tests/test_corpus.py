"""Every AsyncAPI document of ../shared/corpus (specs nobody here wrote): generated, imported, type-checked.

Documents with no WebSocket channel (MQTT, Kafka, AMQP, HTTP streaming) still get their models
and carry the documented note; the OpenAPI + AsyncAPI pairs also go through the checker.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from autosdk_py.errors import CheckFailed
from autosdk_py.naming import snake_case
from autosdk_py.pipeline import GenerateOptions, GenerateResult, generate
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
DOCUMENTS = sorted(CORPUS.glob("asyncapi/*.y*ml")) + sorted(CORPUS.glob("asyncapi/*.json"))
DOCUMENTS += sorted(CORPUS.glob("pairs/*/asyncapi.json"))
NO_WEBSOCKET = "only WebSocket channels (ws, wss) get a client"


def _namespace(path: Path) -> str:
    return "corpus_" + snake_case(f"{path.parent.name}_{path.stem}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Path, GenerateResult]]:
    assert DOCUMENTS, f"no corpus documents under {CORPUS}"
    out = tmp_path_factory.mktemp("corpus")
    results = {doc: generate(GenerateOptions(spec=doc, output=out, namespace=_namespace(doc))) for doc in DOCUMENTS}
    sys.path.insert(0, str(out))
    return out, results


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_document_generates_and_imports(
    document: Path, generated: tuple[Path, dict[Path, GenerateResult]]
) -> None:
    _, results = generated
    result = results[document]
    package = importlib.import_module(result.package)
    models = importlib.import_module(result.package + ".models")
    for name in models.__all__:  # every class builds at import (a field named like its type broke this once)
        assert getattr(models, name) is not None
    channels = result.counts["channels"]
    if channels == 0:
        assert any(NO_WEBSOCKET in note or "no WebSocket channel" in note for note in result.notes), result.notes
        assert importlib.import_module(result.package + ".models") is not None
    else:
        clients = [name for name in package.__all__ if name.endswith("Client")]
        assert len(clients) == 2 * channels
        for name in clients:
            assert callable(getattr(package, name))


def test_corpus_expectations(generated: tuple[Path, dict[Path, GenerateResult]]) -> None:
    _, results = generated
    by_name = {doc.name if doc.parent.name == "asyncapi" else doc.parent.name: r for doc, r in results.items()}
    assert by_name["spec_streetlights_mqtt_v3.yml"].counts["channels"] == 0
    assert by_name["spec_kraken_multi_channel_v3.yml"].counts["channels"] == 1  # 7 channels at "/": one socket
    assert by_name["assemblyai_realtime_v2.json"].counts["channels"] == 1
    gemini = importlib.import_module(by_name["spec_gemini_ws_v3.yml"].package)
    import inspect

    params = inspect.signature(gemini.RealtimeClient.connect).parameters
    assert "symbol" in params  # the channel's path parameter
    assert "heartbeat" in params or "top_of_book" in params  # ws query binding


def test_corpus_output_type_checks_and_lints(generated: tuple[Path, dict[Path, GenerateResult]]) -> None:
    out, results = generated
    packages = sorted({r.package for r in results.values()})
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--quiet", *packages],
        cwd=out, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    args = [arg for p in packages for arg in ("-p", p)]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(out / ".mypy_cache"), *args],
        cwd=out, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout[-3000:]


@pytest.mark.parametrize(("pair", "expected"), [("discord", "23 of 27 schemas exist in"), ("xplane", "0 of")])
def test_pairs_go_through_the_checker(pair: str, expected: str, tmp_path: Path) -> None:
    folder = CORPUS / "pairs" / pair
    generate(GenerateOptions(spec=folder / "openapi.json", output=tmp_path, namespace=f"{pair}_rest"))
    with pytest.raises(CheckFailed) as info:
        generate(
            GenerateOptions(
                spec=folder / "asyncapi.json", output=tmp_path, types_namespace=f"{pair}_rest", generate_models=False
            )
        )
    assert expected in str(info.value)
    assert not (tmp_path / f"{pair}_rest" / "realtime").exists()


def test_server_perspective_reverses_asyncapi_3_actions(tmp_path: Path) -> None:
    """Gemini's 3.0 document describes the server: its ``send`` operation is what clients receive."""
    spec = CORPUS / "asyncapi" / "spec_gemini_ws_v3.yml"
    client_view = generate(GenerateOptions(spec=spec, output=tmp_path, namespace="gemini_client_view"))
    server_view = generate(
        GenerateOptions(spec=spec, output=tmp_path, namespace="gemini_server_view", asyncapi_perspective="server")
    )
    assert (client_view.counts["send methods"], client_view.counts["server message types"]) == (1, 0)
    assert (server_view.counts["send methods"], server_view.counts["server message types"]) == (0, 1)
    v2 = generate(
        GenerateOptions(
            spec=CORPUS / "asyncapi" / "spec_gemini_ws_v2.yml",
            output=tmp_path,
            namespace="gemini_v2",
            asyncapi_perspective="server",
        )
    )
    assert v2.counts["server message types"] == 1  # 2.x subscribe: unaffected by the perspective
