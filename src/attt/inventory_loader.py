"""Inventory YAML -> Inventory: systems, zones, hosts, group defaults, ad-hoc targets.

A host's settings are merged from ``defaults:``, then its ``group:`` from ``groups:``, then
the host entry itself; ``options`` mappings merge key by key.  Secrets never live here:
``password_env`` names an environment variable.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from .errors import InputError
from .messages import T
from .model import Host, Inventory, System, Zone, ZoneWorker
from .network.inventory import ZONE_NETWORK_KEYS, check_overlaps, system_extras, zone_extras
from .particulars import PARTICULAR_KEYS, ZONE_DETAIL_KEYS
from .particulars_loader import load_particulars, party_name
from .profile_loader import REGIMES
from .targets import valid_address
from .windows.document import peek_host, valid_computer_name
from .yamlio import Node, load_file

TRANSPORT_NAMES = ("local", "ssh", "dir", "collected", "winrm")
WINRM_AUTHS = ("negotiate", "ntlm", "kerberos")  # attt.transport.winrm.AUTHS
SHELLS = ("sh", "powershell")
ROLES = ("server", "workstation", "network-device", "database", "web", "management", "other")
HOST_KEYS = (
    "name",
    "address",
    "port",
    "user",
    "transport",
    "roles",
    "zone",
    "tags",
    "group",
    "options",
    "path",
    "shell",
)
DEFAULT_KEYS = tuple(k for k in HOST_KEYS if k not in ("name", "address", "path", "group"))
OPTION_KEYS = (
    "key_file",
    "password_env",
    "sudo",
    "sudo_password_env",
    "jump",
    "connect_timeout",
    "command_timeout",
    "max_age_days",
    "auth",
    "ssl",
    "cert_validation",
    "ca_file",
    "operation_timeout",
    "shell",
)
SYSTEM_KEYS = (
    "name",
    "owner",
    "operating_unit",
    "regime",
    "level",
    "description",
    "zones",
    "hosts",
    "evidence",
    "coverage",
    "rules",
    "vantage_points",
    "public_services",
    *PARTICULAR_KEYS,
)


def _resolve(base_dir: str, path: str) -> str:
    if not path:
        return ""
    return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))


def bundled_inventory(name: str = "localhost.yaml") -> str:
    """Path of an inventory shipped in ``attt.inventory``."""

    return str(resources.files("attt.inventory").joinpath(name))


def _merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for layer in layers:
        for k, v in layer.items():
            if k == "options" and isinstance(v, Mapping):
                out["options"] = {**out.get("options", {}), **v}
            else:
                out[k] = v
    return out


def _check_options(node: Node) -> dict[str, Any]:
    opts = node.mapping("options")
    opts.allow(*OPTION_KEYS)
    for key in ("sudo",):
        opts.boolean(key, False)
    for key in ("ssl", "cert_validation"):  # winrm
        opts.boolean(key, True)
    if opts.has("auth") and opts.raw("auth") not in WINRM_AUTHS:
        raise opts.error("auth", T("expected one of {choices}, got {value}",
                                   choices=WINRM_AUTHS, value=repr(opts.raw("auth"))))
    for key in ("connect_timeout", "command_timeout", "max_age_days", "operation_timeout"):
        if opts.has(key):
            value = opts.raw(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise opts.error(key, T("expected a positive number of seconds, got {value}",
                                        value=repr(value)))
    if opts.has("shell") and opts.raw("shell") not in SHELLS:
        raise opts.error("shell", T("expected one of {choices}, got {value}",
                                    choices=SHELLS, value=repr(opts.raw("shell"))))
    for key in ("password_env", "sudo_password_env"):
        if opts.has(key) and not opts.text(key).replace("_", "").isalnum():
            raise opts.error(key, T("expected the NAME of an environment variable"))
    return dict(opts.data)


def _host(
    node: Node,
    system: str,
    defaults: Mapping[str, Any],
    groups: Mapping[str, Mapping[str, Any]],
    base_dir: str,
    zones: set[str],
) -> Host:
    node.allow(*HOST_KEYS)
    group = node.text("group", "")
    if group and group not in groups:
        raise node.error("group", T("no group {group} in groups: ({known})", group=repr(group),
                                    known=list(groups) or T("none")))
    merged = Node(_merge(defaults, groups.get(group, {}), node.data), node.source, node.path)
    name = merged.text("name")
    transport = merged.text("transport", "ssh")
    if transport not in TRANSPORT_NAMES:
        raise node.error("transport", T("expected one of {choices}, got {value}",
                                        choices=TRANSPORT_NAMES, value=repr(transport)))
    address = merged.text("address", "")
    if transport == "dir":
        path = merged.text("path", address)
        if not path:
            raise node.error("path", T("a dir: host needs path: (the root of the tree)"))
        address = path if os.path.isabs(path) else os.path.normpath(os.path.join(base_dir, path))
    elif transport == "collected":
        path = merged.text("path", address)
        if not path:
            raise node.error("path", T("a collected host needs path: (its collector document)"))
        address = path if os.path.isabs(path) else os.path.normpath(os.path.join(base_dir, path))
    elif transport in ("ssh", "winrm"):
        if not address:
            if transport == "winrm":
                raise node.error("address", T("required for winrm hosts"))
            raise node.error("address", T("required for ssh hosts"))
        if not valid_address(address):
            raise node.error("address", T("not an IP address or host name: {value}",
                                          value=repr(address)))
    roles = merged.texts("roles") or ("server",)
    for i, role in enumerate(roles):
        if role not in ROLES:
            raise node.error(f"roles[{i}]", T("unknown role {role} (known: {known})",
                                              role=repr(role), known=ROLES))
    zone = merged.text("zone", "")
    if zone and zones and zone not in zones:
        raise node.error("zone", T("no zone {zone} in this system's zones", zone=repr(zone)))
    shell = merged.text("shell", "")
    if shell:
        if shell not in SHELLS:
            raise node.error("shell", T("expected one of {choices}, got {value}",
                                        choices=SHELLS, value=repr(shell)))
        merged = Node({**merged.data, "options": {**merged.data.get("options", {}),
                                                  "shell": shell}}, node.source, node.path)
    options = _check_options(merged)
    if "ca_file" in options:
        options["ca_file"] = os.path.expanduser(str(options["ca_file"]))
        if not os.path.isabs(options["ca_file"]):
            options["ca_file"] = os.path.normpath(os.path.join(base_dir, options["ca_file"]))
    default_port = 22
    if transport == "winrm":
        default_port = 5986 if options.get("ssl", True) else 5985
    if "key_file" in options:
        options["key_file"] = os.path.expanduser(str(options["key_file"]))
        if not os.path.isabs(options["key_file"]):
            options["key_file"] = os.path.normpath(os.path.join(base_dir, options["key_file"]))
    if "jump" in options:
        jump = str(options["jump"])
        # A chain "a,b" (ProxyJump form): every hop must name a host.
        for hop in jump.split(","):
            host_part = hop.strip().rsplit("@", 1)[-1].rsplit(":", 1)[0].strip("[]")
            if not valid_address(host_part):
                raise merged.mapping("options").error("jump", T("not a valid jump host: {value}",
                                                                value=repr(jump)))
    port = merged.integer("port", default_port, lo=1, hi=65535)
    user = merged.text("user", "")
    return Host(
        name=name,
        system=system,
        transport=transport,
        address=address,
        port=port,
        user=user,
        roles=roles,
        zone=zone,
        tags=merged.texts("tags"),
        options=options,
        connection=given_connection(address, port if merged.has("port") else None, user,
                                    options) if transport == "ssh" else {},
    )


def given_connection(
    address: str, port: int | None, user: str, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The connection settings an inventory gives for an ssh host, each with source
    ``inventory``: ssh_config (attt.ssh_config) fills only the others."""

    given: dict[str, Any] = {"hostname": address, "port": port, "user": user or None}
    for setting, option in CONNECTION_OPTIONS.items():
        given[setting] = options.get(option)
    return {k: {"value": v, "source": "inventory"} for k, v in given.items()
            if v is not None and v != ""}


