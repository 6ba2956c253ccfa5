"""The rows of the protection plan: each requirement's status from the last scan and the
evidence file (in the scan report's status vocabulary), the documents attesting it, the
solution in place, the remediation written in the inventory particulars or, failing that,
the remediation texts of its failing checks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..evidence import EvidenceSet, evaluate
from ..messages import pick, render
from ..model import Requirement, Status
from ..particulars import Particulars
from .context import fmt_date
from .labels import GROUPS
from .model import PlanRow

# Report statuses (attt.i18n.STATUS_LABELS) the dossier shows as they are; anything else
# read from a results document is "not_scanned".
REPORT_STATUSES = ("pass", "fail", "error", "manual", "not_applicable", "waived")
NOTES_SHOWN = 2  # failing findings quoted per requirement; the rest are counted
SUMMARY_CHARS = 240


def results_index(results: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The requirement results of a system's last scan, by requirement id."""

    if not results:
        return {}
    return {str(r.get("id")): r for r in results.get("requirements", []) if isinstance(r, Mapping)}


def catalogue_key(rid: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of requirement ids (XD.2 before XD.10): the catalogues number their items
    in this order, while profiles list them level by level (XD.1, XD.3, XD.2)."""

    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", rid))


def in_catalogue_order(reqs: Sequence[Requirement]) -> list[Requirement]:
    """Requirements grouped as the profile first lists their groups, in catalogue order
    within each group."""

    first: dict[str, int] = {}
    for i, r in enumerate(reqs):
        first.setdefault(r.group, i)
    return sorted(reqs, key=lambda r: (first[r.group], catalogue_key(r.id)))


def _findings(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in entry.get("findings", []) if isinstance(f, Mapping)]


def _from_results(entry: Mapping[str, Any], lang: str,
                  _: Callable[[str], str]) -> tuple[str, str]:
    status = str(entry.get("status", ""))
    code = status if status in REPORT_STATUSES else "not_scanned"
    findings = _findings(entry)
    # Version 2 (issue 12): the requirement's counts cover every host; its findings are the
    # sample needing attention.  Version 1: every finding is there.
    counts = entry.get("counts")
    if isinstance(counts, Mapping):
        passed = int(counts.get("pass", 0))
        total = sum(int(n) for n in counts.values())
        failing = int(counts.get("fail", 0)) + int(counts.get("error", 0))
    else:
        passed = sum(1 for f in findings if f.get("status") == "pass")
        total = len(findings)
        failing = sum(1 for f in findings if f.get("status") in ("fail", "error"))
    failed = [f for f in findings if f.get("status") in ("fail", "error")]
    notes = [f"{f.get('host')}: {pick(f, 'message', lang)}" for f in failed[:NOTES_SHOWN]]
    if failing > len(notes):
        notes.append(_("and {count} more failing results").format(
            count=failing - len(notes)))
    if not notes and code == "pass" and total:
        notes.append(_("{passed} of {total} checks passed").format(
            passed=passed, total=total))
    reason = pick(entry, "reason", lang)
    if code == "not_applicable" and reason:
        notes.append(reason)
    # Several checks of a host may say the same thing (a plan that is not scanned).
    return code, "; ".join(dict.fromkeys(notes))


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence of a remediation text, at most ``limit`` characters: the plan says
    what will be done; the commands and file edits stay in the attached scan report."""

    first = re.split(r"(?<=[.;])\s", " ".join(text.split()), maxsplit=1)[0].rstrip(";")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;") + " …"


def remediation(entry: Mapping[str, Any] | None, lang: str) -> str:
    """The remediation of a requirement's failing checks in ``lang``, one line per check."""

    if entry is None:
        return ""
    lines: list[str] = []
    for f in _findings(entry):
        if f.get("status") not in ("fail", "error"):
            continue
        text = f.get(f"remediation_{lang}") or f.get("remediation_en") or ""
        if isinstance(text, str) and text.strip():
            line = summary(text)
            if line not in lines:
                lines.append(line)
    if len(lines) > 1:
        lines = [f"- {line}" for line in lines]
    return "\n".join(lines)


def _doc_line(doc: Any, final: bool) -> str:
    parts = [p for p in (doc.number, doc.title) if p]
    line = " ".join(parts) + f" ({fmt_date(doc.issued)})"
    if doc.approver:
        line += f", {doc.approver}"
    if doc.sha256 and not final:
        # The working copy lets the officer match the file; the filed document does not.
        line += f" [sha256 {doc.sha256[:12]}…]"
    return line


def _status_without_scan(req: Requirement, docs: Sequence[Any]) -> str:
    if req.checks:
        return "not_scanned"
    if docs and all(d.status == Status.PASS for d in docs):
        return "pass"
    if any(d.status == Status.FAIL for d in docs):
        return "fail"
    return "manual"


def plan_row(req: Requirement, p: Particulars, ev: EvidenceSet | None,
             results: dict[str, Mapping[str, Any]], today: dt.date, *,
             lang: str = "en", final: bool = False,
             translate: Callable[[str], str] = str) -> PlanRow:
    """A requirement's row in the plan: status from scan and evidence."""

    part, _title = GROUPS.get(req.group, ("technical", req.group))
    docs = evaluate(req, ev, today) if req.evidence else []
    attested = [d for d in docs if d.status == Status.PASS and d.document]
    stale = [d for d in docs if d.status == Status.FAIL]
    entry = results.get(req.id)
    note = ""
    if entry is not None:
        status, note = _from_results(entry, lang, translate)
    else:
        status = _status_without_scan(req, docs)
    sol = p.solutions.get(req.id)
    evidence = [_doc_line(d.document, final) for d in attested]
    evidence += [render(d.text, lang) for d in stale]
    if note:
        evidence.append(note)
    solution = sol.text if sol and sol.text else ""
    if not solution and attested:
        # One document may attest several items of a requirement: name it once.
        solution = "; ".join(dict.fromkeys(
            d.document.title for d in attested if d.document is not None))
    evidence = list(dict.fromkeys(evidence))
    action = (sol.action if sol else "") or remediation(entry, lang)
    return PlanRow(req.id, part, req.group, status, solution, "\n".join(evidence),
                   action, sol.responsible if sol else "", sol.deadline if sol else "")
