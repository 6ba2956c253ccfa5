"""Build the annual report from the facts of its systems (``build_report``), lay it out as a
document for the dossier writers (``report_document``), and serialise it
(``report_json``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..dossier.model import Dossier
from ..messages import T
from ..particulars import Party
from .common import Text, cover
from .derive import Gaps, all_approved_by, form08_checks, system_row, totals
from .form08 import form08_sections, subject_line
from .model import AnnualReport, OwnerBlock, SystemFacts
from .period import MINISTRY, period
from .tt12 import tt12_sections

REGIMES = ("nd85-tt12", "law116-nd331")
JSON_SCHEMA = "attt.annual-report/1"


@dataclasses.dataclass(frozen=True)
class Scope:
    """Who reports to whom: the owner to the ministry, or one unit to the owner."""

    level: str  # unit | owner
    unit: str  # unit id, "" for the owner
    issuer: str
    parent: str
    addressee: str
    owner: Party
    security_unit: Party
    operators: tuple[Party, ...]


def owner_scope(org_owner: Party, security_unit: Party, org_name: str, regime: str,
                operators: Sequence[Party]) -> Scope:
    """The owner's report, sent to the ministry of the regime."""

    return Scope("owner", "", org_owner.name or org_name, "", MINISTRY[regime], org_owner,
                 security_unit, tuple(operators))


def unit_scope(unit_id: str, unit: Party, org_owner: Party, security_unit: Party,
               org_name: str) -> Scope:
    """A unit's report to the system owner."""

    owner_name = org_owner.name or org_name
    return Scope("unit", unit_id, unit.name, owner_name, owner_name, org_owner, security_unit,
                 (unit,))


def _owners(scope: Scope, facts: Sequence[SystemFacts]) -> tuple[OwnerBlock, ...]:
    """Form 08 Part 2: the organisation's owner first, then any other owner the systems
    name (with the owner and security unit their inventory describes)."""

    blocks = [OwnerBlock(scope.owner, scope.security_unit)]
    seen = {scope.owner.name}
    for f in facts:
        if f.owner and f.owner not in seen:
            seen.add(f.owner)
            owner = f.owner_party if f.owner_party.name == f.owner else Party(name=f.owner)
            blocks.append(OwnerBlock(owner, f.security_unit))
    return tuple(blocks)


def build_report(facts: Sequence[SystemFacts], scope: Scope, year: int, regime: str,
                 today: dt.date, lang: str = "vi") -> AnnualReport:
    """The report model: rows, totals, blanks (with where to fill them) and checks."""

    p = period(year, scope.level)
    gaps = Gaps(lang)
    rows = [system_row(f, (p.start, p.end), regime, gaps) for f in facts]
    counts = totals(rows)
    done, by = all_approved_by(rows)
    checks = form08_checks(rows, counts, lang) if regime == "law116-nd331" else []
    return AnnualReport(
        year=year, regime=regime, level=scope.level, unit=scope.unit, issuer=scope.issuer,
        parent=scope.parent, addressee=scope.addressee, start=p.start, end=p.end,
        deadline=p.deadline, deadline_state=p.state(today), today=today,
        owners=_owners(scope, facts), operators=scope.operators, rows=tuple(rows),
        totals=counts, all_approved_by=by, all_approved=done, gaps=tuple(gaps.items),
        checks=tuple(checks))


def report_document(r: AnnualReport, lang: str = "vi") -> Dossier:
    """The report as the DOCX and HTML writers of the dossier lay out."""

    t = Text(lang)
    if r.regime == "law116-nd331":
        sections = form08_sections(t, r)
        subtitle = t.msg(T("Results of cyber-security protection of information systems in "
                           "{year}", year=r.year))
        c = cover(t, r, t._("REPORT"), subtitle, subject_line(t))
    else:
        sections = tt12_sections(t, r)
        subtitle = t.msg(T("Results of level-based information-system security in {year}",
                           year=r.year))
        c = cover(t, r, t._("REPORT"), subtitle)
    return Dossier(system="", regime=r.regime, level=0, lang=lang,
                   title=f"{c.title} - {subtitle}", cover=c, sections=tuple(sections),
                   rows=(), gaps=(), generated="")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def report_json(r: AnnualReport) -> dict[str, Any]:
    """annual-report.json: the model, dates as ISO strings, codes untranslated."""

    data = _plain(dataclasses.asdict(r))
    assert isinstance(data, dict)
    return {"schema": JSON_SCHEMA, **data}
