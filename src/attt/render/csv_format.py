"""results.csv for spreadsheets, the officer's to-do list: one row per host finding and one
per document not yet accepted (missing, out of date, not attested), UTF-8 with a BOM (Excel
then reads the Vietnamese text right), CRLF line ends, headers, labels and messages in the
report language.  The last column says which kind of row it is.

Cells are plain text: evidence values are JSON, cut at ``CELL_LIMIT`` characters (Excel's
cell limit is 32,767; the full value stays in results.json).  A cell that a spreadsheet would
take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) is prefixed with an
apostrophe: evidence comes from the scanned hosts and must never run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from .. import i18n
from ..i18n import N_
from ..messages import pick
from .base import RenderOptions, register
from .document import Document, as_document, iter_findings
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
    N_("Row kind"),
)
KIND_FINDING = N_("Host check")
KIND_DOCUMENT = N_("Document")
# Documents that need no action: accepted, or their requirement does not apply or is waived.
_DONE = ("pass", "not_applicable", "waived")


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


def _finding_row(system: Mapping[str, Any], req: Mapping[str, Any], f: Mapping[str, Any],
                 lang: str) -> list[str]:
    evidence = f.get("evidence") or {}
    waiver = f.get("waiver") or {}
    severity = str(f.get("severity") or req.get("severity") or "")
    return [
        _cell(system.get("name")),
        _cell(f.get("host")),
        _cell(req.get("id")),
        _cell(_pick(req, "title", lang)),
        _cell(req.get("layer")),
        _cell(i18n.label(i18n.SEVERITY_LABELS, severity, lang)),
        _cell(f.get("check")),
        _cell(_pick(f, "check_title", lang)),
        _cell(i18n.label(i18n.STATUS_LABELS, f.get("status"), lang)),
        _cell(pick(f, "message", lang)),
        _cell(evidence.get("observed")),
        _cell(evidence.get("expected")),
        _cell(evidence.get("source")),
        _cell(_pick(f, "remediation", lang)),
        _cell(
            f"{waiver.get('reason', '')} ({waiver.get('approver', '')}, "
            f"{waiver.get('expires', '')})" if waiver else ""
        ),
        _cell(i18n.gettext_for(lang)(KIND_FINDING)),
    ]


def _document_row(system: Mapping[str, Any], req: Mapping[str, Any], d: Mapping[str, Any],
                  lang: str) -> list[str]:
    """A document to provide or renew: no host; its key and title in the check columns, the
    file offered (if any) as the source."""

    given = d.get("document") or {}
    severity = str(req.get("severity") or "")
    return [
        _cell(system.get("name")),
        "",
        _cell(req.get("id")),
        _cell(_pick(req, "title", lang)),
        _cell(req.get("layer")),
        _cell(i18n.label(i18n.SEVERITY_LABELS, severity, lang)),
        _cell(d.get("key")),
        _cell(_pick(d, "title", lang)),
        _cell(i18n.label(i18n.STATUS_LABELS, d.get("status"), lang)),
        _cell(pick(d, "message", lang)),
        _cell(given.get("title") or ""),
        "",
        _cell(given.get("file") or ""),
        "",
        "",
        _cell(i18n.gettext_for(lang)(KIND_DOCUMENT)),
    ]


def rows(doc: Document, lang: str) -> Iterator[list[str]]:
    """Every host finding (one host at a time), then the documents still to provide,
    requirement by requirement."""

    reqs = {(str(s.get("name")), str(r.get("id"))): (s, r)
            for s in doc.get("systems") or [] for r in s.get("requirements") or []}
    for f in iter_findings(doc):
        found = reqs.get((str(f.get("system")), str(f.get("requirement"))))
        if found is not None:
            yield _finding_row(found[0], found[1], f, lang)
    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            if req.get("status") in _DONE:
                continue
            for d in req.get("documents") or []:
                if d.get("status") not in _DONE:
                    yield _document_row(system, req, d, lang)


@register("csv", "results.csv")
def render_csv(doc: Document, options: RenderOptions) -> Iterator[str]:
    """The to-do list as CSV (spreadsheets, ticketing imports), row by row."""

    doc = as_document(doc)  # a plain mapping (older file, tests) is converted once

    lang = options.lang
    _ = i18n.gettext_for(lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_(c) for c in COLUMNS])
    yield BOM + buf.getvalue()
    for row in rows(doc, lang):
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        yield buf.getvalue()
