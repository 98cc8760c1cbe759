"""Which server messages follow which client messages: the default rule and scenario files.

Scenario file (YAML or JSON)::

    on_connect: [session.created]          # sent right after the handshake
    on:                                    # client message -> what the server sends next
      session.update: [session.updated]
      input_audio_buffer.append:
        - {after: 0.05, send: response.output_audio.delta, repeat: 3}
        - response.done
      "*": []                              # every client message not listed above

Names are message tag values (``session.update``, ``watering_command``), message names
(``SessionUpdate``) or message keys, of the channel's client messages (``on`` keys) and server
messages (steps). A step is a name, or a mapping:

* ``send``: a server message name (its example or synthesized payload is sent), or a literal
  JSON object sent as written;
* ``with``: an object merged into the message's payload (``{send: error, with: {message: boom}}``);
* ``after``: seconds to wait before each send (default 0);
* ``repeat``: how many times to send it (default 1);
* ``close``: a close code (1000, 1011, 4000...) instead of ``send``: the server closes the
  connection, with ``reason`` when given.

Unknown names are errors naming the file and the key; a literal payload or ``with`` that does
not validate is sent anyway (tests of a client's error handling need that), with a warning.

Without a scenario, and for whatever a scenario leaves out (no ``on_connect``; a client message
that is neither listed nor covered by ``"*"``), the default rule applies:

* after a client message: the reply messages of its AsyncAPI 3.0 operation when it declares a
  ``reply``; else the server messages named like it in the past tense (the last word + "d"/"ed",
  or with its last letter doubled: ``session.update`` -> ``session.updated``,
  ``input_audio_buffer.commit`` -> ``input_audio_buffer.committed``); else nothing
  (``input_audio_buffer.append`` gets no reply; the server logs "no reply rule for ..." once).
* on connect (the greeting): every server message that answers no client message (it is not
  the reply of one by the rules above), is not about an error or an ending (no word like
  "error", "failed", "closed", "goodbye", "terminated", "timeout" in its name or tag), and looks
  like a greeting, judged by its tag value when it has one (the event's name on the wire), else
  by its name; a greeting is one of:

  1. it is a greeting by itself: ``hello``, ``hi``, ``welcome``, ``connected``,
     ``connection_ack``, ``ready``, ``begin``, ``init``, ``initialized``, ``open``, ``opened``,
     ``established``, ``start``, ``started`` (any case or separator: ``Welcome``, ``HELLO``);
  2. its last word says something began (``created``, ``started``, ``begins``, ``began``,
     ``opened``, ``established``, ``initialized``/``initialised``, ``connected``, ``ready``,
     ``ack``, ``acknowledged``) and it is short (two words: ``session.created``,
     ``conversation.created``, ``SessionBegins``, ``RecognitionStarted``) or it is about the session
     or connection (``transcription_session.created``); a longer name is an event in a running
     session (OpenAI ``input_audio_buffer.speech_started``, ``output_audio_buffer.started``);
  3. a sentence of its summary or description says it is sent on connection ("upon connection",
     "sent on connection", "after ... connecting": Kraken ``systemStatus``, Slack ``hello``,
     Firezone ``init``) and has no word of an ending or failure ("when the connection closes").

  They are sent in that order of the three kinds (session/connection names first within kind 2),
  then document order: OpenAI greets with ``session.created`` then ``conversation.created``,
  ElevenLabs with ``session_started``, AssemblyAI with ``SessionBegins``. A message whose greeting
  is not recognizable by its name (Hume's ``chat_metadata``) needs ``on_connect`` in a scenario.

With ``all_messages`` (``autosdk mock --all-messages``, for contract tests of generated clients) the
greeting is replaced: on connect every server message of the channel is sent once, in document
order (the order of the channel's messages, duplicates once), binary ones as binary frames; a
scenario's ``on_connect`` is ignored; replies to client messages follow the rules above.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..asyncapi.spec import AsyncApiDocument, ChannelSpec, MessageSpec
from ..errors import SpecError
from ..loader import line_of, parse_text
from ..naming import words
from ..schema.pointer import json_pointer

__all__ = [
    "Action",
    "Scenario",
    "Script",
    "Step",
    "compile_script",
    "find_message",
    "load_scenario",
    "operation_replies",
]

_TOP_KEYS = ("on_connect", "on", "description")
_STEP_KEYS = ("send", "with", "after", "repeat", "close", "reason")
MAX_REPEAT = 100_000


@dataclass(frozen=True)
class Step:
    """One step as written in the scenario file (names not resolved yet)."""

    pointer: str  # JSON pointer of the step in the file, for errors
    send: str | None = None  # a server message name
    literal: Any = None  # a literal payload (send: {...}); None when ``send`` names a message
    overrides: Mapping[str, Any] | None = None
    after: float = 0.0
    repeat: int = 1
    close: int | None = None
    reason: str = ""
    written_as_mapping: bool = False

    @property
    def name_pointer(self) -> str:
        """Where the message name is written: the step itself, or its ``send``."""
        return f"{self.pointer}/send" if self.written_as_mapping else self.pointer


@dataclass(frozen=True)
class Scenario:
    path: Path
    text: str
    on_connect: tuple[Step, ...] | None  # None: the default rule
    on: Mapping[str, tuple[Step, ...]]  # client message name (or "*") -> steps

    def error(self, message: str, pointer: str, hint: str | None = None) -> SpecError:
        return SpecError(message, file=self.path, pointer=pointer, line=line_of(self.text, pointer), hint=hint)


@dataclass(frozen=True)
class Action:
    """A compiled step: a ready-to-send frame (or a close), its timing and a label for logs."""

    label: str
    frame: str | bytes | None  # None: close the connection
    after: float = 0.0
    repeat: int = 1
    close: tuple[int, str] | None = None
    message: MessageSpec | None = None


@dataclass
class Script:
    """What the server does on one channel."""

    on_connect: tuple[Action, ...]
    replies: dict[str, tuple[Action, ...]] = field(default_factory=dict)  # client message key -> actions
    # Client message keys that no rule answers (neither the scenario nor the default rule): the
    # server says so once instead of staying silent without a word.
    unruled: set[str] = field(default_factory=set)

    def after(self, message: MessageSpec) -> tuple[Action, ...]:
        return self.replies.get(message.key, ())


# --- reading the file ------------------------------------------------------------------------


def load_scenario(path: Path) -> Scenario:
    """Read and check the structure of a scenario file; names are checked by ``compile_script``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecError("scenario file not found", file=path, hint="check the path given to --scenario") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the scenario file: {exc}", file=path) from None
    data = parse_text(text, path)
    scenario = Scenario(path, text, None, {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise scenario.error(
            f"a scenario is a mapping with 'on_connect' and 'on', not {_kind(data)}", "", "see `autosdk mock --help`"
        )
    # YAML 1.1 (PyYAML) reads a bare ``on:`` key as the boolean true.
    data = {("on" if key is True else key): value for key, value in data.items()}
    for key in data:
        if key not in _TOP_KEYS:
            raise scenario.error(
                f"unknown scenario key {key!r}", json_pointer(str(key)), _suggest(str(key), _TOP_KEYS, "the keys are")
            )
    on_connect = None
    if data.get("on_connect") is not None:
        on_connect = _steps(scenario, data["on_connect"], "/on_connect")
    on: dict[str, tuple[Step, ...]] = {}
    raw_on = data.get("on")
    if raw_on is not None:
        if not isinstance(raw_on, dict):
            raise scenario.error(
                f"'on' maps client messages to lists of steps; found {_kind(raw_on)}",
                "/on",
                "write e.g. 'on: {session.update: [session.updated]}'",
            )
        for key, steps in raw_on.items():
            on[str(key)] = _steps(scenario, steps, json_pointer("on", str(key)))
    return Scenario(path, text, on_connect, on)


def _steps(scenario: Scenario, raw: Any, pointer: str) -> tuple[Step, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):  # a single step needs no list
        return (_step(scenario, raw, pointer),)
    return tuple(_step(scenario, item, f"{pointer}/{i}") for i, item in enumerate(raw))


def _step(scenario: Scenario, raw: Any, pointer: str) -> Step:
    if isinstance(raw, str):
        return Step(pointer, send=raw)
    if not isinstance(raw, dict):
        raise scenario.error(
            f"a step is a message name or a mapping with 'send', not {_kind(raw)}",
            pointer,
            "write e.g. 'response.done' or '{send: response.done, after: 0.1}'",
        )
    for key in raw:
        if key not in _STEP_KEYS:
            raise scenario.error(
                f"unknown step key {key!r}", f"{pointer}/{key}", _suggest(str(key), _STEP_KEYS, "a step has")
            )
    send, close = raw.get("send"), raw.get("close")
    if (send is None) == (close is None):
        raise scenario.error(
            "a step has either 'send' (a server message) or 'close' (a close code)",
            pointer,
            "write e.g. '{send: response.done}' or '{close: 1000}'",
        )
    after = raw.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int | float) or after < 0:
        raise scenario.error(f"'after' is a number of seconds >= 0, not {after!r}", f"{pointer}/after")
    repeat = raw.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
        raise scenario.error(f"'repeat' is a whole number from 1 to {MAX_REPEAT}, not {repeat!r}", f"{pointer}/repeat")
    overrides = raw.get("with")
    if overrides is not None and not isinstance(overrides, dict):
        raise scenario.error(f"'with' is a mapping merged into the payload, not {_kind(overrides)}", f"{pointer}/with")
    reason = raw.get("reason", "")
    if not isinstance(reason, str) or len(reason.encode()) > 123:
        raise scenario.error("'reason' is a text of at most 123 bytes", f"{pointer}/reason")
    if close is not None:
        if isinstance(close, bool) or not isinstance(close, int) or not _valid_close_code(close):
            raise scenario.error(
                f"'close' is a WebSocket close code (1000-1003, 1007-1014, 3000-4999), not {close!r}",
                f"{pointer}/close",
            )
        return Step(pointer, after=float(after), repeat=repeat, close=close, reason=reason)
    if isinstance(send, dict):
        if overrides is not None:
            raise scenario.error("'with' applies to a message name, not to a literal payload", f"{pointer}/with")
        return Step(pointer, literal=send, after=float(after), repeat=repeat)
    if not isinstance(send, str) or not send:
        raise scenario.error(
            f"'send' is a server message name or a literal JSON object, not {_kind(send)}", f"{pointer}/send"
        )
    return Step(pointer, send=send, overrides=overrides, after=float(after), repeat=repeat, written_as_mapping=True)


def _valid_close_code(code: int) -> bool:
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), f"a {type(value).__name__}"
    )


