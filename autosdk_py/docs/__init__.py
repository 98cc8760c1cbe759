"""``autosdk docs``: a WebSocket API reference in Markdown, one page per channel.

From an AsyncAPI 2.x / 3.0 document or a Fern Definition channel file, the same input as pass 2,
and laid out like Fern's WebSocket reference:

* ``README.md``: the API, one line per channel (its page, address, generated client, messages);
* ``<channel>.md``: the Python quick start; **Handshake** (URL, path / query parameters, headers,
  auth and the environment variable the client reads the key from); **Send** (client -> server) and
  **Receive** (server -> client): per message its ``send_*`` call or the class ``recv()`` returns,
  a fields table of its payload and an example; **Types**: the named object types the payloads use.

The names (client classes, ``send_*`` methods, ``connect()`` parameters, payload classes, the
``recv()`` union and its tag) come from the same realtime client IR the generator renders
(:func:`autosdk_py.asyncapi.client_ir.build_realtime_ir`); class names are computed the way the
models stage assigns them, without generating the models. Channels that get no client (not
WebSocket, or no address) are documented too, with a note saying so.

The output is deterministic: document order for channels, messages and fields, sorted types, no
timestamps. It is written atomically with :func:`autosdk_py.writer.write_tree` (owner ``docs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..asyncapi.client_ir import PayloadClass, build_realtime_ir
from ..asyncapi.read import Perspective
from ..asyncapi.spec import AsyncApiDocument
from ..errors import SpecError
from ..loader import Document, load_document
from ..naming import identifier, module_path
from ..templating import environment
from ..writer import MARKER
from .markdown import tidy
from .pages import Naming, build_pages
from .schemas import SchemaText

__all__ = ["DocsResult", "ModelNames", "Reference", "build_docs", "generate_docs", "model_names", "parse_document"]

OWNER = "docs"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # The shared environment (loader, filters), with block tags not leaving their line behind:
    # Markdown tables break on a stray blank line.
    # Markdown is not Python: the Python templates' guard (only rendered code may be printed) is off.
    return environment().overlay(trim_blocks=True, lstrip_blocks=True, finalize=None)


def render(template: str, **context: Any) -> str:
    return tidy(_environment().get_template(template).render(**context))


@dataclass
class DocsResult:
    output: Path
    files_written: int
    pages: list[str]
    notes: list[str] = field(default_factory=list)


def parse_document(doc: Document, perspective: Perspective | None = None) -> AsyncApiDocument:
    from ..asyncapi.read import read_realtime

    return read_realtime(doc, perspective)


@dataclass(frozen=True)
class ModelNames:
    """The classes the models stage makes of a document's schemas, computed without generating them."""

    schemas: dict[str, Any]  # components/schemas plus the lifted inline payloads (``<Message>Payload``)
    class_names: dict[str, str]  # schema name -> class name
    lifted: dict[str, str]  # message pointer -> lifted schema name
    text: SchemaText

    def is_model(self, schema: str) -> bool:
        """A pydantic model (an object with properties), else a type alias."""
        return self.text.is_model(schema)


def model_names(api: AsyncApiDocument) -> ModelNames:
    from ..asyncapi.lift import lift_inline_payloads
    from ..openapi.normalize import assign_class_names

    synthetic, lifted = lift_inline_payloads(api)
    schemas: dict[str, Any] = dict(synthetic["components"]["schemas"])
    class_names = assign_class_names(list(schemas))
    return ModelNames(schemas, class_names, lifted, SchemaText(api.data, schemas, class_names))


