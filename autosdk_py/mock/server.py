"""The mock server: an asyncio ``websockets`` server driven by an AsyncAPI document.

Everything derived from the document (routes, validators, payloads, scripts) is computed once in
``MockServer.__init__``, so a bad document or scenario fails before anything listens, and each
connection only looks things up. The server runs either in the foreground (``run()``, the CLI:
SIGINT/SIGTERM stop it cleanly) or in a background thread (``start()`` / ``stop()``, tests).

Each connection is independent: its own receive loop (validation, replies, session timeout) and
its own sender task, which sends the scripted replies in order and honours their ``after`` delays
without holding up the receive loop.

Plain-text messages (``contentType: text/plain``... with a string payload, see
``client_ir.is_text_message``) travel as the raw text, as real servers send them: the server
sends its text messages' payloads unchanged (``pong``, not the JSON string ``"pong"``) and takes
a client's raw text frame as the plain-text message it validates against (``validate.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from ..asyncapi.client_ir import text_message_kind
from ..asyncapi.read import Perspective
from ..asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec
from ..errors import SpecError
from .cache import DamagedEntry, cache_dir, read_blob, remove_blob, source_fingerprint, write_blob
from .handshake import Rejection, Route, build_routes, check_handshake, find_route, select_subprotocol
from .scenario import (
    Action,
    Scenario,
    Script,
    compile_script,
    load_scenario,
    message_names,
    operation_replies,
    unknown_name_error,
)
from .synth import VARIANTS, Synthesizer, Unviable, candidates, declared_schema
from .validate import (
    Match,
    MessageModels,
    default_error_payload,
    match_client_frame,
    shaped_error_payload,
)

__all__ = ["MockConnection", "MockServer"]

MAX_FRAME = 32 * 2**20  # real realtime APIs take audio chunks of several MB
_NONE: Any = object()
MAX_LOG_LINES = 1000  # kept in ``log_lines`` when not recording
MAX_CLOSED = 100  # closed connections kept in ``connections`` when not recording
MAX_ERRORS_KEPT = 20  # per connection, when not recording
BINARY_PAYLOAD = bytes(16)  # what a binary server message carries (the document cannot say)
Log = Callable[[str], None]


@dataclass
class MockConnection:
    """One client connection, as a test sees it (filled in by the server thread)."""

    id: int
    channel: str  # channel key
    path: str
    query: dict[str, list[str]]
    path_params: dict[str, str]
    subprotocol: str | None
    headers: dict[str, str]  # lower-cased names
    # The frames themselves are kept only when the server records (``record=True``, the default
    # in-process; the CLI counts only): parsed JSON, else str/bytes.
    received: list[Any] = field(default_factory=list)  # client frames
    sent: list[Any] = field(default_factory=list)  # server frames
    errors: list[str] = field(default_factory=list)  # what was wrong with invalid client frames (the last ones)
    frames_in: int = 0  # client frames, counted also when not recording
    frames_out: int = 0
    close_code: int | None = None
    close_reason: str | None = None
    _closed: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """Wait until the connection has ended; ``False`` on timeout."""
        return self._closed.wait(timeout)

    def wait_received(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` client frames have arrived; ``False`` on timeout."""
        return _poll(lambda: self.frames_in >= count, timeout)


