"""JSON schema -> Python annotation (``TypeExpr``) for parameters, agreeing with the generated models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..pytext import TypeExpr

__all__ = [
    "MODEL_FORMATS",
    "PARAMETER_FORMATS",
    "FormatType",
    "format_imports",
    "json_annotation",
    "schema_annotation",
]

FormatType = tuple[str, str]  # (module, class name): ("datetime", "datetime")

# The string formats the models (datamodel-code-generator as ``models/codegen.py`` sets it up) give a
# class of their own: ``date-time`` -> ``datetime`` (naive and aware values alike), ``date`` -> ``date``,
# ``binary`` -> ``bytes``. ``time``, ``uuid``, ``uri``, ``email``... stay ``str`` there (codegen's
# ``_STRING_FORMATS_AS_STR``), and ``byte`` is pydantic's ``Base64Str`` (a ``str`` the caller writes
# decoded), so ``str`` here too.
MODEL_FORMATS: Mapping[str, FormatType] = {
    "date-time": ("datetime", "datetime"),
    "date": ("datetime", "date"),
    "binary": ("builtins", "bytes"),
}

# The formats a ``connect()`` parameter is typed by: the models' classes, so a date-time is a
# ``datetime`` in a query parameter as in a payload field (bytes have no URL text). The generated
# module imports them (``format_imports``) and the runtime writes them as ISO 8601
# (``realtime_runtime._urls.param_text``).
PARAMETER_FORMATS: Mapping[str, FormatType] = {k: v for k, v in MODEL_FORMATS.items() if k != "binary"}

_JSON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def schema_annotation(schema: Mapping[str, Any], formats: Mapping[str, FormatType] = MODEL_FORMATS) -> TypeExpr:
    """A Python annotation for a scalar-ish JSON schema: ``const``/``enum`` -> ``Literal[...]``, the JSON
    types (a ``type`` list is a union, ``nullable`` adds ``None``), arrays as ``list[...]``, strings of
    a format in ``formats`` as that class; no ``type`` at all -> ``str``, objects -> ``Any``."""
    if "const" in schema and _literal_values([schema["const"]]):
        return TypeExpr.literal_of([schema["const"]])
    if schema.get("enum"):
        values = _literal_values(schema["enum"])
        if values is not None:
            return TypeExpr.literal_of(values) if values else TypeExpr.name("None")
    types = schema.get("type")
    names = types if isinstance(types, list) else [types] if types else []
    parts = []
    for t in names:
        if t == "array":
            items = schema.get("items")
            parts.append(
                TypeExpr.subscript("list", schema_annotation(items if isinstance(items, Mapping) else {}, formats))
            )
        elif t == "string" and isinstance(schema.get("format"), str) and schema["format"] in formats:
            parts.append(TypeExpr.name(formats[schema["format"]][1]))
        else:
            parts.append(TypeExpr.name(_JSON_TYPES.get(str(t), "Any")))
    if schema.get("nullable"):
        parts.append(TypeExpr.name("None"))
    return TypeExpr.union(parts) if parts else TypeExpr.name("str")


def json_annotation(schema: Mapping[str, Any]) -> TypeExpr:
    """A ``connect()`` parameter's annotation (parameters are scalars in practice)."""
    return schema_annotation(schema, PARAMETER_FORMATS)


def format_imports(annotation: TypeExpr, formats: Mapping[str, FormatType] = MODEL_FORMATS) -> dict[str, list[str]]:
    """The ``from <module> import <names>`` a module needs for the format classes ``annotation`` uses."""
    wanted: dict[str, list[str]] = {}
    for module, name in formats.values():
        if module != "builtins" and name in annotation.names and name not in wanted.get(module, []):
            wanted.setdefault(module, []).append(name)
    return {module: sorted(names) for module, names in sorted(wanted.items())}


def _literal_values(values: Sequence[Any]) -> list[Any] | None:
    """Values a ``Literal[...]`` may hold (str, int, bool), or None when one of them is something else."""
    kept = [v for v in values if v is not None]
    return kept if all(isinstance(v, (str, int)) for v in kept) else None
