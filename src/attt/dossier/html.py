"""Printable, self-contained HTML of a dossier (reports/dossier.html, inline CSS, no script).

Autoescape is on (the template is ``*.html``); the Content-Security-Policy forbids every
load, as in the scan report.
"""

from __future__ import annotations

from ..render.html import environment
from .model import MISSING, Dossier, Fields, Para, Table

TEMPLATE = "dossier.html"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
      "form-action 'none'"


def render_dossier_html(dossier: Dossier) -> str:
    """The dossier as one self-contained HTML page."""

    template = environment(dossier.lang).get_template(TEMPLATE)
    return template.render(
        d=dossier, csp=CSP, missing=MISSING, lang=dossier.lang,
        is_para=lambda b: isinstance(b, Para),
        is_fields=lambda b: isinstance(b, Fields),
        is_table=lambda b: isinstance(b, Table),
    )
