"""The Jinja2 environment shared by every pass: where templates live and the few filters they use."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2


def templates_dir() -> Path:
    """Installed wheels carry the templates inside the package; a source checkout has them at the top."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def _oneline(text: object) -> str:
    return " ".join(str(text or "").split()).replace('"""', "'''").replace("\\", "\\\\")


def _pyrepr(value: Any) -> str:
    return repr(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["oneline"] = _oneline
    env.filters["pyrepr"] = _pyrepr
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
