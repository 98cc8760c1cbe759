"""Fern definitions as real projects write them: validation spellings, unsupported features in types the
channel does not use, and the other commands (mock, check) reading Fern channel files.

Small fixtures are written to ``tmp_path`` (or live in ``specs/``); the real input is Hume's EVI
``chat.yml`` from ``../shared/corpus/fern`` (read in place, never copied into the repository).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from autosdk_py.errors import SpecError
from autosdk_py.fern import parse_fern

ROOT = Path(__file__).resolve().parents[2]
HUME = ROOT.parent / "shared" / "corpus" / "fern" / "hume" / "empathic-voice"
CHAT = HUME / "chat.yml"
SPECS = Path(__file__).resolve().parent / "specs"
VALIDATION = SPECS / "validation.yml"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- validation: both spellings --------------------------------------------------------------------


def test_validation_camel_and_kebab_case_mean_the_same_keywords() -> None:
    api = parse_fern(VALIDATION)
    schemas = api.schemas
    word = {"type": "string", "minLength": 2, "maxLength": 26, "pattern": "^[a-z]+$"}
    assert schemas["Word"] == word
    assert schemas["OldWord"] == word
    assert schemas["Email"] == {"type": "string", "format": "email", "maxLength": 254}
    props = schemas["Quote"]["properties"]
    price = {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01}
    assert props["price"] == price  # exclusiveMin written before min still applies
    assert props["old_price"] == price
    percent = {"anyOf": [{"type": "number", "minimum": 0, "exclusiveMaximum": 100}, {"type": "null"}]}
    assert props["percent"] == percent
    assert props["old_percent"] == percent
    assert props["quantity"] == {"type": "integer", "minimum": 1, "maximum": 1000}  # exclusiveMin: false
    (currency,) = api.channels[0].query_params
    assert currency.schema == {"type": "string", "minLength": 3, "maxLength": 3}
    assert not currency.required
    assert api.warnings == ()


VALIDATION_ERRORS = [
    # (rules, message, hint)
    ("maxLenght: 10", "unsupported Fern feature: validation rule 'maxLenght'", "did you mean 'maxLength'"),
    ("max_length: 10", "unsupported Fern feature: validation rule 'max_length'", "did you mean"),
    ("minimum: 1", "unsupported Fern feature: validation rule 'minimum'", "'min'"),
    ("required: true", "unsupported Fern feature: validation rule 'required'", "supported: minLength, maxLength"),
    ("exclusiveMin: 0", "validation rule 'exclusiveMin' must be true or false, not a number", "exclusiveMin: true"),
    ("maxLength: '10'", "validation rule 'maxLength' must be a whole number >= 0, not '10'", None),
    ("minLength: -1", "validation rule 'minLength' must be a whole number >= 0, not -1", None),
    ("pattern: 12", "validation rule 'pattern' must be a string, not a number", None),
    ("min: low", "validation rule 'min' must be a number, not a string", None),
    ("multipleOf: 0", "validation rule 'multipleOf' must be greater than 0, not 0", None),
    ("{maxLength: 5, max-length: 6}", "'maxLength' and 'max-length' are the same rule with different values", None),
]


@pytest.mark.parametrize(("rules", "message", "hint"), VALIDATION_ERRORS, ids=[c[0] for c in VALIDATION_ERRORS])
def test_validation_errors(tmp_path: Path, rules: str, message: str, hint: str | None) -> None:
    body = rules if rules.startswith("{") else "{" + rules + "}"
    path = write(
        tmp_path,
        "rules.yml",
        "channel:\n  path: /r\n  auth: false\n  messages:\n    m:\n      origin: client\n      body: Msg\n"
        f"types:\n  Msg:\n    properties:\n      name:\n        type: string\n        validation: {body}\n",
    )
    with pytest.raises(SpecError) as info:
        parse_fern(path)
    error = info.value
    assert message in error.message
    assert error.file == path
    assert error.pointer is not None and error.pointer.startswith("/types/Msg/properties/name/validation")
    assert error.line == line_of(path, "validation:")
    if hint is not None:
        assert error.hint is not None and hint in error.hint


def test_validation_both_spellings_with_one_value_and_exclusive_without_bound(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rules.yml",
        "types:\n  Name:\n    type: string\n    validation: {maxLength: 5, max-length: 5}\n"
        "  Positive:\n    type: double\n    validation: {exclusiveMin: true}\n",
    )
    api = parse_fern(path)
    assert api.schemas["Name"] == {"type": "string", "maxLength": 5}
    assert api.schemas["Positive"] == {"type": "number"}
    assert any("'exclusiveMin: true' has no effect without 'min'" in w for w in api.warnings)


def test_unknown_validation_rule_of_a_parameter_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "param.yml",
        "channel:\n  path: /p\n  auth: false\n  query-parameters:\n    q:\n      type: string\n"
        "      validation: {maxLen: 3}\n  messages: {}\n",
    )
    with pytest.raises(SpecError, match="validation rule 'maxLen'") as info:
        parse_fern(path)
    assert info.value.pointer == "/channel/query-parameters/q/validation/maxLen"
    assert info.value.hint is not None and "maxLength" in info.value.hint


# --- unsupported features in types the channel does not use ------------------------------------------

UNUSED = SPECS / "unused"
PACKAGE = UNUSED / "__package__.yml"

# type -> (file, what the note quotes, where the note says the problem is: "file:line at pointer")
SKIPPED = {
    "HttpEvent": ("__package__.yml", "'context' in type 'HttpEvent' (a union type)", "18 at /types/HttpEvent/context"),
    "Upload": ("__package__.yml", "the 'file' type", "23 at /types/Upload/properties/data"),
    "Listing": ("__package__.yml", "generic type Page<...> is not supported", "26 at /types/Listing/properties/page"),
    "UsesHttpEvent": ("__package__.yml", "it uses type 'HttpEvent' (__package__.yml), which is skipped too", None),
    "Bad": ("__package__.yml", "type 'Bad' must be a type expression or a mapping, not a number", "30 at /types/Bad"),
    "ListUnion": ("__package__.yml", "a list needs 'discriminated: false'", "32 at /types/ListUnion/union"),
    "Page<T>": ("__package__.yml", "generic type declaration 'Page<T>'", "35 at /types/Page<T>"),
    "Typo": ("__package__.yml", "'encoding' in property 'name'", "42 at /types/Typo/properties/name/encoding"),
    "Broken": ("__package__.yml", "unknown type 'Strng'", "45 at /types/Broken/properties/name"),
    "Draft": ("chat.yml", "'context' in type 'Draft' (an object type)", "22 at /types/Draft/context"),
}


def test_refused_types_the_channel_does_not_use_become_notes() -> None:
    api = parse_fern(UNUSED / "chat.yml")
    assert set(api.schemas) == {"Settings", "Voice", "Publish", "Shape", "Base"}
    skipped = {w.split("'")[1]: w for w in api.warnings if "is not used by channel 'chat', so it was skipped" in w}
    assert set(skipped) == set(SKIPPED)
    for name, (file, quoted, where) in SKIPPED.items():
        note = skipped[name]
        assert note.startswith(f"{file}: type '{name}' is not used by channel 'chat', so it was skipped: "), note
        assert quoted in note, note
        if where is not None:
            assert note.endswith(f"({file}:{where})"), note
    # The used types are exactly what they would be without the refused ones next to them.
    assert api.schemas["Shape"] == {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"type": "object", "properties": {"sides": {"type": "integer"}}, "required": ["sides"]},
        ]
    }


PACKAGE_LINES = {"/types/HttpEvent/context": 18, "/types/ListUnion/union": 32, "/types/Bad": 30}
USED_REFUSED = [
    # (what the channel declares, the path in the hint, the refused type's pointer, its message)
    (
        "  messages:\n    m:\n      origin: server\n      body: root.HttpEvent\n",
        "message 'm' -> HttpEvent",
        "/types/HttpEvent/context",
        "'context' in type 'HttpEvent'",
    ),
    (
        "  messages:\n    m:\n      origin: server\n      body: Local\ntypes:\n  Local:\n    extends: root.UsesHttpEvent\n",
        "message 'm' -> Local -> UsesHttpEvent -> HttpEvent",
        "/types/HttpEvent/context",
        "'context' in type 'HttpEvent'",
    ),
    (
        "  query-parameters:\n    listing: optional<root.ListUnion>\n  messages: {}\n",
        "query parameter 'listing' -> ListUnion",
        "/types/ListUnion/union",
        "needs 'discriminated: false'",
    ),
    (
        "  messages:\n    m:\n      origin: client\n      body: Either\ntypes:\n  Either:\n    union:\n"
        "      one: root.Settings\n      two: root.Bad\n",
        "message 'm' -> Either -> Bad",
        "/types/Bad",
        "must be a type expression or a mapping",
    ),
]


@pytest.mark.parametrize(("channel", "path", "pointer", "message"), USED_REFUSED, ids=[c[1] for c in USED_REFUSED])
def test_refused_type_the_channel_uses_is_an_error(
    tmp_path: Path, channel: str, path: str, pointer: str, message: str
) -> None:
    package = write(tmp_path, "__package__.yml", PACKAGE.read_text())
    spec = write(
        tmp_path, "chat.yml", "imports:\n  root: __package__.yml\nchannel:\n  path: /c\n  auth: false\n" + channel
    )
    with pytest.raises(SpecError) as info:
        parse_fern(spec)
    error = info.value
    assert message in error.message
    assert (error.file, error.pointer) == (package, pointer)  # the refused declaration, in the imported file
    assert error.line == PACKAGE_LINES[pointer]
    assert error.hint is not None and f"the channel uses type '{path.split(' -> ')[-1]}' ({path})" in error.hint
    assert f"{package}:{error.line}: error:" in str(error)


def test_without_a_channel_every_type_of_the_file_is_used(tmp_path: Path) -> None:
    path = write(tmp_path, "types.yml", "types:\n  Fine:\n    properties:\n      a: string\n  Odd:\n    context: x\n")
    with pytest.raises(SpecError, match="'context' in type 'Odd'") as info:
        parse_fern(path)
    assert (info.value.pointer, info.value.line) == ("/types/Odd/context", 6)
    assert (
        info.value.hint is not None
        and "types.yml has no channel, so all of its types are used (Odd)" in info.value.hint
    )


def hume_copy(folder: Path, refuse: str) -> tuple[Path, Path]:
    """chat.yml and __package__.yml copied into ``folder`` with an unsupported key added to type ``refuse``."""
    chat = write(folder, "chat.yml", CHAT.read_text())
    text = (HUME / "__package__.yml").read_text()
    head = f"\n  {refuse}:\n"
    assert head in text, refuse
    package = write(folder, "__package__.yml", text.replace(head, head + "    context: http-only\n", 1))
    return chat, package


def test_hume_chat_has_no_skipped_types() -> None:
    api = parse_fern(CHAT)
    assert not [w for w in api.warnings if "skipped" in w]


def test_hume_refused_feature_in_a_type_chat_does_not_use(tmp_path: Path) -> None:
    used = set(parse_fern(CHAT).schemas)
    declared = yaml.safe_load((HUME / "__package__.yml").read_text())["types"]
    unused = next(n for n, t in declared.items() if isinstance(t, dict) and "properties" in t and n not in used)
    chat, package = hume_copy(tmp_path, unused)
    api = parse_fern(chat)
    assert set(api.schemas) == used
    (note,) = [w for w in api.warnings if "skipped" in w]
    line = line_of(package, "context: http-only")
    assert note == (
        f"__package__.yml: type '{unused}' is not used by channel 'chat', so it was skipped: unsupported Fern "
        f"feature: 'context' in type '{unused}' (an object type) (__package__.yml:{line} at /types/{unused}/context)"
    )


def test_hume_refused_feature_in_a_type_chat_uses(tmp_path: Path) -> None:
    chat, package = hume_copy(tmp_path, "AudioInput")
    with pytest.raises(SpecError) as info:
        parse_fern(chat)
    error = info.value
    assert (error.file, error.pointer) == (package, "/types/AudioInput/context")
    assert error.line == line_of(package, "context: http-only")
    assert error.hint is not None and "(message 'publish' -> AudioInput)" in error.hint


# --- mock and check read Fern channel files --------------------------------------------------------

CHECK = SPECS / "check"


def copy_ping(folder: Path, *, n_type: str = "integer") -> Path:
    """``specs/check/ping.yml`` in ``folder`` (with Ping.n of type ``n_type``): a file the tools find there."""
    text = (CHECK / "ping.yml").read_text()
    return write(folder, "ping.yml", text.replace("        type: integer\n", f"        type: {n_type}\n", 1))


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_mock_server_from_a_fern_file_validates_client_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from websockets.sync.client import connect

    from autosdk_py.mock import MockServer

    monkeypatch.setenv("AUTOSDK_CACHE_DIR", str(tmp_path / "cache"))  # models generated for the mock stay here
    spec = copy_ping(tmp_path)
    mock = MockServer.from_spec(spec)
    assert mock.api.version == "fern"
    assert [(c.key, c.address) for c in mock.api.channels] == [("ping", "/ping")]
    with mock, connect(mock.url_for("ping"), open_timeout=5) as ws:
        ws.send('{"type": "ping", "n": 1}')
        ws.send('{"type": "ping", "n": -1}')  # validation: {min: 0} reaches the mock's models
        # The server thread registers the connection and judges each frame on its own time: poll.
        assert eventually(lambda: bool(mock.connections) and len(mock.connections[0].errors) == 1)
    (connection,) = mock.connections
    assert connection.received[0] == {"type": "ping", "n": 1}
    assert len(connection.errors) == 1


def test_mock_server_from_hume_chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autosdk_py.mock import MockServer

    monkeypatch.setenv("AUTOSDK_CACHE_DIR", str(tmp_path / "cache"))
    mock = MockServer.from_spec(CHAT)
    (channel,) = mock.api.channels
    assert (channel.key, channel.address) == ("chat", "/chat")
    assert {m.key for m in channel.messages} >= {"publish.AudioInput", "subscribe.AssistantEnd"}


def run_check(openapi: Path, realtime: Path) -> tuple[int, str]:
    from typer.testing import CliRunner

    from autosdk_py.cli import app

    result = CliRunner().invoke(app, ["check", str(openapi), str(realtime)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_check_accepts_a_fern_channel_file(tmp_path: Path) -> None:
    code, output = run_check(CHECK / "openapi.yml", copy_ping(tmp_path))
    assert "no 'channels'" not in output
    assert "2 of 2 schemas match." in output
    assert code == 0, output


def test_check_reports_a_fern_schema_mismatch(tmp_path: Path) -> None:
    code, output = run_check(CHECK / "openapi.yml", copy_ping(tmp_path, n_type="string"))
    assert "no 'channels'" not in output
    assert code == 1, output
    assert "Ping (/components/schemas/Ping)" in output


def test_check_reads_hume_chat(tmp_path: Path) -> None:
    code, output = run_check(CHECK / "openapi.yml", CHAT)
    assert "no 'channels'" not in output
    assert code == 1, output  # Hume's models are not in the Ping API: every schema is reported missing
    assert "AssistantEnd (/components/schemas/AssistantEnd): no schema of this name" in output


def test_without_a_channel_imported_types_are_used_only_when_referenced(tmp_path: Path) -> None:
    write(tmp_path, "other.yml", "types:\n  Used:\n    properties:\n      a: string\n  Odd:\n    context: x\n")
    path = write(
        tmp_path, "types.yml", "imports:\n  other: other.yml\ntypes:\n  Mine:\n    properties:\n      u: other.Used\n"
    )
    api = parse_fern(path)
    assert set(api.schemas) == {"Mine", "Used"}
    assert api.warnings == (
        "other.yml: type 'Odd' is not used by the types of types.yml, so it was skipped: unsupported Fern feature: "
        "'context' in type 'Odd' (an object type) (other.yml:6 at /types/Odd/context)",
    )
