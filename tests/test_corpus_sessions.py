"""Behavioural corpus test: every WebSocket channel of every real document holds a session.

For each AsyncAPI and Fern document of ../shared/corpus (and the synthetic fixture of each category
that broke real documents, tests/specs/realtime/), read from each perspective: generate the SDK,
start ``autosdk mock --all-messages`` on the same document, connect the generated sync and async
clients with their required arguments, send every client message once and receive every server
message as its generated class. Zero ``UnknownMessage``, zero wrong classes, zero exceptions, and
the mock finds every client frame valid. One line per document says what was exercised.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from autosdk_py.asyncapi.read import Perspective, load_realtime
from autosdk_py.mock import MockServer
from autosdk_py.naming import snake_case
from autosdk_py.pipeline import GenerateOptions, GenerateResult, generate
from tests.conftest import OPENAI_ASYNCAPI, SHARED, RealSdk
from tests.sessions import SESSION_LINES, ChannelReport, channel_of, client_modules, models_module, run_async, run_sync

CORPUS = SHARED / "corpus"
HERE = Path(__file__).parent
ASYNCAPI = sorted(CORPUS.glob("asyncapi/*.y*ml")) + sorted(CORPUS.glob("asyncapi/*.json"))
ASYNCAPI += sorted(CORPUS.glob("pairs/*/asyncapi.json"))
ASYNCAPI += sorted((HERE / "specs" / "realtime").glob("*.yaml"))
ASYNCAPI += sorted(SHARED.glob("specs/*/asyncapi.json"))  # OpenAI's and ElevenLabs', with their own models
FERN = [p for p in sorted(CORPUS.glob("fern/**/*.yml")) if p.name != "__package__.yml"]
FERN += sorted((HERE / "specs" / "realtime" / "fern").glob("*.yml"))

CASES: list[tuple[Path, Perspective | None]] = [(p, side) for p in ASYNCAPI for side in ("client", "server")]
CASES += [(p, None) for p in FERN]


def _label(case: tuple[Path, Perspective | None]) -> str:
    path, side = case
    return f"{path.parent.name}/{path.name}" + (f"@{side}" if side else "")


def _namespace(path: Path, side: str | None) -> str:
    return "sessions_" + snake_case(f"{path.parent.name}_{path.stem}_{side or 'fern'}")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert ASYNCAPI and FERN, f"no corpus documents under {CORPUS}"
    out = tmp_path_factory.mktemp("sessions")
    sys.path.insert(0, str(out))
    return out


def _generate(path: Path, side: Perspective | None, out: Path) -> GenerateResult:
    return generate(GenerateOptions(spec=path, output=out, namespace=_namespace(path, side), asyncapi_perspective=side))


@pytest.mark.parametrize("case", CASES, ids=_label)
def test_every_channel_holds_a_session(case: tuple[Path, Perspective | None], output: Path) -> None:
    path, side = case
    result = _generate(path, side, output)
    _hold_sessions(_label(case), path, side, result, models_module(result.package))


def test_openai_realtime_with_the_rest_models_holds_a_session(openai_realtime: RealSdk) -> None:
    """Pass 2 importing pass 1's models (``make openai``): the same session, classes from ``openai_sdk``."""
    result = openai_realtime.result
    _hold_sessions(
        "openai/asyncapi.json (openai_sdk models)", OPENAI_ASYNCAPI, None, result, models_module("openai_sdk")
    )


def _hold_sessions(
    label: str, path: Path, side: Perspective | None, result: GenerateResult, models: ModuleType | None
) -> None:
    _, api = load_realtime(path, side)
    package = importlib.import_module(result.package)
    modules = client_modules(package)
    served = [c for c in api.channels if c.protocol_ok and c.address is not None]
    assert len(modules) == len(served) == result.counts["channels"]
    if not served:
        assert any("WebSocket" in note for note in result.notes), result.notes
        protocols = ", ".join(sorted({p for c in api.channels for p in c.protocols}))
        SESSION_LINES.append(f"{label}: no WebSocket channel ({protocols})")
        return
    reports: list[ChannelReport] = []
    with MockServer(api, source=path, all_messages=True, record=True) as server:
        for module in modules:
            channel = channel_of(module, api)
            for run in (run_sync, run_async):
                try:
                    reports.append(run(module, channel, api, server, models))
                except Exception as exc:  # every failure of every channel is reported, not only the first
                    problem = f"{run.__name__}: {type(exc).__name__}: {exc}"
                    reports.append(ChannelReport(channel.key, problems=[problem]))
        invalid = [f"{c.channel}: {error}" for c in server.connections for error in c.errors]
    problems = [f"{r.channel}: {p}" for r in reports for p in r.problems] + invalid
    sends = sum(r.sends for r in reports)
    receives = sum(r.typed_receives for r in reports)
    line = f"{label}: {len(served)} channel(s), {sends} sends, {receives} typed receives (sync + async)"
    SESSION_LINES.append(line + ("" if not problems else f", {len(problems)} problem(s)"))
    assert not problems, "\n".join(problems)
