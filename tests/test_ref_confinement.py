"""Files named by a spec are read only inside the root spec's folder tree, never over the network.

An AsyncAPI ``$ref`` or a Fern import to an absolute path, out through ``..``, through a symbolic link
or as a ``file:`` URL is refused (exit 1, the whole message compared, nothing written, the outside
file's content nowhere); a relative ``$ref`` into a subfolder still works, ``--allow-ref-root`` widens
the tree, and a remote ``$ref`` stays untyped without any connection being made.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from autosdk_py.errors import SpecError
from autosdk_py.fern import parse_fern

SECRET = "password_is_hunter2"
PAYLOAD_LINE = 9
PAYLOAD_POINTER = "/channels/room/messages/note/payload/$ref"


def asyncapi(ref: str) -> str:
    return f"""asyncapi: 3.0.0
info: {{title: Confined, version: '1'}}
channels:
  room:
    address: /room
    messages:
      note:
        payload:
          $ref: '{ref}'
operations:
  sendNote:
    action: send
    channel: {{$ref: '#/channels/room'}}
    messages: [{{$ref: '#/channels/room/messages/note'}}]
"""


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """tmp/outside.yaml (a secret), tmp/spec/sub/inner.yaml, tmp/spec/link.yaml -> ../outside.yaml."""
    schema = f"{{type: object, properties: {{{SECRET}: {{type: string}}}}}}"
    (tmp_path / "outside.yaml").write_text(f"Secret: {schema}\n", encoding="utf-8")
    (tmp_path / "outside.yml").write_text("types:\n  Secret:\n    properties:\n      " + SECRET + ": string\n")
    (tmp_path / "spec" / "sub").mkdir(parents=True)
    (tmp_path / "spec" / "sub" / "inner.yaml").write_text(
        "Inner: {type: object, properties: {text: {type: string}}}\n", encoding="utf-8"
    )
    os.symlink("../outside.yaml", tmp_path / "spec" / "link.yaml")
    return tmp_path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AUTOSDK_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "autosdk_py", *args], capture_output=True, text=True, env=env, timeout=120
    )


def hint(folder: Path) -> str:
    return (
        f"  hint: keep referenced files in {folder} or below it and name them with a relative path "
        "(e.g. './common.yaml'), or allow another folder with --allow-ref-root DIR"
    )


def refused(spec: Path, ref: str, reason: str, line: int = PAYLOAD_LINE, pointer: str = PAYLOAD_POINTER) -> str:
    return (
        f"{spec}:{line}: error: $ref {ref!r} is refused: {reason}\n  at: {pointer} (JSON pointer)\n"
        + hint(spec.parent)
        + "\n"
    )


def generate_refused(tree: Path, ref: str, expected_reason: str, *extra: str) -> None:
    spec = tree / "spec" / "api.yaml"
    spec.write_text(asyncapi(ref), encoding="utf-8")
    output = tree / "Generated"
    done = run_cli("generate", str(spec), "--output", str(output), "--quiet", *extra)
    assert (done.returncode, done.stderr, done.stdout) == (1, refused(spec, ref, expected_reason), "")
    assert not output.exists()


def test_absolute_path_is_refused(tree: Path) -> None:
    folder = tree / "spec"
    ref = f"{tree / 'outside.yaml'}#/Secret"
    generate_refused(tree, ref, f"it is an absolute path; autosdk reads only files inside the spec's folder ({folder})")


def test_dot_dot_escape_is_refused(tree: Path) -> None:
    folder = tree / "spec"
    generate_refused(tree, "../outside.yaml#/Secret", f"its '..' leads out of the spec's folder ({folder})")


def test_symlink_out_of_the_tree_is_refused(tree: Path) -> None:
    folder = tree / "spec"
    target = (tree / "outside.yaml").resolve()
    reason = f"it goes through a symbolic link to {target}, outside the spec's folder ({folder})"
    generate_refused(tree, "link.yaml#/Secret", reason)


def test_file_url_is_refused(tree: Path) -> None:
    folder = tree / "spec"
    reason = f"it is a file: URL; autosdk reads only files inside the spec's folder ({folder})"
    generate_refused(tree, "file:///etc/passwd", reason)


def test_allowed_root_does_not_allow_absolute_paths(tree: Path) -> None:
    folders = f"{tree / 'spec'}, {tree}"
    ref = f"{tree / 'outside.yaml'}#/Secret"
    reason = (
        f"it is an absolute path; autosdk reads only files inside the spec's folder and the allowed ones ({folders})"
    )
    generate_refused(tree, ref, reason, "--allow-ref-root", str(tree))


def generated_text(output: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(output.rglob("*.py")))


def test_relative_ref_into_a_subfolder_still_works(tree: Path) -> None:
    spec = tree / "spec" / "api.yaml"
    spec.write_text(asyncapi("./sub/inner.yaml#/Inner"), encoding="utf-8")
    output = tree / "Generated"
    done = run_cli("generate", str(spec), "--namespace", "confined", "--output", str(output), "--quiet")
    assert (done.returncode, done.stderr) == (0, "")
    assert "class Inner(" in generated_text(output / "confined")


def test_allow_ref_root_widens_the_tree(tree: Path) -> None:
    spec = tree / "spec" / "api.yaml"
    spec.write_text(asyncapi("../outside.yaml#/Secret"), encoding="utf-8")
    output = tree / "Generated"
    args = ("generate", str(spec), "--namespace", "widened", "--output", str(output), "--quiet")
    done = run_cli(*args, "--allow-ref-root", str(tree))
    assert (done.returncode, done.stderr) == (0, "")
    assert SECRET in generated_text(output / "widened")


def test_docs_refuses_too(tree: Path) -> None:
    spec = tree / "spec" / "api.yaml"
    spec.write_text(asyncapi("../outside.yaml#/Secret"), encoding="utf-8")
    output = tree / "docs"
    done = run_cli("docs", str(spec), "--output", str(output), "--quiet")
    reason = f"its '..' leads out of the spec's folder ({tree / 'spec'})"
    assert (done.returncode, done.stderr) == (1, refused(spec, "../outside.yaml#/Secret", reason))
    assert not output.exists()


def test_remote_ref_stays_untyped_without_a_connection(tree: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        ref = f"http://127.0.0.1:{listener.getsockname()[1]}/schemas.yaml#/Secret"
        spec = tree / "spec" / "api.yaml"
        spec.write_text(asyncapi(ref), encoding="utf-8")
        output = tree / "Generated"
        done = run_cli("generate", str(spec), "--namespace", "remote", "--output", str(output))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert done.returncode == 0, done.stderr
    note = (
        f"note: {spec}: remote $ref {ref!r} at /channels/room/messages/note/payload is not resolved "
        "(no network access); that part of the document stays untyped"
    )
    assert note in done.stderr.splitlines()
    assert (output / "remote").is_dir()


# --- Fern imports ----------------------------------------------------------------------------------


def fern_channel(imports: str) -> str:
    return f"""imports:
  secret: {imports}
