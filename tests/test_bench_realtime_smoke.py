"""benchmarks/bench_realtime.py runs end to end on the Plant Monitor pair: exit code, table and JSON shape.

No timing assertions: only that every figure exists and is a positive number, and that each target row says
PASS or FAIL. The loopback server and the clients use 127.0.0.1 only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"
BENCH_REALTIME = ROOT / "benchmarks" / "bench_realtime.py"
PLANTS = ROOT / "examples" / "plants"
SMALL = ["--quick", "--rounds", "1", "--frames", "2000", "--sends", "500", "--realtime-import-runs", "1"]

TARGET_ROWS = (
    "decode per event (us)",
    "sync iteration, typed (msg/s)",
    "send watering_command (msg/s)",
    "import RealtimeClient (ms)",
)
INFO_ROWS = (
    "async iteration, typed (msg/s)",
    "import RealtimeClient + server_message_decoder() (ms)",
    "import bench_oa.realtime (lazy) (ms)",
)
IMPORT_CASES = {"package", "client", "first_connect", "websockets", "websockets_asyncio", "pydantic"}


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def _check_table(table: str) -> None:
    assert "realtime client bench_oa.realtime (asyncapi.yaml, 'plants' events): 90 frames of 3 event types" in table
    lines = table.splitlines()
    for row in TARGET_ROWS:
        line = next((line for line in lines if line.startswith(row)), None)
        assert line is not None, (row, table)
        assert line.rstrip().endswith(("PASS", "FAIL")), line
    for row in INFO_ROWS:
        assert any(line.startswith(row) for line in lines), (row, table)
    assert any(line.startswith("targets: ") for line in lines), table
    for event in ("sensor_reading", "plant_status", "error"):
        assert any(line.strip().startswith(event) for line in lines), (event, table)
    assert "from bench_oa.realtime import RealtimeClient" in table  # the import-times table
    assert "import websockets.sync.client" in table


def _check_report(report: dict[str, Any]) -> None:
    assert report["profile"] == "plants" and report["package"] == "bench_oa.realtime"
    assert report["client"] == "RealtimeClient"
    assert report["frames"]["count"] == 90 and report["frames"]["types"] == 3
    assert _positive(report["frames"]["mean_bytes"])

    decode = report["decode"]
    for key in ("json_loads_us", "decode_us", "ratio", "decoder_build_ms"):
        assert _positive(decode[key]), (key, decode[key])
    assert set(decode["by_type"]) == {"sensor_reading", "plant_status", "error"}
    for figures in decode["by_type"].values():
        assert _positive(figures["json_loads_us"]) and _positive(figures["decode_us"]), figures

    iterate = report["iterate"]
    assert iterate["frames_per_connection"] == 2000
    for mode in ("sync", "async"):
        for key in ("raw_msgs_per_s", "autosdk_msgs_per_s", "ratio"):
            assert _positive(iterate[mode][key]), (mode, key, iterate[mode])

    send = report["send"]
    assert send["sends_per_connection"] == 500
    case = send["cases"]["watering_command"]
    assert case["method"] == "send_watering_command" and case["model"] == "WateringCommand"
    for key in ("raw_msgs_per_s", "autosdk_msgs_per_s", "ratio", "frame_bytes"):
        assert _positive(case[key]), (key, case)

    imports = report["imports"]
    assert _positive(imports["bare_wall_ms"])
    assert set(imports["cases"]) == IMPORT_CASES
    for key, figures in imports["cases"].items():
        assert _positive(figures["wall_ms"]) and _positive(figures["in_process_ms"]), (key, figures)

    verdicts = {row["key"]: row for row in report["verdicts"]}
    for key in ("decode", "iterate_sync", "send_watering_command", "import_client"):
        assert isinstance(verdicts[key]["passed"], bool), verdicts[key]
        assert verdicts[key]["target"], verdicts[key]
    for key in ("iterate_async", "import_first_connect", "import_package"):
        assert verdicts[key]["passed"] is None, verdicts[key]
    for row in verdicts.values():
        assert isinstance(row["value"], float) and _positive(row["baseline"]), row
    assert isinstance(report["all_targets_met"], bool)
    assert _positive(report["bench_wall_s"])


def test_bench_realtime_on_the_plants_pair(tmp_path: Path) -> None:
    results = tmp_path / "realtime.json"
    command = [
        sys.executable,
        str(BENCH_REALTIME),
        "--openapi",
        str(PLANTS / "openapi.yaml"),
        "--asyncapi",
        str(PLANTS / "asyncapi.yaml"),
        "--events",
        "plants",
        *SMALL,
        "--json",
        str(results),
    ]
    proc = _run(command)
    _check_table(proc.stdout)
    report = json.loads(results.read_text(encoding="utf-8"))
    assert report["quick"] is True and report["rounds"] == 1 and report["import_repeats"] == 1
    _check_report(report)


def test_make_bench_runs_the_realtime_section_too(tmp_path: Path) -> None:
    """bench.py (``make bench``) finds the AsyncAPI document beside --spec and appends the realtime section."""
    results, realtime = tmp_path / "results.json", tmp_path / "realtime.json"
    command = [
        sys.executable,
        str(BENCH),
        "--spec",
        str(PLANTS / "openapi.yaml"),
        "--runs",
        "1",
        "--import-runs",
        "1",
        *SMALL,
        "--json",
        str(results),
        "--realtime-json",
        str(realtime),
    ]
    proc = _run(command)
    assert "ratio pass 1 / baseline" in proc.stdout
    assert proc.stdout.index("ratio pass 1 / baseline") < proc.stdout.index("realtime client bench_oa.realtime")
    _check_table(proc.stdout)
    assert json.loads(results.read_text(encoding="utf-8"))["realtime_json"] == str(realtime)
    _check_report(json.loads(realtime.read_text(encoding="utf-8")))
