"""Fern definitions as real projects write them: validation spellings, unsupported features in types the
channel does not use, and the other commands (mock, check) reading Fern channel files.

Small fixtures are written to ``tmp_path`` (or live in ``specs/``); the real input is Hume's EVI
``chat.yml`` from ``../shared/corpus/fern`` (read in place, never copied into the repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
