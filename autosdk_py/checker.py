"""Pass 2's name-matching checker: do an AsyncAPI document's schemas match the models of package x?

With ``--types-namespace x --generate-models false`` the realtime client imports x's models instead of
generating its own, matching AsyncAPI schemas to x's classes BY NAME. That is only correct when every
schema in the AsyncAPI document's ``components.schemas`` has a schema of exactly the same name in x's
OpenAPI document, with the same shape. Pass 1 records each schema's shape in ``x/_manifest.json``
(:mod:`autosdk_py.models.manifest`); this module computes the AsyncAPI side with the same
:func:`autosdk_py.shapes.schema_shape` and compares (:func:`autosdk_py.shapes.diff_shapes`).

* :func:`find_manifest` locates x's manifest (in the output folder, else an importable package);
* :func:`manifest_from_openapi` computes the same manifest straight from an OpenAPI document, without
  generating models (for ``autosdk check openapi.yaml asyncapi.json``);
* :func:`check_against` compares and returns a :class:`CheckReport` listing every problem at once;
  :meth:`CheckReport.format` is the report users read.
"""

from __future__ import annotations

import difflib
import importlib.util
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from typing import Any, Literal

from autosdk_py.errors import SpecError, json_pointer
from autosdk_py.models.manifest import build_manifest, load_manifest
from autosdk_py.naming import package_name
from autosdk_py.openapi.lift import lift_inline_schemas
from autosdk_py.openapi.normalize import assign_class_names, schema_resolver
from autosdk_py.shapes import Shape, diff_shapes, schema_shape

__all__ = [
    "CheckReport",
    "SchemaMismatch",
    "check_against",
    "find_manifest",
    "manifest_from_openapi",
]

MANIFEST_FILE = "_manifest.json"

# ``schemaFormat`` values (AsyncAPI 3.0 multi-format schemas) whose ``schema`` is JSON Schema.
_JSON_SCHEMA_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.oai.openapi",
)


@dataclass(frozen=True)
class SchemaMismatch:
    name: str  # AsyncAPI schema name (for kind="inline": the message's name)
    pointer: str  # "/components/schemas/<name>" in the AsyncAPI document (inline: the message's payload)
    kind: Literal["missing", "shape", "inline"]
    suggestions: tuple[str, ...] = ()  # did-you-mean names from x
    differences: tuple[str, ...] = ()  # field-level diff lines from diff_shapes (asyncapi vs x)


