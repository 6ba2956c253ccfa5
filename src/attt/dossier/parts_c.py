"""Part C of the dossier: the protection plan (principles, plan tables, remediation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..clauses import clause_text
from ..i18n import N_
from ..model import Profile, Requirement, System
from ..particulars import Particulars
from .context import Ctx, fmt_date
from .labels import GROUPS, NOT_MET, PLAN_PARTS, STATUS_LABELS, Wording
from .model import MISSING, Block, Fields, Para, PlanRow, Section, Table


def _plan_table(c: Ctx, rows: Sequence[PlanRow], reqs: Mapping[str, Requirement],
                level: int) -> Table:
    _ = c._
    out = []
    for r in rows:
        req = reqs[r.requirement_id]
        out.append((r.requirement_id, clause_cell(c, req), req.title_vi if c.vi else req.title_en,
                    r.solution or MISSING, _(STATUS_LABELS[r.status]), r.evidence))
    return Table((_("Item"), _("Clause"), _("Requirement"), _("Solution in place"),
                  _("Status"), _("Evidence")), tuple(out), (12, 11, 22, 25, 10, 20),
                 tuple(r.status for r in rows), "plan")



def clause_cell(c: Ctx, req: Requirement) -> str:
    """The requirement's clauses in words, one per line; the form of compliance (a product,
    a plan...) is a working note of the catalogue, left out of the filed document."""

    clauses = {k: v for k, v in req.clauses.items() if not (c.final and k == "product_rule")}
    return clause_text(clauses, c.lang, "\n")


def part_c(c: Ctx, system: System, profile: Profile, p: Particulars, rows: Sequence[PlanRow],
            w: Wording, scanned: str, scanned_any: bool = True) -> list[Section]:
    """Part C: the protection plan, one row per requirement."""

    _ = c._
    reqs = {r.id: r for r in profile.requirements}
    out = [Section("C", f"{_(w.plan_title)} ({_(w.part_c)})", 1)]
    std = _(w.standard).format(n=system.level + w.clause_offset)
    principles: list[Block] = [
        Fields(((_("Requirements applied"), f"{profile.title_vi} ({profile.id})"),
                (_("Standard and clause for the level"), std),
                (_("Scan status"), scanned))),
        Para(_("Physical security is outside the basic requirements (TT12 Art. 9.2 / Decree 331 "
               "Art. 30.2).")),
        Para(_("Levels 1-3: shared protection solutions and resources are reused where possible.")
             if system.level <= 3 else
             _("Levels 4-5: the design ensures availability and containment, so that one "
               "compromised component does not take down the whole system.")),
    ]
    if p.lifecycle in ("new", "upgrade"):
        principles.append(Para(_("The approved plan is implemented in full before go-live "
                                 "({date}).").format(date=fmt_date(p.go_live) or MISSING)))
    reg = p.regulation
    reg_text = (f"{reg.number} {reg.title}".strip() + (f" ({fmt_date(reg.date)})"
                                                        if reg.date else "")
                if reg.number or reg.title else "")
    principles.append(Fields(((_("Security regulation (quy chế), issued before approval"),
                                c.need(reg_text, "C.0", N_("security regulation (quy chế): "
                                                           "decision number and date"),
                                       "regulation")),)))
    if p.go_live and reg.date and reg.date > p.go_live and p.lifecycle in ("new", "upgrade"):
        principles.append(Para(_("The security regulation is dated after go-live."), "warn"))
    out.append(Section("C.0", _("Principles and scope"), 2, tuple(principles)))
    for number, part, heading in (("C.1", "management", _("Management requirements")),
                                  ("C.2", "technical", _("Technical requirements"))):
        out.append(Section(number, heading, 2))
        groups: list[str] = []
        for r in rows:
            if r.part == part and r.group not in groups:
                groups.append(r.group)
        for i, g in enumerate(groups, 1):
            grows = [r for r in rows if r.group == g]
            gtitle = _(GROUPS[g][1]) if g in GROUPS else g
            out.append(Section(f"{number}.{i}", gtitle, 3, (_plan_table(c, grows, reqs,
                                                                        system.level),)))
        blank = [r.requirement_id for r in rows if r.part == part and not r.solution]
        if blank:
            c.gap(number, _("solution in place for {count} requirements: {ids}").format(
                count=len(blank), ids=", ".join(blank)), "solutions / evidence")
    # Numbers follow tools/regulation/dossier.md §5.2 (C.3 and C.4 only where they apply).
    if w.decree331:
        ids_by_group: dict[str, list[str]] = {}
        for r in rows:
            ids_by_group.setdefault(r.group, []).append(r.requirement_id)
        prow = []
        for letter, name, groups_of in PLAN_PARTS:
            ids = [i for g in groups_of for i in ids_by_group.get(g, [])]
            gnames = ", ".join(_(GROUPS[g][1]) for g in groups_of)
            prow.append((f"{letter})", _(name), gnames, str(len(ids))))
        out.append(Section("C.3", _("Plan parts (Decree 331 Art. 29.2)"), 2, (Table(
            (_("Part"), _("Content"), _("Requirement groups implementing it"),
             _("Requirements")), tuple(prow), (8, 30, 50, 12)),)))
    if p.hosting in ("rented_dc", "cloud"):
        physical = system.level >= w.physical_from_level
        text = (_("Rented data centre or cloud: physical separation of the system, its storage "
                  "and main network devices is required (TT12 Art. 9.10 / Decree 331 Art. 30.9).")
                if physical else
                _("Rented data centre or cloud: logical separation of the system, its zones and "
                  "its storage is required (TT12 Art. 9.9 / Decree 331 Art. 30.8)."))
        out.append(Section("C.4", _("Separation on rented infrastructure"), 2, (Para(text),)))
    todo = [r for r in rows if r.status in NOT_MET]
    rem_rows = []
    incomplete = []
    for r in todo:
        req = reqs[r.requirement_id]
        if not (r.action and r.responsible and r.deadline):
            incomplete.append(r.requirement_id)
        rem_rows.append((r.requirement_id, req.title_vi if c.vi else req.title_en,
                         _(STATUS_LABELS[r.status]), r.action or MISSING,
                         r.responsible or MISSING, r.deadline or MISSING))
    if incomplete:
        c.gap("C.5", _("action, owner and deadline for requirements not met: {ids}").format(
            ids=", ".join(incomplete)), "solutions.<id>.action/responsible/deadline")
    rem: list[Block] = [Table((_("Item"), _("Requirement"), _("Status"), _("Action"),
                               _("Responsible"), _("Deadline")), tuple(rem_rows),
                              (13, 27, 12, 24, 12, 12))] if rem_rows else [
        Para(_("No requirement is reported as not met by the last scan.") if scanned_any
             else _("No scan results yet: the remediation plan follows the first scan."))]
    out.append(Section("C.5", _("Remediation plan"), 2, tuple(rem)))
    return out
