"""Turning received frames into typed messages, without ever crashing or guessing.

Servers add event types faster than SDKs are regenerated, so an unexpected frame is data to
hand over, not an error: it becomes an :class:`UnknownMessage` carrying the raw text. And a
frame is never handed over as a class it was not sent as: the decode rule below says when a
frame *is* a given class, and anything it cannot settle is an :class:`UnknownMessage` too.

The decode rule
---------------

The decoder is built from the server message types (``A | B | ...``), once, on the first
connect. It reads from the pydantic model classes themselves (``model_fields``: names,
aliases, ``Literal`` annotations) which fields are *constants*: a field whose annotation is
a one-value ``Literal`` (or a one-member ``Enum``), optional or not. In the decoder's view a
constant is always required and always has its value, whatever the model's default says:
that is what a ``const`` or one-value ``enum`` in a spec means on the wire.

Tagged (the fast path): when every type is a model with a constant of the common tag field
(``tag="type"``), each with its own value, the tag picks the one class to validate. The frame
is parsed and validated once (``TypeAdapter.validate_json`` of a discriminated union: pydantic
validates only the member the tag names). The union uses ``Field(discriminator=...)`` when
pydantic accepts it (every tag field a ``Literal``), else a callable ``Discriminator`` reading
the raw tag (a tag declared optional in the spec, ``Literal["x"] | None``). Two constants
together (``type`` + ``role``) serve as a compound tag when no single one tells the types
apart; without a ``tag`` given, the decoder looks for one among the constants all types share.
The tag alone identifies the class: keys the class does not declare (a newer server) and its
other constants are left to the model (``extra="allow"``, defaults). An unknown or missing tag
gives ``UnknownMessage(type=..., error=None)``; a known tag whose payload does not validate
gives the validation error.

Matching (no tag can be built): a frame is a class only if exactly one candidate passes:

* a model passes when every one of its constants is in the frame with its value, the frame
  validates against it (lax, as models always validate), and - for a model without any
  constant, which only its field names can identify - every key of the frame is one of its
  fields (name or alias), and the frame has at least one of them (``{}`` is no evidence,
  unless the model has no field at all). ``extra="allow"`` does not waive that: generated
  models all allow extra fields (to keep fields newer than the spec), so it says nothing
  about a frame;
* a type that is not a model (a list, a scalar) passes when the frame validates against it;
* ``Any`` (and ``dict[str, Any]``, ``object``) never takes part: it would match every frame.
  When *every* type is like that (the spec declares no schema), frames are returned as
  parsed JSON, which is all the spec promises; with no type at all, every text frame is an
  ``UnknownMessage``.

Exactly one candidate passes: that class. Several: those with the most constants win (a
``{"type": "x", "kind": "y"}`` frame is the class with both constants, not the one with only
``type``); still several: ``UnknownMessage(error="ambiguous: A or B ...")``. None:
``UnknownMessage`` whose ``error`` lists each candidate's first failure. The decoder never
raises on a frame: invalid JSON, JSON too deep to parse, a wrong shape all end up as
``UnknownMessage`` (binary frames are returned as ``bytes``).

Plain-text messages
-------------------

A server message whose content type is text (``text/plain``..., not JSON) and whose payload is
a string travels as the raw text (``pong``, not ``"pong"``). Such types are given apart
(``texts=``) and take no part in the JSON rule above; a text frame goes to them only when the
JSON rule gives no typed message (JSON first: the hot path of a channel is unchanged, and a
channel without text messages pays nothing). The raw text is then matched against them:

* a *specific* text type - a ``Literal`` (the spec's ``const`` / ``enum``), an ``Enum``, or a
  string with a ``pattern`` - passes when the text validates against it;
* a type that takes any text (``str``, perhaps with length limits) passes only when the frame
  is not valid JSON: a JSON frame the JSON rule could not decode (a newer event) stays an
  ``UnknownMessage``, it is not taken for text.

Exactly one passes: that value (``"pong"``, typed as the message's type). Several: the specific
ones win; still several: ``UnknownMessage(error="ambiguous: ...")``. None: the JSON rule's
``UnknownMessage``, its ``error`` extended with each text type's failure (an unknown tag, whose
``error`` is ``None``, is left as it is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import NoneType, UnionType
from typing import (
    Annotated,
    Any,
    Generic,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
)

import pydantic
import pydantic_core

__all__ = ["MessageDecoder", "UnknownMessage"]

T = TypeVar("T")

# The discriminator could not pick a member: the tag is missing or has a value nobody declared.
_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})
_ANY_LIKE = (Any, object, dict)
_MISSING = object()


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A text frame that does not decode to any known message class.

    ``type`` is the frame's tag value when it can be read (the tag, or in the matching mode
    the first string constant field of any server message type found in the frame).
    ``error`` says why the frame is not a known class: the validation error of the class its
    tag names, the JSON error, or - without a tag - each candidate's failure or the classes it
    could equally be (``"ambiguous: A or B ..."``). It is ``None`` only when a tagged decoder
    met a tag value it does not know (or no tag), typically an event type newer than the SDK.
    Returning a half-valid instance of a known class would break the types callers rely on,
    and raising would kill a receive loop over one bad event.
    """

    type: str | None
    raw: str
    error: str | None = None


