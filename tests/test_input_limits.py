"""Bounded input: recursive or exploding YAML aliases and very deep nesting end in one clear error, fast.

Each hostile document goes through ``autosdk generate`` in a child process with a timeout: exit 1, the
whole message compared, nothing written. The real specs must still pass, cheaply, and a truncated
OpenAI spec must report all of its dangling ``$ref``s in seconds (one YAML node tree per text for the
line numbers, not one per error).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from autosdk_py.errors import SpecError, SpecErrors
from autosdk_py.limits import (
    DEPTH_HINT,
    EXPANSION_HINT,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    RECURSIVE_HINT,
    check_bounds,
    json_depth_line,
)
from autosdk_py.line_index import index_for
from autosdk_py.loader import (
    _YamlLoader,
    check_local_refs,
    iter_refs,
    line_of,
    load_document,
    parse_text,
    read_text,
    resolve_pointer,
)

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "specs" / "hostile"
SHARED = ROOT.parent / "shared"
OPENAI = SHARED / "specs" / "openai" / "openapi.yaml"
REAL_SPECS = sorted((SHARED / "specs").glob("*/*.json")) + sorted((SHARED / "specs").glob("*/*.yaml"))
REAL_SPECS += sorted((SHARED / "corpus").rglob("*.json")) + sorted((SHARED / "corpus").rglob("*.y*ml"))
DEPTH_MESSAGE = f"the document nests mappings and lists more than {MAX_DEPTH} levels deep"
HANG_LIMIT = 60  # seconds; every refusal below takes well under 2 s


def run_generate(spec: Path, output: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "autosdk_py", "generate", str(spec), "--output", str(output), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_LIMIT,
    )
    return done, time.perf_counter() - started


def assert_refused(spec: Path, tmp_path: Path, expected: str) -> None:
    output = tmp_path / "Generated"
    done, elapsed = run_generate(spec, output)
    assert (done.returncode, done.stderr, done.stdout) == (1, expected + "\n", "")
    assert not output.exists()
    assert elapsed < HANG_LIMIT / 2


def line_with(path: Path, needle: str) -> int:
    numbers = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    assert len(numbers) == 1, f"{needle!r} is not on exactly one line of {path}"
    return numbers[0]


def depth_of(data: object) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


# --- YAML aliases ----------------------------------------------------------------------------------


def test_recursive_alias(tmp_path: Path) -> None:
    spec = HOSTILE / "recursive_alias.yaml"
    line = line_with(spec, "&loop [*loop]")
    assert_refused(
        spec,
        tmp_path,
        f"{spec}:{line}: error: the YAML refers to itself (an anchor that contains its own alias)\n"
        "  at: /x-loop/0 (JSON pointer)\n"
        f"  hint: {RECURSIVE_HINT}",
    )


def test_recursive_alias_in_asyncapi(tmp_path: Path) -> None:
    spec = HOSTILE / "recursive_alias_asyncapi.yaml"
    assert_refused(
        spec,
        tmp_path,
        f"{spec}:{line_with(spec, 'payload: *room')}: error: the YAML refers to itself "
        "(an anchor that contains its own alias)\n"
        "  at: /channels/room/messages/echo/payload (JSON pointer)\n"
        f"  hint: {RECURSIVE_HINT}",
    )


def test_billion_laughs(tmp_path: Path) -> None:
    # 10, 91, 820, 7,381, 66,430, 597,871 nodes for x-a..x-f; the first *f inside x-g passes the bound.
    spec = HOSTILE / "billion_laughs.yaml"
    anchor_line = line_with(spec, "x-f: &f")
    assert_refused(
        spec,
        tmp_path,
        f"{spec}:{anchor_line}: error: YAML aliases expand the document by more than {MAX_ALIAS_NODES:,} nodes\n"
        "  at: /x-g/0 (JSON pointer)\n"
        f"  hint: {EXPANSION_HINT}",
    )


def test_aliases_nested_too_deep(tmp_path: Path) -> None:
    # x-aK is a list holding x-a(K-1): small text, but x-a255 expands to 257 levels under the root.
    spec = tmp_path / "alias_depth.yaml"
    lines = ["openapi: 3.1.0", "info: {title: Deep, version: '1'}", "paths: {}", "x-a0: &a0 [1]"]
    lines += [f"x-a{k}: &a{k} [*a{k - 1}]" for k in range(1, 300)]
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = line_with(spec, "x-a254: &a254")  # the anchor repeated by the alias at /x-a255/0
    assert_refused(spec, tmp_path, f"{spec}:{line}: error: {DEPTH_MESSAGE}\n  hint: {DEPTH_HINT}")


def test_aliases_within_bounds_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "base: &base {type: object, properties: {x: {type: string}}}\n"
        "one: {<<: *base, description: one}\n"
        "list: &l [1, 2]\n"
        "uses: [*l, *l]\n",
        encoding="utf-8",
    )
    data = parse_text(read_text(path), path)
    assert data["one"] == {"type": "object", "properties": {"x": {"type": "string"}}, "description": "one"}
    assert data["uses"] == [[1, 2], [1, 2]]


# --- depth -----------------------------------------------------------------------------------------


def deep_json(levels: int) -> str:
    """An OpenAPI document whose ``x-deep`` nests ``levels`` objects, one per line from line 3."""
    head = '{"openapi": "3.1.0", "info": {"title": "Deep", "version": "1"}, "paths": {},\n"x-deep":\n'
    return head + '{"a":\n' * levels + "1" + "}" * levels + "}\n"


# Line 3 opens level 2 (the root is level 1), so level MAX_DEPTH + 1 opens on line MAX_DEPTH + 2.
@pytest.mark.parametrize("levels", [300, 10_000], ids=["300 (parsed, then measured)", "10000 (decoder stops)"])
def test_deep_json(tmp_path: Path, levels: int) -> None:
    spec = tmp_path / "deep.json"
    spec.write_text(deep_json(levels), encoding="utf-8")
    assert_refused(spec, tmp_path, f"{spec}:{MAX_DEPTH + 2}: error: {DEPTH_MESSAGE}\n  hint: {DEPTH_HINT}")


def test_json_depth_line_skips_brackets_in_strings() -> None:
    decoy = '"[[{{\\"[[[" ' * 100  # brackets and escaped quotes inside strings, 100 strings on line 1
    text = '{"decoys": [' + decoy.strip().replace(" ", ", ") + '],\n"deep":\n' + "[" * 300 + "]" * 300 + "}"
    assert json.loads(text)["decoys"][0] == '[[{{"[[['
    assert json_depth_line(text) == 3  # the root is level 1, line 3 opens levels 2 to 301


def test_deep_json_list(tmp_path: Path) -> None:
    spec = tmp_path / "deep_list.json"
    spec.write_text("[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    assert_refused(spec, tmp_path, f"{spec}:1: error: {DEPTH_MESSAGE}\n  hint: {DEPTH_HINT}")


def test_deep_yaml_block(tmp_path: Path) -> None:
    # The mapping whose key is on line K + 3 is level K; level MAX_DEPTH + 1 is the value of that key.
    spec = tmp_path / "deep.yaml"
    lines = ["openapi: 3.1.0", "info: {title: Deep, version: '1'}", "paths: {}", "x-deep:"]
    lines += ["  " * (i + 1) + "a:" for i in range(300)] + ["  " * 301 + "b: 1"]
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_refused(spec, tmp_path, f"{spec}:{MAX_DEPTH + 3}: error: {DEPTH_MESSAGE}\n  hint: {DEPTH_HINT}")


def test_deep_yaml_flow(tmp_path: Path) -> None:
    # 10,000 levels: libyaml stops at its own bound (1,000) and says where.
    spec = tmp_path / "deep_flow.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: Deep, version: '1'}\npaths: {}\nx-deep: " + "[" * 10_000 + "]" * 10_000 + "\n",
        encoding="utf-8",
    )
    assert_refused(spec, tmp_path, f"{spec}:4: error: {DEPTH_MESSAGE}\n  hint: {DEPTH_HINT}")


def test_depth_at_the_bound_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "edge.json"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH, encoding="utf-8")
    assert depth_of(parse_text(read_text(path), path)) == MAX_DEPTH
    path.write_text("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        parse_text(read_text(path), path)
    assert str(info.value) == f"{path}:1: error: {DEPTH_MESSAGE}\n  hint: {DEPTH_HINT}"


# --- the real specs: accepted, with room to spare, and cheaply --------------------------------------


def test_real_specs_are_far_below_the_bounds() -> None:
    assert len(REAL_SPECS) >= 25, "the real specs are expected in ../shared/specs and ../shared/corpus"
    depths = {path.name: depth_of(parse_text(read_text(path), path)) for path in REAL_SPECS}
    assert max(depths.values()) <= 30 < MAX_DEPTH  # 21 measured: OpenAI's openapi.yaml
    assert depths["openapi.yaml"] == max(depths.values())


def test_bounds_check_costs_little_beside_parsing() -> None:
    text = read_text(OPENAI)
    started = time.perf_counter()
    data = yaml.load(text, Loader=_YamlLoader)
    parse = time.perf_counter() - started
    checks = []
    for _ in range(3):
        started = time.perf_counter()
        check_bounds(data, text, OPENAI, is_json=False)
        checks.append(time.perf_counter() - started)
    assert min(checks) < 0.15 * parse, (min(checks), parse)  # measured ~50 ms against ~2 s


# --- line numbers: one node tree per text -----------------------------------------------------------


def test_line_index_is_shared_per_text() -> None:
    text = "a:\n  b: [1, 2]\n"
    same = "".join(["a:\n  b: [1, 2]", "\n"])  # equal, another object
    assert index_for(text, _YamlLoader) is index_for(same, _YamlLoader)
    assert index_for(text, _YamlLoader) is not index_for(text + "c: 3\n", _YamlLoader)
    assert (line_of(text, "/a/b"), line_of(text, "/a/b/1"), line_of(text, "/a/x"), line_of(text, "")) == (2, 2, 1, 1)


def truncated_openai(tmp_path: Path, fraction: float, boundary: str) -> Path:
    """The OpenAI spec cut at the first line from ``fraction`` of it that matches ``boundary``."""
    lines = OPENAI.read_text(encoding="utf-8").splitlines(keepends=True)
    start = int(len(lines) * fraction)
    cut = next(i for i in range(start, min(start + 5_000, len(lines))) if re.match(boundary, lines[i]))
    path = tmp_path / f"openai_{int(fraction * 100)}.yaml"
    path.write_text("".join(lines[:cut]), encoding="utf-8")
    return path


def dangling(data: dict[str, object]) -> dict[str, str]:
    """The pointer of every ``$ref`` that resolves to nothing -> its target (computed independently)."""
    found: dict[str, str] = {}
    for where, ref in iter_refs(data):
        try:
            resolve_pointer(data, ref[1:])
        except KeyError:
            found[where + "/$ref"] = ref
    return found


# Cut inside paths (every schema gone), and twice inside components/schemas, at an entry's first line.
TRUNCATIONS = [(0.3, r"^  /"), (0.6, r"^    [A-Za-z]"), (0.85, r"^    [A-Za-z]")]


@pytest.mark.parametrize(("fraction", "boundary"), TRUNCATIONS, ids=["30%", "60%", "85%"])
def test_truncated_openai_reports_every_dangling_ref_in_seconds(tmp_path: Path, fraction: float, boundary: str) -> None:
    path = truncated_openai(tmp_path, fraction, boundary)
    started = time.perf_counter()
    doc = load_document(path)
    with pytest.raises(SpecErrors) as info:
        check_local_refs(doc)
    elapsed = time.perf_counter() - started
    expected = dangling(doc.data)
    assert len(expected) >= 100
    errors = info.value.errors
    assert sorted(e.pointer or "" for e in errors) == sorted(expected)
    lines = doc.text.splitlines()
    for error in errors:
        ref = expected[error.pointer or ""]
        assert error.message == f"dangling $ref: {ref!r} points to nothing in this document"
        assert error.line is not None and lines[error.line - 1].lstrip(" -").startswith("$ref:")
        assert ref in lines[error.line - 1] + lines[error.line]  # long ones are folded: `$ref: >-` + next line
    assert elapsed < 30, f"{len(errors)} dangling refs took {elapsed:.1f} s"  # ~4 s measured at 60%


def test_truncated_openai_through_the_cli(tmp_path: Path) -> None:
    path = truncated_openai(tmp_path, 0.6, r"^    [A-Za-z]")
    doc = load_document(path)
    with pytest.raises(SpecErrors) as info:
        check_local_refs(doc)
    first = min(info.value.errors, key=lambda e: e.line or 0)
    output = tmp_path / "Generated"
    done, elapsed = run_generate(path, output)
    assert done.returncode == 1 and done.stderr.startswith(str(first) + "\n")
    assert done.stderr.endswith(" error(s).\n")
    assert not output.exists()
    assert elapsed < HANG_LIMIT / 2


def test_json_specs_keep_their_lines() -> None:
    # line_of on a JSON text (composed as YAML): the key line of each schema of the OpenAI realtime spec.
    path = SHARED / "specs" / "openai" / "asyncapi.json"
    text = read_text(path)
    lines = text.splitlines()
    names = list(json.loads(text)["components"]["schemas"])
    assert len(names) > 100
    for name in names:
        line = line_of(text, f"/components/schemas/{name}")
        assert line is not None and lines[line - 1].strip().startswith(f'"{name}":')


def test_yaml_dates_stay_strings_and_non_json_tags_are_refused(tmp_path: Path) -> None:
    from autosdk_py.loader import parse_text

    data = parse_text("a: 2024-01-01\nb: !!timestamp 2001-12-14\nc: [1, true, null]\n", tmp_path / "d.yaml")
    assert data == {"a": "2024-01-01", "b": "2001-12-14", "c": [1, True, None]}
    with pytest.raises(SpecError) as caught:
        parse_text("a: 1\nb: !!binary aGVsbG8=\n", tmp_path / "d.yaml")
    assert str(caught.value) == (
        f"{tmp_path / 'd.yaml'}:2: error: unsupported YAML: the YAML tag tag:yaml.org,2002:binary has no JSON "
        "equivalent (column 4)\n"
        "  hint: write the value as plain JSON data (a string, number, boolean, null, list or mapping)"
    )
