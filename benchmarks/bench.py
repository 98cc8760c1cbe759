"""Benchmark autosdk-py pass 1 against datamodel-code-generator alone, and the import times of the generated SDK.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/bench.py --spec ../shared/specs/openai/openapi.yaml [--quick] [--runs N] [--json PATH]

It prints a table and writes the same figures to ``.bench/results.json``. Every measurement runs in a
fresh subprocess (this script re-invoked with the hidden ``--child`` option, or ``python -c``), so a
process's peak memory is its own ``getrusage(RUSAGE_SELF).ru_maxrss`` and no import or parse cache carries
over from one run to the next. The machine is shared and noisy: runs are interleaved so that the two sides
of a ratio share the noise, and medians are reported.

1. Pass 1 versus the generator alone (N runs of each, N=3, 1 with --quick; rounds in ABBA order).

   * baseline, "datamodel-code-generator": the child imports ``autosdk_py.models.codegen`` (about 50 ms;
     it holds the option set), reads the spec and parses it with PyYAML's C loader (``json.loads`` for
     JSON), the loader autosdk uses, then calls ``autosdk_py.models.codegen.run_generator`` on that RAW
     document. That is exactly ``datamodel_code_generator.generate(document, emit_model_metadata=<tmp
     file>, **generator_options())``: pydantic v2 models, a single module of code returned in memory, no
     formatter, warnings silenced -- the very call pass 1 makes, without anything pass 1 adds around it.
   * "autosdk pass 1": ``autosdk_py.pipeline.generate(GenerateOptions(spec=..., output=<fresh temp dir>,
     namespace="bench_sdk"))``: load, check $refs, lift inline schemas, normalize, the same generator call
     on the normalized document, split into modules, ruff format, build the client, write the files.

   Columns: "wall" is the subprocess's wall time seen from here (interpreter start, imports, work, exit);
   "in-process" is measured inside the child from before its first autosdk/datamodel-code-generator import
   to the end of the work; "peak RSS" is the child's ``ru_maxrss``. The per-step timings are pass 1's
   ``GenerateResult.timings``, the spec load (timed by wrapping ``pipeline.load_document``) and the models
   stage's own ``ModelsOutput.timings`` (caught by wrapping ``autosdk_py.models.generate_models``).

2. Import times of the package written by the first pass-1 run. Each case is one ``python -c`` subprocess
   (cwd = the output folder), run K times (K=7, 3 with --quick) after one unmeasured warm-up round that
   writes the ``__pycache__`` files (so the figures are those of an installed SDK: bytecode cached,
   interpreter cold). Rounds interleave all cases with a bare ``python -c pass``; a case's figure is the
   median wall time minus the bare interpreter's median. The child also times the statement itself with
   ``time.perf_counter`` (less noisy; printed beside it).

3. The realtime section (``bench_realtime.py``, see its docstring), when an AsyncAPI document sits beside
   ``--spec`` (``asyncapi.json``/``.yaml``, as in ../shared/specs/openai) or ``--asyncapi`` names one: pass 2's
   client decoding, iterating and sending over loopback against raw ``json``/``websockets``, and its import
   times, with PASS/FAIL per target; figures in ``.bench/realtime.json``. ``--no-realtime`` skips it.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import resource
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import bench_realtime
from _common import (
    ROOT,
    ImportCase,
    emit_result,
    literal_assignment,
    log,
    measure_imports,
    median_of,
    render_imports,
    run_marked,
    summarize_imports,
)

DEFAULT_JSON = ROOT / ".bench" / "results.json"
NAMESPACE = "bench_sdk"
PREFERRED_MODEL = "CreateChatCompletionRequest"
PREFERRED_RESOURCE = "chat"
BASELINE, PASS1 = "baseline", "pass1"
ASYNCAPI_NAMES = ("asyncapi.json", "asyncapi.yaml", "asyncapi.yml")
LABELS = {BASELINE: "datamodel-code-generator", PASS1: "autosdk pass 1"}


# --- the children (run in a fresh interpreter) --------------------------------------------------------


def peak_rss_mib() -> float:
    """This process's peak resident set size (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child_baseline(spec: Path) -> dict[str, Any]:
    start = time.perf_counter()
    import yaml
    from datamodel_code_generator import generate

    from autosdk_py.models.codegen import generator_options

    imported = time.perf_counter()
    text = spec.read_text(encoding="utf-8-sig")
    document = json.loads(text) if spec.suffix.lower() == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)
    loaded = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="autosdk-bench-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metadata = Path(tmp) / "models.json"
        code = generate(document, emit_model_metadata=metadata, **generator_options())
        classes = len(json.loads(metadata.read_text(encoding="utf-8"))["models"])
    done = time.perf_counter()
    # One module, as on the OpenAI spec; a spec whose schema names hold dots ("Model.Name") makes the
    # generator return a package (several modules) instead: pass 1 renames those schemas first.
    modules = [code] if isinstance(code, str) else [str(m) for m in (code or {}).values()]
    return {
        "in_process_s": done - start,
        "peak_rss_mib": peak_rss_mib(),
        "timings": {"import": imported - start, "load spec": loaded - imported, "generate": done - loaded},
        "code_chars": sum(len(m) for m in modules),
        "modules": len(modules),
        "generated_classes": classes,
    }