# Connection settings kept in a host's options: report name -> option key.
CONNECTION_OPTIONS = {"identity_file": "key_file", "proxy_jump": "jump",
                      "connect_timeout": "connect_timeout"}


def _zone_workers(node: Node, base_dir: str) -> tuple[ZoneWorker, ...]:
    """``workers:`` of a zone: who may return its results (attt.distributed), each with the
    Ed25519 public key (``attt keys generate``) its results must be signed with."""

    from .signing import load_public_key

    out: list[ZoneWorker] = []
    for i, wnode in enumerate(node.items("workers")):
        wnode.allow("id", "public_key")
        wid = wnode.text("id")
        if not wid or not all(c.isalnum() or c in "-_." for c in wid):
            raise wnode.error("id", T("expected letters, digits, '-', '_' or '.', got {value}",
                                      value=repr(wid)))
        if any(w.id == wid for w in out):
            raise wnode.error("id", T("duplicate worker {id}", id=repr(wid)))
        path = _resolve(base_dir, wnode.text("public_key"))
        if not os.path.isfile(path):
            raise node.error(f"workers[{i}].public_key", T("no such file: {path}", path=path))
        try:
            load_public_key(path)
        except InputError:
            raise node.error(f"workers[{i}].public_key", T(
                "not an Ed25519 public key in PEM form (attt keys generate writes one)")) from None
        out.append(ZoneWorker(wid, path))
    return tuple(out)