def _suggest(name: str, options: Sequence[str], prefix: str = "known") -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(list(options)[:12]) + (", ..." if len(options) > 12 else "")
    return f"{prefix}: {shown}"


# --- names and the default rule --------------------------------------------------------------


def message_names(message: MessageSpec) -> list[str]:
    """The names a scenario may use for a message: tag value, name, key."""
    names = [str(message.tag[1])] if message.tag is not None and message.tag[1] is not None else []
    return list(dict.fromkeys([*names, message.name, message.key]))


def find_message(messages: Sequence[MessageSpec], name: str) -> MessageSpec | None:
    for message in messages:
        if name in message_names(message):
            return message
    return None


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    # Every client message is compared with every server message: split each name once.
    return tuple(words(text))


def _labels(message: MessageSpec) -> list[tuple[str, ...]]:
    forms = [_words(str(message.tag[1]))] if message.tag is not None and isinstance(message.tag[1], str) else []
    return [f for f in (*forms, _words(message.name)) if f]


_GREETING_NAMES = {
    ("hello",),
    ("hi",),
    ("welcome",),
    ("connected",),
    ("connection", "ack"),
    ("connection", "acknowledged"),
    ("ready",),
    ("begin",),
    ("init",),
    ("initialized",),
    ("initialised",),
    ("open",),
    ("opened",),
    ("established",),
    ("start",),
    ("started",),
}
_BEGAN = {
    "created",
    "started",
    "begins",
    "began",
    "opened",
    "established",
    "initialized",
    "initialised",
    "connected",
    "ready",
    "ack",
    "acknowledged",
}
_SESSION_WORDS = {"session", "connection", "socket", "websocket"}
# Words of an ending or a failure: such a message is never a greeting, whatever else it says
# ("sent when the connection closes" is about the connection but not its start).
_NOT_GREETING = {
    "error",
    "errors",
    "fail",
    "failed",
    "failure",
    "goodbye",
    "bye",
    "close",
    "closed",
    "closes",
    "closing",
    "disconnect",
    "disconnected",
    "terminate",
    "terminated",
    "end",
    "ended",
    "ends",
    "timeout",
    "expired",
    "lost",
}
_ON_CONNECT_TEXT = re.compile(
    r"\b(upon|on|after|when)\b[^.]{0,40}?\bconnect(ion|ed|ing)?\b|\bconnection (is )?(opens|opened|established)\b",
    re.IGNORECASE,
)