def child_pass1(spec: Path, output: Path) -> dict[str, Any]:
    start = time.perf_counter()
    import autosdk_py.models as models_stage
    from autosdk_py import pipeline
    from autosdk_py.loader import Document, DocumentKind, load_document

    imported = time.perf_counter()
    steps: dict[str, float] = {"import": imported - start}
    models_timings: dict[str, float] = {}
    generate_models = models_stage.generate_models

    def timed_load(path: Path, expect: DocumentKind | None = None) -> Document:
        began = time.perf_counter()
        document = load_document(path, expect)
        steps["load spec"] = time.perf_counter() - began
        return document

    def recording_generate_models(spec: dict[str, Any], *, package: str, source: Path) -> models_stage.ModelsOutput:
        result = generate_models(spec, package=package, source=source)
        models_timings.update(result.timings)
        return result

    vars(pipeline)["load_document"] = timed_load  # the name pipeline.generate calls (imported from .loader)
    models_stage.generate_models = recording_generate_models  # generate_openapi imports it at call time
    result = pipeline.generate(pipeline.GenerateOptions(spec=spec, output=output, namespace=NAMESPACE))
    done = time.perf_counter()
    return {
        "in_process_s": done - start,
        "peak_rss_mib": peak_rss_mib(),
        "timings": steps | result.timings,
        "models_timings": models_timings,
        "counts": result.counts,
        "files_written": result.files_written,
        "package": result.package,
        "package_dir": str(result.package_dir),
    }


def run_as_child(kind: str, spec: Path, output: Path | None) -> int:
    if kind == BASELINE:
        figures = child_baseline(spec)
    else:
        assert output is not None, "--out is required with --child pass1"
        figures = child_pass1(spec, output)
    emit_result(figures)
    return 0


# --- pass 1 versus the baseline -------------------------------------------------------------------------


@dataclass
class Run:
    wall_s: float
    in_process_s: float
    peak_rss_mib: float
    timings: dict[str, float]
    extra: dict[str, Any]


def spawn_child(kind: str, spec: Path, output: Path) -> Run:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--spec",
        str(spec),
        "--out",
        str(output),
    ]
    wall, figures = run_marked(command, LABELS[kind])
    return Run(
        wall_s=wall,
        in_process_s=figures.pop("in_process_s"),
        peak_rss_mib=figures.pop("peak_rss_mib"),
        timings=figures.pop("timings"),
        extra=figures,
    )


def measure_pass1(spec: Path, runs: int, workdir: Path) -> dict[str, list[Run]]:
    """``runs`` rounds of (baseline, pass 1), ABBA order; pass 1 writes into ``workdir/pass1-<round>``."""
    results: dict[str, list[Run]] = {BASELINE: [], PASS1: []}
    for index in range(runs):
        order = (BASELINE, PASS1) if index % 2 == 0 else (PASS1, BASELINE)
        for kind in order:
            run = spawn_child(kind, spec, workdir / f"{kind}-{index}")
            results[kind].append(run)
            log(f"  round {index + 1}/{runs} {LABELS[kind]}: {run.wall_s:.2f} s, {run.peak_rss_mib:.0f} MiB")
    return results


