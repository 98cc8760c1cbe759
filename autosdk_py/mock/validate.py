"""Checking frames against the document's payload schemas with pydantic.

The validators are the models a generated SDK would have: ``lift_inline_payloads`` turns the
AsyncAPI document's schemas (only those the served messages reach) into an OpenAPI document,
``generate_models`` turns that into pydantic modules (or the on-disk cache gives the modules
generated at an earlier start, see ``cache.py``), which are imported from memory under a unique
package name and wrapped in ``TypeAdapter`` s on first use. So the mock accepts exactly what a generated client sends and its
payloads are what a generated client decodes, with no JSON Schema library (and no second
interpretation of the schemas) involved.

Frames are validated in pydantic's strict mode from JSON (``validate_json(..., strict=True)``):
``"30"`` is not an integer and ``1.5`` is not a string, as the schema says; JSON strings still
validate as date-times, UUIDs and the like, as JSON mode allows.
"""

from __future__ import annotations

import copy
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import TypeAdapter, ValidationError

from ..asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec
from ..errors import SpecError
from .cache import CachedModels, DamagedEntry, cache_dir, cache_key, read_entry, remove_entry, write_entry

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
    """One ``TypeAdapter`` per JSON message payload of the document (keyed by message pointer).

    With a ``module`` (the generated ``models`` package), the adapters are made on first use:
    building the pydantic classes of a large document takes most of a second, and a start that
    finds its payloads in the cache (see ``server.py``) needs none of them.
    """

    def __init__(
        self,
        adapters: Mapping[str, TypeAdapter[Any]],
        class_names: Mapping[str, str],
        module: Any = None,
        key: str | None = None,
    ) -> None:
        self._adapters = dict(adapters)
        self.class_names = dict(class_names)  # message pointer -> model class name
        self.warnings: list[str] = []
        self.key = key  # the cache key of the model input (None: models of a --package)
        self._module = module
        self._broken: dict[str, str] = {}  # class name -> why it could not be built
        self._lock = threading.Lock()

    @classmethod
    def build(
        cls,
        api: AsyncApiDocument,
        source: Path,
        channels: Sequence[ChannelSpec],
        *,
        use_cache: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> MessageModels:
        """Generate (or reuse from the cache, see ``cache.py``), import and wrap the models of ``channels``."""
        from ..asyncapi.lift import lift_inline_payloads

        say = log or (lambda _line: None)
        synthetic, lifted = lift_inline_payloads(api)
        schema_of: dict[str, str] = {}  # message pointer -> components/schemas key
        for channel in channels:
            for message in channel.messages:
                schema = message.payload_schema or lifted.get(message.pointer)
                if schema is not None and not message.binary:
                    schema_of[message.pointer] = schema
        model_input = prune_to(synthetic, set(schema_of.values()))
        warnings: list[str] = []
        if not schema_of:
            return cls({}, {})
        key = cache_key(model_input)
        root = cache_dir()
        cached: CachedModels | None = None
        if use_cache:
            try:
                cached = read_entry(root, key)
            except DamagedEntry as exc:
                say(f"the cached models for this document are damaged ({exc}); regenerating them")
                remove_entry(root, key)
            except OSError as exc:
                warnings.append(f"cannot read the models cache {root}: {exc.strerror or exc}")
        if cached is None:
            count = len(schema_of)
            note = "first start for this document; cached for next time" if use_cache else "cache disabled"
            say(f"preparing models for {count} message(s) ({note})...")
            started = time.monotonic()
            cached = _generate(model_input, source)
            say(f"models ready in {time.monotonic() - started:.1f} s")
            if use_cache:
                try:
                    write_entry(root, key, cached)
                except OSError as exc:
                    warnings.append(
                        f"the models could not be cached in {root} ({exc.strerror or exc}); "
                        "set AUTOSDK_CACHE_DIR to a writable folder to start faster next time"
                    )
        wanted = {p: cached.class_for_schema[s] for p, s in schema_of.items() if s in cached.class_for_schema}
        result = cls._load(key, cached.files, wanted)
        result.warnings[:0] = warnings
        return result

    @classmethod
    def from_package(cls, api: AsyncApiDocument, channels: Sequence[ChannelSpec], package: str) -> MessageModels:
        """The models of an SDK generated earlier: ``<package>.models``, classes named by its ``_manifest.json``."""
        from ..asyncapi.lift import lift_inline_payloads
        from ..models.manifest import load_manifest

        hint = "pass the package an 'autosdk generate' run wrote (its folder must be importable: on sys.path)"
        if "" not in sys.path and str(Path.cwd()) not in sys.path:
            # ``autosdk generate -o .`` then ``autosdk mock --package x`` in the same folder: the
            # console script does not put the current folder on sys.path, Python's -m does.
            sys.path.append(str(Path.cwd()))
        try:
            found = importlib.util.find_spec(package)
        except (ImportError, ValueError) as exc:
            raise SpecError(f"cannot find the package {package!r}: {exc}", hint=hint) from None
        if found is None or not found.submodule_search_locations:
            raise SpecError(f"no package {package!r} can be imported", hint=hint)
        manifest_path = Path(next(iter(found.submodule_search_locations))) / "_manifest.json"
        try:
            manifest = load_manifest(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SpecError(
                f"{package} has no models manifest (_manifest.json): it holds no generated models",
                file=manifest_path,
                hint="a realtime client generated with --types-namespace x imports its models from x: pass --package x",
            ) from None
        except (OSError, ValueError) as exc:
            raise SpecError(
                f"cannot read the package's models manifest: {exc}",
                file=manifest_path,
                hint="regenerate the package with autosdk generate",
            ) from None
        entries = manifest.get("schemas") or {}
        try:
            models = importlib.import_module(f"{package}.models")
        except Exception as exc:  # any import failure is the package's, reported without a traceback
            raise SpecError(f"cannot import {package}.models: {type(exc).__name__}: {exc}", hint=hint) from None
        _, lifted = lift_inline_payloads(api)
        adapters: dict[str, TypeAdapter[Any]] = {}
        names: dict[str, str] = {}
        missing: list[str] = []
        for channel in channels:
            for message in channel.messages:
                schema = message.payload_schema or lifted.get(message.pointer)
                if schema is None or message.binary or message.pointer in names:
                    continue
                entry = entries.get(schema)
                class_name = entry.get("class_name") if isinstance(entry, dict) else None
                model = getattr(models, class_name, None) if isinstance(class_name, str) else None
                if model is None:
                    missing.append(message.name)
                    continue
                names[message.pointer] = str(class_name)
                adapters[message.pointer] = TypeAdapter(model)
        result = cls(adapters, names)
        if missing:
            result.warnings.append(
                f"{package} has no model for {', '.join(dict.fromkeys(missing))}; these payloads are not validated"
            )
        return result

    @classmethod
    def _load(cls, key: str, files: Mapping[str, str], wanted: Mapping[str, str]) -> MessageModels:
        """Import ``files`` (a ``models`` package) from memory; classes are built on first use."""
        models = _LOADED.get(key)
        if models is None:
            package = f"_autosdk_mock_{uuid.uuid4().hex[:12]}"  # unique: several mocks in one process
            models = _import_from_memory(package, files)
            _LOADED[key] = models  # the same document in this process again: the same classes
        return cls({}, wanted, module=models, key=key)

    def adapter(self, message: MessageSpec) -> TypeAdapter[Any] | None:
        """The message's validator (made now if it was not yet); None when it has none or it is broken."""
        adapter = self._adapters.get(message.pointer)
        if adapter is not None or self._module is None:
            return adapter
        name = self.class_names.get(message.pointer)
        if name is None or name in self._broken:
            return None
        with self._lock:
            try:
                adapter = _adapter(self._module, name)
            except Exception as exc:  # a generator problem in one module must not stop the mock
                self._broken[name] = f"{type(exc).__name__}: {exc}"
                self.warnings.append(
                    f"the model {name} could not be built ({self._broken[name]}); its payloads are not validated"
                )
                return None
            self._adapters[message.pointer] = adapter
        return adapter

    def check_json(self, message: MessageSpec, text: str | bytes) -> str | None:
        """``None`` when the JSON text is a valid payload of ``message``, else pydantic's summary."""
        adapter = self.adapter(message)
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


_LOADED: dict[str, Any] = {}  # cache key -> imported ``models`` module
_ADAPTERS: dict[tuple[int, str], TypeAdapter[Any]] = {}


def _adapter(models: Any, name: str) -> TypeAdapter[Any]:
    """One ``TypeAdapter`` per class and process: building one for a big union takes milliseconds."""
    key = (id(models), name)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(getattr(models, name))
    return _ADAPTERS[key]


def _generate(model_input: Mapping[str, Any], source: Path) -> CachedModels:
    from ..models import generate_models

    output = generate_models(dict(model_input), package="_autosdk_mock", source=source)
    files = {path: text for path, text in output.files.items() if path.startswith("models/")}
    return CachedModels(files, dict(output.class_for_schema))


def prune_to(document: Mapping[str, Any], roots: set[str]) -> dict[str, Any]:
    """``document`` with only the schemas ``roots`` reach through ``#/components/schemas/`` refs.

    Fewer schemas generate faster (a mock serving one channel of a large document) and make the
    cache key depend only on what is served. When a ``$ref`` points anywhere else the document is
    returned whole: pruning it could break that reference.
    """
    schemas = (document.get("components") or {}).get("schemas") or {}
    keep: set[str] = set()
    todo = [r for r in roots if r in schemas]
    prefix = "#/components/schemas/"
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        for ref in _refs(schemas[name]):
            if not ref.startswith(prefix):
                return dict(document)
            target = unquote(ref[len(prefix) :]).replace("~1", "/").replace("~0", "~")
            if "/" in target or target not in schemas:
                return dict(document)
            todo.append(target)
    pruned = dict(document)
    pruned["components"] = {
        **(document.get("components") or {}),
        "schemas": {k: v for k, v in schemas.items() if k in keep},
    }
    return pruned


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class _MemoryModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the modules of one generated package from memory (``package.models._x`` -> source).

    No temporary folder: the files imported are exactly the verified bytes, nothing on disk can
    change them afterwards, and the lazy ``models`` package can import a module at any time.
    """

    def __init__(self, package: str, files: Mapping[str, str]) -> None:
        self.package = package
        self.sources: dict[str, tuple[str, bool]] = {package: ("", True)}
        for relative, text in files.items():
            if not relative.endswith(".py"):
                continue
            parts = relative[: -len(".py")].split("/")
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            self.sources[".".join([package, *parts])] = (text, is_package)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.sources:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, origin=f"<autosdk mock models: {fullname}>", is_package=self.sources[fullname][1]
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: Any) -> None:
        text, _ = self.sources[module.__name__]
        exec(compile(text, module.__spec__.origin, "exec"), module.__dict__)


def _import_from_memory(package: str, files: Mapping[str, str]) -> Any:
    """Import ``<package>.models`` from ``files`` (relative path -> source)."""
    sys.meta_path.append(_MemoryModules(package, files))
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


def match_client_frame(
    channel: ChannelSpec,
    models: MessageModels,
    frame: str | bytes,
    texts: Mapping[str, str] | None = None,
) -> Match:
    """Decide which client message ``frame`` is and validate it.

    Binary frames match the channel's binary client message. Text frames are parsed as JSON; when
    the client messages carry tags (``type``, ``message_type``... with one value each) the tag
    picks the message, else each message is tried in document order and the first valid one wins.

    ``texts`` names the plain-text client messages (pointer -> ``"specific"`` or ``"any"``, see
    ``client_ir.text_message_kind``): they travel as the raw text (``ping``, not ``"ping"``), so
    they take no part in the JSON rule. As in the generated client's decoder, JSON comes first: a
    frame the JSON messages do not take is validated by its raw text against them, in document
    order (the first valid one wins); one that takes any text only takes a frame that is not JSON.
    """
    text_kinds = texts or {}
    if text_kinds and any(m.pointer in text_kinds for m in channel.send):
        text_sends = [m for m in channel.send if m.pointer in text_kinds]
        result = _match_json(channel, models, frame, text_kinds)
        if result.message is not None or not isinstance(frame, str):
            return result
        is_json = result.code != "invalid_json"
        errors: list[str] = []
        for message in text_sends:
            if is_json and text_kinds[message.pointer] != "specific":
                errors.append(f"as {message.name} (plain text): takes any text, but only a frame that is not JSON")
                continue
            problem = models.check(message, frame)
            if problem is None:
                return Match(message, frame)
            errors.append(f"as {message.name} (plain text, sent as the raw text): {problem}")
        code = result.code if result.code != "invalid_json" else "invalid_message"
        error = " | ".join([result.error or "not a JSON message", *errors])
        return Match(None, result.data, event=result.event, error=error, code=code)
    return _match_json(channel, models, frame, text_kinds)


def _match_json(channel: ChannelSpec, models: MessageModels, frame: str | bytes, texts: Mapping[str, str]) -> Match:
    """The JSON rule of :func:`match_client_frame` (binary frames too): plain-text messages take no part."""
    sends = [m for m in channel.send if m.pointer not in texts]
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
        error = "this channel has no JSON client messages" if texts else "this channel has no client messages"
        return Match(None, data, error=error, code="unknown_event")
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
