"""Network-scope checks: pure functions of the network facts (attt.network.facts).

Registered with ``scope="network"``: the runner never binds them to hosts; attt.network.run
evaluates them once per system and vantage zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..messages import Arg, Joined, Msg, T, render
from ..model import Result, Status
from ..registry import ScopedFacts, check
from . import facts as F
from .ipv6 import criteria, score
from .rules import decide, label, violations
from .services import DB_PORTS, MGMT_PORTS
from .zones import OUTSIDE_ROLES, USER_ROLES

ZONE_TITLES: dict[str, tuple[str, str, Msg]] = {
    # role: (title_vi, title_en, what the zone holds)
    "internal": ("Có vùng mạng người dùng nội bộ", "Internal (user) zone declared",
                 T("users' workstations")),
    "perimeter": ("Có vùng mạng biên", "Perimeter zone declared",
                  T("the boundary to external networks")),
    "dmz": ("Có vùng DMZ", "DMZ declared", T("servers publishing services to the outside")),
    "internal_server": ("Có vùng máy chủ nội bộ", "Internal server zone declared",
                        T("servers for internal users")),
    "wireless": ("Mạng không dây là vùng riêng", "Wireless network is its own zone",
                 T("Wi-Fi clients")),
    "db_server": ("Có vùng máy chủ cơ sở dữ liệu", "Database server zone declared",
                  T("database servers")),
    "management": ("Có vùng quản trị hệ thống", "Administration zone declared",
                   T("administrators' workstations and jump hosts")),
    "device_management": ("Có vùng quản trị thiết bị", "Device management zone declared",
                          T("management interfaces of network devices, storage, hypervisors")),
}


def _more(shown: Sequence[Arg], total: int, limit: int) -> Msg:
    """The first ``limit`` items, "; "-separated, and how many more there are."""

    listed = Joined(list(shown)[:limit])
    if total > limit:
        return T("{items} (+{more} more)", items=listed, more=total - limit)
    return listed


def _zone_check(role: str) -> None:
    title_vi, title_en, holds_msg = ZONE_TITLES[role]
    holds = render(holds_msg, "en")

    def evaluate(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
        plan = facts.get(F.ZONE_PLAN)
        zones = [z for z in plan["zones"] if z["role"] == role]
        expected = f"a zone with role {role} and its own networks"
        if not zones:
            if role == "wireless":
                return Result(Status.NOT_APPLICABLE,
                              T("No wireless zone is declared: the system has no Wi-Fi network "
                                "(declare a zone with role wireless if it has one)."),
                              observed=[], expected=expected, source="inventory zones")
            return Result(Status.FAIL,
                          T("The zone plan has no zone with role {role} (for {holds}).",
                            role=role, holds=holds_msg),
                          observed=[z["name"] for z in plan["zones"]], expected=expected,
                          source="inventory zones")
        names = [z["name"] for z in zones]
        empty = [z["name"] for z in zones if not z["networks"]]
        if empty:
            return Result(Status.FAIL,
                          T("Zone {zones} ({role}) declares no networks, so its separation "
                            "cannot be verified.", zones=empty, role=role),
                          observed=zones, expected=expected, source="inventory zones")
        shared = [o for o in plan["overlaps"] if o[0] in names or o[2] in names]
        if shared:
            a, na, b, nb = shared[0]
            return Result(Status.FAIL,
                          T("Zone {a} ({net_a}) overlaps zone {b} ({net_b}): the zones are not "
                            "separated.", a=a, net_a=na, b=b, net_b=nb),
                          observed=shared, expected="no address in two zones",
                          source="inventory zones")
        nets = "; ".join(f"{z['name']}: {', '.join(z['networks'])}" for z in zones)
        return Result(Status.PASS,
                      T("Zone {role} is declared with its own networks ({networks}).",
                        role=role, networks=nets),
                      observed=zones, expected=expected, source="inventory zones")

    evaluate.__doc__ = (
        f"Circular 12 Appendix II.1.a requires {holds} to sit in their own network zone, "
        "separated from the others; the zone plan in the inventory must declare it with "
        "networks no other zone uses."
    )
    check(
        f"net.zone_{role}",
        title_vi=title_vi,
        title_en=title_en,
        severity="medium",
        probes=(F.ZONE_PLAN,),
        scope="network",
        remediation_vi=f"Thiết kế vùng mạng riêng cho {role} và khai báo trong inventory.",
        remediation_en=f"Design a separate zone for {holds} and declare it in the inventory.",
    )(evaluate)


for _role in ZONE_TITLES:
    _zone_check(_role)


def _open_flow(v: Mapping[str, Any]) -> Msg:
    where = f"{v['zone']}: {v['label']} {v['proto']}/{v['port']}"
    if v["service"]:
        return T("{flow} open ({service})", flow=where, service=v["service"])
    return T("{flow} open", flow=where)


def _shown_violations(bad: list[dict[str, Any]], limit: int = 5) -> Msg:
    """Open flows one by one; closed ones grouped per host (a host without a filtering
    firewall answers every scanned port with a reset)."""

    items: list[Arg] = [_open_flow(v) for v in bad if v["state"] == "open"]
    closed: dict[tuple[str, str], list[str]] = {}
    for v in bad:
        if v["state"] == "closed":
            closed.setdefault((v["zone"], v["label"]), []).append(f"{v['proto']}/{v['port']}")
    for (zone, name), ports in closed.items():
        if len(ports) > 4:
            items.append(T("{zone}: {host} {ports} (+{more} ports) reachable (closed)",
                           zone=zone, host=name, ports=ports[:4], more=len(ports) - 4))
        else:
            items.append(T("{zone}: {host} {ports} reachable (closed)", zone=zone, host=name,
                           ports=ports))
    return _more(items, len(items), limit)


def _rules_result(scan: Mapping[str, Any], inbound: bool) -> Result:
    src = scan["vantage"]
    outside = scan["vantage_role"] in OUTSIDE_ROLES
    if outside != inbound:
        where = "an external or perimeter" if inbound else "an internal"
        needed = (T("Scanned from zone {zone} ({role}); this needs a scan from an external or "
                    "perimeter vantage point.", zone=src, role=scan["vantage_role"])
                  if inbound else
                  T("Scanned from zone {zone} ({role}); this needs a scan from an internal "
                    "vantage point.", zone=src, role=scan["vantage_role"]))
        return Result(Status.NOT_APPLICABLE, needed, observed=src, expected=where,
                      source="nmap")
    bad, allowed = violations(scan)
    expected = (f"only flows the LAN rules allow are open from {src} "
                f"(default {scan.get('default', 'deny')})")
    if bad:
        n_open = sum(1 for v in bad if v["state"] == "open")
        what = (T("{open} open, {closed} reachable but closed", open=n_open,
                  closed=len(bad) - n_open) if n_open < len(bad) else T("open"))
        return Result(Status.FAIL,
                      T("From zone {zone}, {count} flow(s) the LAN rules forbid reach a host "
                        "({what}): {flows}.", zone=src, count=len(bad), what=what,
                        flows=_shown_violations(bad)),
                      observed=bad, expected=expected, source="nmap")
    return Result(Status.PASS,
                  T("From zone {zone}, every open service in other zones ({allowed}) is allowed "
                    "by the LAN rules.", zone=src, allowed=allowed),
                  observed={"allowed_open": allowed, "targets": scan.get("targets", 0)},
                  expected=expected, source="nmap")


@check(
    "net.rules_internal",
    title_vi="Luồng giữa các vùng bên trong đúng quy tắc LAN",
    title_en="Flows between internal zones follow the LAN rules",
    severity="high",
    probes=(F.SCAN,),
    scope="network",
    remediation_vi="Chặn trên tường lửa các luồng không có trong quy tắc, hoặc bổ sung quy tắc "
                   "có lý do được phê duyệt.",
    remediation_en="Block the flows the rules do not allow on the inter-zone firewall, or add "
                   "an approved rule with its reason.",
)
def rules_internal(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Traffic between internal zones must be limited to what each zone needs (TT12 II.2
    §1.1.2, II.1.b.ii): an nmap scan from the vantage zone finds every open service in the
    other zones and each must be allowed by a written LAN rule (default deny)."""

    return _rules_result(facts.get(F.SCAN), inbound=False)