# -- reading the model classes --------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """The annotation behind ``Annotated[...]`` and type aliases (``TypeAliasType``)."""
    for _ in range(50):
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        value = getattr(annotation, "__value__", None)
        if (
            value is not None
            and get_origin(annotation) is None
            and not isinstance(annotation, type)
        ):
            annotation = value
            continue
        return annotation
    return annotation


def _const_of(annotation: Any) -> Any:
    """The one value a field may hold (``Literal["x"]``, ``Literal["x"] | None``, a one-member Enum), else _MISSING."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        members = [a for a in get_args(annotation) if _unwrap(a) is not NoneType]
        if len(members) != 1:
            return _MISSING
        annotation = _unwrap(members[0])
        origin = get_origin(annotation)
    if origin is Literal:
        values = [v for v in get_args(annotation) if v is not None]
        if len(values) == 1:
            value = values[0]
            return value.value if isinstance(value, Enum) else value
        return _MISSING
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        members = list(annotation)
        if len(members) == 1:
            return members[0].value
    return _MISSING


def _flatten(types: Any, into: list[Any]) -> None:
    """The members of a union (nested unions and aliases of unions included), in order, once each."""
    if isinstance(types, (list, tuple)):
        for member in types:
            _flatten(member, into)
        return
    annotation = _unwrap(types)
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        for member in get_args(annotation):
            _flatten(member, into)
    elif not any(annotation is seen for seen in into):
        into.append(annotation)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


def _is_any_like(annotation: Any) -> bool:
    if any(annotation is t for t in _ANY_LIKE):
        return True
    if get_origin(annotation) is dict:
        args = get_args(annotation)
        return len(args) == 2 and _unwrap(args[1]) in (Any, object)
    return False


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _attempt(
    validate: Callable[[Any], object], value: object
) -> tuple[object, str | None]:
    """``(validated value, None)``, or ``(None, why not)``: a candidate's check never raises."""
    try:
        return validate(value), None
    except pydantic.ValidationError as exc:
        return None, _first_error(exc)
    except Exception as exc:  # noqa: BLE001 - e.g. a class that is not fully defined
        return None, f"cannot be validated: {exc.__class__.__name__}: {exc}"


def _first_error(exc: pydantic.ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where + ': ' if where else ''}{first['msg']}{more}"


def _tag_key(value: object) -> str | None:
    """A string key for a tag value: strings as they are, other JSON scalars marked by type."""
    if value.__class__ is str:
        return value
    if isinstance(value, Enum):
        return _tag_key(value.value)
    if isinstance(value, (bool, int)):
        return f"\x00{type(value).__name__}:{value}"
    return None


