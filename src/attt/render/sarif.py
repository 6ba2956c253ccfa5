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
in the repository.
Every result also carries a logical location ``system/host``, the only location for live
hosts.  ``partialFingerprints`` hashes the history key (system, host, requirement, check,
parameters) so a dashboard tracks one item across runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..paths import resolve_in_root
from .base import RenderOptions, register
from .document import Document
from .document import pick as _pick

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning reads properties["security-severity"] (0.0-10.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
REPORTED = ("fail", "error", "waived")
_LINE = re.compile(r"^(/[^:]*)(?::(\d+))?$")


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


def _fingerprint(f: Mapping[str, Any]) -> str:
    key = [f.get("system"), f.get("host"), f.get("requirement"), f.get("check"),
           f.get("params") or {}]
    text = json.dumps(key, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@register("sarif", "results.sarif")
def render_sarif(doc: Document, options: RenderOptions) -> str:
    """SARIF 2.1.0: one rule per check, one result per finding."""

    lang = options.lang
    roots = _roots(doc)
    base_ids: dict[str, str] = {}
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            for f in req.get("findings") or []:
                check = str(f.get("check", ""))
                severity = str(f.get("severity") or req.get("severity") or "medium")
                if check not in rule_index:
                    rule_index[check] = len(rules)
                    remediation = _pick(f, "remediation", lang)
                    title = _pick(f, "check_title", lang) or check
                    rules.append({
                        "id": check,
                        "name": check,
                        "shortDescription": {"text": title},
                        "fullDescription": {"text": str(f.get("rationale") or title)},
                        "help": {"text": remediation or title},
                        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
                        "properties": {
                            "severity": severity,
                            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
                            "requirements": [],
                            "tags": ["security", "compliance", "attt"],
                        },
                    })
                rule = rules[rule_index[check]]
                reqs = rule["properties"]["requirements"]
                if req.get("id") not in reqs:
                    reqs.append(req.get("id"))
                status = str(f.get("status", ""))
                if status not in REPORTED:
                    continue
                results.append(
                    _result(f, req, system, severity, rule_index[check], roots, base_ids, lang)
                )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "attt",
                "version": str((doc.get("tool") or {}).get("version", "")),
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "runId": str((doc.get("run") or {}).get("id", "")),
            "schema": str(doc.get("schema", "")),
            "verdict": str((doc.get("summary") or {}).get("verdict", "")),
        },
    }
    if base_ids:
        run["originalUriBaseIds"] = {
            bid: {"uri": Path(root).as_uri().rstrip("/") + "/"} for root, bid in base_ids.items()
        }
    summary = doc.get("summary") or {}
    run["invocations"] = [{
        "executionSuccessful": not (doc.get("run") or {}).get("interrupted", False),
        "exitCode": int(summary.get("exit_code") or 0),
    }]
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, ensure_ascii=False, indent=1) + "\n"


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
    text = f"{req.get('id')} ({title}): {f.get('message')}" if title else str(f.get("message"))
    locations: list[dict[str, Any]] = []
    root = roots.get(host_key)
    evidence = f.get("evidence") or {}
    if root and isinstance(evidence, dict):
        observed = evidence.get("observed")
        # The exact file and line a value came from first (``observed.from``), then the
        # files the check read (``source``).
        named = _paths(observed.get("from") if isinstance(observed, dict) else "")
        named += _paths(evidence.get("source"))
        seen: set[str] = set()
        for path, line in named:
            if path in seen or resolve_in_root(root, path) is None:
                continue
            seen.add(path)
            bid = base_ids.setdefault(root, "ROOT" if not base_ids else f"ROOT{len(base_ids) + 1}")
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": path.lstrip("/"), "uriBaseId": bid}
            }
            if line:
                physical["region"] = {"startLine": line}
            locations.append({"physicalLocation": physical})
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
            "evidence": evidence,
        },
    }
    waiver = f.get("waiver")
    if status == "waived" and isinstance(waiver, dict):
        result["suppressions"] = [{
            # Neither "state" (CS01) nor "status" (errata): the two schema texts disagree.
            "kind": "external",
            "justification": (
                f"{waiver.get('reason', '')} (approved by {waiver.get('approver', '')}, "
                f"expires {waiver.get('expires', '')})"
            ),
        }]
    return result
