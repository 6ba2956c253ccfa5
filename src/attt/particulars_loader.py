"""System particulars for the level-approval dossier: the loader, from the inventory's keys
(tools/regulation/dossier.md §2).

Called by ``attt.inventory_loader``; every error names the file and key path.  The data
classes are in ``attt.particulars``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping

from .level_suggest import parse_answers
from .messages import T
from .model import Host, Zone
from .particulars import (
    HOSTINGS,
    LIFECYCLES,
    PARTY_KEYS,
    Device,
    DocRef,
    Particulars,
    Party,
    Service,
    Solution,
    ZoneDetail,
)
from .yamlio import Node

SCALE_KEYS = ("internal_users", "external_accounts", "data_volume", "transactions", "sites",
              "availability")
AUDIENCE_KEYS = ("group", "description", "channels")
OUTSIDE_KEYS = ("name", "relation", "control")
CONNECTED_KEYS = ("name", "owner", "relation", "data", "impact")
THREAT_KEYS = ("scenario", "actor", "vector", "impact", "controls")
IMPACT_KEYS = ("aspect", "scope", "severity", "reasoning")
H24_KEYS = ("reason", "consequence", "rto", "rpo", "failover")
DOCUMENT_KEYS = ("number", "place", "date", "signer", "signer_title")
DEVICE_KEYS = ("name", "type", "model", "qty", "location", "purpose", "zone", "os", "main")
SERVICE_KEYS = ("name", "hosts", "os", "location", "purpose", "exposure", "ports")


def party_name(node: Node, key: str) -> str:
    """``owner:`` / ``operating_unit:`` may be a name or a mapping with ``name:``."""

    if isinstance(node.raw(key), Mapping):
        return node.mapping(key).text("name", "")
    return node.text(key, "")


def _party(node: Node, key: str) -> Party:
    if not isinstance(node.raw(key), Mapping):
        return Party(name=node.text(key, ""))
    p = node.mapping(key)
    p.allow(*PARTY_KEYS)
    return Party(**{k: p.text(k, "") for k in PARTY_KEYS if k != "also_operates"},
                 also_operates=p.boolean("also_operates", False))


def _texts_map(node: Node, keys: tuple[str, ...]) -> dict[str, str]:
    node.allow(*keys)
    out = {}
    for k in keys:
        raw = node.raw(k)
        if isinstance(raw, list):
            out[k] = ", ".join(node.texts(k))
        elif isinstance(raw, dt.date):
            out[k] = raw.isoformat()
        else:
            out[k] = node.text(k, "")
    return out


def _rows(node: Node, key: str, keys: tuple[str, ...]) -> tuple[Mapping[str, str], ...]:
    return tuple(_texts_map(item, keys) for item in node.items(key))


def _date(node: Node, key: str) -> dt.date | None:
    return node.date(key)


def _document(node: Node) -> dict[str, str]:
    texts = {k: v for k, v in _texts_map(node, DOCUMENT_KEYS).items() if v}
    when = _date(node, "date")  # checked here: the dossier would drop a bad date silently
    if when is not None:
        texts["date"] = when.isoformat()
    return texts


def _docref(node: Node, key: str) -> DocRef:
    d = node.mapping(key)
    d.allow("title", "number", "date", "approver", "issuer")
    return DocRef(d.text("title", ""), d.text("number", ""), _date(d, "date"),
                  d.text("approver", d.text("issuer", "")))


def _choice(node: Node, key: str, choices: tuple[str, ...], default: str) -> str:
    value = node.text(key, default)
    if value and value not in choices:
        raise node.error(key, T("expected one of {choices}, got {value}", choices=choices,
                                value=repr(value)))
    return value


def _devices(node: Node, hosts: tuple[Host, ...], zone_names: set[str]) -> tuple[Device, ...]:
    by_host = {h.name: h for h in hosts}
    out: list[Device] = []
    seen: set[str] = set()
    for item in node.items("devices"):
        item.allow(*DEVICE_KEYS)
        name = item.text("name")
        if name in seen:
            raise item.error("name", T("duplicate device {device}", device=repr(name)))
        seen.add(name)
        zone = item.text("zone", "")
        host = by_host.get(name)
        if zone and zone not in zone_names:
            raise item.error("zone", T("no zone {zone} in this system's zones", zone=repr(zone)))
        out.append(Device(
            name=name, type=item.text("type", ""), model=item.text("model", ""),
            qty=item.integer("qty", 1, lo=1, hi=100_000), location=item.text("location", ""),
            purpose=item.text("purpose", ""), zone=zone or (host.zone if host else ""),
            os=item.text("os", ""), main=item.boolean("main", False),
            address=host.address if host and host.transport in ("ssh", "winrm") else "",
        ))
    # Every scanned host is equipment of the system, described or not.
    for h in hosts:
        if h.name not in seen:
            out.append(Device(name=h.name, zone=h.zone,
                              address=h.address if h.transport in ("ssh", "winrm") else ""))
    return tuple(out)


def _services(node: Node, device_names: set[str]) -> tuple[Service, ...]:
    out = []
    for item in node.items("services"):
        item.allow(*SERVICE_KEYS)
        hosts = item.texts("hosts")
        for i, h in enumerate(hosts):
            if h not in device_names:
                raise item.error(f"hosts[{i}]", T("no host or device {name} in this system",
                                                  name=repr(h)))
        exposure = _choice(item, "exposure", ("public", "internal"), "")
        ports = item.raw("ports")
        port_text = ", ".join(map(str, ports)) if isinstance(ports, list) else item.text(
            "ports", "")
        out.append(Service(item.text("name"), hosts, item.text("os", ""),
                           item.text("location", ""), item.text("purpose", ""), exposure,
                           port_text))
    return tuple(out)


def _zones(node: Node, zones: tuple[Zone, ...]) -> tuple[ZoneDetail, ...]:
    out = []
    for z, item in zip(zones, node.items("zones"), strict=False):
        public = item.texts("public_ips")
        for i, ip in enumerate(public):
            try:
                ipaddress.ip_network(ip, strict=False)
            except ValueError:
                raise item.error(f"public_ips[{i}]", T("not an IP address or network: {value}",
                                                       value=repr(ip))) from None

        out.append(ZoneDetail(z.name, z.role, z.networks, item.text("description", ""),
                              item.text("vlan", ""), public))
    return tuple(out)


def _solutions(node: Node) -> dict[str, Solution]:
    table = node.mapping("solutions")
    out = {}
    for rid in table.data:
        value = table.raw(str(rid))
        if isinstance(value, Mapping):
            s = table.mapping(str(rid))
            s.allow("text", "action", "responsible", "deadline")
            out[str(rid)] = Solution(s.text("text", ""), s.text("action", ""),
                                     s.text("responsible", ""), s.text("deadline", ""))
        else:
            out[str(rid)] = Solution(table.text(str(rid)))
    return out


def load_particulars(node: Node, zones: tuple[Zone, ...], hosts: tuple[Host, ...]) -> Particulars:
    """The dossier keys of one system entry (``node``), validated against its zones/hosts."""

    zone_names = {z.name for z in zones}
    devices = _devices(node, hosts, zone_names)
    scope = node.mapping("scope")
    scope.allow("description", "components", "outside")
    classification = None
    if node.has("classification"):
        classification = parse_answers(node.mapping("classification"))
    return Particulars(
        title=node.text("title", ""),
        owner=_party(node, "owner"),
        operator=_party(node, "operating_unit"),
        security_unit=_party(node, "security_unit"),
        lifecycle=_choice(node, "lifecycle", LIFECYCLES, "operating"),
        go_live=_date(node, "go_live"),
        hosting=_choice(node, "hosting", HOSTINGS, ""),
        classification=classification,
        scope=scope.text("description", ""),
        components=scope.texts("components"),
        outside=_rows(scope, "outside", OUTSIDE_KEYS),
        scale={k: v for k, v in _texts_map(node.mapping("scale"), SCALE_KEYS).items() if v},
        audiences=_rows(node, "audiences", AUDIENCE_KEYS),
        devices=devices,
        services=_services(node, {d.name for d in devices}),
        zones=_zones(node, zones),
        connected_systems=_rows(node, "connected_systems", CONNECTED_KEYS),
        threats=_rows(node, "threats", THREAT_KEYS),
        impacts=_rows(node, "impacts", IMPACT_KEYS),
        availability_24x7={k: v for k, v in _texts_map(
            node.mapping("availability_24x7"), H24_KEYS).items() if v},
        design_doc=_docref(node, "design_doc"),
        regulation=_docref(node, "regulation"),
        document=_document(node.mapping("document")),
        solutions=_solutions(node),
    )
