"""The models cache (mock/cache.py): generated once per document, checked before use, never trusted blindly."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from autosdk_py.asyncapi.read import load_realtime
from autosdk_py.errors import SpecError
from autosdk_py.mock import MockServer
from autosdk_py.mock.cache import INDEX
from autosdk_py.mock.validate import MessageModels
from autosdk_py.pipeline import GenerateOptions, generate
from tests.mock.mock_helpers import open_ws, recv_frames, tagged, types_of, v3_channel_doc, write_doc

SENDS = {"ping": {"payload": tagged("ping", n={"type": "integer", "minimum": 1})}}
RECEIVES = {
    "pong": {"payload": tagged("pong", n={"type": "integer"})},
    "hello": {"payload": {"$ref": "#/components/schemas/Hello"}},
}


def _doc(extra_schema: bool = False, n_minimum: int = 1) -> dict[str, object]:
    sends = {"ping": {"payload": tagged("ping", n={"type": "integer", "minimum": n_minimum})}}
    document = v3_channel_doc(sends, RECEIVES)
    schemas: dict[str, object] = {"Hello": tagged("hello", motd={"type": "string"})}
    if extra_schema:
        schemas["Unused"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    document["components"] = {"schemas": schemas}
    return document


def _build(path: Path, lines: list[str], use_cache: bool = True) -> MockServer:
    return MockServer.from_spec(path, log=lines.append, use_cache=use_cache)


def _entries(cache: Path) -> list[Path]:
    folder = cache / "models"
    return [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")] if folder.exists() else []


def test_first_start_prepares_second_reuses(tmp_path: Path, cache_dir: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    first: list[str] = []
    _build(path, first)
    assert any(line.startswith("preparing models for 3 message(s) (first start") for line in first), first
    [entry] = _entries(cache_dir)
    index = json.loads((entry / INDEX).read_text(encoding="utf-8"))
    assert index["key"] == entry.name and all(name.startswith("models/") for name in index["files"])
    second: list[str] = []
    mock = _build(path, second)
    assert not any("preparing" in line for line in second), second
    # The cached models validate as the generated ones did.
    ping = mock.channels[0].send[0]
    assert mock.models.check(ping, {"type": "ping", "n": 2}) is None
    assert mock.models.check(ping, {"type": "ping", "n": 0}) is not None


@pytest.mark.parametrize("damage", ["edit", "delete_file", "delete_index", "bad_index"])
def test_damaged_entry_is_regenerated(tmp_path: Path, cache_dir: Path, damage: str) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    _build(path, [])
    [entry] = _entries(cache_dir)
    model_file = next(p for p in (entry / "models").glob("_*.py"))
    if damage == "edit":
        model_file.write_text(model_file.read_text(encoding="utf-8") + "\nraise SystemExit('trusted')\n")
    elif damage == "delete_file":
        model_file.unlink()
    elif damage == "delete_index":
        (entry / INDEX).unlink()
    else:
        (entry / INDEX).write_text("{not json", encoding="utf-8")
    lines: list[str] = []
    mock = _build(path, lines)
    assert any("cached models for this document are damaged" in line for line in lines), lines
    assert any(line.startswith("preparing models") for line in lines), lines
    assert mock.models.check(mock.channels[0].send[0], {"type": "ping", "n": 1}) is None
    again: list[str] = []
    _build(path, again)  # repaired: used as is next time
    assert not any("damaged" in line or "preparing" in line for line in again), again


def test_a_schema_change_is_a_new_entry(tmp_path: Path, cache_dir: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc(n_minimum=1))
    _build(path, [])
    write_doc(tmp_path, "api.yaml", _doc(n_minimum=5))
    lines: list[str] = []
    mock = _build(path, lines)
    assert any(line.startswith("preparing") for line in lines)
    assert len(_entries(cache_dir)) == 2
    assert mock.models.check(mock.channels[0].send[0], {"type": "ping", "n": 2}) is not None


def test_only_reachable_schemas_are_generated(tmp_path: Path, cache_dir: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc(extra_schema=True))
    _build(path, [])
    [entry] = _entries(cache_dir)
    classes = json.loads((entry / INDEX).read_text(encoding="utf-8"))["class_for_schema"]
    assert "Hello" in classes and "Unused" not in classes
    # ... so an unrelated schema does not change the key.
    write_doc(tmp_path, "api.yaml", _doc(extra_schema=False))
    lines: list[str] = []
    _build(path, lines)
    assert not any("preparing" in line for line in lines)


def test_unwritable_cache_is_a_warning(tmp_path: Path, cache_dir: Path) -> None:
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    cache_dir.write_text("a file where the cache folder should be", encoding="utf-8")
    path = write_doc(tmp_path, "api.yaml", _doc())
    mock = _build(path, [])
    assert any("could not be cached" in w and "AUTOSDK_CACHE_DIR" in w for w in mock.warnings), mock.warnings
    assert mock.models.check(mock.channels[0].send[0], {"type": "ping", "n": 1}) is None


def test_no_cache_writes_nothing(tmp_path: Path, cache_dir: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    lines: list[str] = []
    _build(path, lines, use_cache=False)
    assert any("cache disabled" in line for line in lines)
    assert _entries(cache_dir) == []


def test_xdg_cache_home_is_the_fallback(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOSDK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = write_doc(tmp_path, "api.yaml", _doc())
    _build(path, [])
    assert _entries(tmp_path / "xdg" / "autosdk-py" / "mock")


def test_models_from_a_generated_package(tmp_path: Path, cache_dir: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    out = tmp_path / "out"
    generate(GenerateOptions(spec=path, output=out, namespace="mock_cache_pkg"))
    sys.path.insert(0, str(out))
    try:
        _, api = load_realtime(path)
        lines: list[str] = []
        mock = MockServer(api, source=path, package="mock_cache_pkg", log=lines.append)
        assert not any("preparing" in line for line in lines) and _entries(cache_dir) == []
        models = importlib.import_module("mock_cache_pkg.models")
        hello = next(m for m in mock.channels[0].receive if m.name == "hello")
        assert mock.models.class_names[hello.pointer] == models.Hello.__name__
        with mock, open_ws(mock.url_for()) as ws:
            assert types_of(recv_frames(ws, 1)) == ["hello"]  # the greeting, validated by the package's model
            ws.send('{"type": "ping", "n": 0}')
            [error] = recv_frames(ws, 1)
        assert error["error"]["code"] == "invalid_message" and "n" in error["error"]["message"]
    finally:
        sys.path.remove(str(out))


def test_missing_package_is_a_clear_error(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    _, api = load_realtime(path)
    with pytest.raises(SpecError, match="no package 'no_such_mock_pkg'"):
        MessageModels.from_package(api, api.channels, "no_such_mock_pkg")


def test_payloads_are_cached_and_models_built_on_first_use(tmp_path: Path, cache_dir: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    first = _build(path, [])
    [stored] = (cache_dir / "payloads").glob("*.json")
    second = _build(path, [])
    assert second.payloads == first.payloads
    # No model was needed to start: the payloads came from the cache.
    assert second.models._adapters == {}
    with second, open_ws(second.url_for()) as ws:
        assert types_of(recv_frames(ws, 1)) == ["hello"]
        ws.send('{"type": "ping", "n": 0}')  # the "ping" model is built now, and rejects n=0
        [error] = recv_frames(ws, 1)
    assert error["error"]["code"] == "invalid_message"
    # A damaged payloads entry is noticed and chosen again.
    stored.write_text(stored.read_text(encoding="utf-8").replace('"hello"', '"hullo"'), encoding="utf-8")
    lines: list[str] = []
    third = _build(path, lines)
    assert any("cached payloads for this document are damaged" in line for line in lines), lines
    assert third.payloads == first.payloads


def test_package_without_manifest_is_a_clear_error(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "api.yaml", _doc())
    (tmp_path / "pkg" / "mock_no_manifest").mkdir(parents=True)
    (tmp_path / "pkg" / "mock_no_manifest" / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(tmp_path / "pkg"))
    try:
        _, api = load_realtime(path)
        with pytest.raises(SpecError, match="has no models manifest") as info:
            MessageModels.from_package(api, api.channels, "mock_no_manifest")
        assert info.value.hint is not None and "--package x" in info.value.hint
    finally:
        sys.path.remove(str(tmp_path / "pkg"))
