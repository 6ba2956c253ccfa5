"""JUnit XML for CI: one test suite per system, one test case per requirement, check and
host; messages and status labels in the report language.

Written as a stream (issue 12): a first pass over the findings counts each suite's cases
(JUnit puts the totals in the opening tags), a second writes them one host at a time.  A
requirement's title is written once, as a suite property, not in each of its cases.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .. import i18n
from ..messages import pick
from .base import RenderOptions, register
from .document import Document, as_document

_SKIPPED = ("not_applicable", "waived", "manual")
_KINDS = ("tests", "failures", "errors", "skipped")


def _kind(status: str) -> str | None:
    if status == "fail":
        return "failures"
    if status == "error":
        return "errors"
    return "skipped" if status in _SKIPPED else None


def _case(classname: str, name: str, status: str, message: str, detail: str,
          lang: str) -> str:
    head = f"    <testcase classname={quoteattr(classname)} name={quoteattr(name)}"
    if status == "fail":
        body = (f'<failure message={quoteattr(message)} type="fail">{escape(detail)}'
                "</failure>")
    elif status == "error":
        body = (f'<error message={quoteattr(message)} type="error">{escape(detail)}'
                "</error>")
    elif status in _SKIPPED:
        label = i18n.label(i18n.STATUS_LABELS, status, lang)
        body = f"<skipped message={quoteattr(f'{label}: {message}')} />"
    else:
        return head + " />\n"
    return f"{head}>\n      {body}\n    </testcase>\n"


def _counts(doc: Document) -> dict[str, Counter[str]]:
    """Per system: tests, failures, errors, skipped."""

    out: dict[str, Counter[str]] = {s["name"]: Counter() for s in doc["systems"]}
    for e in doc.entries():
        c = out.get(e["system"])
        if c is None:
            continue
        for r in e["results"]:
            n = len(r.get("requirements") or ())
            c["tests"] += n
            kind = _kind(str(r["status"]))
            if kind:
                c[kind] += n
    for s in doc["systems"]:
        for req in s["requirements"]:
            if not req.get("counts"):  # no finding: one case for the requirement itself
                out[s["name"]]["tests"] += 1
                kind = _kind(str(req["status"]))
                if kind:
                    out[s["name"]][kind] += 1
    return out


def _suite(doc: Document, system: Mapping[str, Any], counts: Counter[str],
           lang: str) -> Iterator[str]:
    name = system["name"]
    attrs = " ".join(f"{k}=\"{counts[k]}\"" for k in _KINDS)
    suite = f"{name} ({system['profile']['id']})"
    yield f"  <testsuite name={quoteattr(suite)} {attrs}>\n    <properties>\n"
    for req in system["requirements"]:
        title = req["title_vi"] if lang == "vi" else req["title_en"]
        yield f"      <property name={quoteattr(req['id'])} value={quoteattr(title)} />\n"
    yield "    </properties>\n"
    for req in system["requirements"]:
        if not req.get("counts"):
            yield _case(f"{name}.-", req["id"], str(req["status"]),
                        pick(req, "reason", lang), "", lang)
    for e in doc.entries():
        if e["system"] != name:
            continue
        for r in e["results"]:
            message = pick(r, "message", lang)
            detail = json.dumps(r.get("evidence") or {}, ensure_ascii=False)
            for rid in r.get("requirements") or ():
                yield _case(f"{name}.{e['host']}", f"{rid} {r['check']}", str(r["status"]),
                            message, detail, lang)
    yield "  </testsuite>\n"


def chunks(doc: Document, lang: str) -> Iterator[str]:
    """junit.xml, piece by piece."""

    counts = _counts(doc)
    totals: Counter[str] = Counter()
    for c in counts.values():
        totals.update(c)
    attrs = " ".join(f"{k}=\"{totals[k]}\"" for k in _KINDS)
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="attt" {attrs}>\n'
    for system in doc["systems"]:
        yield from _suite(doc, system, counts[system["name"]], lang)
    yield "</testsuites>\n"


@register("junit", "junit.xml")
def render_junit(doc: Document, options: RenderOptions) -> Iterator[str]:
    """One JUnit test case per requirement, check and host, for CI dashboards."""

    doc = as_document(doc)  # a plain mapping (older file, tests) is converted once

    return chunks(doc, options.lang)