def _zone(node: Node, base_dir: str) -> Zone:
    node.allow("name", "role", "networks", "description", "targets", "workers",
               *ZONE_DETAIL_KEYS, *ZONE_NETWORK_KEYS)
    nets = node.texts("networks")
    for i, net in enumerate(nets):
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            raise node.error(f"networks[{i}]", T("not an IP network: {value}",
                                                 value=repr(net))) from None
    zone = zone_extras(node, Zone(node.text("name"), node.text("role", node.text("name")), nets))
    return replace(zone, workers=_zone_workers(node, base_dir))


def load_inventory(path: str) -> Inventory:
    """Read and validate an inventory file; errors name the file and key path."""

    return inventory_from_data(load_file(path), path, os.path.dirname(os.path.abspath(path)))


def inventory_from_data(data: Any, path: str, base_dir: str) -> Inventory:
    """Validate an inventory document already read (an attt file, or one built from an
    Ansible inventory and its overlay); errors name ``path`` and the key path."""

    node = Node(data, path)
    node.allow("known_hosts", "defaults", "groups", "systems")
    defaults_node = node.mapping("defaults")
    defaults_node.allow(*DEFAULT_KEYS)
    _check_options(defaults_node)  # so errors name defaults.options.<key>
    groups_node = node.mapping("groups")
    groups: dict[str, Mapping[str, Any]] = {}
    for gname in groups_node.data:
        g = groups_node.mapping(str(gname))
        g.allow(*DEFAULT_KEYS)
        _check_options(g)
        groups[str(gname)] = g.data
    systems: list[System] = []
    seen_hosts: set[str] = set()
    for snode in node.items("systems"):
        snode.allow(*SYSTEM_KEYS)
        sname = snode.text("name")
        regime = snode.text("regime", "nd85-tt12")
        if regime not in REGIMES:
            raise snode.error("regime", T("expected one of {choices}, got {value}",
                                          choices=REGIMES, value=repr(regime)))
        zones = tuple(_zone(z, base_dir) for z in snode.items("zones"))
        check_overlaps(snode, zones)
        network_keys = system_extras(snode, zones, base_dir)
        zone_names = {z.name for z in zones}
        hosts = []
        for hnode in snode.items("hosts"):
            host = _host(hnode, sname, defaults_node.data, groups, base_dir, zone_names)
            if host.key in seen_hosts:
                raise hnode.error("name", T("duplicate host {host}", host=host.key))
            seen_hosts.add(host.key)
            hosts.append(host)
        if any(s.name == sname for s in systems):
            raise snode.error("name", T("duplicate system {system}", system=repr(sname)))
        systems.append(
            System(
                name=sname,
                owner=party_name(snode, "owner"),
                operating_unit=party_name(snode, "operating_unit"),
                regime=regime,
                level=snode.integer("level", lo=1, hi=5),
                zones=zones,
                hosts=tuple(hosts),
                description=snode.text("description", ""),
                evidence=_resolve(base_dir, snode.text("evidence", "")),
                coverage=_resolve(base_dir, snode.text("coverage", "")),
                **network_keys,
                particulars=load_particulars(snode, zones, tuple(hosts)),
            )
        )
    if not systems:
        raise node.error("systems", T("an inventory needs at least one system"))
    known = node.text("known_hosts", "")
    if known:
        known = os.path.normpath(os.path.join(base_dir, os.path.expanduser(known)))
    return Inventory(path, tuple(systems), known)