def median_steps(timings: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Median per step over the runs, in the order of the first run."""
    names = list(dict.fromkeys(name for t in timings for name in t))
    return {name: median_of([t[name] for t in timings if name in t]) for name in names}


def summarize_side(runs: Sequence[Run]) -> dict[str, Any]:
    return {
        "wall_s": median_of([r.wall_s for r in runs]),
        "in_process_s": median_of([r.in_process_s for r in runs]),
        "peak_rss_mib": median_of([r.peak_rss_mib for r in runs]),
        "timings": median_steps([r.timings for r in runs]),
        "samples": {
            "wall_s": [r.wall_s for r in runs],
            "in_process_s": [r.in_process_s for r in runs],
            "peak_rss_mib": [r.peak_rss_mib for r in runs],
        },
    }


def summarize_pass1(results: Mapping[str, Sequence[Run]]) -> dict[str, Any]:
    baseline = summarize_side(results[BASELINE])
    pass1 = summarize_side(results[PASS1])
    first = results[PASS1][0].extra
    pass1["models_timings"] = median_steps([r.extra["models_timings"] for r in results[PASS1]])
    pass1["counts"] = first["counts"]
    pass1["files_written"] = first["files_written"]
    baseline["generated_classes"] = results[BASELINE][0].extra["generated_classes"]
    baseline["code_chars"] = results[BASELINE][0].extra["code_chars"]
    baseline["modules"] = results[BASELINE][0].extra["modules"]
    ratio = {key: pass1[key] / baseline[key] for key in ("wall_s", "in_process_s", "peak_rss_mib")}
    return {"baseline": baseline, "autosdk": pass1, "ratio": ratio}


# --- import times of the generated package ----------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    package: str
    client: str
    client_args: str
    resource: str
    model: str
    model_count: int


def derive_client(package_dir: Path) -> str:
    """The real name behind the package's ``Client`` alias (``_EXPORTS["Client"]`` in ``__init__.py``)."""
    exports = literal_assignment(ast.parse((package_dir / "__init__.py").read_text(encoding="utf-8")), "_EXPORTS")
    return str(exports["Client"][1])


def client_members(package_dir: Path, client: str) -> tuple[list[str], list[str]]:
    """(the ``__init__`` parameters, the ``cached_property`` resources) of class ``client`` in ``_client.py``."""
    tree = ast.parse((package_dir / "_client.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == client:
            params: list[str] = []
            resources: list[str] = []
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                if item.name == "__init__":
                    params = [a.arg for a in item.args.args[1:] + item.args.kwonlyargs]
                decorators = {d.id if isinstance(d, ast.Name) else "" for d in item.decorator_list}
                if "cached_property" in decorators:
                    resources.append(item.name)
            return params, resources
    raise LookupError(f"class {client} not found in {package_dir / '_client.py'}")


_RELATIVE_IMPORT = re.compile(r"^from \.(\w+) import", re.MULTILINE)


def deepest_model(models_dir: Path, module_of: Mapping[str, str]) -> str:
    """The model whose module pulls in the most model modules (transitively) when imported."""
    edges = {
        path.stem: set(_RELATIVE_IMPORT.findall(path.read_text(encoding="utf-8"))) for path in models_dir.glob("_*.py")
    }
    closure: dict[str, int] = {}
    for module in edges:
        seen = {module}
        stack = [module]
        while stack:
            for dep in edges.get(stack.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        closure[module] = len(seen)
    return max(sorted(module_of), key=lambda name: closure.get(module_of[name].lstrip("."), 0))


def derive_targets(package_dir: Path, args: argparse.Namespace) -> Targets:
    models_init = ast.parse((package_dir / "models" / "__init__.py").read_text(encoding="utf-8"))
    module_of: dict[str, str] = literal_assignment(models_init, "_MODULE_OF")
    client = args.client or derive_client(package_dir)
    params, resources = client_members(package_dir, client)
    if args.model:
        model = args.model
    else:
        model = PREFERRED_MODEL if PREFERRED_MODEL in module_of else deepest_model(package_dir / "models", module_of)
    if args.resource:
        resource_name = args.resource
    elif not resources:
        raise SystemExit(f"{client} has no resources; pass --resource")
    else:
        resource_name = PREFERRED_RESOURCE if PREFERRED_RESOURCE in resources else resources[0]
    if args.client_args is not None:
        client_args = args.client_args
    elif "api_key" in params:
        client_args = 'api_key="x"'
    else:
        client_args = f'{params[0]}="x"' if params else ""
    return Targets(package_dir.name, client, client_args, resource_name, model, len(module_of))


def import_cases(t: Targets) -> list[ImportCase]:
    construct = f"{t.client}({t.client_args})"
    return [
        ImportCase("package", f"import {t.package}", f"import {t.package}"),
        ImportCase("models", f"import {t.package}.models", f"import {t.package}.models"),
        ImportCase(
            "deep_model", f"from {t.package}.models import {t.model}", f"from {t.package}.models import {t.model}"
        ),
        ImportCase(
            "client",
            f"from {t.package} import {t.client}; {construct}",
            f"from {t.package} import {t.client}\n{construct}",
        ),
        ImportCase(
            "resource",
            f"client = {construct}; client.{t.resource}",
            f"from {t.package} import {t.client}\nclient = {construct}\nclient.{t.resource}",
        ),
        ImportCase(
            "all_models",
            f"all {t.model_count:,} names in {t.package}.models.__all__",
            f"import {t.package}.models as _m\nfor _n in _m.__all__: getattr(_m, _n)",
        ),
        ImportCase("pydantic", "import pydantic", "import pydantic"),
        ImportCase("httpx", "import httpx", "import httpx"),
    ]


# --- report ---------------------------------------------------------------------------------------------


def render(report: Mapping[str, Any]) -> str:
    p1 = report["pass1"]
    counts = p1["autosdk"]["counts"]
    runs = report["runs"]
    lines = [
        f"pass 1 on {Path(report['spec']).name} ({counts['schemas']:,} schemas, {counts['operations']:,} operations,"
        f" {counts['classes']:,} classes); median of {runs} fresh process{'es' if runs != 1 else ''} each",
        f"{'':34}{'wall (s)':>10}{'in-process (s)':>16}{'peak RSS (MiB)':>16}",
    ]
    for key, label in (("baseline", LABELS[BASELINE]), ("autosdk", LABELS[PASS1])):
        side = p1[key]
        lines.append(f"{label:34}{side['wall_s']:>10.2f}{side['in_process_s']:>16.2f}{side['peak_rss_mib']:>16.0f}")
    ratio = p1["ratio"]
    lines.append(
        f"{'ratio pass 1 / baseline':34}{ratio['wall_s']:>9.2f}x{ratio['in_process_s']:>15.2f}x"
        f"{ratio['peak_rss_mib']:>15.2f}x"
    )
    lines += ["", "pass 1 steps (s, median)"]
    lines += [f"  {name:44}{seconds:>8.3f}" for name, seconds in p1["autosdk"]["timings"].items()]
    lines += ["  models stage (ModelsOutput.timings):"]
    lines += [f"    {name:42}{seconds:>8.3f}" for name, seconds in p1["autosdk"]["models_timings"].items()]
    lines += ["baseline steps (s, median)"]
    lines += [f"  {name:44}{seconds:>8.3f}" for name, seconds in p1["baseline"]["timings"].items()]
    imports = report["imports"]
    lines.append("")
    lines += render_imports(imports, report["import_repeats"])
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=ROOT.parent / "shared/specs/openai/openapi.yaml")
    parser.add_argument("--runs", type=int, default=None, help="pass-1 and baseline runs each (default 3, --quick 1)")
    parser.add_argument("--import-runs", type=int, default=None, help="runs per import case (default 7, --quick 3)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the figures ({DEFAULT_JSON})")
    parser.add_argument("--model", help=f"the deep model to import (default {PREFERRED_MODEL} or the deepest one)")
    parser.add_argument("--client", help="the client class (default: the package's Client alias)")
    parser.add_argument("--client-args", help='constructor arguments, as Python source (default: api_key="x")')
    parser.add_argument(
        "--resource", help=f"the client attribute to access (default {PREFERRED_RESOURCE} or the first)"
    )
    realtime = parser.add_argument_group(
        "realtime section", "the generated realtime client (bench_realtime.py), when an AsyncAPI document is given"
    )
    realtime.add_argument(
        "--asyncapi",
        type=Path,
        help="the AsyncAPI document for pass 2 (default: asyncapi.json or asyncapi.yaml beside --spec, if any)",
    )
    realtime.add_argument("--no-realtime", action="store_true", help="skip the realtime section")
    realtime.add_argument(
        "--realtime-json",
        type=Path,
        default=bench_realtime.DEFAULT_JSON,
        help=f"where to write its figures ({bench_realtime.DEFAULT_JSON})",
    )
    bench_realtime.add_arguments(realtime)
    parser.add_argument("--child", choices=(BASELINE, PASS1), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.import_runs is None:
        args.import_runs = 3 if args.quick else 7
    if args.runs < 1 or args.import_runs < 1:
        parser.error("--runs and --import-runs must be at least 1")
    args.spec = args.spec.resolve()
    if args.asyncapi is None:
        args.asyncapi = next(
            (path for name in ASYNCAPI_NAMES if (path := args.spec.parent / name).is_file()),
            None,
        )
    if args.asyncapi is not None:
        args.asyncapi = args.asyncapi.resolve()
    return args


def benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    log(f"pass 1 vs datamodel-code-generator on {args.spec} ({args.runs} run(s) each)")
    pass1 = summarize_pass1(measure_pass1(args.spec, args.runs, workdir))
    package_dir = workdir / f"{PASS1}-0" / NAMESPACE
    targets = derive_targets(package_dir, args)
    cases = import_cases(targets)
    log(f"import times in {package_dir.parent} ({args.import_runs} run(s) per case, after a warm-up)")
    bare, samples = measure_imports(cases, package_dir.parent, args.import_runs)
    return {
        "spec": str(args.spec),
        "runs": args.runs,
        "import_repeats": args.import_runs,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "pass1": pass1,
        "targets": asdict(targets),
        "imports": summarize_imports(cases, bare, samples),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_as_child(args.child, args.spec, args.out)
    if not args.spec.is_file():
        raise SystemExit(f"spec not found: {args.spec}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="autosdk-bench-") as tmp:
        report = benchmark(args, Path(tmp))
    report["bench_wall_s"] = time.perf_counter() - started
    print(render(report), flush=True)
    realtime = run_realtime(args)
    if realtime is not None:
        report["realtime_json"] = str(args.realtime_json)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log(f"figures written to {args.json} (pass-1 part took {report['bench_wall_s']:.0f} s)")
    if realtime is not None and args.fail_on_miss and not realtime["all_targets_met"]:
        return 3
    return 0


def run_realtime(args: argparse.Namespace) -> dict[str, Any] | None:
    """The realtime section (bench_realtime.py) on ``--spec`` and ``--asyncapi``; printed, written, returned."""
    if args.no_realtime or args.asyncapi is None:
        return None
    if not args.asyncapi.is_file():
        raise SystemExit(f"AsyncAPI document not found: {args.asyncapi}")
    if bench_realtime.match_profile(args.events, bench_realtime.load_spec(args.asyncapi)) is None:
        log(f"realtime section skipped: no event profile matches {args.asyncapi} (pass --events)")
        return None
    with tempfile.TemporaryDirectory(prefix="autosdk-bench-rt-") as tmp:
        report = bench_realtime.benchmark(args, args.spec, args.asyncapi, Path(tmp))
    print("\n" + bench_realtime.render(report), flush=True)
    bench_realtime.write_report(report, args.realtime_json)
    return report


if __name__ == "__main__":
    sys.exit(main())
