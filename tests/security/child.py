"""Run in a subprocess: import every module of generated packages, build their clients, call everything.

Usage: ``python child.py REQUEST.json``. The request names the output folder (put on ``sys.path``),
the packages (``openapi`` or ``realtime``), a closed 127.0.0.1 port and a results file. For each
package one JSON line is appended to the results file as soon as it is done, so a time-out in the
parent still tells which packages finished:

    {"package": "...", "calls": 12, "problems": [{"stage": "call", "where": "...", "error": "...", "line": "..."}]}

A call passes when it fails the way a call to a closed port must: the runtime's connection error
(``APIConnectionError``, ``RealtimeError``) or a pydantic ``ValidationError`` of the sample arguments.
Anything else (a ``NameError``, a ``SyntaxError``, an ``httpx.InvalidURL``...) is a problem, reported
with the generated line it came from. This file imports nothing from autosdk-py: generated packages
must stand alone.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import importlib
import inspect
import json
import sys
import traceback
import types
import typing
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic

MAX_CALLS_PER_PACKAGE = 400  # bounds one package's work; the fuzz documents hold far fewer operations
SKIPPED_PARAMETERS = frozenset({"self", "extra_headers", "extra_query", "extra_body", "timeout"})


class Unsampleable(Exception):
    """No sample value can be made for an annotation."""


class BadAnnotation(Exception):
    """A generated annotation that is not valid typing (``Literal[inf]``): reported, the call is not made."""


def _problem(stage: str, where: str, exc: BaseException, package_dir: Path) -> dict[str, str]:
    return {
        "stage": stage,
        "where": where,
        "error": f"{type(exc).__name__}: {str(exc)[:400]}",
        "line": _generated_line(exc, package_dir),
    }


def _generated_line(exc: BaseException, package_dir: Path) -> str:
    """``file:line: text`` of the innermost traceback frame in generated code (not its runtime package)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}: {(exc.text or '').strip()[:300]}"
    found = ""
    fallback = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if package_dir in path.parents:
            text = f"{path.relative_to(package_dir.parent)}:{frame.lineno}: {(frame.line or '').strip()[:300]}"
            fallback = text
            if "_runtime" not in path.parts:
                found = text
    return found or fallback


# --- sample arguments ------------------------------------------------------------------------------


class Sampler:
    """Simple values for parameter annotations (strings of generated code, never evaluated)."""

    def __init__(self, models: types.ModuleType | None) -> None:
        self.models = models

    def from_text(self, text: str) -> Any:
        try:
            node = ast.parse(text, mode="eval").body
        except SyntaxError as exc:
            raise Unsampleable(text) from exc
        return self.from_node(node)

    def from_node(self, node: ast.expr) -> Any:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            for side in (node.left, node.right):
                if not (isinstance(side, ast.Constant) and side.value is None):
                    try:
                        return self.from_node(side)
                    except Unsampleable:
                        continue
            return None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return self.from_text(node.value)  # a forward reference
            return node.value
        if isinstance(node, ast.Subscript):
            head = _dotted(node.value)
            args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
            if head in ("Literal", "typing.Literal"):
                try:
                    return ast.literal_eval(args[0])
                except ValueError:
                    raise BadAnnotation(f"{ast.unparse(node)} is not a Literal of a literal value") from None
            if head in ("Annotated", "Optional"):
                return self.from_node(args[0])
            if head in ("list", "List", "Sequence", "set", "frozenset", "Iterable"):
                return []
            if head in ("dict", "Dict", "Mapping"):
                return {}
            if head in ("tuple", "Tuple"):
                return ()
            if head in ("Union",):
                return self.from_node(args[0])
            raise Unsampleable(ast.unparse(node))
        name = _dotted(node)
        simple: dict[str, Any] = {
            "str": "v",
            "int": 1,
            "float": 1.5,
            "bool": True,
            "bytes": b"x",
            "object": "v",
            "Any": "v",
            "None": None,
            "FileTypes": ("f.txt", b"x"),
            "datetime": "2024-01-01T00:00:00Z",
            "date": "2024-01-01",
        }
        short = name.rsplit(".", 1)[-1]
        if short in simple:
            return simple[short]
        if self.models is not None and short:
            try:
                target = getattr(self.models, short)
            except AttributeError:
                target = None
            if target is not None:
                return self.from_type(target)
        raise Unsampleable(name)

    def from_type(self, tp: Any) -> Any:
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            return tp.model_construct()
        value = getattr(tp, "__value__", None)  # a TypeAliasType
        if value is not None:
            return self.from_type(value)
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Literal:
            return args[0]
        if origin is typing.Annotated:
            return self.from_type(args[0])
        if origin in (typing.Union, types.UnionType):
            for arg in args:
                if arg is not type(None):
                    return self.from_type(arg)
            return None
        if origin in (list, set, frozenset, tuple) or tp in (list, set):
            return []
        if origin is dict or tp is dict:
            return {}
        simple: dict[Any, Any] = {str: "v", int: 1, float: 1.5, bool: True, bytes: b"x", type(None): None}
        if tp in simple:
            return simple[tp]
        return "v"


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return _dotted(node.value) + "." + node.attr
    return ""


