"""Binding a read realtime document for a client SDK: what the client connects to and what it exchanges."""

from __future__ import annotations

from .spec import AsyncApiDocument


def bind(api: AsyncApiDocument) -> AsyncApiDocument:
    """``api`` as the client sees it (one connection per socket)."""
    return api
