"""``autosdk docs``: the Markdown WebSocket reference.

* golden pages for small specs (AsyncAPI 3.0 plants, 2.6 chat, 3.0 chat with MQTT and dynamic
  channels), diffed; ``AUTOSDK_UPDATE_GOLDEN=1`` rewrites them (``make golden``);
* the real OpenAI, ElevenLabs and Hume (Fern) documents: key facts, links that resolve, and every
  Python name on the page checked against the client ``autosdk generate`` writes for the same spec;
* the command line: pages written, bad input -> exit 1 with the error, foreign folders untouched.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autosdk_py.asyncapi.client_ir import send_method_name
from autosdk_py.asyncapi.parser import parse_asyncapi
from autosdk_py.asyncapi.spec import AsyncApiDocument
from autosdk_py.docs import build_docs, generate_docs, model_names
from autosdk_py.fern import parse_fern_document
from autosdk_py.loader import load_document
from autosdk_py.pipeline import GenerateOptions, generate

HERE = Path(__file__).parent
ROOT = HERE.parent
GOLDEN = HERE / "golden_docs"
UPDATE = os.environ.get("AUTOSDK_UPDATE_GOLDEN") == "1"
SHARED = ROOT.parent / "shared"
OPENAI = SHARED / "specs" / "openai" / "asyncapi.json"
ELEVENLABS = SHARED / "specs" / "elevenlabs" / "asyncapi.json"
HUME = SHARED / "corpus" / "fern" / "hume" / "empathic-voice" / "chat.yml"

GOLDEN_CASES: dict[str, tuple[Path, dict[str, str]]] = {
    "plants": (ROOT / "examples" / "plants" / "asyncapi.yaml", {}),
    "chat_v2": (HERE / "asyncapi" / "specs" / "chat_v2.yaml", {"namespace": "chat_v2"}),
    "chat_v3": (HERE / "asyncapi" / "specs" / "chat_v3.yaml", {"namespace": "chat_v3"}),
}


# --- Markdown helpers (written independently of autosdk_py.docs.markdown) -----------------------------


def outside_code(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def heading_anchors(text: str) -> list[str]:
    """GitHub's anchors for the headings of ``text`` (github-slugger, duplicates numbered -1, -2...)."""
    seen: dict[str, int] = {}
    anchors = []
    for line in outside_code(text):
        match = re.match(r"^#{1,6} (.+?)\s*$", line)
        if not match:
            continue
        base = re.sub(r"[^\w\- ]", "", match.group(1).lower()).replace(" ", "-")
        anchor = base
        while anchor in seen:
            seen[base] += 1
            anchor = f"{base}-{seen[base]}"
        seen[anchor] = 0
        anchors.append(anchor)
    return anchors


def assert_links_resolve(name: str, text: str) -> int:
    anchors = set(heading_anchors(text))
    targets = re.findall(r"\]\(#([^)\s]*)\)", "\n".join(outside_code(text)))
    missing = sorted({t for t in targets if t not in anchors})
    assert not missing, f"{name}: links to missing anchors {missing[:10]}"
    return len(targets)


def assert_tables_well_formed(name: str, text: str) -> None:
    """Every table row has as many cells as its header (escaped pipes do not split cells)."""
    columns = None
    for line in outside_code(text):
        if not line.startswith("|"):
            columns = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        if columns is None:
            columns = cells
        assert cells == columns, f"{name}: row has {cells} cells, header {columns}: {line[:200]}"


def parse(path: Path) -> AsyncApiDocument:
    doc = load_document(path)
    return parse_fern_document(doc) if doc.version == "fern" else parse_asyncapi(doc)


def python_block(text: str, after: str) -> str:
    match = re.search(re.escape(after) + r".*?```python\n(.*?)```", text, re.S)
    assert match, f"no python block after {after!r}"
    return match.group(1)


# --- golden --------------------------------------------------------------------------------------


