"""Benchmark the generated realtime (pass 2) client against raw ``json`` and raw ``websockets`` baselines.

Run from the repository root (``make bench`` runs it too, after the pass-1 section of ``bench.py``)::

    .venv/bin/python benchmarks/bench_realtime.py [--openapi openapi.yaml] [--asyncapi asyncapi.json]
        [--events auto|openai|plants] [--quick] [--json .bench/realtime.json]

0. Once per run, into a temp dir, with the real pipeline: pass 1 on the OpenAPI document (``--namespace
   bench_oa``), then pass 2 on the AsyncAPI document (``types_namespace="bench_oa", generate_models=False``),
   giving ``bench_oa.realtime``, whose client imports pass 1's models. ``--sdk-dir`` reuses a tree instead.

   The server stream is built from the AsyncAPI document itself: for each event of the profile's mix (``--events``;
   OpenAI: mostly ``response.output_audio.delta`` with 6.6 KB and 0.6 KB base64 deltas, transcript and text deltas,
   ``response.created``/``done``, ``rate_limits.updated``, ``session.updated``...) the example of that event's
   payload schema is taken (``examples``, ``example`` or OpenAI's ``x-oaiMeta.example``) and given fresh ids and
   random content. Before anything is measured, every frame is decoded with the generated decoder and must come back
   as the class of its own tag (never ``UnknownMessage``), and every sent message must be built by its generated
   model and dump back to the raw dict.

1. decode: ``server_message_decoder().decode(frame)`` vs ``json.loads(frame)`` over the same frames, in a fresh child
   process; rounds alternate the two, a figure is the median per-event cost over the rounds (plus one per event type).
2. iterate: a server subprocess (127.0.0.1; websockets' sans-I/O ``ServerProtocol`` for the handshake, frames
   serialized once with ``websockets.frames`` and written with ``sendall``, so it never is the bottleneck) sends N
   frames as fast as it can, then closes (1000). Raw ``websockets.sync.client.connect`` iterating frames (the
   baseline) vs the generated ``RealtimeClient(...).connect(...)`` iterating typed messages; and likewise
   ``websockets.asyncio.client`` vs ``AsyncRealtimeClient``. Same transport settings on both sides (no compression,
   same max_size, pings, timeouts). Timed from the open connection to the end of the iteration.
3. send: building and sending each profile's client message, M times, to a sink that only reads: raw
   ``ws.send(json.dumps(dict(template)))`` vs ``conn.send_<message>(Model(**template))``; timed through ``close()``
   (so every frame has reached the sink).
4. imports: fresh ``python -c`` processes, bytecode compiled by an unmeasured warm-up round, rounds interleaved with a
   bare ``python -c pass`` (bench.py's method): ``import bench_oa.realtime``, the client, the client plus
   ``server_message_decoder()`` (the first-connect cost), and ``websockets.sync.client`` / ``pydantic`` for scale.

Throughput runs in child processes with the two sides of a ratio interleaved (ABBA), medians reported. The
table marks PASS/FAIL per target; the exit code is 0 unless something broke (``--fail-on-miss``: 3 when a target
is missed). Figures are written to ``.bench/realtime.json``.
"""

from __future__ import annotations

import argparse
import base64
import gc
import importlib
import inspect
import json
import os
import platform
import random
import re
import select
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from _common import (
    ROOT,
    ImportCase,
    child_env,
    emit_result,
    literal_assignment,
    log,
    measure_imports,
    median_of,
    render_imports,
    run_marked,
    summarize_imports,
)

SHARED_SPECS = ROOT.parent / "shared" / "specs"
DEFAULT_OPENAPI = SHARED_SPECS / "openai" / "openapi.yaml"
DEFAULT_ASYNCAPI = SHARED_SPECS / "openai" / "asyncapi.json"
DEFAULT_JSON = ROOT / ".bench" / "realtime.json"
NAMESPACE = "bench_oa"
TAG = "type"
MAX_SIZE = 16 * 2**20  # the generated client's default max_size; the raw clients get the same
SERVER_LIFETIME_S = 900.0  # the server subprocess exits on its own after this, whatever happens

# Targets (the issue's): decode <= 2.5x json.loads, sync iteration >= 0.45x raw websockets,
# send >= 0.8x raw json.dumps + send, import of the client <= 150 ms above a bare interpreter.
DECODE_MAX_RATIO = 2.5
ITERATE_MIN_RATIO = 0.45
SEND_MIN_RATIO = 0.8
IMPORT_MAX_MS = 150.0


# --- event mixes ----------------------------------------------------------------------------------------------

Tweak = Callable[[dict[str, Any], random.Random], None]  # edits a copy of the spec's example in place

_ID_CHARS = string.ascii_letters + string.digits
_WORDS = "sure I can help with that the weather today looks sunny and warm so a light jacket is enough".split()


def _random_id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice(_ID_CHARS) for _ in range(21))


def _audio(size: int) -> Tweak:
    """A base64 PCM16 delta of ``size`` raw bytes (4,950 bytes: 6.6 KB of base64, ~100 ms at 24 kHz)."""

    def tweak(event: dict[str, Any], rng: random.Random) -> None:
        event["delta"] = base64.b64encode(rng.randbytes(size)).decode("ascii")

    return tweak


