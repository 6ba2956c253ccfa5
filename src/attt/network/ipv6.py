"""IPv6 readiness (Decision 38/QĐ-BTTTT "IPv6 for Gov"): per public service an AAAA record,
the same ports open over IPv6 as over IPv4, HTTPS over IPv6 with a valid certificate (the
IPv6-ready website test), name servers and mail exchangers with IPv6; per zone, IPv6
addressing.  The score is the share of the criteria that apply and are met."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..messages import Arg, Msg, T
from ..model import PublicService, System, Zone
from ..targets import is_ip
from .dnsq import Resolver
from .rules import decide, rule_to_json
from .targets import addresses_in, network_of

HTTPS_PORTS = (443, 8443)


def _v6(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).version == 6
    except ValueError:
        return False


def _service_addresses(svc: PublicService, resolver: Resolver,
                       ) -> tuple[list[str], list[str], bool, str]:
    """(IPv4, IPv6 addresses, whether DNS was asked, lookup error of an AAAA query)."""

    a: list[str] = []
    aaaa: list[str] = []
    looked_up, error = False, ""
    for host in svc.all_hosts:
        if is_ip(host):
            (aaaa if _v6(host) else a).append(host)
            continue
        looked_up = True
        four, six = resolver.addresses(host)
        a += four
        aaaa += six
        error = error or resolver.results.errors.get((host, "AAAA"), "")
    return sorted(set(a)), sorted(set(aaaa)), looked_up, error


def _no_v6(looked_up: bool, error: str) -> str:
    if not looked_up:
        return "no IPv6 address declared"
    return f"AAAA lookup failed ({error})" if error else "no AAAA record"


def _service(svc: PublicService, resolver: Resolver, open_by_address: Mapping[str, set[int]],
             scanned: set[str], tls: list[dict[str, Any]]) -> dict[str, Any]:
    a, aaaa, looked_up, error = _service_addresses(svc, resolver)
    wanted = set(svc.ports)
    v4 = sorted(set().union(*(open_by_address.get(x, set()) for x in a)) & wanted) if a else []
    v6 = sorted(set().union(*(open_by_address.get(x, set()) for x in aaaa)) & wanted) \
        if aaaa else []
    https = None
    https_ports = [p for p in svc.ports if p in HTTPS_PORTS] or [
        t["port"] for t in tls if t["address"] in a and t["port"] in wanted]
    if https_ports:
        entries = [t for t in tls if t["address"] in aaaa and t["port"] in https_ports]
        if not aaaa:
            https = {"ok": False, "detail": _no_v6(looked_up, error)}
        elif not entries:
            https = {"ok": False, "detail": "no TLS service answered over IPv6 on "
                     + ", ".join(map(str, https_ports))}
        else:
            t = entries[0]
            cert = t.get("cert") or {}
            ok = bool(cert.get("valid_now")) and cert.get("name_match") is not False \
                and t.get("chain") == "complete"
            https = {"ok": ok, "port": t["port"], "address": t["address"],
                     "detail": "valid certificate" if ok else
                     f"certificate: valid_now={cert.get('valid_now')}, "
                     f"name_match={cert.get('name_match')}, chain={t.get('chain')}"}

    def servers(rdtype: str, port: int, domain: str = svc.domain) -> list[dict[str, Any]]:
        out = []
        for name in resolver.query(domain, rdtype):
            v6addrs = resolver.query(name, "AAAA")
            probed = [x for x in v6addrs if x in scanned]
            reachable = (any(port in open_by_address.get(x, set()) for x in probed)
                         if probed else None)
            out.append({"name": name, "aaaa": v6addrs, "reachable": reachable})
        return out

    return {
        "name": svc.name, "host": svc.host, "ports": list(svc.ports), "a": a, "aaaa": aaaa,
        "dns": looked_up, "v4_open": v4, "v6_open": v6, "https_v6": https,
        "domain": svc.domain,
        "ns": servers("NS", 53) if svc.domain else [],
        "mx": servers("MX", 25) if svc.domain else [],
    }


def _blocked(system: System, vantage: str, zone: str, tcp_ports: Sequence[int]) -> bool:
    """The LAN rules deny every scanned TCP port from the vantage zone to ``zone``: silence
    from it then says nothing about its IPv6 addressing."""

    rules = [rule_to_json(r) for r in system.rules]
    return bool(tcp_ports) and all(
        decide(rules, system.rules_default, vantage, zone, "tcp", p)[0] == "deny"
        for p in tcp_ports)


def _zone(z: Zone, system: System, vantage: str, scanned: set[str], answered: set[str],
          local_addresses: list[str], tcp_ports: Sequence[int]) -> dict[str, Any]:
    v6nets = tuple(n for n in z.networks if network_of(n).version == 6)
    observed: bool | None
    if not v6nets:
        observed = False
        detail = (f"no IPv6 by decision: {z.ipv6_exempt}" if z.ipv6_exempt
                  else "no IPv6 network declared")
    elif z.name == vantage:
        observed = any(addresses_in(x, v6nets) for x in local_addresses)
        detail = ("this machine has an address in " if observed
                  else "this machine has no address in ") + ", ".join(v6nets)
    else:
        probed = [x for x in scanned if _v6(x) and addresses_in(x.split("/")[0], v6nets)]
        if not probed:
            observed, detail = None, "declared; no IPv6 target of the zone was scanned"
        elif any(_v6(x) and addresses_in(x, v6nets) for x in answered):
            # An open port or a reset: something answers at an IPv6 address of the zone.
            observed, detail = True, "hosts answer over IPv6"
        elif _blocked(system, vantage, z.name, tcp_ports):
            observed = None
            detail = (f"declared; the LAN rules deny every scanned port from {vantage}, so "
                      "IPv6 answers cannot be observed from there")
        else:
            observed, detail = False, "nothing answered over IPv6"
    return {"name": z.name, "role": z.role, "ipv6_declared": bool(v6nets),
            "ipv6_exempt": z.ipv6_exempt, "observed": observed, "detail": detail}


def build_fact(
    system: System,
    vantage: str,
    resolver: Resolver,
    open_by_address: Mapping[str, set[int]],
    scanned: set[str],
    tls: list[dict[str, Any]],
    local_addresses: list[str],
    tcp_ports: Sequence[int] = (),
    answered: set[str] | None = None,
) -> dict[str, Any]:
    """``answered``: addresses that sent anything (open or closed ports); default: those
    with open ports.  ``tcp_ports``: the scanned TCP ports (which flows the rules allow)."""

    heard = set(answered if answered is not None
                else (x for x, ports in open_by_address.items() if ports))
    services = [_service(svc, resolver, open_by_address, scanned, tls)
                for svc in system.public_services]
    zones = [_zone(z, system, vantage, scanned, heard, local_addresses, tcp_ports)
             for z in system.zones]
    return {"vantage": vantage, "services": services, "zones": zones,
            "dns_errors": [f"{n} {t}: {e}" for (n, t), e in resolver.results.errors.items()]}


# The details build_fact writes (facts are plain data), said again as messages for reports.
_DETAILS: Mapping[str, Msg] = {
    "no IPv6 address declared": T("no IPv6 address declared"),
    "no AAAA record": T("no AAAA record"),
    "valid certificate": T("valid certificate"),
    "no IPv6 network declared": T("no IPv6 network declared"),
    "declared; no IPv6 target of the zone was scanned":
        T("declared; no IPv6 target of the zone was scanned"),
    "hosts answer over IPv6": T("hosts answer over IPv6"),
    "nothing answered over IPv6": T("nothing answered over IPv6"),
}
_DETAIL_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[str], Msg]], ...] = (
    (re.compile(r"AAAA lookup failed \((?P<value>.*)\)"),
     lambda v: T("AAAA lookup failed ({value})", value=v)),
    (re.compile(r"no TLS service answered over IPv6 on (?P<value>.*)"),
     lambda v: T("no TLS service answered over IPv6 on {value}", value=v)),
    (re.compile(r"this machine has an address in (?P<value>.*)"),
     lambda v: T("this machine has an address in {value}", value=v)),
    (re.compile(r"this machine has no address in (?P<value>.*)"),
     lambda v: T("this machine has no address in {value}", value=v)),
    (re.compile(r"no IPv6 by decision: (?P<value>.*)"),
     lambda v: T("no IPv6 by decision: {value}", value=v)),
    (re.compile(r"declared; the LAN rules deny every scanned port from (?P<value>.*), so IPv6 "
                r"answers cannot be observed from there"),
     lambda v: T("declared; the LAN rules deny every scanned port from {value}, so IPv6 "
                 "answers cannot be observed from there", value=v)),
)


def detail_message(detail: str) -> Arg:
    """A detail of the fact as a message when it is one of build_fact's sentences; any other
    text (a resolver's or a certificate's words) as data."""

    if detail in _DETAILS:
        return _DETAILS[detail]
    for pattern, message in _DETAIL_PATTERNS:
        m = pattern.fullmatch(detail)
        if m:
            return message(m.group("value"))
    return detail


def criteria(fact: Mapping[str, Any]) -> list[tuple[Msg, bool]]:
    """(criterion, met) for every criterion that applies."""

    out: list[tuple[Msg, bool]] = []
    for s in fact.get("services", []):
        n = s["name"]
        # Only a name has AAAA records; a service given by addresses has an IPv6 one or not.
        out.append((T("{service}: AAAA record", service=n) if s.get("dns", True)
                    else T("{service}: IPv6 address", service=n), bool(s["aaaa"])))
        out.append((T("{service}: same ports over IPv6 as IPv4 (v4 {v4}, v6 {v6})", service=n,
                      v4=str(s["v4_open"]), v6=str(s["v6_open"])),
                    bool(s["aaaa"]) and s["v4_open"] == s["v6_open"]))
        if s.get("https_v6") is not None:
            out.append((T("{service}: HTTPS over IPv6 with a valid certificate ({detail})",
                          service=n, detail=detail_message(s["https_v6"]["detail"])),
                        bool(s["https_v6"]["ok"])))
        for kind, label in (("ns", T("{service}: name servers of {domain} reachable over "
                                     "IPv6", service=n, domain=s.get("domain"))),
                            ("mx", T("{service}: mail exchangers of {domain} reachable over "
                                     "IPv6", service=n, domain=s.get("domain")))):
            if s.get("domain") and s.get(kind):
                ok = all(x["aaaa"] and x["reachable"] is not False for x in s[kind])
                out.append((label, ok))
    for z in fact.get("zones", []):
        if z.get("ipv6_exempt"):
            continue  # no IPv6 by a documented decision: shown, not scored
        out.append((T("zone {zone}: IPv6 addressing ({detail})", zone=z["name"],
                      detail=detail_message(z["detail"])),
                    bool(z["ipv6_declared"]) and z["observed"] is not False))
    return out


def score(fact: Mapping[str, Any]) -> tuple[int, int, float | None]:
    """IPv6 readiness: criteria met, criteria counted, and the percentage."""

    crit = criteria(fact)
    met = sum(1 for _, ok in crit if ok)
    return met, len(crit), (round(100.0 * met / len(crit), 1) if crit else None)
