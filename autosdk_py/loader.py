"""Read a spec file (JSON or YAML), tell what kind of document it is, and check its ``$ref``s.

Errors carry the file, a JSON pointer and, where the text can be located, a line number. Line
numbers are only computed on the error path, from one YAML node tree per text (``line_index``), so
the success path parses each file once and a document with many errors is composed once.

Every parsed file is checked against ``limits`` (nesting depth, YAML alias recursion and expansion)
before anything walks it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml

from .errors import SpecError, SpecErrors, escape_pointer_token, json_pointer
from .limits import check_bounds, depth_error, json_depth_line
from .line_index import index_for
from .schema.pointer import lookup
from .schema.pointer import split_pointer as split_pointer  # re-exported: docs/pages.py and tests import it here

DocumentKind = Literal["openapi", "asyncapi"]

SUPPORTED = "OpenAPI 3.0 and 3.1 (pass 1); AsyncAPI 2.0-2.6 and 3.0, and Fern Definition channels (pass 2)"

try:  # the C loader is ~8x faster on the multi-MB specs this tool is used with
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _YamlLoader(_BaseLoader):  # type: ignore[misc]
    """YAML read as JSON data: what a spec means is the JSON data model.

    A plain ``2024-01-01`` stays the string it is in JSON (YAML 1.1 would make it a ``date``, which
    no JSON schema value is and no generated literal can hold); ``!!binary``, ``!!set`` and the
    other non-JSON tags are refused.
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


def _as_string(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _not_json(loader: Any, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"the YAML tag {node.tag} has no JSON equivalent", node.start_mark
    )


_YamlLoader.add_constructor(_TIMESTAMP, _as_string)
for _tag in ("binary", "set", "omap", "pairs"):
    _YamlLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _not_json)


@dataclass(frozen=True)
class Document:
    path: Path
    data: dict[str, Any]
    kind: DocumentKind
    version: str
    text: str

    def line_of(self, pointer: str) -> int | None:
        return line_of(self.text, pointer)

    def error(self, message: str, pointer: str, hint: str | None = None) -> SpecError:
        return SpecError(message, file=self.path, pointer=pointer, line=self.line_of(pointer), hint=hint)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError("file not found", file=path, hint="check the path of the spec file") from None
    except IsADirectoryError:
        raise SpecError(
            "this is a folder, not a spec file", file=path, hint="pass the path of a .yaml or .json file"
        ) from None
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror}", file=path, hint="check its permissions") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"the file is not UTF-8 text (byte {exc.start})", file=path, hint="save the spec as UTF-8 JSON or YAML"
        ) from None


