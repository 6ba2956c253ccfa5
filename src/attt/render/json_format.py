"""results.json: the results document verbatim (complete evidence, never truncated)."""

from __future__ import annotations

import json

from ..messages import plain
from .base import RenderOptions, register
from .document import Document


@register("json", "results.json")
def render_json(doc: Document, options: RenderOptions) -> str:
    """The results document as JSON."""

    return json.dumps(plain(doc), ensure_ascii=False, indent=1, sort_keys=False) + "\n"