def adhoc_inventory(target: str, level: int, regime: str = "nd85-tt12") -> Inventory:
    """``local``, ``dir:PATH``, ``ssh://[user@]host[:port]`` (one host) or
    ``collected:PATH`` (one host per collector document) as an inventory."""

    source = f"--target {target}"
    if target == "local":
        host = Host(name=os.uname().nodename or "localhost", system="adhoc", transport="local")
    elif target.startswith("dir:"):
        path = os.path.abspath(target[4:])
        if not target[4:]:
            raise InputError(source, "", T("dir: needs a path, e.g. dir:/srv/golden-image"))
        host = Host(
            name=os.path.basename(path.rstrip("/")) or "root",
            system="adhoc",
            transport="dir",
            address=path,
        )
    elif target.startswith("collected:"):
        hosts = collected_hosts(target[len("collected:"):], source)
    elif target.startswith("ssh://"):
        try:
            # urlsplit itself raises on an unbalanced IPv6 bracket ("ssh://h[x").
            parts = urlsplit(target)
        except ValueError as exc:
            # urllib's own wording is data: it has no translation.
            raise InputError(source, "", T("not a valid ssh:// address: {problem}",
                                           problem=str(exc))) from None
        try:
            port = parts.port or 22
        except ValueError:
            raise InputError(source, "", T("invalid port")) from None
        address = parts.hostname or ""
        if not valid_address(address):
            raise InputError(source, "", T("not an IP address or host name: {value}",
                                           value=repr(address)))
        host = Host(
            name=address,
            system="adhoc",
            transport="ssh",
            address=address,
            port=port,
            user=parts.username or getpass.getuser(),
            connection=given_connection(address, parts.port, parts.username or "", {}),
        )
    else:
        raise InputError(source, "", T("expected local, dir:PATH, collected:PATH or "
                                       "ssh://[user@]host[:port]"))
    if not target.startswith("collected:"):
        hosts = (host,)

    system = System(
        name="adhoc",
        owner="",
        operating_unit="",
        regime=regime,
        level=level,
        zones=(),
        hosts=hosts,
    )
    return Inventory(source, (system,))


def collected_hosts(spec: str, source: str) -> tuple[Host, ...]:
    """``collected:FILE`` or ``collected:FOLDER`` (every ``*.json`` in it, not below): one
    host per collector document, named by its envelope's ``host.name``, a ``server`` if its
    ``host.product_type`` is 2 or 3 (domain controller, server), else a ``workstation``.

    A file whose name cannot be read here is named after the file (its scan then says why
    the document is refused); a second file claiming a name already taken is named
    ``NAME~file.json`` so neither hides the other."""

    if not spec:
        raise InputError(source, "", T("collected: needs a file or a folder of collector "
                                       "documents, e.g. collected:/srv/attt/windows"))
    path = os.path.abspath(spec)
    if os.path.isdir(path):
        with os.scandir(path) as entries:
            files = sorted(e.path for e in entries
                           if e.name.lower().endswith(".json") and e.is_file())
        if not files:
            raise InputError(source, "", T("no *.json collector document in {path}", path=path))
    elif os.path.isfile(path):
        files = [path]
    else:
        raise InputError(source, "", T("no such file or folder: {path}", path=path))
    hosts: list[Host] = []
    taken: set[str] = set()
    for file in files:
        name, product_type = peek_host(file)
        stem = os.path.splitext(os.path.basename(file))[0]
        if name is None or not valid_computer_name(name):
            name = stem if valid_computer_name(stem) else f"file-{len(hosts) + 1}"
        if name.casefold() in taken:
            name = f"{name}~{os.path.basename(file)}"
        taken.add(name.casefold())
        # Win32_OperatingSystem.ProductType: 1 workstation, 2 domain controller, 3 server.
        role = "server" if product_type in (2, 3) else "workstation"
        hosts.append(Host(name=name, system="adhoc", transport="collected", address=file,
                          roles=(role,)))
    return tuple(hosts)
