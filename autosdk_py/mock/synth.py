"""The mock's payload synthesizer: it lives in ``autosdk_py.schema.examples`` (shared with the docs)."""

from __future__ import annotations

from ..schema.examples import VARIANTS, Synthesizer, Unviable, Variant, candidates, declared_schema

__all__ = ["VARIANTS", "Synthesizer", "Unviable", "Variant", "candidates", "declared_schema"]