def _md_files(root: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(root.glob("*.md"))}


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_golden_docs(case: str, tmp_path: Path) -> None:
    spec, options = GOLDEN_CASES[case]
    out = tmp_path / "docs"
    generate_docs(spec, out, **options)
    produced = _md_files(out)
    golden_dir = GOLDEN / case
    if UPDATE:
        shutil.rmtree(golden_dir, ignore_errors=True)
        golden_dir.mkdir(parents=True)
        for name, text in produced.items():
            (golden_dir / name).write_text(text, encoding="utf-8")
    expected = _md_files(golden_dir)
    assert sorted(expected) == sorted(produced), "pages differ (make golden)"
    diffs: list[str] = []
    for name in sorted(expected):
        diffs += difflib.unified_diff(
            expected[name].splitlines(), produced[name].splitlines(), f"golden_docs/{case}/{name}", name, lineterm=""
        )
    assert not diffs, "docs differ from golden (run `make golden` if intended):\n" + "\n".join(diffs[:200])
    for name, text in produced.items():
        assert_links_resolve(name, text)
        assert_tables_well_formed(name, text)


def test_non_websocket_channels_are_documented_without_a_client() -> None:
    files = build_docs(load_document(GOLDEN_CASES["chat_v3"][0])).files
    assert sorted(files) == ["README.md", "dynamic.md", "room.md", "telemetry.md"]
    telemetry = files["telemetry.md"]
    assert "served over mqtt, not WebSocket: no client is generated" in telemetry
    assert "## Python quick start" not in telemetry
    assert "| Protocol | `mqtt` |" in telemetry
    assert "### reading" in telemetry
    assert "no address (an AsyncAPI 3.0 dynamic channel): no client is generated" in files["dynamic.md"]
    assert "| [telemetry](telemetry.md) | `telemetry/{device}` | none (served over mqtt) |" in files["README.md"]


def test_types_namespace_names_the_pass_1_package() -> None:
    """With --types-namespace (as `make demo` generates plants), the client lives in x.realtime and imports x.models."""
    page = build_docs(load_document(GOLDEN_CASES["plants"][0]), types_namespace="plant_monitor").files[
        "plant_updates.md"
    ]
    quickstart = python_block(page, "## Python quick start")
    assert quickstart.startswith(
        "from plant_monitor.realtime import RealtimeClient\nfrom plant_monitor.models import WateringCommand\n"
    )
    assert "Payload: `SensorReading` (`plant_monitor.models`)." in page


