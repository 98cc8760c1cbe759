"""A tag property that is not a Python name (``ty"pe``, ``event-type``) still gives a tagged union.

``Field(discriminator=...)`` takes the models' attribute, not the JSON property; the attribute comes
from the models (own models) or from the pass-1 manifest (cross-namespace).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autosdk_py.pipeline import GenerateOptions, generate

SPEC = """
asyncapi: 3.0.0
info: {title: Tags, version: "1"}
servers:
  s: {host: "127.0.0.1:9", protocol: ws}
channels:
  c:
    address: /c
    messages:
      a: {payload: {type: object, required: [PROP], properties: {PROP: {const: a}, x: {type: string}}}}
      b: {payload: {type: object, required: [PROP], properties: {PROP: {const: b}}}}
operations:
  r: {action: receive, channel: {$ref: "#/channels/c"}, messages: [{$ref: "#/channels/c/messages/a"}, {$ref: "#/channels/c/messages/b"}]}
"""


@pytest.mark.parametrize(("prop", "attribute"), [('ty"pe', "ty_pe"), ("event-type", "event_type"), ("type", "type")])
def test_a_tag_property_is_named_by_its_attribute(tmp_path: Path, prop: str, attribute: str) -> None:
    spec = tmp_path / "tags.yaml"
    spec.write_text(SPEC.replace("PROP", json.dumps(prop)), encoding="utf-8")
    result = generate(GenerateOptions(spec=spec, output=tmp_path / "out", namespace="tags"))
    source = (result.package_dir / "_client.py").read_text(encoding="utf-8")
    assert f'Field(discriminator="{attribute}")' in source
    assert f"TAG = {prop!r}" in source or f"TAG = {json.dumps(prop)}" in source
    manifest = json.loads((result.package_dir / "_manifest.json").read_text(encoding="utf-8"))
    expected = {prop: attribute} if prop != attribute else None
    assert manifest["schemas"]["APayload"].get("attributes") == expected
    frame_b = json.dumps({prop: "b"})
    frame_a = json.dumps({prop: "a", "x": "hi"})
    code = (
        "from tags._client import server_message_decoder\n"
        "d = server_message_decoder()\n"
        f"print(type(d.decode({frame_b!r})).__name__, type(d.decode({frame_a!r})).__name__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "out", capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["BPayload", "APayload"]