def _naming(
    doc: Document, api: AsyncApiDocument, namespace: str | None, types_namespace: str | None
) -> tuple[Naming, ModelNames, dict[str, PayloadClass]]:
    """Package names, the model classes and the payload class of each message (as pass 2 has them)."""
    from ..pipeline import resolve_package

    if namespace is None and types_namespace is not None:
        namespace = types_namespace + ".realtime"
    package, _ = resolve_package(namespace, doc)
    names = model_names(api)
    messages = [m for c in api.channels for m in c.messages]
    payload_classes: dict[str, PayloadClass] = {}
    if types_namespace is not None:
        # The client imports the pass-1 models: only $ref payloads have a class there.
        types_package, _ = resolve_package(types_namespace, doc, "--types-namespace")
        models_module = f"{types_package}.models"
        for m in messages:
            if m.payload_schema is not None and not m.binary:
                schema = m.payload_schema
                payload_classes[m.pointer] = PayloadClass(identifier(names.class_names[schema]), names.is_model(schema))
    else:
        models_module = f"{package}.models"
        for m in messages:
            found = m.payload_schema or names.lifted.get(m.pointer)
            if found is not None and found in names.class_names and not m.binary:
                payload_classes[m.pointer] = PayloadClass(identifier(names.class_names[found]), names.is_model(found))
    naming = Naming(
        package=package,
        models_module=models_module,
        payload_class={k: v.class_name for k, v in payload_classes.items()},
    )
    return naming, names, payload_classes


def _env_prefix(types_namespace: str | None, output: Path | None) -> str | None:
    """The REST client's environment prefix when the realtime client shares its package (as in pass 2)."""
    if types_namespace is None:
        return None
    from ..checker import find_manifest

    try:
        manifest, _ = find_manifest(types_namespace, output or Path("."))
    except SpecError:
        return None
    client = manifest.get("client")
    prefix = client.get("env_prefix") if isinstance(client, dict) else None
    return prefix if isinstance(prefix, str) else None


@dataclass(frozen=True)
class Reference:
    package: str  # the Python package the pages talk about
    files: dict[str, str]  # file name -> Markdown
    notes: tuple[str, ...]  # the parser's and the client IR's notes


def build_docs(
    doc: Document,
    *,
    namespace: str | None = None,
    types_namespace: str | None = None,
    sdk_output: Path | None = None,
    perspective: Perspective | None = None,
) -> Reference:
    """The reference pages of ``doc``, named as ``autosdk generate`` with the same options names things.

    ``sdk_output``: where pass 1 wrote the ``--types-namespace`` package, to borrow its environment
    variable prefix as the generated client does (else the prefix comes from the title).
    """
    api = parse_document(doc, perspective)
    naming, names, payload_classes = _naming(doc, api, namespace, types_namespace)
    ir = build_realtime_ir(
        api,
        package=module_path(naming.package),
        source_name=doc.path.name,
        models_module=module_path(naming.models_module),
        own_models=types_namespace is None,
        payload_classes=payload_classes,
        env_prefix=_env_prefix(types_namespace, sdk_output),
    )
    index, pages = build_pages(api, ir, naming, names.schemas, names.class_names)
    files = {"README.md": render("docs/index.md.jinja", index=index)}
    for page in pages:
        files[page.filename] = render("docs/channel.md.jinja", page=page)
    return Reference(package=naming.package, files=files, notes=tuple(ir.notes))


def generate_docs(
    spec: Path,
    output: Path = Path("docs"),
    *,
    namespace: str | None = None,
    types_namespace: str | None = None,
    perspective: Perspective | None = None,
) -> DocsResult:
    """Write the reference for ``spec`` into ``output`` (replacing only an earlier ``autosdk docs`` output)."""
    from ..writer import check_target, marker_text, write_tree

    doc = load_document(spec, expect="asyncapi")
    check_target(output, OWNER)  # fail before the work, not after it
    reference = build_docs(doc, namespace=namespace, types_namespace=types_namespace, perspective=perspective)
    files = dict(reference.files)
    files[MARKER] = marker_text(OWNER, doc.path.name, reference.package)
    written = write_tree(output, files, owner=OWNER)
    return DocsResult(output=output, files_written=written, pages=sorted(reference.files), notes=list(reference.notes))
