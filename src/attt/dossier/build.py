"""Build the explanatory document of a level-approval dossier (tools/regulation/dossier.md §3-5).

Structure: Circular 12/2022 Art. 8.3-8.6 for ``nd85-tt12``; Decree 331/2026 Art. 22.3-22.6
(with the Art. 29.2 plan parts) for ``law116-nd331``.  Pure: inventory particulars, profile,
evidence and the last results document in; a translated ``Dossier`` out.  Everything the
inputs do not say is written as ``MISSING`` and listed as a ``Gap``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import __version__
from ..errors import InputError
from ..evidence import EvidenceSet, evaluate
from ..i18n import N_, gettext_for
from ..level_suggest import Criterion, Suggestion, suggest
from ..model import Profile, Requirement, Status, System
from ..network.zones import CONDITIONAL, LEVEL_MINIMUM
from ..particulars import Particulars, Party
from .model import MISSING, Block, Cover, Dossier, Fields, Gap, Para, PlanRow, Section, Table

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

# Requirement groups -> plan part and printed title.  TT12: the appendix headings; TCVN 14423:
# Decree 331 Art. 30.3 (management) / 30.4 (technical) as mapped in the catalogue.
GROUPS: dict[str, tuple[str, str]] = {
    "general": ("management", N_("General obligations of the regulation")),
    "nd331-obligations": ("management", N_("Obligations of Decree 331 outside the standard")),
    "policy": ("management", N_("Security policy")),
    "organisation": ("management", N_("Security organisation")),
    "human-resources": ("management", N_("Human resources")),
    "design-build": ("management", N_("Design and build")),
    "operation": ("management", N_("Operation")),
    "risk-plan": ("management", N_("Risk management")),
    "end-of-life": ("management", N_("End of operation and disposal")),
    "risk-management": ("management", N_("Risk management")),
    "hardware-assets": ("management", N_("Hardware assets")),
    "software-assets": ("management", N_("Software assets")),
    "personnel": ("management", N_("Personnel")),
    "suppliers": ("management", N_("Suppliers")),
    "incident-response": ("management", N_("Incident response")),
    "security-testing": ("management", N_("Security testing")),
    "network-zones": ("technical", N_("Network zones")),
    "design-solutions": ("technical", N_("Design solutions")),
    "network": ("technical", N_("Network security")),
    "server": ("technical", N_("Server security")),
    "application": ("technical", N_("Application security")),
    "data": ("technical", N_("Data security")),
    "information-assets": ("technical", N_("Information assets")),
    "secure-configuration": ("technical", N_("Secure configuration")),
    "accounts-access": ("technical", N_("Accounts and access control")),
    "vulnerability-mgmt": ("technical", N_("Vulnerability management")),
    "security-logging": ("technical", N_("Security logging")),
    "browser-email": ("technical", N_("Browser and e-mail protection")),
    "anti-malware": ("technical", N_("Malware protection")),
    "backup-recovery": ("technical", N_("Backup and recovery")),
    "network-infrastructure": ("technical", N_("Network infrastructure")),
    "monitoring-defence": ("technical", N_("Monitoring and defence")),
    "secure-development": ("technical", N_("Secure development")),
    "national-programmes": ("technical", N_("National programmes (advisory)")),
}
# Decree 331 Art. 29.2: the seven parts of the plan and the TCVN groups implementing each.
PLAN_PARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("a", N_("Design and build"), ("network-infrastructure", "secure-development")),
    ("b", N_("Operation"), ("hardware-assets", "software-assets", "information-assets",
                            "secure-configuration", "accounts-access", "vulnerability-mgmt",
                            "browser-email", "anti-malware", "network-infrastructure",
                            "personnel", "suppliers")),
    ("c", N_("Checking and assessment"), ("vulnerability-mgmt", "security-testing")),
    ("d", N_("Risk management"), ("risk-management",)),
    ("đ", N_("Monitoring"), ("security-logging", "monitoring-defence")),
    ("e", N_("Contingency, incident response and disaster recovery"),
     ("backup-recovery", "incident-response")),
    ("g", N_("End of operation and disposal"), ("hardware-assets",)),
)
STATUS_LABELS: dict[str, str] = {
    "met": N_("Met"),
    "partly": N_("Partly met"),
    "not_met": N_("Not met"),
    "not_applicable": N_("Not applicable"),
    "evidence_needed": N_("Document needed"),
    "error": N_("Could not be checked"),
    "waived": N_("Waived"),
    "not_scanned": N_("Not scanned"),
}
NOT_MET = ("partly", "not_met", "error")
# tools/regulation/dossier.md §1.2: who appraises and who approves, per level.
AUTHORITY: dict[int, tuple[str, str]] = {
    1: (N_("the owner's specialised security unit"), N_("the owner's specialised security unit")),
    2: (N_("the owner's specialised security unit"), N_("the owner's specialised security unit")),
    3: (N_("the owner's specialised security unit"), N_("the system owner")),
    4: (N_("the competent ministry (Ministry of Public Security)"), N_("the system owner")),
    5: (N_("the competent ministry (Ministry of Public Security)"),
        N_("the Prime Minister (list) and the system owner (plan)")),
}
SYSTEM_TYPE_LABELS = {
    "internal": N_("internal operations of the agency"),
    "citizen_business": N_("serves citizens and businesses"),
    "infrastructure": N_("information infrastructure"),
    "industrial_control": N_("industrial control system"),
}
INFO_LABELS = {
    "public": N_("public information"),
    "internal": N_("private (internal) information"),
    "personal": N_("personal data"),
    "state_secret": N_("state secrets"),
}
SCOPE_LABELS = {
    "unit": N_("one agency"),
    "sector_or_province": N_("one sector or province"),
    "nationwide": N_("nationwide"),
    "international": N_("international connection"),
}


class _Ctx:
    """Translation, gap collection and the ``MISSING`` marker while building."""

    def __init__(self, lang: str) -> None:
        self._ = gettext_for(lang)
        self.vi = lang == "vi"
        self.gaps: list[Gap] = []

    def need(self, value: str, section: str, what: str, where: str) -> str:
        if value:
            return value
        self.gaps.append(Gap(section, self._(what), where))
        return MISSING

    def gap(self, section: str, what: str, where: str) -> None:
        self.gaps.append(Gap(section, what, where))


def _fmt_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _vn_date_line(place: str, when: dt.date | None) -> str:
    where = place or "……"
    if when is None:
        return f"{where}, ngày …… tháng …… năm 20……"
    return f"{where}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"


# --------------------------------------------------------------------------- statuses


def _results_index(results: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
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
    line = " ".join(parts) + f" ({_fmt_date(doc.issued)})"
    if doc.approver:
        line += f", {doc.approver}"
    if doc.sha256:
        line += f" [sha256 {doc.sha256[:12]}…]"
    return line


def _plan_row(req: Requirement, p: Particulars, ev: EvidenceSet | None,
              results: dict[str, Mapping[str, Any]], today: dt.date) -> PlanRow:
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


# --------------------------------------------------------------------------- parts


def _party_fields(c: _Ctx, party: Party, number: str, key: str, owner: bool) -> Fields:
    _ = c._
    rows = [
        (_("Name"), c.need(party.name, number, N_("name"), f"{key}.name")),
        (_("Document stating its functions, duties and powers"),
         c.need(party.mandate, number, N_("document stating functions and duties"),
                f"{key}.mandate")),
        (_("Representative"), c.need(party.representative, number, N_("representative"),
                                      f"{key}.representative")),
        (_("Position"), c.need(party.position, number, N_("position of the representative"),
                               f"{key}.position")),
        (_("Address"), c.need(party.address, number, N_("address"), f"{key}.address")),
        (_("Telephone"), c.need(party.phone, number, N_("telephone"), f"{key}.phone")),
        (_("E-mail"), c.need(party.email, number, N_("e-mail"), f"{key}.email")),
    ]
    if owner and party.delegation:
        rows.append((_("Written delegation"), party.delegation))
    return Fields(tuple(rows))


def _part_a(c: _Ctx, system: System, p: Particulars, regime_ref: str) -> list[Section]:
    _ = c._
    out = [Section("A", _("Part A. Overview of the information system") + f" ({regime_ref})", 1,
                   (Para(_("System: {title} (inventory name: {name}).").format(
                       title=p.title or system.description or system.name, name=system.name)),))]
    out.append(Section("A.1", _("System owner"), 2,
                       (_party_fields(c, p.owner, "A.1", "owner", True),)))
    out.append(Section("A.2", _("Operating unit"), 2,
                       (_party_fields(c, p.operator, "A.2", "operating_unit", False),)))
    su_blocks: list[Block] = [_party_fields(c, p.security_unit, "A.3", "security_unit", False)]
    if p.security_unit.also_operates:
        su_blocks.append(Para(_("The specialised unit also operates the system: appraisal goes "
                                "to another capable unit or an independent council "
                                "(TT12 Art. 6 / Decree 331 Art. 18.4)."), "warn"))
    out.append(Section("A.3", _("Specialised information-security unit"), 2, tuple(su_blocks)))
    out.append(Section("A.4", _("Scope and scale"), 2))
    scope_blocks: list[Block] = [Para(c.need(p.scope, "A.4.1", N_("scope of the system"),
                                             "scope.description"))]
    if p.components:
        scope_blocks.append(Table((_("Component"),), tuple((x,) for x in p.components)))
    if p.outside:
        scope_blocks.append(Para(_("Connected systems left outside the scope:")))
        scope_blocks.append(Table(
            (_("System"), _("Relation"), _("How risk spread is controlled")),
            tuple((o["name"], o["relation"], o["control"]) for o in p.outside), (30, 30, 40)))
    out.append(Section("A.4.1", _("Scope"), 3, tuple(scope_blocks)))
    labels = {
        "internal_users": _("Internal users"), "external_accounts": _("External accounts"),
        "data_volume": _("Data volume"), "transactions": _("Transactions"),
        "sites": _("Sites"), "availability": _("Availability target"),
    }
    scale_rows = [(labels[k], v) for k, v in p.scale.items()]
    if not scale_rows:
        c.gap("A.4.2", _("scale: users, accounts, data volume, sites"), "scale")
        scale_rows = [(_("Scale"), MISSING)]
    out.append(Section("A.4.2", _("Scale"), 3, (Fields(tuple(scale_rows)),)))
    if p.audiences:
        aud: Block = Table((_("Group served"), _("Description"), _("Access channels")),
                           tuple((a["group"], a["description"], a["channels"])
                                 for a in p.audiences), (25, 50, 25))
    else:
        aud = Para(c.need("", "A.4.3", N_("audiences served and access channels"), "audiences"))
    out.append(Section("A.4.3", _("Audiences and access channels"), 3, (aud,)))

    out.append(Section("A.5", _("Architecture and components"), 2))
    dev_rows = []
    missing_dev = []
    for i, d in enumerate(p.devices, 1):
        if not (d.type and d.location and d.purpose):
            missing_dev.append(d.name)
        dev_rows.append((str(i), d.name, d.type or MISSING, d.model, str(d.qty),
                         d.location or MISSING, d.zone, d.purpose or MISSING,
                         _("yes") if d.main else ""))
    if missing_dev:
        c.gap("A.5.1", _("type, location or purpose of devices: {names}").format(
            names=", ".join(missing_dev)), "devices")
    if not p.devices:
        c.gap("A.5.1", _("device list"), "devices")
    dev_blocks: list[Block] = [Table(
        (_("No."), _("Device"), _("Type"), _("Vendor / model"), _("Qty"), _("Location"),
         _("Zone"), _("Purpose"), _("Main network device")),
        tuple(dev_rows), (6, 11, 12, 13, 5, 14, 9, 19, 11))]
    mains = [d.name for d in p.devices if d.main]
    if mains:
        dev_blocks.append(Para(_("Main network devices (TT12 Art. 3.2): {names}.").format(
            names=", ".join(mains)), "note"))
    elif system.level >= 2:
        c.gap("A.5.1", _("main network devices (core switch, central firewall, WAF ...)"),
              "devices[].main")
    out.append(Section("A.5.1", _("Device list, including main network devices"), 3,
                       tuple(dev_blocks)))
    os_of = {d.name: d.os for d in p.devices}
    svc_rows = []
    for i, s in enumerate(p.services, 1):
        os_text = s.os or ", ".join(sorted({os_of.get(h, "") for h in s.hosts} - {""}))
        if not os_text:
            c.gap("A.5.2", _("server OS of service {name}").format(name=s.name),
                  f"services[{i - 1}].os")
        svc_rows.append((str(i), s.name, ", ".join(s.hosts) or MISSING, os_text or MISSING,
                         s.location, s.purpose, s.exposure, s.ports))
    if not p.services:
        c.gap("A.5.2", _("application and service list"), "services")
    out.append(Section("A.5.2", _("Applications and services"), 3, (Table(
        (_("No."), _("Service"), _("Host servers"), _("Server OS"), _("Location"), _("Purpose"),
         _("Exposure"), _("Ports")),
        tuple(svc_rows), (6, 16, 13, 14, 14, 19, 9, 9)),)))
    zone_rows = []
    for i, z in enumerate(p.zones, 1):
        zone_rows.append((str(i), z.name, z.role, z.description or MISSING,
                          ", ".join(z.networks) or MISSING, ", ".join(z.public_ips), z.vlan))
        if not z.networks:
            c.gap("A.5.3", _("IP ranges of zone {name}").format(name=z.name),
                  f"zones[{i - 1}].networks")
        if not z.description:
            c.gap("A.5.3", _("function of zone {name}").format(name=z.name),
                  f"zones[{i - 1}].description")
    zone_blocks: list[Block] = [Table(
        (_("No."), _("Zone"), _("Role"), _("Function"), _("IP ranges"), _("Public IPs"),
         _("VLAN / VPC")), tuple(zone_rows), (6, 11, 13, 26, 20, 14, 10))]
    have = {z.role for z in p.zones}
    needed = [r for r in LEVEL_MINIMUM.get(system.level, ()) if r not in CONDITIONAL]
    lacking = [r for r in needed if r not in have]
    if lacking:
        c.gap("A.5.3", _("zones required at level {level}: {roles}").format(
            level=system.level, roles=", ".join(lacking)), "zones")
        zone_blocks.append(Para(_("Zones required at this level and not described: {roles}.")
                                .format(roles=", ".join(lacking)), "warn"))
    unzoned = [h.name for h in system.hosts if not h.zone]
    if unzoned and p.zones:
        c.gap("A.5.3", _("zone of hosts: {names}").format(names=", ".join(unzoned)),
              "hosts[].zone")
    out.append(Section("A.5.3", _("Network zones and IP plan"), 3, tuple(zone_blocks)))
    dd = p.design_doc
    design = Fields((
        (_("Title"), c.need(dd.title, "A.5.4", N_("design document"), "design_doc.title")),
        (_("Number"), dd.number or MISSING),
        (_("Date"), _fmt_date(dd.date) or MISSING),
        (_("Approved by"), dd.approver or MISSING),
    ))
    kind = (_("preliminary design (new or upgraded system)") if p.lifecycle in ("new", "upgrade")
            else _("approved construction or detailed design, or equivalent document"))
    out.append(Section("A.5.4", _("Design document (attached)"), 3,
                       (Para(_("Kind: {kind}.").format(kind=kind)), design)))
    return out


def _criteria_table(c: _Ctx, crits: Sequence[Criterion]) -> Table:
    _ = c._
    rows = []
    for cr in crits:
        mark = "" if cr.confidence == "research-note" else " (*)"
        meaning = cr.meaning_vi if c.vi else cr.meaning_en
        rows.append((str(cr.level), cr.ref + mark, meaning))
    return Table((_("Level"), _("Legal basis"), _("Criterion met")), tuple(rows), (8, 32, 60))


def _part_b(c: _Ctx, system: System, p: Particulars, sug: Suggestion | None,
            regime_ref: str) -> list[Section]:
    _ = c._
    new = system.regime == "law116-nd331"
    out = [Section("B", _("Part B. Proposed level") + f" ({regime_ref})", 1)]
    rs = sug.for_regime(system.regime) if sug else None
    basis = "; ".join(cr.ref for cr in rs.basis) if rs else ""
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
        if new:
            rows.append((_("Sensitive personal-data subjects"), str(a.sensitive_data_subjects)))
            rows.append((_("Handles administrative procedures"),
                         _("yes") if a.handles_procedures else _("no")))
        blocks.append(Fields(tuple(rows)))
        assert rs is not None
        blocks.append(Para(_("Criteria met (the proposed level is the highest level whose "
                             "criterion is met):")))
        blocks.append(_criteria_table(c, rs.matched))
        if any(cr.confidence != "research-note" for cr in rs.matched):
            blocks.append(Para(_("(*) Paraphrase of the article not yet checked against the "
                                 "official text; verify before filing."), "note"))
        blocks.append(Para(_("Level by the criteria: {level}; proposed level: {proposed}.")
                           .format(level=rs.level, proposed=system.level), "basis"))
        if rs.level > system.level:
            c.gap("B.2", _("the proposed level {proposed} is lower than the criteria give "
                           "({level}); raise it or correct the classification").format(
                               proposed=system.level, level=rs.level), "level")
            blocks.append(Para(_("The proposed level is lower than the criteria give."), "warn"))
        if new:
            blocks.append(Para(_("Decree 331 Art. 8.3: the scope must not be split or merged to "
                                 "lower the level; Art. 10.5: a higher risk-assessment result "
                                 "forces the higher level."), "note"))
    out.append(Section("B.2", _("Detailed explanation"), 2, tuple(blocks)))
    if new:
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


def _rows_section(c: _Ctx, number: str, title: str, rows: Sequence[Mapping[str, str]],
                  cols: Sequence[tuple[str, str]], key: str, what: str) -> Section:
    if not rows:
        return Section(number, title, 3, (Para(c.need("", number, what, key)),))
    return Section(number, title, 3, (Table(tuple(label for _k, label in cols),
                                            tuple(tuple(r[k] for k, _l in cols) for r in rows)),))


def _plan_table(c: _Ctx, rows: Sequence[PlanRow], reqs: Mapping[str, Requirement],
                level: int) -> Table:
    _ = c._
    out = []
    for r in rows:
        req = reqs[r.requirement_id]
        clause = "; ".join(req.clauses.values())
        out.append((r.requirement_id, clause, req.title_vi if c.vi else req.title_en,
                    r.solution or MISSING, _(STATUS_LABELS[r.status]), r.evidence))
    return Table((_("Item"), _("Clause"), _("Requirement"), _("Solution in place"),
                  _("Status"), _("Evidence")), tuple(out), (12, 11, 22, 25, 10, 20),
                 tuple(r.status for r in rows), "plan")


def _part_c(c: _Ctx, system: System, profile: Profile, p: Particulars, rows: Sequence[PlanRow],
            regime_ref: str, scanned: str) -> list[Section]:
    _ = c._
    new = system.regime == "law116-nd331"
    reqs = {r.id: r for r in profile.requirements}
    title = (_("Part C. Cyber-security protection plan") if new
             else _("Part C. Information-security assurance plan"))
    out = [Section("C", f"{title} ({regime_ref})", 1)]
    std = (_("TCVN 14423:2026, clause {n}").format(n=system.level + 2) if new
           else _("TCVN 11930:2017, clause {n}").format(n=system.level + 4))
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
                                 "({date}).").format(date=_fmt_date(p.go_live) or MISSING)))
    reg = p.regulation
    reg_text = (f"{reg.number} {reg.title}".strip() + (f" ({_fmt_date(reg.date)})"
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
    if new:
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
        physical = (system.level >= 5) if new else (system.level >= 4)
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
        Para(_("No requirement is reported as not met by the last scan."))]
    out.append(Section("C.5", _("Remediation plan"), 2, tuple(rem)))
    return out


# --------------------------------------------------------------------------- entry point


def system_results(doc: Mapping[str, Any] | None, system: str, source: str
                   ) -> Mapping[str, Any] | None:
    """The entry of ``system`` in a results document (InputError when absent)."""

    if doc is None:
        return None
    if not str(doc.get("schema", "")).startswith("attt.results/"):
        raise InputError(source, "schema", "not an attt results document")
    for i, s in enumerate(doc.get("systems") or []):
        if isinstance(s, Mapping) and s.get("name") == system:
            return s
        if not isinstance(s, Mapping):
            raise InputError(source, f"systems[{i}]", "expected a mapping")
    raise InputError(source, "systems", f"no system {system!r} in this results document")


def build_dossier(
    system: System,
    profile: Profile,
    evidence: EvidenceSet | None = None,
    results: Mapping[str, Any] | None = None,
    *,
    lang: str = "vi",
    today: dt.date | None = None,
    sources: Mapping[str, str] | None = None,
) -> Dossier:
    """``results``: the system's entry of a results document (``system_results``) plus,
    optionally, ``run`` (the run metadata) merged in by the caller under ``"_run"``."""

    today = today or dt.date.today()
    c = _Ctx(lang)
    _ = c._
    p = system.particulars or Particulars()
    new = system.regime == "law116-nd331"
    sug = suggest(p.classification) if p.classification else None
    index = _results_index(results)
    rows = [_plan_row(r, p, evidence, index, today) for r in profile.requirements]
    if results is not None:
        run = results.get("_run") or {}
        scanned = _("results of run {id} ({when})").format(
            id=run.get("id", "?"), when=str(run.get("finished") or run.get("started") or "?"))
    else:
        scanned = _("not scanned: no results.json given")
    regime_a = "Điều 22 khoản 3 NĐ 331/2026" if new else "Điều 8 khoản 3 TT 12/2022"
    regime_b = "Điều 22 khoản 4-5 NĐ 331/2026" if new else "Điều 8 khoản 4-5 TT 12/2022"
    regime_c = "Điều 22 khoản 6, Điều 29-30 NĐ 331/2026" if new else "Điều 8 khoản 6 TT 12/2022"
    sections = [
        *_part_a(c, system, p, regime_a),
        *_part_b(c, system, p, sug, regime_b),
        *_part_c(c, system, profile, p, rows, regime_c, scanned),
    ]
    gaps = list(c.gaps)
    gap_rows = tuple((str(i), g.section, g.what, g.where) for i, g in enumerate(gaps, 1))
    gap_blocks: list[Block] = [Table((_("No."), _("Section"), _("Content to add"),
                                      _("Where to fill it")), gap_rows, (6, 10, 59, 25),
                                     kind="gaps")] if gaps else [
        Para(_("No gaps: every section is filled from the inventory and evidence."))]
    sections.append(Section("", _("Gaps: content to add"), 1, tuple(gap_blocks)))

    doc = p.document
    operator = p.operator.name or system.operating_unit
    owner = p.owner.name or system.owner
    if new:
        heading = _("EXPLANATORY DOCUMENT OF THE LEVEL PROPOSAL FOR CYBER-SECURITY PROTECTION "
                    "OF AN INFORMATION SYSTEM")
        basis = (
            "Luật An ninh mạng số 116/2025/QH15",
            "Nghị định số 331/2026/NĐ-CP (Điều 21, 22; các Mẫu 01-08)",
            "TCVN 14423:2026",
        )
    else:
        heading = _("EXPLANATORY DOCUMENT OF THE SECURITY-LEVEL PROPOSAL FOR AN INFORMATION "
                    "SYSTEM")
        basis = (
            "Nghị định số 85/2016/NĐ-CP ngày 01/7/2016 (Điều 7-11, 15)",
            "Thông tư số 12/2022/TT-BTTTT ngày 12/8/2022 (Điều 8)",
            "TCVN 11930:2017",
        )
    notes = [_("Contains private information (IP plan, architecture): keep it restricted and "
               "send it over a secure channel.")]
    if profile.caveat:
        notes.append(profile.caveat)
    when = None
    if doc.get("date"):
        try:
            when = dt.date.fromisoformat(doc["date"])
        except ValueError:
            when = None
    cover = Cover(
        parent=owner.upper(),
        issuer=(operator or MISSING).upper(),
        number="Số: " + (doc.get("number") or "……/TTr-……"),
        place_date=_vn_date_line(doc.get("place", ""), when),
        title=heading,
        subtitle=_("System: {title} - proposed level {level}").format(
            title=p.title or system.description or system.name, level=system.level),
        basis=basis,
        notes=tuple(notes),
        signer_title=(doc.get("signer_title") or _("HEAD OF THE OPERATING UNIT")).upper(),
        signer=doc.get("signer", ""),
        recipients=(owner, p.security_unit.name or _("Specialised security unit"),
                    _("Archive")),
    )
    srcs = sources or {}
    generated = _("Generated by attt {version} on {date} from {sources}.").format(
        version=__version__, date=today.strftime("%d/%m/%Y"),
        sources=", ".join(f"{k}: {v}" for k, v in srcs.items()) or "-")
    return Dossier(
        system=system.name,
        regime=system.regime,
        level=system.level,
        lang=lang,
        title=f"{heading} - {p.title or system.name}",
        cover=cover,
        sections=tuple(sections),
        rows=tuple(rows),
        gaps=tuple(gaps),
        generated=generated,
        suggested_level=sug.for_regime(system.regime).level if sug else None,
    )


__all__ = ["build_dossier", "system_results"]


def status_label(code: str, lang: str) -> str:
    translate: Callable[[str], str] = gettext_for(lang)
    return translate(STATUS_LABELS[code])
