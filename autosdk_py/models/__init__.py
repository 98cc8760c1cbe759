"""The models stage: OpenAPI components/schemas -> pydantic v2 models in small, lazily imported modules.

``generate_models`` normalizes a copy of the spec (:mod:`autosdk_py.openapi.normalize`), runs
datamodel-code-generator once through its Python API (:mod:`.codegen`), splits its single module by
strongly connected components of the reference graph (:mod:`.split`), formats the modules with ruff
(:mod:`.formatting`) and writes a lazy ``models/__init__.py`` and ``_manifest.json`` (:mod:`.manifest`).

Every schema becomes one of:

* ``kind="model"``: a ``BaseModel`` subclass (objects with properties);
* ``kind="alias"``: a ``typing_extensions.TypeAliasType`` (enums as ``Literal[...]``, unions,
  constrained scalars, arrays, maps): validate with ``pydantic.TypeAdapter(X)``;
* ``kind="root"``/``"enum"``: ``RootModel``/``Enum`` subclasses, which the chosen generator options do
  not produce today but which the reader below still describes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from autosdk_py.errors import SpecError
from autosdk_py.openapi.normalize import normalize_spec, schema_resolver
from autosdk_py.pytext import literal

from .codegen import run_generator
from .formatting import format_python_files
from .manifest import build_manifest, dump_manifest
from .split import HEADER, FieldInfo, SplitError, class_fields, split_module

ModelKind = Literal["model", "root", "enum", "alias"]

__all__ = ["ModelClass", "ModelField", "ModelKind", "ModelsOutput", "generate_models"]


@dataclass(frozen=True)
class ModelField:
    name: str  # python attribute name
    alias: str  # JSON property name
    annotation: str  # the annotation as in the generated module, on one line: "list[ChatMessage] | None"
    required: bool
    names: frozenset[str]  # non-builtin identifiers used in ``annotation`` (for computing imports)
    description: str | None


@dataclass(frozen=True)
class ModelClass:
    class_name: str
    spec_name: str | None  # key in components/schemas, or None for classes made for inline schemas
    module: str  # module path relative to the package root, e.g. "models._chat_message"
    kind: ModelKind
    # "model": its fields, inherited ones included (in pydantic's order); "root"/"alias": one field
    # named "root" whose annotation is the wrapped type; "enum": none.
    fields: tuple[ModelField, ...]

    @property
    def attributes(self) -> dict[str, str]:
        """JSON property -> Python attribute, for the fields whose attribute is not the property's name."""
        if self.kind != "model":
            return {}
        return {f.alias: f.name for f in self.fields if f.alias != f.name}


@dataclass(frozen=True)
class ModelsOutput:
    files: Mapping[str, str]  # path relative to the package dir -> text
    classes: Mapping[str, ModelClass]  # by class name; every generated name, importable from <package>.models
    class_for_schema: Mapping[str, str]  # components/schemas key -> class name
    name_imports: Mapping[str, str]  # non-class names used in annotations -> import line
    timings: Mapping[str, float] = field(default_factory=dict, compare=False)  # stage -> seconds


