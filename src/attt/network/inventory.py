"""Inventory keys of the network checks: zone targets, LAN rules, vantage points, public
services.  Called by ``attt.inventory_loader``; every error names the file and key path."""

from __future__ import annotations

import os
from typing import Any

from ..messages import Msg, T
from ..model import LanRule, PublicService, VantagePoint, Zone
from ..targets import is_ip
from ..yamlio import Node
from .services import parse_service
from .targets import addresses_in, check_target, network_of
from .zones import ZONE_ROLES, overlaps

RULE_KEYS = ("from", "to", "action", "services", "reason")
VANTAGE_KEYS = ("zone", "via", "resolver", "ports", "max_rate", "host_timeout")
SERVICE_KEYS = ("name", "host", "ports", "domain", "ca_file")
ZONE_NETWORK_KEYS = ("ipv6", "ipv6_reason")  # a zone without IPv6 by decision, and why
VANTAGE_MODES = ("local",)  # the scan runs on this machine, which sits inside the zone


def _target(node: Node, key: str, value: str) -> str:
    return check_target(value, node.source, node.key(key))


def split_resolver(value: str) -> tuple[str, int]:
    """``IP``, ``IP:PORT`` or ``[IPv6]:PORT`` -> (ip, port)."""

    host, port = value, "53"
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else "53"
    elif value.count(":") == 1:
        host, port = value.split(":")
    if not is_ip(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(T("expected IP, IP:PORT or [IPv6]:PORT, got {value}", value=repr(value)))
    return host, int(port)


def _problem(exc: ValueError) -> str | Msg:
    """The message a parser's ValueError carries (a ``T`` message: parse_service and
    split_resolver raise them so) to hand on as the loader's problem."""

    message = exc.args[0] if exc.args else ""
    return message if isinstance(message, Msg) else str(exc)


def zone_extras(node: Node, zone: Zone) -> Zone:

    """Validate a zone's role and ``targets:``; targets that are IPs must lie in its networks."""

    if zone.role not in ZONE_ROLES:
        raise node.error("role", T("unknown zone role {role} (known: {known})",
                                   role=repr(zone.role), known=ZONE_ROLES))
    targets = node.texts("targets")
    for i, t in enumerate(targets):
        _target(node, f"targets[{i}]", t)
        if "/" in t:
            raise node.error(f"targets[{i}]", T("list networks under networks:, not {value}",
                                                value=repr(t)))
        # A target outside its zone would be scanned under the wrong zone's rules.
        if is_ip(t) and zone.networks and not addresses_in(t, zone.networks):
            raise node.error(f"targets[{i}]", T("{value} is not inside the zone's networks",
                                                value=t))
    return Zone(zone.name, zone.role, zone.networks, targets, _ipv6_exempt(node, zone))


def _ipv6_exempt(node: Node, zone: Zone) -> str:
    """The reason of ``ipv6: false`` ("" without it): a zone without IPv6 by decision."""

    ipv6 = node.raw("ipv6", True)
    if not isinstance(ipv6, bool):
        raise node.error("ipv6", T("expected true or false, got {value}", value=repr(ipv6)))
    reason = node.text("ipv6_reason", "").strip()
    if ipv6:
        if node.has("ipv6_reason"):
            raise node.error("ipv6_reason",
                             T("only with ipv6: false (why the zone has no IPv6)"))
        return ""
    if not reason:
        raise node.error("ipv6_reason", T("required when ipv6 is false: why the zone has no "
                                          "IPv6 (it is shown in the IPv6 readiness finding)"))
    v6 = [n for n in zone.networks if network_of(n).version == 6]
    if v6:
        raise node.error("ipv6", T("false, but the zone declares IPv6 networks: {networks}",
                                   networks=v6))
    return reason


def check_overlaps(node: Node, zones: tuple[Zone, ...]) -> None:
    """Refuse zones whose networks overlap, naming both."""

    found = overlaps(zones)
    if found:
        a, na, b, nb = found[0]
        raise node.error(
            "zones",
            T("zone {a} ({na}) overlaps zone {b} ({nb}); each address belongs to one zone",
              a=repr(a), na=na, b=repr(b), nb=nb),
        )


def _rules(node: Node, zone_names: set[str]) -> tuple[tuple[LanRule, ...], str]:
    rnode = node.mapping("rules")
    rnode.allow("default", "flows")
    default = rnode.text("default", "deny")
    if default not in ("allow", "deny"):
        raise rnode.error("default", T("expected allow or deny, got {value}",
                                       value=repr(default)))
    rules = []
    for item in rnode.items("flows"):
        item.allow(*RULE_KEYS)
        src, dst = item.text("from"), item.text("to")
        for key, name in (("from", src), ("to", dst)):
            if name != "*" and name not in zone_names:
                raise item.error(key, T("no zone {zone} in this system's zones (or '*')",
                                        zone=repr(name)))
        action = item.text("action")
        if action not in ("allow", "deny"):
            raise item.error("action", T("expected allow or deny, got {value}",
                                         value=repr(action)))
        services = item.texts("services")
        if not services:
            raise item.error("services",
                             T("required: tcp/PORT, udp/PORT, a service name or any"))
        for i, spec in enumerate(services):
            try:
                parse_service(spec)
            except ValueError as exc:
                raise item.error(f"services[{i}]", _problem(exc)) from None
        reason = item.text("reason", "")
        if action == "allow" and not reason.strip():
            raise item.error("reason",
                             T("an allow rule needs a reason (why the flow is needed)"))
        rules.append(LanRule(src, dst, action, services, reason))
    return tuple(rules), default


def _vantage(node: Node, zones: dict[str, Zone]) -> tuple[VantagePoint, ...]:
    out = []
    for item in node.items("vantage_points"):
        item.allow(*VANTAGE_KEYS)
        zone = item.text("zone")
        if zone not in zones:
            raise item.error("zone", T("no zone {zone} in this system's zones", zone=repr(zone)))
        if not zones[zone].networks:
            # attt could not check that it runs inside the zone, and every flow would be
            # judged as coming from it.
            raise item.error("zone", T("zone {zone} declares no networks: a vantage zone needs "
                                       "its networks (where the scanning machine sits)",
                                       zone=repr(zone)))
        via = item.text("via", "local")
        if via not in VANTAGE_MODES:
            raise item.error("via", T("expected one of {choices}, got {value}",
                                      choices=VANTAGE_MODES, value=repr(via)))
        resolver = item.text("resolver", "")
        if resolver:
            try:
                split_resolver(resolver)
            except ValueError as exc:
                raise item.error("resolver", _problem(exc)) from None
        ports = item.texts("ports")
        for i, spec in enumerate(ports):
            try:
                parse_service(spec)
            except ValueError as exc:
                raise item.error(f"ports[{i}]", _problem(exc)) from None

        out.append(VantagePoint(zone, via, resolver, ports,
                                item.integer("max_rate", 300, lo=1, hi=100_000),
                                item.integer("host_timeout", 120, lo=5, hi=86_400)))
    return tuple(out)


def _service_hosts(item: Node) -> tuple[str, ...]:
    """``host:`` as a name or address, or a list of them (one IPv4 and one IPv6 address of
    a service without a DNS name)."""

    if isinstance(item.raw("host"), list):
        hosts = item.texts("host")
        keys = [f"host[{i}]" for i in range(len(hosts))]
        if not hosts:
            raise item.error("host", T("expected a host name, an address or a list of them"))
    else:
        hosts, keys = (item.text("host"),), ["host"]
    for key, host in zip(keys, hosts, strict=True):
        _target(item, key, host)
        if "/" in host:
            raise item.error(key, T("a public service is one host, not a network: {value}",
                                    value=repr(host)))
    return hosts


PORT_LIMIT = 64  # a wider tcp/LOW-HIGH range in a public service is a mistake, not a list


def _service_ports(item: Node) -> tuple[int, ...]:
    """``ports:`` as TCP port numbers; items are numbers or rule specs (``tcp/443``,
    ``https``, ``tcp/8000-8010``)."""

    raw = item.raw("ports") or []
    if not isinstance(raw, list) or not raw:
        raise item.error("ports", T("expected a list of TCP ports (443, tcp/443), got {value}",
                                    value=repr(raw)))
    ports: set[int] = set()
    for i, p in enumerate(raw):
        if isinstance(p, bool) or not isinstance(p, int | str):
            raise item.error(f"ports[{i}]", T("expected a port (443, tcp/443), got {value}",
                                              value=repr(p)))
        try:
            ranges = parse_service(str(p))
        except ValueError as exc:
            raise item.error(f"ports[{i}]", _problem(exc)) from None
        if ranges is None or any(proto != "tcp" for proto, _, _ in ranges):
            raise item.error(f"ports[{i}]", T("public service ports are TCP, got {value}",
                                              value=repr(p)))
        for _, lo, hi in ranges:
            if hi - lo >= PORT_LIMIT:
                raise item.error(f"ports[{i}]", T("range wider than {limit} ports: {value}",
                                                  limit=PORT_LIMIT, value=repr(p)))
            ports.update(range(lo, hi + 1))
    return tuple(sorted(ports))


def _public(node: Node, base_dir: str) -> tuple[PublicService, ...]:
    out = []
    for item in node.items("public_services"):
        item.allow(*SERVICE_KEYS)
        hosts = _service_hosts(item)
        ports = _service_ports(item)
        domain = item.text("domain", "")
        if domain:
            _target(item, "domain", domain)
        ca_file = item.text("ca_file", "")
        if ca_file:
            ca_file = os.path.normpath(os.path.join(base_dir, os.path.expanduser(ca_file)))
            if not os.path.isfile(ca_file):
                raise item.error("ca_file", T("file not found: {path}", path=ca_file))
        out.append(PublicService(item.text("name"), hosts[0], ports, domain, ca_file, hosts))
    return tuple(out)


def system_extras(node: Node, zones: tuple[Zone, ...], base_dir: str) -> dict[str, Any]:
    """The System fields of the network keys (``rules``, ``vantage_points``,
    ``public_services``), validated."""

    by_name = {z.name: z for z in zones}
    rules, default = _rules(node, set(by_name))
    return {
        "rules": rules,
        "rules_default": default,
        "vantage_points": _vantage(node, by_name),
        "public_services": _public(node, base_dir),
    }