def greeting_rank(message: MessageSpec) -> int | None:
    """How surely ``message`` is a greeting by its name or text: 0 (surest) to 3, None when it is not."""
    forms = _labels(message)
    if any(_NOT_GREETING & set(w) for w in forms):
        return None
    # The tag value is the event's name on the wire; the message name is only a label the author
    # chose (``speech_started`` for ``input_audio_buffer.speech_started``): the tag decides.
    forms = forms[:1]
    if any(tuple(w) in _GREETING_NAMES for w in forms):
        return 0
    began = [w for w in forms if w[-1] in _BEGAN and len(w) >= 2]
    if any(_SESSION_WORDS & set(w[:-1]) for w in began):
        return 1
    if any(len(w) == 2 for w in began):
        return 2
    text = " ".join(t for t in (message.summary, message.description) if t)
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if _ON_CONNECT_TEXT.search(sentence) and not _NOT_GREETING & set(words(sentence)):
            return 3
    return None


def greeting_messages(channel: ChannelSpec, replies: Mapping[str, list[str]]) -> list[MessageSpec]:
    """The default on-connect messages (see the module docs for the rule)."""
    answers = {m.pointer for client in channel.send for m in default_replies(channel, client, replies)}
    ranked: list[tuple[int, int, MessageSpec]] = []
    seen: set[str] = set()
    for index, message in enumerate(channel.receive):
        if message.pointer in answers or message.pointer in seen:
            continue
        rank = greeting_rank(message)
        if rank is not None:
            seen.add(message.pointer)
            ranked.append((rank, index, message))
    return [m for _, _, m in sorted(ranked, key=lambda item: (item[0], item[1]))]


