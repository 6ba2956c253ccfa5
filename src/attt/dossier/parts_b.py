"""Part B of the dossier: the proposed level and its explanation (criteria, risks, levels 4-5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..i18n import N_
from ..level_suggest import Criterion, Suggestion
from ..model import System
from ..particulars import Particulars
from .context import Ctx
from .labels import AUTHORITY, INFO_LABELS, SCOPE_LABELS, SYSTEM_TYPE_LABELS, Wording
from .model import MISSING, Block, Fields, Para, Section, Table


def _criteria_table(c: Ctx, crits: Sequence[Criterion]) -> Table:
    _ = c._
    rows = []
    for cr in crits:
        # "(*)": paraphrase not yet checked against the official text, a working note.
        mark = "" if cr.confidence == "research-note" or c.final else " (*)"
        meaning = cr.meaning_vi if c.vi else cr.meaning_en
        rows.append((str(cr.level), cr.reference(c.lang) + mark, meaning))
    return Table((_("Level"), _("Legal basis"), _("Criterion met")), tuple(rows), (8, 32, 60))



def part_b(c: Ctx, system: System, p: Particulars, sug: Suggestion | None,
            w: Wording) -> list[Section]:
    """Part B: the proposed level and its explanation."""

    _ = c._
    out = [Section("B", _("Part B. Proposed level") + f" ({_(w.part_b)})", 1)]
    rs = sug.for_regime(system.regime) if sug else None
    basis = "; ".join(cr.reference(c.lang) for cr in rs.basis) if rs else ""
    if not basis:
        c.gap("B.1", _("legal basis of the proposed level (classification answers)"),
              "classification")
    appraiser, approver = AUTHORITY[system.level]
    out.append(Section("B.1", _("Systems and proposed levels"), 2, (
        Table((_("System"), _("Owner"), _("Operating unit"), _("Proposed level"),
               _("Basis (article, clause, point)")),
              ((p.title or system.name, p.owner.name or MISSING, p.operator.name or MISSING,
                str(system.level), basis or MISSING),), (26, 18, 18, 10, 28)),
        Fields(((_("Appraised by"), _(appraiser)), (_("Approved by"), _(approver)))),
    )))
    blocks: list[Block] = []
    a = sug.answers if sug else None
    if a is None:
        blocks.append(Para(c.need("", "B.2", N_("information types, system type and criteria"),
                                  "classification")))
    else:
        info = ", ".join(_(INFO_LABELS[i]) for i in a.information)
        rows = [
            (_("Information processed"), info),
            (_("System type"), _(SYSTEM_TYPE_LABELS[a.system_type])),
            (_("Users"), f"{a.users:,}".replace(",", ".")),
            (_("Personal-data subjects"), f"{a.subjects:,}".replace(",", ".")),
            (_("Infrastructure scope"), _(SCOPE_LABELS[a.scope])),
            (_("Online public-service level"), str(a.public_service_level or "-")),
            (_("Must run 24/7"), _("yes") if a.operation_24x7 else _("no")),
        ]
        if w.decree331:
            rows.append((_("Sensitive personal-data subjects"), str(a.sensitive_data_subjects)))
            rows.append((_("Handles administrative procedures"),
                         _("yes") if a.handles_procedures else _("no")))
        blocks.append(Fields(tuple(rows)))
        assert rs is not None
        blocks.append(Para(_("Criteria met (the proposed level is the highest level whose "
                             "criterion is met):")))
        blocks.append(_criteria_table(c, rs.matched))
        if not c.final and any(cr.confidence != "research-note" for cr in rs.matched):
            blocks.append(Para(_("(*) Paraphrase of the article not yet checked against the "
                                 "official text; verify before filing."), "note"))
        blocks.append(Para(_("Level by the criteria: {level}; proposed level: {proposed}.")
                           .format(level=rs.level, proposed=system.level), "basis"))
        if rs.level > system.level:
            c.gap("B.2", _("the proposed level {proposed} is lower than the criteria give "
                           "({level}); raise it or correct the classification").format(
                               proposed=system.level, level=rs.level), "level")
            blocks.append(Para(_("The proposed level is lower than the criteria give."), "warn"))
        if w.decree331:
            blocks.append(Para(_("Decree 331 Art. 8.3: the scope must not be split or merged to "
                                 "lower the level; Art. 10.5: a higher risk-assessment result "
                                 "forces the higher level."), "note"))
    out.append(Section("B.2", _("Detailed explanation"), 2, tuple(blocks)))
    if w.decree331:
        if p.threats:
            risk: Block = Table((_("Scenario"), _("Threat actor"), _("Vector"), _("Impact"),
                                 _("Existing controls")),
                                tuple(tuple(t[k] for k in ("scenario", "actor", "vector",
                                                           "impact", "controls"))
                                      for t in p.threats), (24, 14, 18, 22, 22))
        else:
            risk = Para(c.need("", "B.3", N_("main risks and threats with expected impact"),
                               "threats"))
        out.append(Section("B.3", _("Preliminary risk identification (Decree 331 Art. 22.4.c)"),
                           2, (risk,)))
    if system.level >= 4:
        num = "B.4"
        out.append(Section(num, _("Additional content for levels 4 and 5"), 2))
        out.append(_rows_section(c, f"{num}.1", _("Related and connected systems"),
                                 p.connected_systems,
                                 (("name", _("System")), ("owner", _("Owner")),
                                  ("relation", _("Relation")), ("data", _("Data exchanged")),
                                  ("impact", _("Effect if it fails"))),
                                 "connected_systems", N_("related and connected systems")))
        out.append(_rows_section(c, f"{num}.2", _("Attack threats and their impact"), p.threats,
                                 (("scenario", _("Scenario")), ("actor", _("Threat actor")),
                                  ("vector", _("Vector")), ("impact", _("Impact")),
                                  ("controls", _("Existing controls"))),
                                 "threats", N_("attack threats and their impact")))
        out.append(_rows_section(c, f"{num}.3", _("Impact on society and national security"),
                                 p.impacts,
                                 (("aspect", _("Aspect")), ("scope", _("Scope")),
                                  ("severity", _("Severity")), ("reasoning", _("Reasoning"))),
                                 "impacts", N_("impact on public interest, order and security")))
        h = p.availability_24x7
        if h:
            labels = {"reason": _("Reason"), "consequence": _("Consequence of an unplanned stop"),
                      "rto": "RTO", "rpo": "RPO", "failover": _("Failover arrangement")}
            b24: Block = Fields(tuple((labels[k], v) for k, v in h.items()))
        elif a is not None and not a.operation_24x7:
            b24 = Para(_("The system is not required to run 24/7."))
        else:
            b24 = Para(c.need("", f"{num}.4", N_("justification of 24/7 operation"),
                              "availability_24x7"))
        out.append(Section(f"{num}.4", _("Justification of 24/7 operation"), 3, (b24,)))
    return out



def _rows_section(c: Ctx, number: str, title: str, rows: Sequence[Mapping[str, str]],
                  cols: Sequence[tuple[str, str]], key: str, what: str) -> Section:
    if not rows:
        return Section(number, title, 3, (Para(c.need("", number, what, key)),))
    return Section(number, title, 3, (Table(tuple(label for _k, label in cols),
                                            tuple(tuple(r[k] for k, _l in cols) for r in rows)),))
