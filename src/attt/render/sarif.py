"""SARIF 2.1.0 (results.sarif) for code-scanning dashboards and CI annotations.

One run; the tool driver is ``attt`` with one rule per check that appears in the document
(id, title, rationale, remediation as help, severity, the requirement ids it serves, and a
``security-severity`` score for GitHub).  Results: every finding that is ``fail`` or
``error``, plus ``waived`` ones carried as suppressed results (suppression kind ``external``,
the waiver's reason as justification) so dashboards do not reopen them.

Level: a failure's level follows the check's severity (critical and high -> ``error``,
medium -> ``warning``, low -> ``note``); an ``error`` finding (the check could not be
evaluated) is a ``warning`` whatever the severity, with ``properties.status = "error"``.

Locations: for hosts scanned as a tree (``dir:`` transport), each absolute path named in the
evidence (``observed.from`` first, then ``source``) that exists inside the tree becomes an
``artifactLocation`` relative to that root (``uriBaseId`` ``ROOT``; further roots ``ROOT2``,
``ROOT3`` ...; ``:N`` line suffixes become a region), so annotations land on the config file
in the repository.  A ``/path:N`` in the message gives the line of that file.  For live hosts
a file named with a line is a location too, with the absolute path on that host.
Every result also carries a logical location ``system/host``, the only location for live
hosts.  ``partialFingerprints`` hashes the history key (system, host, requirement, check,
parameters) so a dashboard tracks one item across runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..messages import T
from ..messages import pick as pick_message
from ..paths import resolve_in_root
from .base import RenderOptions, register
from .document import Document, as_document
from .document import pick as _pick

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning reads properties["security-severity"] (0.0-10.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
REPORTED = ("fail", "error", "waived")
_LINE = re.compile(r"^(/[^:]*)(?::(\d+))?$")
# A path with a line inside a sentence: "/etc/pam.d/common-password:25".
_IN_TEXT = re.compile(r"(?<![\w/])(/[\w.@+-]+(?:/[\w.@+-]+)*):(\d+)\b")


def _roots(doc: Document) -> dict[str, str]:
    """``system/host`` -> tree root, for hosts scanned with the directory transport."""

    out: dict[str, str] = {}
    for system in doc.get("systems") or []:
        for h in system.get("hosts") or []:
            if h.get("transport") == "dir" and h.get("address"):
                out[f"{system.get('name')}/{h.get('name')}"] = os.path.realpath(
                    str(h["address"])
                )
    return out


def _paths(source: object) -> list[tuple[str, int | None]]:
    """Absolute paths (with an optional ``:line``) named in an evidence source."""

    found: list[tuple[str, int | None]] = []
    for part in re.split(r",\s*|\s+", str(source or "")):
        m = _LINE.match(part.strip())
        if m:
            found.append((m.group(1), int(m.group(2)) if m.group(2) else None))
    return found


def _named_lines(message: object) -> list[tuple[str, int | None]]:
    """``/path/file:N`` named in a finding's message (``... at /etc/pam.d/common-password:25``)."""

    return [(m.group(1), int(m.group(2))) for m in _IN_TEXT.finditer(str(message or ""))]


