"""Printable, self-contained HTML of a dossier (reports/dossier.html, inline CSS, no script).

Autoescape is on (the template is ``*.html``); the Content-Security-Policy forbids every
load, as in the scan report.
"""

from __future__ import annotations

import functools
import importlib.resources

import jinja2

from .. import i18n
from .model import MISSING, Dossier, Fields, Para, Table

TEMPLATE = "dossier.html"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
      "form-action 'none'"


def _load(name: str) -> str | None:
    resource = importlib.resources.files("attt.reports").joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


@functools.cache
def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_dossier_html(dossier: Dossier) -> str:
    template = _environment(dossier.lang).get_template(TEMPLATE)
    return template.render(
        d=dossier, csp=CSP, missing=MISSING, lang=dossier.lang,
        is_para=lambda b: isinstance(b, Para),
        is_fields=lambda b: isinstance(b, Fields),
        is_table=lambda b: isinstance(b, Table),
    )
