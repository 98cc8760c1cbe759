"""Golden tests: the whole generated tree for small specs is checked in and diffed.

After an intended change of output, run ``make golden`` (AUTOSDK_UPDATE_GOLDEN=1) and review the
diff of tests/golden/ like any other code change.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autosdk_py.pipeline import GenerateOptions, generate

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("AUTOSDK_UPDATE_GOLDEN") == "1"

# name -> the generation steps, each (spec, options), run in order into one output folder.
Step = tuple[Path, dict[str, object]]
PLANTS = HERE.parent / "examples" / "plants"
CASES: dict[str, list[Step]] = {
    "petstore_30": [(HERE / "specs" / "petstore_30.yaml", {"namespace": "petstore"})],
    "features_31": [
        (HERE / "specs" / "features_31.yaml", {"namespace": "features.api", "client_class_name": "FeaturesClient"})
    ],
    # Pass 1 then pass 2 importing its models: the realtime package lands inside plant_monitor/.
    "plants": [
        (PLANTS / "openapi.yaml", {"namespace": "plant_monitor"}),
        (PLANTS / "asyncapi.yaml", {"types_namespace": "plant_monitor", "generate_models": False}),
    ],
    "asyncapi_v2": [(HERE / "asyncapi" / "specs" / "chat_v2.yaml", {"namespace": "chat_v2"})],
    "asyncapi_v3": [
        (HERE / "asyncapi" / "specs" / "chat_v3.yaml", {"namespace": "chat_v3", "websocket_class_name": "Chat"})
    ],
}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_tree(case: str, tmp_path: Path) -> None:
    for spec, options in CASES[case]:
        generate(GenerateOptions(spec=spec, output=tmp_path, **options))  # type: ignore[arg-type]
    produced = _files(tmp_path)
    golden_dir = GOLDEN / case
    if UPDATE:
        shutil.rmtree(golden_dir, ignore_errors=True)
        for rel, data in produced.items():
            dest = golden_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    expected = _files(golden_dir)
    missing = sorted(set(expected) - set(produced))
    extra_files = sorted(set(produced) - set(expected))
    assert not missing and not extra_files, f"files differ: missing {missing}, unexpected {extra_files} (make golden)"
    diffs = []
    for rel in sorted(expected):
        if expected[rel] != produced[rel]:
            diffs.extend(
                difflib.unified_diff(
                    expected[rel].decode().splitlines(),
                    produced[rel].decode().splitlines(),
                    f"golden/{case}/{rel}",
                    f"generated/{rel}",
                    lineterm="",
                )
            )
    assert not diffs, "generated output differs from golden (run `make golden` if intended):\n" + "\n".join(diffs[:200])


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for rel, data in _files(root).items():
        h.update(rel.encode() + b"\0" + data)
    return h.hexdigest()


def test_output_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    """Two runs in fresh interpreters with different PYTHONHASHSEEDs write the same bytes."""
    spec = HERE / "specs" / "features_31.yaml"
    namespace = "features.api"
    hashes = []
    for seed in ("1", "4242"):
        out = tmp_path / f"run{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "autosdk_py",
                "generate",
                str(spec),
                "-n",
                namespace,
                "-o",
                str(out),
                "-q",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        hashes.append(_tree_hash(out))
    assert hashes[0] == hashes[1]