def _named(f: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    """The files a finding names, each once, with the first line named for it anywhere:
    the exact file and line a value came from first (``observed.from``), then the files and
    lines the message names, then the files the check read (``source``)."""

    evidence = f.get("evidence") or {}
    if not isinstance(evidence, dict):
        evidence = {}
    observed = evidence.get("observed")
    named = _paths(observed.get("from") if isinstance(observed, dict) else "")
    named += _named_lines(f.get("message"))
    named += _paths(evidence.get("source"))
    lines: dict[str, int | None] = {}
    for path, line in named:
        if lines.get(path) is None:
            lines[path] = line
    return list(lines.items())


def _physical(f: Mapping[str, Any], root: str | None,
              base_ids: dict[str, str]) -> list[dict[str, Any]]:
    """Physical locations of a finding.  A host scanned as a tree: every named file inside
    it, relative to the tree (``uriBaseId``).  A live host: the files named with a line, as
    absolute paths on that host (a dashboard shows the file and line to fix)."""

    locations: list[dict[str, Any]] = []
    for path, line in _named(f):
        if root:
            if resolve_in_root(root, path) is None:
                continue
            bid = base_ids.setdefault(root, "ROOT" if not base_ids else f"ROOT{len(base_ids) + 1}")
            artifact = {"uri": path.lstrip("/"), "uriBaseId": bid}
        elif line:
            artifact = {"uri": path}
        else:
            continue
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if line:
            physical["region"] = {"startLine": line}
        locations.append({"physicalLocation": physical})
    return locations


def _fingerprint(f: Mapping[str, Any]) -> str:
    key = [f.get("system"), f.get("host"), f.get("requirement"), f.get("check"),
           f.get("params") or {}]
    text = json.dumps(key, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rules(doc: Document, lang: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One rule per check with a finding, naming the requirements it answered (first pass
    over the findings)."""

    checks: Mapping[str, Mapping[str, Any]] = doc.get("checks") or {}
    severities = {str(r.get("id")): str(r.get("severity") or "")
                  for s in doc.get("systems") or [] for r in s.get("requirements") or []}
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for e in doc.entries():
        for r in e["results"]:
            check = str(r["check"])
            if check not in rule_index:
                info = checks.get(check) or {}
                first = str((r.get("requirements") or [""])[0])
                severity = str(info.get("severity") or severities.get(first) or "medium")
                rule_index[check] = len(rules)
                remediation = _pick(info, "remediation", lang)
                title = _pick(info, "title", lang) or check
                rules.append({
                    "id": check,
                    "name": check,
                    "shortDescription": {"text": title},
                    "fullDescription": {"text": str(info.get("rationale") or title)},
                    "help": {"text": remediation or title},
                    "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
                    "properties": {
                        "severity": severity,
                        "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
                        "requirements": [],
                        "tags": ["security", "compliance", "attt"],
                    },
                })
            reqs = rules[rule_index[check]]["properties"]["requirements"]
            for rid in r.get("requirements") or ():
                if rid not in reqs:
                    reqs.append(rid)
    return rules, rule_index


_RESULTS = "__attt_results__"


def chunks(doc: Document, lang: str) -> Iterator[str]:
    """results.sarif, piece by piece: the rules, then the results one host at a time."""

    roots = _roots(doc)
    base_ids: dict[str, str] = {}
    rules, rule_index = _rules(doc, lang)
    summary = doc.get("summary") or {}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "attt",
                "version": str((doc.get("tool") or {}).get("version", "")),
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "properties": {
            "runId": str((doc.get("run") or {}).get("id", "")),
            "schema": str(doc.get("schema", "")),
            "verdict": str(summary.get("verdict", "")),
        },
        "invocations": [{
            "executionSuccessful": not (doc.get("run") or {}).get("interrupted", False),
            "exitCode": int(summary.get("exit_code") or 0),
        }],
        "results": _RESULTS,  # last: streamed, then the base ids its locations used
    }
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    head, tail = json.dumps(sarif, ensure_ascii=False, indent=1).split(f'"{_RESULTS}"')
    yield head + "["
    reqs = {(str(s.get("name")), str(r.get("id"))): (s, r)
            for s in doc.get("systems") or [] for r in s.get("requirements") or []}
    first = True
    for f in doc.findings():
        status = str(f.get("status", ""))
        found = reqs.get((str(f.get("system")), str(f.get("requirement"))))
        if status not in REPORTED or found is None:
            continue
        system, req = found
        check = str(f.get("check", ""))
        severity = str(f.get("severity") or req.get("severity") or "medium")
        result = _result(f, req, system, severity, rule_index[check], roots, base_ids, lang)
        yield ("\n" if first else ",\n") + json.dumps(result, ensure_ascii=False)
        first = False
    yield "\n]"
    if base_ids:
        yield ',\n"originalUriBaseIds": ' + json.dumps(
            {bid: {"uri": Path(root).as_uri().rstrip("/") + "/"}
             for root, bid in base_ids.items()}, ensure_ascii=False)
    yield tail + "\n"


@register("sarif", "results.sarif")
def render_sarif(doc: Document, options: RenderOptions) -> Iterator[str]:
    """SARIF 2.1.0: one rule per check, one result per finding needing attention."""

    doc = as_document(doc)  # a plain mapping (older file, tests) is converted once

    return chunks(doc, options.lang)


def _result(
    f: Mapping[str, Any],
    req: Mapping[str, Any],
    system: Mapping[str, Any],
    severity: str,
    index: int,
    roots: Mapping[str, str],
    base_ids: dict[str, str],
    lang: str,
) -> dict[str, Any]:
    status = str(f.get("status", ""))
    host_key = f"{system.get('name')}/{f.get('host')}"
    title = _pick(req, "title", lang)
    message = pick_message(f, "message", lang)
    text = f"{req.get('id')} ({title}): {message}" if title else message
    locations = _physical(f, roots.get(host_key), base_ids)
    logical = {"name": str(f.get("host", "")), "fullyQualifiedName": host_key, "kind": "host"}
    if locations:
        for loc in locations:
            loc["logicalLocations"] = [logical]
    else:
        locations.append({"logicalLocations": [logical]})
    result: dict[str, Any] = {
        "ruleId": str(f.get("check", "")),
        "ruleIndex": index,
        "level": "warning" if status == "error" else LEVELS.get(severity, "warning"),
        "message": {"text": text},
        "locations": locations,
        "partialFingerprints": {"attt/v1": _fingerprint(f)},
        "properties": {
            "status": status,
            "requirement": str(req.get("id", "")),
            "system": str(system.get("name", "")),
            "host": str(f.get("host", "")),
            "severity": severity,
            "evidence": f.get("evidence") or {},
        },
    }
    waiver = f.get("waiver")
    if status == "waived" and isinstance(waiver, dict):
        result["suppressions"] = [{
            # Neither "state" (CS01) nor "status" (errata): the two schema texts disagree.
            "kind": "external",
            "justification": T(
                "{reason} (approved by {approver}, expires {expires})",
                reason=str(waiver.get("reason", "")), approver=str(waiver.get("approver", "")),
                expires=str(waiver.get("expires", "")),
            ).render(lang),
        }]
    return result
