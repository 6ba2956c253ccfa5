"""The annual report under Decree 85/2016 + Circular 12/2022 (regime ``nd85-tt12``): the 11
items of Circular 12 Art. 14 as numbered sections, the per-requirement annex after them.
Circular 12 prescribes no form, so the layout is an ordinary administrative report."""

from __future__ import annotations

from ..dossier.model import BLANK, Block, Para, Section, Table
from ..messages import T
from .common import (
    Text,
    annex_sections,
    assessment_text,
    doc_ref,
    other_information,
    party_fields,
)
from .labels import AD_HOC, APPROVAL_LABELS, ASSESSMENT_LABELS, PLAN_LABELS
from .model import AnnualReport, SystemRow


def _names(rows: list[SystemRow]) -> str:
    return ", ".join(r.title for r in rows)


def _yes_no(t: Text, value: bool | None) -> str:
    if value is None:
        return BLANK
    return t._("Yes") if value else t._("No")


def tt12_sections(t: Text, r: AnnualReport) -> list[Section]:
    """Items 1-11 and the annex."""

    rows = list(r.rows)
    s: list[Section] = []
    # 1. Owner, specialised unit, operating units.
    blocks: list[Block] = []
    for i, ob in enumerate(r.owners, 1):
        prefix = f"{i}. " if len(r.owners) > 1 else ""
        blocks += [Para(prefix + t._("System owner:")),
                   party_fields(t, ob.owner, t._("Name of the system owner")),
                   Para(prefix + t._("Specialised information-security unit:")),
                   party_fields(t, ob.security_unit, t._("Name of the specialised unit"))]
    for op in r.operators:
        blocks += [Para(t._("Operating unit:")),
                   party_fields(t, op, t._("Name of the operating unit"))]
    s.append(Section("1", t._("Information on the system owner, the specialised "
                            "information-security unit and the operating unit of each system"),
                     2, tuple(blocks)))
    # 2. Every system.
    s.append(Section("2", t._("List of information systems under management"), 2, (Table(
        (t._("No."), t._("System name"), t._("Operating unit"), t._("Proposed level")),
        tuple((str(i), x.title, x.operator, str(x.level)) for i, x in enumerate(rows, 1))),)))
    # 3. Approved.
    approved = [x for x in rows if x.approval == "approved"]
    s.append(Section("3", t._("Information systems whose level dossier has been approved"), 2, (
        Para(t.msg(T("{count} of {total} systems.", count=len(approved), total=len(rows)))),
        Table((t._("No."), t._("System name"), t._("Level approval status"),
               t._("Level approval decision")),
              tuple((str(i), x.title, t._(APPROVAL_LABELS[x.approval]) if x.approval else BLANK,
                     doc_ref(t, x.decision) if x.approval == "approved" else "")
                    for i, x in enumerate(rows, 1))))))
    # 4. Implementation in three groups (systems without a run in none of them).
    groups: list[Block] = []
    for letter, code in zip("abc", ("full", "partial", "not_started"), strict=True):
        members = [x for x in rows if x.plan == code]
        groups.append(Para(f"{letter}) " + t.msg(T("{label}: {count} systems{names}",
                                                     label=t._(PLAN_LABELS[code]),
                                                     count=len(members),
                                                     names=(": " + _names(members))
                                                     if members else "."))))
    groups.append(Table(
        (t._("No."), t._("System name"), t._("Implementation of the approved plan"),
         t._("Expected date of full implementation")),
        tuple((str(i), x.title, t._(PLAN_LABELS[x.plan]) if x.plan else BLANK,
               "" if x.plan == "full" else t.date(x.plan_full_expected))
              for i, x in enumerate(rows, 1))))
    s.append(Section("4", t._("Information systems that have fully, partly or not yet "
                            "implemented the security plan of the approved level"), 2,
                     tuple(groups)))
    # 5. Regulation in place.
    with_reg = [x for x in rows if x.regulation is not None]
    s.append(Section("5", t._("Information systems with an information-security regulation"), 2, (
        Para(t.msg(T("{count} of {total} systems.", count=len(with_reg), total=len(rows)))),
        Table((t._("No."), t._("System name"), t._("Information-security regulation")),
              tuple((str(i), x.title, doc_ref(t, x.regulation))
                    for i, x in enumerate(rows, 1))))))
    # 6. Regulation complied with.
    s.append(Section("6", t._("Information systems that comply with the rules and procedures of "
                            "the information-security regulation in operation, use, end of "
                            "operation or disposal"), 2, (Table(
        (t._("No."), t._("System name"), t._("Complies with the regulation")),
        tuple((str(i), x.title, _yes_no(t, x.regulation_complied))
              for i, x in enumerate(rows, 1))),)))
    # 7. Checked and assessed.
    s.append(Section("7", t._("Information systems checked and assessed for information "
                            "security as required"), 2, (Table(
        (t._("No."), t._("System name"), t._("Checks and assessments in the period")),
        tuple((str(i), x.title, assessment_text(t, x, lambda k: t._(
            ASSESSMENT_LABELS.get(k, AD_HOC))))
              for i, x in enumerate(rows, 1))),)))
    # 8. Assessment per requirement (summary; the detail is the annex).
    s.append(Section("8", t._("Assessment of the implementation of the approved plan per "
                            "criterion and requirement"), 2, (
        Table((t._("No."), t._("System name"), t._("Requirements fully met"),
               t._("Basis of the assessment")),
              tuple((str(i), x.title,
                     f"{x.met}/{x.applicable}" if x.attt_runs else BLANK,
                     t.msg(T("scanned and assessed with attt on {date}",
                             date=x.attt_runs[0])) if x.attt_runs else BLANK)
                    for i, x in enumerate(rows, 1))),
        Para(t._("The result per requirement of each system is in the annex.")))))
    # 9. Approval decision and plan per criterion.
    s.append(Section("9", t._("Level approval decision and the approved plan per criterion"), 2, (
        Table((t._("No."), t._("System name"), t._("Level approval decision"),
               t._("Requirements not yet fully met")),
              tuple((str(i), x.title,
                     doc_ref(t, x.decision) if x.approval == "approved" else
                     (t._(APPROVAL_LABELS[x.approval]) if x.approval else BLANK),
                     str(sum(1 for a in x.annex if not a.met)) if x.attt_runs else BLANK)
                    for i, x in enumerate(rows, 1))),
        Para(t._("Each requirement, met in full or not yet in full, with the plan or roadmap "
               "for the unmet ones, is in the annex.")))))
    # 10. Regulation decision.
    s.append(Section("10", t._("Decision issuing the information-security regulation"), 2, (
        Table((t._("No."), t._("System name"), t._("Decision issuing the regulation")),
              tuple((str(i), x.title, doc_ref(t, x.regulation))
                    for i, x in enumerate(rows, 1))),)))
    s.append(Section("11", t._("Other information"), 2, other_information(t, r)))
    s += annex_sections(t, rows, "", t._("ANNEX: RESULT PER REQUIREMENT OF EACH INFORMATION "
                                       "SYSTEM"))
    return s
