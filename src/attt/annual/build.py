"""Build the annual report from the facts of its systems (``build_report``), lay it out as a
document for the dossier writers (``report_document``), and serialise it
(``report_json``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from ..dossier.model import Dossier
from ..messages import Msg, T
from ..org.inputs import OtherInfo
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
    operator_units: tuple[str, ...]  # the unit id of each operator
    signer: Party  # whose head signs: the owner, or the reporting unit


def owner_scope(org_owner: Party, security_unit: Party, org_name: str, regime: str,
                operators: Sequence[tuple[str, Party]]) -> Scope:
    """The owner's report, sent to the ministry of the regime; ``operators``: (unit id,
    party) of every unit."""

    return Scope("owner", "", org_owner.name or org_name, "", MINISTRY[regime], org_owner,
                 security_unit, tuple(p for _, p in operators), tuple(u for u, _ in operators),
                 org_owner)


def unit_scope(unit_id: str, unit: Party, org_owner: Party, security_unit: Party,
               org_name: str) -> Scope:
    """A unit's report to the system owner."""

    owner_name = org_owner.name or org_name
    return Scope("unit", unit_id, unit.name, owner_name, owner_name, org_owner, security_unit,
                 (unit,), (unit_id,), unit)


def _owners(scope: Scope, facts: Sequence[SystemFacts],
            gaps: Gaps) -> tuple[OwnerBlock, ...]:
    """Form 08 Part 2: the organisation's owner first, then any other owner the systems
    name (with the owner and security unit their inventory describes; its blanks listed)."""

    blocks = [OwnerBlock(scope.owner, scope.security_unit)]
    seen = {scope.owner.name}
    for f in facts:
        if f.owner and f.owner not in seen:
            seen.add(f.owner)
            owner = f.owner_party if f.owner_party.name == f.owner else Party(name=f.owner)
            blocks.append(OwnerBlock(owner, f.security_unit))
            for party, key in ((owner, "owner"), (f.security_unit, "security_unit")):
                def where(k: str, key: str = key, f: SystemFacts = f) -> Msg:
                    return T("fill {key} of the system {system} in the inventory {file}",
                             key=key + "." + k, system=f.name, file=f.inventory_file)
                who = T("system owner") if key == "owner" else T("specialised security unit")
                _party_gaps(gaps, party, f.unit, T("{who} {name}", who=who, name=party.name),
                            where)
    return tuple(blocks)


# The fields of a party the report prints (TT12 Art. 14.1, Form 08 Part 2), in its order.
PARTY_FIELDS: tuple[tuple[str, Msg], ...] = (
    ("mandate", T("document setting its functions, duties and powers")),
    ("representative", T("representative")),
    ("position", T("position of the representative")),
    ("address", T("contact address")),
    ("phone", T("phone")),
    ("email", T("e-mail")),
)


def _party_gaps(gaps: Gaps, party: Party, unit: str, who: Msg,
                where: Callable[[str], Msg]) -> None:
    for key, field in PARTY_FIELDS:
        if not getattr(party, key):
            gaps.add_for(unit, "", T("{who}: {field}", who=who, field=field), where(key))


def _operators(scope: Scope, facts: Sequence[SystemFacts]) -> tuple[Party, ...]:
    """Each operating unit as the organisation file describes it, its blanks filled from
    the operating unit its inventories describe."""

    out = []
    for op in scope.operators:
        same = [f.operator_party for f in facts if f.operator_party.name == op.name]
        fill: dict[str, str] = {k: next((str(getattr(p, k)) for p in same if getattr(p, k)),
                                        "")
                                for k, _ in PARTY_FIELDS if not getattr(op, k)}
        out.append(dataclasses.replace(op, **fill))  # type: ignore[arg-type]
    return tuple(out)


def _all_party_gaps(gaps: Gaps, scope: Scope, org_file: str, operators: Sequence[Party],
                    units: Sequence[str]) -> None:
    _party_gaps(gaps, scope.owner, "", T("system owner"), lambda k: T(
        "fill {key} in the file {file}", key="organisation.owner." + k, file=org_file))
    _party_gaps(gaps, scope.security_unit, "", T("specialised security unit"), lambda k: T(
        "fill {key} in the file {file}", key="organisation.security_unit." + k, file=org_file))
    for op, unit in zip(operators, units, strict=True):
        def where(key: str, unit: str = unit) -> Msg:
            return T("fill {key} in the file {file}", file=org_file,
                     key="units[id=" + unit + "].contact." + key)
        _party_gaps(gaps, op, unit, T("operating unit {name}", name=op.name), where)


def _other_information(facts: Sequence[SystemFacts], gaps: Gaps
                       ) -> tuple[tuple[tuple[str, OtherInfo], ...], bool]:
    """Each unit's other information once; a unit without its inputs file for the year is a
    blank (it may have incidents, training or drills to report)."""

    seen: set[str] = set()
    out: list[tuple[str, OtherInfo]] = []
    known = True
    for f in facts:
        if f.unit in seen:
            continue
        seen.add(f.unit)
        out += [(f.unit_name, item) for item in f.unit_other]
        if not f.inputs_exists:
            known = False
            where = (T("declare it under other: in the file {file}", file=f.inputs_file)
                     if f.inputs_file else
                     T("give the unit an inputs file (inputs:) in the organisation file and "
                       "declare it under other:"))
            gaps.add_for(f.unit, "", T("other information (incidents, training, drills)"),
                         where)
    return tuple(sorted(out, key=lambda x: (x[1].date, x[0]))), known


def build_report(facts: Sequence[SystemFacts], scope: Scope, year: int, regime: str,
                 today: dt.date, lang: str = "vi", org_file: str = "organisation.yaml"
                 ) -> AnnualReport:
    """The report model: rows, totals, blanks (with where to fill them) and checks."""

    p = period(year, scope.level)
    gaps = Gaps(lang)
    operators = _operators(scope, facts)
    _all_party_gaps(gaps, scope, org_file, operators, scope.operator_units)
    rows = [system_row(f, (p.start, p.end), regime, gaps) for f in facts]
    counts = totals(rows)
    done, by = all_approved_by(rows)
    checks = form08_checks(rows, counts, lang) if regime == "law116-nd331" else []
    other, other_known = _other_information(facts, gaps)
    return AnnualReport(
        year=year, regime=regime, level=scope.level, unit=scope.unit, issuer=scope.issuer,
        signer=scope.signer.representative, signer_position=scope.signer.position,
        parent=scope.parent, addressee=scope.addressee, start=p.start, end=p.end,
        deadline=p.deadline, deadline_state=p.state(today), today=today,
        owners=_owners(scope, facts, gaps), operators=operators, rows=tuple(rows),
        totals=counts, all_approved_by=by, all_approved=done, gaps=tuple(gaps.items),
        checks=tuple(checks), other=other, other_known=other_known)


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