class _Model:
    """What the matching rule needs to know about one model class, read once."""

    __slots__ = ("cls", "consts", "fields", "name", "validate")

    def __init__(self, cls: type[pydantic.BaseModel]) -> None:
        self.cls = cls
        self.name = cls.__name__
        by_name = bool(
            cls.model_config.get("populate_by_name")
            or cls.model_config.get("validate_by_name")
        )
        fields: set[str] = set()
        consts: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            wire = [info.alias or name]
            if isinstance(info.validation_alias, str):
                wire.append(info.validation_alias)
            elif isinstance(info.validation_alias, pydantic.AliasChoices):
                wire += [c for c in info.validation_alias.choices if isinstance(c, str)]
            if by_name or not info.alias:
                wire.append(name)
            fields.update(wire)
            value = _const_of(info.annotation)
            if value is not _MISSING:
                consts[wire[0]] = value
        self.fields = frozenset(fields)
        self.consts = tuple(consts.items())
        self.validate = cls.model_validate

    def check(self, data: object) -> tuple[object, str | None]:
        """(the instance, None) when the frame passes the rule, else (None, why not)."""
        if not isinstance(data, dict):
            return None, f"not a JSON object: {type(data).__name__}"
        for key, value in self.consts:
            got = data.get(key, _MISSING)
            if got is _MISSING:
                return None, f"{key!r} missing (must be {value!r})"
            if got != value or type(got) is not type(value):
                return None, f"{key!r} is {_short(got)}, not {value!r}"
        if not self.consts:
            unknown = [key for key in data if key not in self.fields]
            if unknown:
                return None, f"{_short(unknown[0])} is not one of its fields"
            if not data and self.fields:
                return None, "no field of it in the frame"
        return _attempt(self.validate, data)


class _Other:
    """A server message type that is not a model (a list, a scalar): it passes when the frame validates."""

    __slots__ = ("consts", "name", "validate")

    def __init__(self, annotation: Any) -> None:
        self.name = getattr(annotation, "__name__", None) or repr(annotation)
        self.consts: tuple[tuple[str, Any], ...] = ()
        self.validate = pydantic.TypeAdapter(annotation).validate_python

    def check(self, data: object) -> tuple[object, str | None]:
        return _attempt(self.validate, data)


class _Text:
    """A plain-text server message type: it passes when the raw text validates against it."""

    __slots__ = ("name", "specific", "validate")

    def __init__(self, annotation: Any) -> None:
        self.name = getattr(annotation, "__name__", None) or repr(annotation)
        self.specific = _text_specific(annotation)
        self.validate = pydantic.TypeAdapter(annotation).validate_python

    def check(self, text: str) -> tuple[object, str | None]:
        return _attempt(self.validate, text)


def _text_specific(annotation: Any) -> bool:
    """Whether a text type says which texts it is: a Literal, an Enum, a string with a pattern."""
    for _ in range(50):
        if get_origin(annotation) is Annotated:
            if any(_has_pattern(m) for m in getattr(annotation, "__metadata__", ())):
                return True
            annotation = get_args(annotation)[0]
            continue
        value = getattr(annotation, "__value__", None)
        if (
            value is not None
            and get_origin(annotation) is None
            and not isinstance(annotation, type)
        ):
            annotation = value
            continue
        break
    origin = get_origin(annotation)
    if origin is Literal:
        return True
    if origin is Union or origin is UnionType:
        members = [a for a in get_args(annotation) if _unwrap(a) is not NoneType]
        return bool(members) and all(_text_specific(a) for a in members)
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _has_pattern(metadata: object) -> bool:
    if getattr(metadata, "pattern", None) is not None:
        return True
    inner = getattr(
        metadata, "metadata", None
    )  # a FieldInfo: Annotated[str, Field(pattern=...)]
    return isinstance(inner, list) and any(
        getattr(m, "pattern", None) is not None for m in inner
    )


