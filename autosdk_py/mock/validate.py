"""Checking frames against the document's payload schemas with pydantic.

The validators are the models a generated SDK would have: ``lift_inline_payloads`` turns the
AsyncAPI document's schemas into an OpenAPI document, ``generate_models`` turns that into pydantic
modules, which are written to a temporary folder, imported once under a unique package name, and
wrapped in ``TypeAdapter`` s. So the mock accepts exactly what a generated client sends and its
payloads are what a generated client decodes, with no JSON Schema library (and no second
interpretation of the schemas) involved.

Frames are validated in pydantic's strict mode from JSON (``validate_json(..., strict=True)``):
``"30"`` is not an integer and ``1.5`` is not a string, as the schema says; JSON strings still
validate as date-times, UUIDs and the like, as JSON mode allows.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec

__all__ = [
    "Match",
    "MessageModels",
    "default_error_payload",
    "error_summary",
    "match_client_frame",
    "shaped_error_payload",
]

MAX_ERRORS = 5  # in one summary; pydantic can report hundreds for a wrong union


class MessageModels:
    """One ``TypeAdapter`` per JSON message payload of the document (keyed by message pointer)."""

    def __init__(self, adapters: Mapping[str, TypeAdapter[Any]], class_names: Mapping[str, str]) -> None:
        self._adapters = dict(adapters)
        self.class_names = dict(class_names)  # message pointer -> model class name
        self.warnings: list[str] = []

    @classmethod
    def build(cls, api: AsyncApiDocument, source: Path, channels: Sequence[ChannelSpec]) -> MessageModels:
        """Generate, import and wrap the models of the payloads of ``channels`` (once, at startup)."""
        from ..asyncapi.lift import lift_inline_payloads
        from ..models import generate_models

        synthetic, lifted = lift_inline_payloads(api)
        package = f"_autosdk_mock_{uuid.uuid4().hex[:12]}"  # unique: several mocks in one process
        output = generate_models(synthetic, package=package, source=source)
        wanted: dict[str, str] = {}
        for channel in channels:
            for message in channel.messages:
                schema = message.payload_schema or lifted.get(message.pointer)
                class_name = output.class_for_schema.get(schema or "")
                if class_name is not None and not message.binary:
                    wanted[message.pointer] = class_name
        folder = Path(tempfile.mkdtemp(prefix="autosdk-mock-"))
        try:
            root = folder / package
            for relative, text in output.files.items():
                target = root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            (root / "__init__.py").write_text("", encoding="utf-8")
            models = _import_package(package, root)
            # Import every class now: the folder is deleted below, and the lazy ``models``
            # package would otherwise import modules on first use.
            adapters: dict[str, TypeAdapter[Any]] = {}
            broken: dict[str, str] = {}
            for pointer, name in wanted.items():
                if name in broken:
                    continue
                try:
                    adapters[pointer] = TypeAdapter(getattr(models, name))
                except Exception as exc:  # a generator problem in one module must not stop the mock
                    broken[name] = f"{type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        result = cls(adapters, wanted)
        result.warnings.extend(
            f"the model {name} could not be built ({problem}); its payloads are not validated"
            for name, problem in broken.items()
        )
        return result

    def adapter(self, message: MessageSpec) -> TypeAdapter[Any] | None:
        return self._adapters.get(message.pointer)

    def check_json(self, message: MessageSpec, text: str | bytes) -> str | None:
        """``None`` when the JSON text is a valid payload of ``message``, else pydantic's summary."""
        adapter = self._adapters.get(message.pointer)
        if adapter is None:
            return None  # no schema: anything goes
        try:
            adapter.validate_json(text, strict=True)
        except ValidationError as exc:
            return error_summary(exc)
        return None

    def check(self, message: MessageSpec, value: Any) -> str | None:
        """The same for a JSON-compatible Python value (serialized first: JSON mode, strict)."""
        return self.check_json(message, json.dumps(value))