def _words(low: int, high: int) -> Tweak:
    def tweak(event: dict[str, Any], rng: random.Random) -> None:
        event["delta"] = " " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))

    return tweak


def _append_audio(event: dict[str, Any], rng: random.Random) -> None:
    event.pop("event_id", None)
    event["audio"] = base64.b64encode(rng.randbytes(4800)).decode("ascii")  # 100 ms of 24 kHz PCM16


def _reading(event: dict[str, Any], rng: random.Random) -> None:
    event["kind"], event["unit"] = rng.choice([("moisture", "%"), ("temperature", "C"), ("light", "lux")])
    event["value"] = round(rng.uniform(0, 100), 1)


def _watering(event: dict[str, Any], rng: random.Random) -> None:
    event["duration_s"] = rng.randint(1, 600)


@dataclass(frozen=True)
class EventSpec:
    tag: str
    weight: int  # events of this kind per cycle of the mix
    label: str = ""  # tells two variants of one tag apart in the per-type table
    tweak: Tweak | None = None


@dataclass(frozen=True)
class SendSpec:
    tag: str
    tweak: Tweak | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    connect_kwargs: Mapping[str, Any]
    events: tuple[EventSpec, ...]
    sends: tuple[SendSpec, ...]

    @property
    def tags(self) -> set[str]:
        return {e.tag for e in self.events} | {s.tag for s in self.sends}


PROFILES = {
    "openai": Profile(
        name="openai",
        connect_kwargs={"model": "gpt-realtime"},
        events=(
            EventSpec("response.output_audio.delta", 6, "6.6 KB", _audio(4950)),
            EventSpec("response.output_audio.delta", 3, "0.6 KB", _audio(480)),
            EventSpec("response.output_audio_transcript.delta", 4, "", _words(1, 3)),
            EventSpec("response.output_text.delta", 2, "", _words(1, 3)),
            EventSpec("input_audio_buffer.speech_started", 1),
            EventSpec("conversation.item.added", 1),
            EventSpec("response.output_item.added", 1),
            EventSpec("response.created", 1),
            EventSpec("response.done", 1),
            EventSpec("rate_limits.updated", 1),
            EventSpec("session.updated", 1),
        ),
        sends=(SendSpec("input_audio_buffer.append", _append_audio), SendSpec("session.update")),
    ),
    "plants": Profile(
        name="plants",
        connect_kwargs={"plant_id": "plt_1"},
        events=(
            EventSpec("sensor_reading", 6, "", _reading),
            EventSpec("plant_status", 2),
            EventSpec("error", 1),
        ),
        sends=(SendSpec("watering_command", _watering),),
    ),
}


# --- frames from the AsyncAPI document ----------------------------------------------------------------------


