"""Host firewall: inbound traffic is denied unless a rule allows it.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.firewall`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from attt.model import Result, Status
from attt.probes.firewall import (
    IPTABLES_SAVED,
    FirewalldConf,
    FirewalldState,
    NftChain,
    NftRuleset,
    UfwStatus,
)
from attt.probes.sysctl import ipv6_disabled
from attt.probes.systemd import EnabledUnits
from attt.registry import MissingFact, ScopedFacts, check

_FAMILIES = {"ip": ("ipv4",), "ip6": ("ipv6",), "inet": ("ipv4", "ipv6")}


_UNCOND = re.compile(
    r"^(?:counter(?: packets \d+ bytes \d+)?\s*|log(?: (?:prefix \"[^\"]*\"|level \S+|flags \S+"
    r"|group \d+))*\s*|comment \"[^\"]*\"\s*)*(drop|reject(?: with .*)?)$"
)


def _denies(chain: NftChain) -> str | None:
    if chain.policy == "drop":
        return "policy drop"
    if chain.rules and _UNCOND.match(chain.rules[-1].strip()):
        return f"last rule '{chain.rules[-1].strip()}'"
    return None


def _input_deny(rs: NftRuleset) -> dict[str, str]:
    """Family -> why inbound is denied, for the input hook chains that deny."""

    out: dict[str, str] = {}
    for chain in rs.chains.values():
        if chain.hook != "input" or chain.family not in _FAMILIES:
            continue
        why = _denies(chain)
        if why:
            for fam in _FAMILIES[chain.family]:
                out.setdefault(fam, f"{chain.family} {chain.table} {chain.name}: {why}")
    return out


def _input_chains(rs: NftRuleset) -> list[str]:
    return [f"{c.family} {c.table} {c.name} (policy {c.policy})" for c in rs.chains.values()
            if c.hook == "input"]


def _ipt_denies(policy: str, rules: list[str]) -> str | None:
    if policy == "DROP":
        return "policy DROP"
    if rules:
        last = re.sub(r'-m comment --comment ("[^"]*"|\S+)\s*', "", rules[-1]).strip()
        if re.fullmatch(r"-j (DROP|REJECT)( --reject-with \S+)?", last):
            return f"last rule '-A INPUT {rules[-1]}'"
    return None


_DENY_TARGETS = ("default", "%%REJECT%%", "REJECT", "DROP")


_RESULT_EXPECTED = "inbound default deny (IPv4 and, unless disabled, IPv6)"


def _verdict(deny: dict[str, str], seen: list[str], where: str, v6: tuple[bool | None, str],
             source: str) -> Result:
    v6_needed = v6[0] is not True
    observed: dict[str, Any] = {"default_deny": deny, "seen": seen, "ipv6": v6[1]}
    missing = [f for f in (("ipv4", "ipv6") if v6_needed else ("ipv4",)) if f not in deny]
    if not missing:
        first = deny["ipv4"]
        extra = "" if not v6_needed else f"; IPv6: {deny['ipv6']}"
        return Result(Status.PASS, f"Host firewall denies inbound by default ({first}{extra}; "
                      f"{where}).", observed=observed, expected=_RESULT_EXPECTED, source=source)
    if not deny:
        what = "; ".join(seen) if seen else "no active host firewall"
        return Result(Status.FAIL, f"No host firewall denies inbound traffic by default ({what};"
                      f" {where}).", observed=observed, expected=_RESULT_EXPECTED, source=source)
    return Result(Status.FAIL, f"Host firewall denies inbound by default for "
                  f"{', '.join(sorted(deny))} but not for {', '.join(missing)} ({where}).",
                  observed=observed, expected=_RESULT_EXPECTED, source=source)


def _ipv6(facts: ScopedFacts) -> tuple[bool | None, str]:
    try:
        return ipv6_disabled(facts)
    except MissingFact as exc:
        return None, f"IPv6 state unknown ({exc.probe}: {exc.reason}); IPv6 assumed enabled"


def _live(facts: ScopedFacts) -> Result:
    deny: dict[str, str] = {}
    seen: list[str] = []
    readable, absent, unreadable = [], [], []
    for name in ("nft_ruleset", "iptables_rules", "ip6tables_rules", "ufw_status",
                 "firewalld_state"):
        if facts.has(name):
            readable.append(name)
            continue
        sec = facts.section(name)
        if sec is not None and sec.state == "failed" and sec.exit_code == 127:
            absent.append(name)
        else:
            unreadable.append(f"{name}: {sec.reason or sec.state if sec else 'not collected'}")
    if "nft_ruleset" in readable:
        rs: NftRuleset = facts.get("nft_ruleset")
        deny.update(_input_deny(rs))
        seen += [f"nft {c}" for c in _input_chains(rs)] or ["nft ruleset has no input chain"]
    for name, fam in (("iptables_rules", "ipv4"), ("ip6tables_rules", "ipv6")):
        if name in readable:
            policy, rules = facts.get(name)
            why = _ipt_denies(policy, rules)
            if why:
                deny.setdefault(fam, f"{name.split('_')[0]}: {why}")
            seen.append(f"{name.split('_')[0]} INPUT policy {policy}")
    if "ufw_status" in readable:
        ufw: UfwStatus = facts.get("ufw_status")
        state = f"active, default {ufw.incoming} incoming" if ufw.active else "inactive"
        seen.append(f"ufw {state}")
        if ufw.active and ufw.incoming in ("deny", "reject"):
            for fam in ("ipv4", "ipv6"):
                deny.setdefault(fam, f"ufw default {ufw.incoming} (incoming)")
    if "firewalld_state" in readable:
        fw: FirewalldState = facts.get("firewalld_state")
        seen.append(f"firewalld running, zone {fw.zone} target {fw.target}" if fw.running
                    else "firewalld not running")
        if fw.running and fw.target in _DENY_TARGETS:
            for fam in ("ipv4", "ipv6"):
                deny.setdefault(fam, f"firewalld zone {fw.zone} target {fw.target}")
    if not readable and unreadable:
        return Result(Status.ERROR,
                      f"The firewall state could not be read ({'; '.join(unreadable)}).",
                      observed={"unreadable": unreadable, "absent": absent}, expected=None,
                      source="nft_ruleset, iptables_rules, ufw_status, firewalld_state")
    if unreadable and not deny:
        # A tool we could not query might hold the rules: do not fail on half the picture.
        return Result(Status.ERROR, "No default-deny rule was seen and part of the firewall "
                      f"state could not be read ({'; '.join(unreadable)}).",
                      observed={"seen": seen, "unreadable": unreadable}, expected=None,
                      source="nft_ruleset, iptables_rules, ufw_status, firewalld_state")
    return _verdict(deny, seen, "running kernel", _ipv6(facts),
                    ", ".join(readable) or "no firewall tools installed")


def _offline(facts: ScopedFacts) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    deny: dict[str, str] = {}
    seen: list[str] = []

    def at_boot(*names: str) -> str | None:
        return next((n for n in names if units.enabled(n)), None)

    nft: dict[str, NftRuleset] = facts.get("nftables_conf")
    for path, rs in nft.items():
        unit = at_boot("nftables.service")
        state = f"enabled at boot via {unit}" if unit else "nftables.service not enabled at boot"
        seen.append(f"{path} ({state})")
        if unit:
            for fam, why in _input_deny(rs).items():
                deny.setdefault(fam, f"{path} {why}, enabled at boot")
    saved: dict[str, tuple[str, list[str]]] = facts.get("iptables_saved")
    for fam, paths in IPTABLES_SAVED.items():
        for path in paths:
            if path not in saved:
                continue
            unit = at_boot("netfilter-persistent.service", "iptables.service"
                           if fam == "ipv4" else "ip6tables.service")
            seen.append(f"{path} INPUT {saved[path][0]}"
                        f" ({'enabled at boot via ' + unit if unit else 'not enabled at boot'})")
            ipt_why = _ipt_denies(*saved[path])
            if unit and ipt_why:
                deny.setdefault(fam, f"{path} {ipt_why}, enabled at boot")
    ufw: dict[str, str] = facts.get("ufw_conf")
    if ufw:
        unit = at_boot("ufw.service")
        enabled = ufw.get("ENABLED", "no").lower() == "yes"
        policy = ufw.get("DEFAULT_INPUT_POLICY", "DROP").upper()
        seen.append(f"ufw ENABLED={ufw.get('ENABLED', 'no')} DEFAULT_INPUT_POLICY={policy}"
                    f"{' (ufw.service enabled at boot)' if unit else ' (ufw.service not enabled)'}")
        if enabled and unit and policy in ("DROP", "REJECT"):
            fams = ("ipv4", "ipv6") if ufw.get("IPV6", "yes").lower() == "yes" else ("ipv4",)
            for fam in fams:
                deny.setdefault(fam, f"ufw DEFAULT_INPUT_POLICY={policy}, enabled at boot")
    fwd: FirewalldConf = facts.get("firewalld_conf")
    if fwd.present:
        unit = at_boot("firewalld.service")
        seen.append(f"firewalld zone {fwd.zone} target {fwd.target or 'unknown'}"
                    f"{' (enabled at boot)' if unit else ' (firewalld.service not enabled)'}")
        if unit and fwd.target in _DENY_TARGETS:
            for fam in ("ipv4", "ipv6"):
                deny.setdefault(fam, f"firewalld zone {fwd.zone} target {fwd.target} "
                                f"({fwd.where}), enabled at boot")
    if not units.systemd and not deny:
        return Result(Status.ERROR, "No systemd unit directories in the tree: whether a firewall "
                      "starts at boot cannot be determined.", observed={"seen": seen},
                      expected=_RESULT_EXPECTED, source="systemd_enabled")
    return _verdict(deny, seen, "configuration loaded at boot", _ipv6(facts),
                    "nftables_conf, iptables_saved, ufw_conf, firewalld_conf, systemd_enabled")


@check(
    "firewall.default_deny_input",
    title_vi="Tường lửa trên máy chủ chặn mặc định lưu lượng vào",
    title_en="Host firewall denies inbound traffic by default",
    severity="high",
    probes=("nft_ruleset", "iptables_rules", "ip6tables_rules", "ufw_status", "firewalld_state",
            "nftables_conf", "iptables_saved", "ufw_conf", "firewalld_conf", "systemd_enabled",
            "ipv6_sysctl", "kernel_cmdline", "sysctl_conf", "boot_cmdline"),
    remediation_vi=(
        "Bật tường lửa trên máy với chính sách mặc định chặn chiều vào và chỉ mở các dịch vụ cần "
        "thiết, cho cả IPv4 và IPv6: với nftables đặt 'policy drop;' trong chain có "
        "'hook input' của /etc/nftables.conf và 'systemctl enable --now nftables'; với ufw "
        "chạy 'ufw default deny incoming' rồi 'ufw enable'; với firewalld giữ target mặc định "
        "của zone (không dùng ACCEPT) và 'systemctl enable --now firewalld'."
    ),
    remediation_en=(
        "Enable a host firewall whose inbound default is deny, opening only the services the "
        "host provides, for both IPv4 and IPv6: with nftables put 'policy drop;' in the "
        "'hook input' chain of /etc/nftables.conf and run 'systemctl enable --now nftables'; "
        "with ufw run 'ufw default deny incoming' and 'ufw enable'; with firewalld keep the "
        "zone's default target (not ACCEPT) and run 'systemctl enable --now firewalld'."
    ),
)
def default_deny_input(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A host firewall that drops whatever is not explicitly allowed limits the damage of a
    service exposed by mistake and slows lateral movement inside the agency's network; an
    allow-by-default filter protects only against what someone thought of."""

    return _live(facts) if facts.mode == "live" else _offline(facts)
