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
from typing import TYPE_CHECKING, Literal

from .errors import SpecError, SpecErrors

if TYPE_CHECKING:
    from .openapi.ir import ClientIR
from .loader import Document, load_document
from .naming import identifier, module_path, namespace_from_title, package_name
from .pytext import Code, Identifier
from .writer import marker_text, write_tree

Progress = Callable[[str, float | None], None]  # (step, None) when it starts, (step, seconds) when done

RUNTIME_DIR = Path(__file__).parent / "runtime"
REALTIME_RUNTIME_DIR = Path(__file__).parent / "realtime_runtime"


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
    generate_models: bool | None = None  # None: own models unless --types-namespace is given
    websocket_class_name: str | None = None
    asyncapi_perspective: Literal["client", "server"] | None = None  # None: the document version's convention


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


def resolve_package(namespace: str | None, doc: Document, option: str = "--namespace") -> tuple[Identifier, str | None]:
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
        return generate_asyncapi(doc, options, progress)
    return generate_openapi(doc, options, progress)


def generate_openapi(doc: Document, options: GenerateOptions, progress: Progress = _quiet) -> GenerateResult:
    from .models import generate_models
    from .models.formatting import format_python_files
    from .openapi.lift import lift_inline_schemas
    from .openapi.parser import ClientOptions, SecuritySchemeOption, build_client_ir
    from .openapi.render import render_client
    from .openapi.validate import validate_openapi
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

    with _step(result, progress, "Validating the document"):
        validate_openapi(doc)  # every problem at once, before the slow models step
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
        files["_manifest.json"] = _with_client(files["_manifest.json"], ir)
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


def runtime_files(prefix: str, source: Path = RUNTIME_DIR) -> dict[str, str]:
    """A runtime support package, copied byte for byte (it is tested where it lives)."""
    return {f"{prefix}/{path.name}": path.read_text(encoding="utf-8") for path in sorted(source.glob("*.py"))}


def generate_asyncapi(doc: Document, options: GenerateOptions, progress: Progress = _quiet) -> GenerateResult:
    """Pass 2: the realtime client, with its own models or importing those of a pass-1 package."""
    from .asyncapi.client_ir import PayloadClass, build_realtime_ir, check_wire_values
    from .asyncapi.read import read_realtime
    from .asyncapi.render import render_realtime
    from .checker import check_against, find_manifest
    from .errors import CheckFailed
    from .models.formatting import format_python_files
    from .writer import check_target

    cross = options.types_namespace is not None and options.generate_models is not True
    if options.generate_models is False and options.types_namespace is None:
        raise SpecError(
            "--generate-models false needs --types-namespace: the package whose models the client imports",
            file=doc.path,
            hint="run pass 1 first (autosdk generate openapi.yaml --namespace x) and add --types-namespace x",
        )
    namespace = options.namespace
    if namespace is None and options.types_namespace is not None:
        namespace = options.types_namespace + ".realtime"
    package, note = resolve_package(namespace, doc)
    target = package_dir(options.output, package)
    result = GenerateResult(package=package, package_dir=target, files_written=0)
    if note:
        result.notes.append(note)
    check_target(target, "asyncapi")

    with _step(result, progress, "Reading the AsyncAPI document"):
        api = read_realtime(doc, options.asyncapi_perspective)
    with _located_in(doc):
        check_wire_values(api)  # before the slow models step
    result.notes.extend(api.warnings)
    messages = [m for ch in api.channels for m in ch.messages]
    files: dict[str, str] = {}
    payload_classes: dict[str, PayloadClass] = {}
    env_prefix: str | None = None
    if cross:
        assert options.types_namespace is not None
        types_package, _ = resolve_package(options.types_namespace, doc, "--types-namespace")
        with _step(result, progress, f"Checking the schemas against {types_package}"):
            manifest, where = find_manifest(options.types_namespace, options.output)
            inline = [
                (m.name, m.pointer)
                for m in messages
                if m.payload is not None and m.payload_schema is None and not m.binary
            ]
            report = check_against(api.data, manifest, inline_payloads=inline)
            if not report.ok:
                raise CheckFailed(report.format(doc.path, where))
        entries = manifest["schemas"]
        for m in messages:
            entry = entries.get(m.payload_schema or "")
            if entry is not None:
                payload_classes[m.pointer] = PayloadClass(
                    _manifest_class(entry, where), _is_model(entry), _manifest_attributes(entry, where)
                )
        models_module: Identifier | Code = module_path(f"{types_package}.models")
        env_prefix = (manifest.get("client") or {}).get("env_prefix")
        result.notes.append(f"{report.count_line()} The client imports its payload types from {models_module}.")
    else:
        from .asyncapi.lift import lift_inline_payloads
        from .models import generate_models

        with _step(result, progress, "Generating models (datamodel-code-generator)"):
            synthetic, lifted = lift_inline_payloads(api)
            models = generate_models(synthetic, package=package, source=doc.path)
        files.update(models.files)
        for m in messages:
            schema = m.payload_schema or lifted.get(m.pointer)
            class_name = models.class_for_schema.get(schema or "")
            if class_name is not None:
                cls = models.classes[class_name]
                attributes = {prop: identifier(attr) for prop, attr in cls.attributes.items()}
                payload_classes[m.pointer] = PayloadClass(identifier(class_name), cls.kind == "model", attributes)
        models_module = Code(".models")
        result.counts["classes"] = len(models.classes)

    with _step(result, progress, "Building the realtime client"), _located_in(doc):
        ir = build_realtime_ir(
            api,
            package=package,
            source_name=doc.path.name,
            models_module=models_module,
            own_models=not cross,
            payload_classes=payload_classes,
            websocket_class_name=options.websocket_class_name,
            auth_env_vars=options.auth_env_vars,
            env_prefix=env_prefix,
        )
        files.update(format_python_files(render_realtime(ir)))
        files.update(runtime_files("_runtime", REALTIME_RUNTIME_DIR))
        files[".autosdk-generated"] = marker_text("asyncapi", doc.path.name, package)
    result.notes.extend(n for n in ir.notes if n not in result.notes)
    with _step(result, progress, f"Writing {len(files)} files"):
        result.files_written = write_tree(target, files, owner="asyncapi")
    result.counts.update(
        {
            "channels": len(ir.channels),
            "send methods": sum(len(c.sends) for c in ir.channels),
            "server message types": sum(len(c.receives) for c in ir.channels),
        }
    )
    return result