@dataclass(frozen=True)
class _Accepted:
    route: Route
    path_params: dict[str, str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    path: str


class MockServer:
    """A WebSocket server that speaks an AsyncAPI document's channels.

    ``session_timeout`` closes a connection (code 1000, reason "session timeout") when the client
    has sent nothing for that many seconds (inactivity, not total duration; None: never).
    ``strict`` closes a connection with 1008 on an invalid client message instead of answering it
    with an error frame. ``api_key``, when given, is the only credential accepted.
    """

    def __init__(
        self,
        api: AsyncApiDocument,
        *,
        source: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        scenario: str | Path | None = None,
        session_timeout: float | None = None,
        api_key: str | None = None,
        channel: str | None = None,
        strict: bool = False,
        log: Log | None = None,
        all_messages: bool = False,
        record: bool = True,
        package: str | None = None,
        use_cache: bool = True,
    ) -> None:
        if session_timeout is not None and session_timeout <= 0:
            raise ValueError(f"session_timeout must be > 0 seconds, not {session_timeout}")
        self.api = api
        self.source = source
        self.host = host
        self.requested_port = port
        self.session_timeout = session_timeout
        self.api_key = api_key
        self.strict = strict
        # Every lifecycle line, also when nothing prints them; only the last ones when not recording
        # (a long-running CLI server must not grow without bound).
        self.log_lines: deque[str] = deque(maxlen=None if record else MAX_LOG_LINES)
        self._log = log
        # Accepted connections; when not recording only the open ones and the last closed ones.
        self.connections: list[MockConnection] = []
        self.connection_count = 0  # every connection accepted so far
        self.frames_in = 0  # client frames, all connections
        self.frames_out = 0
        self._unanswered_logged: set[str] = set()  # client message names "no reply rule" was said for
        self.warnings: list[str] = []
        self.all_messages = all_messages
        self.record = record
        self.channels = _served_channels(api, source, channel)
        if package is not None:
            self.models = MessageModels.from_package(api, self.channels, package)
        else:
            self.models = MessageModels.build(api, source, self.channels, use_cache=use_cache, log=self.say)
        self._synth = Synthesizer(api.data)
        self._error_messages = {c.key: _error_message(c) for c in self.channels}
        self.unvalidated: list[str] = []  # server messages sent without a payload their model accepts
        # Plain-text messages (pointer -> "specific" / "any"): sent and received as the raw text.
        self.text_messages: dict[str, str] = {}
        for served in self.channels:
            for message in served.messages:
                kind = text_message_kind(message, api.data)
                if kind is not None:
                    self.text_messages[message.pointer] = kind
        self.payloads, self._error_bases = self._prepare_payloads(use_cache)
        self.warnings.extend(w for w in self.models.warnings if w not in self.warnings)
        if self.unvalidated:
            self.warnings.append(
                f"no valid payload could be made for {', '.join(self.unvalidated)}; "
                "they are sent as synthesized, unchecked"
            )
        self.scenario: Scenario | None = load_scenario(Path(scenario)) if scenario is not None else None
        self.scripts = {key: self._raw_text(key, script) for key, script in self._compile_scripts().items()}
        self.routes = build_routes(api, self.channels)
        if api_key is not None and not any(route.security for route in self.routes):
            self.warnings.append("--api-key has no effect: the document declares no auth for these channels")
        self._accepted: weakref.WeakKeyDictionary[ServerConnection, _Accepted] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._quiet_logger = logging.getLogger("autosdk_py.mock.websockets")
        if not self._quiet_logger.handlers:
            self._quiet_logger.addHandler(logging.NullHandler())
        self._quiet_logger.propagate = False  # handshake noise: the mock logs what matters itself

    @classmethod
    def from_spec(
        cls,
        path: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        scenario: str | Path | None = None,
        session_timeout: float | None = None,
        api_key: str | None = None,
        *,
        channel: str | None = None,
        strict: bool = False,
        log: Log | None = None,
        perspective: Perspective | None = None,
        all_messages: bool = False,
        record: bool = True,
        package: str | None = None,
        use_cache: bool = True,
    ) -> MockServer:
        """Read an AsyncAPI document or Fern channel file and prepare a server for it (not started)."""
        from ..asyncapi.read import load_realtime

        source = Path(path)
        _, api = load_realtime(source, perspective)
        return cls(
            api,
            source=source,
            host=host,
            port=port,
            scenario=scenario,
            session_timeout=session_timeout,
            api_key=api_key,
            channel=channel,
            strict=strict,
            log=log,
            all_messages=all_messages,
            record=record,
            package=package,
            use_cache=use_cache,
        )

    # --- what the document gives ------------------------------------------------------------

    def _prepare_payloads(self, use_cache: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """The payloads of the server messages and the error frames' bases, from the cache when it has them.

        Choosing them validates candidates, which builds every server message's pydantic model;
        a cached choice (keyed by the models' key, the whole bundled document and the code that
        chooses) lets a start skip that. Binary payloads are constants, never stored.
        """
        key = self._payload_key() if use_cache else None
        root = cache_dir()
        if key is not None:
            try:
                stored = read_blob(root, "payloads", key)
            except DamagedEntry as exc:
                self.say(f"the cached payloads for this document are damaged ({exc}); choosing them again")
                remove_blob(root, "payloads", key)
                stored = None
            if isinstance(stored, dict):
                restored = self._restore_payloads(stored)
                if restored is not None:
                    return restored
        payloads = self._choose_payloads()
        bases = {k: self._error_base(m, payloads) for k, m in self._error_messages.items() if m is not None}
        if key is not None:
            data = {
                "payloads": {p: v for p, v in payloads.items() if not isinstance(v, bytes)},
                "error_bases": bases,
                "unvalidated": self.unvalidated,
                "model_warnings": self.models.warnings,
            }
            with contextlib.suppress(OSError, TypeError, ValueError):  # not JSON, or not writable: no cache
                write_blob(root, "payloads", key, data)
        return payloads, bases

    def _payload_key(self) -> str | None:
        if self.models.key is None:  # models of a --package: nothing to key on but the package itself
            return None
        try:
            document = json.dumps(self.api.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            return None
        served = [m.pointer for c in self.channels for m in c.receive]
        digest = hashlib.sha256(
            source_fingerprint(
                "mock/server.py",
                "mock/synth.py",
                "mock/validate.py",
                "schema/examples.py",
                "schema/refs.py",
                "schema/pointer.py",
            ).encode()
        )
        for part in (self.models.key, document, json.dumps(served)):
            digest.update(part.encode("utf-8"))
        return digest.hexdigest()

    def _restore_payloads(self, stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
        json_payloads, bases = stored.get("payloads"), stored.get("error_bases")
        unvalidated, warnings = stored.get("unvalidated"), stored.get("model_warnings")
        if not (
            isinstance(json_payloads, dict)
            and isinstance(bases, dict)
            and isinstance(unvalidated, list)
            and isinstance(warnings, list)
        ):
            return None
        payloads: dict[str, Any] = {}
        for channel in self.channels:
            for message in channel.receive:
                if message.binary:
                    payloads[message.pointer] = BINARY_PAYLOAD
                elif message.pointer in json_payloads:
                    payloads[message.pointer] = json_payloads[message.pointer]
                else:
                    return None
        self.unvalidated = [str(n) for n in unvalidated]
        self.models.warnings.extend(str(w) for w in warnings if w not in self.models.warnings)
        return payloads, bases

    def _choose_payloads(self) -> dict[str, Any]:
        """One payload per server message: its first valid example, else the first valid synthesis."""
        payloads: dict[str, Any] = {}
        unchecked: list[str] = []
        for channel in self.channels:
            for message in channel.receive:
                if message.pointer in payloads:
                    continue
                if message.binary:
                    payloads[message.pointer] = BINARY_PAYLOAD
                    continue
                if message.payload is None:
                    payloads[message.pointer] = message.examples[0] if message.examples else {}
                    continue
                first: Any = None
                chosen: Any = _NONE
                for index, candidate in enumerate(
                    candidates(self._synth, message.payload, message.examples, message.tag)
                ):
                    if index == 0:
                        first = candidate
                    if self.text_messages.get(message.pointer) == "any" and _is_json_text(candidate):
                        continue  # a receiver takes a JSON-looking text for JSON, not for this message
                    if self.models.check(message, candidate) is None:
                        if chosen is _NONE:
                            chosen = candidate
                        # An empty object is valid when nothing is required, but a receiver that
                        # matches untagged messages by their fields cannot recognize it: a valid
                        # payload with fields is better, when the variants give one.
                        if candidate != {}:
                            chosen = candidate
                            break
                if chosen is _NONE:
                    unchecked.append(message.name)
                    chosen = first if first is not None else {}
                if chosen == {}:
                    chosen = self._filled(message)
                if chosen is None and self.models.check(message, {}) is None:
                    # A payload that may be any JSON: an object is what realtime APIs send, and
                    # a receiver can take it for a message, where null looks like nothing.
                    chosen = {}
                payloads[message.pointer] = chosen
        self.unvalidated = unchecked
        return payloads

    def _filled(self, message: MessageSpec) -> dict[str, Any]:
        """``{}`` made recognizable: each optional property added in turn, kept when still valid.

        For a schema whose every fuller variant is invalid because of one property (Discord's
        ``GUILD_CREATE``: ``s`` is both an integer and a string or null), the others still go in.
        """
        try:
            schema, _ = self._synth.merged(message.payload, frozenset())
        except Unviable:
            return {}
        props = schema.get("properties") if isinstance(schema, dict) else None
        current: dict[str, Any] = {}
        if not isinstance(props, dict):
            return current
        for key, sub in props.items():
            try:
                value = self._synth.value(sub, name=key)
            except Unviable:
                continue
            trial = {**current, key: value}
            if self.models.check(message, trial) is None:
                current = trial
        return current

    def _compile_scripts(self) -> dict[str, Script]:
        replies = operation_replies(self.api)
        scripts: dict[str, Script] = {}
        unknown_everywhere: dict[str, str] | None = None
        for channel in self.channels:
            script, unknown = compile_script(
                channel,
                self.scenario,
                self.payloads,
                self.models.check,
                replies,
                self.warnings.append,
                all_messages=self.all_messages,
            )
            scripts[channel.key] = script
            # A name only one of several channels knows is fine; one that none knows is an error.
            if unknown_everywhere is None:
                unknown_everywhere = dict(unknown)
            else:
                unknown_everywhere = {p: n for p, n in unknown_everywhere.items() if p in unknown}
        if self.scenario is not None and unknown_everywhere:
            pointer, name = next(iter(unknown_everywhere.items()))
            raise unknown_name_error(self.scenario, pointer, name, self.channels)
        return scripts

    def _raw_text(self, channel_key: str, script: Script) -> Script:
        """The script with its plain-text server messages sent as the raw text, not JSON-encoded.

        (Scenario literals are JSON objects, so they never are one.)
        """
        channel = next(c for c in self.channels if c.key == channel_key)
        if not any(m.pointer in self.text_messages for m in channel.receive):
            return script

        def raw(action: Action) -> Action:
            message = action.message
            if message is None or message.pointer not in self.text_messages or not isinstance(action.frame, str):
                return action
            try:
                value = json.loads(action.frame)
            except ValueError:
                return action
            return dataclasses.replace(action, frame=value) if isinstance(value, str) else action

        return Script(
            tuple(raw(a) for a in script.on_connect),
            {key: tuple(raw(a) for a in actions) for key, actions in script.replies.items()},
            script.unruled,
        )

    def _error_base(self, message: MessageSpec, payloads: dict[str, Any]) -> Any:
        """The payload an error frame starts from: the smallest valid one (no example text)."""
        for variant in VARIANTS:
            if variant.hints:
                continue
            try:
                value = self._synth.value(message.payload, variant)
            except Unviable:
                continue
            if message.tag is not None and isinstance(value, dict):
                value.setdefault(message.tag[0], message.tag[1])
            if self.models.check(message, value) is None:
                return value
        return payloads.get(message.pointer)

    # --- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the mock server is not running; call start() first")
        return self._port

    @property
    def origin(self) -> str:
        """``ws://host:port`` as a client on this machine reaches it."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"ws://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL to give a generated client (``base_url=``): origin + the server pathname."""
        paths = {route.server_path for route in self.routes}
        return self.origin + (paths.pop() if len(paths) == 1 else "")

    @property
    def urls(self) -> dict[str, str]:
        """Channel key -> the full URL template served for it."""
        return {route.channel.key: self.origin + route.template for route in self.routes}

    def url_for(self, channel: str | None = None, /, query: dict[str, Any] | None = None, **params: Any) -> str:
        """The URL of a channel (the only one by default) with its ``{placeholders}`` filled in."""
        route = self._route(channel)
        path = route.template
        for name, value in params.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        suffix = "?" + urlencode(query) if query else ""
        return self.origin + path + suffix

    def _route(self, channel: str | None) -> Route:
        if channel is None:  # the first channel of the document (routes are in matching order)
            channel = self.channels[0].key
        for route in self.routes:
            if route.channel.key == channel:
                return route
        raise KeyError(f"no served channel {channel!r}; served: {', '.join(r.channel.key for r in self.routes)}")

    # --- lifecycle ----------------------------------------------------------------------------

    def say(self, line: str) -> None:
        self.log_lines.append(line)
        if self._log is not None:
            self._log(line)

    def start(self, timeout: float = 30.0) -> Self:
        """Serve in a background thread; returns once the server listens (or raises why it cannot)."""
        if self._thread is not None:
            raise RuntimeError("the mock server is already running")
        ready = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            try:
                asyncio.run(self._serve(ready.set))
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
            finally:
                ready.set()

        self._thread = threading.Thread(target=main, name="autosdk-mock", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError(f"the mock server did not start within {timeout} s")
        if failure:
            self._thread.join(timeout)
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection (1001), stop listening and wait for the thread."""
        loop, stop_event, thread = self._loop, self._stop_event, self._thread
        if loop is not None and stop_event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop finished meanwhile
                loop.call_soon_threadsafe(stop_event.set)
        if thread is not None:
            thread.join(timeout)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def run(self) -> None:
        """Serve in the foreground until SIGINT (Ctrl-C) or SIGTERM."""
        asyncio.run(self._run_foreground())

    async def _run_foreground(self) -> None:
        loop = asyncio.get_running_loop()
        installed: list[signal.Signals] = []

        def on_signal(sig: signal.Signals) -> None:
            self.say(f"autosdk mock: received {sig.name}")
            for s in installed:  # a second Ctrl-C interrupts for real
                loop.remove_signal_handler(s)
            if self._stop_event is not None:
                self._stop_event.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal, sig)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # Windows, or not the main thread: KeyboardInterrupt still ends run()
        await self._serve(lambda: None)

    async def _serve(self, started: Callable[[], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        async with serve(
            self._handle,
            self.host,
            self.requested_port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            max_size=MAX_FRAME,
            logger=self._quiet_logger,
        ) as server:
            self._port = _bound_port(server, self.requested_port)
            self._announce()
            started()
            await self._stop_event.wait()
            self.say(f"autosdk mock: shutting down ({self.connection_count} connection(s) served)")
            server.close()  # open connections get 1001 (going away); handlers finish
            await server.wait_closed()
        self.say("autosdk mock: stopped")

    def _announce(self) -> None:
        self.say(f"autosdk mock: {self.api.title} {self.api.api_version} (AsyncAPI {self.api.version})")
        for warning in self.warnings:
            self.say(f"warning: {warning}")
        order = {c.key: i for i, c in enumerate(self.channels)}
        for route in sorted(self.routes, key=lambda r: order.get(r.channel.key, 0)):
            channel = route.channel
            self.say(
                f"listening on {self.origin}{route.template} (channel '{channel.key}': "
                f"{len(channel.send)} client / {len(channel.receive)} server message types)"
            )
        self.say(f"base URL for generated clients: {self.url}")

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> list[MockConnection]:
        """Wait until ``count`` connections were accepted (bounded); returns the first ``count``."""
        if not _poll(lambda: len(self.connections) >= count, timeout):
            raise TimeoutError(f"{len(self.connections)} of {count} connection(s) after {timeout} s")
        return self.connections[:count]

    @property
    def received(self) -> list[list[Any]]:
        """The client frames of each connection, in connection order."""
        return [c.received for c in self.connections]

    # --- handshake ----------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        found = find_route(self.routes, parts.path)
        if found is None:
            served = ", ".join(r.template for r in self.routes)
            return self._reject(
                connection, request, Rejection(404, "not_found", f"no channel at {parts.path}; served: {served}")
            )
        route, values = found
        query = parse_qs(parts.query, keep_blank_values=True)
        headers: dict[str, str] = {}
        for name, value in request.headers.raw_items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        offered = _offered_subprotocols(headers.get("sec-websocket-protocol"))
        rejection = check_handshake(route, values, query, headers, offered, self.api_key)
        if rejection is not None:
            return self._reject(connection, request, rejection)
        self._accepted[connection] = _Accepted(route, values, query, headers, parts.path)
        return None

    def _reject(self, connection: ServerConnection, request: Request, rejection: Rejection) -> Response:
        self.say(f"rejected {urlsplit(request.path).path}: HTTP {rejection.status} {rejection.message}")
        body = {"error": {"status": rejection.status, "code": rejection.code, "message": rejection.message}}
        response = connection.respond(rejection.status, json.dumps(body) + "\n")
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = "application/json"
        return response

    def _select_subprotocol(self, connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        accepted = self._accepted.get(connection)
        if accepted is None:
            return None
        chosen = select_subprotocol(accepted.route, list(offered))
        return Subprotocol(chosen) if chosen is not None else None

    # --- connections --------------------------------------------------------------------------

    async def _handle(self, websocket: ServerConnection) -> None:
        accepted = self._accepted.pop(websocket, None)
        if accepted is None:  # cannot happen: process_request accepted it
            await websocket.close(1011, "mock server error")
            return
        channel = accepted.route.channel
        with self._lock:
            self.connection_count += 1
            conn = MockConnection(
                id=self.connection_count,
                channel=channel.key,
                path=accepted.path,
                query=accepted.query,
                path_params=accepted.path_params,
                subprotocol=websocket.subprotocol,
                headers=accepted.headers,
            )
            self.connections.append(conn)
        tag = f"[#{conn.id}]"
        self.say(
            f"{tag} connected: {accepted.path}{self._query_text(accepted)} "
            f"(channel '{channel.key}', subprotocol: {websocket.subprotocol or 'none'})"
        )
        script = self.scripts[channel.key]
        outbox: asyncio.Queue[tuple[Action, ...]] = asyncio.Queue()
        sender = asyncio.create_task(self._send_loop(websocket, conn, outbox))
        outbox.put_nowait(script.on_connect)
        try:
            await self._receive_loop(websocket, conn, channel, script, outbox)
        except Exception as exc:  # a bug in the mock must not take the server down
            self.say(f"{tag} internal error: {type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                await websocket.close(1011, "mock server error")
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
            with contextlib.suppress(Exception):
                await websocket.wait_closed()
            conn.close_code = websocket.close_code
            conn.close_reason = websocket.close_reason
            reason = f" {conn.close_reason}" if conn.close_reason else ""
            self.say(
                f"{tag} disconnected ({conn.close_code}{reason}): {conn.frames_in} message(s) in, {conn.frames_out} out"
            )
            conn._closed.set()
            if not self.record:
                self._forget_closed()

    def _forget_closed(self) -> None:
        """Keep the open connections and the last ``MAX_CLOSED`` closed ones (not recording)."""
        with self._lock:
            closed = [c for c in self.connections if c.closed]
            if len(closed) > MAX_CLOSED:
                dropped = {id(c) for c in closed[: len(closed) - MAX_CLOSED]}
                self.connections = [c for c in self.connections if id(c) not in dropped]

    async def _receive_loop(
        self,
        websocket: ServerConnection,
        conn: MockConnection,
        channel: ChannelSpec,
        script: Script,
        outbox: asyncio.Queue[tuple[Action, ...]],
    ) -> None:
        tag = f"[#{conn.id}]"
        while True:
            try:
                async with asyncio.timeout(self.session_timeout):
                    frame = await websocket.recv()
            except TimeoutError:
                self.say(f"{tag} session timeout: nothing received for {self.session_timeout:g} s; closing (1000)")
                await websocket.close(1000, "session timeout")
                return
            except ConnectionClosed:
                return
            conn.frames_in += 1
            self.frames_in += 1
            if self.record:
                conn.received.append(_decoded(frame))
            match = match_client_frame(channel, self.models, frame, self.text_messages)
            if match.message is not None:
                actions = script.after(match.message)
                if match.message.key in script.unruled:
                    self._say_unanswered(match.message)
                outbox.put_nowait(actions)
                continue
            problem = f"{match.code}: {match.error}"
            conn.errors.append(problem)
            if not self.record and len(conn.errors) > MAX_ERRORS_KEPT:
                del conn.errors[0]
            self.say(f"{tag} invalid message: {problem}")
            if self.strict:
                await websocket.close(1008, _close_reason(problem))
                return
            frame_payload = self._error_payload(channel, match)
            outbox.put_nowait((Action("error", json.dumps(frame_payload, ensure_ascii=False)),))

    async def _send_loop(
        self, websocket: ServerConnection, conn: MockConnection, outbox: asyncio.Queue[tuple[Action, ...]]
    ) -> None:
        try:
            while True:
                actions = await outbox.get()
                for action in actions:
                    for _ in range(action.repeat):
                        if action.after:
                            await asyncio.sleep(action.after)
                        if action.close is not None:
                            code, reason = action.close
                            await websocket.close(code, reason)
                            return
                        assert action.frame is not None
                        await websocket.send(action.frame)
                        conn.frames_out += 1
                        self.frames_out += 1
                        if self.record:
                            conn.sent.append(_decoded(action.frame))
        except ConnectionClosed:
            return

    def _say_unanswered(self, message: MessageSpec) -> None:
        """Silence is the answer, but say so once per client message (not per frame)."""
        with self._lock:
            if message.key in self._unanswered_logged:
                return
            self._unanswered_logged.add(message.key)
        self.say(
            f"no reply rule for {message_names(message)[0]}: the document declares no reply and no server message is named "
            "like its past tense, so nothing is sent back (a --scenario file can say what to send)"
        )

    def _error_payload(self, channel: ChannelSpec, match: Match) -> Any:
        message = self._error_messages.get(channel.key)
        if message is not None and channel.key in self._error_bases:
            base = self._error_bases[channel.key]
            schema = message.payload

            def declared(path: Sequence[str]) -> bool:
                return declared_schema(self._synth, schema, path) is not None

            shaped = shaped_error_payload(self.models, message, base, match, declared)
            if shaped is not None:
                return shaped
        return default_error_payload(match)

    def _query_text(self, accepted: _Accepted) -> str:
        # Never print a credential: query parameters that carry an API key are masked.
        secret = {s.name for s in accepted.route.security if s.kind == "query" and s.name}
        pairs = [(k, "***" if k in secret else v) for k, values in accepted.query.items() for v in values]
        return "?" + urlencode(pairs, safe="*") if pairs else ""


def _served_channels(api: AsyncApiDocument, source: Path, wanted: str | None) -> list[ChannelSpec]:
    served = [c for c in api.channels if c.protocol_ok and c.address is not None]
    if not served:
        others = ", ".join(sorted({p for c in api.channels for p in c.protocols})) or "none"
        raise SpecError(
            "the document has no WebSocket channel to serve",
            file=source,
            pointer="/channels",
            hint=f"a channel needs an address and a ws/wss server (or no servers at all); protocols here: {others}",
        )
    if wanted is None:
        return served
    for channel in served:
        if wanted in (channel.key, channel.address):
            return [channel]
    raise SpecError(
        f"no WebSocket channel {wanted!r}",
        file=source,
        pointer="/channels",
        hint="--channel takes one of: " + ", ".join(c.key for c in served),
    )


def _error_message(channel: ChannelSpec) -> MessageSpec | None:
    """The document's own error message on this channel: a server message tagged "error"."""
    tagged = [
        m
        for m in channel.receive
        if not m.binary and m.tag is not None and isinstance(m.tag[1], str) and "error" in m.tag[1].lower()
    ]
    exact = [m for m in tagged if m.tag is not None and m.tag[1].lower() == "error"]
    found = exact or tagged
    return found[0] if found else None


def _offered_subprotocols(header: str | None) -> list[str]:
    return [p.strip() for p in (header or "").split(",") if p.strip()]


def _decoded(frame: str | bytes) -> Any:
    if isinstance(frame, bytes):
        return frame
    try:
        return json.loads(frame)
    except ValueError:
        return frame


def _is_json_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _close_reason(text: str) -> str:
    """A close reason fits in 123 bytes of UTF-8."""
    data = text.encode("utf-8")
    if len(data) <= 123:
        return text
    return data[:120].decode("utf-8", "ignore") + "..."


def _bound_port(server: Server, requested: int) -> int:
    for sock in server.sockets:
        return int(sock.getsockname()[1])
    return requested


def _poll(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True
