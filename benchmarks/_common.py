"""Helpers shared by the benchmark scripts (``bench.py``, ``bench_realtime.py``).

Fresh processes, medians, marked JSON results from child processes, import-time cases and their table.
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "BENCH-RESULT "


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_of(values: Sequence[float]) -> float:
    return statistics.median(values)


def child_env() -> dict[str, str]:
    """The environment of a child that imports ``autosdk_py`` from this checkout."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def emit_result(figures: Mapping[str, Any]) -> None:
    """What a child prints for :func:`run_marked` to pick up."""
    print(RESULT_MARK + json.dumps(figures), flush=True)


def run_marked(
    command: Sequence[str],
    label: str,
    *,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> tuple[float, dict[str, Any]]:
    """Run a child to completion: (its wall time, the figures of its last :func:`emit_result` line)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(env) if env is not None else child_env(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        raise SystemExit(f"{label} child timed out after {timeout} s:\n{stderr[-4000:]}") from None
    wall = time.perf_counter() - start
    marked = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not marked:
        raise SystemExit(f"{label} child failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(marked[-1][len(RESULT_MARK) :])
    return wall, figures


def literal_assignment(tree: ast.Module, name: str) -> Any:
    """The value of the module-level ``name = <literal>`` (or ``name: T = <literal>``) in ``tree``."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t for t in node.targets if isinstance(t, ast.Name) and t.id == name]:
            return ast.literal_eval(node.value)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            if node.value is not None:
                return ast.literal_eval(node.value)
    raise LookupError(name)


# --- import times in fresh interpreters --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportCase:
    key: str
    label: str
    statement: str  # Python source, possibly several lines


@dataclass
class ImportSamples:
    wall_s: list[float] = field(default_factory=list)
    in_process_s: list[float] = field(default_factory=list)


def timed_source(statement: str) -> str:
    return f"import time as _t\n_s = _t.perf_counter()\n{statement}\nprint(_t.perf_counter() - _s)\n"


def run_python(source: str, cwd: Path, env: Mapping[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"python -c failed (exit {proc.returncode}):\n{source}\n{proc.stderr[-4000:]}")
    return wall, proc.stdout


def measure_imports(
    cases: Sequence[ImportCase], cwd: Path, repeats: int
) -> tuple[list[float], dict[str, ImportSamples]]:
    """Each case in a fresh ``python -c`` (cwd = ``cwd``), after one unmeasured warm-up round that writes the
    ``__pycache__`` files; rounds interleave every case with a bare ``python -c pass``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    for case in cases:  # warm-up: writes __pycache__, fills the page cache; not measured
        run_python(timed_source(case.statement), cwd, env)
    bare: list[float] = []
    samples = {case.key: ImportSamples() for case in cases}
    for index in range(repeats):
        bare.append(run_python("pass", cwd, env)[0])
        for case in cases:
            wall, out = run_python(timed_source(case.statement), cwd, env)
            samples[case.key].wall_s.append(wall)
            samples[case.key].in_process_s.append(float(out.strip().splitlines()[-1]))
        log(f"  import round {index + 1}/{repeats}: bare {bare[-1] * 1000:.0f} ms")
    return bare, samples


def summarize_imports(
    cases: Sequence[ImportCase], bare: Sequence[float], samples: Mapping[str, ImportSamples]
) -> dict[str, Any]:
    bare_ms = median_of(bare) * 1000
    summary: dict[str, Any] = {"bare_wall_ms": bare_ms, "bare_samples_ms": [b * 1000 for b in bare], "cases": {}}
    for case in cases:
        wall_ms = median_of(samples[case.key].wall_s) * 1000
        summary["cases"][case.key] = {
            "label": case.label,
            "statement": case.statement,
            "wall_ms": wall_ms,
            "wall_ms_above_bare": wall_ms - bare_ms,
            "in_process_ms": median_of(samples[case.key].in_process_s) * 1000,
            "wall_samples_ms": [w * 1000 for w in samples[case.key].wall_s],
        }
    return summary


def render_imports(imports: Mapping[str, Any], repeats: int) -> list[str]:
    """The import-time table of a :func:`summarize_imports` summary."""
    lines = [
        f"import times (ms above a bare interpreter, median of {repeats};"
        f" bare `python -c pass` = {imports['bare_wall_ms']:.0f} ms)",
    ]
    width = max(len(case["label"]) for case in imports["cases"].values()) + 2
    lines.append(f"{'':{width}}{'wall':>8}{'in-process':>12}")
    for case in imports["cases"].values():
        lines.append(f"{case['label']:{width}}{case['wall_ms_above_bare']:>8.0f}{case['in_process_ms']:>12.1f}")
    return lines
