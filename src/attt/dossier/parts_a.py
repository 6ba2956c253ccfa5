"""Part A of the dossier: overview of the system (parties, scope and scale, architecture)."""

from __future__ import annotations

from ..i18n import N_
from ..model import System
from ..network.zones import CONDITIONAL, LEVEL_MINIMUM
from ..particulars import Particulars, Party
from .context import Ctx, fmt_date
from .labels import EXPOSURE_LABELS, ZONE_ROLE_LABELS, Wording
from .model import MISSING, Block, Fields, Para, Section, Table


def _label(c: Ctx, labels: dict[str, str], code: str) -> str:
    """A code's translated label (the code itself when attt has none)."""

    return c._(labels[code]) if code in labels else code


def _party_fields(c: Ctx, party: Party, number: str, key: str, owner: bool) -> Fields:
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



def part_a(c: Ctx, system: System, p: Particulars, w: Wording) -> list[Section]:
    """Part A: overview of the information system."""

    _ = c._
    title = p.title or system.description or system.name
    # The inventory name helps the officer find the system; the authority has no use for it.
    intro = (_("System: {title}.").format(title=title) if c.final else
             _("System: {title} (inventory name: {name}).").format(title=title, name=system.name))
    out = [Section("A", _("Part A. Overview of the information system") + f" ({_(w.part_a)})", 1,
                   (Para(intro),))]
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
                         s.location, s.purpose, _label(c, EXPOSURE_LABELS, s.exposure),
                         s.ports))
    if not p.services:
        c.gap("A.5.2", _("application and service list"), "services")
    out.append(Section("A.5.2", _("Applications and services"), 3, (Table(
        (_("No."), _("Service"), _("Host servers"), _("Server OS"), _("Location"), _("Purpose"),
         _("Exposure"), _("Ports")),
        tuple(svc_rows), (6, 16, 13, 14, 14, 19, 9, 9)),)))
    zone_rows = []
    for i, z in enumerate(p.zones, 1):
        zone_rows.append((str(i), z.name, _label(c, ZONE_ROLE_LABELS, z.role),
                          z.description or MISSING,
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
                                .format(roles=", ".join(_label(c, ZONE_ROLE_LABELS, r)
                                                        for r in lacking)), "warn"))
    unzoned = [h.name for h in system.hosts if not h.zone]
    if unzoned and p.zones:
        c.gap("A.5.3", _("zone of hosts: {names}").format(names=", ".join(unzoned)),
              "hosts[].zone")
    out.append(Section("A.5.3", _("Network zones and IP plan"), 3, tuple(zone_blocks)))
    dd = p.design_doc
    design = Fields((
        (_("Title"), c.need(dd.title, "A.5.4", N_("design document"), "design_doc.title")),
        (_("Number"), dd.number or MISSING),
        (_("Date"), fmt_date(dd.date) or MISSING),
        (_("Approved by"), dd.approver or MISSING),
    ))
    kind = (_("preliminary design (new or upgraded system)") if p.lifecycle in ("new", "upgrade")
            else _("approved construction or detailed design, or equivalent document"))
    out.append(Section("A.5.4", _("Design document (attached)"), 3,
                       (Para(_("Kind: {kind}.").format(kind=kind)), design)))
    return out
