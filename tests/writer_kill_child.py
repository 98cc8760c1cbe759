"""Child process of tests/test_writer_kill.py: run one ``write_tree`` so the test can SIGKILL it.

Usage: python writer_kill_child.py FILES_JSON TARGET exchange|portable

Prints ``ready`` once the file dict is loaded (so the parent's clock starts at the write, not at
Python's start-up), ``swap <seconds>`` just before the swap, and ``done <seconds>`` after the
write. ``portable`` makes the atomic exchange report "unsupported", so the fallback of systems
without one (two renames) runs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from autosdk_py import writer


def main() -> None:
    files_json, target, mode = sys.argv[1:]
    files = json.loads(Path(files_json).read_text(encoding="utf-8"))
    exchange = writer.exchange

    def announced(a: Path, b: Path) -> bool:
        print(f"swap {time.perf_counter() - start:.6f}", flush=True)
        return mode != "portable" and exchange(a, b)

    writer.exchange = announced
    print("ready", flush=True)
    start = time.perf_counter()
    writer.write_tree(Path(target), files, owner="openapi")
    print(f"done {time.perf_counter() - start:.6f}", flush=True)


if __name__ == "__main__":
    main()
