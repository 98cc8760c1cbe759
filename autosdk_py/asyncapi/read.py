"""The one front door for realtime input: AsyncAPI 2.x/3.0 or a Fern channel file -> a bound ``AsyncApiDocument``.

``generate``, ``check``, ``docs`` and ``mock`` all read realtime documents through :func:`read_realtime`,
so they see the same channels, directions, parameters and payloads and never disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..errors import SpecError
from ..loader import Document, load_document
from .bind import bind
from .spec import AsyncApiDocument

Perspective = Literal["client", "server"]
PERSPECTIVES = ("client", "server", "auto")


def read_realtime(doc: Document, perspective: Perspective | None = None) -> AsyncApiDocument:
    """Read ``doc`` (already loaded) into the version-independent form, bound for a client SDK.

    ``perspective`` is the application the document describes (``None``: its version's
    convention, see :func:`autosdk_py.asyncapi.parser.parse_asyncapi`).
    """
    if doc.version == "fern":
        from ..fern import parse_fern_document

        return bind(parse_fern_document(doc))
    from .parser import parse_asyncapi

    return bind(parse_asyncapi(doc, perspective))


def load_realtime(path: Path, perspective: Perspective | None = None) -> tuple[Document, AsyncApiDocument]:
    """Load the file at ``path`` (AsyncAPI or Fern) and read it with :func:`read_realtime`."""
    doc = load_document(path, expect="asyncapi")
    return doc, read_realtime(doc, perspective)


def perspective_option(text: str | None) -> Perspective | None:
    """The value of ``--asyncapi-perspective`` (``auto`` or nothing: the document's convention)."""
    lowered = (text or "auto").strip().lower()
    if lowered == "auto":
        return None
    if lowered in ("client", "server"):
        return lowered  # type: ignore[return-value]
    raise SpecError(
        f"--asyncapi-perspective takes client, server or auto, not {text!r}",
        hint="client: the document describes the client application; server: it describes the server",
    )