@contextmanager
def _located_in(doc: Document) -> Iterator[None]:
    """Errors raised with only a JSON pointer get the document's file and line."""
    try:
        yield
    except (SpecError, SpecErrors) as err:
        for each in err.errors if isinstance(err, SpecErrors) else [err]:
            if each.file is None:
                each.file = doc.path
                if each.pointer is not None and each.line is None:
                    each.line = doc.line_of(each.pointer)
        raise


def _manifest_class(entry: dict[str, object], where: object) -> Identifier:
    """A class name read from another pass's manifest: a file on disk, so it is checked, not trusted."""
    name = entry.get("class_name")
    try:
        return identifier(str(name))
    except ValueError:
        raise SpecError(
            f"the manifest names a class {name!r} that is not a Python identifier",
            file=str(where),
            hint="regenerate the pass-1 package with autosdk generate",
        ) from None


def _manifest_attributes(entry: dict[str, object], where: object) -> dict[str, Identifier]:
    """JSON property -> Python attribute of a class in another pass's manifest (checked, as the class name)."""
    raw = entry.get("attributes")
    if not isinstance(raw, dict):
        return {}
    try:
        return {str(prop): identifier(str(attr)) for prop, attr in raw.items()}
    except ValueError:
        raise SpecError(
            f"the manifest names an attribute of {entry.get('class_name')!r} that is not a Python identifier",
            file=str(where),
            hint="regenerate the pass-1 package with autosdk generate",
        ) from None


def _is_model(entry: dict[str, object]) -> bool:
    kind = entry.get("kind")
    if isinstance(kind, str):
        return kind == "model"
    shape = entry.get("shape")
    return isinstance(shape, dict) and "properties" in shape


def _with_client(manifest_text: str, ir: ClientIR) -> str:
    """Record the client's names in the manifest, so a realtime client can borrow them."""
    from .models.manifest import dump_manifest, load_manifest

    manifest = load_manifest(manifest_text)
    manifest["client"] = {
        "class": ir.client_class,
        "async_class": ir.async_client_class,
        "env_prefix": ir.base_url_env.removesuffix("_BASE_URL"),
        "auth_env_vars": {a.param: a.env_var for a in ir.auth},
    }
    return dump_manifest(manifest)
