"""benchmarks/bench.py runs end to end on a small spec: exit code, table and JSON shape (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"
SPEC = ROOT / "tests" / "specs" / "features_31.yaml"

IMPORT_CASES = {"package", "models", "deep_model", "client", "resource", "all_models", "pydantic", "httpx"}


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def test_bench_runs_on_a_small_spec(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    command = [
        sys.executable,
        str(BENCH),
        "--spec",
        str(SPEC),
        "--quick",
        "--runs",
        "1",
        "--import-runs",
        "1",
        "--model",
        "Item",
        "--client",
        "FeatureTestClient",
        "--json",
        str(results),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr

    table = proc.stdout
    assert "pass 1 on features_31.yaml (17 schemas, 13 operations" in table
    for row in ("datamodel-code-generator", "autosdk pass 1", "ratio pass 1 / baseline", "import times"):
        assert row in table, table
    ratio_line = next(line for line in table.splitlines() if line.startswith("ratio pass 1 / baseline"))
    assert ratio_line.count("x") == 3, ratio_line
    assert "from bench_sdk.models import Item" in table
    assert 'from bench_sdk import FeatureTestClient; FeatureTestClient(bearer="x")' in table
    assert "client.events" in table

    report = json.loads(results.read_text(encoding="utf-8"))
    assert report["runs"] == 1 and report["import_repeats"] == 1
    pass1 = report["pass1"]
    for side in ("baseline", "autosdk"):
        for key in ("wall_s", "in_process_s", "peak_rss_mib"):
            assert _positive(pass1[side][key]), (side, key, pass1[side][key])
        assert pass1[side]["timings"] and all(v >= 0 for v in pass1[side]["timings"].values())
    for key in ("wall_s", "in_process_s", "peak_rss_mib"):
        assert _positive(pass1["ratio"][key]), (key, pass1["ratio"])
    assert pass1["autosdk"]["counts"]["schemas"] == 17
    assert {"normalize", "datamodel-code-generator", "split", "format"} <= set(pass1["autosdk"]["models_timings"])
    assert any(step.startswith("Generating models") for step in pass1["autosdk"]["timings"])
    assert _positive(pass1["baseline"]["generated_classes"])

    imports = report["imports"]
    assert _positive(imports["bare_wall_ms"])
    assert set(imports["cases"]) == IMPORT_CASES
    for key, case in imports["cases"].items():
        assert _positive(case["wall_ms"]), (key, case)
        assert _positive(case["in_process_ms"]), (key, case)
        assert isinstance(case["wall_ms_above_bare"], float)
    assert report["targets"]["model"] == "Item"
    assert report["targets"]["resource"] == "events"
