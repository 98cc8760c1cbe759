"""multipart/form-data and urlencoded form bodies, parsed back by hand on the server side."""

from __future__ import annotations

import enum
import io
from pathlib import Path

import pytest
from pydantic import BaseModel

from autosdk_py.runtime import NOT_GIVEN, RequestOptions
from tests.http_server import MultipartPart, RecordingServer, Reply, json_reply
from tests.runtime.harness import Api

BINARY = b"\x00\xff\r\n--not-a-boundary\r\n\x89PNG"


class Purpose(enum.Enum):
    FINE_TUNE = "fine-tune"


class Options(BaseModel):
    language: str


@pytest.fixture(autouse=True)
def _ok(server: RecordingServer) -> None:
    server.set_handler(lambda request: json_reply({"id": "file-1"}))


def _by_name(parts: list[MultipartPart]) -> dict[str, list[MultipartPart]]:
    grouped: dict[str, list[MultipartPart]] = {}
    for part in parts:
        grouped.setdefault(part.name or "", []).append(part)
    return grouped


def test_multipart_files_and_fields(api: Api, server: RecordingServer, tmp_path: Path) -> None:
    on_disk = tmp_path / "notes.txt"
    on_disk.write_bytes(b"from disk")
    result = api.request(
        "POST",
        "/files",
        cast_to=dict[str, str],
        files={
            "raw": BINARY,
            "named": ("clip.wav", b"RIFF....", "audio/wav"),
            "pair": ("data.jsonl", io.BytesIO(b'{"a":1}\n')),
            "many": [("a.txt", b"A"), ("b.txt", b"B", "text/plain")],
            "path": on_disk,
            "skipped": NOT_GIVEN,
        },
        data={
            "purpose": Purpose.FINE_TUNE,
            "count": 3,
            "ratio": 0.25,
            "stream": False,
            "tags": ["x", "y"],
            "meta": {"k": [1, 2]},
            "options": Options(language="fr"),
            "title": "héllo",
            "none": None,
            "absent": NOT_GIVEN,
        },
    )
    assert result == {"id": "file-1"}
    request = server.last
    assert (request.header("content-type") or "").startswith("multipart/form-data; boundary=")
    parts = _by_name(request.multipart())

    raw = parts["raw"][0]
    assert raw.data == BINARY
    assert raw.filename == "upload"
    assert raw.content_type == "application/octet-stream"

    named = parts["named"][0]
    assert (named.filename, named.content_type, named.data) == ("clip.wav", "audio/wav", b"RIFF....")

    pair = parts["pair"][0]
    assert (pair.filename, pair.data) == ("data.jsonl", b'{"a":1}\n')

    assert [(p.filename, p.data, p.content_type) for p in parts["many"]] == [
        ("a.txt", b"A", "text/plain"),
        ("b.txt", b"B", "text/plain"),
    ]
    assert (parts["path"][0].filename, parts["path"][0].data) == ("notes.txt", b"from disk")

    def field(name: str) -> list[str]:
        return [p.data.decode() for p in parts[name] if p.filename is None]

    assert field("purpose") == ["fine-tune"]
    assert field("count") == ["3"]
    assert field("ratio") == ["0.25"]
    assert field("stream") == ["false"]
    assert field("tags") == ["x", "y"]
    assert field("meta") == ['{"k":[1,2]}']
    assert field("options") == ['{"language":"fr"}']
    assert field("title") == ["héllo"]
    assert not {"skipped", "none", "absent"} & parts.keys()


def test_file_objects_are_read_once_and_resent_on_retry(api: Api, server: RecordingServer) -> None:
    server.route("POST", "/upload", Reply(503, {}, b""), json_reply({"id": "file-2"}))
    stream = io.BytesIO(BINARY)
    stream.name = "/some/dir/photo.png"
    api.request("POST", "/upload", cast_to=object, files={"file": stream}, data={"purpose": "vision"})
    first, second = server.requests
    assert first.multipart() == second.multipart()  # same parts (the boundary is random per attempt)
    part = _by_name(second.multipart())["file"][0]
    assert (part.filename, part.content_type, part.data) == ("photo.png", "image/png", BINARY)


def test_extra_body_is_merged_into_form_fields(api: Api, server: RecordingServer) -> None:
    api.request(
        "POST",
        "/files",
        cast_to=object,
        files={"file": ("a.txt", b"A")},
        data={"purpose": "x"},
        options=RequestOptions(extra_body={"purpose": "override", "beta": True}),
    )
    parts = _by_name(server.last.multipart())
    assert [p.data for p in parts["purpose"]] == [b"override"]
    assert [p.data for p in parts["beta"]] == [b"true"]


def test_urlencoded_form_when_only_data_is_given(api: Api, server: RecordingServer) -> None:
    api.request(
        "POST",
        "/oauth/token",
        cast_to=object,
        data={"grant_type": "client_credentials", "scope": ["read", "write"], "remember": True, "x": None},
    )
    assert server.last.header("content-type") == "application/x-www-form-urlencoded"
    assert server.last.form() == {
        "grant_type": ["client_credentials"],
        "scope": ["read", "write"],
        "remember": ["true"],
    }


def test_text_mode_file_is_rejected_before_sending(api: Api, server: RecordingServer) -> None:
    with pytest.raises(TypeError, match="binary mode"):
        api.request("POST", "/files", cast_to=object, files={"file": io.StringIO("text")})
    with pytest.raises(TypeError, match=r"pathlib\.Path"):
        api.request("POST", "/files", cast_to=object, files={"file": "notes.txt"})
    assert server.requests == []
