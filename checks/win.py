"""Windows hosts (issue 11): anti-malware, firewall, IPv6, SMB, RDP, account and audit policy,
updates, removable storage, BitLocker, accounts and screen lock, from the sections of the
Windows collector document (:mod:`attt.probes.windows`, :mod:`attt.probes.windows_policy`).

Every check first reads ``win_host``: on a host that is not Windows it is not applicable.  A
section the collector's account could not read ("denied") makes the check ``error`` with
"needs administrator rights", never ``pass``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.windows import (
    WIN_PRODUCTS,
    AvProduct,
    Defender,
    WinHost,
    WinProduct,
    WinService,
    running_products,
)
from attt.probes.windows_policy import FwProfile, Ipv6, LocalAccounts, Rdp
from attt.registry import ScopedFacts, check

SERVERS = ("server", "database", "web", "management")
_NOT_WINDOWS = T("Not a Windows host (no collector document).")

# auditpol subcategory GUIDs (language-neutral; names are localised).
LOGON = "{0CCE9215-69AE-11D9-BED3-505054503030}"
USER_ACCOUNT_MGMT = "{0CCE9235-69AE-11D9-BED3-505054503030}"
SECURITY_GROUP_MGMT = "{0CCE9237-69AE-11D9-BED3-505054503030}"
AUDIT_POLICY_CHANGE = "{0CCE922F-69AE-11D9-BED3-505054503030}"
SENSITIVE_PRIVILEGE_USE = "{0CCE9228-69AE-11D9-BED3-505054503030}"
_SETTING = {0: "none", 1: "success", 2: "failure", 3: "success and failure"}
_SETTING_MSG = {0: T("no auditing"), 1: T("success"), 2: T("failure"),
                3: T("success and failure")}


def _host(facts: ScopedFacts) -> WinHost | None:
    host: WinHost | None = facts.get("win_host")
    return host


def _na() -> Result:
    return Result(Status.NOT_APPLICABLE, _NOT_WINDOWS, source="win_host")


def _res(ok: bool, yes: Msg, no: Msg, observed: Any, expected: str, source: str) -> Result:
    return Result(Status.PASS if ok else Status.FAIL, yes if ok else no, observed=observed,
                  expected=expected, source=source)


# ---------------------------------------------------------------------------- anti-malware


def _engines(facts: ScopedFacts, table: tuple[WinProduct, ...]) -> dict[str, str]:
    """Active anti-malware engines: name -> where it shows (SecurityCenter2, Defender status,
    a declared product's service or process)."""

    out: dict[str, str] = {}
    if facts.has("win_av_products"):
        av: list[AvProduct] = facts.get("win_av_products")
        for p in av:
            if p.enabled and not p.microsoft:
                out[p.name] = "SecurityCenter2"
    if facts.has("win_defender"):
        d: Defender = facts.get("win_defender")
        if d.active:
            out["Microsoft Defender Antivirus"] = "Get-MpComputerStatus"
    services: dict[str, WinService] = (facts.get("win_services")
                                       if facts.has("win_services") else {})
    procs: frozenset[str] = (facts.get("win_processes") if facts.has("win_processes")
                             else frozenset())
    for product, via in running_products(table, services, procs):
        if product.protects and not any(product.vendor in n.casefold() for n in out):
            out[product.name] = via
    return out


def _need_some(facts: ScopedFacts) -> None:
    # Nothing readable at all is an error, not "no anti-malware".
    if not any(facts.has(n) for n in ("win_av_products", "win_defender", "win_services")):
        facts.get("win_defender")


_AV_PROBES = ("win_host", "win_av_products", "win_defender", "win_services", "win_processes")


@check(
    "win.av_present",
    title_vi="Máy Windows có phần mềm phòng chống mã độc đang hoạt động",
    title_en="Anti-malware is active on the Windows host",
    severity="high",
    probes=_AV_PROBES,
    remediation_vi="Cài đặt và bật phần mềm phòng chống mã độc có bản quyền được đơn vị phê duyệt "
    "(Kaspersky, BKAV, Trend Micro, Microsoft Defender...).",
    remediation_en="Install and enable the agency's licensed anti-malware product (Kaspersky, "
    "BKAV, Trend Micro, Microsoft Defender, ...).",
)
def av_present(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Every computer must run a licensed anti-malware engine: SecurityCenter2 (clients),
    Defender's own status, or a known product's service shows it."""

    if _host(facts) is None:
        return _na()
    _need_some(facts)
    engines = _engines(facts, WIN_PRODUCTS)
    return _res(bool(engines), T("Active anti-malware: {engines}.", engines=sorted(engines)),
                T("No active anti-malware engine was found."), engines,
                "an active anti-malware engine", "win_av_products, win_defender, win_services")


@check(
    "win.av_realtime",
    title_vi="Bảo vệ thời gian thực của phần mềm phòng chống mã độc được bật",
    title_en="Anti-malware real-time protection is on",
    severity="high",
    probes=_AV_PROBES,
    remediation_vi="Bật bảo vệ thời gian thực (real-time protection) trên phần mềm phòng chống "
    "mã độc, không để người dùng tắt.",
    remediation_en="Turn real-time protection on in the anti-malware product and prevent users "
    "from turning it off.",
)
def av_realtime(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """An engine that only scans on demand misses malware when it arrives; Defender reports
    RealTimeProtectionEnabled, a third-party product's SecurityCenter2 state 'on' is its
    real-time protection."""

    if _host(facts) is None:
        return _na()
    _need_some(facts)
    on: list[str] = []
    if facts.has("win_av_products"):
        av: list[AvProduct] = facts.get("win_av_products")
        on += [p.name for p in av if p.enabled and not p.microsoft]
    if facts.has("win_defender"):
        d: Defender = facts.get("win_defender")
        if d.active and d.real_time_protection_enabled:
            on.append("Microsoft Defender Antivirus")
    return _res(bool(on), T("Real-time protection is on: {engines}.", engines=on),
                T("No engine reports real-time protection on."), on,
                "real-time protection on", "win_av_products, win_defender")


@check(
    "win.av_signatures_fresh",
    title_vi="Cơ sở dữ liệu mẫu mã độc được cập nhật",
    title_en="Anti-malware signatures are up to date",
    severity="high",
    probes=_AV_PROBES,
    params={"max_age_days": 7},
    stricter={"max_age_days": "lower"},
    remediation_vi="Cấu hình cập nhật mẫu nhận diện tự động (từ máy chủ quản trị tập trung hoặc "
    "Internet) và kiểm tra kết nối cập nhật.",
    remediation_en="Configure automatic signature updates (from the management server or the "
    "Internet) and check the update connection.",
)
def av_signatures_fresh(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Signatures older than a few days miss current malware.  Defender gives its signature
    age; for a third-party product only SecurityCenter2's out-of-date flag is available."""

    if _host(facts) is None:
        return _na()
    _need_some(facts)
    limit = int(params["max_age_days"])
    fresh: list[str] = []
    stale: list[str] = []
    if facts.has("win_defender"):
        d: Defender = facts.get("win_defender")
        if d.active:
            age = d.signature_age_days  # None: not reported, so not shown to be fresh
            ok = age is not None and age <= limit and not d.signatures_out_of_date
            (fresh if ok else stale).append(f"Microsoft Defender Antivirus "
                                            f"({'?' if age is None else age} d)")
    if facts.has("win_av_products"):
        av: list[AvProduct] = facts.get("win_av_products")
        for p in av:
            if p.enabled and not p.microsoft:
                (fresh if p.up_to_date else stale).append(p.name)
    observed = {"fresh": fresh, "stale": stale, "max_age_days": limit}
    if not fresh and not stale:
        return Result(Status.FAIL, T("No active engine reports its signatures."),
                      observed=observed, expected="fresh signatures", source="win_defender")
    return _res(not stale, T("Signatures are up to date: {engines}.", engines=fresh),
                T("Signatures are out of date (more than {days} days or flagged): {engines}.",
                  days=limit, engines=stale), observed, f"signatures at most {limit} days old",
                "win_defender, win_av_products")


@check(
    "win.av_managed",
    title_vi="Phần mềm phòng chống mã độc được quản lý tập trung",
    title_en="Anti-malware is centrally managed",
    severity="medium",
    probes=_AV_PROBES,
    params={"agents": ["klnagent", "tmlisten"]},
    remediation_vi="Cài tác tử quản trị (Kaspersky Network Agent, Trend Micro Apex One...) và "
    "kết nối máy với máy chủ quản trị tập trung; khai báo tác tử khác trong tham số agents.",
    remediation_en="Install the management agent (Kaspersky Network Agent, Trend Micro Apex "
    "One, ...) and enrol the host in the management server; declare other agents in the "
    "agents parameter.",
)
def av_managed(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """From level 3 anti-malware is managed from a central console: a declared management
    agent (service or process name) must run.  Defender's own management (Intune, MDE, GPO)
    is not in the collector's data and is left to the console's evidence."""

    if _host(facts) is None:
        return _na()
    names = [str(a).casefold() for a in params["agents"]]
    services: dict[str, WinService] = facts.get("win_services")
    procs: frozenset[str] = (facts.get("win_processes") if facts.has("win_processes")
                             else frozenset())
    found = sorted({n for n in names if n in procs
                    or (n in services and services[n].state == "Running")})
    if found:
        return Result(Status.PASS, T("A management agent runs: {agents}.", agents=found),
                      observed=found, expected="a management agent", source="win_services")
    engines = _engines(facts, WIN_PRODUCTS)
    if list(engines) == ["Microsoft Defender Antivirus"]:
        return Result(Status.MANUAL, T("Only Microsoft Defender runs; show its central "
                                       "management (Intune, Defender for Endpoint, GPO) from "
                                       "the console."), observed=sorted(engines),
                      expected="a management agent", source="win_defender")
    return Result(Status.FAIL, T("No management agent runs (looked for {agents}).",
                                 agents=names), observed={"engines": sorted(engines)},
                  expected="a management agent", source="win_services, win_processes")


@check(
    "win.av_single_engine_server",
    title_vi="Máy chủ Windows không chạy đồng thời hai phần mềm phòng chống mã độc",
    title_en="A Windows server does not run two active anti-malware engines",
    severity="medium",
    probes=_AV_PROBES,
    roles=SERVERS,
    remediation_vi="Gỡ Microsoft Defender hoặc đặt ForceDefenderPassiveMode=1 khi đã dùng sản "
    "phẩm phòng chống mã độc khác trên máy chủ.",
    remediation_en="Uninstall Microsoft Defender or set ForceDefenderPassiveMode=1 when another "
    "anti-malware product protects the server.",
)
def av_single_engine_server(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """On Windows Server, Defender does not step aside for another product: two engines
    scanning the same files cost performance and stability."""

    host = _host(facts)
    if host is None:
        return _na()
    if not host.server:
        return Result(Status.NOT_APPLICABLE, T("Not a Windows Server (clients switch Defender "
                                               "off themselves)."), source="win_host")
    facts.get("win_defender")
    engines = _engines(facts, WIN_PRODUCTS)
    return _res(len(engines) <= 1, T("Active engines: {engines}.", engines=sorted(engines)),
                T("Two or more engines are active at once: {engines}.",
                  engines=sorted(engines)), engines, "at most one active engine",
                "win_defender, win_services")


# ---------------------------------------------------------------------------- network


def _no_profiles() -> Result:
    return Result(Status.FAIL, T("No firewall profile was reported."), observed=[],
                  expected="Domain, Private and Public", source="win_firewall")


@check(
    "win.firewall_enabled",
    title_vi="Tường lửa Windows bật cho mọi hồ sơ mạng",
    title_en="Windows Firewall is on for every profile",
    severity="high",
    probes=("win_host", "win_firewall"),
    remediation_vi="Bật Windows Defender Firewall cho các hồ sơ Domain, Private và Public "
    "(GPO hoặc Set-NetFirewallProfile -Enabled True).",
    remediation_en="Turn Windows Defender Firewall on for the Domain, Private and Public "
    "profiles (GPO or Set-NetFirewallProfile -Enabled True).",
)
def firewall_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A profile with the firewall off leaves every listening service reachable on that kind
    of network."""

    if _host(facts) is None:
        return _na()
    profiles: list[FwProfile] = facts.get("win_firewall")
    if not profiles:
        return _no_profiles()
    off = [p.name for p in profiles if not p.enabled]
    names = [p.name for p in profiles]
    return _res(not off, T("The firewall is on for {profiles}.", profiles=names),
                T("The firewall is off for {profiles}.", profiles=off),
                {p.name: p.enabled for p in profiles}, "on for every profile", "win_firewall")


@check(
    "win.firewall_default_deny",
    title_vi="Tường lửa Windows chặn kết nối vào theo mặc định",
    title_en="Windows Firewall blocks inbound connections by default",
    severity="medium",
    probes=("win_host", "win_firewall"),
    remediation_vi="Đặt DefaultInboundAction = Block cho mọi hồ sơ, chỉ mở các cổng cần thiết.",
    remediation_en="Set DefaultInboundAction to Block for every profile and open only the ports "
    "needed.",
)
def firewall_default_deny(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Default-deny inbound: what is not explicitly allowed is refused.  NotConfigured keeps
    Windows' default, which is Block."""

    if _host(facts) is None:
        return _na()
    profiles: list[FwProfile] = facts.get("win_firewall")
    if not profiles:
        return _no_profiles()
    allow = [p.name for p in profiles if p.default_inbound == "Allow"]
    return _res(not allow, T("Inbound connections are blocked by default on every profile."),
                T("Inbound connections are allowed by default on {profiles}.", profiles=allow),
                {p.name: p.default_inbound for p in profiles},
                "Block (or NotConfigured: the Block default)", "win_firewall")


@check(
    "win.ipv6_enabled",
    title_vi="IPv6 không bị vô hiệu hóa trên máy Windows",
    title_en="IPv6 is not disabled on the Windows host",
    severity="low",
    probes=("win_host", "win_ipv6"),
    remediation_vi="Bật lại liên kết IPv6 (ms_tcpip6) trên các card mạng và xóa giá trị "
    "DisabledComponents (hoặc đặt 0x20 để ưu tiên IPv4).",
    remediation_en="Re-enable the IPv6 binding (ms_tcpip6) on the adapters and remove "
    "DisabledComponents (or set 0x20 to prefer IPv4).",
)
def ipv6_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The national IPv6 programme wants agency hosts IPv6-ready; Microsoft advises against
    disabling IPv6.  Both the adapter binding and DisabledComponents (0x10 or 0xFF disable the
    native interfaces) are read."""

    if _host(facts) is None:
        return _na()
    v6: Ipv6 = facts.get("win_ipv6")
    unbound = sorted(a for a, on in v6.bindings.items() if not on)
    dc = v6.disabled_components
    disabled = dc is not None and bool(dc & 0x10)
    observed = {"unbound": unbound, "disabled_components": dc}
    return _res(not unbound and not disabled and bool(v6.bindings),
                T("IPv6 is enabled (DisabledComponents {value}).", value=hex(dc or 0)),
                T("IPv6 is disabled: adapters without it {adapters}, DisabledComponents "
                  "{value}.", adapters=unbound, value="-" if dc is None else hex(dc)),
                observed, "IPv6 bound and DisabledComponents without 0x10", "win_ipv6")


@check(
    "win.ipv6_global_address",
    title_vi="Máy Windows có địa chỉ IPv6 toàn cục",
    title_en="The Windows host has a global IPv6 address",
    severity="low",
    probes=("win_host", "win_ipv6"),
    remediation_vi="Cấp địa chỉ IPv6 toàn cục (SLAAC/DHCPv6 hoặc tĩnh) theo quy hoạch IPv6 của "
    "đơn vị.",
    remediation_en="Assign a global IPv6 address (SLAAC/DHCPv6 or static) per the agency's "
    "IPv6 plan.",
)
def ipv6_global_address(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A host is IPv6-ready when it holds a global unicast address, not only link-local."""

    if _host(facts) is None:
        return _na()
    v6: Ipv6 = facts.get("win_ipv6")
    glob = v6.global_addresses()
    return _res(bool(glob), T("Global IPv6 addresses: {addresses}.", addresses=glob),
                T("No global IPv6 address (only link-local or none)."), glob,
                "a global IPv6 address", "win_ipv6")


@check(
    "win.smb1_disabled",
    title_vi="Giao thức SMBv1 bị tắt",
    title_en="SMBv1 is disabled",
    severity="high",
    probes=("win_host", "win_smb"),
    remediation_vi="Set-SmbServerConfiguration -EnableSMB1Protocol $false và gỡ tính năng "
    "SMB1Protocol.",
    remediation_en="Set-SmbServerConfiguration -EnableSMB1Protocol $false and remove the "
    "SMB1Protocol feature.",
)
def smb1_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """SMBv1 has no encryption or pre-authentication integrity and carried WannaCry."""

    if _host(facts) is None:
        return _na()
    on: bool = facts.get("win_smb")
    return _res(not on, T("The SMB server refuses SMBv1."), T("The SMB server accepts SMBv1."),
                {"smb1_enabled": on}, "SMBv1 disabled", "win_smb")


@check(
    "win.rdp_nla",
    title_vi="Remote Desktop tắt hoặc bắt buộc xác thực mức mạng (NLA)",
    title_en="Remote Desktop is off or requires Network Level Authentication",
    severity="high",
    probes=("win_host", "win_rdp"),
    remediation_vi="Tắt Remote Desktop khi không cần; nếu dùng, bật UserAuthentication=1 (NLA).",
    remediation_en="Turn Remote Desktop off when not needed; otherwise set "
    "UserAuthentication=1 (NLA).",
)
def rdp_nla(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Without NLA the logon screen is exposed to anyone who reaches port 3389 before any
    authentication."""

    if _host(facts) is None:
        return _na()
    rdp: Rdp = facts.get("win_rdp")
    observed = {"deny_connections": rdp.deny_connections, "nla": rdp.nla}
    # fDenyTSConnections absent: Windows' default is 1 (connections refused).
    if rdp.deny_connections is None or rdp.deny_connections == 1:
        return Result(Status.PASS, T("Remote Desktop is off."), observed=observed,
                      expected="off, or NLA on", source="win_rdp")
    return _res(rdp.nla == 1, T("Remote Desktop is on and requires NLA."),
                T("Remote Desktop is on without NLA (UserAuthentication {value}).",
                  value="-" if rdp.nla is None else rdp.nla),
                observed, "off, or NLA on", "win_rdp")


# ---------------------------------------------------------------------------- account policy


def _policy(facts: ScopedFacts, key: str) -> int | None:
    policy: dict[str, int | None] = facts.get("win_password_policy")
    return policy.get(key)


_PWD = ("win_host", "win_password_policy")
_GPO_VI = "Đặt qua GPO (Computer Configuration > Windows Settings > Security Settings > Account " \
    "Policies) hoặc secpol.msc: "
_GPO_EN = "Set by GPO (Computer Configuration > Windows Settings > Security Settings > Account " \
    "Policies) or secpol.msc: "


@check(
    "win.password_min_length",
    title_vi="Độ dài mật khẩu tối thiểu đạt yêu cầu",
    title_en="Minimum password length meets the requirement",
    severity="high",
    probes=_PWD,
    params={"min_chars": 8},
    stricter={"min_chars": "higher"},
    remediation_vi=_GPO_VI + "Minimum password length.",
    remediation_en=_GPO_EN + "Minimum password length.",
)
def password_min_length(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Short passwords fall to guessing; secedit's MinimumPasswordLength is the policy in
    force."""

    if _host(facts) is None:
        return _na()
    want = int(params["min_chars"])
    have = _policy(facts, "MinimumPasswordLength") or 0
    return _res(have >= want, T("Minimum password length is {value}.", value=have),
                T("Minimum password length is {value}, below {want}.", value=have, want=want),
                have, f">= {want}", "win_password_policy")


@check(
    "win.password_complexity",
    title_vi="Mật khẩu phải đáp ứng yêu cầu độ phức tạp",
    title_en="Passwords must meet complexity requirements",
    severity="medium",
    probes=_PWD,
    remediation_vi=_GPO_VI + "Password must meet complexity requirements = Enabled.",
    remediation_en=_GPO_EN + "Password must meet complexity requirements = Enabled.",
)
def password_complexity(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Complexity (three of four character classes, not the account name) is PasswordComplexity
    = 1."""

    if _host(facts) is None:
        return _na()
    have = _policy(facts, "PasswordComplexity")
    return _res(have == 1, T("Password complexity is required."),
                T("Password complexity is not required (PasswordComplexity {value}).",
                  value="-" if have is None else have), have, "1", "win_password_policy")


@check(
    "win.password_history",
    title_vi="Không cho dùng lại mật khẩu gần đây",
    title_en="Recent passwords cannot be reused",
    severity="medium",
    probes=_PWD,
    params={"min_history": 5},
    stricter={"min_history": "higher"},
    remediation_vi=_GPO_VI + "Enforce password history.",
    remediation_en=_GPO_EN + "Enforce password history.",
)
def password_history(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Password history stops a user from cycling back to a compromised password."""

    if _host(facts) is None:
        return _na()
    want = int(params["min_history"])
    have = _policy(facts, "PasswordHistorySize") or 0
    return _res(have >= want, T("{value} previous passwords are remembered.", value=have),
                T("{value} previous passwords are remembered, below {want}.", value=have,
                  want=want), have, f">= {want}", "win_password_policy")


@check(
    "win.password_max_age",
    title_vi="Mật khẩu có thời hạn sử dụng tối đa",
    title_en="Passwords have a maximum age",
    severity="medium",
    probes=_PWD,
    params={"max_days": 90},
    stricter={"max_days": "lower"},
    remediation_vi=_GPO_VI + "Maximum password age.",
    remediation_en=_GPO_EN + "Maximum password age.",
)
def password_max_age(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A password that never expires stays valid after a leak; 0 or -1 means never."""

    if _host(facts) is None:
        return _na()
    want = int(params["max_days"])
    have = _policy(facts, "MaximumPasswordAge")
    ok = have is not None and 0 < have <= want
    return _res(ok, T("Passwords expire after {value} days.", value=have),
                T("Maximum password age is {value} (never expiring is 0 or -1), above {want} "
                  "days or unset.", value="-" if have is None else have, want=want),
                have, f"1..{want} days", "win_password_policy")


@check(
    "win.lockout_threshold",
    title_vi="Tài khoản bị khóa sau số lần đăng nhập sai",
    title_en="Accounts lock after failed logons",
    severity="high",
    probes=_PWD,
    params={"max_attempts": 5},
    stricter={"max_attempts": "lower"},
    remediation_vi=_GPO_VI + "Account lockout threshold (và Account lockout duration).",
    remediation_en=_GPO_EN + "Account lockout threshold (and Account lockout duration).",
)
def lockout_threshold(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Without a lockout threshold (LockoutBadCount 0) passwords can be guessed online without
    limit."""

    if _host(facts) is None:
        return _na()
    want = int(params["max_attempts"])
    have = _policy(facts, "LockoutBadCount") or 0
    return _res(0 < have <= want, T("Accounts lock after {value} failed logons.", value=have),
                T("Lockout threshold is {value} (0: never), not within 1..{want}.",
                  value=have, want=want), have, f"1..{want}", "win_password_policy")


# ---------------------------------------------------------------------------- audit policy


def _audit(facts: ScopedFacts, need: Mapping[str, tuple[str, int]]) -> Result:
    """``need``: GUID -> (subcategory name, required setting bits: 1 success, 2 failure)."""

    if _host(facts) is None:
        return _na()
    have: dict[str, int] = facts.get("win_audit_policy")
    observed = {name: _SETTING[have.get(guid, 0)] for guid, (name, _) in need.items()}
    short = sorted(name for guid, (name, bits) in need.items()
                   if have.get(guid, 0) & bits != bits)
    expected = {name: _SETTING[bits] for name, bits in need.values()}
    said = [T("{name}: {setting}", name=name, setting=_SETTING_MSG[have.get(guid, 0)])
            for guid, (name, _) in need.items()]
    return _res(not short, T("Audited as required: {settings}.", settings=said),
                T("Not audited as required: {subcategories} (now {settings}).",
                  subcategories=short, settings=said), observed, str(expected),
                "win_audit_policy")


_AUDIT_VI = "Bật Advanced Audit Policy (GPO: Advanced Audit Policy Configuration) cho: "
_AUDIT_EN = "Enable it in Advanced Audit Policy Configuration (GPO): "


@check(
    "win.audit_logon",
    title_vi="Ghi nhật ký sự kiện đăng nhập (thành công và thất bại)",
    title_en="Logon events are audited (success and failure)",
    severity="high",
    probes=("win_host", "win_audit_policy"),
    remediation_vi=_AUDIT_VI + "Logon/Logoff > Audit Logon = Success and Failure.",
    remediation_en=_AUDIT_EN + "Logon/Logoff > Audit Logon = Success and Failure.",
)
def audit_logon(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Failed and successful logons are the first trace of password guessing and stolen
    credentials."""

    return _audit(facts, {LOGON: ("Logon", 3)})


@check(
    "win.audit_account_management",
    title_vi="Ghi nhật ký thay đổi tài khoản và nhóm",
    title_en="Account and group management is audited",
    severity="medium",
    probes=("win_host", "win_audit_policy"),
    remediation_vi=_AUDIT_VI + "Account Management > User Account Management, Security Group "
    "Management = Success.",
    remediation_en=_AUDIT_EN + "Account Management > User Account Management, Security Group "
    "Management = Success.",
)
def audit_account_management(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Created accounts and new members of privileged groups must leave a trace."""

    return _audit(facts, {USER_ACCOUNT_MGMT: ("User Account Management", 1),
                          SECURITY_GROUP_MGMT: ("Security Group Management", 1)})


@check(
    "win.audit_policy_change",
    title_vi="Ghi nhật ký thay đổi chính sách kiểm toán",
    title_en="Audit policy changes are audited",
    severity="medium",
    probes=("win_host", "win_audit_policy"),
    remediation_vi=_AUDIT_VI + "Policy Change > Audit Policy Change = Success.",
    remediation_en=_AUDIT_EN + "Policy Change > Audit Policy Change = Success.",
)
def audit_policy_change(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """An intruder turns auditing off first; the change itself must be recorded."""

    return _audit(facts, {AUDIT_POLICY_CHANGE: ("Audit Policy Change", 1)})


@check(
    "win.audit_privilege_use",
    title_vi="Ghi nhật ký sử dụng đặc quyền nhạy cảm",
    title_en="Sensitive privilege use is audited",
    severity="medium",
    probes=("win_host", "win_audit_policy"),
    remediation_vi=_AUDIT_VI + "Privilege Use > Audit Sensitive Privilege Use = Success and "
    "Failure.",
    remediation_en=_AUDIT_EN + "Privilege Use > Audit Sensitive Privilege Use = Success and "
    "Failure.",
)
def audit_privilege_use(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Use of privileges such as debugging programs or taking ownership shows escalation."""

    return _audit(facts, {SENSITIVE_PRIVILEGE_USE: ("Sensitive Privilege Use", 3)})


# ---------------------------------------------------------------------------- updates


@check(
    "win.wsus_configured",
    title_vi="Cập nhật Windows được quản lý tập trung (WSUS)",
    title_en="Windows updates are centrally managed (WSUS)",
    severity="medium",
    probes=("win_host", "win_updates"),
    remediation_vi="Cấu hình GPO Specify intranet Microsoft update service location (WUServer) "
    "trỏ tới máy chủ WSUS của đơn vị.",
    remediation_en="Set the GPO 'Specify intranet Microsoft update service location' "
    "(WUServer) to the agency's WSUS server.",
)
def wsus_configured(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A WSUS server lets the agency approve, distribute and report updates for every
    computer."""

    if _host(facts) is None:
        return _na()
    server = facts.get("win_updates").wsus_server
    return _res(server is not None, T("Updates come from WSUS server {server}.", server=server),
                T("No WSUS server is configured (WUServer absent)."), server,
                "WUServer set", "win_updates")


@check(
    "win.update_recent",
    title_vi="Bản cập nhật gần nhất được cài trong thời hạn",
    title_en="The latest update was installed recently",
    severity="high",
    probes=("win_host", "win_updates"),
    params={"max_age_days": 35},
    stricter={"max_age_days": "lower"},
    remediation_vi="Cài các bản cập nhật bảo mật hằng tháng (Windows Update/WSUS) và kiểm tra "
    "dịch vụ wuauserv.",
    remediation_en="Install the monthly security updates (Windows Update/WSUS) and check the "
    "wuauserv service.",
)
def update_recent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Microsoft ships security fixes monthly: a host whose newest hotfix is older than about
    a month misses at least one round.  The age is counted at the collection time."""

    host = _host(facts)
    if host is None:
        return _na()
    upd = facts.get("win_updates")
    limit = int(params["max_age_days"])
    observed = {"last_installed": upd.last_installed and upd.last_installed.isoformat(),
                "pending": upd.pending}
    if upd.last_installed is None or host.collected_at is None:
        return Result(Status.FAIL, T("No installed update date is known."),
                      observed=observed, expected=f"<= {limit} days", source="win_updates")
    age = (host.collected_at.date() - upd.last_installed).days
    return _res(age <= limit, T("The latest update was installed on {date} ({days} days "
                                "before collection).", date=upd.last_installed, days=age),
                T("The latest update was installed on {date}, {days} days before collection "
                  "(limit {limit}); {pending} updates pending.", date=upd.last_installed,
                  days=age, limit=limit, pending=upd.pending),
                observed, f"<= {limit} days", "win_updates")


# ---------------------------------------------------------------------------- host hardening


@check(
    "win.usb_storage_restricted",
    title_vi="Hạn chế thiết bị lưu trữ USB",
    title_en="USB storage is restricted",
    severity="medium",
    probes=("win_host", "win_usb_storage"),
    roles=("workstation",),
    remediation_vi="Chặn lưu trữ USB bằng GPO (Removable Storage Access: All Removable Storage "
    "classes: Deny all access) hoặc chức năng kiểm soát thiết bị của phần mềm phòng chống mã "
    "độc (khi đó nộp bằng chứng từ bảng điều khiển).",
    remediation_en="Block USB storage by GPO (Removable Storage Access: All Removable Storage "
    "classes: Deny all access) or by the anti-malware product's device control (then file "
    "the console's evidence).",
)
def usb_storage_restricted(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Removable storage carries malware in and data out; Windows restricts it with the
    USBSTOR service (Start 4) or the removable storage policies.  Device control by the
    anti-malware product is not visible here."""

    if _host(facts) is None:
        return _na()
    usb = facts.get("win_usb_storage")
    observed = {"usbstor_start": usb.usbstor_start, "deny_all": usb.deny_all,
                "deny_write": usb.deny_write}
    ok = usb.usbstor_start == 4 or usb.deny_all == 1 or usb.deny_write == 1
    return _res(ok, T("USB storage is restricted (USBSTOR Start {start}, Deny_All {deny_all}, "
                      "Deny_Write {deny_write}).", start=usb.usbstor_start,
                      deny_all=usb.deny_all, deny_write=usb.deny_write),
                T("USB storage is not restricted by Windows policy (USBSTOR Start {start}); "
                  "device control by the anti-malware product needs the console's evidence.",
                  start=usb.usbstor_start),
                observed, "USBSTOR Start 4, Deny_All 1 or Deny_Write 1", "win_usb_storage")


@check(
    "win.bitlocker_system_drive",
    title_vi="Ổ đĩa hệ thống được mã hóa BitLocker",
    title_en="The system drive is encrypted with BitLocker",
    severity="medium",
    probes=("win_host", "win_bitlocker"),
    remediation_vi="Bật BitLocker cho ổ hệ thống (manage-bde -on C: hoặc GPO) và lưu khóa khôi "
    "phục vào AD.",
    remediation_en="Turn BitLocker on for the system drive (manage-bde -on C: or GPO) and "
    "escrow the recovery key in AD.",
)
def bitlocker_system_drive(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """At the levels that require encryption of stored data, a lost or stolen computer must
    not expose its disk.  Mapped only from those levels."""

    if _host(facts) is None:
        return _na()
    vols = facts.get("win_bitlocker")
    system = [v for v in vols if v.system_drive]
    observed = {v.drive: v.protection_status for v in vols}
    if not system:
        return Result(Status.FAIL, T("No system drive is listed as an encryptable volume."),
                      observed=observed, expected="protection on", source="win_bitlocker")
    off = [v.drive for v in system if v.protection_status != 1]
    return _res(not off, T("BitLocker protects the system drive {drive}.",
                           drive=system[0].drive),
                T("BitLocker does not protect the system drive {drive}.", drive=off),
                observed, "ProtectionStatus 1 on the system drive", "win_bitlocker")


@check(
    "win.guest_disabled",
    title_vi="Tài khoản Guest bị vô hiệu hóa",
    title_en="The Guest account is disabled",
    severity="high",
    probes=("win_host", "win_local_accounts"),
    remediation_vi="Vô hiệu hóa tài khoản Guest (Disable-LocalUser -SID <...>-501 hoặc GPO "
    "Accounts: Guest account status = Disabled).",
    remediation_en="Disable the Guest account (Disable-LocalUser on the -501 SID, or the GPO "
    "Accounts: Guest account status = Disabled).",
)
def guest_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The Guest account logs on without a password of its own; it is found by its SID (RID
    501), whatever its (renamed or localised) name."""

    if _host(facts) is None:
        return _na()
    acc: LocalAccounts = facts.get("win_local_accounts")
    guests = [u for u in acc.users if u.guest]
    on = [u.name for u in guests if u.enabled]
    return _res(not on, T("The Guest account is disabled or absent."),
                T("The Guest account is enabled: {accounts}.", accounts=on),
                {u.name: u.enabled for u in guests}, "disabled", "win_local_accounts")


@check(
    "win.screen_lock",
    title_vi="Máy trạm tự khóa màn hình khi không sử dụng",
    title_en="The workstation locks its screen when idle",
    severity="medium",
    probes=("win_host", "win_screen_lock"),
    params={"max_seconds": 900},
    stricter={"max_seconds": "lower"},
    roles=("workstation",),
    remediation_vi="Đặt GPO Interactive logon: Machine inactivity limit (ví dụ 900 giây) hoặc "
    "bảo vệ màn hình có mật khẩu.",
    remediation_en="Set the GPO 'Interactive logon: Machine inactivity limit' (for example 900 "
    "seconds) or a password-protected screen saver.",
)
def screen_lock(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """An unattended unlocked session gives its rights to whoever sits down.  The machine
    inactivity limit, or a secure screen saver of the collecting user, must lock it."""

    if _host(facts) is None:
        return _na()
    lock = facts.get("win_screen_lock")
    limit = int(params["max_seconds"])
    observed = {"inactivity_timeout_s": lock.inactivity_timeout_s,
                "screensaver_timeout_s": lock.screensaver_timeout_s,
                "screensaver_secure": lock.screensaver_secure}
    machine = lock.inactivity_timeout_s is not None and 0 < lock.inactivity_timeout_s <= limit
    saver = (lock.screensaver_secure == 1 and lock.screensaver_timeout_s is not None
             and 0 < lock.screensaver_timeout_s <= limit)
    return _res(machine or saver, T("The screen locks after at most {seconds} seconds idle.",
                                    seconds=limit),
                T("No screen lock within {seconds} seconds (inactivity limit {machine}, screen "
                  "saver {saver} s, password on resume {secure}).", seconds=limit,
                  machine=lock.inactivity_timeout_s, saver=lock.screensaver_timeout_s,
                  secure=lock.screensaver_secure),
                observed, f"<= {limit} s", "win_screen_lock")


@check(
    "win.local_administrators",
    title_vi="Danh sách quản trị viên cục bộ được rà soát",
    title_en="Local administrators are reviewed",
    severity="medium",
    probes=("win_host", "win_local_accounts"),
    params={"approved": []},
    remediation_vi="Chỉ giữ các tài khoản quản trị được phê duyệt trong nhóm Administrators "
    "(khai báo trong tham số approved); quản lý mật khẩu quản trị cục bộ bằng Windows LAPS.",
    remediation_en="Keep only approved accounts in Administrators (declare them in the approved "
    "parameter); manage the local administrator password with Windows LAPS.",
)
def local_administrators(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Who holds administrator rights on each computer is the agency's decision: without an
    approved list (names or SIDs, or a RID such as -500) the members are listed for review;
    with one, a member outside it is a finding."""

    if _host(facts) is None:
        return _na()
    acc: LocalAccounts = facts.get("win_local_accounts")
    members = [f"{a.name} ({a.sid})" for a in acc.administrators]
    approved = [str(a).casefold() for a in params["approved"]]
    if not approved:
        return Result(Status.MANUAL, T("Review the local administrators: {members}.",
                                       members=members), observed=members,
                      expected="approved administrators only", source="win_local_accounts")

    def known(name: str, sid: str) -> bool:
        short = name.rpartition("\\")[2].casefold()
        return any(a in (name.casefold(), short, sid.casefold())
                   or (a.startswith("-") and sid.endswith(a)) for a in approved)

    extra = [f"{a.name} ({a.sid})" for a in acc.administrators if not known(a.name, a.sid)]
    return _res(not extra, T("Every local administrator is approved: {members}.",
                             members=members),
                T("Local administrators not in the approved list: {members}.", members=extra),
                members, "approved administrators only", "win_local_accounts")
