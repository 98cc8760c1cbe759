"""Every naming rule of the generator: identifiers, keywords, casing, collisions, package names.

Kept in one module so that the spec parsers, the model generator and the templates agree on
what a name becomes; nothing else in the code base invents identifiers.
"""

from __future__ import annotations

import hashlib
import keyword
import re
import unicodedata
from typing import TypeVar

from .pytext import Identifier

S = TypeVar("S", bound=str)

# Names that would shadow something a generated module or class relies on. Builtins used as
# parameter names are legal but make generated bodies confusing (``type``, ``id`` and ``format``
# are common in specs and are allowed; only those that break generated code are reserved).
RESERVED_PARAMETER_NAMES = frozenset(
    {
        "self",
        "cls",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "request",
        # module-level names the generated method bodies call
        "cast",
        "build_model",
        "warnings",
    }
)

_CAMEL_BOUNDARY_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """Split ``createChatCompletion``, ``text_to_speech``, ``GET /v1/{id}`` into lower-case words."""
    text = _ascii(text)
    text = _CAMEL_BOUNDARY_1.sub(r"\1 \2", text)
    text = _CAMEL_BOUNDARY_2.sub(r"\1 \2", text)
    return [w.lower() for w in _NON_WORD.split(text) if w]


def snake_case(text: str) -> Identifier:
    """A valid, non-keyword snake_case identifier for ``text`` (``_`` prefix for leading digits)."""
    name = "_".join(words(text)) or "value"
    return safe_identifier(name)


def pascal_case(text: str) -> Identifier:
    """A valid PascalCase class name; keeps existing inner capitals (``APIKey`` stays ``APIKey``)."""
    parts = [w for w in _NON_WORD.split(_ascii(text)) if w]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    return safe_identifier(name)


def safe_identifier(name: str) -> Identifier:
    """Make ``name`` a legal Python identifier that is not a keyword and not mangled in a class body.

    A leading ``__`` would be name-mangled inside a class (``client.__x`` could not be called) and a
    dunder could override a special method, so leading underscores are cut to one.
    """
    name = re.sub(r"\W", "_", _ascii(name))
    if name.startswith("__"):
        name = "_" + name.lstrip("_")
    if not name:
        name = "_"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in {"None", "True", "False"}:
        name += "_"
    return Identifier(name)


def identifier(name: str) -> Identifier:
    """``name`` as an :class:`Identifier` when it already is a valid one (a class or attribute name read
    from the generated models, a name made here and extended with a fixed suffix); ``ValueError`` otherwise.

    Non-ASCII identifiers are legal Python, and the models may hold one (a property named ``Grüße``);
    Python reads them NFKC-normalized, so they are returned normalized, as the attribute really is named.
    """
    normalized = unicodedata.normalize("NFKC", name)
    if not normalized.isidentifier() or keyword.iskeyword(normalized) or normalized.startswith("__"):
        raise ValueError(f"not a safe Python identifier: {name!r}")
    return Identifier(normalized)


# File systems take at most 255 bytes per name; module names (one file each) stay well below it.
MAX_MODULE_NAME = 100


def module_name(name: Identifier) -> Identifier:
    """``name`` as a module (file) name: cut, with a stable hash of the whole to keep it unique, when long."""
    if len(name.encode("utf-8")) <= MAX_MODULE_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    head = name.encode("utf-8")[: MAX_MODULE_NAME - 11].decode("utf-8", "ignore").rstrip("_")
    return Identifier(f"{head}_{digest}")


def module_path(text: str) -> Identifier:
    """A dotted module path (``x.models``) whose every part is a safe identifier; ``ValueError`` otherwise."""
    for part in text.split("."):
        identifier(part)
    return Identifier(text)


def parameter_name(text: str) -> Identifier:
    """A keyword-argument name for a spec parameter or body field."""
    name = snake_case(text)
    if name in RESERVED_PARAMETER_NAMES:
        return Identifier(name + "_")
    return name


