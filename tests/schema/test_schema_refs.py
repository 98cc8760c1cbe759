"""autosdk_py.schema.refs: local $ref chains, lenient reading, cycles, dangling targets, final pointers."""

from __future__ import annotations

from typing import Any

import pytest

from autosdk_py.schema import line_of
from autosdk_py.schema.refs import (
    DanglingRef,
    RefCycle,
    Resolved,
    follow,
    ref_tokens,
    resolve_lenient,
    target,
    walk,
)

DOC: dict[str, Any] = {
    "components": {
        "messages": {
            "A": {"$ref": "#/components/messages/B"},
            "B": {"$ref": "#/components/messages/C"},
            "C": {"payload": {"type": "string"}},
            "chat/userMessage": {"payload": {"type": "integer"}},
            "a b": {"payload": {"type": "boolean"}},
            "Loop1": {"$ref": "#/components/messages/Loop2"},
            "Loop2": {"$ref": "#/components/messages/Loop1"},
            "Dangling": {"$ref": "#/components/messages/Nowhere"},
            "Remote": {"$ref": "other.yaml#/Thing"},
        }
    }
}


def test_follow_a_chain_to_its_final_pointer() -> None:
    resolved = follow(DOC, {"$ref": "#/components/messages/A"}, "/channels/x/messages/m")
    assert resolved == Resolved(
        {"payload": {"type": "string"}},
        "/components/messages/C",
        ("/components/messages/A", "/components/messages/B", "/components/messages/C"),
    )


def test_follow_without_a_ref_is_the_node_itself() -> None:
    node = {"type": "string"}
    assert follow(DOC, node, "/x") == Resolved(node, "/x", ())


def test_remote_refs_are_left_alone() -> None:
    node = DOC["components"]["messages"]["Remote"]
    assert follow(DOC, node, "/components/messages/Remote") == Resolved(node, "/components/messages/Remote", ())
    assert follow(DOC, {"$ref": "#/components/messages/Remote"}).value is node


def test_a_cycle_names_the_ref_that_closes_it() -> None:
    with pytest.raises(RefCycle) as caught:
        follow(DOC, {"$ref": "#/components/messages/Loop1"}, "/start")
    assert caught.value.where == "/components/messages/Loop2"
    assert caught.value.ref == "#/components/messages/Loop1"
    assert caught.value.chain[-1] == "/components/messages/Loop1"
    assert "reference cycle" in str(caught.value)


def test_a_dangling_ref_names_where_it_is_written() -> None:
    with pytest.raises(DanglingRef) as caught:
        follow(DOC, {"$ref": "#/components/messages/Dangling"}, "/start")
    assert caught.value.where == "/components/messages/Dangling"
    assert caught.value.chain == ("/components/messages/Dangling", "/components/messages/Nowhere")
    with pytest.raises(DanglingRef):
        follow(DOC, {"$ref": "#anchor"})


def test_lenient_keys_and_percent_encoding() -> None:
    for ref in (
        "#/components/messages/chat~1userMessage",
        "#/components/messages/chat%2FuserMessage",
        "#/components/messages/chat/userMessage",
    ):
        pointer, value = target(DOC, ref)
        assert (pointer, value) == ("/components/messages/chat~1userMessage", {"payload": {"type": "integer"}})
    assert target(DOC, "#/components/messages/a%20b")[0] == "/components/messages/a b"
    with pytest.raises(DanglingRef):
        target(DOC, "#/components/messages/chat/userMessage", lenient=False)
    assert ref_tokens(DOC, "/") == []  # '#/' is the whole document
    assert ref_tokens(DOC, "/components/messages/Nowhere") is None


def test_refs_met_on_the_way_are_followed() -> None:
    assert resolve_lenient(DOC, ["components", "messages", "A", "payload", "type"]) == "string"
    assert walk(DOC, ["components", "messages", "A", "payload"]) == (
        ["components", "messages", "C", "payload"],
        {"type": "string"},
    )
    assert target(DOC, "#/components/messages/A/payload") == (
        "/components/messages/A/payload",  # the pointer as written: the parser's message identity
        {"type": "string"},
    )
    with pytest.raises(KeyError):
        walk({"A": {"$ref": "#/A/x"}}, ["A", "x"])  # would never end
    with pytest.raises(KeyError):
        resolve_lenient(DOC, ["components", "messages", "Remote", "x"])


def test_line_of_is_reachable_from_the_package() -> None:
    assert line_of("a:\n  b:\n    c: 1\n", "/a/b/c") == 3
    assert line_of("a: 1\n", "not a pointer") is None
