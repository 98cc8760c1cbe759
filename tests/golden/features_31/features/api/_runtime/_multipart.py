"""Form fields and files for ``multipart/form-data`` and ``application/x-www-form-urlencoded`` bodies."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path

import pydantic

from ._encoding import is_omitted, json_text, stringify
from ._types import FileTypes, NotGiven

__all__ = [
    "EncodedFile",
    "empty_multipart_body",
    "encode_files",
    "encode_form_fields",
    "fields_as_parts",
    "is_multipart",
]

# What httpx accepts for one file part: (filename, content, content type or None to guess).
EncodedFile = tuple[str | None, bytes, str | None]

_SCALARS = (str, int, float, bool, Enum)


def _field_value(value: object) -> str | list[str]:
    if isinstance(value, _SCALARS):
        return stringify(value)
    if isinstance(value, list | tuple):
        present = [item for item in value if not is_omitted(item)]
        if all(isinstance(item, _SCALARS) for item in present):
            return [stringify(item) for item in present]
    # Form encodings have no notation for nested data; JSON text is what servers conventionally accept.
    if isinstance(value, Mapping | list | tuple | pydantic.BaseModel):
        return json_text(value)
    return stringify(value)


def encode_form_fields(
    *layers: Mapping[str, object] | None,
) -> dict[str, str | list[str]]:
    """Encode form fields; a list of scalars becomes a repeated field, later layers win."""
    fields: dict[str, str | list[str]] = {}
    for layer in layers:
        for name, value in (layer or {}).items():
            if is_omitted(value):
                fields.pop(name, None)
                continue
            encoded = _field_value(value)
            if encoded == []:
                fields.pop(name, None)
            else:
                fields[name] = encoded
    return fields


def _read(content: object, what: str) -> bytes:
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    read = getattr(content, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, bytes):
            return data
        raise TypeError(
            f"{what}: file objects must be opened in binary mode, got {type(data).__name__}"
        )
    raise TypeError(
        f"{what}: expected bytes or a binary file object, got {type(content).__name__}"
    )


def _encode_file(field: str, value: object) -> EncodedFile:
    # Everything is read up front so that a retry can send the very same bytes again.
    if isinstance(value, tuple):
        if len(value) not in (2, 3):
            raise TypeError(
                f"file {field!r}: expected (filename, content[, content_type]), got {value!r}"
            )
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) == 3 else None
        return (filename, _read(content, f"file {field!r}"), content_type)
    if isinstance(value, str):
        raise TypeError(
            f"file {field!r}: pass a pathlib.Path to upload a file by path, or bytes for content"
        )
    if isinstance(value, os.PathLike):
        path = Path(value)
        return (path.name, path.read_bytes(), None)
    name = getattr(value, "name", None)
    filename = os.path.basename(name) if isinstance(name, str) and name else "upload"
    return (filename, _read(value, f"file {field!r}"), None)


def encode_files(
    files: Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven] | None,
) -> list[tuple[str, EncodedFile]]:
    """Read every file into memory; a list of files becomes a repeated part."""
    encoded: list[tuple[str, EncodedFile]] = []
    for field, value in (files or {}).items():
        if is_omitted(value):
            continue
        # A (filename, content) tuple is itself one file; a sequence of files starts with a non-name.
        if isinstance(value, list) or (
            isinstance(value, tuple) and value and not isinstance(value[0], str | None)
        ):
            encoded.extend(
                (field, _encode_file(field, item))
                for item in value
                if not is_omitted(item)
            )
        else:
            encoded.append((field, _encode_file(field, value)))
    return encoded


def is_multipart(content_type: str | None) -> bool:
    """Whether an operation's declared body media type is ``multipart/form-data``."""
    if content_type is None:
        return False
    return content_type.partition(";")[0].strip().lower() == "multipart/form-data"


def fields_as_parts(
    fields: Mapping[str, str | list[str]],
) -> list[tuple[str, EncodedFile]]:
    """Form fields as file-less parts, in order (a list is a repeated part).

    httpx writes ``multipart/form-data`` only when it has files, and would send plain fields as
    ``application/x-www-form-urlencoded``; a ``(None, value, None)`` file is a part without
    filename or Content-Type, byte for byte what httpx writes for a plain field.
    """
    return [
        (name, (None, item.encode("utf-8"), None))
        for name, value in fields.items()
        for item in ([value] if isinstance(value, str) else value)
    ]


def empty_multipart_body() -> tuple[str, bytes]:
    """``(Content-Type, body)`` of a multipart body without parts: the close delimiter only.

    What a multipart operation sends when the caller gives no field and no file (httpx cannot
    write it): the body still declares the media type the operation requires.
    """
    boundary = secrets.token_hex(16)
    return f"multipart/form-data; boundary={boundary}", f"--{boundary}--\r\n".encode()