@dataclass(frozen=True)
class CheckReport:
    types_package: str
    matched: tuple[str, ...]  # schema names that match exactly (name and shape)
    mismatches: tuple[SchemaMismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def _of(self, kind: str) -> list[SchemaMismatch]:
        return [m for m in self.mismatches if m.kind == kind]

    def count_line(self) -> str:
        """``111 of 111 schemas match.`` / ``0 of 8 schemas exist in elevenlabs.``"""
        pkg = self.types_package
        missing, shape, inline = self._of("missing"), self._of("shape"), self._of("inline")
        total = len(self.matched) + len(missing) + len(shape)
        if missing and not shape:
            line = f"{total - len(missing)} of {total} schemas exist in {pkg}"
            if self.matched:
                line += f"; those {len(self.matched)} match"
        elif missing:
            line = (
                f"{len(self.matched)} of {total} schemas match: {_count(len(missing), 'does', 'do')} not exist "
                f"in {pkg}, {_count(len(shape), 'exists', 'exist')} with a different shape"
            )
        elif shape:
            line = (
                f"{len(self.matched)} of {total} schemas match: "
                f"{_count(len(shape), 'exists', 'exist')} in {pkg} with a different shape"
            )
        else:
            line = f"{len(self.matched)} of {total} schemas match"
        if inline:
            noun = "payload is" if len(inline) == 1 else "payloads are"
            line += f"; {len(inline)} message {noun} written inline and cannot be matched"
        return line + "."

    def format(self, asyncapi_file: Path, manifest_source: str) -> str:
        """The report users read: what was checked against what, the counts, one block per problem
        and how to fix them."""
        pkg = self.types_package
        lines = [
            f"Checked the schemas of {asyncapi_file} (components/schemas) against the models of {pkg}",
            f"(manifest: {manifest_source}).",
            "--types-namespace imports a model of the same NAME for each AsyncAPI schema, so every schema",
            f"needs a schema of exactly that name and shape in {pkg}.",
            self.count_line(),
        ]
        if self.ok:
            lines.append(f"OK: the realtime client can import its payload models from {pkg}.")
            return "\n".join(lines) + "\n"

        lines.append("")
        lines.append("Problems:")
        for m in self.mismatches:
            head = f"  - {m.name} ({m.pointer}): "
            if m.kind == "missing":
                head += f"no schema of this name in {pkg}"
                if m.suggestions:
                    head += "; did you mean " + " or ".join(repr(s) for s in m.suggestions) + "?"
                lines.append(head)
            elif m.kind == "shape":
                lines.append(head + f"{pkg}'s {m.name} has a different shape (AsyncAPI -> {pkg}):")
                lines.extend(f"      {d}" for d in m.differences)
            else:
                lines.append(
                    head + f"the payload of message {m.name!r} is written inline, not as a $ref to a schema "
                    "in components/schemas, so no model can be matched to it by name"
                )
                lines.append(
                    "      fix: move the payload into components/schemas under the name of the OpenAPI schema "
                    "it should match, and set the payload to {$ref: '#/components/schemas/<that name>'}"
                )
        if self._of("shape"):
            lines.append("")
            lines.append(
                "Reading the differences: 'a != b' is the AsyncAPI value, then the one in "
                f"{pkg}; '+'/'added' is only in {pkg}, '-'/'missing' only in the AsyncAPI document."
            )
        lines.append("")
        lines.append(
            "To fix: rename or align the AsyncAPI schemas so that each has the name and shape of a schema in the "
            f"OpenAPI document of {pkg}; or generate the realtime client with its own models: --namespace y "
            "without --types-namespace."
        )
        return "\n".join(lines) + "\n"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------------------------------------------
# Finding x's manifest


def _package_spec(package: str) -> ModuleSpec | None:
    """The import spec of ``package`` WITHOUT importing it or its parents (``importlib.util.find_spec``
    imports the parent packages of a dotted name; sub-packages are looked up with ``PathFinder``)."""
    parts = package.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    for part in parts[1:]:
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = PathFinder.find_spec(f"{spec.name}.{part}", list(spec.submodule_search_locations))
    return spec


def _package_dirs(spec: ModuleSpec) -> list[Path]:
    if spec.origin and spec.origin not in ("built-in", "frozen") and spec.submodule_search_locations is not None:
        return [Path(spec.origin).parent]
    return [Path(loc) for loc in spec.submodule_search_locations or ()]


def _read_manifest(path: Path, pass1: str) -> dict[str, Any]:
    try:
        return load_manifest(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SpecError(
            f"cannot read the models manifest: {exc}",
            file=path,
            hint=f"regenerate the types package with pass 1: {pass1}",
        ) from None


def find_manifest(types_namespace: str, output: Path) -> tuple[dict[str, Any], str]:
    """Locate the manifest of the pass-1 package ``types_namespace``: ``<output>/<x as folders>/_manifest.json``,
    else ``_manifest.json`` next to the ``__init__`` of an importable package x (found without importing it).

    Returns the manifest and where it was found. Raises :class:`SpecError` saying to run pass 1 first."""
    try:
        package, _ = package_name(types_namespace)
    except ValueError as exc:
        raise SpecError(
            f"invalid --types-namespace {types_namespace!r}: {exc}",
            hint="use the --namespace of the pass-1 (OpenAPI) package, e.g. 'x' or 'acme.api'",
        ) from None
    pass1 = (
        f"autosdk generate openapi.yaml --namespace {shlex.quote(types_namespace)} --output {shlex.quote(str(output))}"
    )
    in_output = output.joinpath(*package.split(".")) / MANIFEST_FILE
    if in_output.is_file():
        return _read_manifest(in_output, pass1), str(in_output)

    spec = _package_spec(package)
    if spec is not None:
        dirs = _package_dirs(spec)
        for folder in dirs:
            candidate = folder / MANIFEST_FILE
            if candidate.is_file():
                return _read_manifest(candidate, pass1), f"{candidate} (importable package {package})"
        where = ", ".join(str(d) for d in dirs) or "<unknown location>"
        raise SpecError(
            f"the package '{package}' (at {where}) has no {MANIFEST_FILE}: it was not generated by autosdk-py's "
            "pass 1 (or by a version that did not write one), so its models cannot be checked against the "
            "AsyncAPI schemas",
            hint=f"run pass 1 first: {pass1}",
        )
    raise SpecError(
        f"no models manifest for --types-namespace '{types_namespace}': {in_output} does not exist and "
        f"'{package}' is not an importable package",
        hint=f"run pass 1 first, generating '{package}' from its OpenAPI document: {pass1}",
    )


# ---------------------------------------------------------------------------------------------------
# The manifest of an OpenAPI document, without generating models


def _component_schemas(data: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    components = data.get("components")
    schemas = components.get("schemas") if isinstance(components, Mapping) else None
    if schemas is None:
        return {}
    if not isinstance(schemas, Mapping):
        raise SpecError(
            f"components/schemas of the {what} document must be a map of schema name to schema",
            pointer="/components/schemas",
        )
    return schemas


def manifest_from_openapi(openapi_data: dict[str, Any], package: str) -> dict[str, Any]:
    """The manifest pass 1 would write for ``openapi_data`` as package ``package`` (same schemas, class
    names and shapes), without generating models; ``module`` is ``""``."""
    # Pass 1 names inline request/response schemas first; they become schemas (and classes) of x too.
    spec, _ = lift_inline_schemas(openapi_data)
    schemas = _component_schemas(spec, "OpenAPI")
    class_names = assign_class_names(list(schemas))
    return build_manifest(
        package=package,
        schemas=schemas,
        class_for_schema=class_names,
        module_of={class_name: "" for class_name in class_names.values()},
        resolve=schema_resolver(spec),
    )


# ---------------------------------------------------------------------------------------------------
# The check


def suggest(name: str, candidates: Sequence[str], limit: int = 3) -> tuple[str, ...]:
    """Names in ``candidates`` close to ``name`` (case-insensitive matches first)."""
    by_lower: dict[str, list[str]] = {}
    for candidate in sorted(candidates):
        by_lower.setdefault(candidate.lower(), []).append(candidate)
    found: list[str] = list(by_lower.get(name.lower(), []))
    for lowered in difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.75):
        found.extend(c for c in by_lower[lowered] if c not in found)
    for candidate in difflib.get_close_matches(name, sorted(candidates), n=limit, cutoff=0.75):
        if candidate not in found:
            found.append(candidate)
    return tuple(found[:limit])


def _json_schema_of(schema: Any, pointer: str) -> tuple[Any, str | None]:
    """The JSON schema in a components/schemas entry, or why it cannot be compared (AsyncAPI 3.0
    multi-format schema objects hold it under ``schema``)."""
    if isinstance(schema, Mapping) and "schemaFormat" in schema and "schema" in schema:
        fmt = str(schema["schemaFormat"])
        if not fmt.startswith(_JSON_SCHEMA_FORMATS):
            return None, f"schemaFormat {fmt!r} at {pointer}: only JSON Schema payloads can be compared"
        return schema["schema"], None
    return schema, None


def check_against(
    asyncapi_data: dict[str, Any],
    manifest: dict[str, Any],
    *,
    inline_payloads: Sequence[tuple[str, str]] = (),
) -> CheckReport:
    """Compare every schema in ``asyncapi_data``'s ``components.schemas`` with the schema of the same name
    in ``manifest`` (name and shape); ``inline_payloads`` are (message name, pointer) of messages whose
    payload is not a ``$ref`` to a named schema (they cannot be matched)."""
    package = str(manifest.get("package") or "the types package")
    entries = manifest.get("schemas")
    if not isinstance(entries, Mapping):
        raise SpecError(f"the models manifest of {package} has no 'schemas' map", hint="regenerate it with pass 1")
    schemas = _component_schemas(asyncapi_data, "AsyncAPI")
    resolve = schema_resolver(asyncapi_data)
    known = [str(n) for n in entries]

    matched: list[str] = []
    mismatches: list[SchemaMismatch] = []
    for name in sorted(schemas, key=str):
        pointer = json_pointer("components", "schemas", name)
        entry = entries.get(name)
        if not isinstance(entry, Mapping):
            mismatches.append(SchemaMismatch(name, pointer, "missing", suggestions=suggest(name, known)))
            continue
        schema, problem = _json_schema_of(schemas[name], pointer)
        if problem is not None:
            mismatches.append(SchemaMismatch(name, pointer, "shape", differences=(problem,)))
            continue
        try:
            shape: Shape = schema_shape(schema, resolve)
        except KeyError as exc:
            raise SpecError(
                f"cannot resolve a $ref in the AsyncAPI schema {name!r}: {exc.args[0] if exc.args else exc}",
                pointer=pointer,
                hint="every $ref must point at a schema inside the document",
            ) from None
        differences = diff_shapes(shape, entry.get("shape") or {})
        if differences:
            mismatches.append(SchemaMismatch(name, pointer, "shape", differences=tuple(differences)))
        else:
            matched.append(name)
    for message, pointer in inline_payloads:
        mismatches.append(SchemaMismatch(message, pointer, "inline"))
    mismatches.sort(key=lambda m: (m.name, m.kind, m.pointer))
    return CheckReport(types_package=package, matched=tuple(matched), mismatches=tuple(mismatches))
