"""Bundle an AsyncAPI document and the files its ``$ref``s point to into one self-contained dict.

* Local ``$ref``s of the root document are kept; each must resolve (all dangling ones are reported
  at once, with the pointer of the ``$ref``, its line and a did-you-mean hint).
* A ``$ref`` to another file (``./common.yaml#/components/schemas/X``, ``other.json``, relative
  to the file that holds the ``$ref``, JSON or YAML, possibly chained) is resolved when that file lies
  in the root document's folder tree (``ref_roots``: no absolute path, ``file:`` URL, ``..`` or
  symbolic link out of it; ``--allow-ref-root`` widens it), and:

  - when it points at a schema (its fragment is ``/components/schemas/X``, or it sits where a
    schema is expected: a payload, headers, a parameter ``schema``, a ws binding ``query``, inside
    another schema) the schema is copied once into ``components.schemas`` under its own name (a
    numeric suffix when the name is taken) and the ``$ref`` is rewritten to ``#/components/schemas/..``;
  - when it points at another component (``/components/messages/M``, ``parameters``, ...) the object
    is copied into the same section of the root's ``components`` in the same way, so operations can
    still refer to the very same message;
  - anything else (a channel, a message inside another file's channel, ...) is inlined.

  Local ``$ref``s inside another file are references to that file and follow the same rules. A root
  ``components.<section>.<Name>`` that is nothing but a ``$ref`` to another file's object is replaced
  by that object (no ``Name`` + ``Name2`` pair).
* Remote ``$ref``s (``https://...``, ``urn:...``, ``//host/...``) are never fetched (no network access):
  each is replaced by ``{}`` (any value; its sibling keywords are kept), with a warning naming the URL
  and the pointer where it is written, so nothing after the bundler (the parser, the validation rules,
  the model generator, which would try to fetch it and abort) ever sees one.
* Local ``$ref``s are read as RFC 6901 JSON pointers in a URI fragment (percent-decoding, then ``~1``
  and ``~0``). Documents exported from other tools often write keys that hold ``/`` unescaped
  (``#/components/messages/chat/userMessage`` for the key ``chat/userMessage``) or percent-encoded
  (``chat%2FuserMessage``): when the strict reading finds nothing, such a ``$ref`` resolves to the key
  it can only mean and is rewritten to its canonical form (``#/components/messages/chat~1userMessage``),
  so the parser, the validation rules and the model generator all read it the same way.
* Reference cycles end: copied components get their name before their content is walked; a cycle
  through inlined objects is an error.

The input dict is never mutated.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import SpecError, SpecErrors, escape_pointer_token, json_pointer
from ..loader import Document, _ref_hint, line_of, parse_text, read_text, ref_hinter
from ..ref_roots import RefRefused, RefRoots
from ..schema.pointer import decoded_fragment, lookup, split_pointer
from ..schema.refs import ref_tokens as pointer_tokens
from ..schema.refs import resolve_lenient

# components sections whose entries are copied (not inlined) when another file's entry is referenced
COMPONENT_SECTIONS = frozenset(
    {
        "schemas",
        "servers",
        "channels",
        "operations",
        "messages",
        "securitySchemes",
        "serverVariables",
        "parameters",
        "correlationIds",
        "replies",
        "replyAddresses",
        "externalDocs",
        "tags",
        "operationTraits",
        "messageTraits",
        "serverBindings",
        "channelBindings",
        "operationBindings",
        "messageBindings",
    }
)
# keys whose value is a JSON schema (unless the key is a user-chosen name inside one of _NAME_MAPS)
_SCHEMA_KEYS = frozenset({"payload", "headers", "schema"})
# objects whose keys are names chosen by the author, not keywords
_NAME_MAPS = frozenset(
    {
        "channels",
        "operations",
        "servers",
        "messages",
        "parameters",
        "schemas",
        "securitySchemes",
        "variables",
        "serverVariables",
        "messageTraits",
        "operationTraits",
        "correlationIds",
        "replies",
        "replyAddresses",
        "bindings",
        "serverBindings",
        "channelBindings",
        "operationBindings",
        "messageBindings",
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
    }
)
_REMOTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]+:|//)")  # http:, https:, urn:, //host (not C:\)
_FILE_URL = re.compile(r"^file:", re.IGNORECASE)  # a local file: confined like a path (refused)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_SCHEMA_WORDS = frozenset({"items", "additionalProperties", "not", "allOf", "anyOf", "oneOf", "query"})


@dataclass(frozen=True)
class Bundle:
    """The bundled document and where its copied parts came from (for error messages)."""

    data: dict[str, Any]
    warnings: tuple[str, ...] = ()
    # bundled pointer -> (file, pointer in that file) for every object copied from another file
    origins: dict[str, tuple[Path, str]] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)  # the text of every file read
    # bundled pointer -> URL of every remote $ref replaced by {} (a reader skips such an object, not errs on it)
    remote: dict[str, str] = field(default_factory=dict)

    def locate(self, pointer: str) -> tuple[Path, str] | None:
        """The file and pointer a bundled pointer came from, when it lies in copied content."""
        best = ""
        for prefix in self.origins:
            if (pointer == prefix or pointer.startswith(prefix + "/")) and len(prefix) > len(best):
                best = prefix
        if not best:
            return None
        file, inner = self.origins[best]
        return file, inner + pointer[len(best) :]

    def error(self, doc: Document, message: str, pointer: str, hint: str | None = None) -> SpecError:
        """A ``SpecError`` at a bundled pointer, reported in the file (and at the line) it came from."""
        where = self.locate(pointer)
        if where is None:
            return doc.error(message, pointer, hint)
        file, inner = where
        text = self.texts.get(file)
        return SpecError(message, file=file, pointer=inner, line=line_of(text, inner) if text else None, hint=hint)


def bundle_document(doc: Document) -> Bundle:
    """One self-contained dict for ``doc`` (see the module docstring); ``SpecError(s)`` on bad refs."""
    return _Bundler(doc).run()


def is_schema_path(tokens: list[str]) -> bool:
    """Whether the value at these pointer tokens is (inside) a JSON schema, judged by position."""
    return any(_starts_schema(tokens[: i + 1]) for i in range(len(tokens)))


def _starts_schema(tokens: list[str]) -> bool:
    last = tokens[-1]
    parent = tokens[-2] if len(tokens) > 1 else None
    if len(tokens) >= 3 and tokens[-3] == "components" and parent == "schemas":
        return True
    if len(tokens) == 2 and parent in ("definitions", "$defs"):  # a plain JSON schema file
        return True
    if last in _SCHEMA_KEYS and parent not in _NAME_MAPS:
        return True
    return last == "query" and parent == "ws"  # bindings.ws.query


def _missing(data: Any, tokens: list[str]) -> bool:
    try:
        resolve_lenient(data, tokens)
    except KeyError:
        return True
    return False


def _node_at(data: Any, pointer: str) -> Any:
    """The value at a pointer of the bundled output (no ``$ref`` followed); None when absent."""
    try:
        return lookup(data, pointer)
    except KeyError:
        return None


@dataclass
class _Loaded:
    data: Any
    text: str
    shown: Path  # the path as shown in messages (relative when the user's path was)


class _Bundler:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.root = doc.path.resolve()
        given = doc.path.parent
        self.roots = RefRoots.around(given if given.resolve() == self.root.parent else self.root.parent)
        self.files: dict[Path, _Loaded] = {self.root: _Loaded(doc.data, doc.text, doc.path)}
        self.errors: list[SpecError] = []
        self.warnings: list[str] = []
        self.origins: dict[str, tuple[Path, str]] = {}
        self.remote: dict[str, str] = {}
        self.names: dict[tuple[Path, str], tuple[str, str]] = {}  # (file, fragment) -> (section, name)
        self.copied: dict[str, dict[str, Any]] = {}  # section -> name -> content, in discovery order
        self.taken: dict[str, set[str]] = {}
        self.aliases: set[tuple[str, str]] = set()  # root (section, name) entries that are a bare external $ref
        self.inlining: list[tuple[Path, str]] = []
        self.active: set[int] = set()  # ids of the containers being walked (recursive YAML aliases)
        self.local_refs: list[tuple[str, str]] = []  # (pointer of the holder, ref) of the root's local refs
        components = doc.data.get("components")
        if isinstance(components, dict):
            for section, entries in components.items():
                if isinstance(entries, dict):
                    self.taken[section] = set(entries)
            self._register_aliases(components)

    # --- driver ----------------------------------------------------------------------------

    def run(self) -> Bundle:
        data = self.walk(self.doc.data, self.root, [], "", False)
        assert isinstance(data, dict)
        if self.copied:
            components = data.setdefault("components", {})
            if isinstance(components, dict):
                for section, entries in self.copied.items():
                    target = components.setdefault(section, {})
                    if isinstance(target, dict):
                        for name, content in entries.items():
                            target.setdefault(name, content)  # alias slots already hold their content
        hint_for = ref_hinter(self.doc.data)
        for where, ref in self.local_refs:
            tokens = pointer_tokens(data, ref[1:])
            if tokens is not None:
                canonical = "#" + json_pointer(*tokens)
                if canonical != ref:  # written loosely ('/' unescaped, percent-encoded): one form downstream
                    holder = _node_at(data, where)
                    if isinstance(holder, dict):
                        holder["$ref"] = canonical
            else:
                self.errors.append(
                    self.doc.error(
                        f"dangling $ref: {ref!r} points to nothing in this document",
                        where + "/$ref",
                        hint=hint_for(unquote(ref[1:])),
                    )
                )
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise SpecErrors(self.errors)
        texts = {path: loaded.text for path, loaded in self.files.items()}
        origins = {k: (self.files[f].shown, p) for k, (f, p) in self.origins.items()}
        shown_texts = {self.files[path].shown: text for path, text in texts.items()}
        return Bundle(
            data=data, warnings=tuple(self.warnings), origins=origins, texts=shown_texts, remote=dict(self.remote)
        )

    def _register_aliases(self, components: dict[str, Any]) -> None:
        for section, entries in components.items():
            if section not in COMPONENT_SECTIONS or not isinstance(entries, dict):
                continue
            for name, value in entries.items():
                if not (isinstance(value, dict) and set(value) == {"$ref"} and isinstance(value["$ref"], str)):
                    continue
                ref = value["$ref"]
                path_part, _, fragment = ref.partition("#")
                if not path_part or _is_remote(ref):
                    continue
                try:
                    key = (self.roots.resolve(unquote(path_part), self.root.parent), decoded_fragment(fragment))
                except RefRefused:
                    continue  # reported where the walk meets it
                if key[0] != self.root and key not in self.names:
                    self.names[key] = (section, name)
                    self.aliases.add((section, name))

    # --- walking ---------------------------------------------------------------------------

    def walk(self, node: Any, file: Path, tokens: list[str], out: str, schema: bool) -> Any:
        if not isinstance(node, (dict, list)):
            return node
        if id(node) in self.active:  # a YAML anchor that contains its own alias
            self.errors.append(
                SpecError(
                    "the YAML refers to itself (an anchor that contains its own alias)",
                    file=self.files[file].shown,
                    pointer=json_pointer(*tokens),
                    line=line_of(self.files[file].text, json_pointer(*tokens)),
                    hint="replace the recursive alias with a $ref",
                )
            )
            return None
        self.active.add(id(node))
        try:
            return self._walk(node, file, tokens, out, schema)
        finally:
            self.active.discard(id(node))

    def _walk(self, node: Any, file: Path, tokens: list[str], out: str, schema: bool) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self.reference(node, ref, file, tokens, out, schema)
            result: dict[str, Any] = {}
            for key, value in node.items():
                sub = [*tokens, str(key)]
                where = f"{out}/{escape_pointer_token(key)}"
                if file == self.root and len(sub) == 3 and sub[0] == "components" and (sub[1], sub[2]) in self.aliases:
                    result[key] = self.alias(value["$ref"], sub, where)
                else:
                    result[key] = self.walk(value, file, sub, where, schema or _starts_schema(sub))
            return result
        if isinstance(node, list):
            return [
                self.walk(value, file, [*tokens, str(i)], f"{out}/{i}", schema or _starts_schema([*tokens, str(i)]))
                for i, value in enumerate(node)
            ]
        return node

    def reference(self, node: dict[str, Any], ref: str, file: Path, tokens: list[str], out: str, schema: bool) -> Any:
        siblings = {
            k: self.walk(v, file, [*tokens, k], f"{out}/{escape_pointer_token(k)}", schema)
            for k, v in node.items()
            if k != "$ref"
        }
        if _is_remote(ref):
            # Replaced everywhere, not only where a schema is expected: a remote $ref left anywhere would
            # reach the model generator (which refuses to fetch it and aborts the whole run) or the parser.
            self.warnings.append(
                f"{self.files[file].shown}: remote $ref {ref!r} at {json_pointer(*tokens) or '/'} is not resolved "
                "(no network access); that part of the document stays untyped"
            )
            self.remote[out] = ref
            return dict(siblings)
        path_part, _, fragment = ref.partition("#")
        fragment = decoded_fragment(fragment)
        if not path_part and file == self.root:
            self.local_refs.append((out, ref))
            return {"$ref": ref, **siblings}
        resolved = self.resolve(ref, file, tokens)
        if resolved is None:
            return {"$ref": ref, **siblings}
        target_file, target_tokens, target = resolved
        if target_file == self.root:  # another file refers back into the root document
            return {"$ref": "#" + json_pointer(*target_tokens), **siblings}
        section = _component_section(target_tokens)
        if section is None and (schema or is_schema_path(target_tokens)):
            section = "schemas"
        if section is not None:
            name = self.copy(section, target_file, target_tokens, target)
            return {"$ref": f"#/components/{escape_pointer_token(section)}/{escape_pointer_token(name)}", **siblings}
        key = (target_file, json_pointer(*target_tokens))
        if key in self.inlining:
            self.errors.append(
                self.error_at(
                    file,
                    tokens,
                    f"reference cycle: {ref!r} leads back to itself through objects that must be inlined",
                    "break the cycle, or move the object into components so it can be referenced",
                )
            )
            return {"$ref": ref, **siblings}
        self.inlining.append(key)
        try:
            content = self.walk(target, target_file, target_tokens, out, is_schema_path(target_tokens))
        finally:
            self.inlining.pop()
        self.origins[out] = key
        return content

    def alias(self, ref: str, tokens: list[str], out: str) -> Any:
        """A root ``components.<section>.<name>`` that is a bare ``$ref`` to another file: its content."""
        resolved = self.resolve(ref, self.root, tokens)
        if resolved is None:
            return {"$ref": ref}
        target_file, target_tokens, target = resolved
        key = (target_file, json_pointer(*target_tokens))
        self.inlining.append(key)
        try:
            content = self.walk(target, target_file, target_tokens, out, tokens[1] == "schemas")
        finally:
            self.inlining.pop()
        self.origins[out] = key
        return content

    def copy(self, section: str, file: Path, tokens: list[str], target: Any) -> str:
        key = (file, json_pointer(*tokens))
        known = self.names.get(key)
        if known is not None and known[0] == section:
            return known[1]
        base = _copy_name(tokens, file, section)
        taken = self.taken.setdefault(section, set())
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}{n}"
        taken.add(name)
        self.names[key] = (section, name)
        entries = self.copied.setdefault(section, {})
        entries[name] = None  # reserve the slot (document order) before walking: cycles end here
        out = f"/components/{escape_pointer_token(section)}/{escape_pointer_token(name)}"
        entries[name] = self.walk(target, file, tokens, out, section == "schemas" or is_schema_path(tokens))
        self.origins[out] = key
        return name

    # --- resolving -------------------------------------------------------------------------

    def resolve(self, ref: str, file: Path, tokens: list[str]) -> tuple[Path, list[str], Any] | None:
        """(file, pointer tokens, value) of a non-remote ``$ref`` found in ``file`` at ``tokens``."""
        path_part, _, fragment = ref.partition("#")
        fragment = decoded_fragment(fragment)
        target_file = file
        if path_part:
            try:
                target_file = self.roots.resolve(unquote(path_part), file.parent)
            except RefRefused as refused:
                self.errors.append(
                    self.error_at(file, tokens, f"$ref {ref!r} is refused: {refused}", self.roots.hint())
                )
                return None
        loaded = self.load(target_file, ref, file, tokens, path_part)
        if loaded is None:
            return None
        try:
            target_tokens = split_pointer(fragment)
            if _missing(loaded.data, target_tokens):
                target_tokens = pointer_tokens(loaded.data, ref.partition("#")[2]) or target_tokens
        except ValueError:
            self.errors.append(
                self.error_at(
                    file,
                    tokens,
                    f"$ref {ref!r}: the part after '#' is not a JSON pointer",
                    "write the fragment as a JSON pointer such as '#/components/schemas/Name'",
                )
            )
            return None
        try:
            target = resolve_lenient(loaded.data, target_tokens)
        except KeyError:
            where = "this document" if target_file == file else str(loaded.shown)
            self.errors.append(
                self.error_at(
                    file,
                    tokens,
                    f"dangling $ref: {ref!r} points to nothing in {where}",
                    _dangling_hint(loaded.data, target_tokens, path_part),
                )
            )
            return None
        return target_file, target_tokens, target

    def load(self, path: Path, ref: str, file: Path, tokens: list[str], path_part: str) -> _Loaded | None:
        loaded = self.files.get(path)
        if loaded is not None:
            return loaded
        shown = Path(os.path.normpath(self.files[file].shown.parent / unquote(path_part)))
        if not path.is_file():
            self.errors.append(
                self.error_at(
                    file, tokens, f"$ref {ref!r} points to a missing file: {shown}", _file_hint(path, path_part, file)
                )
            )
            return None
        try:
            text = read_text(path)
            data = parse_text(text, shown)
        except SpecError as exc:
            self.errors.append(exc)
            return None
        loaded = _Loaded(data, text, shown)
        self.files[path] = loaded
        return loaded

    def error_at(self, file: Path, tokens: list[str], message: str, hint: str) -> SpecError:
        pointer = json_pointer(*tokens, "$ref")
        loaded = self.files[file]
        if file == self.root:
            return self.doc.error(message, pointer, hint)
        return SpecError(message, file=loaded.shown, pointer=pointer, line=line_of(loaded.text, pointer), hint=hint)


def _is_remote(ref: str) -> bool:
    return bool(_REMOTE.match(ref)) and not _FILE_URL.match(ref)


def _copy_name(tokens: list[str], file: Path, section: str) -> str:
    """``X`` for ``/components/schemas/X``; ``M_payload`` for ``/components/messages/M/payload``; the stem for a file."""
    parts: list[str] = []
    for token in reversed(tokens):
        parts.insert(0, token)
        if not (token in _SCHEMA_KEYS or token.isdigit() or token in _SCHEMA_WORDS):
            break
    base = "_".join(parts) if parts else file.stem
    return _UNSAFE_NAME.sub("_", base).strip("_") or section.rstrip("s")


def _component_section(tokens: list[str]) -> str | None:
    if len(tokens) == 3 and tokens[0] == "components" and tokens[1] in COMPONENT_SECTIONS:
        return tokens[1]
    return None


def _dangling_hint(data: Any, tokens: list[str], path_part: str) -> str:
    if not path_part:
        return _ref_hint(data, json_pointer(*tokens)) if isinstance(data, dict) else "correct the reference"
    if len(tokens) >= 1:
        try:
            parent = resolve_lenient(data, tokens[:-1])
        except KeyError:
            parent = None
        if isinstance(parent, dict):
            close = difflib.get_close_matches(tokens[-1], [str(k) for k in parent], n=3)
            if close:
                return (
                    "did you mean "
                    + " or ".join(repr(path_part + "#" + json_pointer(*tokens[:-1], c)) for c in close)
                    + "?"
                )
    return f"define the target in {path_part} or correct the reference"


def _file_hint(path: Path, path_part: str, referrer: Path) -> str:
    folder = path.parent
    if folder.is_dir():
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        close = difflib.get_close_matches(path.name, names, n=3)
        if close:
            prefix = path_part[: len(path_part) - len(unquote(path_part).split("/")[-1])]
            return "did you mean " + " or ".join(repr(prefix + c) for c in close) + "?"
    return f"the path is relative to the file that holds the $ref ({referrer.name}); check the file name"