@check(
    "net.rules_inbound",
    title_vi="Lọc truy cập từ mạng ngoài đúng quy tắc",
    title_en="Inbound flows from outside follow the rules",
    severity="high",
    probes=(F.SCAN,),
    scope="network",
    remediation_vi="Chỉ mở từ ngoài vào các dịch vụ công bố, tới đúng máy chủ cung cấp.",
    remediation_en="Open from outside only the published services, to the hosts offering them.",
)
def rules_inbound(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Traffic from external networks may reach only the published services (TT12 II.2
    §1.1.1): scanned from an external or perimeter vantage point, every open service must be
    allowed by a rule."""

    return _rules_result(facts.get(F.SCAN), inbound=True)


_ADMIN_TITLE = re.compile(r"admin|login|log in|sign in|manage|console|dashboard|đăng nhập|"
                          r"quản trị|router|switch|firewall|webmin|cockpit|ilo|idrac|ipmi",
                          re.IGNORECASE)


def insecure_reasons(o: Mapping[str, Any], scan: Mapping[str, Any]) -> list[Msg]:
    """Why an open service is insecure (empty: nothing found)."""

    proto, port = str(o["proto"]), int(o["port"])
    svc = str(o.get("service", "")).lower()
    scripts: Mapping[str, str] = o.get("scripts") or {}
    tls = o.get("tunnel") == "ssl" or "ssl-cert" in scripts
    out: list[Msg] = []
    if svc == "telnet" or (proto, port) == ("tcp", 23):
        out.append(T("telnet (clear-text login)"))
    if svc == "ftp" and not tls:
        out.append(T("FTP without TLS"))
    if proto == "tcp" and (svc in ("exec", "login", "shell", "rsh", "rlogin")
                           or port in (512, 513, 514)):
        out.append(T("rsh/rlogin/rexec"))
    if proto == "udp" and (svc == "tftp" or port == 69) and o.get("state") == "open":
        out.append(T("TFTP"))
    if "Valid credentials" in scripts.get("snmp-brute", ""):
        found = re.findall(r"^\|?\s*(\S+) - Valid credentials", scripts["snmp-brute"], re.M)
        out.append(T("SNMP v1/v2c with default community {communities}",
                     communities=found or T("(guessed)")))
    smb = scripts.get("smb-protocols", "")
    if "SMBv1" in smb or "NT LM 0.12" in smb:
        out.append(T("SMBv1 enabled"))
    if svc.startswith("http") and not tls and svc != "https":
        title = scripts.get("http-title", "")
        auth = scripts.get("http-auth", "")
        if _ADMIN_TITLE.search(title) or "Basic" in auth or "Digest" in auth:
            out.append(T("HTTP admin interface without TLS ({page})",
                         page=(title or auth).strip()[:80]))
    zone = str(o.get("zone", ""))
    action, rule = decide(scan.get("rules", []), "deny", str(scan.get("vantage")), zone, proto,
                          port)
    documented = action == "allow" and rule is not None
    # A flow an explicit allow rule documents (with its reason) is the agency's decision.
    if scan.get("vantage_role") in USER_ROLES and zone != scan.get("vantage") and not documented:
        flow = "/".join((proto, str(port)))
        if (proto, port) in DB_PORTS:
            out.append(T("database port {port} reachable from user zone {zone}",
                         port=flow, zone=scan["vantage"]))
        elif (proto, port) in MGMT_PORTS and not out:
            out.append(T("management port {port} reachable from user zone {zone}",
                         port=flow, zone=scan["vantage"]))
    return out


@check(
    "net.insecure_services",
    title_vi="Không có giao thức không an toàn tiếp cận được",
    title_en="No insecure protocol reachable",
    severity="high",
    probes=(F.SCAN,),
    scope="network",
    remediation_vi="Tắt telnet, FTP không mã hóa, rsh/rlogin, TFTP, SNMP cộng đồng mặc định, "
                   "SMBv1; giao diện quản trị chỉ qua HTTPS; cổng CSDL và quản trị không mở "
                   "cho vùng người dùng.",
    remediation_en="Disable telnet, plain FTP, rsh/rlogin, TFTP, SNMP default communities and "
                   "SMBv1; serve admin interfaces over HTTPS only; keep database and "
                   "management ports closed to user zones.",
)
def insecure_services(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Network and security devices and servers must accept administration only over secure
    protocols (TT12 II.2 §1.1.6); nmap's service detection and NSE scripts (snmp-brute,
    smb-protocols, http-title, http-auth) find clear-text and legacy protocols wherever the
    vantage zone reaches them."""

    scan = facts.get(F.SCAN)
    found = []
    for o in scan.get("open", []):
        for why in insecure_reasons(o, scan):
            found.append({"source_zone": scan["vantage"],
                          "target": o.get("host") or o.get("name") or o["address"],
                          "label": label(o), "address": o["address"], "zone": o.get("zone", ""),
                          "port": o["port"], "proto": o["proto"],
                          "service": o.get("service", ""), "banner": o.get("banner", ""),
                          "problem": render(why, "en"), "why": why})
    udp = scan.get("udp")
    if found:
        shown = _more([Joined([f"{f['label']} {f['proto']}/{f['port']}", f.pop("why")], ": ")
                       for f in found], len(found), 5)
        return Result(Status.FAIL,
                      T("From zone {zone}, {count} insecure service(s) are reachable: "
                        "{services}.", zone=scan["vantage"], count=len(found), services=shown)
                      if udp else
                      T("From zone {zone}, {count} insecure service(s) are reachable: "
                        "{services} (UDP not scanned: TFTP and SNMP not verified).",
                        zone=scan["vantage"], count=len(found), services=shown),
                      observed=found, expected="no insecure protocol reachable", source="nmap")
    total = len(scan.get("open", []))
    return Result(Status.PASS,
                  T("From zone {zone}, no insecure protocol is reachable among {count} open "
                    "services.", zone=scan["vantage"], count=total)
                  if udp else
                  T("From zone {zone}, no insecure protocol is reachable among {count} open "
                    "services (UDP not scanned: TFTP and SNMP not verified).",
                    zone=scan["vantage"], count=total),
                  observed=[], expected="no insecure protocol reachable", source="nmap")


# What tls.chain_status says of a chain it could not build (OpenSSL's own words otherwise).
CHAIN_DETAILS: Mapping[str, Msg] = {
    "incomplete: the issuer certificate could not be found":
        T("incomplete: the issuer certificate could not be found"),
    "self-signed certificate": T("self-signed certificate"),
    "self-signed root certificate in the chain is not trusted":
        T("self-signed root certificate in the chain is not trusted"),
    "incomplete: the server did not send the intermediate certificate "
    "(unable to get local issuer certificate)":
        T("incomplete: the server did not send the intermediate certificate "
          "(unable to get local issuer certificate)"),
    "incomplete: unable to verify the first certificate":
        T("incomplete: unable to verify the first certificate"),
}


def _cert_problems(cert: Mapping[str, Any], params: Mapping[str, Any]) -> list[Msg]:
    out = []
    if not cert["valid_now"]:
        out.append(T("certificate not valid now (not after {date})", date=cert["not_after"]))
    elif cert["days_left"] < int(params["min_days_left"]):
        out.append(T("certificate expires in {days} days", days=cert["days_left"]))
    minimum = {"RSA": int(params["min_rsa_bits"]), "DSA": 10**6,
               "EC": int(params["min_ec_bits"])}.get(cert["key_type"], 0)
    if cert["key_bits"] < minimum:
        key = "-".join((str(cert["key_type"]), str(cert["key_bits"])))
        out.append(T("weak key {key}", key=key))
    if cert["signature_hash"] in ("md5", "sha1"):
        out.append(T("weak signature {signature}", signature=cert["signature"]))
    if cert["name_match"] is False:
        out.append(T("name {name} not in the certificate ({names})",
                     name=cert["expected_name"], names=cert["names"][:4] or T("no names")))
    return out


def tls_problems(t: Mapping[str, Any], params: Mapping[str, Any]) -> list[Msg]:
    """What is wrong with one TLS service (certificate, key, protocols, ciphers)."""

    out = []
    cert = t.get("cert")
    if cert is None:
        out.append(T("certificate not read ({error})",
                     error=t.get("cert_error") or T("no ssl-cert output")))
    else:
        out += _cert_problems(cert, params)
    if t.get("chain") != "complete":
        detail = str(t.get("chain_detail", ""))
        out.append(T("chain {state}: {detail}", state=str(t.get("chain")),
                     detail=CHAIN_DETAILS.get(detail, detail)))
    old = [p for p in t.get("protocols", []) if p in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1")]
    if old:
        out.append(T("old protocols offered: {protocols}", protocols=old))
    if t.get("weak_ciphers"):
        out.append(T("weak ciphers: {ciphers}", ciphers=t["weak_ciphers"][:3]))
    return out


@check(
    "net.tls_healthy",
    title_vi="Dịch vụ TLS an toàn (chứng thư, giao thức, bộ mã)",
    title_en="TLS services are healthy (certificate, protocols, ciphers)",
    severity="high",
    probes=(F.TLS,),
    scope="network",
    params={"min_days_left": 30, "min_rsa_bits": 2048, "min_ec_bits": 256},
    stricter={"min_days_left": "higher", "min_rsa_bits": "higher", "min_ec_bits": "higher"},
    remediation_vi="Gia hạn chứng thư, dùng khóa RSA ≥ 2048 hoặc ECDSA, gửi đủ chuỗi chứng thư "
                   "trung gian, chỉ bật TLS 1.2/1.3 với bộ mã mạnh.",
    remediation_en="Renew certificates, use RSA >= 2048 or ECDSA keys, send the full chain, "
                   "offer only TLS 1.2/1.3 with strong ciphers.",
)
def tls_healthy(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Communications carrying important information must be encrypted with current
    protocols (TT12 II.2 §1.3.4): every TLS service found has a valid certificate for its
    name with a complete chain and a strong key, and offers neither SSLv3/TLS 1.0/1.1 nor
    weak ciphers (nmap ssl-cert and ssl-enum-ciphers, parsed with cryptography)."""

    services = facts.get(F.TLS)["services"]
    if not services:
        return Result(Status.NOT_APPLICABLE, T("No TLS service was found by the scan."),
                      observed=[], expected="healthy TLS on every TLS service", source="nmap")
    bad = []
    for t in services:
        problems = tls_problems(t, params)
        if problems:
            bad.append({"target": t.get("name") or t["address"], "address": t["address"],
                        "host": t.get("host", ""), "name": t.get("name", ""),
                        "port": t["port"], "zone": t.get("zone", ""),
                        "problems": [render(p, "en") for p in problems],
                        "cert": t.get("cert"), "why": problems})
    expected = (f"valid certificate (>= {params['min_days_left']} days), complete chain, "
                f"RSA >= {params['min_rsa_bits']} / EC >= {params['min_ec_bits']}, "
                "TLS 1.2+ only, no weak cipher")
    if bad:
        shown = _more([Joined([f"{label(b)}:{b['port']}", Joined(b.pop("why"), ", ")], " ")
                       for b in bad], len(bad), 3)
        return Result(Status.FAIL,
                      T("{count} of {total} TLS service(s) have problems: {services}.",
                        count=len(bad), total=len(services), services=shown),
                      observed=bad, expected=expected, source="nmap ssl-cert, ssl-enum-ciphers")
    return Result(Status.PASS, T("All {total} TLS service(s) are healthy.",
                                 total=len(services)),
                  observed=[{"target": t.get("name") or t["address"], "port": t["port"],
                             "days_left": (t.get("cert") or {}).get("days_left")}
                            for t in services],
                  expected=expected, source="nmap ssl-cert, ssl-enum-ciphers")


@check(
    "net.ipv6_readiness",
    title_vi="Sẵn sàng IPv6 của dịch vụ công khai và các vùng mạng",
    title_en="IPv6 readiness of public services and zones",
    severity="low",
    probes=(F.IPV6,),
    scope="network",
    params={"min_percent": 100},
    stricter={"min_percent": "higher"},
    remediation_vi="Bổ sung bản ghi AAAA, mở cùng các cổng qua IPv6, cấp địa chỉ IPv6 cho vùng.",
    remediation_en="Publish AAAA records, open the same ports over IPv6, address every zone "
                   "with IPv6.",
)
def ipv6_readiness(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Decision 38/QĐ-BTTTT (IPv6 for Gov) and the IPv6-only programme from 2026: public
    services answer over IPv6 as over IPv4 (AAAA, same ports, HTTPS with a valid
    certificate, name servers and mail exchangers with IPv6) and every zone has IPv6
    addressing.  Advisory: reported with a readiness score, never blocking."""

    fact = facts.get(F.IPV6)
    crit = criteria(fact)
    met, total, pct = score(fact)
    if pct is None:
        return Result(Status.NOT_APPLICABLE, T("No public service or zone to assess for IPv6."),
                      observed=[], expected="IPv6 readiness", source="dns, nmap")
    missing = [c for c, ok in crit if not ok]
    exempt = [f"{z['name']} ({z['ipv6_exempt']})" for z in fact["zones"] if z.get("ipv6_exempt")]
    observed = {"score_percent": pct, "met": met, "criteria": total,
                "missing": [render(m, "en") for m in missing], "services": fact["services"],
                "zones": fact["zones"]}
    expected = f"IPv6 readiness >= {params['min_percent']}%"
    percent = round(pct)
    if pct < float(params["min_percent"]):
        verdict = T("IPv6 readiness score {percent}% ({met}/{total} criteria); missing: "
                    "{criteria}.", percent=percent, met=met, total=total,
                    criteria=_more(missing, len(missing), 4))
        status = Status.FAIL
    else:
        verdict = T("IPv6 readiness score {percent}% ({met}/{total} criteria).",
                    percent=percent, met=met, total=total)
        status = Status.PASS
    message: Msg = verdict if not exempt else Joined(
        [verdict, T("Zones without IPv6 by decision: {zones}.", zones=Joined(exempt))], " ")
    return Result(status, message, observed=observed, expected=expected, source="dns, nmap")
