"""Turning Python values into path segments, query pairs, header values and JSON bodies."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import typing
from collections.abc import Mapping, Sequence
from enum import Enum
from urllib.parse import parse_qsl, quote

import pydantic

from ._types import NotGiven

__all__ = [
    "encode_headers",
    "encode_query",
    "expand_path",
    "is_omitted",
    "json_text",
    "merge_extra_body",
    "split_path_query",
    "stringify",
    "to_jsonable",
]

_PATH_PARAM = re.compile(r"\{([^{}]+)\}")
# Serializing through ``Any`` makes pydantic infer the wire form of UUIDs, decimals, enums...
_ANY: pydantic.TypeAdapter[typing.Any] = pydantic.TypeAdapter(typing.Any)


def is_omitted(value: object) -> bool:
    """``None`` and ``NOT_GIVEN`` both mean "leave it out" in a query, header or form field."""
    return value is None or isinstance(value, NotGiven)


def stringify(value: object) -> str:
    """The wire form of a scalar: enums by value, JSON-style booleans, ISO 8601 dates."""
    if isinstance(value, Enum):
        return stringify(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):  # datetime is a date subclass
        return value.isoformat()
    return str(value)


def expand_path(template: str, params: Mapping[str, object] | None) -> str:
    """Substitute ``{name}`` placeholders with percent-quoted values.

    Everything is quoted (``safe=""``) so a value containing ``/`` or ``?`` cannot reach
    a different endpoint than the one the caller meant.
    """
    params = params or {}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params or is_omitted(params[name]):
            raise ValueError(
                f"missing value for path parameter {name!r} in {template!r}"
            )
        text = stringify(params[name])
        if not text:
            # An empty segment silently targets another endpoint (e.g. a list instead of a get).
            raise ValueError(
                f"expected a non-empty value for path parameter {name!r}, got {params[name]!r}"
            )
        return quote(text, safe="")

    return _PATH_PARAM.sub(substitute, template)


def split_path_query(template: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Split a path key such as ``/responses?beta=true`` into its path and its fixed query pairs.

    Some specs (OpenAI's) put a fixed query string in the path key to tell two operations on the
    same path apart. httpx replaces a URL's query with the request's params, so the pairs must be
    sent as params themselves: see ``encode_query(fixed=...)``. Pairs keep their order and
    repeats, except that httpx sends the repeats of one name together, where the name first
    appears (as for every query parameter); percent-escapes are decoded here and re-encoded by
    httpx (``?flag`` is sent as ``?flag=``).
    """
    path, sep, query = template.partition("?")
    if not sep:
        return template, ()
    return path, tuple(parse_qsl(query, keep_blank_values=True))


def json_text(value: object) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))


def _query_pairs(key: str, value: object) -> list[tuple[str, str]]:
    if is_omitted(value):
        return []
    if isinstance(value, pydantic.BaseModel):
        value = to_jsonable(value)
    if isinstance(value, Mapping):
        # OpenAPI deepObject style, the only style that can carry an object in a query string.
        return [
            pair
            for sub, item in value.items()
            for pair in _query_pairs(f"{key}[{sub}]", item)
        ]
    if isinstance(value, list | tuple | set | frozenset):
        # Sets are sorted so the same call always produces the same URL (cache keys, signatures).
        items = (
            sorted(value, key=stringify)
            if isinstance(value, set | frozenset)
            else value
        )
        pairs: list[tuple[str, str]] = []
        for item in items:
            if isinstance(item, Mapping | pydantic.BaseModel):
                pairs.append((key, json_text(item)))
            else:
                pairs.extend(_query_pairs(key, item))
        return pairs
    return [(key, stringify(value))]


def encode_query(
    *layers: Mapping[str, object] | None,
    fixed: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """Flatten query mappings into ``(key, value)`` pairs; a later layer replaces a whole key.

    ``fixed`` are the pairs of the path key's own query string (see ``split_path_query``): they
    come first, in their order. They are part of the endpoint, so they stay unless a layer
    (an operation parameter, ``extra_query``...) actually sends a value for the same name: that
    value then replaces all of the name's fixed pairs, in the layer's position. An omitted value
    (``None``, ``NOT_GIVEN``: how generated methods pass parameters the caller left out) does not
    remove them.
    """
    by_key: dict[str, list[tuple[str, str]]] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            by_key.pop(
                key, None
            )  # re-insert so the winner also takes the later position
            by_key[key] = _query_pairs(key, value)
    kept = [pair for pair in fixed if not by_key.get(pair[0])]
    return kept + [pair for pairs in by_key.values() for pair in pairs]


def encode_headers(headers: Mapping[str, object] | None) -> dict[str, str]:
    encoded: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if is_omitted(value):
            continue
        if isinstance(value, list | tuple):
            encoded[name] = ", ".join(
                stringify(item) for item in value if not is_omitted(item)
            )
        else:
            encoded[name] = stringify(value)
    return encoded


def _is_constant_literal(annotation: object) -> bool:
    return (
        typing.get_origin(annotation) is typing.Literal
        and len(typing.get_args(annotation)) == 1
    )


@functools.cache
def _constant_fields(model_class: type[pydantic.BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, info in model_class.model_fields.items()
        if _is_constant_literal(info.annotation) and not info.is_required()
    )


def _mark_constants_set(value: object) -> None:
    # ``exclude_unset`` would drop a defaulted discriminator such as ``type: Literal["text"] = "text"``,
    # and servers need it to tell union members apart. Such a field can only ever hold that one
    # value, so recording it as "set" changes nothing else about the model.
    if isinstance(value, pydantic.BaseModel):
        fields_set = value.model_fields_set
        fields_set.update(_constant_fields(type(value)))
        for name in fields_set:
            _mark_constants_set(getattr(value, name, None))
    elif isinstance(value, Mapping):
        for item in value.values():
            _mark_constants_set(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _mark_constants_set(item)


def to_jsonable(value: object) -> object:
    """JSON-ready data from models (only the fields the caller set), mappings and scalars.

    ``NOT_GIVEN`` entries of mappings are dropped so hand-built dict bodies can use the sentinel too.
    """
    if isinstance(value, pydantic.BaseModel):
        _mark_constants_set(value)
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {
            str(k): to_jsonable(v)
            for k, v in value.items()
            if not isinstance(v, NotGiven)
        }
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    jsonable: object = _ANY.dump_python(value, mode="json")
    return jsonable


def merge_extra_body(body: object, extra_body: object) -> object:
    """Merge ``RequestOptions.extra_body`` into an already JSON-ready body."""
    if extra_body is None:
        return body
    extra = to_jsonable(extra_body)
    if isinstance(body, NotGiven):
        return extra
    if isinstance(body, dict) and isinstance(extra, dict):
        return {**body, **extra}
    raise TypeError("extra_body can only be merged into a JSON object body")
