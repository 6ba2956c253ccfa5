"""results.csv for spreadsheets: one row per finding, UTF-8 with a BOM (Excel then reads the
Vietnamese text right), CRLF line ends, headers and labels in the report language.

Cells are plain text: evidence values are JSON, cut at ``CELL_LIMIT`` characters (Excel's
cell limit is 32,767; the full value stays in results.json).  A cell that a spreadsheet would
take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) is prefixed with an
apostrophe: evidence comes from the scanned hosts and must never run as a formula.
"""

from __future__ import annotations

import csv
import io
import json

from .. import i18n
from ..i18n import N_
from .base import RenderOptions, register
from .document import Document
from .document import pick as _pick

BOM = "\ufeff"
CELL_LIMIT = 32000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: tuple[str, ...] = (
    N_("System"),
    N_("Host"),
    N_("Requirement ID"),
    N_("Requirement title"),
    N_("Layer"),
    N_("Severity"),
    N_("Check ID"),
    N_("Check title"),
    N_("Status"),
    N_("Result"),
    N_("Observed"),
    N_("Expected value"),
    N_("Source"),
    N_("Remediation"),
    N_("Waiver"),
)


def _cell(value: object) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT] + "\u2026"
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


@register("csv", "results.csv")
def render_csv(doc: Document, options: RenderOptions) -> str:
    """One CSV row per finding (spreadsheets, ticketing imports)."""

    lang = options.lang
    _ = i18n.gettext_for(lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_(c) for c in COLUMNS])
    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            for f in req.get("findings") or []:
                evidence = f.get("evidence") or {}
                waiver = f.get("waiver") or {}
                severity = str(f.get("severity") or req.get("severity") or "")
                writer.writerow([
                    _cell(system.get("name")),
                    _cell(f.get("host")),
                    _cell(req.get("id")),
                    _cell(_pick(req, "title", lang)),
                    _cell(req.get("layer")),
                    _cell(i18n.label(i18n.SEVERITY_LABELS, severity, lang)),
                    _cell(f.get("check")),
                    _cell(_pick(f, "check_title", lang)),
                    _cell(i18n.label(i18n.STATUS_LABELS, f.get("status"), lang)),
                    _cell(f.get("message")),
                    _cell(evidence.get("observed")),
                    _cell(evidence.get("expected")),
                    _cell(evidence.get("source")),
                    _cell(_pick(f, "remediation", lang)),
                    _cell(
                        f"{waiver.get('reason', '')} ({waiver.get('approver', '')}, "
                        f"{waiver.get('expires', '')})" if waiver else ""
                    ),
                ])
    return BOM + buf.getvalue()