def generate_models(spec: dict[str, Any], *, package: str, source: Path) -> ModelsOutput:
    """Generate the models of ``spec`` (not mutated) for the SDK package ``package``."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    normalized = normalize_spec(spec, source=source)
    timings["normalize"] = time.perf_counter() - start

    original_of_class = {cls: name for name, cls in normalized.class_names.items()}
    start = time.perf_counter()
    generated = run_generator(normalized.document, source=source, original_name=original_of_class)
    timings["datamodel-code-generator"] = time.perf_counter() - start

    start = time.perf_counter()
    generator_name: dict[str, str] = {}  # schema key in the normalized document -> generator class name
    for entry in generated.metadata:
        path = entry.get("source_path") or []
        if len(path) == 3 and path[0] == "components" and path[1] == "schemas":
            generator_name.setdefault(path[2], entry["class_name"])
    missing = sorted(set(original_of_class) - set(generator_name))
    if missing:
        raise SpecError(
            f"datamodel-code-generator made no class for schema {original_of_class[missing[0]]!r}",
            file=str(source),
            pointer=f"/components/schemas/{original_of_class[missing[0]]}",
        )
    try:
        result = split_module(
            generated.code,
            component_class={gen: key for key, gen in generator_name.items()},
            spec_name_of_class=original_of_class,
        )
    except (SplitError, SyntaxError) as exc:
        raise SpecError(
            f"could not split the generated models: {exc}",
            file=str(source),
            hint="this is a bug in autosdk-py; please report it with the spec",
        ) from None
    timings["split"] = time.perf_counter() - start

    files: dict[str, str] = {f"models/{m.name}.py": m.text for m in result.modules}
    files["models/__init__.py"] = render_init(result.module_of)
    start = time.perf_counter()
    files = format_python_files(files)
    timings["format"] = time.perf_counter() - start

    start = time.perf_counter()
    classes = _read_classes(files, result.module_of, result.spec_name_of)
    name_imports: dict[str, str] = {}
    for cls in classes.values():
        for f in cls.fields:
            for name in f.names:
                if name not in classes and name in result.import_lines:
                    name_imports[name] = result.import_lines[name]
    class_for_schema = dict(normalized.class_names)
    schemas = (spec.get("components") or {}).get("schemas") or {}
    manifest = build_manifest(
        package=package,
        schemas=schemas,
        class_for_schema=class_for_schema,
        module_of={name: c.module for name, c in classes.items()},
        resolve=schema_resolver(spec),
        kind_of={name: c.kind for name, c in classes.items()},
        attributes_of={name: c.attributes for name, c in classes.items()},
    )
    files["_manifest.json"] = dump_manifest(manifest)
    timings["fields+manifest"] = time.perf_counter() - start
    return ModelsOutput(
        files=MappingProxyType(dict(sorted(files.items()))),
        classes=MappingProxyType(dict(sorted(classes.items()))),
        class_for_schema=MappingProxyType(class_for_schema),
        name_imports=MappingProxyType(dict(sorted(name_imports.items()))),
        timings=MappingProxyType(timings),
    )


def _read_classes(
    files: Mapping[str, str], module_of: Mapping[str, str], spec_name_of: Mapping[str, str | None]
) -> dict[str, ModelClass]:
    parsed: dict[str, tuple[list[str], list[FieldInfo], ModelKind]] = {}
    for module in sorted(set(module_of.values())):
        parsed.update(class_fields(files[f"models/{module}.py"]))

    mros: dict[str, list[str]] = {}

    def mro(name: str, depth: int = 0) -> list[str]:
        """C3 linearization over the generated classes (``BaseModel`` and other outside bases left out)."""
        if name in mros:
            return mros[name]
        bases = [b for b in parsed[name][0] if b in parsed] if depth < 50 else []
        sequences = [list(mro(b, depth + 1)) for b in bases] + [list(bases)]
        result = [name]
        while any(sequences):
            for seq in sequences:
                head = seq[0] if seq else None
                if head is not None and not any(head in other[1:] for other in sequences):
                    break
            else:  # pragma: no cover - Python itself would have rejected the class
                raise SplitError(f"inconsistent bases of {name}")
            result.append(head)
            sequences = [s[1:] if s and s[0] == head else s for s in sequences]
        mros[name] = result
        return result

    def fields_of(name: str) -> list[FieldInfo]:
        """Fields in pydantic's order: collected along the reversed MRO, an override keeping its place."""
        merged: dict[str, FieldInfo] = {}
        for cls in reversed(mro(name)):
            for f in parsed[cls][1]:
                merged[f.name] = f
        return list(merged.values())

    classes: dict[str, ModelClass] = {}
    for name, module in module_of.items():
        _bases, _own, kind = parsed[name]
        fields = tuple(
            ModelField(f.name, f.alias, f.annotation, f.required, f.names, f.description) for f in fields_of(name)
        )
        classes[name] = ModelClass(
            class_name=name,
            spec_name=spec_name_of.get(name),
            module=f"models.{module}",
            kind=kind,
            fields=fields if kind != "enum" else (),
        )
    return classes


def render_init(module_of: Mapping[str, str]) -> str:
    """The lazy ``models/__init__.py``: PEP 562 ``__getattr__`` over a name -> module map, with explicit
    re-exports under ``TYPE_CHECKING`` for type checkers and IDEs."""
    names = sorted(module_of)
    lines = [
        HEADER.rstrip("\n"),
        '"""The models. ``from <package>.models import X`` imports only the module that defines ``X``."""',
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any" if names else "from typing import Any",
        "",
    ]
    if names:
        lines += ["if TYPE_CHECKING:"]
        lines += [f"    from .{module_of[n]} import {n} as {n}" for n in names]
        lines += [""]
    lines += ["_MODULE_OF: dict[str, str] = {"]
    lines += [f"    {literal(n)}: {literal('.' + module_of[n])}," for n in names]
    lines += ["}", "", "__all__: list[str] = ["]
    lines += [f"    {literal(n)}," for n in names]
    lines += [
        "]",
        "",
        "",
        "def __getattr__(name: str) -> Any:",
        "    module = _MODULE_OF.get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "    value = getattr(importlib.import_module(module, __name__), name)",
        "    globals()[name] = value",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted(set(globals()) | set(__all__))",
        "",
    ]
    return "\n".join(lines)