def _is_json(frame: str) -> bool:
    try:
        pydantic_core.from_json(frame)
    except ValueError:
        return False
    return True


def _tag_attribute(models: list[type[pydantic.BaseModel]], wire: str) -> str | None:
    names = set()
    for cls in models:
        found = [
            name
            for name, info in cls.model_fields.items()
            if (info.alias or name) == wire
        ]
        if len(found) != 1:
            return None
        names.add(found[0])
    return names.pop() if len(names) == 1 else None


class MessageDecoder(Generic[T]):
    """Decodes frames per the module's decode rule (tagged fast path, else matching).

    ``types`` is the server message type: a union (``A | B``, ``Annotated[...]`` and type
    aliases are looked through), one class, or a sequence of them. ``tag`` is the wire name of
    the field all server messages share with one distinct constant each (``None``: look for
    one in the models, else match). ``tags`` gives a class's tag value where the spec knows it
    (a ``const``) whatever the model's annotation says.

    ``texts`` are the plain-text server message types (the module's "Plain-text messages"):
    tried on the raw text of a frame the JSON rule gives no typed message for.

    ``mode`` is ``"tagged"``, ``"matching"`` or ``"json"`` (every type is ``Any``): the rule
    for JSON frames; ``notes`` says why a tag could not be used or a type takes no part.
    Building never raises for a union pydantic can validate; decoding never raises.
    """

    __slots__ = (
        "_candidates",
        "_class_tags",
        "_decode",
        "_json_decode",
        "_tagged",
        "_texts",
        "_type_keys",
        "_validate_json",
        "known_tags",
        "mode",
        "notes",
        "tag",
        "tag_fields",
        "text_types",
        "types",
    )

    def __init__(
        self,
        types: Any,
        tag: str | None = None,
        tags: Mapping[Any, object] | None = None,
        texts: Any = (),
    ) -> None:
        members: list[Any] = []
        _flatten(types, members)
        self.types: tuple[Any, ...] = tuple(members)
        self._texts: tuple[_Text, ...] = ()
        self.text_types: tuple[Any, ...] = ()
        self._decode: Callable[[str], Any] = self._decode_json
        self._init_json(members, tag, tags)
        self._json_decode: Callable[[str], Any] = self._decode
        # Kept as given (aliases are their names in errors, and their patterns are theirs).
        text_members = list(texts) if isinstance(texts, (list, tuple)) else [texts]
        if text_members:
            self._build_texts(text_members)
            self._decode = self._decode_then_text

    def _init_json(
        self, members: list[Any], tag: str | None, tags: Mapping[Any, object] | None
    ) -> None:
        self.tag: str | None = None
        self.tag_fields: tuple[str, ...] = ()
        self.known_tags: frozenset[str] = frozenset()
        self.notes: list[str] = []
        self._class_tags: dict[type, str | None] = {}
        self._candidates: tuple[_Model | _Other, ...] = ()
        self._type_keys: tuple[str, ...] = ()
        self._validate_json: Callable[[str], Any] = pydantic_core.from_json
        self.mode = "json"
        self._tagged = False
        models = [m for m in members if _is_model(m)]
        typed = [m for m in members if not _is_any_like(m)]
        if len(typed) < len(members):
            self.notes.append(
                "Any takes no part in matching: it would match every frame"
            )
        if members and not typed:
            self._decode = self._decode_json
            return
        if len(models) == len(typed) and self._try_tagged(models, tag, tags or {}):
            self.mode = "tagged"
            self._tagged = True
            self._decode = self._decode_tagged
            return
        self._build_matching(typed, tag, tags or {})
        self.mode = "matching"
        self._decode = self._decode_matching

    # -- building ---------------------------------------------------------------------------

    def _build_texts(self, members: list[Any]) -> None:
        texts: list[_Text] = []
        for annotation in members:
            try:
                texts.append(_Text(annotation))
            except Exception as exc:  # noqa: BLE001 - one unbuildable type must not cost the others
                self.notes.append(
                    f"text type {annotation!r} takes no part: {exc.__class__.__name__}: {exc}"
                )
                continue
        self._texts = tuple(texts)
        self.text_types = tuple(members)

    def _try_tagged(
        self,
        models: list[type[pydantic.BaseModel]],
        tag: str | None,
        tags: Mapping[Any, object],
    ) -> bool:
        try:
            return self._build_tagged(models, tag, tags)
        except Exception as exc:  # noqa: BLE001 - matching still decodes correctly, only slower
            self.notes.append(f"no tagged union: {exc.__class__.__name__}: {exc}")
            return False

    def _build_tagged(
        self,
        models: list[type[pydantic.BaseModel]],
        tag: str | None,
        tags: Mapping[Any, object],
    ) -> bool:
        if len(models) < 2:
            return False  # one class: the matching rule says as much, and a union of one is no union
        consts = [dict(_Model(cls).consts) for cls in models]
        plans: list[tuple[str, ...]] = [(tag,)] if tag is not None else []
        # No usable tag given: a constant all types share with distinct values, else a pair of them.
        common = [key for key in consts[0] if all(key in c for c in consts[1:])]
        plans += [(key,) for key in common if (key,) not in plans]
        plans += [(a, b) for i, a in enumerate(common) for b in common[i + 1 :]]
        for fields in plans:
            values: list[tuple[object, ...]] = []
            for cls, const in zip(models, consts, strict=True):
                given = fields == (tag,) and cls in tags
                row = (
                    (tags[cls],)
                    if given
                    else tuple(const.get(f, _MISSING) for f in fields)
                )
                if any(v is _MISSING or _tag_key(v) is None for v in row):
                    break
                values.append(row)
            if len(values) < len(models):
                if fields == (tag,):
                    self.notes.append(
                        f"not every server message type has a constant {tag!r}: no tagged union"
                    )
                continue
            keys = ["\x1f".join(_tag_key(v) or "" for v in row) for row in values]
            if len(set(keys)) != len(keys):
                continue
            adapter = self._tagged_adapter(models, fields, keys)
            if adapter is None:
                continue
            self.tag, self.tag_fields = fields[0], fields
            self._validate_json = adapter.validate_json
            first = [row[0] for row in values]
            self.known_tags = frozenset(v for v in first if isinstance(v, str))
            self._class_tags = {
                cls: (v if isinstance(v, str) else None)
                for cls, v in zip(models, first, strict=True)
            }
            return True
        return False

    def _tagged_adapter(
        self,
        models: list[type[pydantic.BaseModel]],
        fields: tuple[str, ...],
        keys: list[str],
    ) -> pydantic.TypeAdapter[Any] | None:
        union: Any = Union[tuple(models)]  # noqa: UP007 - built at run time from a tuple
        if len(fields) == 1:
            attribute = _tag_attribute(models, fields[0])
            if attribute is not None:
                try:  # pydantic's own discriminator: the fastest, when every tag field is a Literal
                    return pydantic.TypeAdapter(
                        Annotated[union, pydantic.Field(discriminator=attribute)]
                    )
                except Exception as exc:  # noqa: BLE001 - an optional tag: Literal["x"] | None
                    self.notes.append(
                        f"Field(discriminator=...) refused ({exc.__class__.__name__}):"
                        " a callable reads the tag"
                    )
        tagged = tuple(
            Annotated[cls, pydantic.Tag(key)]
            for cls, key in zip(models, keys, strict=True)
        )
        try:
            discriminated: Any = Annotated[
                Union[tagged],  # noqa: UP007 - built at run time from a tuple
                pydantic.Discriminator(_read_tag(fields)),
            ]
            return pydantic.TypeAdapter(discriminated)
        except Exception as exc:  # noqa: BLE001 - fall back to matching, never crash a connect
            self.notes.append(
                f"no tagged union on {fields!r}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
            )
            return None

    def _build_matching(
        self, typed: list[Any], tag: str | None, tags: Mapping[Any, object]
    ) -> None:
        candidates: list[_Model | _Other] = []
        for annotation in typed:
            try:
                candidate = (
                    _Model(annotation) if _is_model(annotation) else _Other(annotation)
                )
            except Exception as exc:  # noqa: BLE001 - one unbuildable type must not cost the others
                self.notes.append(
                    f"{annotation!r} takes no part: {exc.__class__.__name__}: {exc}"
                )
                continue
            candidates.append(candidate)
            if tag is not None and isinstance(candidate, _Model):
                # For tag_of() (handlers by tag): what the class says its tag is.
                value = tags.get(annotation, dict(candidate.consts).get(tag))
                if isinstance(value, str):
                    self._class_tags[annotation] = value
        self._candidates = tuple(candidates)
        if self._class_tags:
            self.tag = tag
            self.known_tags = frozenset(v for v in self._class_tags.values() if v)
        keys: list[str] = [tag] if tag is not None else []
        for candidate in candidates:
            for key, value in candidate.consts:
                if isinstance(value, str) and key not in keys:
                    keys.append(key)
        self._type_keys = tuple(keys)

    # -- decoding ---------------------------------------------------------------------------

    def decode(self, frame: str | bytes) -> T | UnknownMessage | bytes:
        """The typed message for a text frame; binary frames are returned unchanged."""
        if isinstance(frame, bytes):
            return frame
        if self._tagged:  # the hot path, without a further call
            try:
                return self._validate_json(frame)  # type: ignore[no-any-return]
            except pydantic.ValidationError as exc:
                return self._unknown_tagged_or_text(frame, exc)  # type: ignore[no-any-return]
            except Exception as exc:  # noqa: BLE001 - decoding never raises
                return _unexpected(frame, exc)
        return self._decode(frame)  # type: ignore[no-any-return]

    def _decode_json(self, frame: str) -> object:
        try:
            return pydantic_core.from_json(frame)
        except ValueError as exc:
            return UnknownMessage(type=None, raw=frame, error=f"invalid JSON: {exc}")

    def _decode_tagged(self, frame: str) -> object:
        try:
            return self._validate_json(frame)
        except pydantic.ValidationError as exc:
            return self._unknown_tagged_or_text(frame, exc)
        except Exception as exc:  # noqa: BLE001 - decoding never raises
            return _unexpected(frame, exc)

    def _unknown_tagged(
        self, frame: str, exc: pydantic.ValidationError
    ) -> UnknownMessage:
        # Slow path only: parsing twice is fine here, the fast path never gets here.
        try:
            data = pydantic_core.from_json(frame)
        except ValueError as json_error:
            return UnknownMessage(
                type=None, raw=frame, error=f"invalid JSON: {json_error}"
            )
        if not isinstance(data, dict):
            return UnknownMessage(type=None, raw=frame, error=_first_error(exc))
        value = data.get(self.tag)
        tag_value = value if isinstance(value, str) else None
        unknown = all(
            error["type"] in _TAG_ERRORS for error in exc.errors(include_url=False)
        )
        return UnknownMessage(
            type=tag_value, raw=frame, error=None if unknown else str(exc)
        )

    def _unknown_tagged_or_text(self, frame: str, exc: pydantic.ValidationError) -> Any:
        unknown = self._unknown_tagged(frame, exc)
        return self._match_text(frame, unknown) if self._texts else unknown

    def _decode_then_text(self, frame: str) -> object:
        result = self._json_decode(frame)
        if result.__class__ is UnknownMessage:
            return self._match_text(frame, result)
        return result

    def _match_text(self, frame: str, unknown: UnknownMessage) -> object:
        """The text message the raw frame is (the module's "Plain-text messages"), else ``unknown``."""
        passed: list[tuple[_Text, object]] = []
        failures: list[str] = []
        is_json: bool | None = None
        for text in self._texts:
            if not text.specific:
                if is_json is None:
                    is_json = _is_json(frame)
                if is_json:
                    failures.append(
                        f"{text.name} (takes any text, but only a frame that is not JSON)"
                    )
                    continue
            value, why = text.check(frame)
            if why is None:
                passed.append((text, value))
            else:
                failures.append(f"{text.name} ({why})")
        if len(passed) > 1 and any(t.specific for t, _ in passed):
            passed = [(t, v) for t, v in passed if t.specific]
        if len(passed) == 1:
            return passed[0][1]
        if passed:
            names = " or ".join(t.name for t, _ in passed)
            return UnknownMessage(
                type=unknown.type,
                raw=frame,
                error=f"ambiguous: {names} (the text validates against each)",
            )
        if unknown.error is None:
            return unknown  # a JSON frame with an unknown tag: a newer event, not text
        return UnknownMessage(
            type=unknown.type,
            raw=frame,
            error=f"{unknown.error}; no text message either: " + "; ".join(failures),
        )

    def _decode_matching(self, frame: str) -> object:
        try:
            data = pydantic_core.from_json(frame)
        except ValueError as exc:
            return UnknownMessage(type=None, raw=frame, error=f"invalid JSON: {exc}")
        passed: list[tuple[_Model | _Other, object]] = []
        failures: list[str] = []
        for candidate in self._candidates:
            value, why = candidate.check(data)
            if why is None:
                passed.append((candidate, value))
            else:
                failures.append(f"{candidate.name} ({why})")
        if len(passed) > 1:
            most = max(len(c.consts) for c, _ in passed)
            passed = [(c, v) for c, v in passed if len(c.consts) == most]
        if len(passed) == 1:
            return passed[0][1]
        type_value = None
        if isinstance(data, dict):
            type_value = next(
                (v for k in self._type_keys if isinstance(v := data.get(k), str)), None
            )
        if passed:
            names = " or ".join(c.name for c, _ in passed)
            error = f"ambiguous: {names} (the frame validates against each, with as many constants)"
        elif failures:
            error = "matches no server message type: " + "; ".join(failures)
        else:
            error = "no server message type can be decoded"
        return UnknownMessage(type=type_value, raw=frame, error=error)

    def tag_of(self, message: object) -> str | None:
        """The tag value a decoded message was sent with, for per-type handler dispatch."""
        return self._class_tags.get(message.__class__)


