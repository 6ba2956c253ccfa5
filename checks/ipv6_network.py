"""IPv6 connectivity as configured: a default route, and an IPv6 DNS resolver.

Both are read from configuration only.  No packet is sent and no DNS query is made: the
resolver check tells whether an IPv6 nameserver is *configured*, not whether it answers.
When /etc/resolv.conf points at the systemd-resolved stub (127.0.0.53), the upstream servers
come from ``resolvectl dns`` on a live host, or /run/systemd/resolve/resolv.conf and
resolved.conf (DNS=) otherwise.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.registry import ScopedFacts, Section, check, probe


@dataclass(frozen=True)
class Route6:
    gateway: str  # "" for a device route
    device: str
    text: str


_ROUTE_TYPES_UNUSABLE = ("unreachable", "prohibit", "blackhole", "throw")


@probe(
    "ip6_default_route",
    command="command -v ip >/dev/null || exit 127; ip -6 route show default",
    description="IPv6 default routes (ip -6 route show default)",
)
def parse_ip6_default_route(section: Section) -> list[Route6]:
    out: list[Route6] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        words = line.split()
        if line[0].isspace() and words[0] == "nexthop":
            # Multipath: 'default proto ra ...' followed by indented 'nexthop via X dev Y'.
            gw = words[words.index("via") + 1] if "via" in words else ""
            dev = words[words.index("dev") + 1] if "dev" in words else ""
            out.append(Route6(gw, dev, line.strip()))
            continue
        if words[0] in _ROUTE_TYPES_UNUSABLE:
            continue
        if words[0] != "default":
            raise ValueError(f"not an 'ip -6 route' default line: {line[:60]!r}")
        if "via" not in words and "dev" not in words:
            continue  # a multipath head; its nexthop lines follow
        gw = words[words.index("via") + 1] if "via" in words else ""
        dev = words[words.index("dev") + 1] if "dev" in words else ""
        if gw:
            ipaddress.IPv6Address(gw.split("%")[0])
        out.append(Route6(gw, dev, line.strip()))
    return out


@check(
    "ipv6.default_route",
    title_vi="Máy chủ có tuyến mặc định IPv6",
    title_en="The host has an IPv6 default route",
    severity="low",
    probes=("ip6_default_route",),
    remediation_vi=(
        "Cấu hình cổng mặc định IPv6 (tĩnh: 'gateway6'/'routes' trong netplan, 'gateway' trong "
        "khối inet6 của /etc/network/interfaces, 'ipv6.gateway' trong NetworkManager; hoặc nhận "
        "qua Router Advertisement) và kiểm tra bằng 'ip -6 route show default'."
    ),
    remediation_en=(
        "Configure an IPv6 default gateway (static: 'routes'/'gateway6' in netplan, 'gateway' in "
        "the inet6 stanza of /etc/network/interfaces, 'ipv6.gateway' in NetworkManager; or "
        "learn it from Router Advertisements) and verify with 'ip -6 route show default'."
    ),
)
def default_route(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A global IPv6 address is useless without a route out; the IPv6 transition programme
    expects services to be reachable over IPv6, which needs an IPv6 default route."""

    expected = "an IPv6 default route"
    if facts.mode != "live":
        return Result(Status.NOT_APPLICABLE, "Routes exist only on a running system; an offline "
                      "tree has none.", observed=None, expected=expected,
                      source="ip6_default_route")
    routes: list[Route6] = facts.get("ip6_default_route")
    observed = [r.text for r in routes]
    if routes:
        r = routes[0]
        via = f"via {r.gateway} " if r.gateway else ""
        more = f" and {len(routes) - 1} more" if len(routes) > 1 else ""
        return Result(Status.PASS, f"IPv6 default route {via}dev {r.device}{more}.",
                      observed=observed, expected=expected, source="ip -6 route show default")
    return Result(Status.FAIL, "There is no IPv6 default route.", observed=observed,
                  expected=expected, source="ip -6 route show default")


# ---------------------------------------------------------------------------- resolvers

RESOLV_CONF = "/etc/resolv.conf"
RESOLVED_RUNTIME = "/run/systemd/resolve/resolv.conf"
RESOLVED_CONF = "/etc/systemd/resolved.conf"
_STUBS = ("127.0.0.53", "127.0.0.54")


@dataclass(frozen=True)
class ResolverConfig:
    resolv_conf: tuple[str, ...] | None  # None: no /etc/resolv.conf
    runtime: tuple[str, ...] | None  # /run/systemd/resolve/resolv.conf
    resolved_dns: tuple[str, ...]  # DNS= (and FallbackDNS= kept apart) in resolved.conf
    resolved_fallback: tuple[str, ...]


def _nameservers(text: str) -> tuple[str, ...]:
    out = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split(";", 1)[0].split()
        if len(words) >= 2 and words[0] == "nameserver":
            out.append(words[1])
    return tuple(out)


def _resolved_servers(text: str) -> tuple[list[str], list[str]]:
    dns: list[str] = []
    fallback: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        for key, target in (("DNS=", dns), ("FallbackDNS=", fallback)):
            if line.startswith(key):
                values = line[len(key):].split()
                if not values:
                    target.clear()  # an empty assignment resets the list
                target.extend(values)
    return dns, fallback


