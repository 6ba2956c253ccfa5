"""The annual report under Law 116/2025 + Decree 331/2026 (regime ``law116-nd331``): Form 08
("Mẫu báo cáo") exactly as the decree words it - Part 1's totals, Part 2's owner and
specialised-unit blocks (repeated per owner), Part 3's 12-column table with the form's
controlled values - and three annexes for Art. 36 items 3, 7 and 9-10, which the form has no
column for."""

from __future__ import annotations

from ..dossier.model import BLANK, Block, Para, Section, Table
from ..messages import T
from .common import Text, annex_sections, doc_ref, other_information, party_fields
from .labels import (
    APPROVAL_LABELS,
    ASSESSMENT_LABELS,
    FORM08_ALL_APPROVED_BY,
    FORM08_COLUMNS,
    FORM08_TOTALS,
    PLAN_LABELS,
)
from .model import AnnualReport, SystemRow

# Part 3's columns in per cent of a landscape page: a date (dd/mm/yyyy) never breaks.
WIDTHS = (5, 9, 8, 9, 5, 9, 10, 10, 9, 9, 9, 8)


def form08_row(t: Text, i: int, x: SystemRow) -> tuple[str, ...]:
    """Part 3's twelve cells of one system."""

    approved = x.approval == "approved"
    return (
        str(i), x.title, x.owner, x.operator, str(x.level),
        t._(APPROVAL_LABELS[x.approval]) if x.approval else BLANK,
        (doc_ref(t, x.decision) if approved else ""),
        doc_ref(t, x.regulation),
        "" if approved else t.date(x.expected_approval),
        t._(PLAN_LABELS[x.plan]) if x.plan else BLANK,
        "" if x.plan == "full" else t.date(x.plan_full_expected),
        "; ".join(t._(ASSESSMENT_LABELS[k]) for k in x.assessment_kinds),
    )


def _part1(t: Text, r: AnnualReport) -> Section:
    lines: list[Block] = [Para(f"- {t(label)}: {r.totals.get(key, 0)};")
                          for key, label in FORM08_TOTALS]
    when = t._("all systems are approved") if r.all_approved else t.date(r.all_approved_by)
    lines.append(Para(f"- {t._(FORM08_ALL_APPROVED_BY)}: {when}."))
    return Section("1", t._("General information"), 2, tuple(lines))


def _part2(t: Text, r: AnnualReport) -> list[Section]:
    out = [Section("2", t._("Information on the system owner and the specialised cyber-security "
                          "unit"), 2)]
    for i, ob in enumerate(r.owners, 1):
        owner = party_fields(t, ob.owner, t._("Name of the system owner"))
        unit = party_fields(t, ob.security_unit,
                            t._("Name of the specialised cyber-security unit"))
        if len(r.owners) == 1:
            out.append(Section("", t._("a) Information on the system owner:"), 3, (owner,)))
            out.append(Section("", t._("b) Information on the specialised cyber-security "
                                       "unit:"), 3, (unit,)))
        else:
            # Several owners: the pair is repeated for each, as the form's note says.
            out.append(Section(f"2.{i}", ob.owner.name, 3, (
                Para(t._("a) Information on the system owner:")), owner,
                Para(t._("b) Information on the specialised cyber-security unit:")), unit)))
    return out


def _part3(t: Text, r: AnnualReport) -> Section:
    numbers = tuple(f"({i})" for i in range(1, 13))
    rows = (numbers, *(form08_row(t, i, x) for i, x in enumerate(r.rows, 1)))
    blocks: list[Block] = [Table(tuple(t(c) for c in FORM08_COLUMNS), rows, widths=WIDTHS,
                                 fixed=True)]
    scanned = [t.msg(T("{system} on {date}", system=x.title, date=x.attt_runs[-1]))
               for x in r.rows if x.attt_runs]
    if scanned:
        # The form has no place for the tool's scans: say which "Định kỳ" rest on them.
        blocks.append(Para(t.msg(T("Column (12) counts as periodic the scans and assessments "
                                   "made with attt in the data period: {items}.",
                                   items="; ".join(scanned))), kind="note"))
    return Section("3", t._("Details of the information systems under management"), 2,
                   tuple(blocks))


def _yes_no(t: Text, value: bool | None) -> str:
    if value is None:
        return BLANK
    return t._("Yes") if value else t._("No")


def _annex1(t: Text, r: AnnualReport) -> Section:
    rows = tuple((str(i), x.title, _yes_no(t, x.ns_important),
                  x.ns_grounds if x.ns_important else "")
                 for i, x in enumerate(r.rows, 1))
    return Section("", t._("ANNEX 1: INFORMATION SYSTEMS WITH GROUNDS TO BE PROPOSED FOR THE LIST "
                         "OF INFORMATION SYSTEMS IMPORTANT TO NATIONAL SECURITY"), 2, (
        Table((t._("No."), t._("System name"), t._("Grounds to propose"), t._("Grounds")), rows),))


def _annex2(t: Text, r: AnnualReport) -> Section:
    rows = tuple((str(i), x.title, doc_ref(t, x.regulation), _yes_no(t, x.regulation_complied))
                 for i, x in enumerate(r.rows, 1))
    return Section("", t._("ANNEX 2: COMPLIANCE WITH THE CYBER-SECURITY REGULATION IN OPERATION, "
                         "USE, END OF OPERATION OR DISPOSAL"), 2, (
        Table((t._("No."), t._("System name"), t._("Cyber-security regulation of the system"),
               t._("Complies with the regulation")), rows),))


def form08_sections(t: Text, r: AnnualReport) -> list[Section]:
    """Parts 1-3, annexes 1-3, and annex 4 when there is other information (or it is a
    blank: a unit has not declared its inputs)."""

    other = [Section("", t._("ANNEX 4: OTHER INFORMATION (INCIDENTS, TRAINING, DRILLS)"), 2,
                     other_information(t, r))] if r.other or not r.other_known else []
    return [_part1(t, r), *_part2(t, r), _part3(t, r), _annex1(t, r), _annex2(t, r),
            *annex_sections(t, list(r.rows), "", t._(
                "ANNEX 3: IMPLEMENTATION OF THE CYBER-SECURITY PLAN PER CRITERION AND "
                "REQUIREMENT")), *other]


def subject_line(t: Text) -> str:
    """The form's "V/v" line."""

    return t.msg(T("Re: results of cyber-security protection of information systems"))
