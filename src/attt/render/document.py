"""The results document: the one versioned, JSON-serialisable view every renderer reads.

``results.json`` is this document verbatim, so ``attt report results.json`` re-renders any
format without rescanning and every format shows exactly the same figures.  ``build`` is
type-checked against ``attt.results_types`` (kept in step with the JSON Schema by a test);
readers take it as ``Document``, the plain JSON mapping a loaded results.json also is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from .. import __version__
from .. import results_types as rt
from ..grading import GRADE_BANDS, GRADE_CAPS, Report, Score, SystemReport
from ..messages import render
from ..model import SEVERITY_WEIGHTS, Finding, ParamProvenance
from ..registry import CHECKS

SCHEMA: Literal["attt.results/1"] = "attt.results/1"
Document = dict[str, Any]


def _finding(f: Finding) -> dict[str, Any]:
    data = f.to_json()
    spec = CHECKS.get(f.check_id)
    data["check_title_vi"] = spec.title_vi if spec else f.check_id
    data["check_title_en"] = spec.title_en if spec else f.check_id
    data["severity"] = spec.severity.value if spec else ""
    data["remediation_vi"] = spec.remediation_vi if spec else ""
    data["remediation_en"] = spec.remediation_en if spec else ""
    data["rationale"] = spec.rationale if spec else ""
    return data


def _provenance(p: ParamProvenance) -> dict[str, Any]:
    return {
        "requirement": p.requirement_id,
        "check": p.check_id,
        "name": p.name,
        "value": p.value,
        "source": p.source,
        "weakened": p.weakened,
    }


def _system(sr: SystemReport, hosts: Mapping[str, Mapping[str, Any]]) -> rt.System:
    sys_, prof = sr.system, sr.profile
    # Enum values (.value) are plain str to mypy: the cast, not a conversion.
    return cast(rt.System, {
        "name": sys_.name,
        "owner": sys_.owner,
        "operating_unit": sys_.operating_unit,
        "regime": sys_.regime,
        "level": sys_.level,
        "description": sys_.description,
        "profile": {
            "id": prof.id,
            "regime": prof.regime,
            "level": prof.level,
            "title_vi": prof.title_vi,
            "title_en": prof.title_en,
            "instruments": list(prof.instruments),
            "caveat": prof.caveat_en,
            "caveat_vi": prof.caveat_vi,
            "sources": list(prof.sources),
        },
        "verdict": {"ok": sr.verdict_ok, "level": sys_.level, "blocking": list(sr.blocking)},
        "score": sr.score.to_json(),
        "layers": {str(k): v.to_json() for k, v in sr.layers.items()},
        # Per layer, automated checks and attested documents apart (issue: 4-layer scorecard).
        "layer_detail": {
            str(k): {
                "automated": d.automated.to_json(),
                "documents": dict(d.documents),
                "missing": [
                    {"requirement": rid, "title_vi": tvi, "title_en": ten}
                    for rid, tvi, ten in d.missing
                ],
            }
            for k, d in sr.layer_detail.items()
        },
        "evidence": {"source": sr.evidence_source, "approval_date": sr.approval_date},
        "params": [_provenance(p) for p in prof.provenance],
        "exclusions": [
            {"requirement": e.requirement_id, "reason": render(e.reason, "en"),
             "reason_vi": render(e.reason, "vi")} for e in prof.exclusions
        ],
        # Inventory hosts first, then the units that are not hosts (network scans: net:<zone>).
        "hosts": [dict(hosts[h.key]) for h in sys_.hosts if h.key in hosts]
        + [
            dict(row)
            for key, row in sorted(hosts.items())
            if row.get("system") == sys_.name and key not in {h.key for h in sys_.hosts}
        ],
        "requirements": [
            {
                "id": r.requirement.id,
                "title_vi": r.requirement.title_vi,
                "title_en": r.requirement.title_en,
                "group": r.requirement.group,
                "layer": r.requirement.layer,
                "severity": r.requirement.severity.value,
                "clauses": dict(r.requirement.clauses),
                "kind": r.requirement.kind,
                "advisory": r.requirement.advisory,
                "evidence": [
                    {"key": e.key, "title_vi": e.title_vi, "title_en": e.title_en}
                    for e in r.requirement.evidence
                ],
                "status": r.status.value,
                "automated_status": r.automated.value if r.automated else None,
                "documents": [d.to_json() for d in r.documents],
                "reason": r.reason,
                "reason_vi": r.reason_vi,
                "findings": [_finding(f) for f in r.findings],
            }
            for r in sr.requirements
        ],
    })


def grading_rules() -> rt.Grading:
    """The published grading formula as results.json carries it."""

    return {
        "weights": {k.value: v for k, v in SEVERITY_WEIGHTS.items()},
        "grade_bands": [{"grade": g, "min_percent": m} for g, m in GRADE_BANDS],
        "grade_caps": {k.value: v for k, v in GRADE_CAPS.items()},
        "order": ["fail", "error", "manual", "pass"],
    }


def build(
    report: Report,
    run: Mapping[str, Any],
    hosts: Mapping[str, Mapping[str, Any]],
    exit_status: int,
) -> Document:
    """``run``: id, started, finished, inventory, profile overrides, interrupted flag.
    ``hosts``: per host key, its state row (name, address, transport, state, message ...)."""

    statuses = [r.status.value for s in report.systems for r in s.requirements]
    verdict: rt.Verdict = (
        "non_compliant" if exit_status == 1 else "incomplete" if exit_status == 3 else "compliant"
    )
    doc: rt.ResultsDocument = {
        "schema": SCHEMA,
        "tool": {"name": "attt", "version": __version__},
        "run": cast(rt.Run, dict(run)),
        "grading": grading_rules(),
        "summary": {
            "verdict": verdict,
            "exit_code": cast(rt.ExitCode, exit_status),
            "score": cast(rt.Score, report.score.to_json()),
            "requirements": {s: statuses.count(s) for s in sorted(set(statuses))},
            "host_errors": report.host_errors,
            "hosts": len(hosts),
        },
        "expired_waivers": [
            {"target": w.target, "hosts": w.hosts, "reason": w.reason, "approver": w.approver,
             "expires": w.expires, "source": w.source}
            for w in report.expired_waivers
        ],
        "notes": [render(n, "en") for n in report.notes],
        "notes_vi": [render(n, "vi") for n in report.notes],
        "systems": [_system(s, hosts) for s in report.systems],
    }
    return cast(Document, doc)


def pick(item: Mapping[str, Any], stem: str, lang: str) -> str:
    """``title_vi`` / ``title_en`` by language, falling back to the other one."""

    other = "en" if lang == "vi" else "vi"
    return str(item.get(f"{stem}_{lang}") or item.get(f"{stem}_{other}") or "")


def check_counts(findings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Check-level progress: one check on one host is one result.  Not-applicable results are
    left out of the total, as they are of the score.  The report and the command line both
    show it beside the requirement score."""

    counts = Counter(str(f.get("status")) for f in findings)
    return {"passed": counts["pass"],
            "total": sum(n for status, n in counts.items() if status != "not_applicable"),
            "failed": counts["fail"], "errors": counts["error"]}


def system_incomplete(system: Mapping[str, Any], run: Mapping[str, Any]) -> bool:
    """A host of the system was not scanned in full, or the run was interrupted: a grade over
    part of the hosts would mislead, so readers show "incomplete" instead."""

    hosts = system.get("hosts") or []
    return bool(run.get("interrupted")) or any(h.get("state") != "ok" for h in hosts)


def all_findings(doc: Document) -> Sequence[Mapping[str, Any]]:
    """Every finding of every requirement of every system."""

    return [f for s in doc["systems"] for r in s["requirements"] for f in r["findings"]]


__all__ = ["SCHEMA", "Document", "Score", "all_findings", "build", "check_counts",
           "grading_rules", "pick", "system_incomplete"]