def test_output_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    digests = []
    for seed in ("0", "977"):
        out = tmp_path / f"seed{seed}"
        proc = subprocess.run(
            [sys.executable, "-m", "autosdk_py", "docs", str(GOLDEN_CASES["chat_v3"][0]), "-o", str(out), "-q"],
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        digests.append(_md_files(out))
    assert digests[0] == digests[1]


# --- real documents ------------------------------------------------------------------------------

REAL = {
    "openai": (OPENAI, "realtime.md", ["`Authorization: Bearer <api key>`", "`OPENAI_API_KEY`"]),
    "elevenlabs": (ELEVENLABS, "realtime.md", ["`xi-api-key: <api key>`", "`ELEVENLABS_API_KEY`"]),
    "hume": (HUME, "chat.md", ["None declared: the client sends no credentials"]),
}


@pytest.fixture(scope="module")
def real_pages() -> dict[str, dict[str, str]]:
    for path, _, _ in REAL.values():
        if not path.is_file():
            raise AssertionError(f"{path} is missing: the real specs are expected in ../shared (see README)")
    return {name: build_docs(load_document(path)).files for name, (path, _, _) in REAL.items()}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_pages(name: str, real_pages: dict[str, dict[str, str]]) -> None:
    path, page_name, auth_facts = REAL[name]
    files = real_pages[name]
    assert sorted(files) == ["README.md", page_name]
    page = files[page_name]
    headings = [line for line in outside_code(page) if line.startswith("#")]
    for heading in ("## Python quick start", "## Handshake", "### Auth", "## Send", "## Receive", "## Types"):
        assert heading in headings, heading
    assert headings.index("## Handshake") < headings.index("## Send") < headings.index("## Receive")
    assert headings.index("## Receive") < headings.index("## Types")
    auth = page[page.index("### Auth") : page.index("## Send")]
    for fact in auth_facts:
        assert fact in auth
    [channel] = parse(path).channels
    send_section = page[page.index("## Send") : page.index("## Receive")]
    for message in channel.send:
        assert f"\n### {message.name}\n" in send_section
        assert f"ws.{send_method_name(message)}({message.payload_schema}(...))" in send_section, message.name
    receive_section = page[page.index("## Receive") : page.index("## Types")]
    for message in channel.receive:
        assert f"\n### {message.name}\n" in receive_section
        assert f"Arrives from `ws.recv()` as `{message.payload_schema}`" in receive_section, message.name
    assert "UnknownMessage" in receive_section
    assert page.count("```json\n") == len(channel.messages)  # one example per message
    assert assert_links_resolve(page_name, page) >= len(channel.messages)  # the summary tables at least
    assert_links_resolve("README.md", files["README.md"])
    assert_tables_well_formed(page_name, page)
    assert f"]({page_name})" in files["README.md"]


def test_openai_facts(real_pages: dict[str, dict[str, str]]) -> None:
    page = real_pages["openai"]["realtime.md"]
    assert "| URL | `wss://api.openai.com/v1/realtime` |" in page
    # The server variable ``model`` is not in the URL: the client sends it as a query parameter.
    assert re.search(r"\| `model` \| `model: str` \| string \| yes \| Server variable\.", page)
    assert "`Sec-WebSocket-Protocol` `realtime`, `openai-insecure-api-key.<api key>`" in page
    assert "`use_subprotocol_auth=True`" in page
    assert 'with RealtimeClient(api_key="...").connect(model="gpt-4o-realtime-preview") as ws:' in page
    assert "chosen by" not in page  # (wording guard: the tag sentence names the field)
    assert "that its `type` field names" in page
    assert "### RealtimeSessionCreateRequestGA" in page  # a type reached through session.update
    assert "| `audio.output.voice` |" in page  # inline objects expanded into dotted rows
    assert '"type": "session.update"' in page


def test_hume_facts(real_pages: dict[str, dict[str, str]]) -> None:
    page = real_pages["hume"]["chat.md"]
    # api_key is a reserved connect() name, so the client calls it api_key_; the wire name stays.
    assert "| `api_key` | `api_key_: str \\| None` |" in page
    # An object query parameter: JSON text in Python, its type documented in Types.
    assert (
        "| `session_settings` | `session_settings: str` | [`ConnectSessionSettings`](#connectsessionsettings) |" in page
    )
    assert "### ConnectSessionSettings" in page
    # ToolResponseMessage is sent and received: the second heading gets GitHub's "-1" anchor.
    assert "[ToolResponseMessage](#toolresponsemessage-1)" in page
    assert "ws.send_tool_response_message(ToolResponseMessage(...))" in page


# --- the names on the page are those of the generated client --------------------------------------


@pytest.mark.parametrize(
    "spec",
    [GOLDEN_CASES[c][0] for c in sorted(GOLDEN_CASES)] + [OPENAI, ELEVENLABS, HUME],
    ids=[*sorted(GOLDEN_CASES), "openai", "elevenlabs", "hume"],
)
def test_class_names_match_the_models_stage(spec: Path) -> None:
    """The docs name classes without generating models: the same names and kinds as the models stage."""
    from autosdk_py.asyncapi.lift import lift_inline_payloads
    from autosdk_py.models import generate_models

    if not spec.is_file():
        raise AssertionError(f"{spec} is missing: the real specs are expected in ../shared (see README)")
    api = parse(spec)
    names = model_names(api)
    synthetic, _ = lift_inline_payloads(api)
    models = generate_models(synthetic, package="x", source=spec)
    expected = {s: (c, models.classes[c].kind == "model") for s, c in models.class_for_schema.items()}
    computed = {s: (names.class_names[s], names.is_model(s)) for s in names.schemas}
    assert computed == expected


_CHECK = textwrap.dedent(
    """
    import inspect, json, sys
    facts = json.loads(sys.argv[1])
    exec(facts["imports"], globals())
    client = globals()[facts["client"]]
    connect = inspect.signature(client.connect).parameters
    for name in facts["connect"]:
        assert name in connect, ("connect() has no parameter", name)
    import importlib
    pkg = importlib.import_module(facts["package"])
    conn = getattr(pkg, facts["connection"])
    for method, annotation in facts["sends"]:
        params = list(inspect.signature(getattr(conn, method)).parameters.values())
        assert params[1].annotation == annotation, (method, params[1].annotation, annotation)
    models = importlib.import_module(facts["models"])
    for cls in facts["receives"]:
        assert isinstance(getattr(models, cls), type), cls
    import typing
    def flat(t):
        if typing.get_origin(t) is typing.Annotated:  # a tagged union: Annotated[A | B, Field(discriminator)]
            return flat(typing.get_args(t)[0])
        args = typing.get_args(t)
        return set().union(*(flat(a) for a in args)) if args else {t.__name__}
    members = flat(sys.modules[conn.__module__].ServerMessage)
    assert members == set(facts["receives"]), (members ^ set(facts["receives"]))
    print("ok")
    """
)


@pytest.mark.parametrize("name", sorted(REAL))
def test_page_names_match_the_generated_client(
    name: str, real_pages: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    path, page_name, _ = REAL[name]
    page = real_pages[name][page_name]
    generate(GenerateOptions(spec=path, output=tmp_path))
    quickstart = python_block(page, "## Python quick start")
    imports = "\n".join(line for line in quickstart.splitlines() if line.startswith("from "))
    client = re.search(r"with (\w+)\(", quickstart)
    assert client
    package = re.search(r"^from (\S+) import", quickstart, re.M)
    assert package
    send_calls = re.findall(r"```python\nws\.(send_\w+)\((\w+)\(\.\.\.\)\)\n```", page)
    receives = re.findall(r"Arrives from `ws\.recv\(\)` as `(\w+)`", page)
    connect = re.findall(r"^\| `[^`]+` \| `(\w+): ", page[page.index("## Handshake") : page.index("## Send")], re.M)
    assert (send_calls and receives and connect) or name == "elevenlabs"
    facts = {
        "imports": imports,
        "client": client.group(1),
        "package": package.group(1),
        "connection": client.group(1).replace("Client", "Connection"),
        "models": package.group(1) + ".models",
        "connect": connect,
        "sends": send_calls,
        "receives": sorted(set(receives)),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _CHECK, json.dumps(facts)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


# --- command line --------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_cli_writes_the_pages(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    keep = out / "guides"  # another tool's folder inside docs/ survives a rerun
    proc = run_cli("docs", str(ROOT / "examples" / "plants" / "asyncapi.yaml"), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [".autosdk-generated", "README.md", "plant_updates.md"]
    assert "Wrote 2 page(s)" in proc.stderr
    marker = json.loads((out / ".autosdk-generated").read_text())
    assert marker["pass"] == "docs"
    keep.mkdir()
    (keep / ".autosdk-generated").write_text('{"pass": "openapi"}\n')
    proc = run_cli("docs", str(ROOT / "examples" / "plants" / "asyncapi.yaml"), "-o", str(out), "-q")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert (keep / ".autosdk-generated").is_file()
    assert (out / "plant_updates.md").read_text() == (GOLDEN / "plants" / "plant_updates.md").read_text()


def test_cli_bad_spec_exits_1_with_the_error(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    bad = HERE / "asyncapi" / "specs" / "bad" / "dangling_local.yaml"
    proc = run_cli("docs", str(bad), "--output", str(out))
    assert proc.returncode == 1
    assert "dangling_local.yaml:" in proc.stderr and "error: dangling $ref" in proc.stderr
    assert "hint:" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    proc = run_cli("docs", str(ROOT / "examples" / "plants" / "openapi.yaml"), "--output", str(out))
    assert proc.returncode == 1
    assert "error: expected an asyncapi document, found openapi" in proc.stderr
    proc = run_cli("docs", str(tmp_path / "missing.yaml"), "--output", str(out))
    assert proc.returncode == 1 and "error: file not found" in proc.stderr


def test_cli_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.md").write_text("hand-written\n")
    proc = run_cli("docs", str(ROOT / "examples" / "plants" / "asyncapi.yaml"), "--output", str(out))
    assert proc.returncode == 1
    assert "refusing to replace" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["index.md"]
