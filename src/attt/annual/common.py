"""Shared pieces of the annual-report documents: the cover (issuer, motto, number, date,
deadline), party blocks, document references and the per-requirement annex."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..dossier.model import BLANK, Block, Cover, Fields, Para, Section, Table
from ..i18n import gettext_for
from ..messages import Joined, Msg, T
from ..particulars import DocRef, Party
from .labels import OTHER_LABELS, REQUIREMENT_MET, REQUIREMENT_NOT_MET
from .model import AnnualReport, SystemRow
from .period import period


class Text:
    """The report language: gettext for fixed labels, ``msg`` for parameterised ones."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._ = gettext_for(lang)

    def __call__(self, label: str) -> str:
        """A fixed label (marked with ``N_``) in the report language."""

        return self._(label)

    def msg(self, message: Msg) -> str:
        """A message in the report language."""

        return message.render(self.lang)

    def date(self, value: dt.date | None) -> str:
        """dd/mm/yyyy, or the blank."""

        return value.strftime("%d/%m/%Y") if value else BLANK


def doc_ref(t: Text, ref: DocRef | None) -> str:
    """Number, date and issuing body of a document; the blank when there is none."""

    if ref is None or not ref.number:
        return BLANK
    parts: list[Msg | str] = [T("No. {number}", number=ref.number)]
    if ref.date:
        parts.append(T("dated {date}", date=ref.date))
    if ref.approver:
        parts.append(ref.approver)
    return t.msg(Joined(parts, sep=", "))


def party_fields(t: Text, p: Party, name_label: str) -> Fields:
    """The five fields of an organisation (TT12 Art. 14.1, Form 08 Part 2)."""

    def v(value: str) -> str:
        return value or BLANK

    head = ", ".join(x for x in (p.representative, p.position) if x)
    contact = ", ".join(x for x in (p.phone, p.email) if x)
    return Fields((
        (name_label, v(p.name)),
        (t._("Document setting its functions, duties and powers"), v(p.mandate)),
        (t._("Representative, position"), v(head)),
        (t._("Contact address"), v(p.address)),
        (t._("Phone, e-mail"), v(contact)),
    ))


def cover(t: Text, r: AnnualReport, title: str, subtitle: str, subject: str = "") -> Cover:
    """Issuer block, date line, title, addressee and the period / deadline note."""

    p = period(r.year, r.level)
    note = t.msg(T("Data period: from {start} to {end}. To be sent to {addressee} before "
                   "{deadline}.", start=p.start, end=p.end, addressee=r.addressee,
                   deadline=r.deadline))
    alert = p.alert(r.today)
    recipients = (r.addressee, t._("Archived: Records office"))
    return Cover(
        parent=r.parent.upper(),
        issuer=r.issuer.upper(),
        number=t._("No.: …/BC-…"),
        place_date=t.msg(T("…, day … month … year {year}", year=r.deadline.year)),
        title=title,
        subtitle=subtitle,
        basis=(),
        notes=(note,),
        # The head signs (Decree 30): the position as declared, else the generic title.
        signer_title=r.signer_position.upper() or t._("HEAD OF THE AGENCY"),
        signer=r.signer,
        recipients=recipients,
        subject=subject,
        addressee=t.msg(T("To: {addressee}", addressee=r.addressee)),
        alert=t.msg(alert) if alert else "",
    )


def assessment_text(t: Text, row: SystemRow, kind_label: Callable[[str], str]) -> str:
    """The checks and assessments of a system in the period, attt's scans said as such."""

    lines = [t.msg(T("{kind} on {date}", kind=kind_label(k), date=d)) + (f" ({who})" if who
                                                                         else "")
             for k, d, who in row.assessments]
    lines += [t.msg(T("scanned and assessed with attt on {date}", date=d))
              for d in row.attt_runs]
    return "\n".join(lines) if lines else BLANK


def annex_sections(t: Text, rows: Sequence[SystemRow], number: str, title: str
                   ) -> list[Section]:
    """The per-requirement annex: one table per system with a complete run in the period."""

    out = [Section(number, title, 2)]
    columns = (t._("No."), t._("Requirement"), t._("Result"), t._("Plan or roadmap to complete"),
               t._("Deadline"))
    for i, row in enumerate(rows, 1):
        heading = f"{number}.{i}" if number else str(i)
        if not row.annex:
            out.append(Section(heading, row.title, 3, (Table(
                (t._("Result"),), ((t.msg(T(
                    "No complete attt scan of the system in the data period: the result per "
                    "requirement is not available.")),),)),)))
            continue
        table_rows = tuple(
            (str(j), f"{a.requirement} {a.title}".strip(),
             t._(REQUIREMENT_MET) if a.met else t._(REQUIREMENT_NOT_MET),
             "" if a.met else (a.action or BLANK), "" if a.met else (a.deadline or BLANK))
            for j, a in enumerate(row.annex, 1))
        intro = t.msg(T("Result of the attt scan and assessment of {date}: {met} of {total} "
                        "requirements fully met.", date=row.attt_runs[0], met=row.met,
                        total=row.applicable))
        out.append(Section(heading, row.title, 3, (Para(intro), Table(columns, table_rows))))
    return out


def other_information(t: Text, r: AnnualReport) -> tuple[Block, ...]:
    """Incidents, training, drills and other facts the units declared for the year; "none"
    only when every unit declared its inputs, else the blank."""

    if r.other:
        return (Table((t._("No."), t._("Unit"), t._("Kind"), t._("Date"), t._("Content"),
                       t._("Document")),
                      tuple((str(i), unit, t._(OTHER_LABELS[item.kind]),
                             t.date(item.date), item.summary,
                             doc_ref(t, item.source))
                            for i, (unit, item) in enumerate(r.other, 1))),)
    return (Para(t._("None.") if r.other_known else BLANK),)
