"""Level-approval dossier: build the explanatory document, write it as HTML and DOCX."""

from __future__ import annotations

from .build import build_dossier, system_results
from .model import Dossier, Gap

__all__ = ["Dossier", "Gap", "build_dossier", "system_results"]
