"""Output formats, one module each, registered by name in ``FORMATS``."""

from __future__ import annotations

import importlib
import pkgutil

from .base import FORMATS, Format, RenderOptions

_SKIP = {"base", "document"}


def load_formats() -> dict[str, Format]:
    """Import every format module once so each registers itself."""

    for info in pkgutil.iter_modules(__path__):
        if info.name not in _SKIP and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return FORMATS


__all__ = ["FORMATS", "Format", "RenderOptions", "load_formats"]
