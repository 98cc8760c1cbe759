"""Give every inline request and response schema a name, so each becomes a generated model.

datamodel-code-generator only emits classes for ``components/schemas``; an operation whose body
or response schema is written inline would otherwise have no type to use. The spec is not
mutated: containers along each changed path are copied (copy-on-write), which keeps this cheap
on multi-MB specs where a deep copy would cost about a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..naming import pascal_case, unique_class_name
from ..schema.pointer import escape_pointer_token, lookup
from .media import is_form, is_json, is_multipart, is_sse

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class OperationRef:
    path: str
    method: str
    pointer: str
    operation: dict[str, Any]

    @property
    def base_name(self) -> str:
        """operationId, else ``method + path`` (e.g. ``get /pets/{id}``)."""
        op_id = self.operation.get("operationId")
        if isinstance(op_id, str) and op_id.strip():
            return op_id
        return f"{self.method} {self.path}"


def iter_operations(spec: dict[str, Any]) -> Iterator[OperationRef]:
    paths = spec.get("paths") or {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield OperationRef(path, method, f"/paths/{escape_pointer_token(path)}/{method}", op)


class _CopyOnWrite:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = dict(root)
        self._copied: set[int] = {id(self.root)}

    def container(self, tokens: list[str]) -> Any:
        """The container at ``tokens``, copied (once) along the way so it may be modified."""
        node: Any = self.root
        for token in tokens:
            key: Any = int(token) if isinstance(node, list) else token
            child = node[key]
            if id(child) not in self._copied:
                child = dict(child) if isinstance(child, dict) else list(child)
                self._copied.add(id(child))
                node[key] = child
            node = child
        return node


def lift_inline_schemas(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return a spec whose bodies and success responses all ``$ref`` a component schema.

    The second value maps the pointer of each lifted schema to its new component name.
    """
    schemas = (spec.get("components") or {}).get("schemas") or {}
    taken = set(schemas) | {pascal_case(n) for n in schemas}
    cow = _CopyOnWrite(spec)
    lifted: dict[str, str] = {}
    new_schemas: dict[str, Any] = {}

    def lift(tokens: list[str], schema: Any, name: str) -> None:
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        new_name = unique_class_name(pascal_case(name), taken)
        new_schemas[new_name] = schema
        media = cow.container(tokens)
        media["schema"] = {"$ref": f"#/components/schemas/{new_name}"}
        lifted["/" + "/".join(escape_pointer_token(t) for t in [*tokens, "schema"])] = new_name

    for op in iter_operations(spec):
        base = pascal_case(op.base_name)
        op_tokens = ["paths", op.path, op.method]
        body = op.operation.get("requestBody")
        if isinstance(body, dict) and "$ref" not in body:
            for ctype, media in (body.get("content") or {}).items():
                if isinstance(media, dict) and (is_json(ctype) or is_multipart(ctype) or is_form(ctype)):
                    lift([*op_tokens, "requestBody", "content", ctype], media.get("schema"), base + "Request")
        responses = op.operation.get("responses") or {}
        for status, response in responses.items():
            if not isinstance(response, dict) or "$ref" in response or not str(status).startswith("2"):
                continue
            for ctype, media in (response.get("content") or {}).items():
                if not isinstance(media, dict):
                    continue
                if is_json(ctype):
                    suffix = "Response" if str(status) in ("200", "201") else f"Response{status}"
                    lift([*op_tokens, "responses", str(status), "content", ctype], media.get("schema"), base + suffix)
                elif is_sse(ctype):
                    lift([*op_tokens, "responses", str(status), "content", ctype], media.get("schema"), base + "Event")

    # Shared request bodies and responses under components are lifted under their own names.
    components = spec.get("components") or {}
    for kind, suffix in (("requestBodies", "Request"), ("responses", "Response")):
        for name, obj in (components.get(kind) or {}).items():
            if not isinstance(obj, dict):
                continue
            for ctype, media in (obj.get("content") or {}).items():
                if isinstance(media, dict) and (
                    is_json(ctype) or is_multipart(ctype) or is_form(ctype) or is_sse(ctype)
                ):
                    lift(["components", kind, name, "content", ctype], media.get("schema"), name + suffix)

    if new_schemas:
        target = cow.container(["components"]) if "components" in cow.root else None
        if target is None:
            cow.root["components"] = target = {}
        merged = dict(target.get("schemas") or {})
        merged.update(new_schemas)
        target["schemas"] = merged
    return cow.root, lifted


def deref(spec: dict[str, Any], node: Any) -> Any:
    """Follow ``$ref`` chains of non-schema objects (parameters, request bodies, responses).

    The fragment is read as written (no percent-decoding), as ``loader.check_local_refs`` checked it;
    a cycle stops at the ``$ref`` that repeats.
    """
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        ref = node["$ref"]
        if ref in seen:
            break
        seen.add(ref)
        node = lookup(spec, ref[1:])
    return node
