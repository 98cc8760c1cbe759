"""Bad input: one clear message (file, JSON pointer, line, hint), non-zero exit, nothing written."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SPECS = Path(__file__).parent / "specs"
BAD = SPECS / "bad"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture()
def output(tmp_path: Path) -> Path:
    """An output folder holding a previous generation of another namespace that must stay untouched."""
    out = tmp_path / "Generated"
    other = out / "other_ns"
    other.mkdir(parents=True)
    (other / ".autosdk-generated").write_text('{"pass": "openapi"}\n')
    (other / "__init__.py").write_text("# previous output\n")
    return out


def line_containing(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


CASES = [
    # file, expected message fragment, expected pointer (None: no pointer), line needle (None: any/no line)
    ("malformed.yaml", "malformed YAML", None, "LINE"),
    ("malformed.json", "malformed JSON", None, "LINE"),
    ("swagger2.json", "Swagger 2.0 is not supported", "/swagger", None),
    ("unknown_kind.yaml", "neither an OpenAPI nor an AsyncAPI document", "/", None),
    ("openapi_4.yaml", "openapi version '4.0.0' is not supported", "/openapi", None),
    ("dangling_ref.yaml", "dangling $ref", "/$ref", "#/components/schemas/Missing"),
    ("not_a_mapping.yaml", "not a mapping", "/", None),
]


@pytest.mark.parametrize(("name", "message", "pointer", "line_needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_spec_is_reported_clearly(
    output: Path, name: str, message: str, pointer: str | None, line_needle: str | None
) -> None:
    spec = BAD / name
    before = tree_digest(output)
    proc = run_cli("generate", str(spec), "--namespace", "bad_ns", "--output", str(output))
    err = proc.stderr
    assert proc.returncode == 1, err
    assert "Traceback" not in err + proc.stdout
    assert f"{spec}" in err, err
    assert message in err, err
    assert "hint:" in err, err
    if pointer is not None:
        match = re.search(r"at: (\S+) \(JSON pointer\)", err)
        assert match, err
        assert match.group(1).endswith(pointer) or match.group(1) == pointer, err
    if line_needle == "LINE":
        assert re.search(re.escape(str(spec)) + r":\d+: error:", err), err
    elif line_needle is not None:
        assert f"{spec}:{line_containing(spec, line_needle)}: error:" in err, err
    assert tree_digest(output) == before
    assert not (output / "bad_ns").exists()
    assert not any(p.name.startswith(".") and "autosdk" in p.name for p in output.iterdir())


def test_missing_file(output: Path, tmp_path: Path) -> None:
    proc = run_cli("generate", str(tmp_path / "nope.yaml"), "--output", str(output))
    assert proc.returncode == 1
    assert "nope.yaml: error: file not found" in proc.stderr
    assert "hint:" in proc.stderr


def test_folder_instead_of_file(output: Path, tmp_path: Path) -> None:
    proc = run_cli("generate", str(tmp_path), "--output", str(output))
    assert proc.returncode == 1
    assert "this is a folder, not a spec file" in proc.stderr


def test_not_utf8(output: Path, tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes("openapi: 3.1.0\ninfo: {title: caf\xe9}\n".encode("latin-1"))
    proc = run_cli("generate", str(spec), "--output", str(output))
    assert proc.returncode == 1
    assert "not UTF-8" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("namespace", ["1abc", "acme..api", "", "---"])
def test_invalid_namespace(output: Path, namespace: str) -> None:
    before = tree_digest(output)
    proc = run_cli("generate", str(SPECS / "petstore_30.yaml"), "--namespace", namespace, "--output", str(output))
    assert proc.returncode == 1, proc.stderr
    assert "invalid --namespace" in proc.stderr
    assert "hint:" in proc.stderr
    assert tree_digest(output) == before


def test_generate_models_takes_a_boolean(output: Path) -> None:
    proc = run_cli("generate", str(SPECS / "petstore_30.yaml"), "--generate-models", "maybe", "--output", str(output))
    assert proc.returncode == 1
    assert "--generate-models takes true or false" in proc.stderr


def test_refuses_to_replace_a_folder_it_did_not_generate(tmp_path: Path) -> None:
    out = tmp_path / "Generated"
    mine = out / "petstore"
    mine.mkdir(parents=True)
    (mine / "precious.py").write_text("# hand-written\n")
    proc = run_cli("generate", str(SPECS / "petstore_30.yaml"), "--namespace", "petstore", "--output", str(out))
    assert proc.returncode == 1
    assert "refusing to replace" in proc.stderr
    assert (mine / "precious.py").read_text() == "# hand-written\n"
    assert sorted(p.name for p in mine.iterdir()) == ["precious.py"]


def test_bad_security_scheme_option(output: Path) -> None:
    proc = run_cli(
        "generate", str(SPECS / "petstore_30.yaml"), "--security-scheme", "Token:Body:x", "--output", str(output)
    )
    assert proc.returncode == 1
    assert "invalid --security-scheme 'Token:Body:x'" in proc.stderr
