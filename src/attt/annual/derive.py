"""From what attt knows about each system to the rows, totals, blanks and Form 08
consistency checks of the annual report.  Pure: facts in, codes out (translated only in the
gap and check texts, which the command line prints)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from ..messages import Msg, T
from ..org.inputs import SystemInputs
from .model import AnnexRow, Check, Gap, SystemFacts, SystemRow

MET = ("pass",)
NOT_APPLICABLE = "not_applicable"
FORM_ORDER = ("before_go_live", "periodic")


class Gaps:
    """Collects the blanks of the document, with the key a person fills for each."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.items: list[Gap] = []

    def add(self, facts: SystemFacts, field: Msg, where: Msg) -> None:
        """Record that ``field`` of ``facts``' system is blank and where to declare it."""

        self.add_for(facts.unit, facts.name, field, where)

    def add_for(self, unit: str, system: str, field: Msg, where: Msg) -> None:
        """Record a blank of the report as a whole (``system`` "") or of a unit."""

        self.items.append(Gap(unit, system, field.render(self.lang), where.render(self.lang)))


def _where(facts: SystemFacts, key: str) -> Msg:
    path = ".".join(("systems", facts.name, key))
    if not facts.inputs_file:
        return T("declare the unit's inputs file (organisation file: units[id={unit}].inputs) "
                 "and fill {key} in it", unit=facts.unit, key=path)
    if not facts.inputs_exists:
        return T("create the unit's file {file} and fill {key} in it", key=path,
                 file=facts.inputs_file)
    return T("fill {key} in the file {file}", key=path, file=facts.inputs_file)


def plan_status(facts: SystemFacts) -> tuple[str, int, int]:
    """(plan code, requirements met, requirements applicable) of the latest run; ("", 0, 0)
    without a run: implementation is then unknown, never "fully implemented"."""

    if facts.run is None:
        return "", 0, 0
    applicable = [r for r in facts.run.requirements if r.status != NOT_APPLICABLE]
    met = sum(1 for r in applicable if r.status in MET)
    if applicable and met == len(applicable):
        return "full", met, len(applicable)
    return ("partial" if met else "not_started"), met, len(applicable)


def _annex(facts: SystemFacts) -> tuple[AnnexRow, ...]:
    if facts.run is None:
        return ()
    rows = []
    for r in facts.run.requirements:
        if r.status == NOT_APPLICABLE:
            continue
        met = r.status in MET
        sol = facts.solutions.get(r.id)
        rows.append(AnnexRow(r.id, r.title, met, "" if met or sol is None else sol.action,
                             "" if met or sol is None else sol.deadline))
    return tuple(rows)


def system_row(facts: SystemFacts, period: tuple[dt.date, dt.date], regime: str,
               gaps: Gaps) -> SystemRow:
    """The row of one system, recording a gap for every blank attt cannot fill."""

    start, end = period
    si = facts.inputs or SystemInputs()
    approval = si.approval.status if si.approval else ""
    if not approval:
        gaps.add(facts, T("level approval status"), _where(facts, "approval.status"))
    decision = si.approval.decision if si.approval else None
    if approval == "approved" and (decision is None or not decision.number):
        gaps.add(facts, T("level approval decision (number, date, approving body)"),
                 _where(facts, "approval.decision"))
    expected = si.approval.expected_date if si.approval else None
    if approval != "approved" and expected is None:
        gaps.add(facts, T("expected approval date of the level dossier"),
                 _where(facts, "approval.expected_date"))
    regulation = si.regulation or facts.regulation
    if regulation is None or not regulation.number:
        regulation = None
        gaps.add(facts, T("security regulation of the system (number, date, issuing body)"),
                 _where(facts, "regulation"))
    plan, met, applicable = plan_status(facts)
    if not plan:
        gaps.add(facts, T("implementation of the security plan (no complete scan of the "
                          "system in the data period)"),
                 T("scan the system within the data period: attt org scan (or attt scan "
                   "--unit {unit} -i {inventory})", unit=facts.unit,
                   inventory=facts.inventory_file))
    if plan != "full" and si.plan_full_expected is None:
        gaps.add(facts, T("expected date of full implementation of the security plan"),
                 _where(facts, "plan_full_expected"))
    if si.regulation_complied is None:
        gaps.add(facts, T("compliance with the security regulation in operation"),
                 _where(facts, "regulation_complied"))
    if regime == "law116-nd331" and si.ns_important is None:
        gaps.add(facts, T("grounds to propose the system for the list of systems important "
                          "to national security"), _where(facts, "ns_important"))
    annex = _annex(facts)
    open_items = [a.requirement for a in annex if not a.met and not (a.action and a.deadline)]
    if open_items:
        gaps.add(facts, T("plan and deadline for {count} requirements not yet fully met",
                          count=len(open_items)),
                 T("fill solutions.<requirement>.action and .deadline of the system in the "
                   "inventory {file} ({ids})", file=facts.inventory_file,
                   ids=", ".join(open_items[:5]) + (" …" if len(open_items) > 5 else "")))
    assessments = tuple(sorted(
        ((a.kind, a.date, a.assessor) for a in si.assessments if start <= a.date <= end),
        key=lambda a: a[1]))
    runs = (facts.run.date,) if facts.run is not None else ()
    # A complete attt scan in the period is a periodic check of the system (brief, issue 13).
    kinds = {a[0] for a in assessments} | ({"periodic"} if runs else set())
    return SystemRow(
        unit=facts.unit, name=facts.name, title=facts.title, owner=facts.owner,
        operator=facts.operator, level=facts.level, approval=approval, decision=decision,
        regulation=regulation, expected_approval=None if approval == "approved" else expected,
        plan=plan, plan_full_expected=None if plan == "full" else si.plan_full_expected,
        assessment_kinds=tuple(k for k in FORM_ORDER if k in kinds),
        assessments=assessments, attt_runs=runs,
        regulation_complied=si.regulation_complied, ns_important=si.ns_important,
        ns_grounds=si.ns_grounds, met=met, applicable=applicable, annex=annex)