def _import_package(package: str, root: Path) -> Any:
    """Import ``<package>.models`` from ``root`` without putting the folder on ``sys.path``."""
    spec = importlib.util.spec_from_file_location(package, root / "__init__.py", submodule_search_locations=[str(root)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    return importlib.import_module(f"{package}.models")


def error_summary(exc: ValidationError) -> str:
    """pydantic's errors on one line: ``duration_s: Input should be ...; plant_id: Field required``."""
    parts: list[str] = []
    errors = exc.errors(include_url=False)
    for error in errors[:MAX_ERRORS]:
        location = ".".join(str(part) for part in error["loc"]) or "(payload)"
        parts.append(f"{location}: {error['msg']}")
    if len(errors) > MAX_ERRORS:
        parts.append(f"and {len(errors) - MAX_ERRORS} more error(s)")
    return "; ".join(parts)


@dataclass(frozen=True)
class Match:
    """What a client frame is: its message, or why it is none (``error`` / ``code``)."""

    message: MessageSpec | None
    data: Any  # the parsed JSON (None for binary or non-JSON frames)
    event: Any = None  # the frame's tag value, when it has one (for the error frame)
    error: str | None = None
    code: str | None = None  # invalid_json, binary_not_expected, unknown_event, invalid_message


def match_client_frame(channel: ChannelSpec, models: MessageModels, frame: str | bytes) -> Match:
    """Decide which client message ``frame`` is and validate it.

    Binary frames match the channel's binary client message. Text frames are parsed as JSON; when
    the client messages carry tags (``type``, ``message_type``... with one value each) the tag
    picks the message, else each message is tried in document order and the first valid one wins.
    """
    sends = channel.send
    json_sends = [m for m in sends if not m.binary]
    if isinstance(frame, bytes):
        binary = next((m for m in sends if m.binary), None)
        if binary is not None:
            return Match(binary, None)
        try:  # some clients send JSON in binary frames; take it as the text it is
            frame = frame.decode("utf-8")
            json.loads(frame)
        except ValueError:  # UnicodeDecodeError is a ValueError too
            return Match(
                None,
                None,
                error="a binary frame, but this channel's client messages are JSON text",
                code="binary_not_expected",
            )
    try:
        data = json.loads(frame)
    except ValueError as exc:
        # A message declared as plain text (contentType text/plain...) takes any text.
        plain = next((m for m in json_sends if m.content_type and "json" not in m.content_type), None)
        if plain is not None:
            return Match(plain, frame)
        return Match(None, None, error=f"the frame is not JSON: {exc}", code="invalid_json")
    tagged = [m for m in json_sends if m.tag is not None]
    event: Any = None
    candidates: list[MessageSpec]
    if tagged:
        props = list(dict.fromkeys(m.tag[0] for m in tagged if m.tag is not None))
        if isinstance(data, dict):
            event = next((data[p] for p in props if p in data), None)
        chosen = [m for m in tagged if isinstance(data, dict) and m.tag is not None and data.get(m.tag[0]) == m.tag[1]]
        candidates = chosen or [m for m in json_sends if m.tag is None]
        if not candidates:
            expected = ", ".join(repr(m.tag[1]) for m in tagged if m.tag is not None)
            field = " or ".join(repr(p) for p in props)
            if event is None:
                error = f"the message has no {field} field; expected one of {expected}"
            else:
                error = f"unknown {field} value {event!r}; expected one of {expected}"
            return Match(None, data, event=event, error=error, code="unknown_event")
    else:
        candidates = json_sends
    if not candidates:
        return Match(None, data, error="this channel has no client messages", code="unknown_event")
    errors: list[str] = []
    for message in candidates:
        problem = models.check_json(message, frame)
        if problem is None:
            return Match(message, data, event=event)
        errors.append(problem if len(candidates) == 1 else f"as {message.name}: {problem}")
    return Match(None, data, event=event, error=" | ".join(errors), code="invalid_message")


# --- error frames ------------------------------------------------------------------------------

# Where the document's own error message may carry what went wrong, in order of preference.
_TEXT_PATHS: tuple[tuple[str, ...], ...] = (
    ("error", "message"),
    ("message",),
    ("error",),
    ("detail",),
    ("reason",),
    ("description",),
)
_CODE_PATHS: tuple[tuple[str, ...], ...] = (("error", "code"), ("code",), ("error_code",))
_TYPE_PATHS: tuple[tuple[str, ...], ...] = (("error", "type"), ("error_type",))
_EVENT_ID_PATHS: tuple[tuple[str, ...], ...] = (("error", "event_id"),)


def default_error_payload(match: Match) -> dict[str, Any]:
    """The error frame when the document has no error message of its own (see the package docs)."""
    return {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "code": match.code or "invalid_message",
            "message": match.error or "invalid message",
            "event": match.event,
        },
    }


def _get(payload: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(payload, dict) or key not in payload:
            return _ABSENT
        payload = payload[key]
    return payload


_ABSENT: Any = object()


def _with(payload: Any, path: Sequence[str], value: Any) -> Any:
    """A copy of ``payload`` with ``value`` at ``path`` (intermediate objects created)."""
    result = copy.deepcopy(payload) if isinstance(payload, dict) else {}
    node = result
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return result


def shaped_error_payload(
    models: MessageModels,
    message: MessageSpec,
    base: Any,
    match: Match,
    declared: Callable[[Sequence[str]], bool],
) -> Any | None:
    """``base`` (a valid payload of the document's error message) telling what went wrong.

    A field is only written where ``base`` has it or the schema declares it, and only when the
    result still validates; ``None`` when no field can carry the text (then the default frame is
    used).
    """

    def place(payload: Any, paths: Sequence[tuple[str, ...]], value: Any) -> Any | None:
        for path in paths:
            if _get(base, path) is _ABSENT and not declared(path):
                continue
            trial = _with(payload, path, value)
            if models.check(message, trial) is None:
                return trial
        return None

    text = match.error or "invalid message"
    payload = place(base, _TEXT_PATHS, text)
    if payload is None:
        return None
    client_event_id = match.data.get("event_id") if isinstance(match.data, dict) else None
    overlays: list[tuple[Sequence[tuple[str, ...]], Any]] = [
        (_CODE_PATHS, match.code or "invalid_message"),
        (_TYPE_PATHS, "invalid_request_error"),
    ]
    if isinstance(client_event_id, str):
        overlays.append((_EVENT_ID_PATHS, client_event_id))
    for paths, value in overlays:
        payload = place(payload, paths, value) or payload
    return payload