def _arguments(function: Callable[..., Any], sampler: Sampler) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for every parameter (optional ones too, so their wire names are used)."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for param in inspect.signature(function).parameters.values():
        if param.name in SKIPPED_PARAMETERS or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = param.annotation if isinstance(param.annotation, str) else "str"
        required = param.default is inspect.Parameter.empty
        try:
            value = sampler.from_text(annotation)
        except BadAnnotation as exc:
            raise BadAnnotation(f"parameter {param.name}: {exc}") from None
        except Unsampleable:
            if not required:
                continue
            value = "v"
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD) and required:
            positional.append(value)
        else:
            keywords[param.name] = value
    return positional, keywords


# --- the checks -------------------------------------------------------------------------------------


def _module_names(root: Path, package: str) -> list[str]:
    package_dir = root.joinpath(*package.split("."))
    names: list[str] = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


class PackageCheck:
    def __init__(self, root: Path, package: str, kind: str, port: int) -> None:
        self.root = root
        self.package = package
        self.kind = kind
        self.port = port
        self.package_dir = root.joinpath(*package.split("."))
        self.problems: list[dict[str, str]] = []
        self.calls = 0

    def add(self, stage: str, where: str, exc: BaseException) -> None:
        self.problems.append(_problem(stage, where, exc, self.package_dir))

    def run(self) -> dict[str, Any]:
        for name in _module_names(self.root, self.package):
            try:
                importlib.import_module(name)
            except BaseException as exc:  # anything an injected module does is a finding
                self.add("import", name, exc)
        if not self.problems:
            if self.kind == "openapi":
                self.check_openapi()
            else:
                self.check_realtime()
        return {"package": self.package, "calls": self.calls, "problems": self.problems}

    # --- REST -------------------------------------------------------------------------------------

    def check_openapi(self) -> None:
        client_module = importlib.import_module(self.package + "._client")
        runtime = importlib.import_module(self.package + "._runtime")
        models = importlib.import_module(self.package + ".models")
        expected: tuple[type[BaseException], ...] = (runtime.APIConnectionError, pydantic.ValidationError)
        sampler = Sampler(models)
        for class_name in getattr(client_module, "__all__", ()):
            cls: Any = getattr(client_module, class_name)
            if not inspect.isclass(cls):
                continue
            try:
                client: Any = cls(**self.client_arguments(cls))
            except BaseException as exc:
                self.add("construct", class_name, exc)
                continue
            operations = list(self.operations(client, cls))
            if inspect.iscoroutinefunction(getattr(cls, "close", None)):
                asyncio.run(self.call_async(client, operations, expected, sampler))
            else:
                for where, method in operations:
                    self.call_sync(where, method, expected, sampler)
                client.close()

    def client_arguments(self, cls: Any) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "base_url": f"http://127.0.0.1:{self.port}",
            "max_retries": 0,
            "timeout": 5.0,
        }
        for param in inspect.signature(cls.__init__).parameters.values():
            if param.name != "self" and param.kind is param.POSITIONAL_OR_KEYWORD:
                arguments[param.name] = "dummy-key"  # every credential argument
        return arguments

    def operations(self, client: Any, cls: type) -> list[tuple[str, Callable[..., Any]]]:
        found: list[tuple[str, Callable[..., Any]]] = []
        for attr, value in vars(cls).items():
            if isinstance(value, functools.cached_property):
                resource = getattr(client, attr)
                for name, member in vars(type(resource)).items():
                    if inspect.isfunction(member) and not name.startswith("_"):
                        found.append((f"{cls.__name__}.{attr}.{name}", getattr(resource, name)))
            elif inspect.isfunction(value) and not attr.startswith("_") and attr not in ("close", "aclose"):
                found.append((f"{cls.__name__}.{attr}", getattr(client, attr)))
        return found[:MAX_CALLS_PER_PACKAGE]

    def call_sync(
        self, where: str, method: Callable[..., Any], expected: tuple[type[BaseException], ...], sampler: Sampler
    ) -> None:
        self.calls += 1
        try:
            args, kwargs = _arguments(method, sampler)
            result = method(*args, **kwargs)
        except expected:
            return
        except BaseException as exc:
            self.add("call", where, exc)
            return
        close = getattr(result, "close", None)
        if callable(close):
            close()
        self.problems.append(
            {
                "stage": "call",
                "where": where,
                "error": f"returned {type(result).__name__} from a closed port",
                "line": "",
            }
        )

    async def call_async(
        self,
        client: Any,
        operations: list[tuple[str, Callable[..., Any]]],
        expected: tuple[type[BaseException], ...],
        sampler: Sampler,
    ) -> None:
        for where, method in operations:
            self.calls += 1
            try:
                args, kwargs = _arguments(method, sampler)
                result = await method(*args, **kwargs)
            except expected:
                continue
            except BaseException as exc:
                self.add("call", where, exc)
                continue
            self.problems.append(
                {"stage": "call", "where": where, "error": f"returned {type(result).__name__}", "line": ""}
            )
        await client.close()

    # --- realtime ---------------------------------------------------------------------------------

    def check_realtime(self) -> None:
        runtime = importlib.import_module(self.package + "._runtime")
        models = _optional_module(self.package + ".models")
        expected: tuple[type[BaseException], ...] = (runtime.RealtimeError, pydantic.ValidationError)
        sampler = Sampler(models)
        for name in _module_names(self.root, self.package):
            relative = name[len(self.package) :].lstrip(".")
            if not relative or relative.split(".")[0] in ("_runtime", "models"):
                continue
            module = importlib.import_module(name)
            try:
                module.ServerMessage  # noqa: B018 - built on first access, like the decoder
            except BaseException as exc:
                self.add("import", f"{name}.ServerMessage", exc)
            for attr, cls in vars(module).items():
                if inspect.isclass(cls) and cls.__module__ == name and hasattr(cls, "from_client"):
                    self.connect(f"{relative}.{attr}", cls, runtime, expected, sampler)

    def connect(
        self,
        where: str,
        cls: type,
        runtime: types.ModuleType,
        expected: tuple[type[BaseException], ...],
        sampler: Sampler,
    ) -> None:
        self.calls += 1
        try:
            client = cls(
                "dummy-key",
                base_url=f"ws://127.0.0.1:{self.port}",
                reconnect=runtime.ReconnectPolicy(enabled=False),
                open_timeout=5,
            )
        except BaseException as exc:
            self.add("construct", where, exc)
            return
        try:
            args, kwargs = _arguments(client.connect, sampler)
            # A sync connect() opens the connection; an async one returns a connector opened by ``async with``.
            opened = client.connect(*args, **kwargs)
            if hasattr(opened, "__aenter__"):
                asyncio.run(_enter(opened))
            else:
                opened.close()
        except expected:
            return
        except BaseException as exc:
            self.add("connect", where, exc)
            return
        self.problems.append({"stage": "connect", "where": where, "error": "connected to a closed port", "line": ""})


async def _enter(connector: Any) -> None:
    async with connector:
        pass


def _optional_module(name: str) -> types.ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def main() -> None:
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    root = Path(request["output"])
    sys.path.insert(0, str(root))
    warnings.simplefilter("ignore")
    with Path(request["results"]).open("a", encoding="utf-8") as results:
        for entry in request["packages"]:
            check = PackageCheck(root, entry["package"], entry["kind"], int(request["port"]))
            try:
                line = check.run()
            except BaseException as exc:  # a broken package must not hide the others
                check.add("check", entry["package"], exc)
                line = {"package": entry["package"], "calls": check.calls, "problems": check.problems}
            results.write(json.dumps(line) + "\n")
            results.flush()


if __name__ == "__main__":
    main()
