"""An Ansible inventory plus attt's overlay (``--systems systems.yaml``) -> attt Inventory.

The overlay adds what Ansible does not know.  Each entry of its ``systems:`` is an attt
system (name, owner, level, regime, zones, evidence, rules ... as in an attt inventory)
without ``hosts:``, plus:

- ``groups:`` the Ansible groups making up the system (children included);
- ``roles_by_group:`` {group: [roles]} (a host's roles: the union over its groups;
  ``server`` when none applies);
- ``zone_by_group:`` {group: zone} (a host in groups giving two zones is an error).

Without an overlay: one system per top-level group (the children of ``all``; hosts in no
group form the system ``ungrouped``) when every host is in at most one of them, otherwise
one system named after the file; level 2, regime nd85-tt12 (``--level`` overrides).

The document built is validated by the same code as an attt inventory file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from .ansible_inventory import AnsibleInventory, Issues, host_entry, read_ansible
from .errors import InputError
from .inventory_loader import ROLES, SYSTEM_KEYS, inventory_from_data
from .messages import Msg, T
from .model import Inventory
from .yamlio import Node, load_file

OVERLAY_KEYS = ("groups", "roles_by_group", "zone_by_group")
DEFAULT_LEVEL = 2


def load_ansible(path: str, overlay: str = "") -> Inventory:
    """An attt Inventory from an Ansible inventory and (optionally) its overlay."""

    ans = read_ansible(path)
    issues = Issues()
    entries = {h.name: host_entry(ans, h, issues) for h in ans.hosts}
    notes: list[Msg] = []
    if overlay:
        doc, left_out = _with_overlay(ans, entries, overlay)
        source, base_dir = overlay, os.path.dirname(os.path.abspath(overlay))
        if left_out:
            notes.append(T("Ansible inventory {file}: {count} host(s) in no system of the "
                           "overlay, not scanned: {hosts}.", file=ans.path, count=len(left_out),
                           hosts=", ".join(left_out[:10])))
    else:
        doc, note = _without_overlay(ans, entries)
        source, base_dir = ans.path, os.path.dirname(ans.path)
        notes.append(note)
    inv = inventory_from_data(doc, source, base_dir)
    return replace(inv, source=ans.path, notes=(*notes, *issues.messages(ans.path)))


def _with_overlay(
    ans: AnsibleInventory, entries: dict[str, dict[str, Any]], overlay: str
) -> tuple[dict[str, Any], list[str]]:
    node = Node(load_file(overlay), overlay)
    node.allow("known_hosts", "systems")
    systems: list[dict[str, Any]] = []
    placed: set[str] = set()
    for snode in node.items("systems"):
        snode.allow(*(k for k in SYSTEM_KEYS if k != "hosts"), *OVERLAY_KEYS)
        groups = snode.texts("groups")
        if not groups:
            raise snode.error("groups", T("required: the Ansible groups of this system"))
        for i, group in enumerate(groups):
            _known_group(ans, snode, f"groups[{i}]", group)
        roles = _roles_by_group(ans, snode)
        zones = _zone_by_group(ans, snode)
        hosts = []
        for h in ans.hosts:
            if not set(groups) & set(h.groups):
                continue
            placed.add(h.name)
            entry = dict(entries[h.name])
            found = sorted({r for g in h.groups for r in roles.get(g, ())}, key=ROLES.index)
            if found:
                entry["roles"] = found
            zone_of = {zones[g]: g for g in h.groups if g in zones}
            if len(zone_of) > 1:
                raise snode.error("zone_by_group", T(
                    "host {host} is in groups giving different zones: {groups}",
                    host=h.name, groups=sorted(zone_of.values())))
            if zone_of:
                entry["zone"] = next(iter(zone_of))
            hosts.append(entry)
        system = {k: v for k, v in snode.data.items() if k not in OVERLAY_KEYS}
        systems.append({**system, "hosts": hosts})
    doc: dict[str, Any] = {"systems": systems}
    if node.has("known_hosts"):
        doc["known_hosts"] = node.text("known_hosts")
    return doc, [h.name for h in ans.hosts if h.name not in placed]


def _known_group(ans: AnsibleInventory, node: Node, key: str, group: str) -> None:
    if group not in ans.groups or group == "all":
        raise node.error(key, T("no group {group} in the Ansible inventory (have: {known})",
                                group=repr(group),
                                known=sorted(g for g in ans.groups if g != "all")))


def _roles_by_group(ans: AnsibleInventory, snode: Node) -> dict[str, tuple[str, ...]]:
    mapping = snode.mapping("roles_by_group")
    out: dict[str, tuple[str, ...]] = {}
    for group in mapping.data:
        name = str(group)
        _known_group(ans, mapping, name, name)
        roles = mapping.texts(name)
        for i, role in enumerate(roles):
            if role not in ROLES:
                raise mapping.error(f"{name}[{i}]", T("unknown role {role} (known: {known})",
                                                       role=repr(role), known=ROLES))
        out[name] = roles
    return out


def _zone_by_group(ans: AnsibleInventory, snode: Node) -> dict[str, str]:
    mapping = snode.mapping("zone_by_group")
    zone_names = {str(z.get("name")) for z in snode.raw("zones") or [] if isinstance(z, dict)}
    out: dict[str, str] = {}
    for group in mapping.data:
        name = str(group)
        _known_group(ans, mapping, name, name)
        zone = mapping.text(name)
        if zone not in zone_names:
            raise mapping.error(name, T("no zone {zone} in this system's zones",
                                        zone=repr(zone)))
        out[name] = zone
    return out


def _without_overlay(
    ans: AnsibleInventory, entries: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], Msg]:
    tops = set(ans.top_groups)
    by_top: dict[str, list[dict[str, Any]]] = {}
    split = True
    for h in ans.hosts:
        mine = [g for g in h.groups if g in tops]
        if len(mine) > 1:
            split = False
            break
        by_top.setdefault(mine[0] if mine else "ungrouped", []).append(entries[h.name])
    if not ans.hosts:
        raise InputError(ans.path, "", T("the Ansible inventory has no host"))
    stem = os.path.splitext(os.path.basename(ans.path))[0] or "ansible"
    if not split:
        by_top = {stem: [entries[h.name] for h in ans.hosts]}
        note = T("Ansible inventory {file} read without --systems: hosts belong to several "
                 "top-level groups, so all {count} hosts form one system {system} at level "
                 "{level} (give an overlay with --systems to describe the systems).",
                 file=ans.path, count=len(ans.hosts), system=stem, level=DEFAULT_LEVEL)
    else:
        note = T("Ansible inventory {file} read without --systems: one system per top-level "
                 "group ({systems}) at level {level} (give an overlay with --systems to "
                 "describe the systems).", file=ans.path, systems=", ".join(sorted(by_top)),
                 level=DEFAULT_LEVEL)
    systems = [{"name": name, "level": DEFAULT_LEVEL, "hosts": hosts}
               for name, hosts in sorted(by_top.items())]
    return {"systems": systems}, note
