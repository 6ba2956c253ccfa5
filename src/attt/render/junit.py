"""JUnit XML for CI: one test suite per system, one test case per requirement and host;
messages and status labels in the report language."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from .. import i18n
from ..messages import pick
from .base import RenderOptions, register
from .document import Document


def _case(suite: ET.Element, sys_name: str, req: dict[str, Any], lang: str) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    title = req["title_vi"] if lang == "vi" else req["title_en"]
    findings = req["findings"] or [None]
    for f in findings:
        host = f["host"] if f else "-"
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{sys_name}.{host}",
            name=f"{req['id']} {f['check'] if f else ''}: {title}".replace("  ", " "),
        )
        counts["tests"] += 1
        status = f["status"] if f else req["status"]
        message = pick(f, "message", lang) if f else pick(req, "reason", lang)
        detail = json.dumps(f["evidence"], ensure_ascii=False) if f else ""
        if status == "fail":
            ET.SubElement(case, "failure", message=message, type="fail").text = detail
            counts["failures"] += 1
        elif status == "error":
            ET.SubElement(case, "error", message=message, type="error").text = detail
            counts["errors"] += 1
        elif status in ("not_applicable", "waived", "manual"):
            label = i18n.label(i18n.STATUS_LABELS, status, lang)
            ET.SubElement(case, "skipped", message=f"{label}: {message}")
            counts["skipped"] += 1
    return counts


@register("junit", "junit.xml")
def render_junit(doc: Document, options: RenderOptions) -> str:
    """One JUnit test case per requirement and host, for CI dashboards."""

    root = ET.Element("testsuites", name="attt")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for system in doc["systems"]:
        suite = ET.SubElement(
            root, "testsuite", name=f"{system['name']} ({system['profile']['id']})"
        )
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for req in system["requirements"]:
            for k, v in _case(suite, system["name"], req, options.lang).items():
                counts[k] += v
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
