"""Renderer registry: one module per format registers itself here (no if-chains)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .document import Document


@dataclass(frozen=True)
class RenderOptions:
    """Options every renderer takes: language and evidence length."""

    lang: str = "vi"  # vi (default) or en
    evidence_limit: int = 400  # characters of evidence shown in HTML; JSON keeps all


# A renderer returns its whole text, or its chunks one by one (large runs: written as they
# come, never held whole).
RenderFunc = Callable[[Document, RenderOptions], str | Iterable[str]]


@dataclass(frozen=True)
class Format:
    """A registered output format: name, file name, render function."""

    name: str
    filename: str
    render: RenderFunc


FORMATS: dict[str, Format] = {}


def register(name: str, filename: str) -> Callable[[RenderFunc], RenderFunc]:
    """Register a render function as output format ``name``."""

    def decorate(func: RenderFunc) -> RenderFunc:
        FORMATS[name] = Format(name, filename, func)
        return func

    return decorate