def _unexpected(frame: str, exc: Exception) -> UnknownMessage:
    return UnknownMessage(
        type=None,
        raw=frame,
        error=f"cannot be validated: {exc.__class__.__name__}: {exc}",
    )


def _read_tag(fields: tuple[str, ...]) -> Callable[[Any], str | None]:
    """The callable discriminator: the tag key of a raw dict (or of a model instance)."""
    if len(fields) == 1:
        (wire,) = fields

        def read_one(value: Any) -> str | None:
            if isinstance(value, dict):
                tag = value.get(wire)
            else:
                tag = _attribute_tag(value, wire)
            return tag if tag.__class__ is str else _tag_key(tag)

        return read_one

    def read_many(value: Any) -> str | None:
        parts: list[str] = []
        for wire in fields:
            tag = (
                value.get(wire)
                if isinstance(value, dict)
                else _attribute_tag(value, wire)
            )
            key = _tag_key(tag)
            if key is None:
                return None
            parts.append(key)
        return "\x1f".join(parts)

    return read_many


def _attribute_tag(value: Any, wire: str) -> object:
    fields = getattr(value.__class__, "model_fields", None)
    if not isinstance(fields, dict):
        return None
    for name, info in fields.items():
        if (info.alias or name) == wire:
            return getattr(value, name, None)
    return None