def all_server_messages(channel: ChannelSpec) -> list[MessageSpec]:
    """Every server message of the channel once, in document order (``all_messages``)."""
    return list({m.pointer: m for m in reversed(channel.receive)}.values())[::-1]


def _past_tense(word: str) -> set[str]:
    return {word + "d", word + "ed", word + word[-1:] + "ed"} if word else set()


def past_tense_replies(channel: ChannelSpec, message: MessageSpec) -> list[MessageSpec]:
    found: list[MessageSpec] = []
    for form in _labels(message):
        stem, past = form[:-1], _past_tense(form[-1])
        for candidate in channel.receive:
            if candidate in found:
                continue
            if any(w[:-1] == stem and w[-1] in past for w in _labels(candidate) if len(w) == len(form)):
                found.append(candidate)
    return found


def operation_replies(api: AsyncApiDocument) -> dict[str, list[str]]:
    """AsyncAPI 3.0: client message pointer -> the server messages that answer it.

    The parser reads them from each operation's ``reply`` (its ``messages``, else every message of
    its channel), from the side the document is read from, so the mock answers what the client sends.
    """
    return {request: list(answers) for request, answers in api.replies.items()}


def default_replies(channel: ChannelSpec, message: MessageSpec, replies: Mapping[str, list[str]]) -> list[MessageSpec]:
    declared = replies.get(message.pointer)
    if declared:
        return [m for m in channel.receive if m.pointer in declared]
    return past_tense_replies(channel, message)


# --- compiling for one channel ---------------------------------------------------------------

Checker = Callable[[MessageSpec, Any], str | None]  # None when valid, else the problem


def _frame(payload: Any) -> str | bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False)


def _merge(base: Any, patch: Mapping[str, Any]) -> Any:
    if not isinstance(base, dict):
        return copy.deepcopy(dict(patch))
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        merged[key] = _merge(merged.get(key), value) if isinstance(value, dict) else copy.deepcopy(value)
    return merged