def unique(name: S, taken: set[str]) -> S:
    """Return ``name`` or ``name_2``, ``name_3``... whichever is not in ``taken``; records it.

    The result has the type of ``name``: an :class:`Identifier` stays one (a suffix keeps it valid).
    """
    candidate, n = name, 2
    while candidate in taken:
        candidate = type(name)(f"{name}_{n}")
        n += 1
    taken.add(candidate)
    return candidate


def unique_class_name(name: S, taken: set[str]) -> S:
    candidate, n = name, 2
    while candidate in taken:
        candidate = type(name)(f"{name}{n}")
        n += 1
    taken.add(candidate)
    return candidate


_PACKAGE_PART = re.compile(r"^[a-z_][a-z0-9_]*$")


def package_name(namespace: str) -> tuple[Identifier, bool]:
    """Map an AutoSDK namespace (``tryAGI.OpenAI``) to a PEP 8 dotted package (``tryagi.openai``).

    Returns the package name and whether it differs from the input (so the CLI can say so).
    Raises ``ValueError`` with a reason when no valid package name can be made.
    """
    raw_parts = namespace.strip().split(".")
    if not namespace.strip() or any(not p.strip() for p in raw_parts):
        raise ValueError("it must be a dotted package path such as 'x' or 'acme.api' with no empty parts")
    parts = []
    for raw in raw_parts:
        part = _NON_WORD.sub("_", _ascii(raw).strip()).strip("_").lower()
        if not part:
            raise ValueError(f"the part {raw!r} holds no letters or digits")
        if part[0].isdigit():
            raise ValueError(f"the part {raw!r} starts with a digit, which no Python package may")
        if keyword.iskeyword(part):
            part += "_"
        parts.append(part)
    result = Identifier(".".join(parts))
    assert all(_PACKAGE_PART.match(p) for p in parts)
    return result, result != namespace


def namespace_from_title(title: str) -> Identifier:
    """Derive a package name from ``info.title`` (``OpenAI API`` -> ``openai_api``)."""
    name = "_".join(words(title)) or "api"
    if name[0].isdigit():
        name = "api_" + name
    if keyword.iskeyword(name):
        name += "_"
    return Identifier(name)


# Trailing title words that describe the document rather than name the API.
_TITLE_NOISE = frozenset({"api", "apis", "documentation", "docs", "reference", "spec", "specification", "rest"})


def _strip_title_noise(parts: list[str]) -> list[str]:
    while len(parts) > 1 and parts[-1].lower() in _TITLE_NOISE:
        parts = parts[:-1]
    return parts


def client_class_name(title: str) -> Identifier:
    """``OpenAI API`` -> ``OpenAIClient``; ``ElevenLabs API Documentation`` -> ``ElevenLabsClient``."""
    parts = _strip_title_noise([w for w in _NON_WORD.split(_ascii(title)) if w])
    base = "".join(p[:1].upper() + p[1:] for p in parts) or "Api"
    if base[0].isdigit():
        base = "Api" + base
    return safe_identifier(base + "Client")


def env_var_prefix(title: str) -> str:
    """``OpenAI API`` -> ``OPENAI`` (used for ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``)."""
    # Split on spaces and punctuation only: ``OpenAI`` -> OPENAI, as the official SDKs name it.
    parts = _strip_title_noise([w for w in _NON_WORD.split(_ascii(title)) if w])
    return "_".join(parts).upper() or "API"


# Words after which a realtime document's title stops naming the API ("ElevenLabs Realtime Speech-to-Text").
_REALTIME_WORDS = frozenset({"realtime", "real", "websocket", "websockets", "ws", "streaming", "live"})


def realtime_env_prefix(title: str) -> str:
    """``ElevenLabs Realtime Speech-to-Text`` -> ``ELEVENLABS``; ``OpenAI Realtime API`` -> ``OPENAI``."""
    parts = [w for w in _NON_WORD.split(_ascii(title)) if w]
    for index, part in enumerate(parts):
        if part.lower() in _REALTIME_WORDS and index > 0:
            parts = parts[:index]
            break
    return env_var_prefix(" ".join(parts))