def parse_text(text: str, path: Path) -> Any:
    """The data of a JSON or YAML text; a ``SpecError`` when it is malformed or exceeds ``limits``."""
    looks_json = path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "[")
    if looks_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if path.suffix.lower() == ".json":
                raise SpecError(
                    f"malformed JSON: {exc.msg} (column {exc.colno})",
                    file=path,
                    line=exc.lineno,
                    hint="fix the JSON syntax at that line (a missing comma, quote or bracket is typical)",
                ) from None
            # not .json and not valid JSON: it may still be YAML flow syntax
        except RecursionError:  # the C decoder stops near Python's recursion limit, far above MAX_DEPTH
            raise depth_error(path, json_depth_line(text)) from None
        else:
            check_bounds(data, text, path, is_json=True)
            return data
    try:
        data = yaml.load(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        if problem == _LIBYAML_TOO_DEEP:
            raise depth_error(path, line) from None
        column = f" (column {mark.column + 1})" if mark is not None else ""
        if isinstance(exc, yaml.constructor.ConstructorError) and problem.startswith("the YAML tag"):
            raise SpecError(
                f"unsupported YAML: {problem}{column}",
                file=path,
                line=line,
                hint="write the value as plain JSON data (a string, number, boolean, null, list or mapping)",
            ) from None
        raise SpecError(
            f"malformed YAML: {problem}{column}",
            file=path,
            line=line,
            hint="fix the YAML syntax at that line (indentation and unquoted ':' are typical causes)",
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"malformed YAML: {exc}", file=path, hint="fix the YAML syntax") from None
    except RecursionError:  # the pure-Python loader recurses per level
        raise depth_error(path, None) from None
    check_bounds(data, text, path, is_json=False)
    return data


# libyaml's own bound (1,000 levels), reached before MAX_DEPTH is measured
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def load_document(path: Path, expect: DocumentKind | None = None) -> Document:
    text = read_text(path)
    data = parse_text(text, path)
    if not isinstance(data, dict):
        raise SpecError(
            f"the top level of the document is a {_type_name(data)}, not a mapping",
            file=path,
            pointer="",
            line=1,
            hint=f"a spec starts with 'openapi: 3.x' or 'asyncapi: ...' at the top level; supported: {SUPPORTED}",
        )
    kind, version = _detect_kind(data, path, text)
    if expect is not None and kind != expect:
        raise SpecError(f"expected an {expect} document, found {kind} {version}", file=path, pointer="")
    return Document(path=path, data=data, kind=kind, version=version, text=text)


def _detect_kind(data: dict[str, Any], path: Path, text: str) -> tuple[DocumentKind, str]:
    if "swagger" in data:
        raise SpecError(
            f"Swagger {data.get('swagger')} is not supported",
            file=path,
            pointer="/swagger",
            line=line_of(text, "/swagger"),
            hint=f"convert it to OpenAPI 3 first (e.g. with swagger2openapi); supported: {SUPPORTED}",
        )
    for key, prefixes in (("openapi", ("3.0", "3.1")), ("asyncapi", ("2.", "3.0"))):
        if key in data:
            version = str(data[key])
            if not version.startswith(prefixes):
                raise SpecError(
                    f"{key} version {version!r} is not supported",
                    file=path,
                    pointer=f"/{key}",
                    line=line_of(text, f"/{key}"),
                    hint=f"supported: {SUPPORTED}",
                )
            if key == "asyncapi" and version.startswith("2.") and not _minor_at_most(version, 6):
                raise SpecError(
                    f"asyncapi version {version!r} is not supported",
                    file=path,
                    pointer="/asyncapi",
                    hint=f"supported: {SUPPORTED}",
                )
            return key, version  # type: ignore[return-value]
    from .fern import FERN_VERSION, is_fern_definition  # lazy: autosdk_py.fern imports this module

    if is_fern_definition(data):
        return "asyncapi", FERN_VERSION  # a Fern Definition file (channel:/types:/imports:): pass 2
    raise SpecError(
        "this is neither an OpenAPI nor an AsyncAPI document (no top-level 'openapi' or 'asyncapi' key)",
        file=path,
        pointer="",
        line=1,
        hint=f"supported: {SUPPORTED}",
    )


def _minor_at_most(version: str, highest: int) -> bool:
    parts = version.split(".")
    return len(parts) > 1 and parts[1].isdigit() and int(parts[1]) <= highest


def _type_name(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", type(None): "empty document"}.get(
        type(value), type(value).__name__
    )


# --- JSON pointers -----------------------------------------------------------------------------


def resolve_pointer(data: Any, pointer: str) -> Any:
    """The value at ``pointer`` (RFC 6901); raises ``KeyError`` when it does not exist."""
    return lookup(data, pointer)


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string in the document with the pointer of the object that holds it."""
    stack: list[tuple[Any, str]] = [(node, pointer)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield where, ref
            for key, value in current.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{where}/{escape_pointer_token(key)}"))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{where}/{index}"))


def check_local_refs(doc: Document) -> None:
    """Every local ``$ref`` must resolve; all dangling ones are reported at once."""
    errors: list[SpecError] = []
    seen_targets: dict[str, bool] = {}
    hint_for = ref_hinter(doc.data)
    for where, ref in sorted(iter_refs(doc.data)):
        if not ref.startswith("#"):
            errors.append(
                doc.error(
                    f"external $ref {ref!r} is not supported in this pass",
                    where + "/$ref",
                    hint="bundle the spec into one file (e.g. `redocly bundle`) or use a local '#/...' reference",
                )
            )
            continue
        target = ref[1:]
        ok = seen_targets.get(target)
        if ok is None:
            try:
                resolve_pointer(doc.data, target)
                ok = True
            except (KeyError, ValueError):
                ok = False
            seen_targets[target] = ok
        if not ok:
            errors.append(
                doc.error(
                    f"dangling $ref: {ref!r} points to nothing in this document", where + "/$ref", hint_for(target)
                )
            )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SpecErrors(errors)


# Did-you-mean costs up to ~0.1 s per target against OpenAI's ~2,000 schema names: hundreds of
# distinct dangling targets (a truncated spec) would take a minute, for suggestions nobody reads.
MAX_SUGGESTIONS = 25
_NO_SUGGESTION = "define the target or correct the reference"


def ref_hinter(data: dict[str, Any]) -> Callable[[str], str]:
    """The hint for each dangling target of one document: computed once per target (a truncated spec
    repeats the same targets hundreds of times), with did-you-mean for the first ``MAX_SUGGESTIONS``."""
    hints: dict[str, str] = {}

    def hint_for(target: str) -> str:
        hint = hints.get(target)
        if hint is None:
            hint = hints[target] = _ref_hint(data, target) if len(hints) < MAX_SUGGESTIONS else _NO_SUGGESTION
        return hint

    return hint_for


def _ref_hint(data: dict[str, Any], target: str) -> str:
    import difflib

    tokens = split_pointer(target) if target.startswith("/") else []
    if len(tokens) >= 2:
        try:
            parent = resolve_pointer(data, json_pointer(*tokens[:-1]))
        except KeyError:
            parent = None
        if isinstance(parent, dict):
            close = difflib.get_close_matches(tokens[-1], list(parent), n=3)
            if close:
                return "did you mean " + " or ".join(repr("#" + json_pointer(*tokens[:-1], c)) for c in close) + "?"
    return _NO_SUGGESTION


# --- line numbers (error path only) ------------------------------------------------------------


def line_of(text: str, pointer: str) -> int | None:
    """The 1-based line where the value at ``pointer`` starts, or ``None`` when it cannot be found.

    The key's line when the pointer ends at a mapping key; the deepest line found when it leads
    nowhere. One node tree per text is composed and shared by all calls (``line_index``).
    """
    try:
        tokens = split_pointer(pointer)
    except ValueError:
        return None
    return index_for(text, _YamlLoader).line(tokens)
