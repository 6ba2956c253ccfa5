"""Network-scope checks: pure functions of the network facts (attt.network.facts).

Registered with ``scope="network"``: the runner never binds them to hosts; attt.network.run
evaluates them once per system and vantage zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import Result, Status
from ..registry import ScopedFacts, check
from . import facts as F
from .ipv6 import criteria, score
from .rules import decide, label, violations
from .services import DB_PORTS, MGMT_PORTS
from .zones import OUTSIDE_ROLES, USER_ROLES

ZONE_TITLES: dict[str, tuple[str, str, str]] = {
    # role: (title_vi, title_en, what the zone holds)
    "internal": ("Có vùng mạng người dùng nội bộ", "Internal (user) zone declared",
                 "users' workstations"),
    "perimeter": ("Có vùng mạng biên", "Perimeter zone declared",
                  "the boundary to external networks"),
    "dmz": ("Có vùng DMZ", "DMZ declared", "servers publishing services to the outside"),
    "internal_server": ("Có vùng máy chủ nội bộ", "Internal server zone declared",
                        "servers for internal users"),
    "wireless": ("Mạng không dây là vùng riêng", "Wireless network is its own zone",
                 "Wi-Fi clients"),
    "db_server": ("Có vùng máy chủ cơ sở dữ liệu", "Database server zone declared",
                  "database servers"),
    "management": ("Có vùng quản trị hệ thống", "Administration zone declared",
                   "administrators' workstations and jump hosts"),
    "device_management": ("Có vùng quản trị thiết bị", "Device management zone declared",
                          "management interfaces of network devices, storage, hypervisors"),
}


def _zone_check(role: str) -> None:
    title_vi, title_en, holds = ZONE_TITLES[role]

    def evaluate(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
        plan = facts.get(F.ZONE_PLAN)
        zones = [z for z in plan["zones"] if z["role"] == role]
        expected = f"a zone with role {role} and its own networks"
        if not zones:
            if role == "wireless":
                return Result(Status.NOT_APPLICABLE,
                              "No wireless zone is declared: the system has no Wi-Fi network "
                              "(declare a zone with role wireless if it has one).",
                              observed=[], expected=expected, source="inventory zones")
            return Result(Status.FAIL,
                          f"The zone plan has no zone with role {role} (for {holds}).",
                          observed=[z["name"] for z in plan["zones"]], expected=expected,
                          source="inventory zones")
        names = [z["name"] for z in zones]
        empty = [z["name"] for z in zones if not z["networks"]]
        if empty:
            return Result(Status.FAIL,
                          f"Zone {', '.join(empty)} ({role}) declares no networks, so its "
                          "separation cannot be verified.",
                          observed=zones, expected=expected, source="inventory zones")
        shared = [o for o in plan["overlaps"] if o[0] in names or o[2] in names]
        if shared:
            a, na, b, nb = shared[0]
            return Result(Status.FAIL,
                          f"Zone {a} ({na}) overlaps zone {b} ({nb}): the zones are not "
                          "separated.",
                          observed=shared, expected="no address in two zones",
                          source="inventory zones")
        nets = "; ".join(f"{z['name']}: {', '.join(z['networks'])}" for z in zones)
        return Result(Status.PASS, f"Zone {role} is declared with its own networks ({nets}).",
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


def _shown_violations(bad: list[dict[str, Any]], limit: int = 5) -> str:
    """Open flows one by one; closed ones grouped per host (a host without a filtering
    firewall answers every scanned port with a reset)."""

    items = [f"{v['zone']}: {v['label']} {v['proto']}/{v['port']} open"
             + (f" ({v['service']})" if v["service"] else "")
             for v in bad if v["state"] == "open"]
    closed: dict[tuple[str, str], list[str]] = {}
    for v in bad:
        if v["state"] == "closed":
            closed.setdefault((v["zone"], v["label"]), []).append(f"{v['proto']}/{v['port']}")
    for (zone, name), ports in closed.items():
        more = f" (+{len(ports) - 4} ports)" if len(ports) > 4 else ""
        items.append(f"{zone}: {name} {', '.join(ports[:4])}{more} reachable (closed)")
    extra = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + extra


def _rules_result(scan: Mapping[str, Any], inbound: bool) -> Result:
    src = scan["vantage"]
    outside = scan["vantage_role"] in OUTSIDE_ROLES
    if outside != inbound:
        where = "an external or perimeter" if inbound else "an internal"
        return Result(Status.NOT_APPLICABLE,
                      f"Scanned from zone {src} ({scan['vantage_role']}); this needs a scan "
                      f"from {where} vantage point.",
                      observed=src, expected=where, source="nmap")
    bad, allowed = violations(scan)
    expected = (f"only flows the LAN rules allow are open from {src} "
                f"(default {scan.get('default', 'deny')})")
    if bad:
        n_open = sum(1 for v in bad if v["state"] == "open")
        what = (f"{n_open} open, {len(bad) - n_open} reachable but closed" if n_open < len(bad)
                else "open")
        return Result(Status.FAIL,
                      f"From zone {src}, {len(bad)} flow(s) the LAN rules forbid reach a host "
                      f"({what}): {_shown_violations(bad)}.",
                      observed=bad, expected=expected, source="nmap")
    return Result(Status.PASS,
                  f"From zone {src}, every open service in other zones ({allowed}) is allowed "
                  "by the LAN rules.",
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


def insecure_reasons(o: Mapping[str, Any], scan: Mapping[str, Any]) -> list[str]:
    """Why an open service is insecure (empty: nothing found)."""

    proto, port = str(o["proto"]), int(o["port"])
    svc = str(o.get("service", "")).lower()
    scripts: Mapping[str, str] = o.get("scripts") or {}
    tls = o.get("tunnel") == "ssl" or "ssl-cert" in scripts
    out = []
    if svc == "telnet" or (proto, port) == ("tcp", 23):
        out.append("telnet (clear-text login)")
    if svc == "ftp" and not tls:
        out.append("FTP without TLS")
    if proto == "tcp" and (svc in ("exec", "login", "shell", "rsh", "rlogin")
                           or port in (512, 513, 514)):
        out.append("rsh/rlogin/rexec")
    if proto == "udp" and (svc == "tftp" or port == 69) and o.get("state") == "open":
        out.append("TFTP")
    if "Valid credentials" in scripts.get("snmp-brute", ""):
        found = re.findall(r"^\|?\s*(\S+) - Valid credentials", scripts["snmp-brute"], re.M)
        out.append(f"SNMP v1/v2c with default community {', '.join(found) or '(guessed)'}")
    smb = scripts.get("smb-protocols", "")
    if "SMBv1" in smb or "NT LM 0.12" in smb:
        out.append("SMBv1 enabled")
    if svc.startswith("http") and not tls and svc != "https":
        title = scripts.get("http-title", "")
        auth = scripts.get("http-auth", "")
        if _ADMIN_TITLE.search(title) or "Basic" in auth or "Digest" in auth:
            out.append(f"HTTP admin interface without TLS ({(title or auth).strip()[:80]})")
    zone = str(o.get("zone", ""))
    action, rule = decide(scan.get("rules", []), "deny", str(scan.get("vantage")), zone, proto,
                          port)
    documented = action == "allow" and rule is not None
    # A flow an explicit allow rule documents (with its reason) is the agency's decision.
    if scan.get("vantage_role") in USER_ROLES and zone != scan.get("vantage") and not documented:
        if (proto, port) in DB_PORTS:
            out.append(f"database port {proto}/{port} reachable from user zone "
                       f"{scan['vantage']}")
        elif (proto, port) in MGMT_PORTS and not out:
            out.append(f"management port {proto}/{port} reachable from user zone "
                       f"{scan['vantage']}")
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
                          "problem": why})
    note = "" if scan.get("udp") else " (UDP not scanned: TFTP and SNMP not verified)"
    if found:
        shown = "; ".join(f"{f['label']} {f['proto']}/{f['port']}: {f['problem']}"
                          for f in found[:5])
        more = f" (+{len(found) - 5} more)" if len(found) > 5 else ""
        return Result(Status.FAIL,
                      f"From zone {scan['vantage']}, {len(found)} insecure service(s) are "
                      f"reachable: {shown}{more}{note}.",
                      observed=found, expected="no insecure protocol reachable", source="nmap")
    return Result(Status.PASS,
                  f"From zone {scan['vantage']}, no insecure protocol is reachable among "
                  f"{len(scan.get('open', []))} open services{note}.",
                  observed=[], expected="no insecure protocol reachable", source="nmap")


def tls_problems(t: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """What is wrong with one TLS service (certificate, key, protocols, ciphers), as text."""

    out = []
    cert = t.get("cert")
    if cert is None:
        out.append(f"certificate not read ({t.get('cert_error') or 'no ssl-cert output'})")
    else:
        if not cert["valid_now"]:
            out.append(f"certificate not valid now (not after {cert['not_after']})")
        elif cert["days_left"] < int(params["min_days_left"]):
            out.append(f"certificate expires in {cert['days_left']} days")
        minimum = {"RSA": int(params["min_rsa_bits"]), "DSA": 10**6,
                   "EC": int(params["min_ec_bits"])}.get(cert["key_type"], 0)
        if cert["key_bits"] < minimum:
            out.append(f"weak key {cert['key_type']}-{cert['key_bits']}")
        if cert["signature_hash"] in ("md5", "sha1"):
            out.append(f"weak signature {cert['signature']}")
        if cert["name_match"] is False:
            out.append(f"name {cert['expected_name']} not in the certificate "
                       f"({', '.join(cert['names'][:4]) or 'no names'})")
    if t.get("chain") != "complete":
        out.append(f"chain {t.get('chain')}: {t.get('chain_detail', '')}")
    old = [p for p in t.get("protocols", []) if p in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1")]
    if old:
        out.append(f"old protocols offered: {', '.join(old)}")
    if t.get("weak_ciphers"):
        out.append(f"weak ciphers: {', '.join(t['weak_ciphers'][:3])}")
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
        return Result(Status.NOT_APPLICABLE, "No TLS service was found by the scan.",
                      observed=[], expected="healthy TLS on every TLS service", source="nmap")
    bad = []
    for t in services:
        problems = tls_problems(t, params)
        if problems:
            bad.append({"target": t.get("name") or t["address"], "address": t["address"],
                        "host": t.get("host", ""), "name": t.get("name", ""),
                        "port": t["port"], "zone": t.get("zone", ""), "problems": problems,
                        "cert": t.get("cert")})
    expected = (f"valid certificate (>= {params['min_days_left']} days), complete chain, "
                f"RSA >= {params['min_rsa_bits']} / EC >= {params['min_ec_bits']}, "
                "TLS 1.2+ only, no weak cipher")
    if bad:
        shown = "; ".join(f"{label(b)}:{b['port']} {', '.join(b['problems'])}"
                          for b in bad[:3])
        more = f" (+{len(bad) - 3} more services)" if len(bad) > 3 else ""
        return Result(Status.FAIL,
                      f"{len(bad)} of {len(services)} TLS service(s) have problems: "
                      f"{shown}{more}.",
                      observed=bad, expected=expected, source="nmap ssl-cert, ssl-enum-ciphers")
    return Result(Status.PASS, f"All {len(services)} TLS service(s) are healthy.",
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
        return Result(Status.NOT_APPLICABLE, "No public service or zone to assess for IPv6.",
                      observed=[], expected="IPv6 readiness", source="dns, nmap")
    missing = [c for c, ok in crit if not ok]
    exempt = [f"{z['name']} ({z['ipv6_exempt']})" for z in fact["zones"] if z.get("ipv6_exempt")]
    shown = f" Zones without IPv6 by decision: {'; '.join(exempt)}." if exempt else ""
    observed = {"score_percent": pct, "met": met, "criteria": total,
                "missing": missing, "services": fact["services"], "zones": fact["zones"]}
    expected = f"IPv6 readiness >= {params['min_percent']}%"
    if pct < float(params["min_percent"]):
        return Result(Status.FAIL,
                      f"IPv6 readiness score {pct:.0f}% ({met}/{total} criteria); missing: "
                      f"{'; '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}.{shown}",
                      observed=observed, expected=expected, source="dns, nmap")
    return Result(Status.PASS,
                  f"IPv6 readiness score {pct:.0f}% ({met}/{total} criteria).{shown}",
                  observed=observed, expected=expected, source="dns, nmap")
