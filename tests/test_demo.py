"""`make demo` as a newcomer runs it: the script finishes and shows each part of the mission."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_end_to_end() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "plants" / "demo.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "Traceback" not in out
    for expected in (
        "Generated package 'plant_monitor'",
        "4 of 4 schemas match",
        "did you mean 'SensorReading'?",
        "(exit code 1, as expected)",
        "Retrying GET",
        "SensorReading: moisture",
        "NotFoundError: status=404",
        "ws.recv() -> PlantStatus: health='healthy'",
    ):
        assert expected in out, expected
