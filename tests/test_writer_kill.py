"""``kill -9`` at random moments of a write leaves the old tree or the new one, never a mix.

A child process (tests/writer_kill_child.py) writes a mid-size tree (3,000 files) over the other
one, holding pass 2's ``realtime/`` folder; it is SIGKILLed after a delay drawn (seeded) from the
duration of unkilled writes measured first. After each kill the target must be exactly one of the
two trees, with ``realtime/`` intact, and the next run must clean what the killed one left and
succeed. With the portable fallback (two renames) a kill between the renames may leave no target:
the previous tree must then be complete, and the next run must bring it back (``realtime/`` lives
only there, so the next tree would lack it otherwise).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from autosdk_py.writer import MARKER, marker_text, write_tree

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "writer_kill_child.py"
SEED = 8
KILLS = {"exchange": 30, "portable": 15}  # the fallback differs only after the swap begins
FILES = 3000


def synthetic(tag: str, numbers: range) -> dict[str, str]:
    body = "".join(f"field_{j}: int = {j}\n" for j in range(30))
    files = {f"models/group_{i % 60:02d}/m_{i:05d}.py": f"# {tag} {i}\n{body}" for i in numbers}
    files["__init__.py"] = f"# package {tag}\n"
    files[MARKER] = marker_text("openapi", "openapi.yaml", "x")
    return files


def realtime_files() -> dict[str, str]:
    files = {f"channels/c_{i:03d}.py": f"# pass 2 channel {i}\n" for i in range(100)}
    files[MARKER] = marker_text("asyncapi", "asyncapi.yaml", "x.realtime")
    return files


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (contents) and folder (None) under ``root``."""
    entries: dict[str, bytes | None] = {}
    for folder, dirs, names in os.walk(root):
        base = Path(folder)
        for name in dirs:
            entries[(base / name).relative_to(root).as_posix()] = None
        for name in names:
            entries[(base / name).relative_to(root).as_posix()] = (base / name).read_bytes()
    return entries


def differences(got: dict[str, bytes | None], want: dict[str, bytes | None]) -> str:
    keys = sorted(k for k in got.keys() | want.keys() if got.get(k, b"<missing>") != want.get(k, b"<missing>"))
    return f"{len(keys)} entries differ, e.g. {keys[:5]}"


class Child:
    """One ``write_tree`` in its own process; its clock starts once the file dict is loaded."""

    def __init__(self, files_json: Path, target: Path, mode: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(files_json), str(target), mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == "ready\n", self.proc.communicate(timeout=30)

    def finish(self) -> tuple[float, float]:
        """Seconds from the start to the swap, and to the end of the write."""
        out, err = self.proc.communicate(timeout=120)
        assert self.proc.returncode == 0, err
        times = dict(line.split() for line in out.splitlines())
        return float(times["swap"]), float(times["done"])

    def kill_after(self, delay: float, *, from_swap: bool) -> bool:
        """SIGKILL ``delay`` seconds after the start (or after the swap began); whether the write had ended."""
        assert self.proc.stdout is not None
        if from_swap:
            line = self.proc.stdout.readline()
            assert line.startswith("swap "), line
        time.sleep(delay)
        self.proc.kill()
        out, _ = self.proc.communicate(timeout=60)
        return "done" in out


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder on tmpfs where there is one: creating a file costs ~1 ms on this machine's disk, ~40 µs there.

    The exchange and the renames are the same system calls on either file system.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="autosdk-writer-kill-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("mode", ["exchange", "portable"])
def test_kill_9_during_a_write_leaves_the_old_or_the_new_tree(workdir: Path, mode: str) -> None:
    out = workdir / "out"
    target = out / "x"
    trees = [synthetic("A", range(FILES)), synthetic("B", range(FILES // 6, FILES + FILES // 6))]
    dicts = [workdir / "a.json", workdir / "b.json"]
    for files, path in zip(trees, dicts, strict=True):
        path.write_text(json.dumps(files), encoding="utf-8")
    write_tree(target, trees[0], owner="openapi")
    write_tree(target / "realtime", realtime_files(), owner="asyncapi")
    realtime = snapshot(target / "realtime")

    # Unkilled writes B, A, B: their timings set the kill delays, their results are the trees to expect.
    shots = [snapshot(target), {}]
    timings = []
    for index in (1, 0, 1):
        timings.append(Child(dicts[index], target, mode).finish())
        if not shots[index]:
            shots[index] = snapshot(target)
        assert snapshot(target) == shots[index]
    carried = {"realtime", *(f"realtime/{rel}" for rel in realtime)}
    assert (
        set(shots[0]) - set(trees[0])
        == set(shots[1]) - set(trees[1])
        == carried
        | {
            "models",
            *(f"models/group_{g:02d}" for g in range(60)),
        }
    )
    before_swap = sorted(t[0] for t in timings)[1]
    after_swap = sorted(t[1] - t[0] for t in timings)[1]
    current = 1

    # Half the kills anywhere before the swap, half within the time from the swap to the end
    # (deleting the old tree): a kill right at the swap races the system call itself.
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    finished_before_kill = 0
    for n in range(KILLS[mode]):
        other = 1 - current
        from_swap = n % 2 == 1
        delay = rng.uniform(0, after_swap if from_swap else before_swap)
        finished_before_kill += Child(dicts[other], target, mode).kill_after(delay, from_swap=from_swap)
        where = f"kill {n} ({mode}) {delay:.4f}s after the {'swap began' if from_swap else 'write began'}"
        if target.exists():
            got = snapshot(target)
            if got == shots[current]:
                outcomes["old"] += 1
            else:
                assert got == shots[other], f"{where} left a mixed tree: {differences(got, shots[other])}"
                outcomes["new"] += 1
            assert snapshot(target / "realtime") == realtime, where
        else:
            assert mode == "portable", f"{where} left no target"
            previous = [p for p in out.iterdir() if ".autosdk-previous-" in p.name]
            assert len(previous) == 1, f"{where}: {sorted(os.listdir(out))}"
            assert snapshot(previous[0]) == shots[current], where
            outcomes["no target, previous tree complete"] += 1

        assert write_tree(target, trees[other], owner="openapi") == len(trees[other])
        assert snapshot(target) == shots[other], f"the run after {where}"
        assert os.listdir(out) == ["x"], f"the run after {where} left {sorted(os.listdir(out))}"
        current = other

    print(
        f"\n{mode}: {FILES} files, unkilled writes (swap at, end) {[f'{a:.3f}/{b:.3f}s' for a, b in timings]}; "
        f"{KILLS[mode]} kills: {dict(outcomes)}; {finished_before_kill} landed after the write had ended"
    )
    # The kills must have hit both sides of the swap, most of them inside the write.
    assert outcomes["old"] > 0 and outcomes["new"] > 0, dict(outcomes)
    assert finished_before_kill <= KILLS[mode] // 2
