"""Host firewall: inbound traffic is denied unless a rule allows it.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.firewall`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
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


def _denies(chain: NftChain) -> Msg | None:
    if chain.policy == "drop":
        return T("policy {policy}", policy="drop")
    if chain.rules and _UNCOND.match(chain.rules[-1].strip()):
        return T("last rule '{rule}'", rule=chain.rules[-1].strip())
    return None


def _input_deny(rs: NftRuleset) -> dict[str, Msg]:
    """Family -> why inbound is denied, for the input hook chains that deny."""

    out: dict[str, Msg] = {}
    for chain in rs.chains.values():
        if chain.hook != "input" or chain.family not in _FAMILIES:
            continue
        why = _denies(chain)
        if why:
            for fam in _FAMILIES[chain.family]:
                out.setdefault(fam, T("{family} {table} {chain}: {why}", family=chain.family,
                                      table=chain.table, chain=chain.name, why=why))
    return out


def _input_chains(rs: NftRuleset) -> list[Msg]:
    return [T("nft {family} {table} {chain} (policy {policy})", family=c.family,
              table=c.table, chain=c.name, policy=c.policy)
            for c in rs.chains.values() if c.hook == "input"]


def _ipt_denies(policy: str, rules: list[str]) -> Msg | None:
    if policy == "DROP":
        return T("policy {policy}", policy="DROP")
    if rules:
        last = re.sub(r'-m comment --comment ("[^"]*"|\S+)\s*', "", rules[-1]).strip()
        if re.fullmatch(r"-j (DROP|REJECT)( --reject-with \S+)?", last):
            rule = f"-A INPUT {rules[-1]}"
            return T("last rule '{rule}'", rule=rule)
    return None


_DENY_TARGETS = ("default", "%%REJECT%%", "REJECT", "DROP")


_RESULT_EXPECTED = "inbound default deny (IPv4 and, unless disabled, IPv6)"


def _english(items: list[Msg]) -> list[str]:
    # observed stays data: the English rendering of the phrases the message lists.
    return [str(m) for m in items]


def _verdict(deny: dict[str, Msg], seen: list[Msg], where: Msg,
             v6: tuple[bool | None, str | Msg], source: str) -> Result:
    v6_needed = v6[0] is not True
    observed: dict[str, Any] = {"default_deny": {k: str(v) for k, v in deny.items()},
                                "seen": _english(seen), "ipv6": str(v6[1])}
    missing = [f for f in (("ipv4", "ipv6") if v6_needed else ("ipv4",)) if f not in deny]
    if not missing:
        if v6_needed:
            message = T("Host firewall denies inbound by default ({ipv4}; IPv6: {ipv6}; "
                        "{where}).", ipv4=deny["ipv4"], ipv6=deny["ipv6"], where=where)
        else:
            message = T("Host firewall denies inbound by default ({ipv4}; {where}).",
                        ipv4=deny["ipv4"], where=where)
        return Result(Status.PASS, message, observed=observed, expected=_RESULT_EXPECTED,
                      source=source)
    if not deny:
        what: list[Msg] = seen or [T("no active host firewall")]
        return Result(Status.FAIL, T("No host firewall denies inbound traffic by default "
                                     "({seen}; {where}).", seen=what, where=where),
                      observed=observed, expected=_RESULT_EXPECTED, source=source)
    return Result(Status.FAIL, T("Host firewall denies inbound by default for {denied} but not "
                                 "for {missing} ({where}).", denied=sorted(deny),
                                 missing=missing, where=where),
                  observed=observed, expected=_RESULT_EXPECTED, source=source)


def _ipv6(facts: ScopedFacts) -> tuple[bool | None, str | Msg]:
    try:
        return ipv6_disabled(facts)
    except MissingFact as exc:
        return None, T("IPv6 state unknown ({probe}: {reason}); IPv6 assumed enabled",
                       probe=exc.probe, reason=exc.reason)


def _unreadable(facts: ScopedFacts, name: str) -> Msg:
    try:
        facts.get(name)
    except MissingFact as exc:
        return T("{probe}: {reason}", probe=name, reason=exc.reason)
    return T("{probe}: {reason}", probe=name, reason=T("not collected"))


_LIVE_SOURCE = "nft_ruleset, iptables_rules, ufw_status, firewalld_state"


def _live(facts: ScopedFacts) -> Result:
    deny: dict[str, Msg] = {}
    seen: list[Msg] = []
    readable: list[str] = []
    absent: list[str] = []
    unreadable: list[Msg] = []
    for name in ("nft_ruleset", "iptables_rules", "ip6tables_rules", "ufw_status",
                 "firewalld_state"):
        if facts.has(name):
            readable.append(name)
            continue
        sec = facts.section(name)
        if sec is not None and sec.state == "failed" and sec.exit_code == 127:
            absent.append(name)
        else:
            unreadable.append(_unreadable(facts, name))
    if "nft_ruleset" in readable:
        rs: NftRuleset = facts.get("nft_ruleset")
        deny.update(_input_deny(rs))
        seen += _input_chains(rs) or [T("nft ruleset has no input chain")]
    for name, fam in (("iptables_rules", "ipv4"), ("ip6tables_rules", "ipv6")):
        if name in readable:
            tool = name.split("_")[0]
            policy, rules = facts.get(name)
            why = _ipt_denies(policy, rules)
            if why:
                deny.setdefault(fam, T("{tool} INPUT chain: {why}", tool=tool, why=why))
            seen.append(T("{tool} INPUT policy {policy}", tool=tool, policy=policy))
    if "ufw_status" in readable:
        _live_ufw(facts.get("ufw_status"), deny, seen)
    if "firewalld_state" in readable:
        _live_firewalld(facts.get("firewalld_state"), deny, seen)
    if not readable and unreadable:
        return Result(Status.ERROR, T("The firewall state could not be read ({sections}).",
                                      sections=unreadable),
                      observed={"unreadable": _english(unreadable), "absent": absent},
                      expected=None, source=_LIVE_SOURCE)
    if unreadable and not deny:
        # A tool we could not query might hold the rules: do not fail on half the picture.
        return Result(Status.ERROR, T("No default-deny rule was seen and part of the firewall "
                                      "state could not be read ({sections}).",
                                      sections=unreadable),
                      observed={"seen": _english(seen), "unreadable": _english(unreadable)},
                      expected=None, source=_LIVE_SOURCE)
    return _verdict(deny, seen, T("running kernel"), _ipv6(facts),
                    ", ".join(readable) or "no firewall tools installed")


def _live_ufw(ufw: UfwStatus, deny: dict[str, Msg], seen: list[Msg]) -> None:
    if not ufw.active:
        seen.append(T("ufw inactive"))
        return
    seen.append(T("ufw active (default {policy} incoming)", policy=ufw.incoming))
    if ufw.incoming in ("deny", "reject"):
        for fam in ("ipv4", "ipv6"):
            deny.setdefault(fam, T("ufw default {policy} (incoming)", policy=ufw.incoming))


def _live_firewalld(fw: FirewalldState, deny: dict[str, Msg], seen: list[Msg]) -> None:
    if not fw.running:
        seen.append(T("firewalld not running"))
        return
    seen.append(T("firewalld running, zone {zone} target {target}", zone=fw.zone,
                  target=fw.target))
    if fw.target in _DENY_TARGETS:
        for fam in ("ipv4", "ipv6"):
            deny.setdefault(fam, T("firewalld zone {zone} target {target}", zone=fw.zone,
                                   target=fw.target))


def _offline(facts: ScopedFacts) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    deny: dict[str, Msg] = {}
    seen: list[Msg] = []
    _offline_nft(facts.get("nftables_conf"), units, deny, seen)
    _offline_iptables(facts.get("iptables_saved"), units, deny, seen)
    _offline_ufw(facts.get("ufw_conf"), units, deny, seen)
    _offline_firewalld(facts.get("firewalld_conf"), units, deny, seen)
    if not units.systemd and not deny:
        return Result(Status.ERROR, T("No systemd unit directories in the tree: whether a "
                                      "firewall starts at boot cannot be determined."),
                      observed={"seen": _english(seen)}, expected=_RESULT_EXPECTED,
                      source="systemd_enabled")
    return _verdict(deny, seen, T("configuration loaded at boot"), _ipv6(facts),
                    "nftables_conf, iptables_saved, ufw_conf, firewalld_conf, systemd_enabled")


def _at_boot(units: EnabledUnits, *names: str) -> str | None:
    return next((n for n in names if units.enabled(n)), None)


def _offline_nft(nft: dict[str, NftRuleset], units: EnabledUnits, deny: dict[str, Msg],
                 seen: list[Msg]) -> None:
    for path, rs in nft.items():
        unit = _at_boot(units, "nftables.service")
        if not unit:
            seen.append(T("{path} (nftables.service not enabled at boot)", path=path))
            continue
        seen.append(T("{path} (enabled at boot via {unit})", path=path, unit=unit))
        for fam, why in _input_deny(rs).items():
            deny.setdefault(fam, T("{path} {why}, enabled at boot", path=path, why=why))


def _offline_iptables(saved: dict[str, tuple[str, list[str]]], units: EnabledUnits,
                      deny: dict[str, Msg], seen: list[Msg]) -> None:
    for fam, paths in IPTABLES_SAVED.items():
        for path in paths:
            if path not in saved:
                continue
            unit = _at_boot(units, "netfilter-persistent.service", "iptables.service"
                            if fam == "ipv4" else "ip6tables.service")
            policy = saved[path][0]
            if not unit:
                seen.append(T("{path} INPUT {policy} (not enabled at boot)", path=path,
                              policy=policy))
                continue
            seen.append(T("{path} INPUT {policy} (enabled at boot via {unit})", path=path,
                          policy=policy, unit=unit))
            ipt_why = _ipt_denies(*saved[path])
            if ipt_why:
                deny.setdefault(fam, T("{path} {why}, enabled at boot", path=path, why=ipt_why))


def _offline_ufw(ufw: dict[str, str], units: EnabledUnits, deny: dict[str, Msg],
                 seen: list[Msg]) -> None:
    if not ufw:
        return
    unit = _at_boot(units, "ufw.service")
    enabled = ufw.get("ENABLED", "no").lower() == "yes"
    policy = ufw.get("DEFAULT_INPUT_POLICY", "DROP").upper()
    state = (T("ufw ENABLED={enabled} DEFAULT_INPUT_POLICY={policy} (ufw.service enabled at "
               "boot)", enabled=ufw.get("ENABLED", "no"), policy=policy) if unit
             else T("ufw ENABLED={enabled} DEFAULT_INPUT_POLICY={policy} (ufw.service not "
                    "enabled)", enabled=ufw.get("ENABLED", "no"), policy=policy))
    seen.append(state)
    if enabled and unit and policy in ("DROP", "REJECT"):
        fams = ("ipv4", "ipv6") if ufw.get("IPV6", "yes").lower() == "yes" else ("ipv4",)
        for fam in fams:
            deny.setdefault(fam, T("ufw DEFAULT_INPUT_POLICY={policy}, enabled at boot",
                                   policy=policy))


def _offline_firewalld(fwd: FirewalldConf, units: EnabledUnits, deny: dict[str, Msg],
                       seen: list[Msg]) -> None:
    if not fwd.present:
        return
    unit = _at_boot(units, "firewalld.service")
    target: str | Msg = fwd.target or T("unknown")
    seen.append(T("firewalld zone {zone} target {target} (enabled at boot)", zone=fwd.zone,
                  target=target) if unit
                else T("firewalld zone {zone} target {target} (firewalld.service not enabled)",
                       zone=fwd.zone, target=target))
    if unit and fwd.target in _DENY_TARGETS:
        for fam in ("ipv4", "ipv6"):
            deny.setdefault(fam, T("firewalld zone {zone} target {target} ({where}), enabled "
                                   "at boot", zone=fwd.zone, target=fwd.target,
                                   where=fwd.where))


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
