"""``_manifest.json``: which class and module each schema became, and the schema's shape.

Pass 2's cross-spec checker reads it to verify that an AsyncAPI document's schemas match the models
generated from the OpenAPI document (compare with :func:`autosdk_py.shapes.diff_shapes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from autosdk_py.shapes import schema_shape

MANIFEST_FORMAT = 1


def build_manifest(
    *,
    package: str,
    schemas: Mapping[str, Any],
    class_for_schema: Mapping[str, str],
    module_of: Mapping[str, str],
    resolve: Callable[[str], Mapping[str, Any]],
    kind_of: Mapping[str, str] | None = None,
    attributes_of: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """``kind_of`` (class name -> "model" or "alias") tells pass 2 how to send a payload;
    ``attributes_of`` (class name -> JSON property -> Python attribute, for the properties whose
    attribute differs) lets it name a property in ``Field(discriminator=...)``, which takes the
    attribute."""
    entries: dict[str, Any] = {}
    for name in sorted(class_for_schema):
        class_name = class_for_schema[name]
        entries[name] = {
            "class_name": class_name,
            "module": module_of[class_name],
            "shape": schema_shape(schemas[name], resolve),
        }
        if kind_of is not None and class_name in kind_of:
            entries[name]["kind"] = kind_of[class_name]
        if attributes_of and attributes_of.get(class_name):
            entries[name]["attributes"] = dict(sorted(attributes_of[class_name].items()))
    return {"package": package, "format": MANIFEST_FORMAT, "schemas": entries}


def dump_manifest(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def load_manifest(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"not a models manifest of format {MANIFEST_FORMAT}")
    return data
