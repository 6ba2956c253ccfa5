"""attt inventory -> Ansible YAML inventory and the overlay that gives its systems back.

Groups: ``sys_<system>`` per system, ``zone_<system>_<zone>`` per zone, ``role_<role>``
per host role; host variables: ansible_host, ansible_port (when not 22), ansible_user,
ansible_ssh_private_key_file, ansible_become (attt's sudo), ansible_connection (local,
winrm), and ``attt_options`` / ``attt_tags`` for what Ansible has no variable for.
``dir:`` and ``collected`` hosts have no Ansible form: they are left out and named.
Reading the two files back (``attt scan -i hosts.yml --systems hosts.systems.yaml``)
gives the same systems and hosts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError
from .inventory_loader import load_inventory
from .messages import T
from .model import Host
from .yamlio import load_file

EXPORTED = ("ssh", "local", "winrm")
_OPTIONS_AS_VARS = ("key_file", "sudo")


def group_name(*parts: str) -> str:
    """An Ansible group name (letters, digits, underscores) from attt names."""

    return "_".join(re.sub(r"[^A-Za-z0-9_]", "_", p) for p in parts)


@dataclass
class Export:
    """The two documents written, and the hosts left out."""

    inventory: dict[str, Any]
    overlay: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def _host_vars(host: Host) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if host.transport == "local":
        out["ansible_connection"] = "local"
    else:
        out["ansible_host"] = host.address
        if host.transport == "winrm":
            out["ansible_connection"] = "winrm"
        if host.port != 22 or host.transport == "winrm":
            out["ansible_port"] = host.port
    if host.user:
        out["ansible_user"] = host.user
    if "key_file" in host.options:
        out["ansible_ssh_private_key_file"] = host.options["key_file"]
    if "sudo" in host.options:
        out["ansible_become"] = bool(host.options["sudo"])
    rest = {k: v for k, v in host.options.items() if k not in _OPTIONS_AS_VARS}
    if rest:
        out["attt_options"] = rest
    if host.tags:
        out["attt_tags"] = list(host.tags)
    return out


def export_ansible(path: str) -> Export:
    """Both documents for the attt inventory at ``path``."""

    inv = load_inventory(path)
    raw = load_file(path)
    base = os.path.dirname(os.path.abspath(path))
    children: dict[str, Any] = {}
    host_vars: dict[str, dict[str, Any]] = {}
    overlay_systems: list[dict[str, Any]] = []
    skipped: list[str] = []
    for raw_system, system in zip(raw["systems"], inv.systems, strict=True):
        sys_group = group_name("sys", system.name)
        members: dict[str, Any] = {}
        roles: dict[str, list[str]] = {}
        zones: dict[str, str] = {}
        for host in system.hosts:
            if host.transport not in EXPORTED:
                skipped.append(host.key)
                continue
            variables = _host_vars(host)
            if host.name in host_vars and host_vars[host.name] != variables:
                raise InputError(path, "systems", T(
                    "host {host} appears in two systems with different settings; an Ansible "
                    "inventory keeps one set of variables per host", host=repr(host.name)))
            host_vars[host.name] = variables
            members[host.name] = None
            for role in host.roles:
                roles[group_name("role", role)] = [role]
                _add(children, group_name("role", role), host.name)
            if host.zone:
                zgroup = group_name("zone", system.name, host.zone)
                zones[zgroup] = host.zone
                _add(children, zgroup, host.name)
        children[sys_group] = {"hosts": members}
        entry = {k: v for k, v in raw_system.items() if k != "hosts"}
        for key in ("evidence", "coverage"):
            if entry.get(key):
                entry[key] = os.path.normpath(os.path.join(base, str(entry[key])))
        entry["groups"] = [sys_group]
        if roles:
            entry["roles_by_group"] = dict(sorted(roles.items()))
        if zones:
            entry["zone_by_group"] = zones
        overlay_systems.append(entry)
    # Variables once per host, under the system group that lists it first.
    for gname in sorted(children, key=lambda g: not g.startswith("sys_")):
        group = children[gname]
        for name in group["hosts"]:
            if name in host_vars:
                group["hosts"][name] = host_vars.pop(name) or None
    overlay: dict[str, Any] = {"systems": overlay_systems}
    if inv.known_hosts:
        overlay["known_hosts"] = inv.known_hosts
    return Export({"all": {"children": children}}, overlay, skipped)


def _add(children: dict[str, Any], group: str, host: str) -> None:
    children.setdefault(group, {"hosts": {}})["hosts"][host] = None