@probe(
    "resolver_conf",
    files=(RESOLV_CONF, RESOLVED_RUNTIME, RESOLVED_CONF, "/etc/systemd/resolved.conf.d/*.conf"),
    description="configured DNS resolvers (resolv.conf, systemd-resolved)",
)
def parse_resolver_conf(section: Section) -> ResolverConfig:
    dns: list[str] = []
    fallback: list[str] = []
    order = ([RESOLVED_CONF] if RESOLVED_CONF in section.files else []) + sorted(
        p for p in section.files if p.startswith("/etc/systemd/resolved.conf.d/"))
    for path in order:
        d, f = _resolved_servers(section.files[path])
        if d or "DNS=" in section.files[path]:
            dns = d
        if f:
            fallback = f
    return ResolverConfig(
        _nameservers(section.files[RESOLV_CONF]) if RESOLV_CONF in section.files else None,
        _nameservers(section.files[RESOLVED_RUNTIME]) if RESOLVED_RUNTIME in section.files
        else None, tuple(dns), tuple(fallback))


@probe(
    "resolvectl_dns",
    command="command -v resolvectl >/dev/null || exit 127; resolvectl dns",
    description="systemd-resolved upstream DNS servers per link (resolvectl dns)",
)
def parse_resolvectl_dns(section: Section) -> tuple[str, ...]:
    out: list[str] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        head, sep, rest = line.partition(":")
        if not sep or not re.match(r"^(Global|Link \d+ \(.*\))$", head.strip()):
            raise ValueError(f"not a 'resolvectl dns' line: {line[:60]!r}")
        out += rest.split()
    return tuple(out)


def _address(server: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    # resolved syntax: ADDRESS[:PORT][%IFACE][#NAME]; IPv6 with a port is bracketed.
    value = server.split("#", 1)[0]
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    value = value.split("%", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        try:
            return ipaddress.ip_address(value.rsplit(":", 1)[0])
        except ValueError:
            return None


@check(
    "ipv6.resolver_reachable",
    title_vi="Có cấu hình máy chủ phân giải DNS qua địa chỉ IPv6 (không gửi truy vấn)",
    title_en="An IPv6 DNS resolver is configured (configuration only, no query sent)",
    severity="low",
    probes=("resolver_conf", "resolvectl_dns"),
    remediation_vi=(
        "Thêm máy chủ DNS có địa chỉ IPv6 của đơn vị hoặc nhà cung cấp: 'nameserver "
        "<địa chỉ IPv6>' trong /etc/resolv.conf (hoặc qua netplan 'nameservers', "
        "NetworkManager 'ipv6.dns', systemd-resolved 'DNS=' trong /etc/systemd/resolved.conf), "
        "rồi kiểm tra bằng 'resolvectl dns' hoặc 'cat /etc/resolv.conf'."
    ),
    remediation_en=(
        "Add the agency's or provider's IPv6 DNS server: 'nameserver <IPv6 address>' in "
        "/etc/resolv.conf (or netplan 'nameservers', NetworkManager 'ipv6.dns', systemd-resolved "
        "'DNS=' in /etc/systemd/resolved.conf), then check with 'resolvectl dns' or "
        "'cat /etc/resolv.conf'."
    ),
)
def resolver_reachable(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """On an IPv6-only or IPv6-preferred network the host must reach a resolver over IPv6;
    a resolver list with IPv4 addresses only breaks name resolution there. This check reads
    the configuration and sends no query."""

    conf: ResolverConfig = facts.get("resolver_conf")
    expected = "at least one IPv6 nameserver configured (not queried)"
    if conf.resolv_conf is None:
        return Result(Status.FAIL, "There is no /etc/resolv.conf: no resolver is configured.",
                      observed=None, expected=expected, source="resolver_conf")
    servers = list(conf.resolv_conf)
    origin = RESOLV_CONF
    stub = bool(servers) and all(s in _STUBS for s in servers)
    if stub:
        if facts.mode == "live" and facts.has("resolvectl_dns"):
            servers, origin = list(facts.get("resolvectl_dns")), "resolvectl dns"
        elif conf.runtime is not None:
            servers, origin = list(conf.runtime), RESOLVED_RUNTIME
        else:
            servers = list(conf.resolved_dns) or list(conf.resolved_fallback)
            origin = f"{RESOLVED_CONF} (DNS=, FallbackDNS=)"
    observed = {"nameservers": servers, "from": origin,
                "stub": "systemd-resolved stub in /etc/resolv.conf" if stub else None}
    addrs = [(s, _address(s)) for s in servers]
    v6 = [s for s, a in addrs if isinstance(a, ipaddress.IPv6Address) and not a.is_loopback]
    local = [s for s, a in addrs if a is not None and a.is_loopback]
    if v6:
        return Result(Status.PASS, f"An IPv6 resolver is configured: {', '.join(v6)} (from "
                      f"{origin}; not queried).", observed=observed, expected=expected,
                      source=origin)
    if not servers:
        return Result(Status.FAIL, f"No nameserver is configured ({origin}).",
                      observed=observed, expected=expected, source=origin)
    if len(local) == len(servers):
        return Result(Status.ERROR, f"Only a local resolver is configured ({', '.join(local)} in "
                      f"{origin}); its upstream servers are not visible.", observed=observed,
                      expected=expected, source=origin)
    return Result(Status.FAIL, f"Only IPv4 resolvers are configured: {', '.join(servers)} (from "
                  f"{origin}).", observed=observed, expected=expected, source=origin)
