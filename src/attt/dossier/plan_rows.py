"""One plan row per requirement: its status from the last results or the evidence, the solution
in place and the remediation written in the inventory particulars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..evidence import EvidenceSet, evaluate
from ..model import Requirement, Status
from ..particulars import Particulars
from .context import fmt_date
from .labels import GROUPS
from .model import PlanRow


def results_index(results: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The requirement results of a system's last scan, by requirement id."""

    if not results:
        return {}
    return {str(r.get("id")): r for r in results.get("requirements", []) if isinstance(r, Mapping)}



def _from_results(entry: Mapping[str, Any]) -> tuple[str, str]:
    status = str(entry.get("status", ""))
    findings = [f for f in entry.get("findings", []) if isinstance(f, Mapping)]
    passed = sum(1 for f in findings if f.get("status") == "pass")
    failed = [f for f in findings if f.get("status") in ("fail", "error")]
    code = {
        "pass": "met", "fail": "not_met", "error": "error", "manual": "evidence_needed",
        "not_applicable": "not_applicable", "waived": "waived",
    }.get(status, "not_scanned")
    if code == "not_met" and passed:
        code = "partly"
    notes = [f"{f.get('host')}: {f.get('message')}" for f in failed[:2]]
    if len(failed) > 2:
        notes.append(f"(+{len(failed) - 2})")
    if not notes and code == "met" and findings:
        notes.append(f"{passed}/{len(findings)} ✓")
    if code == "not_applicable" and entry.get("reason"):
        notes.append(str(entry["reason"]))
    return code, "; ".join(notes)



def _doc_line(doc: Any) -> str:
    parts = [p for p in (doc.number, doc.title) if p]
    line = " ".join(parts) + f" ({fmt_date(doc.issued)})"
    if doc.approver:
        line += f", {doc.approver}"
    if doc.sha256:
        line += f" [sha256 {doc.sha256[:12]}…]"
    return line



def plan_row(req: Requirement, p: Particulars, ev: EvidenceSet | None,
              results: dict[str, Mapping[str, Any]], today: dt.date) -> PlanRow:
    """A requirement's row in the plan: status from scan and evidence."""

    part, _title = GROUPS.get(req.group, ("technical", req.group))
    docs = evaluate(req, ev, today) if req.evidence else []
    attested = [d for d in docs if d.status == Status.PASS and d.document]
    stale = [d for d in docs if d.status == Status.FAIL]
    entry = results.get(req.id)
    note = ""
    if entry is not None:
        status, note = _from_results(entry)
    elif req.checks:
        status = "not_scanned"
    elif docs and all(d.status == Status.PASS for d in docs):
        status = "met"
    elif stale:
        status = "not_met"
    else:
        status = "evidence_needed"
    sol = p.solutions.get(req.id)
    evidence = [_doc_line(d.document) for d in attested]
    evidence += [d.message for d in stale]
    if note:
        evidence.append(note)
    solution = sol.text if sol and sol.text else ""
    if not solution and attested:
        solution = "; ".join(
            f"{d.document.title}" for d in attested if d.document is not None)
    return PlanRow(req.id, part, req.group, status, solution, "\n".join(evidence),
                   sol.action if sol else "", sol.responsible if sol else "",
                   sol.deadline if sol else "")
