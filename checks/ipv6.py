"""IPv6 readiness: the stack is not disabled, the host holds a global IPv6 address,
has a default route and an IPv6 DNS resolver configured.

Facts: :mod:`attt.probes.sysctl` (the stack) and :mod:`attt.probes.net_local` (addresses,
route, resolvers); no packet is sent and no DNS query is made.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.net_local import (
    RESOLV_CONF,
    RESOLVED_CONF,
    RESOLVED_RUNTIME,
    Addr6,
    ResolverConfig,
    Route6,
)
from attt.probes.sysctl import ipv6_disabled
from attt.registry import ScopedFacts, check


@check(
    "ipv6.enabled",
    title_vi="Hệ điều hành không tắt IPv6",
    title_en="IPv6 is not disabled",
    severity="low",
    probes=("ipv6_sysctl", "kernel_cmdline", "sysctl_conf", "boot_cmdline"),
    remediation_vi=(
        "Bỏ 'ipv6.disable=1' khỏi GRUB_CMDLINE_LINUX trong /etc/default/grub (chạy "
        "update-grub hoặc grub2-mkconfig) và xóa các dòng 'net.ipv6.conf.*.disable_ipv6 = 1' "
        "trong /etc/sysctl.conf, /etc/sysctl.d/*.conf; áp dụng bằng 'sysctl --system' hoặc "
        "khởi động lại. Bảo vệ IPv6 bằng tường lửa thay vì tắt."
    ),
    remediation_en=(
        "Remove 'ipv6.disable=1' from GRUB_CMDLINE_LINUX in /etc/default/grub (then run "
        "update-grub or grub2-mkconfig) and delete 'net.ipv6.conf.*.disable_ipv6 = 1' lines from "
        "/etc/sysctl.conf and /etc/sysctl.d/*.conf; apply with 'sysctl --system' or a reboot. "
        "Protect IPv6 with the firewall instead of disabling it."
    ),
)
def ipv6_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The national IPv6 transition programme expects state systems to run IPv6. Disabling the
    stack blocks that transition and often hides an unmanaged dual-stack problem instead of
    fixing it."""

    disabled, evidence = ipv6_disabled(facts)
    live = facts.mode == "live"
    source = "running kernel" if live else "configuration applied at boot"
    when = T("running kernel") if live else T("configuration applied at boot")
    if disabled:
        return Result(Status.FAIL, T("IPv6 is disabled ({evidence}; {when}).", evidence=evidence,
                                     when=when),
                      observed=str(evidence), expected="IPv6 enabled", source=source)
    return Result(Status.PASS, T("IPv6 is enabled ({evidence}; {when}).", evidence=evidence,
                                 when=when),
                  observed=str(evidence), expected="IPv6 enabled", source=source)


_UNUSABLE = ("tentative", "dadfailed", "deprecated")


@check(
    "ipv6.global_address",
    title_vi="Máy chủ có địa chỉ IPv6 toàn cầu",
    title_en="The host has a global IPv6 address",
    severity="low",
    probes=("ip6_global_addresses",),
    remediation_vi=(
        "Cấp cho máy chủ một địa chỉ IPv6 toàn cầu trong dải được phân bổ cho đơn vị (cấu hình "
        "tĩnh trong /etc/network/interfaces, netplan hoặc NetworkManager, hoặc nhận qua SLAAC/"
        "DHCPv6) và kiểm tra bằng 'ip -6 addr show scope global'."
    ),
    remediation_en=(
        "Give the host a global IPv6 address from the agency's allocation (static in "
        "/etc/network/interfaces, netplan or NetworkManager, or via SLAAC/DHCPv6) and verify "
        "with 'ip -6 addr show scope global'."
    ),
)
def global_address(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A host that only has IPv4 or link-local/ULA IPv6 addresses cannot be reached over the
    IPv6 Internet, which the IPv6 transition programme for state agencies requires of
    public-facing services."""

    if facts.mode != "live":
        return Result(Status.NOT_APPLICABLE,
                      T("Interface addresses exist only on a running system; an offline tree "
                        "has none."), observed=None, expected="a global IPv6 address",
                      source="ip6_global_addresses")
    addrs: list[Addr6] = facts.get("ip6_global_addresses")
    usable: list[Msg] = []
    other: list[Msg] = []
    for a in addrs:
        ip = ipaddress.IPv6Address(a.address)
        bad = [f for f in a.flags if f in _UNUSABLE]
        if bad:
            other.append(T("{address} on {interface} ({flags})", address=a.address,
                           interface=a.interface, flags=bad))
        elif not ip.is_global:
            other.append(T("{address} on {interface} (not globally routable)",
                           address=a.address, interface=a.interface))
        else:
            usable.append(T("{address} on {interface}", address=a.address,
                            interface=a.interface))
    observed = {"global": [str(m) for m in usable], "ignored": [str(m) for m in other]}
    source = "ip -6 -o addr show scope global"
    if usable:
        message = (T("Global IPv6 address {address} and {more} more assigned.",
                     address=usable[0], more=len(usable) - 1) if len(usable) > 1
                   else T("Global IPv6 address {address} assigned.", address=usable[0]))
        return Result(Status.PASS, message, observed=observed,
                      expected="a global IPv6 address", source=source)
    message = (T("No usable global IPv6 address is assigned (ignored: {addresses}).",
                 addresses=other) if other
               else T("No usable global IPv6 address is assigned."))
    return Result(Status.FAIL, message, observed=observed, expected="a global IPv6 address",
                  source=source)


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
        return Result(Status.NOT_APPLICABLE, T("Routes exist only on a running system; an "
                                               "offline tree has none."),
                      observed=None, expected=expected, source="ip6_default_route")
    routes: list[Route6] = facts.get("ip6_default_route")
    observed = [r.text for r in routes]
    if routes:
        r = routes[0]
        route = (T("via {gateway} dev {device}", gateway=r.gateway, device=r.device)
                 if r.gateway else T("dev {device}", device=r.device))
        message = (T("IPv6 default route {route} and {more} more.", route=route,
                     more=len(routes) - 1) if len(routes) > 1
                   else T("IPv6 default route {route}.", route=route))
        return Result(Status.PASS, message, observed=observed, expected=expected,
                      source="ip -6 route show default")
    return Result(Status.FAIL, T("There is no IPv6 default route."), observed=observed,
                  expected=expected, source="ip -6 route show default")


_STUBS = ("127.0.0.53", "127.0.0.54")


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
        return Result(Status.FAIL, T("There is no /etc/resolv.conf: no resolver is "
                                     "configured."),
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
        return Result(Status.PASS, T("An IPv6 resolver is configured: {servers} (from {origin}; "
                                     "not queried).", servers=v6, origin=origin),
                      observed=observed, expected=expected, source=origin)
    if not servers:
        return Result(Status.FAIL, T("No nameserver is configured ({origin}).", origin=origin),
                      observed=observed, expected=expected, source=origin)
    if len(local) == len(servers):
        return Result(Status.ERROR, T("Only a local resolver is configured ({servers} in "
                                      "{origin}); its upstream servers are not visible.",
                                      servers=local, origin=origin),
                      observed=observed, expected=expected, source=origin)
    return Result(Status.FAIL, T("Only IPv4 resolvers are configured: {servers} (from "
                                 "{origin}).", servers=servers, origin=origin),
                  observed=observed, expected=expected, source=origin)
