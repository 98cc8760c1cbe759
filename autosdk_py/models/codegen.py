"""Run datamodel-code-generator (Python API, in process) on a normalized document: one module of code.

The options, and why:

* pydantic v2 ``BaseModel``, Python 3.11 target, ``X | None`` unions, builtin generics.
* ``extra="allow"``: a payload with fields newer than the spec still validates, and the unknown
  fields survive a round trip (``model_extra``, ``model_dump``); forbidding them would break clients
  every time the API grows, ignoring them would lose data.
* ``populate_by_name``: callers pass Python names (``from_``) or JSON names (``from``) alike.
* ``enum_field_as_literal="all"`` and ``use_type_alias``: enums become ``Literal[...]`` and every
  schema that is not an object with properties (enums, unions, constrained scalars, arrays, maps)
  becomes a ``TypeAliasType`` instead of a ``RootModel``. Callers then pass plain strings where an
  enum is expected and plain model instances where a union is expected, and mypy agrees (with a
  ``RootModel`` they would have to write ``ReasoningEffort("low")`` and ``Message(UserMessage(...))``
  and read ``.root``). This is what the official OpenAI SDK does with ``TypeAlias``.
* ``use_annotated`` + ``field_constraints``: constraints and discriminators live in
  ``Annotated[..., Field(...)]``; required fields have no default at all, so type checkers see them
  as required without the pydantic mypy plugin.
* descriptions become class and attribute docstrings (IDEs show them; no runtime cost).
* string formats ``uri``, ``uuid``, ``email`` ... stay ``str``: ``AnyUrl`` rewrites URLs (adds a
  trailing ``/``) and forces callers to build ``AnyUrl`` objects; ``EmailStr`` needs an extra package.
  ``date-time`` is ``datetime`` (accepts naive and aware values).
* a ``number`` keeps accepting fractions whatever its format: the generator maps some number
  formats to an int-only type (``number`` + ``unixtime`` -> ``int``, so OpenAI's
  ``Response.created_at: 1.5`` failed); those become ``float`` (which accepts ints too).
  ``integer`` + ``unixtime`` stays ``int``.
* no timestamp and no formatter here: the split modules are formatted once with ruff at the end
  (black+isort would double the run time).
"""

from __future__ import annotations

import json
import re
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autosdk_py.errors import SpecError

_STRING_FORMATS_AS_STR = (
    "uri",
    "url",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "duration",
    "time",
    "password",
)


@dataclass(frozen=True)
class GeneratedModule:
    code: str
    metadata: list[dict[str, Any]]  # datamodel-code-generator's model metadata ("models" entries)


def generator_options(*, formatter: str | None = None) -> dict[str, Any]:
    """The keyword options passed to ``datamodel_code_generator.generate`` (see the module docstring)."""
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import DatetimeClassType, Formatter, PythonVersion

    return {
        "input_file_type": InputFileType.OpenAPI,
        "output_model_type": DataModelType.PydanticV2BaseModel,
        "target_python_version": PythonVersion.PY_311,
        "disable_timestamp": True,
        # A spec is untrusted input: the generator never fetches a remote $ref (no network access, ever).
        "allow_remote_refs": False,
        # The split modules are formatted once at the end (formatting.py), so no formatter runs here.
        "formatters": [Formatter(formatter)] if formatter else [],
        "use_union_operator": True,
        "use_standard_collections": True,
        "allow_population_by_field_name": True,
        "extra_fields": "allow",
        "use_schema_description": True,
        "use_field_description": True,
        "field_constraints": True,
        "use_annotated": True,
        "enum_field_as_literal": "all",
        "use_type_alias": True,
        # A required tag with one possible value (``type: "session.update"``) defaults to it, so
        # callers may leave it out; it stays ``Literal[...]`` (no ``| None``), as tagged unions need.
        "use_one_literal_as_default": True,
        "use_double_quotes": True,
        "output_datetime_class": DatetimeClassType.Datetime,
        "type_mappings": [
            *(f"string+{fmt}=string" for fmt in _STRING_FORMATS_AS_STR),
            *(f"number+{fmt}=number" for fmt in number_formats_as_int()),
        ],
    }


def number_formats_as_int() -> tuple[str, ...]:
    """The ``type: number`` formats datamodel-code-generator maps to an int-only type (``unixtime``).

    Read from the generator's own format table, so a format it adds later is covered too.
    """
    from datamodel_code_generator.parser.schema_version import get_data_formats
    from datamodel_code_generator.types import Types

    int_only = {Types.integer, Types.int32, Types.int64}
    number = get_data_formats(is_openapi=True)["number"]
    return tuple(sorted(fmt for fmt, kind in number.items() if fmt != "default" and kind in int_only))


_POINTER_IN_MESSAGE = re.compile(r"#(/components/schemas/[^\s'\"`,)]+)")


def run_generator(
    document: Mapping[str, Any],
    *,
    source: Path | str,
    original_name: Mapping[str, str],
    formatter: str | None = None,
) -> GeneratedModule:
    """Generate one module from ``document``; failures become :class:`SpecError`.

    ``original_name`` maps a class name used as a schema key in ``document`` back to the key in the
    user's file, so that an error points into the file the user has.
    """
    from datamodel_code_generator import generate

    if not (document.get("components") or {}).get("schemas"):
        return GeneratedModule(code="", metadata=[])  # nothing to generate (the generator would fail)
    with tempfile.TemporaryDirectory(prefix="autosdk-models-") as tmp:
        metadata_path = Path(tmp) / "models.json"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = generate(
                    dict(document),
                    emit_model_metadata=metadata_path,
                    **generator_options(formatter=formatter),
                )
        except RecursionError as exc:  # pragma: no cover - depends on the input
            raise _spec_error(exc, source, original_name, "the schemas nest or recurse too deeply") from None
        except Exception as exc:
            raise _spec_error(exc, source, original_name, None) from None
        if not isinstance(code, str):
            raise SpecError(
                "datamodel-code-generator returned several modules where one was expected",
                file=str(source),
            )
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))["models"]
    return GeneratedModule(code=code, metadata=metadata)


def _spec_error(
    exc: BaseException, source: Path | str, original_name: Mapping[str, str], summary: str | None
) -> SpecError:
    text = str(exc).strip() or type(exc).__name__
    first_line = text.splitlines()[0]
    pointer = None
    match = _POINTER_IN_MESSAGE.search(text)
    if match:
        parts = match.group(1).split("/")
        if len(parts) >= 4:
            parts[3] = original_name.get(parts[3], parts[3])
        pointer = "/".join(parts)
    line = find_line(source, pointer) if pointer else None
    message = f"could not generate models: {summary or first_line}"
    return SpecError(
        message,
        file=str(source),
        pointer=pointer,
        line=line,
        hint=None if summary is None else first_line,
    )


def find_line(source: Path | str, pointer: str) -> int | None:
    """Best-effort line of the schema named by ``pointer`` (``/components/schemas/<name>/...``)."""
    parts = pointer.split("/")
    if len(parts) < 4:
        return None
    name = parts[3].replace("~1", "/").replace("~0", "~")
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    in_schemas = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not in_schemas and stripped.startswith(("schemas:", '"schemas":')):
            in_schemas = True
            continue
        if in_schemas and stripped.startswith((f"{name}:", f'"{name}":', f"'{name}':")):
            return number
    return None
