"""Host firewall: inbound traffic is denied unless a rule allows it.

Live hosts are judged from the kernel's ruleset (``nft list ruleset`` shows nftables,
iptables-nft and firewalld rules; ``iptables -S`` adds legacy iptables) and from the managers
(ufw, firewalld).  Offline trees are judged from what loads at boot: the nftables,
iptables-persistent/iptables-services, ufw or firewalld configuration together with the
service enabled in systemd.  An input hook chain denies by default when its policy is drop,
or when its last rule drops or rejects unconditionally (firewalld's style); several base
chains on the input hook all have to accept a packet, so one denying chain is enough.
IPv6 must be covered as well unless IPv6 is disabled.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.model import Result, Status
from attt.probes.systemd import EnabledUnits
from attt.probes.text import glob_regex
from attt.registry import MissingFact, ScopedFacts, Section, check, probe

from .ipv6 import ipv6_disabled

_FAMILIES = {"ip": ("ipv4",), "ip6": ("ipv6",), "inet": ("ipv4", "ipv6")}


@dataclass
class NftChain:
    family: str
    table: str
    name: str
    hook: str | None = None
    policy: str = "accept"
    rules: list[str] = field(default_factory=list)


@dataclass
class NftRuleset:
    chains: dict[tuple[str, str, str], NftChain] = field(default_factory=dict)
    includes: list[str] = field(default_factory=list)

    def chain(self, family: str, table: str, name: str) -> NftChain:
        key = (family, table, name)
        if key not in self.chains:
            self.chains[key] = NftChain(family, table, name)
        return self.chains[key]


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


def parse_nft(text: str, ruleset: NftRuleset | None = None) -> NftRuleset:
    """nftables syntax as printed by ``nft list ruleset`` or written in nftables.conf."""

    rs = ruleset or NftRuleset()
    stack: list[tuple[str, Any]] = [("top", None)]
    stmt: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        s = " ".join("".join(stmt).split())
        stmt.clear()
        if s:
            _statement(rs, stack[-1], s)

    while i < n:
        c = text[i]
        if c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise ValueError("unterminated string in nftables text")
            stmt.append(text[i : end + 1])
            i = end + 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "\\" and text[i + 1 : i + 2] == "\n":
            i += 2
            continue
        if c in "\n;":
            flush()
        elif c == "{":
            kind = stack[-1][0]
            header = " ".join("".join(stmt).split())
            words = header.split()
            opens = kind == "table" or (
                (kind == "top" and words[:1] == ["table"]) or words[:2] in (
                    ["add", "table"], ["create", "table"], ["add", "chain"], ["create", "chain"])
            )
            if not opens:
                # Anonymous set or map inside a rule: keep it in the statement.
                depth, j = 0, i
                while j < n:
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    if depth == 0:
                        break
                    j += 1
                if j >= n:
                    raise ValueError("unbalanced braces in nftables text")
                stmt.append(" " + " ".join(text[i : j + 1].split()) + " ")
                i = j + 1
                continue
            stmt.clear()
            stack.append(_open(rs, stack[-1], words))
        elif c == "}":
            flush()
            if len(stack) == 1:
                raise ValueError("unbalanced '}' in nftables text")
            stack.pop()
        else:
            stmt.append(c)
        i += 1
    flush()
    if len(stack) != 1:
        raise ValueError("unterminated block in nftables text")
    return rs


def _open(rs: NftRuleset, ctx: tuple[str, Any], words: list[str]) -> tuple[str, Any]:
    if words and words[0] in ("add", "create"):
        words = words[1:]
    if ctx[0] == "top" and words[:1] == ["table"]:
        if len(words) == 2:
            return ("table", ("ip", words[1]))
        if len(words) != 3:
            raise ValueError(f"bad table header: {' '.join(words)!r}")
        return ("table", (words[1], words[2]))
    if ctx[0] == "top" and words[:1] == ["chain"] and len(words) == 4:
        return ("chain", rs.chain(words[1], words[2], words[3]))
    if ctx[0] == "table" and words[:1] == ["chain"] and len(words) == 2:
        family, table = ctx[1]
        return ("chain", rs.chain(family, table, words[1]))
    return ("other", None)


def _statement(rs: NftRuleset, ctx: tuple[str, Any], s: str) -> None:
    words = s.split()
    if ctx[0] == "chain":
        chain: NftChain = ctx[1]
        if words[0] == "type" and "hook" in words:
            chain.hook = words[words.index("hook") + 1]
        elif words[0] == "policy" and len(words) == 2:
            chain.policy = words[1].lower()
        elif words[0] not in ("comment", "devices", "device"):
            chain.rules.append(s)
    elif ctx[0] == "top":
        if words[:2] == ["flush", "ruleset"]:
            rs.chains.clear()
        elif words[0] == "include" and len(words) == 2:
            rs.includes.append(words[1].strip('"'))
        elif words[:2] in (["add", "rule"], ["insert", "rule"]) and len(words) > 5:
            target = rs.chain(words[2], words[3], words[4])
            rule = " ".join(words[5:])
            if words[0] == "add":
                target.rules.append(rule)
            else:
                target.rules.insert(0, rule)
        elif words[0] not in ("define", "table", "add", "create", "delete", "destroy", "flush",
                              "insert", "replace", "list", "redefine", "undefine"):
            raise ValueError(f"unexpected nftables statement: {s[:60]!r}")


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


@probe(
    "nft_ruleset",
    command="command -v nft >/dev/null || exit 127; nft list ruleset",
    description="the kernel's nftables ruleset (includes iptables-nft and firewalld rules)",
    needs_root=True,
)
def parse_nft_ruleset(section: Section) -> NftRuleset:
    return parse_nft(section.text)


def parse_iptables(text: str) -> tuple[str, list[str]]:
    """``iptables -S`` or iptables-save text: (INPUT policy, INPUT rules)."""

    policy, rules, table = "", [], "filter"
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line == "COMMIT":
            continue
        if line.startswith("*"):
            table = line[1:]
            continue
        if table != "filter":
            continue
        if line.startswith("-P INPUT ") or line.startswith(":INPUT "):
            policy = line.split()[1] if line.startswith(":") else line.split()[2]
        elif line.startswith("-A INPUT "):
            rules.append(line[len("-A INPUT ") :])
        elif not re.match(r"^(-[PAN] \S+|:\S+ \S+)", line):
            raise ValueError(f"not an iptables rule line: {line[:60]!r}")
    if not policy:
        raise ValueError("no INPUT chain policy in iptables output")
    return policy.upper(), rules


def _ipt_denies(policy: str, rules: list[str]) -> str | None:
    if policy == "DROP":
        return "policy DROP"
    if rules:
        last = re.sub(r'-m comment --comment ("[^"]*"|\S+)\s*', "", rules[-1]).strip()
        if re.fullmatch(r"-j (DROP|REJECT)( --reject-with \S+)?", last):
            return f"last rule '-A INPUT {rules[-1]}'"
    return None


@probe(
    "iptables_rules",
    command="command -v iptables >/dev/null || exit 127; iptables -S",
    description="IPv4 iptables rules (iptables -S)",
    needs_root=True,
)
def parse_iptables_rules(section: Section) -> tuple[str, list[str]]:
    return parse_iptables(section.text)


@probe(
    "ip6tables_rules",
    command="command -v ip6tables >/dev/null || exit 127; ip6tables -S",
    description="IPv6 iptables rules (ip6tables -S)",
    needs_root=True,
)
def parse_ip6tables_rules(section: Section) -> tuple[str, list[str]]:
    return parse_iptables(section.text)


@dataclass(frozen=True)
class UfwStatus:
    active: bool
    incoming: str  # deny | reject | allow | "" when inactive


@probe(
    "ufw_status",
    command="command -v ufw >/dev/null || exit 127; ufw status verbose",
    description="ufw state and default policies",
    needs_root=True,
)
def parse_ufw_status(section: Section) -> UfwStatus:
    m = re.search(r"^Status: (active|inactive)$", section.text, re.MULTILINE)
    if m is None:
        raise ValueError("no 'Status:' line in ufw output")
    if m.group(1) == "inactive":
        return UfwStatus(False, "")
    d = re.search(r"^Default: (\w+) \(incoming\)", section.text, re.MULTILINE)
    if d is None:
        raise ValueError("no 'Default: ... (incoming)' line in ufw output")
    return UfwStatus(True, d.group(1))


@dataclass(frozen=True)
class FirewalldState:
    running: bool
    zone: str = ""
    target: str = ""


@probe(
    "firewalld_state",
    command=(
        "command -v firewall-cmd >/dev/null || exit 127; firewall-cmd --state || exit $?; "
        "z=$(firewall-cmd --get-default-zone) && echo \"default-zone: $z\" && "
        "firewall-cmd --info-zone=\"$z\""
    ),
    ok_exit=(0, 252),
    description="firewalld state, default zone and its target",
)
def parse_firewalld_state(section: Section) -> FirewalldState:
    lines = section.text.splitlines()
    if not lines or lines[0].strip() not in ("running", "not running"):
        raise ValueError("firewall-cmd --state printed neither 'running' nor 'not running'")
    if lines[0].strip() == "not running":
        return FirewalldState(False)
    zone = re.search(r"^default-zone: (\S+)$", section.text, re.MULTILINE)
    target = re.search(r"^\s+target: (\S+)$", section.text, re.MULTILINE)
    if zone is None or target is None:
        raise ValueError("firewalld is running but its default zone target is missing")
    return FirewalldState(True, zone.group(1), target.group(1))


# ---- offline: what loads at boot -------------------------------------------------------

_NFT_FILES = ("/etc/nftables.conf", "/etc/sysconfig/nftables.conf")


@probe(
    "nftables_conf",
    files=(*_NFT_FILES, "/etc/nftables/*.nft", "/etc/nftables.d/*.nft", "/etc/nftables.d/*.conf"),
    description="nftables configuration loaded by nftables.service",
)
def parse_nftables_conf(section: Section) -> dict[str, NftRuleset]:
    """Main file -> ruleset with its includes expanded (those we read)."""

    out: dict[str, NftRuleset] = {}
    for main in _NFT_FILES:
        if main not in section.files:
            continue
        rs = NftRuleset()
        _load_nft(main, section.files, rs, 0)
        out[main] = rs
    return out


def _load_nft(path: str, files: Mapping[str, str], rs: NftRuleset, depth: int) -> None:
    if depth > 8:
        raise ValueError("nftables include loop")
    before = len(rs.includes)
    parse_nft(files[path], rs)
    for inc in rs.includes[before:]:
        pattern = inc if inc.startswith("/") else posixpath.join("/etc", inc)
        regex = glob_regex(pattern)
        matches = sorted(p for p in files if regex.fullmatch(p))
        for m in matches:
            _load_nft(m, files, rs, depth + 1)


_UFW_FILES = ("/etc/ufw/ufw.conf", "/etc/default/ufw")


def _shell_vars(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).split("#", 1)[0].strip().strip("\"'")
    return out


@probe("ufw_conf", files=_UFW_FILES, description="ufw configuration")
def parse_ufw_conf(section: Section) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in _UFW_FILES:
        if path in section.files:
            out.update(_shell_vars(section.files[path]))
    return out


@dataclass(frozen=True)
class FirewalldConf:
    present: bool
    zone: str
    target: str
    where: str


@probe(
    "firewalld_conf",
    files=("/etc/firewalld/firewalld.conf", "/etc/firewalld/zones/*.xml",
           "/usr/lib/firewalld/zones/*.xml"),
    description="firewalld default zone and its target",
)
def parse_firewalld_conf(section: Section) -> FirewalldConf:
    conf = section.files.get("/etc/firewalld/firewalld.conf")
    if conf is None:
        return FirewalldConf(False, "", "", "")
    zone = _shell_vars(conf).get("DefaultZone", "public")
    for base in ("/etc/firewalld/zones", "/usr/lib/firewalld/zones"):
        path = f"{base}/{zone}.xml"
        if path in section.files:
            xml = section.files[path]
            if "<zone" not in xml:
                raise ValueError(f"{path} is not a firewalld zone file")
            m = re.search(r"<zone\b[^>]*\btarget=\"([^\"]+)\"", xml)
            return FirewalldConf(True, zone, m.group(1) if m else "default", path)
    return FirewalldConf(True, zone, "", "")


_DENY_TARGETS = ("default", "%%REJECT%%", "REJECT", "DROP")

_IPT_SAVED = {
    "ipv4": ("/etc/iptables/rules.v4", "/etc/sysconfig/iptables"),
    "ipv6": ("/etc/iptables/rules.v6", "/etc/sysconfig/ip6tables"),
}


@probe(
    "iptables_saved",
    files=_IPT_SAVED["ipv4"] + _IPT_SAVED["ipv6"],
    description="iptables rules restored at boot (iptables-persistent, iptables-services)",
)
def parse_iptables_saved(section: Section) -> dict[str, tuple[str, list[str]]]:
    return {path: parse_iptables(text) for path, text in section.files.items()}


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
    for fam, paths in _IPT_SAVED.items():
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
