"""Turning outgoing messages into compact JSON text frames.

Messages are dumped with ``exclude_unset=True`` so that the server applies its own defaults
for every field the caller did not choose (sending a client-side default, or ``null``, would
override server-side configuration). That would also drop the constant tag of a message whose
``type: Literal["x"] = "x"`` was not passed explicitly - and servers need it, at every level
(OpenAI's ``session.update`` carries ``session.type`` too). So before dumping, constant
fields - a single-value ``Literal`` or one-member ``Enum`` whose default is that value - are
marked as set on the model and on the models nested in its set fields. Marking them set is
idempotent and changes no value: a constant is part of what the message is.
"""

from __future__ import annotations

import json
import types
from enum import Enum
from typing import (
    Annotated,
    Any,
    ForwardRef,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
)

import pydantic
from pydantic.fields import FieldInfo

__all__ = ["encode_json", "encode_model"]

# (constant fields, fields that may hold models, ``Any`` fields checked one level deep)
_Plan = tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]
_PLANS: dict[type[pydantic.BaseModel], _Plan] = {}
_NO_FIELDS: frozenset[str] = frozenset()


def encode_model(model: pydantic.BaseModel) -> str:
    """Compact JSON for ``model``: fields set by the caller, by alias, constants included."""
    _mark_constants(model)
    return model.model_dump_json(by_alias=True, exclude_unset=True)


def encode_json(data: Any) -> str:
    """Compact JSON for plain data (dicts, lists, strings, numbers...)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _mark_constants(model: pydantic.BaseModel) -> None:
    cls = model.__class__
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan_for(cls)
    constants, nested, loose = plan
    fields_set = model.__pydantic_fields_set__
    if constants and not constants <= fields_set:
        fields_set.update(constants)
    for name in nested:
        if name in fields_set:
            _mark_value(getattr(model, name))
    for name in loose:
        # ``Any`` fields usually hold plain JSON (a tool's JSON Schema): walking it on every send
        # cost more than the send. A model placed there directly is still handled.
        if name in fields_set:
            value = getattr(model, name)
            if isinstance(value, pydantic.BaseModel):
                _mark_constants(value)


def _mark_value(value: object) -> None:
    if isinstance(value, pydantic.BaseModel):
        _mark_constants(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _mark_value(item)
    elif isinstance(value, dict):
        for item in value.values():
            _mark_value(item)


def _plan_for(cls: type[pydantic.BaseModel]) -> _Plan:
    constants = []
    nested = []
    loose = []
    for name, info in cls.model_fields.items():
        if _is_constant(info):
            constants.append(name)
        elif _may_hold_model(info.annotation):
            nested.append(name)
        elif info.annotation is Any or info.annotation in _OPEN_CONTAINERS:
            loose.append(name)
    return (
        frozenset(constants) if constants else _NO_FIELDS,
        tuple(nested),
        tuple(loose),
    )


def _is_constant(info: FieldInfo) -> bool:
    if info.default_factory is not None or info.is_required():
        return False
    annotation = info.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        # ``Literal["x"] | None = "x"``: the optional form of a constant.
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) != 1:
            return False
        annotation = members[0]
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        return len(values) == 1 and _same(values[0], info.default)
    if (
        isinstance(annotation, type)
        and issubclass(annotation, Enum)
        and len(annotation) == 1
    ):
        return _same(next(iter(annotation)), info.default)
    return False


def _same(allowed: object, default: object) -> bool:
    return type(allowed) is type(default) and allowed == default


_OPEN_CONTAINERS = (object, dict, list, tuple, set, frozenset)
_TypeVarType = type(TypeVar("_TypeVarType"))


def _may_hold_model(annotation: Any, seen: frozenset[int] = frozenset()) -> bool:
    # Precomputed per class, so that a flat message (most sends) costs no walk at all.
    # ``Any`` and bare containers hold plain JSON data in generated models (a tool's JSON
    # Schema ``parameters``, say): walking them on every send cost more than the send itself.
    if annotation is Any or annotation in _OPEN_CONTAINERS:
        return False
    if isinstance(annotation, (str, ForwardRef, _TypeVarType)):
        return True  # unknown until resolved: assume it may
    value = getattr(annotation, "__value__", None)
    if value is not None and get_origin(annotation) is None:
        # A TypeAliasType (generated unions and arrays): look at what it stands for.
        if id(annotation) in seen:
            return False
        return _may_hold_model(value, seen | {id(annotation)})
    if isinstance(annotation, type):
        return issubclass(annotation, pydantic.BaseModel)
    origin = get_origin(annotation)
    if origin is Literal:
        return False
    args = get_args(annotation)
    if origin is Annotated:
        return _may_hold_model(args[0], seen)
    if origin is None:
        return True
    return any(_may_hold_model(arg, seen) for arg in args if arg is not Ellipsis)