def load_spec(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data: dict[str, Any] = json.loads(text)
        return data
    import yaml

    loaded: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return loaded


def _resolve(doc: Mapping[str, Any], node: Any) -> Any:
    for _ in range(32):  # $ref chains are short; a cycle must not hang the benchmark
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    raise SystemExit("$ref chain too long in the AsyncAPI document")


def _lenient_json(text: str) -> Any:
    """OpenAI's ``x-oaiMeta.example`` strings are JSON with the odd trailing comma."""
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


def _tag_of_schema(schema: Mapping[str, Any]) -> str | None:
    prop = (schema.get("properties") or {}).get(TAG)
    if not isinstance(prop, Mapping):
        return None
    if isinstance(prop.get("const"), str):
        return str(prop["const"])
    enum = prop.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
        return enum[0]
    return None


def spec_examples(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``tag -> example payload`` for every message of the document whose payload has a constant tag."""
    found: dict[str, dict[str, Any]] = {}
    for message in ((doc.get("components") or {}).get("messages") or {}).values():
        message = _resolve(doc, message)
        schema = _resolve(doc, message.get("payload"))
        if not isinstance(schema, Mapping):
            continue
        tag = _tag_of_schema(schema)
        if tag is None or tag in found:
            continue
        candidates: list[Any] = list(schema.get("examples") or [])
        if "example" in schema:
            candidates.append(schema["example"])
        meta = (schema.get("x-oaiMeta") or {}).get("example")
        if isinstance(meta, str):
            candidates.append(meta)
        candidates += [e.get("payload") for e in message.get("examples") or [] if isinstance(e, Mapping)]
        for candidate in candidates:
            try:
                example = _lenient_json(candidate) if isinstance(candidate, str) else candidate
            except ValueError:
                continue
            if isinstance(example, dict) and example.get(TAG) == tag:
                found[tag] = example
                break
    return found


def match_profile(name: str, doc: Mapping[str, Any]) -> Profile | None:
    """The profile called ``name``, or with ``auto`` the first whose messages all have examples in ``doc``."""
    if name != "auto":
        return PROFILES[name]
    tags = set(spec_examples(doc))
    return next((profile for profile in PROFILES.values() if profile.tags <= tags), None)


def event_label(spec: EventSpec) -> str:
    return f"{spec.tag} ({spec.label})" if spec.label else spec.tag


def build_frames(profile: Profile, doc: Mapping[str, Any], cycles: int, seed: int = 7) -> list[tuple[str, str]]:
    """``cycles`` shuffled cycles of the profile's mix: ``(label, frame text)``, each event with fresh content."""
    examples = spec_examples(doc)
    missing = sorted({e.tag for e in profile.events} - set(examples))
    if missing:
        raise SystemExit(f"the AsyncAPI document has no example payload for: {', '.join(missing)}")
    rng = random.Random(seed)
    frames: list[tuple[str, str]] = []
    for _ in range(cycles):
        cycle: list[tuple[str, str]] = []
        for spec in profile.events:
            for _ in range(spec.weight):
                event = json.loads(json.dumps(examples[spec.tag]))
                if "event_id" in event:
                    event["event_id"] = _random_id(rng, "event_")
                if spec.tweak is not None:
                    spec.tweak(event, rng)
                cycle.append((event_label(spec), json.dumps(event, separators=(",", ":"))))
        rng.shuffle(cycle)
        frames += cycle
    return frames


def build_sends(
    profile: Profile, doc: Mapping[str, Any], variants: int, seed: int = 11
) -> dict[str, list[dict[str, Any]]]:
    """``tag -> variants`` of each client message to send (the spec's example, tweaked)."""
    examples = spec_examples(doc)
    rng = random.Random(seed)
    sends: dict[str, list[dict[str, Any]]] = {}
    for spec in profile.sends:
        if spec.tag not in examples:
            raise SystemExit(f"the AsyncAPI document has no example payload for the client message {spec.tag}")
        sends[spec.tag] = []
        for _ in range(variants):
            message = json.loads(json.dumps(examples[spec.tag]))
            if spec.tweak is not None:
                spec.tweak(message, rng)
            sends[spec.tag].append(message)
    return sends


# --- the generated package ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealtimeTargets:
    output: str  # the folder holding the packages (sys.path entry)
    package: str  # bench_oa.realtime
    types_package: str  # bench_oa
    client: str  # RealtimeClient
    async_client: str | None
    channel_module: str  # bench_oa.realtime._client


def generate_sdk(openapi: Path, asyncapi: Path, output: Path, namespace: str) -> dict[str, float]:
    from autosdk_py.pipeline import GenerateOptions, generate

    started = time.perf_counter()
    generate(GenerateOptions(spec=openapi, output=output, namespace=namespace))
    middle = time.perf_counter()
    result = generate(GenerateOptions(spec=asyncapi, output=output, types_namespace=namespace, generate_models=False))
    done = time.perf_counter()
    for note in result.notes:
        log(f"  pass 2: {note}")
    return {"pass 1": middle - started, "pass 2": done - middle}


def derive_realtime_targets(output: Path, namespace: str) -> RealtimeTargets:
    package = f"{namespace}.realtime"
    init = output / namespace / "realtime" / "__init__.py"
    if not init.is_file():
        raise SystemExit(f"{init} not found: pass 2 did not write {package}")
    import ast

    exports: dict[str, tuple[str, str]] = literal_assignment(ast.parse(init.read_text(encoding="utf-8")), "_EXPORTS")
    clients = [name for name in exports if name.endswith("Client") and not name.startswith("Async")]
    if not clients:
        raise SystemExit(f"{package} exports no client class")
    client = clients[0]
    module = exports[client][0]
    return RealtimeTargets(
        output=str(output),
        package=package,
        types_package=namespace,
        client=client,
        async_client=f"Async{client}" if f"Async{client}" in exports else None,
        channel_module=package + module if module.startswith(".") else module,
    )


def import_generated(targets: RealtimeTargets) -> tuple[Any, Any, Any]:
    """(the channel module, the realtime package, the models module) of the generated SDK."""
    sys.path.insert(0, targets.output)
    channel = importlib.import_module(targets.channel_module)
    return channel, importlib.import_module(targets.package), importlib.import_module(f"{targets.types_package}.models")


def send_model_class(connection_class: type, method: str, models: Any) -> Any:
    """The message model a generated ``send_<message>`` method takes (its annotation names a pass-1 model)."""
    annotation = inspect.signature(getattr(connection_class, method)).parameters["message"].annotation
    name = annotation if isinstance(annotation, str) else annotation.__name__
    return getattr(models, name)


def send_method_name(tag: str) -> str:
    return "send_" + re.sub(r"[^0-9a-zA-Z]+", "_", tag).strip("_").lower()


# --- children ---------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """Everything a child needs, written once by the parent as JSON."""

    targets: dict[str, Any]
    profile: str
    frames: list[tuple[str, str]]
    labels: list[str]  # the event labels in the profile's order
    sends: dict[str, list[dict[str, Any]]]
    rounds: int
    sample_s: float
    frames_per_connection: int
    sends_per_connection: int
    ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Plan:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["frames"] = [tuple(pair) for pair in data["frames"]]
        return cls(**data)

    @property
    def realtime(self) -> RealtimeTargets:
        return RealtimeTargets(**self.targets)


def _time_loop(function: Callable[[Any], object], frames: Sequence[str], reps: int) -> float:
    """Seconds per call of ``function`` over ``frames``, ``reps`` times through."""
    start = time.perf_counter()
    for _ in range(reps):
        for frame in frames:
            function(frame)
    return (time.perf_counter() - start) / (reps * len(frames))


def _interleaved(sides: Mapping[str, Callable[[], float]], rounds: int, warmup: bool = True) -> dict[str, list[float]]:
    """Each side once per round, order reversed every other round (ABBA...); one unmeasured warm-up round."""
    names = list(sides)
    if warmup:
        for name in names:
            sides[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            samples[name].append(sides[name]())
    return samples


def check_frames(decoder: Any, unknown_class: type, frames: Sequence[tuple[str, str]]) -> None:
    """Every frame must decode to the class of its own tag: the stream is valid for the generated union."""
    failures = []
    for label, frame in frames:
        tag = json.loads(frame)[TAG]
        message = decoder.decode(frame)
        if isinstance(message, unknown_class) or decoder.tag_of(message) != tag:
            failures.append(f"{label}: {getattr(message, 'error', None) or type(message).__name__}"[:800])
    if failures:
        raise SystemExit(f"{len(failures)} of {len(frames)} frames do not validate:\n" + "\n".join(failures[:5]))


def child_decode(plan: Plan) -> dict[str, Any]:
    channel, package, _ = import_generated(plan.realtime)
    started = time.perf_counter()
    try:
        decoder = channel.server_message_decoder()
    except Exception as exc:  # a generator bug: every connect() would fail the same way
        raise SystemExit(
            f"the generated {plan.realtime.channel_module}.server_message_decoder() fails: {exc!r}"
        ) from exc
    build_ms = (time.perf_counter() - started) * 1000
    check_frames(decoder, package.UnknownMessage, plan.frames)
    frames = [frame for _, frame in plan.frames]
    decode, loads = decoder.decode, json.loads

    def measure(group: Sequence[str], sample_s: float) -> dict[str, Any]:
        per_call = _time_loop(decode, group, 1)
        reps = max(1, round(sample_s / (per_call * len(group))))
        samples = _interleaved(
            {"json_loads": lambda: _time_loop(loads, group, reps), "decode": lambda: _time_loop(decode, group, reps)},
            plan.rounds,
        )
        loads_us = median_of(samples["json_loads"]) * 1e6
        decode_us = median_of(samples["decode"]) * 1e6
        return {
            "json_loads_us": loads_us,
            "decode_us": decode_us,
            "ratio": decode_us / loads_us,
            "mean_bytes": sum(len(f.encode()) for f in group) / len(group),
            "count": len(group),
            "reps": reps,
            "samples_us": {k: [v * 1e6 for v in vs] for k, vs in samples.items()},
        }

    overall = measure(frames, plan.sample_s)
    by_label: dict[str, Any] = {}
    for label in sorted(dict.fromkeys(label for label, _ in plan.frames), key=plan.labels.index):
        group = [frame for other, frame in plan.frames if other == label]
        by_label[label] = measure(group, plan.sample_s / 4)
        by_label[label].pop("samples_us")
    return overall | {"decoder_build_ms": build_ms, "by_type": by_label}


def _raw_sync_iterate(url: str) -> tuple[int, float]:
    from websockets.sync.client import connect

    with connect(url, compression=None, max_size=MAX_SIZE, close_timeout=5) as ws:
        count = 0
        started = time.perf_counter()
        for _frame in ws:
            count += 1
        return count, time.perf_counter() - started


def _raw_async_iterate(url: str) -> tuple[int, float]:
    import asyncio

    from websockets.asyncio.client import connect

    async def run() -> tuple[int, float]:
        async with connect(url, compression=None, max_size=MAX_SIZE, close_timeout=5) as ws:
            count = 0
            started = time.perf_counter()
            async for _frame in ws:
                count += 1
            return count, time.perf_counter() - started

    return asyncio.run(run())


def child_iterate(plan: Plan) -> dict[str, Any]:
    import asyncio

    channel, package, _ = import_generated(plan.realtime)
    n = plan.frames_per_connection
    base_url = f"ws://127.0.0.1:{plan.ports['stream']}"
    connect_kwargs = dict(PROFILES[plan.profile].connect_kwargs)
    raw_url = f"{base_url}/v1/realtime?n={n}"
    client = getattr(channel, plan.realtime.client)("bench-key", base_url=base_url)
    async_client_class = getattr(channel, plan.realtime.async_client) if plan.realtime.async_client else None

    # Unmeasured: every received message is a typed message, none is UnknownMessage.
    with client.connect(**connect_kwargs, extra_query={"n": min(n, 2 * len(plan.frames))}) as conn:
        received = list(conn)
    unknown = [m for m in received if isinstance(m, package.UnknownMessage)]
    if unknown or not received:
        raise SystemExit(f"{len(unknown)} of {len(received)} streamed messages were not decoded: {unknown[:1]}")

    def generated_sync() -> tuple[int, float]:
        with client.connect(**connect_kwargs, extra_query={"n": n}) as conn:
            count = 0
            started = time.perf_counter()
            for _message in conn:
                count += 1
            return count, time.perf_counter() - started

    def generated_async() -> tuple[int, float]:
        async def run() -> tuple[int, float]:
            assert async_client_class is not None
            async with async_client_class("bench-key", base_url=base_url).connect(
                **connect_kwargs, extra_query={"n": n}
            ) as conn:
                count = 0
                started = time.perf_counter()
                async for _message in conn:
                    count += 1
                return count, time.perf_counter() - started

        return asyncio.run(run())

    def rate(run: Callable[[], tuple[int, float]]) -> Callable[[], float]:
        def measured() -> float:
            count, seconds = run()
            if count != n:
                raise SystemExit(f"received {count} messages, expected {n}")
            return count / seconds

        return measured

    modes: dict[str, dict[str, Callable[[], float]]] = {
        "sync": {"raw": rate(lambda: _raw_sync_iterate(raw_url)), "autosdk": rate(generated_sync)},
    }
    if async_client_class is not None:
        modes["async"] = {"raw": rate(lambda: _raw_async_iterate(raw_url)), "autosdk": rate(generated_async)}
    sides = {f"{mode}/{side}": run for mode, runs in modes.items() for side, run in runs.items()}
    samples = _interleaved(sides, plan.rounds)
    result: dict[str, Any] = {"frames_per_connection": n}
    for mode in modes:
        raw, ours = samples[f"{mode}/raw"], samples[f"{mode}/autosdk"]
        result[mode] = {
            "raw_msgs_per_s": median_of(raw),
            "autosdk_msgs_per_s": median_of(ours),
            "ratio": median_of(ours) / median_of(raw),
            "raw_samples": raw,
            "autosdk_samples": ours,
        }
    return result


def child_send(plan: Plan) -> dict[str, Any]:
    from websockets.sync.client import connect

    channel, _, models = import_generated(plan.realtime)
    m = plan.sends_per_connection
    base_url = f"ws://127.0.0.1:{plan.ports['sink']}"
    connect_kwargs = dict(PROFILES[plan.profile].connect_kwargs)
    client = getattr(channel, plan.realtime.client)("bench-key", base_url=base_url)
    connection_class = channel.RealtimeConnection
    result: dict[str, Any] = {"sends_per_connection": m, "cases": {}}
    for tag, templates in plan.sends.items():
        method = send_method_name(tag)
        if not hasattr(connection_class, method):
            raise SystemExit(f"the generated connection has no {method}() for {tag}")
        model_class = send_model_class(connection_class, method, models)
        for template in templates:  # the typed path must send what the raw path sends
            dumped = json.loads(model_class(**template).model_dump_json(by_alias=True, exclude_unset=True))
            if dumped != template:
                raise SystemExit(f"{model_class.__name__}(**template) dumps differently:\n{dumped}\n!=\n{template}")
        variants = len(templates)

        def raw(templates: list[dict[str, Any]] = templates) -> float:
            with connect(base_url + "/v1/realtime", compression=None, max_size=MAX_SIZE, close_timeout=5) as ws:
                started = time.perf_counter()
                for index in range(m):
                    ws.send(json.dumps(dict(templates[index % len(templates)])))
            return m / (time.perf_counter() - started)

        def generated(
            templates: list[dict[str, Any]] = templates, method: str = method, cls: Any = model_class
        ) -> float:
            conn = client.connect(**connect_kwargs)
            with conn:
                send = getattr(conn, method)
                started = time.perf_counter()
                for index in range(m):
                    send(cls(**templates[index % len(templates)]))
            return m / (time.perf_counter() - started)

        def generated_prebuilt(
            templates: list[dict[str, Any]] = templates, method: str = method, cls: Any = model_class
        ) -> float:
            # The same message objects sent again, as the raw side sends the same dicts: the send
            # path alone (encode + frame), without the caller's cost of building a model.
            built = [cls(**template) for template in templates]
            conn = client.connect(**connect_kwargs)
            with conn:
                send = getattr(conn, method)
                started = time.perf_counter()
                for index in range(m):
                    send(built[index % len(built)])
            return m / (time.perf_counter() - started)

        samples = _interleaved({"raw": raw, "autosdk": generated_prebuilt, "autosdk_built": generated}, plan.rounds)
        result["cases"][tag] = {
            "method": method,
            "model": model_class.__name__,
            "frame_bytes": sum(len(json.dumps(t).encode()) for t in templates) / variants,
            "raw_msgs_per_s": median_of(samples["raw"]),
            "autosdk_msgs_per_s": median_of(samples["autosdk"]),
            "ratio": median_of(samples["autosdk"]) / median_of(samples["raw"]),
            "autosdk_built_msgs_per_s": median_of(samples["autosdk_built"]),
            "built_ratio": median_of(samples["autosdk_built"]) / median_of(samples["raw"]),
            "raw_samples": samples["raw"],
            "autosdk_samples": samples["autosdk"],
            "autosdk_built_samples": samples["autosdk_built"],
        }
    return result


# --- the loopback server (its own process) ------------------------------------------------------------------


def _handshake(sock: socket.socket) -> str | None:
    """Accept the opening handshake with websockets' sans-I/O protocol; the request path, or None."""
    from websockets.http11 import Request
    from websockets.server import ServerProtocol

    protocol = ServerProtocol(max_size=MAX_SIZE)
    while True:
        data = sock.recv(65536)
        if not data:
            return None
        protocol.receive_data(data)
        events = protocol.events_received()
        if events:
            break
    request = events[0]
    if not isinstance(request, Request):
        return None
    response = protocol.accept(request)
    protocol.send_response(response)
    for chunk in protocol.data_to_send():
        sock.sendall(chunk)
    return request.path if response.status_code == 101 else None


def _close_frame() -> bytes:
    from websockets.frames import Close, CloseCode, Frame, Opcode

    return Frame(Opcode.CLOSE, Close(CloseCode.NORMAL_CLOSURE, "").serialize()).serialize(mask=False)


def _read_until_close(sock: socket.socket, reply: bytes | None) -> int:
    """Skip the client's frames (headers only, payloads unread) until its close frame; ``reply`` then."""
    buffer = bytearray()
    frames = 0
    while True:
        pos = 0
        while len(buffer) - pos >= 2:
            second = buffer[pos + 1]
            length, offset = second & 0x7F, 2
            if length == 126:
                if len(buffer) - pos < 4:
                    break
                length, offset = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if len(buffer) - pos < 10:
                    break
                length, offset = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            offset += 4 if second & 0x80 else 0
            if len(buffer) - pos < offset + length:
                break
            opcode = buffer[pos] & 0x0F
            pos += offset + length
            frames += 1
            if opcode == 0x8:
                if reply is not None:
                    sock.sendall(reply)
                return frames
        del buffer[:pos]
        chunk = sock.recv(1 << 20)
        if not chunk:
            return frames
        buffer += chunk


def _serve_connection(sock: socket.socket, mode: str, encoded: Sequence[bytes]) -> None:
    close = _close_frame()
    try:
        sock.settimeout(60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        path = _handshake(sock)
        if path is None:
            return
        if mode == "sink":
            _read_until_close(sock, close)  # the client closes; echo its close
            return
        n = int(parse_qs(urlsplit(path).query).get("n", ["1000"])[0])
        cycle = b"".join(encoded)
        whole, rest = divmod(n, len(encoded))
        for _ in range(whole):
            sock.sendall(cycle)
        sock.sendall(b"".join(encoded[:rest]) + close)
        _read_until_close(sock, None)  # the client's answer to our close
    except OSError:
        pass
    finally:
        sock.close()


def child_server(plan: Plan) -> int:
    from websockets.frames import Frame, Opcode

    encoded = [Frame(Opcode.TEXT, frame.encode()).serialize(mask=False) for _, frame in plan.frames]
    ports: dict[str, int] = {}
    for mode in ("stream", "sink"):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        ports[mode] = listener.getsockname()[1]

        def accept(listener: socket.socket = listener, mode: str = mode) -> None:
            while True:
                conn, _ = listener.accept()
                threading.Thread(target=_serve_connection, args=(conn, mode, encoded), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
    threading.Timer(SERVER_LIFETIME_S, os._exit, args=(0,)).start()
    print("PORTS " + json.dumps(ports), flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    os._exit(0)


class Server:
    """The server subprocess: started with the plan, stopped (stdin closed, then waited for) at the end."""

    def __init__(self, plan_path: Path) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "server", "--plan", str(plan_path)]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("PORTS "):
            self.stop()
            raise SystemExit(f"the benchmark server did not start (got {line!r})")
        self.ports: dict[str, int] = json.loads(line[len("PORTS ") :])

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def run_as_child(kind: str, plan_path: Path) -> int:
    plan = Plan.read(plan_path)
    if kind == "server":
        return child_server(plan)
    gc.collect()
    figures = {"decode": child_decode, "iterate": child_iterate, "send": child_send}[kind](plan)
    emit_result(figures)
    return 0


def spawn(kind: str, plan_path: Path, timeout: float) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--plan", str(plan_path)]
    _, figures = run_marked(command, f"realtime {kind}", timeout=timeout)
    return figures


# --- imports ------------------------------------------------------------------------------------------------------


def realtime_import_cases(t: RealtimeTargets) -> list[ImportCase]:
    first_connect = f"from {t.channel_module} import server_message_decoder\nserver_message_decoder()"
    return [
        ImportCase("package", f"import {t.package}", f"import {t.package}"),
        ImportCase("client", f"from {t.package} import {t.client}", f"from {t.package} import {t.client}"),
        ImportCase(
            "first_connect",
            f"{t.client} + server_message_decoder() (first connect)",
            f"from {t.package} import {t.client}\n{first_connect}",
        ),
        ImportCase("websockets", "import websockets.sync.client", "import websockets.sync.client"),
        ImportCase("websockets_asyncio", "import websockets.asyncio.client", "import websockets.asyncio.client"),
        ImportCase("pydantic", "import pydantic", "import pydantic"),
    ]


# --- report ---------------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    key: str
    label: str
    unit: str
    value: float
    baseline: float
    baseline_label: str
    ratio: float | None
    target: str  # "<= 2.5x", ">= 0.45x", "<= 150 ms" or "" (no target: for scale)
    passed: bool | None


def verdicts(report: Mapping[str, Any]) -> list[Verdict]:
    rows: list[Verdict] = []
    decode = report["decode"]
    ratio = decode["ratio"]
    rows.append(
        Verdict(
            key="decode",
            label="decode per event",
            unit="us",
            value=decode["decode_us"],
            baseline=decode["json_loads_us"],
            baseline_label="json.loads(frame)",
            ratio=ratio,
            target=f"<= {DECODE_MAX_RATIO}x",
            passed=ratio <= DECODE_MAX_RATIO,
        )
    )
    for mode, raw_label, has_target in (("sync", "websockets.sync", True), ("async", "websockets.asyncio", False)):
        if mode not in report["iterate"]:
            continue
        figures = report["iterate"][mode]
        ratio = figures["ratio"]
        rows.append(
            Verdict(
                key=f"iterate_{mode}",
                label=f"{mode} iteration, typed",
                unit="msg/s",
                value=figures["autosdk_msgs_per_s"],
                baseline=figures["raw_msgs_per_s"],
                baseline_label=f"raw {raw_label} frames",
                ratio=ratio,
                target=f">= {ITERATE_MIN_RATIO}x" if has_target else "",
                passed=ratio >= ITERATE_MIN_RATIO if has_target else None,
            )
        )
    for tag, figures in report["send"]["cases"].items():
        ratio = figures["ratio"]
        rows.append(
            Verdict(
                key=f"send_{tag}",
                label=f"send {tag}",
                unit="msg/s",
                value=figures["autosdk_msgs_per_s"],
                baseline=figures["raw_msgs_per_s"],
                baseline_label="json.dumps(dict) + ws.send",
                ratio=ratio,
                target=f">= {SEND_MIN_RATIO}x",
                passed=ratio >= SEND_MIN_RATIO,
            )
        )
        rows.append(
            Verdict(
                key=f"build_send_{tag}",
                label=f"  build the model + send {tag}",
                unit="msg/s",
                value=figures["autosdk_built_msgs_per_s"],
                baseline=figures["raw_msgs_per_s"],
                baseline_label="json.dumps(dict) + ws.send",
                ratio=figures["built_ratio"],
                target="",
                passed=None,
            )
        )
    imports = report["imports"]
    client = report["client"]
    for key, label, has_target in (
        ("client", f"import {client}", True),
        ("first_connect", f"import {client} + server_message_decoder()", False),
        ("package", f"import {report['package']} (lazy)", False),
    ):
        above = imports["cases"][key]["wall_ms_above_bare"]
        rows.append(
            Verdict(
                key=f"import_{key}",
                label=label,
                unit="ms",
                value=above,
                baseline=imports["bare_wall_ms"],
                baseline_label="bare python (value is above it)",
                ratio=None,
                target=f"<= {IMPORT_MAX_MS:.0f} ms" if has_target else "",
                passed=above <= IMPORT_MAX_MS if has_target else None,
            )
        )
    return rows


def _number(value: float, unit: str) -> str:
    if unit == "msg/s":
        return f"{value:,.0f}"
    if unit == "us":
        return f"{value:.2f}"
    return f"{value:.0f}"


def render(report: Mapping[str, Any]) -> str:
    frames = report["frames"]
    decode = report["decode"]
    lines = [
        f"realtime client {report['package']} ({Path(report['asyncapi']).name}, '{report['profile']}' events):"
        f" {frames['count']} frames of {frames['types']} event types, mean {frames['mean_bytes'] / 1000:.1f} KB;"
        f" medians of {report['rounds']} interleaved rounds",
    ]
    width = max(len(f"{row['label']} ({row['unit']})") for row in report["verdicts"]) + 2
    header = f"{'measure':{width}}{'autosdk':>10}{'baseline':>10}  {'baseline is':30}{'ratio':>7}  {'target':10}result"
    lines += [header, "-" * len(header)]
    for row in report["verdicts"]:
        label = f"{row['label']} ({row['unit']})"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
        result = {True: "PASS", False: "FAIL", None: "-"}[row["passed"]]
        lines.append(
            f"{label:{width}}{_number(row['value'], row['unit']):>10}{_number(row['baseline'], row['unit']):>10}"
            f"  {row['baseline_label']:30}{ratio:>7}  {row['target'] or '-':10}{result}"
        )
    missed = [row["label"] for row in report["verdicts"] if row["passed"] is False]
    lines.append(f"targets: {'all met' if not missed else 'MISSED: ' + '; '.join(missed)}")
    lines += ["", f"decode per event type (us, median; decoder built in {decode['decoder_build_ms']:.0f} ms)"]
    lines.append(f"  {'event':58}{'n':>4}{'bytes':>8}{'json.loads':>12}{'decode':>9}{'ratio':>8}")
    for label, figures in decode["by_type"].items():
        lines.append(
            f"  {label:58}{figures['count']:>4}{figures['mean_bytes']:>8.0f}{figures['json_loads_us']:>12.2f}"
            f"{figures['decode_us']:>9.2f}{figures['ratio']:>7.2f}x"
        )
    iterate, send = report["iterate"], report["send"]
    lines.append(
        f"iteration: {iterate['frames_per_connection']:,} frames per connection;"
        f" send: {send['sends_per_connection']:,} messages per connection ("
        + ", ".join(f"{tag} {c['frame_bytes'] / 1000:.1f} KB" for tag, c in send["cases"].items())
        + ")"
    )
    lines.append("")
    lines += render_imports(report["imports"], report["import_repeats"])
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------------------


def add_arguments(parser: argparse._ActionsContainer) -> None:
    """The options of the realtime section (bench.py adds them to its own)."""
    parser.add_argument("--events", default="auto", choices=("auto", *PROFILES), help="event mix (default: auto)")
    parser.add_argument(
        "--sdk-dir", type=Path, help=f"reuse this output folder holding {NAMESPACE} and {NAMESPACE}.realtime"
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds per throughput figure (default 7, --quick 3)")
    parser.add_argument("--frames", type=int, help="frames per streamed connection (default 50000, --quick 10000)")
    parser.add_argument("--sends", type=int, help="messages per send connection (default 20000, --quick 5000)")
    parser.add_argument("--realtime-import-runs", type=int, help="runs per import case (default 7, --quick 3)")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 3 when a target is missed")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--openapi", type=Path, default=DEFAULT_OPENAPI)
    parser.add_argument("--asyncapi", type=Path, default=DEFAULT_ASYNCAPI)
    parser.add_argument("--quick", action="store_true", help="fewer and shorter rounds (CI)")
    parser.add_argument(
        "--json",
        dest="realtime_json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"where to write the figures ({DEFAULT_JSON})",
    )
    add_arguments(parser)
    parser.add_argument("--child", choices=("decode", "iterate", "send", "server"), help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, openapi: Path, asyncapi: Path, workdir: Path) -> dict[str, Any]:
    """The realtime section: generate (or reuse), check the streams, measure; the report (see ``render``)."""
    started = time.perf_counter()
    quick = bool(args.quick)
    rounds = args.rounds or (3 if quick else 7)
    import_runs = args.realtime_import_runs or (3 if quick else 7)
    doc = load_spec(asyncapi)
    profile = match_profile(args.events, doc)
    if profile is None:
        raise SystemExit(f"no event profile matches {asyncapi.name}; pass --events ({', '.join(PROFILES)})")
    if args.sdk_dir is not None:
        output, generate_s = args.sdk_dir.resolve(), {}
        log(f"realtime: reusing {output}")
    else:
        output = workdir / "sdk"
        log(f"realtime: generating {NAMESPACE} from {openapi.name} and {NAMESPACE}.realtime from {asyncapi.name}")
        generate_s = generate_sdk(openapi, asyncapi, output, NAMESPACE)
    targets = derive_realtime_targets(output, NAMESPACE)
    frames = build_frames(profile, doc, cycles=10)
    plan = Plan(
        targets=asdict(targets),
        profile=profile.name,
        frames=frames,
        labels=[event_label(spec) for spec in profile.events],
        sends=build_sends(profile, doc, variants=8),
        rounds=rounds,
        sample_s=0.05 if quick else 0.15,
        frames_per_connection=args.frames or (10000 if quick else 50000),
        sends_per_connection=args.sends or (5000 if quick else 20000),
    )
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan.__dict__), encoding="utf-8")

    log(f"realtime: decode cost, {len(frames)} frames ({rounds} rounds)")
    decode = spawn("decode", plan_path, timeout=300)
    server = Server(plan_path)
    try:
        plan.ports = server.ports
        plan_path.write_text(json.dumps(plan.__dict__), encoding="utf-8")
        log(f"realtime: iteration over loopback, {plan.frames_per_connection:,} frames per connection")
        iterate = spawn("iterate", plan_path, timeout=600)
        log(f"realtime: sends, {plan.sends_per_connection:,} per connection")
        send = spawn("send", plan_path, timeout=600)
    finally:
        server.stop()
    log(f"realtime: import times in {output} ({import_runs} run(s) per case, after a warm-up)")
    cases = realtime_import_cases(targets)
    bare, samples = measure_imports(cases, output, import_runs)

    labels = [label for label, _ in frames]
    report: dict[str, Any] = {
        "openapi": str(openapi),
        "asyncapi": str(asyncapi),
        "profile": profile.name,
        "package": targets.package,
        "client": targets.client,
        "quick": quick,
        "rounds": rounds,
        "import_repeats": import_runs,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "generate_s": generate_s,
        "frames": {
            "count": len(frames),
            "types": len({json.loads(frame)[TAG] for _, frame in frames}),
            "mean_bytes": sum(len(frame.encode()) for _, frame in frames) / len(frames),
            "by_type": {label: labels.count(label) for label in dict.fromkeys(labels)},
        },
        "decode": decode,
        "iterate": iterate,
        "send": send,
        "imports": summarize_imports(cases, bare, samples),
    }
    report["verdicts"] = [row.__dict__ for row in verdicts(report)]
    report["all_targets_met"] = all(row["passed"] is not False for row in report["verdicts"])
    report["bench_wall_s"] = time.perf_counter() - started
    return report


def write_report(report: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log(f"realtime figures written to {path} (the realtime part took {report['bench_wall_s']:.0f} s)")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_as_child(args.child, args.plan)
    openapi, asyncapi = args.openapi.resolve(), args.asyncapi.resolve()
    for path in (openapi, asyncapi):
        if not path.is_file():
            raise SystemExit(f"spec not found: {path}")
    with tempfile.TemporaryDirectory(prefix="autosdk-bench-rt-") as tmp:
        report = benchmark(args, openapi, asyncapi, Path(tmp))
    print(render(report))
    write_report(report, args.realtime_json)
    return 3 if args.fail_on_miss and not report["all_targets_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