def totals(rows: Sequence[SystemRow]) -> dict[str, int]:
    """Form 08 Part 1's six counts, from the rows.  Every listed system has a proposed level,
    so it counts as classified; a dossier counts as drawn up once sent for appraisal."""

    def count(pred: Callable[[SystemRow], bool]) -> int:
        return sum(1 for r in rows if pred(r))

    return {
        "managed": len(rows),
        "classified": count(lambda r: r.level > 0),
        "dossier": count(lambda r: r.approval in ("submitted", "appraised", "approved")),
        "appraised": count(lambda r: r.approval in ("appraised", "approved")),
        "approved": count(lambda r: r.approval == "approved"),
        "checked": count(lambda r: r.approval == "approved"
                         and "periodic" in r.assessment_kinds),
    }


def all_approved_by(rows: Sequence[SystemRow]) -> tuple[bool, dt.date | None]:
    """(every system approved, latest expected approval date of the others)."""

    waiting = [r for r in rows if r.approval != "approved"]
    dates = [r.expected_approval for r in waiting if r.expected_approval is not None]
    if not waiting:
        return True, None
    return False, max(dates) if len(dates) == len(waiting) else None


def form08_checks(rows: Sequence[SystemRow], counts: Mapping[str, int],
                  lang: str) -> list[Check]:
    """The consistency rules of a Form 08 report that fail (annual-report.md §3.4)."""

    out: list[Check] = []

    def fail(rule: Msg, row: SystemRow | None = None) -> None:
        out.append(Check(rule.render(lang), row.unit if row else "", row.name if row else ""))

    if len(rows) != counts.get("managed"):
        fail(T("the table has {rows} rows, Part 1 says {total} systems", rows=len(rows),
               total=counts.get("managed")))
    approved = [r for r in rows if r.approval == "approved"]
    if len(approved) != counts.get("approved"):
        fail(T("{rows} rows are approved, Part 1 says {total}", rows=len(approved),
               total=counts.get("approved")))
    checked = [r for r in approved if "periodic" in r.assessment_kinds]
    if len(checked) != counts.get("checked"):
        fail(T("{rows} approved rows are periodically checked, Part 1 says {total}",
               rows=len(checked), total=counts.get("checked")))
    for r in rows:
        if r.approval == "approved":
            if r.decision is None or not r.decision.number:
                fail(T("approved row without column (7), the approval decision"), r)
            if r.regulation is None:
                fail(T("approved row without column (8), the security regulation"), r)
        elif r.expected_approval is None:
            fail(T("row not approved without column (9), the expected approval date"), r)
        if r.plan in ("partial", "not_started") and r.plan_full_expected is None:
            fail(T("row not fully implemented without column (11), the expected date of full "
                   "implementation"), r)
    return out
