"""The generation pipeline: load -> typed spec -> IR -> render -> write atomically.

One function per pass; the CLI and the tests both call these, so what the tests exercise is what
users run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SpecError
from .loader import Document, check_local_refs, load_document
from .naming import namespace_from_title, package_name
from .writer import marker_text, write_tree

Progress = Callable[[str, float | None], None]  # (step, None) when it starts, (step, seconds) when done

RUNTIME_DIR = Path(__file__).parent / "runtime"


@dataclass(frozen=True)
class GenerateOptions:
    spec: Path
    output: Path = Path("Generated")
    namespace: str | None = None
    client_class_name: str | None = None
    base_url: str | None = None
    security_schemes: tuple[str, ...] = ()
    auth_env_vars: tuple[str, ...] = ()
    exclude_deprecated_operations: bool = False
    types_namespace: str | None = None
    generate_models: bool = True


@dataclass
class GenerateResult:
    package: str
    package_dir: Path
    files_written: int
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _quiet(_step: str, _elapsed: float | None) -> None:
    pass


@contextmanager
def _step(result: GenerateResult, progress: Progress, label: str) -> Iterator[None]:
    progress(label, None)
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    result.timings[label] = elapsed
    progress(label, elapsed)


def resolve_package(namespace: str | None, doc: Document, option: str = "--namespace") -> tuple[str, str | None]:
    """The PEP 8 package for ``namespace`` and, when it was changed, a note saying so."""
    if namespace is None:
        title = str((doc.data.get("info") or {}).get("title") or doc.path.stem)
        package = namespace_from_title(title)
        return package, f"no {option} given: derived package '{package}' from info.title {title!r}"
    try:
        package, changed = package_name(namespace)
    except ValueError as exc:
        raise SpecError(
            f"invalid {option} {namespace!r}: {exc}",
            hint="use a dotted Python package path such as 'x', 'acme.api' or 'tryagi.openai'",
        ) from None
    note = f"{option} '{namespace}' mapped to the PEP 8 package name '{package}'" if changed else None
    return package, note


def package_dir(output: Path, package: str) -> Path:
    return output.joinpath(*package.split("."))


def generate(options: GenerateOptions, progress: Progress = _quiet) -> GenerateResult:
    doc = load_document(options.spec)
    if doc.kind == "asyncapi":
        raise SpecError(
            "AsyncAPI input (pass 2, the realtime WebSocket client) is not implemented in this version",
            file=options.spec,
            pointer="/asyncapi",
            hint="this release generates from OpenAPI 3.0/3.1 documents only",
        )
    return generate_openapi(doc, options, progress)


def generate_openapi(doc: Document, options: GenerateOptions, progress: Progress = _quiet) -> GenerateResult:
    from .models import generate_models
    from .models.formatting import format_python_files
    from .openapi.lift import lift_inline_schemas
    from .openapi.parser import ClientOptions, SecuritySchemeOption, build_client_ir
    from .openapi.render import render_client
    from .writer import check_target

    package, note = resolve_package(options.namespace, doc)
    target = package_dir(options.output, package)
    result = GenerateResult(package=package, package_dir=target, files_written=0)
    if note:
        result.notes.append(note)
    check_target(target, "openapi")  # fail before the slow steps, not after them
    schemes = []
    for text in options.security_schemes:
        try:
            schemes.append(SecuritySchemeOption.parse(text))
        except ValueError as exc:
            raise SpecError(f"invalid --security-scheme {text!r}: {exc}") from None

    with _step(result, progress, "Checking $refs"):
        check_local_refs(doc)
    with _step(result, progress, "Naming inline schemas"):
        spec, lifted = lift_inline_schemas(doc.data)
    with _step(result, progress, "Generating models (datamodel-code-generator)"):
        models = generate_models(spec, package=package, source=doc.path)
    with _step(result, progress, "Building the client"):
        ir = build_client_ir(
            doc,
            spec,
            models,
            ClientOptions(
                package=package,
                client_class_name=options.client_class_name,
                base_url=options.base_url,
                security_schemes=tuple(schemes),
                auth_env_vars=options.auth_env_vars,
                exclude_deprecated=options.exclude_deprecated_operations,
            ),
        )
        files = dict(models.files)
        files.update(format_python_files(render_client(ir, models)))
        files.update(runtime_files("_runtime"))
        files[".autosdk-generated"] = marker_text("openapi", doc.path.name, package)
    with _step(result, progress, f"Writing {len(files)} files"):
        result.files_written = write_tree(target, files, owner="openapi")
    result.counts = {
        "schemas": len(models.class_for_schema),
        "classes": len(models.classes),
        "operations": sum(len(r.methods) for r in ir.resources) + len(ir.root.methods),
        "lifted": len(lifted),
    }
    return result


def runtime_files(prefix: str) -> dict[str, str]:
    """The runtime support package, copied byte for byte (it is tested where it lives)."""
    return {f"{prefix}/{path.name}": path.read_text(encoding="utf-8") for path in sorted(RUNTIME_DIR.glob("*.py"))}
