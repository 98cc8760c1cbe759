"""Holding real sessions with generated realtime clients against ``autosdk mock --all-messages``.

Used by the behavioural corpus test: for one generated package and the document it came from, each
WebSocket channel's sync and async clients connect with their required arguments, send every client
message once (built from the spec's examples, else synthesized, and validated by the payload class
before it is sent) and receive every server message, which must arrive as its own generated class
(binary messages as ``bytes``; messages whose payload is any JSON as that JSON value; plain-text
messages, ``contentType: text/plain``, as the ``str`` their type validates).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
import typing
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pydantic

from autosdk_py.asyncapi.client_ir import send_method_name
from autosdk_py.asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec, ParamSpec
from autosdk_py.mock import MockServer
from autosdk_py.mock.synth import Synthesizer, candidates
from autosdk_py.naming import snake_case

RECV_TIMEOUT = 10.0
SESSION_LINES: list[str] = []  # one per document, printed after the run (tests/conftest.py)


@dataclass
class ChannelReport:
    channel: str
    sends: int = 0
    typed_receives: int = 0
    problems: list[str] = field(default_factory=list)


def client_modules(package: ModuleType) -> list[ModuleType]:
    """The generated channel modules of a realtime package (one per client)."""
    modules = []
    for name in package.__all__:
        cls = getattr(package, name)
        if inspect.isclass(cls) and name.endswith("Client") and not name.startswith("Async"):
            modules.append(sys.modules[cls.__module__])
    return list(dict.fromkeys(modules))


def channel_of(module: ModuleType, api: AsyncApiDocument) -> ChannelSpec:
    served = [c for c in api.channels if c.protocol_ok and c.address is not None]
    matches = [c for c in served if (c.address or "/") == module.ADDRESS]
    if len(matches) != 1:
        keys = [c.key for c in matches]
        raise AssertionError(f"{module.__name__}: ADDRESS {module.ADDRESS!r} matches channels {keys}")
    return matches[0]


def _param_value(synth: Synthesizer, param: ParamSpec) -> Any:
    if param.enum:
        return param.enum[0]
    if param.default is not None:
        return param.default
    for value in candidates(synth, param.schema or {"type": "string"}):
        if value is not None:
            return value
    return "x"


def connect_arguments(client: Any, channel: ChannelSpec, api: AsyncApiDocument, synth: Synthesizer) -> dict[str, Any]:
    """A value for every required keyword of ``client.connect`` (from the spec's parameter schemas)."""
    params = [*channel.path_params, *channel.query_params, *channel.header_params]
    params += [v for s in api.servers for v in s.variables]
    by_name: dict[str, ParamSpec] = {}
    for p in params:
        by_name.setdefault(snake_case(p.name), p)
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(client.connect).parameters.items():
        if parameter.default is not inspect.Parameter.empty or parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        spec = by_name.get(name) or by_name.get(name.rstrip("_"))
        arguments[name] = _param_value(synth, spec) if spec is not None else "x"
    return arguments


def outgoing(
    message: MessageSpec, connection_class: type, models: ModuleType | None, synth: Synthesizer
) -> tuple[str, Any]:
    """The ``send_*`` method for a client message and a value it accepts (validated by its class)."""
    method = send_method_name(message)
    if not hasattr(connection_class, method):
        raise AssertionError(f"no {method}() for client message {message.name!r}")
    annotation = inspect.signature(getattr(connection_class, method)).parameters["message"].annotation
    if annotation in ("bytes", bytes):
        return method, bytes(16)
    payload_class = getattr(models, str(annotation)) if models is not None else None
    if payload_class is None:
        raise AssertionError(f"{method}(): cannot find its payload class {annotation!r}")
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(payload_class)
    errors = []
    for value in candidates(synth, message.payload or {}, message.examples, message.tag):
        try:
            return method, adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            errors.append(str(exc).splitlines()[0])
    raise AssertionError(f"{method}(): no example or synthesized payload validates: {errors[:3]}")


def expected_kind(message: MessageSpec, server: MockServer) -> str | None:
    """The class name a server message must arrive as; ``bytes`` for binary; None for any JSON."""
    if message.binary:
        return "bytes"
    return server.models.class_names.get(message.pointer)


def check_received(message: MessageSpec, received: Any, server: MockServer, models: ModuleType | None) -> str | None:
    """Why ``received`` is not what ``message`` must arrive as (None when it is).

    A message whose payload may be any JSON has no class to arrive as: the decoder's rule keeps such
    types out of matching, so it arrives as ``UnknownMessage`` (holding the raw frame) or as the JSON
    value, and must never arrive as another message's class. A message whose type is an alias (a
    ``Literal``, a list...) arrives as one of its classes or as a value the alias validates
    (strictly); a plain-text message as a ``str``.
    """
    kind = expected_kind(message, server)
    got = type(received).__name__
    alias = getattr(models, kind, None) if models is not None and kind is not None else None
    if kind is None or (alias is not None and _is_any_json(alias)):
        return None if not isinstance(received, pydantic.BaseModel) else f"{message.name}: any-JSON arrived as {got}"
    if got == "UnknownMessage":
        return f"{message.name}: arrived as UnknownMessage ({(received.error or '')[:300]})"
    if kind == "bytes":
        return None if isinstance(received, bytes) else f"{message.name}: binary message arrived as {got}"
    if got == kind:
        return None
    if message.pointer in server.text_messages and not isinstance(received, str):
        return f"{message.name}: plain-text message arrived as {got}, expected a str ({kind})"
    if alias is not None and not inspect.isclass(alias):  # a type alias: one of its members, or the value itself
        members = _members(alias)
        if type(received) in members:
            return None
        if not isinstance(received, pydantic.BaseModel):
            try:
                pydantic.TypeAdapter(alias).validate_python(received, strict=True)
            except pydantic.ValidationError as exc:
                return f"{message.name}: {received!r:.100} is not a {kind}: {str(exc).splitlines()[-1][:200]}"
            return None
        kind = f"{kind} (one of {', '.join(sorted(m.__name__ for m in members))})"
    return f"{message.name}: arrived as {got}, expected {kind}"


def _is_any_json(annotation: Any) -> bool:
    value = getattr(annotation, "__value__", annotation)
    return value is Any or (typing.get_origin(value) is dict and typing.get_args(value)[1:] == (Any,))


def _members(annotation: Any) -> set[type]:
    """The classes a type alias (unions, Annotated, aliases of aliases) can hold."""
    if inspect.isclass(annotation):
        return {annotation}
    value = getattr(annotation, "__value__", None)  # a PEP 695 alias
    if value is not None:
        return _members(value)
    return {cls for arg in typing.get_args(annotation) for cls in _members(arg)}


def unique_receives(channel: ChannelSpec) -> list[MessageSpec]:
    seen: set[str] = set()
    result = []
    for m in channel.receive:
        if m.pointer not in seen:
            seen.add(m.pointer)
            result.append(m)
    return result


def _prepare(
    module: ModuleType,
    channel: ChannelSpec,
    api: AsyncApiDocument,
    server: MockServer,
    models: ModuleType | None,
    aio: bool,
) -> tuple[ChannelReport, Any, dict[str, Any], list[tuple[str, Any]]]:
    """The report, the client, its connect() arguments and the sends of one session (``__all__`` lists the
    async client and connection first, then the sync ones)."""
    synth = Synthesizer(api.data)
    first = 0 if aio else 2
    client = getattr(module, module.__all__[first])(api_key="sk-test", base_url=server.url, reconnect=None)
    sends = [outgoing(m, getattr(module, module.__all__[first + 1]), models, synth) for m in channel.send]
    return ChannelReport(channel.key), client, connect_arguments(client, channel, api, synth), sends


def _record(report: ChannelReport, problem: str | None) -> None:
    report.problems.extend([problem] if problem else [])
    report.typed_receives += problem is None


def run_sync(
    module: ModuleType, channel: ChannelSpec, api: AsyncApiDocument, server: MockServer, models: ModuleType | None
) -> ChannelReport:
    report, client, arguments, sends = _prepare(module, channel, api, server, models, aio=False)
    with client.connect(**arguments) as ws:
        for method, value in sends:
            getattr(ws, method)(value)
            report.sends += 1
        for message in unique_receives(channel):
            _record(report, check_received(message, ws.recv(timeout=RECV_TIMEOUT), server, models))
    return report


def run_async(
    module: ModuleType, channel: ChannelSpec, api: AsyncApiDocument, server: MockServer, models: ModuleType | None
) -> ChannelReport:
    report, client, arguments, sends = _prepare(module, channel, api, server, models, aio=True)

    async def session() -> None:
        async with client.connect(**arguments) as ws:
            for method, value in sends:
                await getattr(ws, method)(value)
                report.sends += 1
            for message in unique_receives(channel):
                _record(report, check_received(message, await ws.recv(timeout=RECV_TIMEOUT), server, models))

    asyncio.run(asyncio.wait_for(session(), timeout=60))
    return report


def models_module(package: str, types_namespace: str | None = None) -> ModuleType | None:
    try:
        return importlib.import_module(f"{types_namespace or package}.models")
    except ModuleNotFoundError:
        return None
