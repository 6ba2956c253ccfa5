"""Generate the bundled level profiles of both regimes from the requirement catalogues.

The catalogues (tools/regulation/, copied from the project's shared regulation folder) are
the domain source; this script keeps the profiles faithful to them: every item at every
level the catalogue lists it for, with that level's clause references, evidence documents
and freshness periods.  What is ours, not the regulation's, is marked as such: the mapping
of items to checks, the documented default parameter values where a regime states none,
and the IPv6 advisory requirement.

    python tools/gen_profiles.py            # writes profiles/nd85-tt12-{1..5}.yaml and
                                            # profiles/law116-nd331-{1..5}.yaml
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "tools" / "regulation"
ROMAN = ["I", "II", "III", "IV", "V"]

# Requirement -> checks, per level from which the check applies.  Ours, not the Circular's.
CHECK_MAP: dict[str, list[tuple[int, str]]] = {
    "TT12.KT.MC.1": [(1, "password.min_length"), (3, "ssh.password_auth_disabled")],
    "TT12.KT.MC.2": [(1, "ssh.root_login_disabled")],
    "TT12.KT.MC.3": [(1, "time.synchronised"), (3, "logging.remote_forwarding")],
    "TT12.KT.MC.4": [(1, "firewall.default_deny_input")],
    "TT12.KT.MC.5": [(1, "antivirus.running")],
    "TT12.KT.GP.13": [(1, "antivirus.running")],
    # Network checks (attt.network): the zone plan from the inventory, the rest from nmap
    # scans run from a vantage zone.
    "TT12.KT.VUNG.1": [(1, "net.zone_internal"), (2, "net.rules_internal")],
    "TT12.KT.VUNG.2": [(1, "net.zone_perimeter")],
    "TT12.KT.VUNG.3": [(1, "net.zone_dmz")],
    "TT12.KT.VUNG.4": [(2, "net.zone_internal_server")],
    "TT12.KT.VUNG.5": [(2, "net.zone_wireless")],
    "TT12.KT.VUNG.6": [(3, "net.zone_db_server")],
    "TT12.KT.VUNG.7": [(3, "net.zone_management")],
    "TT12.KT.VUNG.8": [(4, "net.zone_device_management")],
    "TT12.KT.MANG.1": [(1, "net.rules_inbound")],
    "TT12.KT.MANG.2": [(2, "net.rules_internal"), (2, "net.insecure_services")],
    "TT12.KT.MANG.6": [(1, "net.insecure_services")],
    "TT12.KT.GP.2": [(1, "net.rules_internal")],
    "TT12.KT.UD.4": [(3, "net.tls_healthy")],
}

# Law 116 / TCVN 14423 requirement -> checks (ours; the toolkit's rows are paraphrases).
CHECK_MAP_TCVN: dict[str, list[tuple[int, str]]] = {
    "TCVN14423.CH.2": [(1, "firewall.default_deny_input"), (1, "ssh.strong_crypto"),
                       (1, "mac.enforcing"), (1, "files.sensitive_permissions"),
                       (1, "kernel.aslr_full"), (1, "kernel.syn_cookies_enabled"),
                       (1, "kernel.redirects_ignored"), (1, "kernel.source_route_rejected"),
                       (1, "kernel.core_dumps_restricted"), (3, "ssh.warning_banner_set"),
                       (4, "kernel.dmesg_restricted")],
    "TCVN14423.CH.3": [(2, "services.telnet_absent"), (2, "services.rsh_absent"),
                       (2, "services.ftp_plaintext_absent"), (2, "services.tftp_absent"),
                       (2, "services.xinetd_absent"), (2, "services.snmp_v1v2c_public_absent")],
    "TCVN14423.CH.6": [(1, "shell.session_timeout"), (1, "ssh.idle_timeout_set")],
    "TCVN14423.CH.7": [(1, "password.lockout_configured"), (1, "ssh.max_auth_tries_limited")],
    "TCVN14423.CH.9": [(4, "services.xinetd_absent"), (4, "files.world_writable_none"),
                       (4, "ssh.x11_forwarding_disabled"), (4, "kernel.ip_forwarding_disabled")],
    "TCVN14423.CH.10": [(4, "ipv6.resolver_reachable")],
    "TCVN14423.TK.5": [(1, "accounts.uid0_only_root"), (1, "accounts.no_empty_passwords")],
    "TCVN14423.TK.7": [(1, "password.complexity_classes"), (1, "accounts.password_max_age"),
                       (1, "accounts.password_min_age"), (1, "accounts.password_warn_age")],
    "TCVN14423.TK.9": [(1, "password.min_length")],
    "TCVN14423.TK.10": [(1, "ssh.root_login_disabled"), (3, "password.history_remembered")],
    "TCVN14423.TK.13": [(1, "accounts.system_accounts_no_login"),
                        (1, "ssh.empty_passwords_denied")],
    "TCVN14423.TK.17": [(1, "accounts.inactive_disabled")],
    "TCVN14423.TK.19": [(1, "sudo.no_nopasswd_all")],
    "TCVN14423.TK.2": [(1, "sudo.logging_enabled"), (1, "audit.rules_logins")],
    "TCVN14423.TK.21": [(3, "ssh.password_auth_disabled")],
    "TCVN14423.LH.7": [(2, "updates.security_pending")],
    "TCVN14423.LH.10": [(1, "updates.last_update_age")],
    "TCVN14423.NK.2": [(1, "logging.rsyslog_running"), (1, "logging.journald_persistent"),
                       (1, "audit.auditd_running")],
    "TCVN14423.NK.4": [(3, "audit.rules_privileged")],
    "TCVN14423.NK.7": [(1, "time.synchronised")],
    "TCVN14423.NK.8": [(3, "monitoring.siem_agent")],
    "TCVN14423.NK.9": [(3, "logging.remote_forwarding")],
    "TCVN14423.NK.10": [(2, "logging.retention_months")],
    "TCVN14423.NK.14": [(4, "audit.rules_config_changes")],
    "TCVN14423.MD.3": [(1, "antivirus.running")],
    "TCVN14423.MD.4": [(1, "antimalware.signatures_fresh")],
    "TCVN14423.MD.6": [(4, "antimalware.centrally_managed")],
    "TCVN14423.HT.19": [(3, "monitoring.system_agent")],
    "TCVN14423.HT.38": [(1, "ssh.idle_timeout_set")],
    "TCVN14423.HT.46": [(2, "ssh.access_restricted"), (2, "ssh.host_based_auth_disabled"),
                        (2, "ssh.login_grace_time_limited")],
    "TCVN14423.GS.4": [(3, "firewall.default_deny_input")],
}
# Further TT12 server items -> checks from the full Linux library (ours).
CHECK_MAP_MORE: dict[str, list[tuple[int, str]]] = {
    "TT12.KT.MC.1": [(1, "accounts.uid0_only_root"), (1, "accounts.no_empty_passwords"),
                     (1, "password.lockout_configured"), (1, "ssh.empty_passwords_denied"),
                     (2, "password.complexity_classes"), (2, "accounts.password_max_age"),
                     (2, "accounts.system_accounts_no_login"),
                     (3, "password.history_remembered"), (3, "accounts.inactive_disabled"),
                     (3, "accounts.password_min_age"), (3, "accounts.password_warn_age")],
    "TT12.KT.MC.2": [(1, "ssh.max_auth_tries_limited"), (1, "sudo.no_nopasswd_all"),
                     (2, "ssh.x11_forwarding_disabled"), (2, "ssh.login_grace_time_limited"),
                     (2, "ssh.host_based_auth_disabled"), (3, "ssh.warning_banner_set"),
                     (2, "ssh.idle_timeout_set"), (2, "shell.session_timeout"),
                     (2, "ssh.strong_crypto"), (3, "ssh.access_restricted"),
                     (3, "ssh.non_default_port"), (1, "services.telnet_absent"),
                     (1, "services.rsh_absent")],
    "TT12.KT.MC.3": [(1, "logging.rsyslog_running"), (2, "logging.journald_persistent"),
                     (2, "audit.auditd_running"), (2, "sudo.logging_enabled"),
                     (3, "logging.retention_months"), (3, "audit.rules_logins"),
                     (3, "audit.rules_privileged"), (3, "audit.rules_config_changes")],
    "TT12.KT.MC.4": [(1, "services.ftp_plaintext_absent"), (1, "services.tftp_absent"),
                     (1, "services.xinetd_absent"), (1, "services.snmp_v1v2c_public_absent"),
                     (1, "updates.security_pending"), (2, "updates.last_update_age"),
                     (2, "files.sensitive_permissions"), (3, "files.world_writable_none"),
                     (3, "mac.enforcing"), (2, "kernel.aslr_full"),
                     (2, "kernel.syn_cookies_enabled"), (3, "kernel.redirects_ignored"),
                     (3, "kernel.source_route_rejected"), (3, "kernel.ip_forwarding_disabled"),
                     (3, "kernel.core_dumps_restricted"), (4, "kernel.dmesg_restricted")],
    "TT12.KT.MC.5": [(2, "antimalware.signatures_fresh"),
                     (3, "antimalware.centrally_managed")],
    "TT12.KT.GP.10": [(3, "monitoring.system_agent")],
    "TT12.KT.GP.11": [(3, "monitoring.siem_agent")],
    "TT12.KT.GP.13": [(3, "antimalware.centrally_managed")],
    "TT12.QL.TC.2": [(3, "monitoring.national_agent")],
}
SERVER_ROLES = ["server", "database", "web", "management"]
SERVER_ONLY = {"TT12.KT.MC.1", "TT12.KT.MC.2", "TT12.KT.MC.3", "TT12.KT.MC.4", "TT12.KT.MC.5"}
HIGH = {"TT12.KT.MC.1", "TT12.KT.MC.2", "TT12.KT.MC.4", "TT12.KT.MC.5", "TT12.KT.GP.13",
        "TCVN14423.CH.2", "TCVN14423.CH.7", "TCVN14423.TK.5", "TCVN14423.TK.10",
        "TCVN14423.MD.3", "TCVN14423.LH.7"}

# Level parameters.  Where the regime gives no number (TCVN 11930 sets no password length,
# no lockout count), these are attt's documented defaults and the agency's IS regulation sets
# its own through tailoring; the report shows which values came from where.
TT12_PARAMS: dict[int, dict[str, dict[str, Any]]] = {
    1: {"password.min_length": {"min_length": 8},
        "logging.retention_months": {"min_months": 1}},
    # TT12 Appendix III (via TCVN 11930 7.2.1.4 / 7.2.2.3): logs kept >= 3 months from level 3.
    3: {"password.min_length": {"min_length": 10},
        "logging.retention_months": {"min_months": 3}},
    4: {"password.min_length": {"min_length": 12}},
}
# TCVN 14423 thresholds (as reported, see the catalogue's provenance note).
TCVN_PARAMS: dict[int, dict[str, dict[str, Any]]] = {
    1: {"password.min_length": {"min_length": 14},  # "without MFA" suggested value
        "accounts.inactive_disabled": {"max_inactive_days": 45},
        "accounts.password_max_age": {"max_days": 60},  # admin: 2-month rotation
        "ssh.idle_timeout_set": {"max_idle_seconds": 300},  # admin session lock 5 min
        "shell.session_timeout": {"max_seconds": 300},
        "logging.retention_months": {"min_months": 1}},
    3: {"password.history_remembered": {"remember": 10},
        "logging.retention_months": {"min_months": 3}},
    4: {"logging.retention_months": {"min_months": 6}},
    5: {"logging.retention_months": {"min_months": 12}},
}

# Freshness of documents (months) per level for TT12 items whose period the Circular or
# Decree 85 implies.  Independent assessment (layer 3): level 3 every 2 years, level 4 yearly,
# level 5 every 6 months (UNCONFIRMED recollection of ND85 Art. 20, see the catalogue);
# policy review: 12 months (agency-defined default).
TT12_FRESHNESS: dict[str, dict[int, int]] = {
    "TT12.QL.CS.3": dict.fromkeys(range(1, 6), 12),
    "TT12.QL.VH.7": {3: 24, 4: 12, 5: 6},
    "TT12.QL.XD.3": {3: 24, 4: 12, 5: 6},
    "TT12.KT.UD.6": {2: 24, 3: 24, 4: 12, 5: 6},
    "TT12.CHUNG.8": {1: 24, 2: 24, 3: 24, 4: 12, 5: 6},
    "TT12.CHUNG.9": {3: 24, 4: 12, 5: 6},
    "TT12.CHUNG.10": dict.fromkeys(range(1, 6), 12),
}
BEFORE_APPROVAL = {"TT12.CHUNG.4", "ND331.1"}

IPV6: dict[str, Any] = {
    "id": "ATTT.IPV6.1",
    "title_vi": "Sẵn sàng IPv6 trên máy chủ (chương trình IPv6 for Gov)",
    "title_en": "IPv6 readiness of hosts (IPv6 for Gov programme)",
    "group": "national-programmes",
    "layer": 1,
    "severity": "low",
    "advisory": True,
    "clause": {"qd38": "Quyết định 38/QĐ-BTTTT (2021), chương trình IPv6 for Gov"},
    "description_en": "Not an item of either regime: advisory, it never blocks the level verdict.",
    "checks": [{"id": "ipv6.enabled"}, {"id": "ipv6.global_address"},
               {"id": "ipv6.default_route"}, {"id": "net.ipv6_readiness"}],
}

REGIMES: dict[str, dict[str, Any]] = {
    "nd85-tt12": {
        "catalogue": "tt12-2022-catalogue.yaml",
        "instruments": ["Nghị định 85/2016/NĐ-CP", "Thông tư 12/2022/TT-BTTTT",
                        "TCVN 11930:2017"],
        "caveat": "",
        "title_vi": "Yêu cầu bảo đảm an toàn hệ thống thông tin cấp độ {n} "
                    "(Phụ lục {roman}, Thông tư 12/2022/TT-BTTTT)",
        "title_en": "Security level {n} requirements (Circular 12/2022 Appendix {roman})",
    },
    "law116-nd331": {
        "catalogue": "tcvn14423-2026-catalogue.yaml",
        "instruments": ["Luật An ninh mạng 116/2025/QH15", "Nghị định 331/2026/NĐ-CP",
                        "TCVN 14423:2026"],
        "caveat": (
            "Nội dung yêu cầu theo TCVN 14423:2026 được tổng hợp từ một bộ công cụ công khai "
            "(ldphuong-vn/vn-cyber-compliance), chưa đối chiếu với văn bản chính thức; cần tra "
            "cứu tiêu chuẩn gốc khi lập hồ sơ. / Requirement content as reported by one public "
            "toolkit, not verified against the official standard; consult the standard itself "
            "when preparing a dossier."
        ),
        "title_vi": "Yêu cầu bảo vệ an ninh mạng hệ thống thông tin cấp độ {n} "
                    "(TCVN 14423:2026, Nghị định 331/2026/NĐ-CP)",
        "title_en": "Level {n} requirements (TCVN 14423:2026, Decree 331/2026, as reported)",
    },
}


def months(period: Any) -> int | None:
    """ISO 8601 period P<n>M / P<n>Y -> months; anything else (org-defined, null) -> None."""

    m = re.fullmatch(r"P(\d+)([MY])", str(period or ""))
    if not m:
        return None
    return int(m.group(1)) * (12 if m.group(2) == "Y" else 1)


def _evidence(item: dict[str, Any], level: int, checks: list[str]) -> list[dict[str, Any]]:
    kind = item.get("kind", "document-evidence")
    if checks and kind not in ("document-evidence", "mixed"):
        return []
    docs = item.get("evidence") or [f"records showing: {item['title_en']}"]
    title_vi = item.get("title_vi") or item["title_en"]
    max_age = TT12_FRESHNESS.get(item["id"], {}).get(level)
    th = (item.get("thresholds") or {}).get(level) or {}
    for key in ("review", "interval", "period"):
        if months(th.get(key)):
            max_age = months(th.get(key))
            break
    rule = (item.get("product_rule") or {}).get(level) or {}
    suffix_vi = suffix_en = ""
    if rule.get("rule") == "product":
        suffix_vi = " (yêu cầu sản phẩm chuyên dụng)"
        suffix_en = " (a dedicated product is required)"
    elif rule.get("rule") == "equivalent-ok":
        suffix_vi = " (sản phẩm hoặc giải pháp tương đương)"
        suffix_en = " (a product or an equivalent solution)"
    elif rule.get("rule") == "conditional":
        suffix_vi = " (sản phẩm chuyên dụng nếu: " + ", ".join(rule.get("product_if", [])) + ")"
        suffix_en = " (a dedicated product if: " + ", ".join(rule.get("product_if", [])) + ")"
    elif rule.get("rule") == "plan":
        suffix_vi, suffix_en = " (phương án)", " (a plan)"
    out = []
    for i, doc in enumerate(docs):
        spec: dict[str, Any] = {
            "key": f"doc{i + 1}",
            "title_vi": f"Hồ sơ chứng minh: {title_vi}{suffix_vi}",
            "title_en": f"{doc}{suffix_en}",
        }
        if max_age:
            spec["max_age_months"] = max_age
        if item["id"] in BEFORE_APPROVAL:
            spec["before_approval"] = True
        out.append(spec)
    return out


def _clauses(item: dict[str, Any], level: int, regime: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if regime == "nd85-tt12":
        ref = item.get("tt12_ref")
        out["tt12"] = ref[level] if isinstance(ref, dict) else str(ref)
        tcvn = (item.get("tcvn_11930") or {}).get(level)
        if tcvn:
            out["tcvn_11930"] = str(tcvn)
    else:
        if item.get("tcvn_14423"):
            out["tcvn_14423"] = str(item["tcvn_14423"][level])
        if item.get("nd331_ref"):
            out["nd331"] = str(item["nd331_ref"])
    rule = (item.get("product_rule") or {}).get(level)
    if rule:
        out["product_rule"] = str(rule.get("rule"))
    return out


def requirement(item: dict[str, Any], level: int, regime: str) -> dict[str, Any]:
    maps = (CHECK_MAP, CHECK_MAP_MORE) if regime == "nd85-tt12" else (CHECK_MAP_TCVN,)
    checks: list[str] = []
    for table in maps:
        for lvl, check_id in table.get(item["id"], []):
            if lvl <= level and check_id not in checks:
                checks.append(check_id)
    req: dict[str, Any] = {
        "id": item["id"],
        "title_vi": item.get("title_vi") or item["title_en"],
        "title_en": item["title_en"],
        "group": item.get("group", "general"),
        "layer": int(item.get("layer", 1)),
        "severity": "high" if item["id"] in HIGH else "medium",
        "clause": _clauses(item, level, regime),
    }
    if checks:
        req["checks"] = [{"id": c} for c in checks]
        if item["id"] in SERVER_ONLY:
            req["roles"] = SERVER_ROLES
    evidence = _evidence(item, level, checks)
    if evidence:
        req["evidence"] = evidence
    if item.get("description_en"):
        req["description_en"] = " ".join(str(item["description_en"]).split())
    return req


def catalogue_items(regime: str) -> list[dict[str, Any]]:
    """Every item a profile must carry: appendix/standard items and the body obligations."""

    with open(CATALOGUES / REGIMES[regime]["catalogue"], encoding="utf-8") as fh:
        cat = yaml.safe_load(fh)
    if regime == "nd85-tt12":
        extra = [{**g, "group": "general", "title_vi": None, "layer": g.get("layer", 1)}
                 for g in cat["general_requirements"]]
    else:
        extra = [{**o, "group": "nd331-obligations", "title_vi": None,
                  "layer": o.get("layer", 1)} for o in cat["decree_331_obligations"]]
    return list(cat["items"]) + extra


def profile(regime: str, level: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    meta = REGIMES[regime]
    roman = ROMAN[level - 1]
    doc: dict[str, Any] = {
        "id": f"{regime}-{level}",
        "regime": regime,
        "level": level,
        "title_vi": meta["title_vi"].format(n=level, roman=roman),
        "title_en": meta["title_en"].format(n=level, roman=roman),
        "instruments": meta["instruments"],
    }
    if meta["caveat"]:
        doc["caveat"] = meta["caveat"]
    if level > 1:
        doc["extends"] = f"{regime}-{level - 1}"
        below = {i["id"] for i in items if level - 1 in i["levels"]}
        here = {i["id"] for i in items if level in i["levels"]}
        dropped = sorted(below - here)
        if dropped:
            doc["removes"] = dropped  # items the regime does not restate at this level
    params = (TT12_PARAMS if regime == "nd85-tt12" else TCVN_PARAMS).get(level)
    if params:
        doc["parameters"] = params
    doc["requirements"] = [requirement(i, level, regime) for i in items
                           if level in i["levels"]] + [IPV6]
    return doc


class _NoAliases(yaml.SafeDumper):
    # attt refuses YAML aliases on input; shared lists must be written out in full.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def main(out: str = str(ROOT / "profiles")) -> None:
    for regime in REGIMES:
        items = catalogue_items(regime)
        for level in range(1, 6):
            doc = profile(regime, level, items)
            path = Path(out) / f"{regime}-{level}.yaml"
            header = (
                f"# Generated by tools/gen_profiles.py from {REGIMES[regime]['catalogue']}.\n"
                "# Titles are paraphrases; clause numbers are the regulation's; the check\n"
                "# mapping and default parameter values are attt's. Do not edit by hand.\n"
            )
            path.write_text(header + yaml.dump(doc, Dumper=_NoAliases, allow_unicode=True,
                                               sort_keys=False, width=100), encoding="utf-8")
            print(f"{path}: {len(doc['requirements'])} requirements")


if __name__ == "__main__":
    # Optional argument: the output folder (a catalogue path given first, as older
    # invocations did, is ignored: the catalogues live in tools/regulation/).
    dirs = [a for a in sys.argv[1:] if Path(a).is_dir()]
    main(dirs[-1] if dirs else str(ROOT / "profiles"))
