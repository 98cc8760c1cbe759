"""Client IR -> the files of the generated HTTP client (models and runtime come from elsewhere)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import ModelsOutput
from ..naming import identifier
from ..pytext import Code, Identifier
from ..templating import render
from .ir import ClientIR, Method, Resource
from .parser import method_types

# Everything the package root re-exports from the runtime, for ``from pkg import NotFoundError``.
RUNTIME_EXPORTS = tuple(
    identifier(name)
    for name in (
        "NOT_GIVEN",
        "NotGiven",
        "Timeout",
        "FileTypes",
        "Stream",
        "AsyncStream",
        "BinaryStream",
        "AsyncBinaryStream",
        "JSONLStream",
        "AsyncJSONLStream",
        "APIError",
        "APIConnectionError",
        "APITimeoutError",
        "APIStatusError",
        "APIResponseValidationError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
    )
)

_TYPING = ("Any", "Literal", "Optional", "Union", "Annotated")


@dataclass(frozen=True)
class Uses:
    """What one generated module must import; computed here so templates only print it."""

    typing: tuple[Identifier, ...]
    runtime: tuple[Identifier, ...]
    model_support: tuple[Code, ...]  # import lines the models' annotations need, as the models write them
    warnings: bool
    sequence: bool
    models: bool  # whether the module refers to ``_models.X`` at run time
    none_type: bool  # whether a method returns nothing (``cast_to=NoneType``)

    @property
    def typing_names(self) -> Code:
        return Code(", ".join(self.typing))


def _uses(methods: Iterable[Method], models: ModelsOutput, *, client_module: bool, type_imports: bool) -> Uses:
    methods = list(methods)
    names: set[str] = set()
    runtime: set[str] = set()
    typing: set[str] = set()
    if methods:
        runtime |= {"NOT_GIVEN", "NotGiven", "Headers", "Query", "Body", "Timeout", "RequestOptions"}
    for m in methods:
        if m.body is not None:
            if m.body.kind == "json" and m.body.model:
                runtime.add("build_model")
            if m.body.whole_wraps_root:
                runtime |= {"NOT_GIVEN", "NotGiven"}
        for t in method_types(m):
            names |= t.names
        if m.response.wrap_cast:
            typing.add("cast")
        if _response_cast(m).startswith("cast(Any"):
            typing.add("Any")
        if m.response.kind == "sse":
            runtime |= {"Stream", "AsyncStream"}
        if m.response.json_lines is not None:
            runtime |= {"JSONLStream", "AsyncJSONLStream"}
        elif m.response.kind == "binary_stream":
            runtime |= {"BinaryStream", "AsyncBinaryStream"}
    runtime |= {n for n in names if n in ("FileTypes",)}
    typing |= {n for n in names if n in _TYPING}
    support = sorted(
        {line for n, line in models.name_imports.items() if n in names and n not in _TYPING and n not in models.classes}
    )
    if type_imports or support:
        typing.add("TYPE_CHECKING")
    if client_module:
        runtime |= {
            "SyncAPIClient",
            "AsyncAPIClient",
            "DEFAULT_MAX_RETRIES",
            "DEFAULT_TIMEOUT",
            "Timeout",
            "Credential",
        }
        typing.add("Self")
    else:
        runtime |= {"SyncAPIClient", "AsyncAPIClient"}
    return Uses(
        typing=tuple(identifier(n) for n in sorted(typing, key=lambda n: (n != "TYPE_CHECKING", n))),
        runtime=tuple(identifier(n) for n in sorted(runtime, key=lambda n: (not n.isupper(), n))),
        model_support=tuple(Code(line) for line in support),
        warnings=any(m.deprecated for m in methods),
        sequence="Sequence" in names,
        models=any(_uses_models_at_runtime(m) for m in methods),
        none_type=any(m.response.cast == "NoneType" for m in methods),
    )


def _response_cast(m: Method) -> Code:
    """The response type the call names at run time (``event_type`` of a JSON lines stream)."""
    return m.response.json_lines if m.response.json_lines is not None else m.response.cast


def _uses_models_at_runtime(m: Method) -> bool:
    body = m.body
    return "_models." in _response_cast(m) or (
        body is not None and body.kind == "json" and bool(body.model or body.whole_wraps_root)
    )


def render_client(ir: ClientIR, models: ModelsOutput) -> dict[str, str]:
    """Relative path -> text for ``__init__.py``, ``_client.py`` and ``resources/*``."""
    files: dict[str, str] = {}
    exports = {"models", "Client", "AsyncClient", ir.client_class, ir.async_client_class, *RUNTIME_EXPORTS}
    files["__init__.py"] = render(
        "openapi/__init__.py.jinja", ir=ir, runtime_exports=RUNTIME_EXPORTS, all_exports=sorted(exports)
    )
    files["_client.py"] = render(
        "openapi/_client.py.jinja",
        ir=ir,
        uses=_uses(ir.root.methods, models, client_module=True, type_imports=bool(ir.resources or ir.root.imports)),
    )
    files["resources/__init__.py"] = render("openapi/resources_init.py.jinja", ir=ir)
    for res in ir.resources:
        files[f"resources/{res.module}.py"] = _render_resource(ir, res, models)
    files["py.typed"] = ""
    return files


def _render_resource(ir: ClientIR, res: Resource, models: ModelsOutput) -> str:
    uses = _uses(res.methods, models, client_module=False, type_imports=bool(res.imports))
    return render("openapi/resource.py.jinja", ir=ir, resource=res, uses=uses)
