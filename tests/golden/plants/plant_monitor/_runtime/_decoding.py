"""Turning response bodies into typed values, and keyword arguments into models."""

from __future__ import annotations

import threading
import types
from collections.abc import Mapping
from typing import Any, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError
from ._types import NotGiven

__all__ = ["build_model", "cast_response", "type_adapter", "validate_json"]

T = TypeVar("T")
M = TypeVar("M", bound=pydantic.BaseModel)

# Building a TypeAdapter compiles a validator, which costs far more than validating one response.
_adapters: dict[object, pydantic.TypeAdapter[Any]] = {}
_adapters_lock = threading.Lock()


def type_adapter(tp: type[T]) -> pydantic.TypeAdapter[T]:
    """The TypeAdapter for ``tp``, built once per type and shared by every client."""
    try:
        adapter = _adapters.get(tp)
    except TypeError:  # unhashable annotation metadata: correct, just not cacheable
        return pydantic.TypeAdapter(tp)
    if adapter is None:
        with _adapters_lock:
            adapter = _adapters.get(tp)
            if adapter is None:
                adapter = pydantic.TypeAdapter(tp)
                _adapters[tp] = adapter
    return cast("pydantic.TypeAdapter[T]", adapter)


def _is_model_class(tp: object) -> bool:
    # ``list[Model]`` is not a class, and issubclass() would raise on it.
    return (
        isinstance(tp, type)
        and not isinstance(tp, types.GenericAlias)
        and issubclass(tp, pydantic.BaseModel)
    )


def validate_json(tp: type[T], raw: bytes | str, *, response: httpx.Response) -> T:
    """Validate a JSON document against ``tp``, raising :class:`APIResponseValidationError` on mismatch."""
    try:
        if _is_model_class(tp):
            return cast(
                "T", cast("type[pydantic.BaseModel]", tp).model_validate_json(raw)
            )
        return type_adapter(tp).validate_json(raw)
    except pydantic.ValidationError as exc:
        body = raw.encode("utf-8") if isinstance(raw, str) else raw
        raise APIResponseValidationError(
            response=response, body=body, error=exc
        ) from exc


def cast_response(response: httpx.Response, cast_to: type[T]) -> T:
    """Decode a fully read 2xx response into ``cast_to``."""
    result: object
    if cast_to is type(None):
        result = None
    elif cast_to is httpx.Response:
        result = response
    elif cast_to is bytes:
        result = response.content
    elif cast_to is str:
        result = response.text
    else:
        return validate_json(cast_to, response.content, response=response)
    return cast("T", result)


def build_model(cls: type[M], fields: Mapping[str, object]) -> M:
    """Validate ``cls`` from keyword arguments, leaving out the ones that were ``NOT_GIVEN``.

    Omitted fields stay *unset* on the model, so ``exclude_unset`` dumps do not send them.
    """
    return cls.model_validate(
        {
            name: value
            for name, value in fields.items()
            if not isinstance(value, NotGiven)
        }
    )