channel:
  path: /x
  auth: false
  messages:
    reading:
      origin: server
      body: secret.Secret
"""


@pytest.mark.parametrize("kind", ["dot-dot", "absolute"])
def test_fern_import_out_of_the_tree_is_refused(tree: Path, kind: str) -> None:
    spec = tree / "spec" / "chat.yml"
    target = "../outside.yml" if kind == "dot-dot" else str(tree / "outside.yml")
    spec.write_text(fern_channel(target), encoding="utf-8")
    output = tree / "Generated"
    done = run_cli("generate", str(spec), "--output", str(output), "--quiet")
    folder = tree / "spec"
    reason = (
        f"its '..' leads out of the spec's folder ({folder})"
        if kind == "dot-dot"
        else f"it is an absolute path; autosdk reads only files inside the spec's folder ({folder})"
    )
    expected = (
        f"{spec}:2: error: import 'secret' ({target!r}) is refused: {reason}\n"
        "  at: /imports/secret (JSON pointer)\n" + hint(folder) + "\n"
    )
    assert (done.returncode, done.stderr) == (1, expected)
    assert not output.exists()


def test_fern_imports_reach_the_whole_definition(tmp_path: Path) -> None:
    # fern/definition/api.yml marks the definition's root: sub/chat.yml may import ../common.yml.
    definition = tmp_path / "fern" / "definition"
    (definition / "sub").mkdir(parents=True)
    (definition / "api.yml").write_text("name: confined\n", encoding="utf-8")
    (definition / "common.yml").write_text("types:\n  Secret:\n    properties:\n      text: string\n")
    chat = definition / "sub" / "chat.yml"
    chat.write_text(fern_channel("../common.yml"), encoding="utf-8")
    assert "Secret" in parse_fern(chat).schemas
    (tmp_path / "fern" / "outside.yml").write_text("types:\n  Secret:\n    properties:\n      text: string\n")
    chat.write_text(fern_channel("../../outside.yml"), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        parse_fern(chat)
    root = definition.resolve()
    assert str(info.value) == (
        f"{chat}:2: error: import 'secret' ('../../outside.yml') is refused: its '..' leads out of the spec's "
        f"folder ({root})\n  at: /imports/secret (JSON pointer)\n" + hint(root)
    )
