"""autosdk_py.schema.pointer: escaping, splitting, fragments, lookup and lenient key grouping."""

from __future__ import annotations

from typing import Any

import pytest

from autosdk_py import errors, loader
from autosdk_py.schema import pointer
from autosdk_py.schema.pointer import (
    escape_pointer_token,
    fragment_tokens,
    json_pointer,
    key_under,
    lookup,
    loose_tokens,
    split_pointer,
)


def test_escape_and_join() -> None:
    assert escape_pointer_token("a/b~c") == "a~1b~0c"
    assert escape_pointer_token(3) == "3"
    assert json_pointer() == ""
    assert json_pointer("components", "schemas", "a/b", 0) == "/components/schemas/a~1b/0"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", []), ("/", [""]), ("/a/b", ["a", "b"]), ("/a~1b/c~0d", ["a/b", "c~d"]), ("/~01", ["~1"])],
)
def test_split_round_trips(text: str, tokens: list[str]) -> None:
    assert split_pointer(text) == tokens
    assert json_pointer(*tokens) == text


def test_split_refuses_a_non_pointer() -> None:
    with pytest.raises(ValueError, match="not a JSON pointer"):
        split_pointer("a/b")


def test_fragments_are_percent_decoded_before_splitting() -> None:
    assert fragment_tokens("/components/schemas/a%20b") == ["components", "schemas", "a b"]
    assert fragment_tokens("/paths/~1chat%7Bid%7D") == ["paths", "/chat{id}"]
    with pytest.raises(ValueError):
        fragment_tokens("anchor")


def test_lookup_objects_and_lists() -> None:
    data: dict[str, Any] = {"a": [{"b": 1}, {"c/d": 2}], "": {"x": None}}
    assert lookup(data, ["a", "0", "b"]) == 1
    assert lookup(data, "/a/1/c~1d") == 2
    assert lookup(data, "//x") is None  # a present null is found
    assert lookup(data, "") is data
    for missing in ("/a/2", "/a/-1", "/a/x", "/b", "/a/0/b/c"):
        with pytest.raises(KeyError):
            lookup(data, missing)


def test_loose_tokens_group_keys_holding_slashes() -> None:
    data = {"messages": {"chat/userMessage": {"payload": 1}, "chat": {"other": 2}}}
    assert loose_tokens(data, ["messages", "chat", "userMessage", "payload"]) == [
        "messages",
        "chat/userMessage",
        "payload",
    ]
    assert loose_tokens(data, ["messages", "chat", "other"]) == ["messages", "chat", "other"]
    assert loose_tokens(data, ["messages", "nothing"]) is None
    assert loose_tokens({"a": {"$ref": "#/b"}}, ["a", "x"]) is None  # through a $ref: refs' business


def test_key_under() -> None:
    prefix = "#/components/schemas/"
    assert key_under(prefix + "Pet", prefix) == "Pet"
    assert key_under(prefix + "a~1b", prefix) == "a/b"
    assert key_under(prefix + "a%2Fb", prefix) == "a/b"
    assert key_under("#/definitions/Pet", prefix) is None


def test_old_homes_re_export_the_one_copy() -> None:
    assert errors.json_pointer is pointer.json_pointer
    assert errors.escape_pointer_token is pointer.escape_pointer_token
    assert loader.split_pointer is pointer.split_pointer


def test_decoded_fragment() -> None:
    assert pointer.decoded_fragment("/") == ""  # '#/' is the whole document
    assert pointer.decoded_fragment("") == ""
    assert pointer.decoded_fragment("/a%2Fb") == "/a/b"  # decoded, so '/' splits (the loose reading regroups)