def _action(message: MessageSpec, payloads: Mapping[str, Any], after: float = 0.0, repeat: int = 1) -> Action:
    return Action(message.name, _frame(payloads[message.pointer]), after, repeat, message=message)


def compile_script(
    channel: ChannelSpec,
    scenario: Scenario | None,
    payloads: Mapping[str, Any],  # server message pointer -> payload (JSON value, or bytes)
    check: Checker,
    replies: Mapping[str, list[str]],
    warn: Callable[[str], None],
    all_messages: bool = False,
) -> tuple[Script, dict[str, str]]:
    """The channel's script, and the scenario's unknown names (pointer -> name) in this channel."""
    unknown: dict[str, str] = {}

    def compile_steps(steps: tuple[Step, ...]) -> tuple[Action, ...]:
        actions: list[Action] = []
        for step in steps:
            if step.close is not None:
                actions.append(Action(f"close {step.close}", None, step.after, 1, (step.close, step.reason)))
                continue
            if step.send is None:  # a literal payload
                label = _literal_label(channel, step.literal, check)
                if label is None:
                    warn(f"scenario {step.pointer}: the literal payload matches no server message; sent as written")
                actions.append(Action(label or "literal", _frame(step.literal), step.after, step.repeat))
                continue
            message = find_message(channel.receive, step.send)
            if message is None:
                unknown[step.name_pointer] = step.send
                continue
            payload = payloads[message.pointer]
            if step.overrides is not None:
                payload = _merge(payload, step.overrides)
                problem = check(message, payload)
                if problem is not None:
                    warn(f"scenario {step.pointer}: with 'with', {message.name} is not valid ({problem}); sent anyway")
            actions.append(Action(message.name, _frame(payload), step.after, step.repeat, message=message))
        return tuple(actions)

    if all_messages:
        on_connect = tuple(_action(m, payloads) for m in all_server_messages(channel))
        if scenario is not None and scenario.on_connect is not None:
            compile_steps(scenario.on_connect)  # still checked: a wrong name is an error either way
    elif scenario is not None and scenario.on_connect is not None:
        on_connect = compile_steps(scenario.on_connect)
    else:
        on_connect = tuple(_action(m, payloads) for m in greeting_messages(channel, replies))
    script = Script(on_connect)
    listed: dict[str, tuple[Action, ...]] = {}
    fallback: tuple[Action, ...] | None = None
    if scenario is not None:
        for key, steps in scenario.on.items():
            if key == "*":
                fallback = compile_steps(steps)
                continue
            client = find_message(channel.send, key)
            if client is None:
                unknown[json_pointer("on", key)] = key
                continue
            listed[client.key] = compile_steps(steps)
    for client in channel.send:
        if client.key in listed:
            script.replies[client.key] = listed[client.key]
        elif fallback is not None:
            script.replies[client.key] = fallback
        else:
            script.replies[client.key] = tuple(_action(m, payloads) for m in default_replies(channel, client, replies))
            if not script.replies[client.key]:
                script.unruled.add(client.key)
    return script, unknown


def _literal_label(channel: ChannelSpec, literal: Any, check: Checker) -> str | None:
    """The server message a literal payload is valid as (its name, for logs), else None."""
    for message in channel.receive:
        if message.binary:
            continue
        if message.tag is not None and (not isinstance(literal, dict) or literal.get(message.tag[0]) != message.tag[1]):
            continue
        if check(message, literal) is None:
            return message.name
    return None


def unknown_name_error(scenario: Scenario, pointer: str, name: str, channels: Sequence[ChannelSpec]) -> SpecError:
    """The error for a name no served channel knows, with a suggestion."""
    client = pointer.count("/") == 2 and pointer.startswith("/on/")
    messages = [m for c in channels for m in (c.send if client else c.receive)]
    names = list(dict.fromkeys(n for m in messages for n in message_names(m)))
    what = "client message" if client else "server message"
    hint = _suggest(name, names, f"the {what}s are") if names else f"the document has no {what}s"
    return scenario.error(f"unknown {what} {name!r}", pointer, hint)
